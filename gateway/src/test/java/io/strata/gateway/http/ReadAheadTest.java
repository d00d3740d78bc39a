package io.strata.gateway.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadAheadTest {

    /**
     * Records each write, which must start at offset 0. While a write runs it gives the reader
     * time to go on (up to 20 ms, or until it read once more) and notes whether the reader read
     * into the very array being written: a buffer may be refilled only after its write returned.
     */
    private static final class Recording extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<byte[]> arrays = new ArrayList<>();
        final List<Integer> lengths = new ArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicBoolean refilledWhileWritten = new AtomicBoolean();
        volatile byte[] writing;

        /** {@code in}, watched by {@link #write}. */
        InputStream watching(InputStream in) {
            return new FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (b == writing) refilledWhileWritten.set(true);
                    int n = super.read(b, off, len);
                    reads.incrementAndGet();
                    return n;
                }
            };
        }

        @Override
        public void write(int b) {
            throw new AssertionError("single-byte write");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            assertEquals(0, off);
            writing = b;
            int before = reads.get();
            for (int i = 0; i < 200 && reads.get() == before; i++) LockSupport.parkNanos(100_000);
            writing = null;
            if (arrays.stream().noneMatch(a -> a == b)) arrays.add(b);
            lengths.add(len);
            bytes.write(b, off, len);
        }
    }

    @Test
    void copiesEveryByteSmallFirstThroughABoundedSetOfArraysNeverRefillingOneBeingWritten() throws IOException {
        byte[] data = new byte[20 * 1000 + 123];
        new Random(3).nextBytes(data);
        Recording out = new Recording();
        ReadAhead.copy(out.watching(new ByteArrayInputStream(data)), out, data.length, 100, 1000, 2);
        assertArrayEquals(data, out.bytes.toByteArray());
        assertEquals(100, out.arrays.getFirst().length);
        assertEquals(1000, (int) out.lengths.get(1));
        assertEquals(23, (int) out.lengths.getLast());
        assertTrue(out.arrays.size() <= 1 + 2 + 2, out.arrays.size() + " arrays for 22 writes");
        assertFalse(out.refilledWhileWritten.get(), "an array was refilled while its write ran");
    }

    @Test
    void aShortSourceIsAnIOException() {
        byte[] data = new byte[5000];
        IOException e = assertThrows(IOException.class, () ->
                ReadAhead.copy(new ByteArrayInputStream(data), new Recording(), 6000, 100, 1000, 2));
        assertTrue(e.getMessage().contains("ended early"), e.getMessage());
    }

    @Test
    void readerErrorsKeepTheirType() {
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                throw new IllegalStateException("quorum lost");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new IllegalStateException("quorum lost");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                ReadAhead.copy(failing, new Recording(), 10_000, 100, 1000, 2));
        assertEquals("quorum lost", e.getMessage());
    }

    @Test
    void aFailingClientStopsTheReaderBeforeCopyReturns() {
        AtomicBoolean readAfterReturn = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (returned.get()) readAfterReturn.set(true);
                return len;
            }
        };
        OutputStream broken = new OutputStream() {
            int writes;

            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes == 3) throw new IOException("connection reset");
            }
        };
        IOException e = assertThrows(IOException.class, () ->
                ReadAhead.copy(endless, broken, Long.MAX_VALUE / 2, 100, 1000, 2));
        returned.set(true);
        assertEquals("connection reset", e.getMessage());
        assertFalse(readAfterReturn.get());
    }
}
