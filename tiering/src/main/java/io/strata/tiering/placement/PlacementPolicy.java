package io.strata.tiering.placement;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Objective-based placement settings ({@code placement.*}): promotion of cold versions on access,
 * and watermark eviction of the least recently used hot versions. Immutable.
 *
 * @param promoteAfterReads cold reads within {@code promoteWindow} that move a version hot; 0 disables
 * @param promoteWindow     the window those reads are counted in
 * @param highWatermark     used fraction of the hot tier above which eviction starts (0 < low < high <= 1)
 * @param lowWatermark      used fraction eviction brings the hot tier under
 * @param keepHotWindow     versions accessed within this window are never evicted
 * @param hotCapacity       the hot tier's capacity in bytes of object data, or empty to measure the drives
 * @param evictionTier      the tier evicted versions go to, or empty for the first configured tier
 * @param trackedVersions   at most this many versions' access times and read counts are remembered
 */
public record PlacementPolicy(int promoteAfterReads, Duration promoteWindow, double highWatermark, double lowWatermark,
                              Duration keepHotWindow, OptionalLong hotCapacity, Optional<String> evictionTier,
                              int trackedVersions) {
    public static final int DEFAULT_PROMOTE_AFTER_READS = 2;
    public static final Duration DEFAULT_PROMOTE_WINDOW = Duration.ofHours(1);
    public static final double DEFAULT_HIGH_WATERMARK = 0.90;
    public static final double DEFAULT_LOW_WATERMARK = 0.75;
    public static final Duration DEFAULT_KEEP_HOT_WINDOW = Duration.ofHours(1);
    public static final int DEFAULT_TRACKED_VERSIONS = 100_000;

    /** @throws IllegalArgumentException naming the key ({@code placement.xxx}) at fault first */
    public PlacementPolicy {
        if (promoteAfterReads < 0) throw new IllegalArgumentException("placement.promote-after-reads must be >= 0");
        if (promoteWindow.isNegative() || promoteWindow.isZero()) {
            throw new IllegalArgumentException("placement.promote-window must be positive");
        }
        if (!(highWatermark > 0 && highWatermark <= 1)) {
            throw new IllegalArgumentException("placement.high-watermark must be in (0, 1]");
        }
        if (!(lowWatermark >= 0 && lowWatermark < highWatermark)) {
            throw new IllegalArgumentException("placement.low-watermark must be in [0, high-watermark)");
        }
        if (keepHotWindow.isNegative()) throw new IllegalArgumentException("placement.keep-hot-window must be >= 0");
        if (hotCapacity.isPresent() && hotCapacity.getAsLong() <= 0) {
            throw new IllegalArgumentException("placement.hot-capacity must be positive");
        }
        if (trackedVersions < 1) throw new IllegalArgumentException("placement.tracked-versions must be >= 1");
    }

    public static PlacementPolicy defaults() {
        return new PlacementPolicy(DEFAULT_PROMOTE_AFTER_READS, DEFAULT_PROMOTE_WINDOW, DEFAULT_HIGH_WATERMARK,
                DEFAULT_LOW_WATERMARK, DEFAULT_KEEP_HOT_WINDOW, OptionalLong.empty(), Optional.empty(),
                DEFAULT_TRACKED_VERSIONS);
    }

    /** True if {@code used} of {@code capacity} bytes is above the high watermark. */
    public boolean overHighWatermark(long used, long capacity) {
        return capacity > 0 && used > highWatermark * capacity;
    }

    /** Bytes to move out so that {@code used} falls under the low watermark (0 if already under). */
    public long bytesToFree(long used, long capacity) {
        return Math.max(0, used - (long) Math.floor(lowWatermark * capacity));
    }
}
