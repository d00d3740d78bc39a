package io.strata.tiering.replication;

/**
 * A replica the target did not take. {@link Reason#TRANSIENT} failures (connection refused, timeouts, 5xx,
 * SlowDown, an open circuit) are retried later and leave the version PENDING; {@link Reason#PERMANENT}
 * ones (403, NoSuchBucket, any other refusal) make it FAILED with this message as the reason, as S3 does.
 */
public final class ReplicationException extends RuntimeException {
    /** Whether trying again later can help. */
    public enum Reason { TRANSIENT, PERMANENT }

    private final Reason reason;

    public ReplicationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
