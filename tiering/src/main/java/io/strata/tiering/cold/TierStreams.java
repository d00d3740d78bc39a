package io.strata.tiering.cold;

import io.strata.tiering.TierException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream helpers shared by the cold tiers; every copy goes through one fixed-size buffer. */
final class TierStreams {

    static final int BUFFER_SIZE = 64 * 1024;

    private TierStreams() {
    }

    /**
     * Copies exactly {@code length} bytes from {@code in} to {@code out} and checks that {@code in}
     * ends there; throws {@code LENGTH_MISMATCH} otherwise.
     */
    static void copyExactly(InputStream in, OutputStream out, long length, Object subject) throws IOException {
        byte[] buffer = new byte[(int) Math.min(BUFFER_SIZE, Math.max(1, length))];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) throw shortStream(subject, length, length - remaining);
            out.write(buffer, 0, n);
            remaining -= n;
        }
        requireEnd(in, length, subject);
    }

    /**
     * Fills {@code buffer[0, n)} from {@code in}; throws {@code LENGTH_MISMATCH} if {@code in} ends first.
     */
    static void readFully(InputStream in, byte[] buffer, int n, long declared, long before, Object subject)
            throws IOException {
        int off = 0;
        while (off < n) {
            int r = in.read(buffer, off, n - off);
            if (r < 0) throw shortStream(subject, declared, before + off);
            off += r;
        }
    }

    /** Throws {@code LENGTH_MISMATCH} unless {@code in} is at its end. */
    static void requireEnd(InputStream in, long length, Object subject) throws IOException {
        if (in.read() >= 0) {
            throw new TierException(TierException.Reason.LENGTH_MISMATCH,
                    subject + ": stream holds more than the declared " + length + " bytes");
        }
    }

    private static TierException shortStream(Object subject, long declared, long got) {
        return new TierException(TierException.Reason.LENGTH_MISMATCH,
                subject + ": stream ended after " + got + " of " + declared + " declared bytes");
    }

    /** Passes through at most {@code limit} bytes of the wrapped stream; closing closes it. */
    static InputStream limit(InputStream in, long limit) {
        return new FilterInputStream(in) {
            private long left = limit;

            @Override
            public int read() throws IOException {
                if (left <= 0) return -1;
                int b = super.read();
                if (b >= 0) left--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (left <= 0) return -1;
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) left -= n;
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long s = super.skip(Math.min(n, left));
                left -= s;
                return s;
            }

            @Override
            public int available() throws IOException {
                return (int) Math.min(super.available(), left);
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }
}
