package io.strata.erasure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One heal of one blob: finds its missing, foreign or (when verifying) corrupt shards, rebuilds
 * them stripe by stripe from {@code k} sound shards, writes each under a temporary name in the
 * drive's {@code tmp/}, fsyncs, renames it into place (replacing a corrupt file) and fsyncs the
 * directory. A surviving shard found corrupt during the rebuild joins the rebuilt set and the
 * rebuild starts over (at most once per shard). Memory: one stripe of buffers. Used once, by one
 * thread; the store guarantees one heal per blob at a time.
 *
 * <p>Racing a delete of the same blob may leave rebuilt shards behind; the heal removes them when
 * it finds no original shard left afterwards, and the orphan collector removes the rest.
 */
final class BlobHealer {
    private static final Logger LOG = LoggerFactory.getLogger(BlobHealer.class);

    private final DriveErasureStore store;
    private final ErasureBlobLocation location;
    private final boolean verify;
    private final RateLimiter limiter;
    private final int total;
    private final int k;
    private final FileChannel[] channels;
    private final long[] dataOffsets;
    private final boolean[] bad;
    private final boolean[] unreachable;
    private final Path[] temps;
    private final FileChannel[] outputs;
    /** Shards read from a segment's shared channel (never closed here). */
    private final boolean[] shared;
    /** Shards with a live segment record, sound or not: a rebuilt file replaces it, so it is deleted. */
    private final boolean[] liveRecord;
    private BlobOwner owner = BlobOwner.UNKNOWN;
    private long outputOffset;
    private int corruptBlocks;
    private long bytesRead;
    private long bytesWritten;

    BlobHealer(DriveErasureStore store, ErasureBlobLocation location, boolean verify, RateLimiter limiter) {
        this.store = store;
        this.location = location;
        this.verify = verify;
        this.limiter = limiter;
        this.total = location.totalShards();
        this.k = location.dataShards();
        this.channels = new FileChannel[total];
        this.dataOffsets = new long[total];
        this.bad = new boolean[total];
        this.unreachable = new boolean[total];
        this.temps = new Path[total];
        this.outputs = new FileChannel[total];
        this.shared = new boolean[total];
        this.liveRecord = new boolean[total];
    }

    HealResult run() throws InterruptedException {
        try {
            return heal();
        } finally {
            for (int shard = 0; shard < total; shard++) {
                if (!shared[shard]) close(channels[shard]);
                discardTemp(shard);
            }
        }
    }

    private HealResult heal() throws InterruptedException {
        String id = location.id();
        if (location.size() == 0) return result(HealResult.Outcome.HEALTHY, 0);
        int present = 0;
        for (int shard = 0; shard < total; shard++) {
            if (open(shard)) present++;
        }
        if (present == 0 && Arrays.equals(unreachable, new boolean[total])) return result(HealResult.Outcome.GONE, 0);
        if (verify) {
            for (int shard = 0; shard < total; shard++) {
                if (!bad[shard] && !unreachable[shard]) verifyShard(shard);
            }
        }
        for (int attempt = 0; attempt <= total; attempt++) {
            if (good() < k) {
                LOG.error("heal: blob {} has {} sound shards of {}, needs {}: cannot rebuild", id, good(), total, k);
                return result(HealResult.Outcome.LOST, 0);
            }
            int[] targets = targets();
            if (targets.length == 0) {
                boolean partial = anyBadUnreachable();
                return result(partial ? HealResult.Outcome.PARTIAL : HealResult.Outcome.HEALTHY, 0);
            }
            if (rebuild(targets)) {
                if (!stillExists()) {
                    for (int shard : targets) deleteQuietly(store.drive(location.drive(shard)).shardPath(location.blobId(), shard));
                    return result(HealResult.Outcome.GONE, 0);
                }
                LOG.warn("healed blob {}: rebuilt shards {}", id, Arrays.toString(targets));
                return result(anyBadUnreachable() ? HealResult.Outcome.PARTIAL : HealResult.Outcome.HEALED, targets.length);
            }
            // a surviving shard turned out corrupt: it is a target now; start over
            for (int shard : targets) discardTemp(shard);
        }
        return result(HealResult.Outcome.LOST, 0);
    }

    private HealResult result(HealResult.Outcome outcome, int rebuilt) {
        return new HealResult(location.id(), outcome, rebuilt, corruptBlocks, bytesRead, bytesWritten);
    }

    private int good() {
        int good = 0;
        for (int shard = 0; shard < total; shard++) if (!bad[shard] && !unreachable[shard]) good++;
        return good;
    }

