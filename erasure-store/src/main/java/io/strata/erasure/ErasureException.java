package io.strata.erasure;

/**
 * A hot-tier failure. The gateway maps each reason to one S3 error; the message names the blob
 * and what went wrong, never object data. Immutable once thrown.
 */
public final class ErasureException extends RuntimeException {
    public enum Reason {
        /** The source stream ended before the declared length: S3 IncompleteBody. */
        INCOMPLETE_INPUT,
        /** The source stream had more bytes than declared. */
        EXCESS_INPUT,
        /** Fewer than the write quorum of drives accepted the shards: InternalError/SlowDown. */
        WRITE_QUORUM_LOST,
        /** Too many shards missing or corrupt to rebuild the data: InternalError. */
        READ_QUORUM_LOST,
        /** Other I/O failure. */
        IO
    }

    private final Reason reason;

    public ErasureException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
    }

    public ErasureException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Why the call failed; never null. */
    public Reason reason() {
        return reason;
    }
}
