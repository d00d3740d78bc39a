package io.strata.gateway.config;

import java.time.Duration;

/**
 * How the background segment compaction runs.
 *
 * @param interval  time between two passes ({@code erasure.compaction-interval}; default {@link #DEFAULT_INTERVAL})
 * @param threshold a sealed segment is compacted once at least this fraction of its record bytes is dead
 *                  ({@code erasure.compaction-threshold}, 0 exclusive to 1; default {@value #DEFAULT_THRESHOLD}):
 *                  each pass rewrites about {@code 1 - threshold} of a segment to free the rest
 * @param rate      the most bytes per second a pass reads and rewrites ({@code erasure.compaction-rate}; default
 *                  {@link #DEFAULT_RATE}, 0 unlimited), so foreground requests keep the drives
 */
public record CompactionSettings(Duration interval, double threshold, long rate) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final long DEFAULT_RATE = 32L << 20;
    public static final CompactionSettings DEFAULT = new CompactionSettings(DEFAULT_INTERVAL, DEFAULT_THRESHOLD, DEFAULT_RATE);

    public CompactionSettings {
        if (interval.isNegative() || interval.isZero()) {
            throw new StrataConfig.ConfigException("erasure.compaction-interval", "must be positive, got " + interval);
        }
        // 0 would rewrite every sealed segment, live ones included, forever: nothing to reclaim there.
        if (!(threshold > 0 && threshold <= 1)) {
            throw new StrataConfig.ConfigException("erasure.compaction-threshold", "must be more than 0 and at most 1, got "
                    + threshold);
        }
        if (rate < 0) throw new StrataConfig.ConfigException("erasure.compaction-rate", "must not be negative, got " + rate);
    }
}
