package io.strata.tiering.snapshot;

import java.util.Objects;

/**
 * A snapshot repository or snapshot failed; {@link #reason()} says how. Unchecked, like every
 * module's own exception; the gateway maps the reasons to S3 errors in one place.
 */
public final class SnapshotException extends RuntimeException {

    /** What went wrong. */
    public enum Reason {
        /** The object, snapshot or repository does not exist. */
        NOT_FOUND,
        /** The repository's store cannot be reached or failed (transient: retrying may help). */
        UNAVAILABLE,
        /** The store refused the request (permissions, bad endpoint, a precondition it does not support). */
        REJECTED,
        /** Stored bytes fail a check: a hash, size, ETag or checksum differs, or a file is truncated or unreadable. */
        CORRUPT,
        /** The repository or root has a format this code does not read (an unknown major version). */
        UNKNOWN_FORMAT,
        /** The root's SHA-256 differs from the one the locator pins. */
        LOCATOR_MISMATCH,
        /** Malformed input from the caller (a locator that does not parse, an unknown bucket). */
        INVALID
    }

    private final Reason reason;

    public SnapshotException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SnapshotException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
