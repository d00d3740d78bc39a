package io.strata.gateway.config;

import java.time.Duration;

/**
 * How the replication worker runs.
 *
 * @param interval   how often an idle worker looks for new changes ({@code replication.interval},
 *                   {@code STRATA_REPLICATION_INTERVAL}; default {@link #DEFAULT_INTERVAL}): the longest a new
 *                   version waits before it is PENDING and on its way
 * @param maxBackoff the longest wait before a transient failure is retried ({@code replication.max-backoff},
 *                   {@code STRATA_REPLICATION_MAX_BACKOFF}; default {@link #DEFAULT_MAX_BACKOFF}); retries
 *                   start at 500 ms and double
 */
public record ReplicationSettings(Duration interval, Duration maxBackoff) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final ReplicationSettings DEFAULT = new ReplicationSettings(DEFAULT_INTERVAL, DEFAULT_MAX_BACKOFF);

    public ReplicationSettings {
        if (interval.isNegative() || interval.isZero()) {
            throw new StrataConfig.ConfigException("replication.interval", "must be positive, got " + interval);
        }
        if (maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new StrataConfig.ConfigException("replication.max-backoff", "must be positive, got " + maxBackoff);
        }
    }
}
