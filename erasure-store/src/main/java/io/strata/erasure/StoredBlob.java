package io.strata.erasure;

import java.time.Instant;
import java.util.Objects;

/**
 * One blob found on the drives by {@link ErasureStore#forEachBlob}: its location (usable for
 * {@link ErasureStore#read}, {@link ErasureStore#delete} and heal), when its newest shard file was
 * last modified, and how many of its shard files were found. An immutable value.
 *
 * <p>A blob is reported whether or not the namespace refers to it: a collector of orphaned shards
 * compares {@link #id()} with the ids of the locations the namespace holds, and must leave young
 * blobs alone ({@link #lastModified()}), since a write renames its shards into place before the
 * namespace commit that makes them referenced.
 *
 * @param location where the blob's shards are, as a write would have returned it
 * @param owner the owner recorded in the shard headers ({@link BlobOwner#UNKNOWN} for blobs
 *     written without one or by a store older than shard format version 2)
 * @param lastModified the newest modification time among the blob's shard files
 * @param shardsPresent shard files found on online drives (at most {@code k + m})
 */
public record StoredBlob(BlobLocation location, BlobOwner owner, Instant lastModified, int shardsPresent) {
    public StoredBlob {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(lastModified, "lastModified");
        if (shardsPresent < 1) throw new IllegalArgumentException("shardsPresent < 1: " + shardsPresent);
    }

    /** The blob's identity, equal to {@code location().id()}. */
    public String id() {
        return location.id();
    }
}
