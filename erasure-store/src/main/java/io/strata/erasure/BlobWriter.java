package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blob write: streams the source through two alternating stripes of {@code k+m} block
 * buffers, fanning each stripe's blocks out to the drives on virtual threads, then fsyncs and
 * renames the shard files into place. Used once, by one thread.
 *
 * <p>The stripes form a two-stage pipeline: while stripe {@code s}'s blocks are being written,
 * the caller reads and codes stripe {@code s+1} into the other set of buffers, then waits for
 * stripe {@code s}'s writes before it hands out stripe {@code s+1}. So at most one block write
 * per shard is in flight, a buffer set is refilled only after every write from it finished, the
 * fan-out tasks touch only their own shard's slot, and memory stays at two stripes. A shard
 * failing in stripe {@code s} is noticed (and the quorum checked) one stripe later than a strictly
 * serial writer would, before anything is committed.
 *
 * <p>Every exit except success removes what this write created (temp files, and shard files
 * already renamed when the quorum is lost at the very end), after every task has finished.
 */
final class BlobWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BlobWriter.class);

    @FunctionalInterface
    private interface ShardTask {
        void run(int shard) throws IOException;
    }

    private final ErasureBlobLocation location;
    private final BlobOwner owner;
    private final long dataOffset;
    private final StripeSource source;
    private final ReedSolomon code;
    private final DriveErasureStore.BlockWriteHook hook;
    private final long writeBackBytes;
    private final BufferPool buffers;
    private final int total;
    private final int quorum;
    private final DriveErasureStore store;
    private final Drive[] drives;
    private final FileChannel[] channels;
    private final Path[] tempPaths;
    private final Path[] finalPaths;
    private final Throwable[] failures;
    private final CRC32C[] crcs;
    /** Bytes written to each shard file since its last write-back; each slot touched by its shard's task only. */
    private final long[] unflushed;
    /** The two stripe buffer sets; the second is taken only for blobs of more than one stripe. */
    private final byte[][][] stripeBuffers = new byte[2][][];

    BlobWriter(DriveErasureStore store, ErasureBlobLocation location, BlobOwner owner, InputStream data) {
        this.store = store;
        this.location = location;
        this.owner = owner;
        this.dataOffset = ShardHeader.of(location, 0, owner).length(); // the same for every shard
        this.source = new StripeSource(data, location.size());
        this.hook = store.blockWriteHook();
        this.writeBackBytes = store.writeBackBytes();
        this.buffers = store.buffers();
        this.code = ReedSolomon.of(location.dataShards(), location.parityShards());
        this.total = location.totalShards();
        // One shard beyond k lets a write survive a drive failing mid-write and still be readable
        // after one more loss; with no parity every shard is needed.
        this.quorum = location.parityShards() == 0 ? location.dataShards() : location.dataShards() + 1;
        this.drives = new Drive[total];
        for (int i = 0; i < total; i++) drives[i] = store.drive(location.drive(i));
        this.channels = new FileChannel[total];
        this.tempPaths = new Path[total];
        this.finalPaths = new Path[total];
        this.failures = new Throwable[total];
        this.crcs = new CRC32C[total];
        this.unflushed = new long[total];
        // Drives known to be out of service are not even tried: their shards are missing from the
        // start, and heal writes them once the drive is back.
        for (int i = 0; i < total; i++) {
            if (drives[i] == null || !store.usable(location.drive(i))) {
                failures[i] = new IOException("drive #" + location.drive(i) + " is out of service");
            }
        }
    }

    ErasureBlobLocation write() {
        if (location.size() == 0) {
            source.expectEnd();
            return location;
        }
        checkQuorum(); // before a byte is read: too few drives in service fails cleanly and at once
        boolean done = false;
        try {
            // Closing the executor waits for every task, even after an interrupt, so nothing
            // touches the buffers or files once this block is left.
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                stream(executor);
            }
            done = true;
            return location;
        } finally {
            if (!done) abort();
            for (int set = 0; set < stripeBuffers.length; set++) {
                if (stripeBuffers[set] == null) continue;
                for (byte[] block : stripeBuffers[set]) buffers.give(block);
                stripeBuffers[set] = null;
            }
        }
    }

    private void stream(ExecutorService executor) {
        int blockSize = location.blockSize();
        // The first stripe is the largest; a small blob gets small buffers.
        int bufferLength = location.shardBlockLength(0) + ShardHeader.CRC_BYTES;
        long stripes = location.stripeCount();
        List<Future<?>> pending = List.of();
        for (long stripe = 0; stripe < stripes; stripe++) {
            byte[][] shards = stripeBuffers(stripe, bufferLength);
            int length = location.shardBlockLength(stripe);
            // Reading and coding this stripe overlaps the writes of the previous one, which use
            // the other buffer set.
            source.fill(shards, location.dataShards(), location.stripeLength(stripe), length);
            code.encode(shards, length);
            await(pending); // the shards' channels are free again, and so are the other buffers
            long position = dataOffset + stripe * ((long) blockSize + ShardHeader.CRC_BYTES);
            long s = stripe;
            boolean last = stripe == stripes - 1;
            pending = submit(executor, shard -> {
                hook.beforeBlockWrite(location.drive(shard), shard, s);
                writeBlock(shard, shards[shard], position, length);
                if (!last) writeBackEarly(shard, length);
            }, 0, total);
        }
        await(pending);
        source.expectEnd();
        fanOut(executor, this::commit);
    }

    /** The buffer set for {@code stripe}, taken from the pool on first use. */
    private byte[][] stripeBuffers(long stripe, int bufferLength) {
        int set = (int) (stripe & 1);
        if (stripeBuffers[set] == null) {
            byte[][] shards = new byte[total][];
            stripeBuffers[set] = shards; // registered first: a failing take still returns the others
            for (int i = 0; i < total; i++) shards[i] = buffers.take(bufferLength);
        }
        return stripeBuffers[set];
    }

    private void writeBlock(int shard, byte[] block, long position, int length) throws IOException {
        FileChannel channel = channels[shard];
        if (channel == null) channel = create(shard);
        CRC32C crc = crcs[shard];
        crc.reset();
        crc.update(block, 0, length);
        ByteBuffer buffer = ByteBuffer.wrap(block, 0, length + ShardHeader.CRC_BYTES);
        buffer.putInt(length, (int) crc.getValue());
        long at = position;
        while (buffer.hasRemaining()) at += channel.write(buffer, at);
    }

    /**
     * Every {@link DriveErasureStore#writeBackBytes()} written to a shard file, its dirty pages go
     * to the disk now ({@code fdatasync}), while the next stripe is received and coded, so the
     * fsync at commit finds at most that much left to write: without it the whole blob's shards
     * were flushed after the last byte arrived, in series with the reply. Not after every block:
     * each fdatasync costs a journal commit, and one per 1 MiB block was 102 per 64 MiB blob.
     */
    private void writeBackEarly(int shard, int length) throws IOException {
        unflushed[shard] += length + ShardHeader.CRC_BYTES;
        if (unflushed[shard] >= writeBackBytes) {
            channels[shard].force(false);
            drive(shard).countFsync();
            unflushed[shard] = 0;
        }
    }

    private FileChannel create(int shard) throws IOException {
        Drive drive = drives[shard];
        if (drive == null) throw new IOException("drive #" + location.drive(shard) + " is not configured");
        Path temp = drive.tempPath(location.blobId(), shard);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        tempPaths[shard] = temp;
        channels[shard] = channel;
        crcs[shard] = new CRC32C();
        ByteBuffer header = ByteBuffer.wrap(ShardHeader.of(location, shard, owner).encode());
        while (header.hasRemaining()) channel.write(header, header.position());
        return channel;
    }

    private void commit(int shard) throws IOException {
        Drive drive = drives[shard];
        FileChannel channel = channels[shard];
        channel.force(true);
        drive.countFsync();
        channel.close();
        channels[shard] = null;
        Path dir = drive.ensureShardDir(location.blobId());
        Path target = dir.resolve(tempPaths[shard].getFileName());
        Files.move(tempPaths[shard], target, StandardCopyOption.ATOMIC_MOVE);
        finalPaths[shard] = target;
        tempPaths[shard] = null;
        Drive.fsyncDirectory(dir);
        drive.countFsync();
    }

    private Drive drive(int shard) {
        return drives[shard];
    }

    /** Runs {@code task} for every healthy shard in parallel and waits for all of them. */
    private void fanOut(ExecutorService executor, ShardTask task) {
        await(submit(executor, task, 0, total));
    }

    /** Starts {@code task} for the healthy shards in {@code [from, to)}; one future per shard, null if skipped. */
    private List<Future<?>> submit(ExecutorService executor, ShardTask task, int from, int to) {
        List<Future<?>> futures = new ArrayList<>(total);
        for (int shard = from; shard < to; shard++) {
            if (failures[shard] != null) {
                futures.add(null);
                continue;
            }
            int s = shard;
            futures.add(executor.submit(() -> {
                task.run(s);
                return null;
            }));
        }
        return futures;
    }

    /**
     * Waits for the futures of shards {@code 0..futures.size()-1}, marks the failed shards, and
     * enforces the write quorum.
     */
    private void await(List<Future<?>> futures) {
        for (int shard = 0; shard < futures.size(); shard++) {
            Future<?> future = futures.get(shard);
            if (future == null) continue;
            try {
                future.get();
            } catch (ExecutionException e) {
                fail(shard, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ErasureException(ErasureException.Reason.IO, "interrupted writing blob " + location.blobId(), e);
            }
        }
        checkQuorum();
    }

    private void checkQuorum() {
        int live = 0;
        for (Throwable failure : failures) if (failure == null) live++;
        if (live < quorum) {
            LOG.error("write quorum lost: blob {} landed on {} of {} drives, need {}", location.blobId(), live, total, quorum);
            throw new ErasureException(ErasureException.Reason.WRITE_QUORUM_LOST, "blob " + location.blobId()
                    + " landed on " + live + " of " + total + " drives, need " + quorum, mostCommonFailure());
        }
    }

    private void fail(int shard, Throwable cause) {
        failures[shard] = cause;
        // An interrupt closes the channel: that is the caller's doing, not the drive's.
        if (cause instanceof IOException io && !(cause instanceof java.nio.channels.ClosedByInterruptException)
                && !Thread.currentThread().isInterrupted()) {
            store.driveError(location.drive(shard), io);
        }
        LOG.warn("shard write failed: blob {} shard {} on {}: {}", location.blobId(), shard,
                drives[shard] == null ? "drive #" + location.drive(shard) : drives[shard], cause.toString());
        cleanUp(shard);
    }

    /** Below quorum, the most common error is the one worth reporting. */
    private Throwable mostCommonFailure() {
        return mostCommon(failures);
    }

    /** The most common kind among the non-null {@code failures} (the first of its kind), or null. */
    static Throwable mostCommon(Throwable[] failures) {
        Map<Class<?>, Integer> counts = new HashMap<>();
        Throwable best = null;
        int bestCount = 0;
        for (Throwable failure : failures) {
            if (failure == null) continue;
            int count = counts.merge(failure.getClass(), 1, Integer::sum);
            if (count > bestCount) {
                best = failure;
                bestCount = count;
            }
        }
        return best;
    }

    private void abort() {
        for (int shard = 0; shard < total; shard++) cleanUp(shard);
    }

    private void cleanUp(int shard) {
        FileChannel channel = channels[shard];
        channels[shard] = null;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing shard {} of blob {} failed", shard, location.blobId(), e);
            }
        }
        deleteQuietly(tempPaths[shard]);
        tempPaths[shard] = null;
        deleteQuietly(finalPaths[shard]);
        finalPaths[shard] = null;
    }

    private void deleteQuietly(Path path) {
        if (path == null) return;
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove {} of failed write of blob {}: {}", path, location.blobId(), e.toString());
        }
    }
}
