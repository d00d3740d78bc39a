/**
 * Replication as the gateway runs it (issue #14): the registry of targets that rules' destinations
 * resolve to, and the worker that sends the changes of the change log to them (through tiering's
 * {@code S3ReplicaSender}), keeping each operation in a durable work queue per target. The configuration and its codec live in {@code io.strata.tiering.replication}; the S3 XML in
 * {@code s3.xml}; the admin routes in {@code admin}.
 */
package io.strata.gateway.replication;
