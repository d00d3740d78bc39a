package io.strata.namespace;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of the change log ({@link ChangeFeed}). Entries every cursor has passed are trimmed anyway;
 * these bound what a slow or abandoned consumer can hold: beyond either, the oldest entries go even
 * if a cursor has not read them, and that cursor is told (it must resynchronise). Immutable.
 *
 * @param maxBytes bytes of stored entries (row key and value; about 100 bytes plus the key and ETag
 *                 per entry) kept at most
 * @param maxAge   entries committed longer ago than this are trimmed
 */
public record ChangeLogLimits(long maxBytes, Duration maxAge) {
    /** 256 MiB: about two million object PUTs. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** 7 days: a replication target down over a long weekend catches up without a full resync. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final ChangeLogLimits DEFAULT = new ChangeLogLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_AGE);

    public ChangeLogLimits {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxBytes <= 0) throw new IllegalArgumentException("change log max-bytes must be positive: " + maxBytes);
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("change log max-age must be positive: " + maxAge);
        }
    }
}
