package io.strata.checksum;


import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Computes the MD5 (for the ETag) and any requested flexible checksums of the bytes read through
 * it, on the same pass that stores them.
 *
 * <p>MD5 is the slowest digest on the write path (about 0.8 GB/s per core, docs/traps.md). A
 * {@linkplain #pipelined pipelined} stream runs it on a virtual thread of its own: the bytes read
 * are copied into one of {@value #CHUNKS} chunk buffers of {@value #CHUNK_SIZE} bytes and handed
 * over, so the erasure coding, the disk writes, the flexible checksums and the payload signature
 * checks proceed while MD5 runs, and one stream is limited by MD5 alone. When MD5 falls behind,
 * the reader waits for a free chunk: memory per stream stays at {@value #CHUNKS} chunks.
 *
 * <p>Not thread-safe: one reader. Does not close {@code in}. A pipelined stream must be
 * {@linkplain #release released} (in a finally block) so its hashing thread ends even when the
 * write fails half-way; {@link #md5()} may be called once, after the last read.
 */
public final class HashingInputStream extends FilterInputStream {
    /** Bytes handed to the MD5 thread at a time. */
    public static final int CHUNK_SIZE = 256 << 10;
    /** Chunks per pipelined stream: its memory is {@code CHUNKS * CHUNK_SIZE} bytes. */
    public static final int CHUNKS = 4;

    private final MessageDigest md5;
    private final Map<ChecksumAlgorithm, Checksummer> checksums = new EnumMap<>(ChecksumAlgorithm.class);
    private final Pipeline pipeline;   // null: MD5 on the reading thread
    private long count;

    /** A stream that hashes on the reading thread; fine below a few MiB, where a hand-off costs more than MD5. */
    public HashingInputStream(InputStream in, Set<ChecksumAlgorithm> algorithms) {
        this(in, algorithms, false);
    }

    private HashingInputStream(InputStream in, Set<ChecksumAlgorithm> algorithms, boolean pipelined) {
        super(in);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (ChecksumAlgorithm a : algorithms) checksums.put(a, a.newChecksummer());
        this.pipeline = pipelined ? new Pipeline(md5) : null;
    }

    /** A stream whose MD5 runs on its own thread; the caller must {@link #release()} it. */
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
        int n = in.read(b, off, len);
        if (n > 0) {
            if (pipeline != null) pipeline.add(b, off, n);
            else md5.update(b, off, n);
            for (Checksummer c : checksums.values()) c.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skipping would leave bytes unhashed");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** The MD5 of every byte read; for a pipelined stream, waits for the hashing thread to catch up. */
    public byte[] md5() {
        if (pipeline != null) pipeline.finish();
        return md5.digest();
    }

    /** {@link #md5()} as lower-case hex, as an ETag carries it. */
    public String md5Hex() {
        return HexFormat.of().formatHex(md5());
    }

    /** Base64 values of the requested checksums, keyed by algorithm. */
    public Map<ChecksumAlgorithm, String> checksums() {
        Map<ChecksumAlgorithm, String> out = new EnumMap<>(ChecksumAlgorithm.class);
        checksums.forEach((a, c) -> out.put(a, c.base64()));
        return out;
    }

    /** Ends the hashing thread of a pipelined stream (idempotent; a no-op otherwise). Does not close {@code in}. */
    public void release() {
        if (pipeline != null) pipeline.stop();
    }

    /**
     * The hand-off to the MD5 thread: {@code free} holds empty chunks, {@code full} filled ones in
     * order; a chunk of length 0 ends the thread. Only the reader touches {@code current}.
     */
    private static final class Pipeline {
        private record Chunk(byte[] data, int length) {
        }

        private static final Chunk END = new Chunk(new byte[0], 0);

        private final MessageDigest md5;
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
        private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(CHUNKS + 1);
        private final Thread thread;
        private byte[] current;
        private int filled;
        private boolean ended;

        Pipeline(MessageDigest md5) {
            this.md5 = md5;
            for (int i = 1; i < CHUNKS; i++) free.add(new byte[CHUNK_SIZE]);
            this.current = new byte[CHUNK_SIZE];
            this.thread = Thread.ofVirtual().name("strata-md5").start(this::run);
        }

        private void run() {
            try {
                while (true) {
                    Chunk chunk = full.take();
                    if (chunk == END) return;
                    md5.update(chunk.data(), 0, chunk.length());
                    free.put(chunk.data());
                }
            } catch (InterruptedException e) {
                // stop(): the write was abandoned, the digest is not wanted.
            }
        }

        void add(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK_SIZE - filled);
                System.arraycopy(b, off, current, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == CHUNK_SIZE) {
                    try {
                        full.put(new Chunk(current, filled));
                        current = free.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted handing bytes to the MD5 thread");
                    }
                    filled = 0;
                }
            }
        }

        /** Hands over the last partial chunk and waits until every byte is hashed. */
        void finish() {
            if (ended) throw new IllegalStateException("MD5 already taken");
            ended = true;
            boolean interrupted = false;
            try {
                // put() only waits while the thread works: `full` has room for every chunk plus END.
                if (filled > 0) full.put(new Chunk(current, filled));
                full.put(END);
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
                thread.interrupt();
                throw new IllegalStateException("interrupted waiting for the MD5 thread", e);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        void stop() {
            ended = true;
            thread.interrupt();
        }
    }
}
