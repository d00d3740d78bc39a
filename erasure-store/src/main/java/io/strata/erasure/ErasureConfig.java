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
 *
 * <p>{@code segmentShardMax}: blobs whose shards hold at most this many bytes of data each are
 * appended as records to a few shared segment files per drive (group-committed, no file per
 * shard); larger blobs get one shard file per drive. 0 writes every blob as shard files.
 *
 * <p>{@code concurrentWrites}: how many blob writes may run at once (the gateway passes
 * {@code server.max-uploads}). Each holds up to two stripes of {@code k+m} block buffers; the
 * store keeps that many idle once they were needed, so steady concurrent large writes allocate no
 * new buffers (a 1 MiB block buffer is a humongous object in G1). Only buffers that were in use
 * at once are ever kept, so an idle store holds what its busiest moment needed, never more.
 */
public record ErasureConfig(List<Path> drives, int dataShards, int parityShards, int blockSize, int segmentShardMax,
                            int concurrentWrites) {
    public static final int DEFAULT_DATA_SHARDS = 4;
    public static final int DEFAULT_PARITY_SHARDS = 2;
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    /** Default of {@code erasure.segment-shard-max}: shards up to 1 MiB (objects up to 4 MiB at 4+2) go to segments. */
    public static final int DEFAULT_SEGMENT_SHARD_MAX = 1 << 20;
    /** The largest {@code segmentShardMax}: a record must fit a segment file with room to spare. */
    public static final int MAX_SEGMENT_SHARD_MAX = 16 << 20;
    /** Default of {@code concurrentWrites}: the gateway's default {@code server.max-uploads}. */
    public static final int DEFAULT_CONCURRENT_WRITES = 64;

    /** Shard files only ({@code segmentShardMax} 0): the layout of stores before segments. */
    public ErasureConfig(List<Path> drives, int dataShards, int parityShards, int blockSize) {
        this(drives, dataShards, parityShards, blockSize, 0);
    }

    /** With {@link #DEFAULT_CONCURRENT_WRITES} concurrent writes. */
    public ErasureConfig(List<Path> drives, int dataShards, int parityShards, int blockSize, int segmentShardMax) {
        this(drives, dataShards, parityShards, blockSize, segmentShardMax, DEFAULT_CONCURRENT_WRITES);
    }

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
        if (segmentShardMax < 0 || segmentShardMax > MAX_SEGMENT_SHARD_MAX) {
            throw new IllegalArgumentException("segment-shard-max must be between 0 and 16MiB: " + segmentShardMax);
        }
        if (concurrentWrites < 1) throw new IllegalArgumentException("concurrent writes must be >= 1: " + concurrentWrites);
    }
}
