package io.strata.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * Snapshot exports ({@code snapshots.*}): the repositories of the configuration file and how hard an
 * export works.
 *
 * @param repositories      the configuration file's repositories ({@code snapshots.repositories.NAME});
 *                          when it names none, the embedded default: a local directory repository
 *                          {@value SnapshotRepoSpec#DEFAULT_NAME} at {@code DATA_DIR/snapshots}
 * @param parallelUploads   data objects one export uploads at once ({@code snapshots.parallel-uploads})
 * @param maxRunningExports exports running at once ({@code snapshots.max-running-exports}); more are refused
 *                          with 503 SlowDown, and exports resumed after a failure wait for a free slot
 * @param attachCacheBytes  the disk the attached snapshots' cache of range files and data may use
 *                          ({@code snapshots.attach-cache-bytes}, default 10 GiB)
 * @param exportRetryAfter  how long a failed export waits before it is retried
 *                          ({@code snapshots.export-retry-after}, default 1 minute, 1 s to 1 day)
 * @param hydrateParallelism versions one restore's hydration copies at once ({@code snapshots.hydrate-parallelism})
 */
public record SnapshotConfig(List<SnapshotRepoSpec> repositories, int parallelUploads, int maxRunningExports,
                             long attachCacheBytes, Duration exportRetryAfter, int hydrateParallelism) {
    public static final Duration DEFAULT_EXPORT_RETRY_AFTER = Duration.ofMinutes(1);
    public static final int DEFAULT_HYDRATE_PARALLELISM = 4;
    public static final int MAX_HYDRATE_PARALLELISM = 256;
    public static final long DEFAULT_ATTACH_CACHE_BYTES = 10L << 30;
    public static final int DEFAULT_PARALLEL_UPLOADS = 4;
    public static final int MAX_PARALLEL_UPLOADS = 256;
    public static final int DEFAULT_MAX_RUNNING_EXPORTS = 2;
    public static final int MAX_RUNNING_EXPORTS = 64;

    public SnapshotConfig {
        repositories = List.copyOf(repositories);
        if (attachCacheBytes <= 0) {
            throw new StrataConfig.ConfigException("snapshots.attach-cache-bytes", "must be positive, got " + attachCacheBytes);
        }
        if (parallelUploads < 1 || parallelUploads > MAX_PARALLEL_UPLOADS) {
            throw new StrataConfig.ConfigException("snapshots.parallel-uploads", "must be 1.." + MAX_PARALLEL_UPLOADS
                    + ", got " + parallelUploads);
        }
        if (exportRetryAfter.compareTo(Duration.ofSeconds(1)) < 0 || exportRetryAfter.compareTo(Duration.ofDays(1)) > 0) {
            throw new StrataConfig.ConfigException("snapshots.export-retry-after", "must be 1s..1d, got " + exportRetryAfter);
        }
        if (hydrateParallelism < 1 || hydrateParallelism > MAX_HYDRATE_PARALLELISM) {
            throw new StrataConfig.ConfigException("snapshots.hydrate-parallelism", "must be 1.." + MAX_HYDRATE_PARALLELISM
                    + ", got " + hydrateParallelism);
        }
        if (maxRunningExports < 1 || maxRunningExports > MAX_RUNNING_EXPORTS) {
            throw new StrataConfig.ConfigException("snapshots.max-running-exports", "must be 1.." + MAX_RUNNING_EXPORTS
                    + ", got " + maxRunningExports);
        }
    }
}
