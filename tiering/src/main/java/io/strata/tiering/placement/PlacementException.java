package io.strata.tiering.placement;

import io.strata.namespace.BucketName;

import java.util.Objects;
import java.util.Optional;

/**
 * A placement call the caller must hear about: its {@link Reason} says which, so the gateway maps
 * each reason to one S3 error without reading the message. The message names the subject for logs.
 * Carries no stack trace: it is an answer, not a bug.
 */
public final class PlacementException extends RuntimeException {
    /** Why placement refused a call. */
    public enum Reason {
        /** The bucket named does not exist; {@link #bucket()} names it. */
        NO_SUCH_BUCKET,
        /** The move queue is full, so the restore was not queued; retry later. */
        SLOW_DOWN
    }

    private final Reason reason;
    private final BucketName bucket;

    private PlacementException(Reason reason, BucketName bucket, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.bucket = bucket;
    }

    /** The bucket {@code bucket} does not exist. */
    public static PlacementException noSuchBucket(BucketName bucket) {
        return new PlacementException(Reason.NO_SUCH_BUCKET, Objects.requireNonNull(bucket, "bucket"),
                "bucket " + bucket + " does not exist");
    }

    /** Too much background work is queued; {@code message} names what was refused. */
    public static PlacementException slowDown(String message) {
        return new PlacementException(Reason.SLOW_DOWN, null, message);
    }

    public Reason reason() {
        return reason;
    }

    /** The bucket a {@link Reason#NO_SUCH_BUCKET} failure names; empty for the other reasons. */
    public Optional<BucketName> bucket() {
        return Optional.ofNullable(bucket);
    }
}
