package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One write of a small blob (each shard at most {@link ErasureConfig#segmentShardMax()} bytes of
 * data) into segment records: the whole blob is read and coded first (memory: {@code k+m} shards,
 * bounded by the threshold), then each shard is appended as one record to a segment of its drive,
 * on one virtual thread per shard, and the write returns once the group commit has synced every
 * record that landed. No file is created, renamed or directory-synced per blob.
 *
 * <p>The quorum rules are those of {@link BlobWriter}: at least {@code k + 1} shards ({@code k}
 * without parity). Below it, the records that did land are deleted (tombstoned) and the write
 * fails; a crash leaves unreferenced records, garbage for the orphan collector. Used once, by one
 * thread.
 */
final class SegmentBlobWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentBlobWriter.class);

    private final DriveErasureStore store;
    private final ErasureBlobLocation location;
    private final BlobOwner owner;
    private final StripeSource source;
    private final int total;
    private final int quorum;
    private final Throwable[] failures;
    private final SegmentRef[] refs;

    SegmentBlobWriter(DriveErasureStore store, ErasureBlobLocation location, BlobOwner owner, InputStream data) {
        this.store = store;
        this.location = location;
        this.owner = owner;
        this.source = new StripeSource(data, location.size());
        this.total = location.totalShards();
        this.quorum = location.parityShards() == 0 ? location.dataShards() : location.dataShards() + 1;
        this.failures = new Throwable[total];
        this.refs = new SegmentRef[total];
        for (int i = 0; i < total; i++) {
            if (store.drive(location.drive(i)) == null || !store.usable(location.drive(i))) {
                failures[i] = new IOException("drive #" + location.drive(i) + " is out of service");
            }
        }
    }

    /** Bytes of data in each shard of {@code location} (CRCs not counted): what the threshold compares. */
    static long shardDataBytes(ErasureBlobLocation location) {
        long stripes = location.stripeCount();
        if (stripes == 0) return 0;
        return (stripes - 1) * location.blockSize() + location.shardBlockLength(stripes - 1);
    }

    ErasureBlobLocation write() {
        checkQuorum(); // before a byte is read
        int stripes = (int) location.stripeCount();
        int bufferLength = location.shardBlockLength(0) + ShardHeader.CRC_BYTES;
        byte[][][] blocks = new byte[stripes][][];
        try {
            ReedSolomon code = ReedSolomon.of(location.dataShards(), location.parityShards());
            CRC32C crc = new CRC32C();
            int bodyLength = 0;
            for (int s = 0; s < stripes; s++) {
                byte[][] shards = new byte[total][];
                blocks[s] = shards; // registered first: a failing take still returns the others
                for (int i = 0; i < total; i++) shards[i] = store.buffers().take(bufferLength);
                int length = location.shardBlockLength(s);
                source.fill(shards, location.dataShards(), location.stripeLength(s), length);
                code.encode(shards, length);
                for (byte[] block : shards) {
                    crc.reset();
                    crc.update(block, 0, length);
                    ByteBuffer.wrap(block).putInt(length, (int) crc.getValue());
                }
                bodyLength += length + ShardHeader.CRC_BYTES;
            }
            source.expectEnd();
            append(blocks, bodyLength);
            checkQuorumOrUndo();
            return new ErasureBlobLocation(location.blobId(), location.size(), location.dataShards(),
                    location.parityShards(), location.blockSize(), location.drives(), refs);
        } finally {
            for (byte[][] stripe : blocks) {
                if (stripe == null) continue;
                for (byte[] block : stripe) if (block != null) store.buffers().give(block);
            }
        }
    }

    private void append(byte[][][] blocks, int bodyLength) {
        long now = store.clock().millis();
        List<Future<SegmentRef>> futures = new ArrayList<>(total);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int shard = 0; shard < total; shard++) {
                if (failures[shard] != null) {
                    futures.add(null);
                    continue;
                }
                int i = shard;
                futures.add(executor.submit(() -> {
                    int driveIndex = location.drive(i);
                    store.blockWriteHook().beforeBlockWrite(driveIndex, i, 0);
                    DriveSegments segments = store.segments(driveIndex);
                    byte[] header = SegmentRecord.shard(ShardHeader.of(location, i, owner), bodyLength, now);
                    ByteBuffer[] body = new ByteBuffer[blocks.length];
                    for (int s = 0; s < blocks.length; s++) {
                        body[s] = ByteBuffer.wrap(blocks[s][i], 0, location.shardBlockLength(s) + ShardHeader.CRC_BYTES);
                    }
                    return segments.appendShard(header, body, bodyLength);
                }));
            }
            for (int shard = 0; shard < total; shard++) {
                Future<SegmentRef> future = futures.get(shard);
                if (future == null) continue;
                try {
                    refs[shard] = future.get();
                } catch (ExecutionException e) {
                    fail(shard, e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ErasureException(ErasureException.Reason.IO, "interrupted writing blob " + location.blobId(), e);
                }
            }
        }
    }

    private void fail(int shard, Throwable cause) {
        failures[shard] = cause;
        // An interrupt closes the channel: that is the caller's doing, not the drive's.
        if (cause instanceof IOException io && !(cause instanceof ClosedByInterruptException)
                && !(cause instanceof java.io.InterruptedIOException) && !Thread.currentThread().isInterrupted()) {
            store.driveError(location.drive(shard), io);
        }
        LOG.warn("shard write failed: blob {} shard {} on drive #{}: {}", location.blobId(), shard, location.drive(shard),
                cause.toString());
    }

    private int live() {
        int live = 0;
        for (Throwable failure : failures) if (failure == null) live++;
        return live;
    }

    private void checkQuorum() {
        if (live() < quorum) throw quorumLost();
    }

    /** Below quorum after the appends: the records that landed are deleted, so nothing readable is left. */
    private void checkQuorumOrUndo() {
        if (live() >= quorum) return;
        for (int shard = 0; shard < total; shard++) {
            if (refs[shard] == null) continue;
            try {
                // Never committed, so nothing refers to it: the tombstone need not be synced.
                store.segments(location.drive(shard)).free(location.blobId(), shard, refs[shard]);
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot delete shard {} of failed write of blob {}: {}", shard, location.blobId(), e.toString());
            }
        }
        throw quorumLost();
    }

    private ErasureException quorumLost() {
        LOG.error("write quorum lost: blob {} landed on {} of {} drives, need {}", location.blobId(), live(), total, quorum);
        return new ErasureException(ErasureException.Reason.WRITE_QUORUM_LOST, "blob " + location.blobId()
                + " landed on " + live() + " of " + total + " drives, need " + quorum, BlobWriter.mostCommon(failures));
    }
}
