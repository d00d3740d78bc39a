/**
 * Bucket replication (issue #14): the configuration users already know from S3 (free of XML) and its
 * stored codec, and the targets a rule's destination resolves to. Depends on the root package
 * ({@code S3ColdTierConfig}); nothing here contacts a target yet.
 */
package io.strata.tiering.replication;
