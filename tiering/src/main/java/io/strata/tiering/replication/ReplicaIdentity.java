package io.strata.tiering.replication;

import java.util.List;
import java.util.Objects;

/**
 * What a replica sent to another Strata carries besides a {@link Replica}: what the receiving site needs
 * to keep the version as it is at its source and never send it back. Immutable.
 *
 * @param deleteMarker whether the version is a delete marker (sent as an empty PUT)
 * @param checksumType FULL_OBJECT or COMPOSITE, how the source's checksums were made
 * @param cannedAcl    the version's canned ACL ({@code private} when none was given)
 * @param originSite   the site where the version was written
 * @param sites        the sites that have applied it, the sender included
 * @param backfill     sent by a resync: the receiver keeps it whenever it lacks the version id, even if it is
 *                     the version's origin or applied it before (it lost it with its disk), see
 *                     {@link StrataReplicaHeaders#BACKFILL}
 */
public record ReplicaIdentity(boolean deleteMarker, String checksumType, String cannedAcl, String originSite,
                              List<String> sites, boolean backfill) {
    public ReplicaIdentity {
        Objects.requireNonNull(checksumType, "checksumType");
        Objects.requireNonNull(cannedAcl, "cannedAcl");
        Objects.requireNonNull(originSite, "originSite");
        sites = List.copyOf(sites);
    }

    /** A replica sent by live replication (not a backfill). */
    public ReplicaIdentity(boolean deleteMarker, String checksumType, String cannedAcl, String originSite, List<String> sites) {
        this(deleteMarker, checksumType, cannedAcl, originSite, sites, false);
    }

    /** The same identity, sent by a resync. */
    public ReplicaIdentity asBackfill() {
        return new ReplicaIdentity(deleteMarker, checksumType, cannedAcl, originSite, sites, true);
    }
}
