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
        KEY_NOT_FOUND,
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
