package io.strata.namespace;

import java.time.Instant;
import java.util.Objects;

/**
 * A bucket as stored: its name, creation time, region, owner's access key and versioning state.
 * Immutable and thread-safe; the constructor throws {@link NullPointerException} for a missing field.
 */
public record Bucket(BucketName name, Instant created, String region, String owner, BucketVersioning versioning) {
    public Bucket {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(versioning, "versioning");
    }

    /** A bucket that has never had versioning enabled. */
    public Bucket(BucketName name, Instant created, String region, String owner) {
        this(name, created, region, owner, BucketVersioning.UNVERSIONED);
    }

    public Bucket withVersioning(BucketVersioning state) {
        return new Bucket(name, created, region, owner, state);
    }
}
