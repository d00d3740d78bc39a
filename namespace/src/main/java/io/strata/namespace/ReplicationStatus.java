package io.strata.namespace;

/**
 * A version's replication status as S3 reports it in {@code x-amz-replication-status} (HeadObject,
 * GetObject): on the source, PENDING until every destination of the rules that select it has the version,
 * then COMPLETED, or FAILED when one refused it for good; on a destination, REPLICA. {@link #NONE}: no
 * rule selected the version (S3 then sends no header). Stored by ordinal: only append new values.
 */
public enum ReplicationStatus {
    NONE, PENDING, COMPLETED, FAILED, REPLICA
}
