package io.strata.checksum;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Computes the MD5 (for the ETag) and any requested flexible checksums of the bytes read through
 * it, on the same pass that stores them.
 *
 * <p>MD5 is the slowest digest on the write path (about 0.8 GB/s per core, docs/traps.md). A
 * {@linkplain #pipelined pipelined} stream therefore digests beside its reader instead of in series
 * with it: it reads the source into one of {@value #CHUNKS} chunk buffers of {@value #CHUNK_SIZE}
 * bytes, hands the filled chunk to its hashing lanes (virtual threads: one for MD5, one for SHA-1,
 * SHA-256 and CRC64NVME when any are asked for; the cheap CRC32 and CRC32C are summed by the reader
 * as it fills the chunk) and serves the reader's reads (the erasure coder) by
 * copying out of that same chunk. A chunk is recycled only once the reader has taken all of it and
 * every lane has digested it, so the erasure coding, the disk writes and the payload signature checks
 * proceed while the digests run, and one stream is limited by MD5 alone. When a lane falls behind,
 * the reader waits for a free chunk: memory per stream stays at {@value #CHUNKS} chunks. Each byte is
 * copied once on its way to the reader, as it was when the digests ran on the reading thread.
 *
 * <p>Chunk buffers outlive their stream: a released stream hands the chunks no lane or reader still
 * holds to a pool of at most {@value #POOLED_CHUNKS}, which the next pipelined stream takes them from.
 * Allocating four fresh 256 KiB chunks per PUT of 1 MiB or more doubled the bytes a 1 MiB PUT
 * allocated beside the HTTP server's own copies; pooled chunks settle in the old generation instead.
 *
 * <p>Not thread-safe: one reader. Does not close {@code in}. A pipelined stream reads its source
 * ahead by up to one chunk; a reader that must see where the source ends reads until -1, as the
 * object service does. A pipelined stream must be {@linkplain #release released} (in a finally
 * block) so its lanes end even when the write fails half-way; {@link #md5()} may be called once,
 * after the last read, and {@link #checksums()} after it.
 */
public final class HashingInputStream extends FilterInputStream {
    /** Bytes handed to the hashing lanes at a time. */
    public static final int CHUNK_SIZE = 256 << 10;
    /** Chunks per pipelined stream: its memory is {@code CHUNKS * CHUNK_SIZE} bytes. */
    public static final int CHUNKS = 4;
    /**
     * Chunk buffers kept between streams ({@code POOLED_CHUNKS * CHUNK_SIZE} = 16 MiB at most): enough
     * for sixteen pipelined PUTs at once; streams beyond that allocate, and their chunks are dropped.
     */
    static final int POOLED_CHUNKS = 64;
    private static final ChunkPool POOL = new ChunkPool(POOLED_CHUNKS);

    private final MessageDigest md5;
    private final Map<ChecksumAlgorithm, Checksummer> checksums = new EnumMap<>(ChecksumAlgorithm.class);
    private final Pipeline pipeline;   // null: every digest on the reading thread
    private long count;

    /** A stream that hashes on the reading thread; fine below a few MiB, where a hand-off costs more than MD5. */
    public HashingInputStream(InputStream in, Set<ChecksumAlgorithm> algorithms) {
        this(in, algorithms, false);
    }

    private HashingInputStream(InputStream in, Set<ChecksumAlgorithm> algorithms, boolean pipelined) {
        this(in, algorithms.stream().map(ChecksumAlgorithm::newChecksummer).toList(), pipelined);
    }

    /** With the given running checksums, one per algorithm (tests watch where and what they sum). */
    HashingInputStream(InputStream in, List<Checksummer> sums, boolean pipelined) {
        super(in);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Checksummer c : sums) checksums.put(c.algorithm(), c);
        this.pipeline = pipelined ? new Pipeline(in, md5, List.copyOf(checksums.values())) : null;
    }

    /** A stream whose digests run on hashing lanes of their own; the caller must {@link #release()} it. */
    public static HashingInputStream pipelined(InputStream in, Set<ChecksumAlgorithm> algorithms) {
        return new HashingInputStream(in, algorithms, true);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        if (pipeline != null) {
            n = pipeline.read(b, off, len);
        } else {
            n = in.read(b, off, len);
            if (n > 0) {
                md5.update(b, off, n);
                for (Checksummer c : checksums.values()) c.update(b, off, n);
            }
        }
        if (n > 0) count += n;
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skipping would leave bytes unhashed");
    }

    @Override
    public int available() throws IOException {
        return pipeline != null ? pipeline.available() : in.available();
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** The MD5 of every byte read; for a pipelined stream, waits for the hashing lanes to catch up. */
    public byte[] md5() {
        if (pipeline != null) pipeline.finish();
        return md5.digest();
    }

    /** {@link #md5()} as lower-case hex, as an ETag carries it. */
    public String md5Hex() {
        return HexFormat.of().formatHex(md5());
    }

    /**
     * Base64 values of the requested checksums, keyed by algorithm; for a pipelined stream, only
     * after {@link #md5()}, which waits for the lanes.
     */
    public Map<ChecksumAlgorithm, String> checksums() {
        if (pipeline != null && !pipeline.finished()) {
            throw new IllegalStateException("the checksums of a pipelined stream are known after md5()");
        }
        Map<ChecksumAlgorithm, String> out = new EnumMap<>(ChecksumAlgorithm.class);
        checksums.forEach((a, c) -> out.put(a, c.base64()));
        return out;
    }

    /**
     * Ends the hashing lanes of a pipelined stream and gives its idle chunk buffers back to the pool
     * (idempotent; a no-op otherwise). Does not close {@code in}.
     */
    public void release() {
        if (pipeline != null) pipeline.stop();
    }

    /**
     * Chunk buffers shared by all pipelined streams, last in first out: the buffer taken next is the
     * one released last, still warm in the cache. Bounded, so a burst of streams does not leave its
     * buffers behind for good.
     */
    static final class ChunkPool {
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<byte[]> buffers = new ArrayDeque<>();
        private final int capacity;

        ChunkPool(int capacity) {
            this.capacity = capacity;
        }

        /** A pooled chunk buffer, or a new one when the pool is empty. */
        byte[] take() {
            lock.lock();
            try {
                byte[] b = buffers.pollFirst();
                if (b != null) return b;
            } finally {
                lock.unlock();
            }
            return new byte[CHUNK_SIZE];
        }

        /** Keeps {@code b} for a later stream unless the pool is full; the caller must hold no reference it still uses. */
        void give(byte[] b) {
            lock.lock();
            try {
                if (buffers.size() < capacity) buffers.addFirst(b);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The read-ahead and the hand-off to the lanes. {@code free} holds empty chunk buffers; each lane
     * takes filled chunks in order from its own queue; a chunk counts its holders (the reader and each
     * lane) and goes back to {@code free} when the last lets go. {@link #END} ends a lane. Only the
     * reader touches {@code current}.
     */
    private static final class Pipeline {
        private record Chunk(byte[] data, int length, AtomicInteger holders) {
        }

        private static final Chunk END = new Chunk(new byte[0], 0, new AtomicInteger());

        private final InputStream in;
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
        private final List<Lane> lanes = new ArrayList<>(2);
        private final List<Checksummer> onReader = new ArrayList<>(2);
        private Chunk current;
        private int position;
        private boolean eof;
        private boolean ended;
        private boolean finished;

        Pipeline(InputStream in, MessageDigest md5, List<Checksummer> checksums) {
            this.in = in;
            for (int i = 0; i < CHUNKS; i++) free.add(POOL.take());
            List<Checksummer> laned = new ArrayList<>();
            for (Checksummer c : checksums) (onReader(c.algorithm()) ? onReader : laned).add(c);
            lanes.add(new Lane("strata-md5", c -> md5.update(c.data(), 0, c.length())));
            if (!laned.isEmpty()) {
                lanes.add(new Lane("strata-checksums", c -> {
                    for (Checksummer s : laned) s.update(c.data(), 0, c.length());
                }));
            }
            for (Lane lane : lanes) lane.start();
        }

        /**
         * CRC32 and CRC32C are intrinsics summing tens of GB/s per core: the reader sums them over a
         * chunk it has just filled (still in cache), since handing them to a lane of their own cost
         * more CPU than the sums (about 8 ms more per 64 MiB with CRC32 on a lane, measured). SHA-1,
         * SHA-256 and the table-driven CRC64NVME run at 1-2 GB/s and go to a lane.
         */
        private static boolean onReader(ChecksumAlgorithm a) {
            return a == ChecksumAlgorithm.CRC32 || a == ChecksumAlgorithm.CRC32C;
        }

        /** A digest of its own on a virtual thread, fed the chunks in order. */
        private final class Lane {
            private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CHUNKS + 1);
            private final Thread thread;

            Lane(String name, Consumer<Chunk> digest) {
                this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
                    try {
                        while (true) {
                            Chunk chunk = queue.take();
                            if (chunk == END) return;
                            digest.accept(chunk);
                            letGo(chunk);
                        }
                    } catch (InterruptedException e) {
                        // stop(): the write was abandoned, the digest is not wanted.
                    }
                });
            }

            void start() {
                thread.start();
            }
        }

        int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            if (current == null || position == current.length()) {
                if (current != null) {
                    letGo(current);
                    current = null; // its buffer may now go to the pool: never look at it again
                }
                current = fill();
                position = 0;
                if (current == null) return -1;
            }
            int n = Math.min(len, current.length() - position);
            System.arraycopy(current.data(), position, b, off, n);
            position += n;
            return n;
        }

        int available() {
            return current == null ? 0 : current.length() - position;
        }

        /**
         * Reads the next chunk from the source until it is full or the source ends, and hands it to
         * every lane; null at the end of the source. Waits for a free buffer while the lanes are behind.
         */
        private Chunk fill() throws IOException {
            if (eof) return null;
            if (ended) throw new IllegalStateException("read after the digests were taken");
            byte[] data;
            try {
                data = free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the hashing lanes");
            }
            int filled = 0;
            try {
                while (filled < data.length) {
                    int n = in.read(data, filled, data.length - filled);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    filled += n;
                }
            } catch (IOException | RuntimeException e) {
                free.add(data);
                throw e;
            }
            if (filled == 0) {
                free.add(data);
                return null;
            }
            for (Checksummer c : onReader) c.update(data, 0, filled);
            Chunk chunk = new Chunk(data, filled, new AtomicInteger(lanes.size() + 1));
            // put() only waits while a lane works: each queue has room for every chunk plus END.
            for (Lane lane : lanes) {
                try {
                    lane.queue.put(chunk);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted handing bytes to the hashing lanes");
                }
            }
            return chunk;
        }

        private void letGo(Chunk chunk) {
            if (chunk.holders().decrementAndGet() == 0) free.add(chunk.data());
        }

        boolean finished() {
            return finished;
        }

        /** Ends every lane after the chunks handed to it and waits until every byte is digested. */
        void finish() {
            if (ended) throw new IllegalStateException("MD5 already taken");
            ended = true;
            boolean interrupted = false;
            try {
                for (Lane lane : lanes) lane.queue.put(END);
                for (Lane lane : lanes) lane.thread.join();
                finished = true;
            } catch (InterruptedException e) {
                interrupted = true;
                for (Lane lane : lanes) lane.thread.interrupt();
                throw new IllegalStateException("interrupted waiting for the hashing lanes", e);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /**
         * Ends the lanes and pools the buffers in {@code free}: each is there only once every lane has
         * digested it and the reader has moved past it, and {@code ended} stops the reader from
         * filling another. A chunk a lane or the reader still holds is left to the garbage collector
         * (a lane that lets go of it later puts it in {@code free}, which nobody drains again).
         */
        void stop() {
            ended = true;
            for (Lane lane : lanes) lane.thread.interrupt();
            byte[] b;
            while ((b = free.poll()) != null) POOL.give(b);
        }
    }
}
