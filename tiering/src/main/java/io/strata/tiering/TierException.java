package io.strata.tiering;

import java.util.Objects;

/**
 * A cold-tier call failed; {@link #reason()} says how, so callers switch on it instead of parsing
 * messages. Unchecked, like the other modules' exceptions.
 */
public final class TierException extends RuntimeException {

    /** Why a cold-tier call failed. */
    public enum Reason {
        /** The version is not in the tier. */
        NOT_FOUND,
        /** The requested range starts past the end of the object. */
        INVALID_RANGE,
        /** The data stream held fewer or more bytes than declared; nothing was stored. */
        LENGTH_MISMATCH,
        /** Stored bytes or metadata are damaged or inconsistent. */
        CORRUPT,
        /** The tier cannot be reached or failed transiently (I/O error, 5xx but 501/505, open circuit); retry later. */
        UNAVAILABLE,
        /** The tier refused the call (credentials, permissions, missing bucket, 501 NotImplemented): an operator must act. */
        REJECTED
    }

    private final Reason reason;

    /** Creates an exception with a reason and a message naming the subject. */
    public TierException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Creates an exception with a reason, a message naming the subject and a cause. */
    public TierException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the call failed. */
    public Reason reason() {
        return reason;
    }
}
