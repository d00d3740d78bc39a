package io.strata.erasure;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One segment file of small shards on one drive, as {@link ErasureStore#segments()} reports it for
 * compaction: how many of its bytes are live records and how many deleted ones. An immutable
 * snapshot.
 *
 * @param drive the drive's index in {@link ErasureConfig#drives()}
 * @param root the drive directory
 * @param segment the segment's id (16 hex characters, its file name without {@code .seg})
 * @param sealed whether it takes no more appends (only a sealed segment is deleted once all dead)
 * @param liveBytes bytes of live records (shards, and tombstones still hiding a record)
 * @param deadBytes bytes of deleted records: reclaimed when every record in it is dead
 */
public record SegmentUsage(int drive, Path root, String segment, boolean sealed, long liveBytes, long deadBytes) {
    public SegmentUsage {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(segment, "segment");
        if (liveBytes < 0 || deadBytes < 0) throw new IllegalArgumentException("negative bytes");
    }

    /** Dead bytes over all bytes of records (0 for a segment without records). */
    public double deadFraction() {
        long total = liveBytes + deadBytes;
        return total == 0 ? 0 : (double) deadBytes / total;
    }
}
