package io.strata.erasure;

import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * A deterministic pseudo-random byte stream of a fixed length, generated as it is read, so tests
 * can stream blobs far larger than any array they keep. Optionally lies about its end: it can
 * stop early ({@code actual < declared}) or keep going.
 */
final class GeneratedInputStream extends InputStream {
    private final SplittableRandom random;
    private final long length;
    private long position;
    private long word;
    private int wordBytes;

    GeneratedInputStream(long length, long seed) {
        this.length = length;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) return 0;
        if (position >= length) return -1;
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            if (wordBytes == 0) {
                word = random.nextLong();
                wordBytes = 8;
            }
            b[off + i] = (byte) word;
            word >>>= 8;
            wordBytes--;
        }
        position += n;
        return n;
    }
}
