package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectVersion;
import io.strata.namespace.ReplicationStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot consistent with a replicating site (issue #14): per bucket, the source time up to which
 * this site, as a replication target, holds every change from {@code site}. A snapshot taken with it
 * leaves out the replicas from {@code site} modified after that bucket's point, so it holds a prefix of
 * that site's history (a consistent failover point) even when later replicas arrived out of order.
 * Immutable.
 *
 * @param site  the origin site ({@code site.name} there)
 * @param until per bucket name, the point read before the export's checkpoint
 */
public record ConsistencyCut(String site, Map<String, Instant> until) {
    public ConsistencyCut {
        Objects.requireNonNull(site, "site");
        if (site.isEmpty() || site.contains(" ")) throw new IllegalArgumentException("bad site name: '" + site + "'");
        until = Map.copyOf(new TreeMap<>(until));
    }

    /**
     * Whether the version of {@code bucket} is left out: a replica (delete markers included) whose
     * origin is {@link #site} and whose source modification time is after the bucket's point. A
     * version written here, or replicated from another site, is always kept.
     *
     * @throws IllegalStateException for a bucket the cut has no point for (checked before the export)
     */
    boolean excludes(String bucket, ObjectVersion v) {
        if (v.attributes().replicationStatus() != ReplicationStatus.REPLICA || !site.equals(v.attributes().originSite())) {
            return false;
        }
        Instant point = until.get(bucket);
        if (point == null) throw new IllegalStateException("no point from site " + site + " for bucket " + bucket);
        return v.lastModified().isAfter(point);
    }
}
