package io.strata.namespace;

import java.util.Objects;
import java.util.Optional;

/**
 * What a committed write did. Immutable and thread-safe.
 *
 * @param version  the version as committed, with the id the namespace gave it ({@code null} unless
 *                 the bucket has versioning enabled)
 * @param replaced the version the write replaced and whose data went to the garbage queue (the
 *                 previous {@code null} version in an unversioned or suspended bucket); empty when
 *                 nothing was replaced, always empty in a versioning-enabled bucket
 */
public record PutResult(ObjectVersion version, Optional<ObjectVersion> replaced) {
    public PutResult {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(replaced, "replaced");
    }
}
