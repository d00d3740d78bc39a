package io.strata.namespace;

import java.util.Objects;
import java.util.Optional;

/**
 * What a delete without a version id did. Immutable and thread-safe.
 *
 * @param removed the version removed for good, its data queued as garbage (the {@code null}
 *                version in an unversioned or suspended bucket); empty if there was none
 * @param marker  the delete marker created (versioning enabled or suspended); empty in an
 *                unversioned bucket
 */
public record DeleteResult(Optional<ObjectVersion> removed, Optional<ObjectVersion> marker) {
    public DeleteResult {
        Objects.requireNonNull(removed, "removed");
        Objects.requireNonNull(marker, "marker");
    }
}
