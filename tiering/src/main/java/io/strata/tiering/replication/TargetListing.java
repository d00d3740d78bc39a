package io.strata.tiering.replication;

import java.util.List;
import java.util.Objects;

/**
 * One page of a replication target bucket's current objects, in key order, as ListObjectsV2 answers it:
 * what a resync compares the source's current versions with. Immutable.
 *
 * @param objects   the page's objects
 * @param truncated whether more keys follow the last one
 */
public record TargetListing(List<Entry> objects, boolean truncated) {
    public TargetListing {
        objects = List.copyOf(objects);
    }

    /**
     * One current object at the target.
     *
     * @param key  the key
     * @param etag the ETag without quotes
     * @param size its length in bytes
     */
    public record Entry(String key, String etag, long size) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(etag, "etag");
        }
    }
}
