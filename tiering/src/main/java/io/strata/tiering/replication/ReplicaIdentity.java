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
 */
public record ReplicaIdentity(boolean deleteMarker, String checksumType, String cannedAcl, String originSite,
                              List<String> sites) {
    public ReplicaIdentity {
        Objects.requireNonNull(checksumType, "checksumType");
        Objects.requireNonNull(cannedAcl, "cannedAcl");
        Objects.requireNonNull(originSite, "originSite");
        sites = List.copyOf(sites);
    }
}
