package io.strata.checksum;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
