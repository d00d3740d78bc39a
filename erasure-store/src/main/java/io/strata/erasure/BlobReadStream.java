package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verified range of one blob, one stripe at a time. For each stripe it reads the data blocks the
 * range needs (positional reads on channels kept open for the stream's life, one virtual thread
 * per drive when several blocks are needed) and checks each block's CRC32C. A shard whose file is missing, short, or fails a check is marked bad for the rest
 * of the stream; the stripe is then completed from any {@code k} good shards and the missing data
 * blocks reconstructed. Memory: at most {@code k+m} block buffers.
 *
 * <p>Blocks are read into off-heap buffers from the store's {@link DirectBufferPool}: the kernel
 * fills them, and each verified byte is copied once, into the caller's array (a read into a heap
 * array would go through a temporary direct buffer and copy twice). A degraded stripe is decoded
 * on heap arrays, allocated on the first one, and its rebuilt blocks copied back.
 *
 * <p>Not thread-safe: one reader at a time. The caller closes it; closing releases the files and
 * hands the buffers back to the pool once no read is using them. A close from another thread (a
 * client gone) makes an in-flight read fail with IO, and is not mistaken for a failing drive.
 * Read errors surface as unchecked {@link ErasureException} (READ_QUORUM_LOST, IO).
 */
final class BlobReadStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(BlobReadStream.class);
    private final DriveErasureStore store;
    private final ErasureBlobLocation location;
    private final ReedSolomon code;
    private final int total;
    private final int dataShards;
    private final long stripeSize;
    private final int bufferLength;
    private final long end;
    private long position;

    private final FileChannel[] channels;
    private final long[] dataOffsets;
    private final boolean[] opened;
    /** Shards read from a segment's shared channel, which this stream must not close. */
    private final boolean[] shared;
    private final boolean[] bad;
    private final ByteBuffer[] blocks;
    private byte[][] decoding;   // heap copies for reconstruction, allocated on the first degraded stripe
    private final boolean[] loaded;
    /**
     * Held while the blocks are filled or copied from. A close from another thread gives them back
     * to the pool only when it can take this lock; otherwise the reader does on its way out.
     */
    private final ReentrantLock using = new ReentrantLock();
    private boolean released;
    private final byte[] single = new byte[1];
    private long stripe = -1;
    private int stripeBlockLength;
    private volatile boolean closed;

    BlobReadStream(DriveErasureStore store, ErasureBlobLocation location, long offset, long length) {
        this.store = store;
        this.location = location;
        this.code = ReedSolomon.of(location.dataShards(), location.parityShards());
        this.total = location.totalShards();
        this.dataShards = location.dataShards();
        this.stripeSize = location.stripeSize();
        this.bufferLength = location.size() == 0 ? 0 : location.shardBlockLength(0) + ShardHeader.CRC_BYTES;
        this.position = offset;
        this.end = offset + length;
        this.channels = new FileChannel[total];
        this.dataOffsets = new long[total];
        this.opened = new boolean[total];
        this.shared = new boolean[total];
        this.bad = new boolean[total];
        this.blocks = new ByteBuffer[total];
        this.loaded = new boolean[total];
    }

    /** Loads the first stripe of the range, so an unreadable blob fails before any byte is served. */
    void prefetch() {
        using.lock();
        try {
            if (closed) throw new ErasureException(ErasureException.Reason.IO, "stream of blob " + location.blobId() + " closed");
            if (position < end) load(position / stripeSize);
        } finally {
            using.unlock();
            releaseIfClosed();
        }
    }

    @Override
    public int read() throws IOException {
        int n = read(single, 0, 1);
        return n <= 0 ? -1 : single[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        using.lock();
        try {
            return readLocked(b, off, len);
        } finally {
            using.unlock();
            releaseIfClosed();
        }
    }

    private int readLocked(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        if (len == 0) return 0;
        if (position >= end) return -1;
        long current = position / stripeSize;
        if (current != stripe) load(current);
        // Serve from the loaded stripe only: a short read keeps the latency of one stripe.
        long stripeStart = current * stripeSize;
        long stripeEnd = Math.min(end, stripeStart + location.stripeLength(current));
        int copied = 0;
        while (copied < len && position < stripeEnd) {
            int inStripe = (int) (position - stripeStart);
            int block = inStripe / stripeBlockLength;
            int inBlock = inStripe % stripeBlockLength;
            int n = (int) Math.min(Math.min(len - copied, stripeBlockLength - inBlock), stripeEnd - position);
            blocks[block].get(inBlock, b, off + copied, n);
            copied += n;
            position += n;
        }
        return copied;
    }

    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        if (n <= 0) return 0;
        long skipped = Math.min(n, end - position);
        position += skipped;
        return skipped;
    }

    /** Bytes that can be served without touching a drive: what is left of the loaded stripe. */
    @Override
    public int available() throws IOException {
        ensureOpen();
        if (stripe < 0 || position >= end || position / stripeSize != stripe) return 0;
        long stripeEnd = Math.min(end, stripe * stripeSize + location.stripeLength(stripe));
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, stripeEnd - position));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int shard = 0; shard < total; shard++) closeChannel(shard);
        releaseIfClosed();
    }

    /**
     * Gives the block buffers back once closed, unless a read holds them: that reader calls this
     * again after it lets go, so whichever of the two comes last hands them back, exactly once.
     */
    private void releaseIfClosed() {
        if (!closed || !using.tryLock()) return;
        try {
            if (released) return;
            released = true;
            DirectBufferPool pool = store.readBuffers();
            for (int shard = 0; shard < total; shard++) {
                pool.give(blocks[shard]);
                blocks[shard] = null;
            }
            decoding = null;
        } finally {
            using.unlock();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException("stream closed");
    }

    /**
     * Loads the data blocks of {@code s} that overlap {@code [position, end)}, every one verified,
     * reconstructing from parity what a bad shard cannot supply.
     */
    private void load(long s) {
        stripe = -1;
        Arrays.fill(loaded, false);
        int length = location.shardBlockLength(s);
        long stripeStart = s * stripeSize;
        long from = Math.max(position, stripeStart) - stripeStart;
        long to = Math.min(end, stripeStart + location.stripeLength(s)) - stripeStart; // exclusive
        int first = (int) (from / length);
        int last = (int) ((to - 1) / length);
        int[] wanted = new int[last - first + 1];
        for (int i = 0; i < wanted.length; i++) wanted[i] = first + i;
        loadBlocks(wanted, s, length);
        for (int shard : wanted) {
            if (!loaded[shard]) {
                rebuild(s, length);
                break;
            }
        }
        stripe = s;
        stripeBlockLength = length;
    }

    private void rebuild(long s, int length) {
        while (true) {
            int good = 0;
            for (boolean l : loaded) if (l) good++;
            if (good >= dataShards) break;
            // Ask for exactly the shards still missing, in shard order; repeat if some fail too.
            int[] candidates = new int[dataShards - good];
            int count = 0;
            for (int shard = 0; shard < total && count < candidates.length; shard++) {
                if (!loaded[shard] && !bad[shard]) candidates[count++] = shard;
            }
            if (count == 0) {
                int badCount = 0;
                for (boolean b : bad) if (b) badCount++;
                LOG.error("read quorum lost: blob {} stripe {} has {} of {} shards unreadable, need {}",
                        location.blobId(), s, badCount, total, dataShards);
                throw new ErasureException(ErasureException.Reason.READ_QUORUM_LOST, "blob " + location.blobId()
                        + " stripe " + s + ": " + badCount + " of " + total + " shards unreadable, need " + dataShards);
            }
            loadBlocks(Arrays.copyOf(candidates, count), s, length);
        }
        // The coder works on arrays: decode heap copies of the stripe, then copy the rebuilt data back.
        if (decoding == null) decoding = new byte[total][bufferLength];
        for (int shard = 0; shard < total; shard++) {
            if (loaded[shard]) blocks[shard].get(0, decoding[shard], 0, length);
        }
        code.reconstructData(decoding, loaded, length);
        for (int shard = 0; shard < dataShards; shard++) {
            if (loaded[shard]) continue;
            if (blocks[shard] == null) blocks[shard] = store.readBuffers().take(bufferLength);
            blocks[shard].put(0, decoding[shard], 0, length);
        }
        store.degradedStripe();
    }

    /**
     * Reads and verifies the blocks of stripe {@code s} of the given shards, on one virtual thread
     * per drive when there are several (so drives' latencies overlap and CRCs run in parallel).
     * Marks each as loaded or bad; the bookkeeping stays on the calling thread.
     */
    private void loadBlocks(int[] shards, long s, int length) {
        int[] todo = new int[shards.length];
        FileChannel[] open = new FileChannel[shards.length];
        int count = 0;
        for (int shard : shards) {
            FileChannel channel = bad[shard] ? null : channel(shard);
            if (channel != null) {
                if (blocks[shard] == null) blocks[shard] = store.readBuffers().take(bufferLength);
                open[count] = channel;
                todo[count++] = shard;
            }
        }
        long at = s * ((long) location.blockSize() + ShardHeader.CRC_BYTES);
        Object[] outcomes = new Object[count];
        if (count == 1 || !store.parallelReads()) {
            for (int i = 0; i < count; i++) {
                outcomes[i] = readVerified(open[i], blocks[todo[i]], dataOffsets[todo[i]] + at, length, s);
            }
        } else {
            Thread[] readers = new Thread[count];
            for (int i = 0; i < count; i++) {
                int index = i;
                ByteBuffer block = blocks[todo[i]];
                long position = dataOffsets[todo[i]] + at;
                readers[i] = Thread.ofVirtual().start(() -> outcomes[index] = readVerified(open[index], block, position, length, s));
            }
            joinAll(readers);
        }
        for (int i = 0; i < count; i++) {
            int shard = todo[i];
            if (closedUnderUs(shard, outcomes[i])) {
                // Reopened through the segment (its shared channel is opened afresh) and read once more.
                closeChannel(shard);
                opened[shard] = false;
                shared[shard] = false;
                FileChannel channel = channel(shard);
                if (channel == null) continue;   // marked bad on the way
                outcomes[i] = readVerified(channel, blocks[shard], dataOffsets[shard] + at, length, s);
            }
            switch (outcomes[i]) {
                case null -> loaded[shard] = true;
                case IOException e -> readFailed(shard, e);
                case Object reason -> markBad(shard, reason.toString());
            }
        }
    }

    /**
     * Whether {@code outcome} is a segment's shared channel closed by someone else: a reader of
     * another stream that was interrupted closes it for every stream (FileChannel closes on
     * interrupt). Neither this stream nor the drive failed, so the read is worth one more try.
     */
    private boolean closedUnderUs(int shard, Object outcome) {
        return shared[shard] && outcome instanceof ClosedChannelException && !(outcome instanceof ClosedByInterruptException)
                && !closed && !Thread.currentThread().isInterrupted();
    }

    /**
     * One block and its CRC from {@code channel} into {@code block}: null when it verifies, else
     * the reason (a String) or the IOException. Touches nothing but its arguments.
     */
    private static Object readVerified(FileChannel channel, ByteBuffer block, long at, int length, long s) {
        ByteBuffer buffer = block.slice(0, length + ShardHeader.CRC_BYTES);   // own position: block is shared
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, at + buffer.position()) < 0) return "short read in stripe " + s;
            }
        } catch (IOException e) {
            return e;
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.clear().limit(length));
        return (int) crc.getValue() == block.getInt(length) ? null : "checksum mismatch in stripe " + s;
    }

    /** Waits for every reader: they write into this stream's buffers, so none may outlive the call. */
    private void joinAll(Thread[] readers) {
        boolean interrupted = false;
        for (Thread reader : readers) {
            while (true) {
                try {
                    reader.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new ErasureException(ErasureException.Reason.IO, "interrupted reading blob " + location.blobId());
        }
    }

    /** Opens the shard's file and checks its header on first use; null when the shard is bad. */
    private FileChannel channel(int shard) {
        if (opened[shard]) return channels[shard];
        opened[shard] = true;
        Drive drive = store.drive(location.drive(shard));
        if (drive == null) {
            markBad(shard, "drive not configured");
            return null;
        }
        if (!store.usable(location.drive(shard))) {
            markBad(shard, "drive out of service");
            return null;
        }
        SegmentRef ref = location.segmentRef(shard);
        if (ref != null) {
            // The shard's record, unless it is gone or was replaced: heal writes a rebuilt shard
            // of a segment blob as a shard file (and deletes a corrupt record), so the file below
            // is the fallback.
            try {
                DriveSegments.Opened record = store.segments(location.drive(shard)).open(ref, location, shard);
                if (record != null) {
                    channels[shard] = record.channel();
                    shared[shard] = true;
                    dataOffsets[shard] = record.dataOffset();
                    return record.channel();
                }
            } catch (IOException e) {
                readFailed(shard, e);
                return null;
            }
        }
        Path path = drive.shardPath(location.blobId(), shard);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            store.checkLayout(location.drive(shard));
            markBad(shard, "shard file missing");
            return null;
        } catch (IOException e) {
            readFailed(shard, e);
            return null;
        }
        channels[shard] = channel;
        if (closed) { // closed by another thread meanwhile: don't leak what we just opened
            closeChannel(shard);
            throw new ErasureException(ErasureException.Reason.IO, "stream of blob " + location.blobId() + " closed");
        }
        try {
            ShardHeader header = ShardHeader.read(channel);
            if (header == null || !header.describes(location, shard)) {
                markBad(shard, "bad shard header");
                return null;
            }
            dataOffsets[shard] = header.length();
        } catch (IOException e) {
            readFailed(shard, e);
            return null;
        }
        return channel;
    }

    private boolean readFailed(int shard, IOException e) {
        // An interrupt or a close closes the channel; that is the reader's doing, not the drive's.
        if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
            throw new ErasureException(ErasureException.Reason.IO, "interrupted reading blob " + location.blobId(), e);
        }
        if (closed && e instanceof ClosedChannelException) {
            throw new ErasureException(ErasureException.Reason.IO, "stream of blob " + location.blobId() + " closed", e);
        }
        // A segment's channel is shared: another reader's interrupt closes it (it is reopened on
        // next use), which says nothing about the drive.
        if (!(shared[shard] && e instanceof ClosedChannelException)) store.driveError(location.drive(shard), e);
        markBad(shard, e.toString());
        return false;
    }

    private void markBad(int shard, String reason) {
        bad[shard] = true;
        loaded[shard] = false;
        closeChannel(shard);
        store.shardFault(location, shard, store.drive(location.drive(shard)), reason);
    }

    private void closeChannel(int shard) {
        FileChannel channel = channels[shard];
        channels[shard] = null;
        if (channel == null || shared[shard]) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel: nothing was written that a failed close could lose
        }
    }
}
