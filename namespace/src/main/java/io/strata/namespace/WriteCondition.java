package io.strata.namespace;

import java.util.Objects;

/**
 * A precondition on a key's current version (its newest entry, when that is not a delete marker)
 * that a write or delete is made on: S3's conditional writes ({@code If-None-Match: *} and
 * {@code If-Match} on PutObject and CompleteMultipartUpload) and conditional deletes ({@code If-Match}
 * on DeleteObject, {@code ETag} in DeleteObjects). The namespace checks it under the key's lock and
 * commits in the same step, so no write can land between the check and the commit: of N concurrent
 * {@link IfAbsent} creators of one key exactly one succeeds. Immutable.
 *
 * <p>A failed condition throws {@link NamespaceException} with reason PRECONDITION_FAILED, or
 * KEY_NOT_FOUND for {@link IfMatch} on a key without a current version, and writes nothing.
 */
public sealed interface WriteCondition {
    /** No precondition. */
    WriteCondition NONE = new None();

    /** No precondition. */
    record None() implements WriteCondition {
    }

    /**
     * {@code If-None-Match: *}: the key has no current version. A delete marker as the newest entry
     * counts as none (AWS evaluates conditional writes against the current version only).
     */
    record IfAbsent() implements WriteCondition {
    }

    /**
     * {@code If-Match}: the key has a current version (else KEY_NOT_FOUND, as AWS answers 404
     * NoSuchKey) whose ETag is {@code etag} (unquoted, compared without regard to case), or
     * {@code etag} is {@code *}, which any current version matches.
     */
    record IfMatch(String etag) implements WriteCondition {
        public IfMatch {
            Objects.requireNonNull(etag, "etag");
            if (etag.isEmpty()) throw new IllegalArgumentException("empty etag");
        }
    }

    /** {@code If-None-Match: *}. */
    static WriteCondition ifAbsent() {
        return new IfAbsent();
    }

    /** {@code If-Match: etag} (unquoted; {@code *} for any current version). */
    static WriteCondition ifMatch(String etag) {
        return new IfMatch(etag);
    }
}
