package io.strata.tiering;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColdTiersTest {
    /** A tier that only records its close, and throws there if given an exception. */
    private record ClosingTier(String name, List<String> closed, RuntimeException failure) implements ColdTier {
        @Override
        public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputStream get(ColdObjectId id, ByteRange range) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ColdObjectInfo stat(ColdObjectId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(ColdObjectId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed.add(name);
            if (failure != null) throw failure;
        }
    }

    @Test
    void closeClosesEveryTierAndThrowsTheFirstFailureWithTheOthersSuppressed() {
        List<String> closed = new ArrayList<>();
        RuntimeException b = new IllegalStateException("B failed");
        RuntimeException d = new IllegalStateException("D failed");
        ColdTiers tiers = new ColdTiers();
        tiers.add("A", "ok", new ClosingTier("A", closed, null));
        tiers.add("B", "fails", new ClosingTier("B", closed, b));
        tiers.add("C", "ok", new ClosingTier("C", closed, null));
        tiers.add("D", "fails", new ClosingTier("D", closed, d));

        RuntimeException thrown = assertThrows(RuntimeException.class, tiers::close);
        assertSame(b, thrown);
        assertArrayEquals(new Throwable[]{d}, thrown.getSuppressed());
        assertEquals(List.of("A", "B", "C", "D"), closed);
        assertTrue(tiers.list().isEmpty());
    }
}
