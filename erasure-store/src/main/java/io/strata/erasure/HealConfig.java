package io.strata.erasure;

import java.time.Duration;
import java.util.Objects;

/**
 * How the background {@link Healer} works. An immutable value, validated on construction
 * ({@link IllegalArgumentException} naming the configuration key).
 *
 * @param rateBytesPerSecond bytes per second heal and scrub may read plus write, shared by the
 *     scanner and the read-triggered queue ({@code erasure.heal-rate}; 0 = unlimited)
 * @param interval time between background heal passes ({@code erasure.heal-interval})
 * @param scrubInterval time between scrub passes that read and verify every block
 *     ({@code erasure.scrub-interval}; zero disables them, a scrub can still be asked for)
 * @param minAge scheduled passes leave blobs younger than this that miss shards alone: they may
 *     be in the middle of their write ({@code erasure.heal-min-age}); passes asked for by an
 *     operator heal everything
 * @param queueCapacity blobs that reads found damaged waiting for heal; beyond it, the next
 *     pass finds them ({@code erasure.heal-queue})
 */
public record HealConfig(long rateBytesPerSecond, Duration interval, Duration scrubInterval, Duration minAge,
                         int queueCapacity) {
    public static final long DEFAULT_RATE = 64L << 20;
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(6);
    public static final Duration DEFAULT_SCRUB_INTERVAL = Duration.ofDays(30);
    public static final Duration DEFAULT_MIN_AGE = Duration.ofMinutes(1);
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;

    public HealConfig {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(scrubInterval, "scrubInterval");
        Objects.requireNonNull(minAge, "minAge");
        if (rateBytesPerSecond < 0) throw new IllegalArgumentException("erasure.heal-rate must be >= 0: " + rateBytesPerSecond);
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("erasure.heal-interval must be > 0: " + interval);
        if (scrubInterval.isNegative()) throw new IllegalArgumentException("erasure.scrub-interval must be >= 0: " + scrubInterval);
        if (minAge.isNegative()) throw new IllegalArgumentException("erasure.heal-min-age must be >= 0: " + minAge);
        if (queueCapacity < 1) throw new IllegalArgumentException("erasure.heal-queue must be >= 1: " + queueCapacity);
    }

    /** The defaults listed in the configuration reference. */
    public static HealConfig defaults() {
        return new HealConfig(DEFAULT_RATE, DEFAULT_INTERVAL, DEFAULT_SCRUB_INTERVAL, DEFAULT_MIN_AGE, DEFAULT_QUEUE_CAPACITY);
    }
}
