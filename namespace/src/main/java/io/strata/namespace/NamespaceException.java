package io.strata.namespace;

/**
 * A namespace operation that cannot be done. The gateway maps each reason to one S3 error.
 * Immutable and thread-safe; a storage failure carries its cause.
 */
public final class NamespaceException extends RuntimeException {
    public enum Reason {
        BUCKET_NOT_FOUND,
        BUCKET_EXISTS,
        BUCKET_NOT_EMPTY,
        /** The key has no current version (a conditional write or delete that needs one). */
        KEY_NOT_FOUND,
        /** A {@link WriteCondition} did not hold; nothing was written. */
        PRECONDITION_FAILED,
        UPLOAD_NOT_FOUND,
        /** The store is closing or failed: InternalError/ServiceUnavailable. */
        UNAVAILABLE
    }

    private final Reason reason;

    public NamespaceException(Reason reason, String message) {
        this(reason, message, null);
    }

    public NamespaceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
