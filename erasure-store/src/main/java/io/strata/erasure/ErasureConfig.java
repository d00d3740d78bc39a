package io.strata.erasure;

import java.nio.file.Path;
import java.util.List;

/**
 * How the hot tier codes data: {@code dataShards + parityShards} shards per stripe, one per drive
 * directory, each shard block {@code blockSize} bytes. With more drives than shards, each blob
 * uses {@code dataShards + parityShards} of them, rotating with the blob id. An immutable value,
 * validated on construction ({@link IllegalArgumentException} naming the bad key). A blob keeps
 * the code it was written with, so these values may change between runs; the drive list may grow
 * but must keep its order (locations refer to drives by index).
 */
public record ErasureConfig(List<Path> drives, int dataShards, int parityShards, int blockSize) {
    public static final int DEFAULT_DATA_SHARDS = 4;
    public static final int DEFAULT_PARITY_SHARDS = 2;
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;

    public ErasureConfig {
        drives = List.copyOf(drives);
        if (dataShards < 1) throw new IllegalArgumentException("data-shards must be >= 1: " + dataShards);
        if (parityShards < 0) throw new IllegalArgumentException("parity-shards must be >= 0: " + parityShards);
        if (dataShards + parityShards > 256) throw new IllegalArgumentException("data-shards + parity-shards must be <= 256");
        if (drives.size() < dataShards + parityShards) {
            throw new IllegalArgumentException("need at least " + (dataShards + parityShards) + " drives, got " + drives.size());
        }
        if (blockSize < 4096 || blockSize > (64 << 20)) {
            throw new IllegalArgumentException("block-size must be between 4KiB and 64MiB: " + blockSize);
        }
    }
}