    /** Bad shards whose drive can take a rebuilt file now. */
    private int[] targets() {
        return java.util.stream.IntStream.range(0, total).filter(s -> bad[s] && !unreachable[s]).toArray();
    }

    private boolean anyBadUnreachable() {
        for (int shard = 0; shard < total; shard++) if (unreachable[shard]) return true;
        return false;
    }

    /** Opens the shard and checks its header; false when it is missing, foreign or its drive is out of service. */
    private boolean open(int shard) {
        int driveIndex = location.drive(shard);
        Drive drive = store.drive(driveIndex);
        if (drive == null || !store.usable(driveIndex)) {
            unreachable[shard] = true;
            return false;
        }
        try {
            SegmentRef ref = location.segmentRef(shard);
            if (ref != null) {
                // A segment blob's shard is its record, or a shard file an earlier heal wrote.
                DriveSegments segments = store.segments(driveIndex);
                liveRecord[shard] = segments.isLive(ref);
                DriveSegments.Opened record = segments.open(ref, location, shard);
                if (record != null) {
                    channels[shard] = record.channel();
                    shared[shard] = true;
                    dataOffsets[shard] = record.dataOffset();
                    if (owner.equals(BlobOwner.UNKNOWN)) owner = record.header().owner();
                    return true;
                }
            }
            FileChannel channel = FileChannel.open(drive.shardPath(location.blobId(), shard), StandardOpenOption.READ);
            channels[shard] = channel;
            ShardHeader header = ShardHeader.read(channel);
            if (header == null || !header.describes(location, shard)) {
                corruptBlocks++;
                LOG.warn("heal: blob {} shard {} on {} has a bad header", location.id(), shard, drive);
                markBad(shard);
                return true;
            }
            dataOffsets[shard] = header.length();
            if (header.version() == ShardHeader.VERSION_2 && owner.equals(BlobOwner.UNKNOWN)) owner = header.owner();
            return true;
        } catch (NoSuchFileException e) {
            store.checkLayout(driveIndex);
            bad[shard] = true;
            if (!store.usable(driveIndex)) unreachable[shard] = true;
            return false;
        } catch (IOException e) {
            store.driveError(driveIndex, e);
            markBad(shard);
            unreachable[shard] = true;
            return false;
        }
    }

    private void markBad(int shard) {
        bad[shard] = true;
        if (!shared[shard]) close(channels[shard]);
        shared[shard] = false;
        channels[shard] = null;
    }

    /** Reads and checks every block of a shard (scrub); marks it bad at the first failure. */
    private void verifyShard(int shard) throws InterruptedException {
        byte[] block = store.buffers().take(location.shardBlockLength(0) + ShardHeader.CRC_BYTES);
        try {
            for (long stripe = 0; stripe < location.stripeCount(); stripe++) {
                int length = location.shardBlockLength(stripe);
                String failure = readBlock(shard, stripe, block, length);
                if (failure != null) {
                    corruptBlocks++;
                    LOG.warn("bitrot mismatch: blob {} shard {} on {}: {}", location.id(), shard,
                            store.drive(location.drive(shard)), failure);
                    markBad(shard);
                    return;
                }
            }
        } finally {
            store.buffers().give(block);
        }
    }

