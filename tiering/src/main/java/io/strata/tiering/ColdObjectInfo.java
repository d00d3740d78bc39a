package io.strata.tiering;

import java.util.Objects;

/**
 * What a cold tier knows about a stored version besides its bytes.
 *
 * @param size the length in bytes
 * @param metadata the metadata stored with it
 */
public record ColdObjectInfo(long size, ColdMetadata metadata) {

    /** Validates. */
    public ColdObjectInfo {
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        Objects.requireNonNull(metadata, "metadata");
    }
}
