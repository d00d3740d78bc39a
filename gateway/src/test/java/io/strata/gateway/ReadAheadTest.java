package io.strata.gateway;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadAheadTest {

    /** Records each write: its array must be fresh and written whole from offset 0. */
    private static final class Recording extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<byte[]> arrays = new ArrayList<>();

        @Override
        public void write(int b) {
            throw new AssertionError("single-byte write");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            assertEquals(0, off);
            assertEquals(b.length, len);
            for (byte[] seen : arrays) assertFalse(seen == b, "array reused");
            arrays.add(b);
            bytes.write(b, off, len);
        }
    }

    @Test
    void copiesEveryByteInFreshArraysSmallFirst() throws IOException {
        byte[] data = new byte[10 * 1000 + 123];
        new Random(3).nextBytes(data);
        Recording out = new Recording();
        ReadAhead.copy(new ByteArrayInputStream(data), out, data.length, 100, 1000, 3);
        assertArrayEquals(data, out.bytes.toByteArray());
        assertEquals(100, out.arrays.getFirst().length);
        assertEquals(1000, out.arrays.get(1).length);
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