    /** One verified block into {@code block}; null when sound, else why not. Charges the rate limit. */
    private String readBlock(int shard, long stripe, byte[] block, int length) throws InterruptedException {
        limiter.acquire(length + ShardHeader.CRC_BYTES);
        ByteBuffer buffer = ByteBuffer.wrap(block, 0, length + ShardHeader.CRC_BYTES);
        long at = dataOffsets[shard] + stripe * ((long) location.blockSize() + ShardHeader.CRC_BYTES);
        try {
            while (buffer.hasRemaining()) {
                int n = channels[shard].read(buffer, at + buffer.position());
                if (n < 0) return "short file in stripe " + stripe;
                bytesRead += n;
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException("heal interrupted");
            store.driveError(location.drive(shard), e);
            unreachable[shard] = true;
            return e.toString();
        }
        CRC32C crc = new CRC32C();
        crc.update(block, 0, length);
        return (int) crc.getValue() == buffer.getInt(length) ? null : "checksum mismatch in stripe " + stripe;
    }

    /** Rebuilds {@code targets}; false when a source shard failed and the rebuild must start over. */
    private boolean rebuild(int[] targets) throws InterruptedException {
        ReedSolomon code = ReedSolomon.of(k, location.parityShards());
        int bufferLength = location.shardBlockLength(0) + ShardHeader.CRC_BYTES;
        byte[][] blocks = new byte[total][];
        try {
            for (int shard = 0; shard < total; shard++) blocks[shard] = store.buffers().take(bufferLength);
            for (int shard : targets) createTemp(shard);
            boolean[] loaded = new boolean[total];
            for (long stripe = 0; stripe < location.stripeCount(); stripe++) {
                int length = location.shardBlockLength(stripe);
                Arrays.fill(loaded, false);
                int have = 0;
                for (int shard = 0; shard < total && have < k; shard++) {
                    if (bad[shard] || unreachable[shard]) continue;
                    String failure = readBlock(shard, stripe, blocks[shard], length);
                    if (failure != null) {
                        if (!unreachable[shard]) {
                            corruptBlocks++;
                            LOG.warn("bitrot mismatch: blob {} shard {} on {}: {}", location.id(), shard,
                                    store.drive(location.drive(shard)), failure);
                        }
                        markBad(shard);
                        return false;
                    }
                    loaded[shard] = true;
                    have++;
                }
                code.reconstructAll(blocks, loaded, length);
                for (int shard : targets) writeBlock(shard, stripe, blocks[shard], length);
            }
            for (int shard : targets) commit(shard);
            return true;
        } catch (IOException e) {
            throw new ErasureException(ErasureException.Reason.IO, "heal of blob " + location.id() + " failed", e);
        } finally {
            for (byte[] block : blocks) if (block != null) store.buffers().give(block);
        }
    }

    private void createTemp(int shard) throws IOException {
        Drive drive = store.drive(location.drive(shard));
        Path temp = drive.tmpDir().resolve(location.id() + "." + shard + ".heal");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            temps[shard] = temp;
            outputs[shard] = channel;
            ShardHeader header = ShardHeader.of(location, shard, owner);
            outputOffset = header.length(); // the same for every shard of the blob
            ByteBuffer bytes = ByteBuffer.wrap(header.encode());
            while (bytes.hasRemaining()) channel.write(bytes, bytes.position());
            bytesWritten += header.length();
        } catch (IOException e) {
            store.driveError(location.drive(shard), e);
            throw e;
        }
    }

    private void writeBlock(int shard, long stripe, byte[] block, int length) throws IOException, InterruptedException {
        limiter.acquire(length + ShardHeader.CRC_BYTES);
        CRC32C crc = new CRC32C();
        crc.update(block, 0, length);
        ByteBuffer buffer = ByteBuffer.wrap(block, 0, length + ShardHeader.CRC_BYTES);
        buffer.putInt(length, (int) crc.getValue());
        long at = outputOffset + stripe * ((long) location.blockSize() + ShardHeader.CRC_BYTES);
        try {
            while (buffer.hasRemaining()) at += outputs[shard].write(buffer, at);
        } catch (IOException e) {
            store.driveError(location.drive(shard), e);
            throw e;
        }
        bytesWritten += length + ShardHeader.CRC_BYTES;
    }

    private void commit(int shard) throws IOException {
        Drive drive = store.drive(location.drive(shard));
        try {
            outputs[shard].force(true);
            drive.countFsync();
            outputs[shard].close();
            outputs[shard] = null;
            Path dir = drive.ensureShardDir(location.blobId());
            Files.move(temps[shard], drive.shardPath(location.blobId(), shard), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            temps[shard] = null;
            Drive.fsyncDirectory(dir);
            drive.countFsync();
            // Reads take a live record before the file: a corrupt one must go once its
            // replacement is durable (a crash between leaves both; the next scrub repeats this).
            SegmentRef ref = location.segmentRef(shard);
            if (ref != null && liveRecord[shard]) store.segments(location.drive(shard)).delete(location.blobId(), shard, ref);
        } catch (IOException e) {
            store.driveError(location.drive(shard), e);
            throw e;
        }
    }

    /** Whether any shard file this heal did not write still exists (the blob was not deleted meanwhile). */
    private boolean stillExists() {
        for (int shard = 0; shard < total; shard++) {
            if (bad[shard] || unreachable[shard]) continue;
            if (Files.exists(store.drive(location.drive(shard)).shardPath(location.blobId(), shard))) return true;
            SegmentRef ref = location.segmentRef(shard);
            DriveSegments segments = store.openSegments(location.drive(shard));
            if (ref != null && segments != null && segments.isLive(ref)) return true;
        }
        return false;
    }

    private void discardTemp(int shard) {
        close(outputs[shard]);
        outputs[shard] = null;
        if (temps[shard] != null) deleteQuietly(temps[shard]);
        temps[shard] = null;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", path, e.toString());
        }
    }

    private static void close(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read channels, or a temp file about to be deleted: nothing to lose
        }
    }
}
