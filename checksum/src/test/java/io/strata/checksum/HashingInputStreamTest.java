package io.strata.checksum;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashingInputStreamTest {
    private static final int CHUNK = HashingInputStream.CHUNK_SIZE;

    /** Returns at most {@code step} bytes per read, so reads straddle the chunk boundaries. */
    private static InputStream trickle(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    private static byte[] drain(HashingInputStream in, int bufferSize) throws IOException {
        byte[] buffer = new byte[bufferSize];
        while (in.read(buffer, 0, buffer.length) >= 0) {
            // the digests see every byte
        }
        return in.md5();
    }

    @Test
    void pipelinedDigestsMatchTheInlineOnesForEverySizeAndReadPattern() throws Exception {
        Random random = new Random(7);
        int[] sizes = {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, HashingInputStream.CHUNKS * CHUNK * 3 + 5};
        int[][] patterns = {{1 << 20, 1 << 20}, {65_536, 1 << 20}, {1000, 777}, {CHUNK, CHUNK}};
        for (int size : sizes) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            byte[] expected = MessageDigest.getInstance("MD5").digest(data);
            for (int[] p : patterns) {
                HashingInputStream plain = new HashingInputStream(trickle(data, p[0]), Set.of(ChecksumAlgorithm.CRC32));
                HashingInputStream piped = HashingInputStream.pipelined(trickle(data, p[0]), Set.of(ChecksumAlgorithm.CRC32));
                try {
                    assertArrayEquals(expected, drain(plain, p[1]), "plain, size " + size);
                    assertArrayEquals(expected, drain(piped, p[1]), "pipelined, size " + size + " pattern " + p[0]);
                    assertEquals(plain.checksums(), piped.checksums());
                    assertEquals(size, piped.count());
                } finally {
                    piped.release();
                }
            }
        }
    }

    @Test
    void releasingAnAbandonedPipelinedStreamEndsItsThreadAndTheDigestIsTakenOnce() throws Exception {
        byte[] data = new byte[10 * CHUNK];
        HashingInputStream abandoned = HashingInputStream.pipelined(new ByteArrayInputStream(data), Set.of());
        abandoned.readNBytes(5 * CHUNK + 3);
        abandoned.release();
        abandoned.release();

        HashingInputStream once = HashingInputStream.pipelined(new ByteArrayInputStream(data), Set.of());
        try {
            drain(once, 1 << 16);
            assertThrows(IllegalStateException.class, once::md5);
        } finally {
            once.release();
        }
    }
    /** A checksum that records the thread that summed and can hold its first update until released. */
    private static final class WatchedChecksum implements Checksummer {
        final Checksummer crc;
        final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final CountDownLatch hold;

        WatchedChecksum(ChecksumAlgorithm algorithm, CountDownLatch hold) {
            this.crc = algorithm.newChecksummer();
            this.hold = hold;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            thread.compareAndSet(null, Thread.currentThread());
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            crc.update(b, off, len);
            seen.write(b, off, len);
        }

        @Override
        public String base64() {
            return crc.base64();
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return crc.algorithm();
        }
    }

    /** Counts the bytes the stream took from its source. */
    private static final class CountingSource extends ByteArrayInputStream {
        final AtomicLong taken = new AtomicLong();

        CountingSource(byte[] data) {
            super(data);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            if (n > 0) taken.addAndGet(n);
            return n;
        }
    }

    @Test
    void pipelinedShaAndCrc64ChecksumsRunBesideTheReaderOverExactlyTheBytesItReads() throws Exception {
        byte[] data = new byte[5 * CHUNK + 123];
        new Random(11).nextBytes(data);
        for (ChecksumAlgorithm a : new ChecksumAlgorithm[] {ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.CRC64NVME}) {
            WatchedChecksum watched = new WatchedChecksum(a, new CountDownLatch(0));
            WatchedChecksum crc = new WatchedChecksum(ChecksumAlgorithm.CRC32C, new CountDownLatch(0));
            HashingInputStream in = new HashingInputStream(trickle(data, 70_000), List.of(watched, crc), true);
            try {
                byte[] read = in.readAllBytes();
                assertArrayEquals(MessageDigest.getInstance("MD5").digest(data), in.md5());
                assertArrayEquals(data, read, "the reader's bytes");
                assertArrayEquals(data, watched.seen.toByteArray(), "the lane's bytes");
                assertArrayEquals(data, crc.seen.toByteArray(), "the CRC32C's bytes");
                assertEquals(watched.crc.base64(), in.checksums().get(a));
                assertEquals(crc.crc.base64(), in.checksums().get(ChecksumAlgorithm.CRC32C));
                assertNotSame(Thread.currentThread(), watched.thread.get(), a + " summed on the reading thread");
                // The intrinsic CRC is cheaper than a hand-off: the reader sums it as it fills a chunk.
                assertSame(Thread.currentThread(), crc.thread.get(), "CRC32C handed to a lane");
            } finally {
                in.release();
            }
        }
    }

    @Test
    void aLaneThatFallsBehindHoldsTheReaderAtItsChunksAndNoChunkIsReusedBeforeItIsDigested() throws Exception {
        byte[] data = new byte[(HashingInputStream.CHUNKS + 6) * CHUNK + 5];
        new Random(12).nextBytes(data);
        CountDownLatch hold = new CountDownLatch(1);
        WatchedChecksum slow = new WatchedChecksum(ChecksumAlgorithm.SHA256, hold);
        CountingSource source = new CountingSource(data);
        HashingInputStream in = new HashingInputStream(source, List.of(slow), true);
        AtomicReference<byte[]> read = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                read.set(in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            // The lane holds its first chunk: the reader takes every chunk there is, then waits.
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (reader.getState() != Thread.State.WAITING || source.taken.get() < (long) HashingInputStream.CHUNKS * CHUNK) {
                assertTrue(Instant.now().isBefore(deadline), "the reader never waited for the lane");
                Thread.onSpinWait();
            }
            assertEquals((long) HashingInputStream.CHUNKS * CHUNK, source.taken.get(), "memory bounded by the chunks");
            hold.countDown();
            reader.join(Duration.ofSeconds(30));
            assertArrayEquals(data, read.get(), "the reader's bytes");
            assertArrayEquals(MessageDigest.getInstance("MD5").digest(data), in.md5()); // waits for the lanes
            assertArrayEquals(data, slow.seen.toByteArray(), "the lane's bytes");
        } finally {
            hold.countDown();
            in.release();
        }
    }

    /** A lane checksum that records which buffers it was handed, and can hold its updates until released. */
    private static final class BufferWatcher implements Checksummer {
        final Set<byte[]> buffers = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch hold;
        final Checksummer sha = ChecksumAlgorithm.SHA256.newChecksummer();

        BufferWatcher(CountDownLatch hold) {
            this.hold = hold;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            buffers.add(b);
            entered.countDown();
            // Holds on through release()'s interrupt, as a digest in progress does: the lane still reads b.
            boolean interrupted = false;
            while (hold.getCount() > 0) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            sha.update(b, off, len);
            if (interrupted) Thread.currentThread().interrupt();
        }

        @Override
        public String base64() {
            return sha.base64();
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return ChecksumAlgorithm.SHA256;
        }
    }

    private static Set<byte[]> buffersOfACompleteStream(byte[] data) throws Exception {
        BufferWatcher watcher = new BufferWatcher(new CountDownLatch(0));
        HashingInputStream in = new HashingInputStream(new ByteArrayInputStream(data), List.of(watcher), true);
        try {
            drain(in, 1 << 16);
            assertEquals(HashingInputStream.CHUNKS, watcher.buffers.size(), "a stream of many chunks cycles through all of its buffers");
        } finally {
            in.release();
        }
        return Set.copyOf(watcher.buffers);
    }

    @Test
    void aPipelinedStreamReusesTheChunkBuffersOfTheStreamReleasedBeforeIt() throws Exception {
        byte[] data = new byte[3 * HashingInputStream.CHUNKS * CHUNK + 11];
        new Random(13).nextBytes(data);
        Set<byte[]> first = buffersOfACompleteStream(data);
        Set<byte[]> second = buffersOfACompleteStream(data);
        Set<byte[]> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
        fresh.addAll(second);
        fresh.removeIf(b -> first.stream().anyMatch(f -> f == b));
        assertEquals(Set.of(), fresh, "buffers allocated although the previous stream released its own");
    }

    @Test
    void aChunkALaneStillDigestsIsNotHandedToTheNextStream() throws Exception {
        byte[] data = new byte[3 * CHUNK];
        new Random(14).nextBytes(data);
        CountDownLatch hold = new CountDownLatch(1);
        BufferWatcher held = new BufferWatcher(hold);
        HashingInputStream abandoned = new HashingInputStream(new ByteArrayInputStream(data), List.of(held), true);
        try {
            abandoned.readNBytes(2 * CHUNK); // the lane holds the first chunk, the reader the second
            held.entered.await();
        } finally {
            abandoned.release();
        }
        byte[] busy = held.buffers.iterator().next();
        // The next streams take every pooled buffer (and new ones): none is the one the lane reads.
        for (int i = 0; i < 3; i++) {
            Set<byte[]> next = buffersOfACompleteStream(new byte[2 * HashingInputStream.CHUNKS * CHUNK]);
            assertFalse(next.stream().anyMatch(b -> b == busy), "a chunk still being digested was reused");
        }
        hold.countDown();
    }
}
