package io.strata.gateway.config;

import java.time.Duration;

/**
 * How the replication worker runs.
 *
 * @param interval       how often an idle worker looks for new changes ({@code replication.interval},
 *                       {@code STRATA_REPLICATION_INTERVAL}; default {@link #DEFAULT_INTERVAL}): the longest a new
 *                       version waits before it is PENDING and on its way
 * @param maxBackoff     the longest wait before a transient failure is retried ({@code replication.max-backoff},
 *                       {@code STRATA_REPLICATION_MAX_BACKOFF}; default {@link #DEFAULT_MAX_BACKOFF}); retries
 *                       start at 500 ms and double
 * @param backlogBudget  operations a target's queue may hold ({@code replication.backlog-budget},
 *                       {@code STRATA_REPLICATION_BACKLOG_BUDGET}; default {@link #DEFAULT_BACKLOG_BUDGET}): at it,
 *                       the target stops taking changes from the log and is RESYNC_REQUIRED, so a target down
 *                       for days cannot fill the source's disk with its queue
 * @param parallelism    the most sends in flight to one target ({@code replication.parallelism},
 *                       {@code STRATA_REPLICATION_PARALLELISM}; default {@value #DEFAULT_PARALLELISM}, 1 to
 *                       {@value #MAX_PARALLELISM}); a key never has two at once
 * @param resyncPageSize source versions a resync compares with the target per recorded page
 *                       ({@code replication.resync-page-size}; default {@link #DEFAULT_RESYNC_PAGE_SIZE}, at most
 *                       1000, ListObjectsV2's page): what a crash redoes
 */
public record ReplicationSettings(Duration interval, Duration maxBackoff, long backlogBudget, int resyncPageSize,
                                  int parallelism) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final long DEFAULT_BACKLOG_BUDGET = 1_000_000;
    public static final int DEFAULT_RESYNC_PAGE_SIZE = 1000;
    /**
     * One send of a small object mostly waits for the target's round trip and fsync: eight in flight let
     * 1 MiB objects keep up with a source's PUTs, and each holds one streaming request, not the object.
     */
    public static final int DEFAULT_PARALLELISM = 8;
    public static final int MAX_PARALLELISM = 64;
    public static final ReplicationSettings DEFAULT = new ReplicationSettings(DEFAULT_INTERVAL, DEFAULT_MAX_BACKOFF);

    public ReplicationSettings {
        if (interval.isNegative() || interval.isZero()) {
            throw new StrataConfig.ConfigException("replication.interval", "must be positive, got " + interval);
        }
        if (maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new StrataConfig.ConfigException("replication.max-backoff", "must be positive, got " + maxBackoff);
        }
        if (backlogBudget < 1) {
            throw new StrataConfig.ConfigException("replication.backlog-budget", "must be at least 1, got " + backlogBudget);
        }
        if (resyncPageSize < 1 || resyncPageSize > 1000) {
            throw new StrataConfig.ConfigException("replication.resync-page-size", "must be 1..1000, got " + resyncPageSize);
        }
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new StrataConfig.ConfigException("replication.parallelism", "must be 1.." + MAX_PARALLELISM + ", got "
                    + parallelism);
        }
    }

    /** The pace given, with the default backlog budget, resync page and parallelism. */
    public ReplicationSettings(Duration interval, Duration maxBackoff) {
        this(interval, maxBackoff, DEFAULT_BACKLOG_BUDGET, DEFAULT_RESYNC_PAGE_SIZE, DEFAULT_PARALLELISM);
    }
}
