package io.strata.namespace;

import java.time.Instant;
import java.util.Objects;

/**
 * A bucket as stored: its name, creation time, region and owner's access key. Immutable and
 * thread-safe; the constructor throws {@link NullPointerException} for a missing field.
 */
public record Bucket(BucketName name, Instant created, String region, String owner) {
    public Bucket {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(owner, "owner");
    }
}
