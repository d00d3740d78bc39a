package io.strata.tiering;

import io.strata.erasure.BlobLocation;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DataRefTest {

    @Test
    void everyKindRoundTrips(@TempDir Path dir) {
        DataRef inline = new DataRef.Inline(new byte[]{1, 2, 3});
        assertEquals(inline, DataRef.decode(inline.encode()));
        assertArrayEquals(new byte[]{1, 2, 3}, ((DataRef.Inline) DataRef.decode(inline.encode())).data());

        DataRef head = new DataRef.Cold(Optional.of(new DataRef.ColdName("archive",
                new ColdObjectId("photos", "a/b ü.txt", "null.0f"), "STANDARD_IA")), 0, 1 << 20, new int[]{7, -1});
        assertEquals(head, DataRef.decode(head.encode()));
        assertEquals("STANDARD_IA", DataRef.decode(head.encode()).storageClass());
        DataRef continuation = new DataRef.Cold(Optional.empty(), 5L << 20, 1 << 20, new int[]{42});
        assertEquals(continuation, DataRef.decode(continuation.encode()));

        assertEquals(DataRef.Empty.INSTANCE, DataRef.decode(new byte[0]));

        try (ErasureStore store = ErasureStore.open(new ErasureConfig(java.util.List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 4096))) {
            BlobLocation location = store.write(new ByteArrayInputStream(new byte[10]), 10);
            DataRef hot = DataRef.decode(location.encode());
            assertInstanceOf(DataRef.Hot.class, hot);
            assertArrayEquals(location.encode(), hot.encode());
        }
    }

    @Test
    void storageClassOfDecodesOnlyColdAndSnapshotReferences(@TempDir Path dir) {
        DataRef cold = new DataRef.Cold(Optional.of(new DataRef.ColdName("archive",
                new ColdObjectId("photos", "k", "v1"), "GLACIER")), 0, 1 << 20, new int[]{7});
        assertEquals("GLACIER", DataRef.storageClassOf(cold.encode()));
        DataRef copiedCold = new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("att", "data/b/k/@id", "GLACIER")));
        assertEquals("GLACIER", DataRef.storageClassOf(copiedCold.encode()));
        assertEquals("STANDARD", DataRef.storageClassOf(new byte[0]));
        assertEquals("STANDARD", DataRef.storageClassOf(new DataRef.Inline(new byte[]{1, 2, 3}).encode()));
        try (ErasureStore store = ErasureStore.open(new ErasureConfig(java.util.List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 4096))) {
            assertEquals("STANDARD", DataRef.storageClassOf(store.write(new ByteArrayInputStream(new byte[10]), 10).encode()));
        }
        // A hot or inline body is not decoded (its class is STANDARD whatever it holds); a cold one is.
        assertEquals("STANDARD", DataRef.storageClassOf(new byte[]{DataRef.INLINE, 2, 0, 0, 0, 0, 9}));
        assertThrows(IllegalArgumentException.class, () -> DataRef.storageClassOf(new byte[]{DataRef.COLD, 9}));
    }

    @Test
    void aSnapshotSegmentRoundTripsWithItsRepositoryPathOrColdObject() {
        DataRef inRepository = new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("att", "data/b/k/@id", Optional.empty())));
        assertEquals(inRepository, DataRef.decode(inRepository.encode()));
        assertEquals("STANDARD", inRepository.storageClass());
        DataRef cold = new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("att", "", Optional.of(
                new DataRef.ColdName("archive", new ColdObjectId("b", "k ü", "v1"), "GLACIER")))));
        assertEquals(cold, DataRef.decode(cold.encode()));
        assertEquals("GLACIER", DataRef.decode(cold.encode()).storageClass());
        DataRef copiedCold = new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("att", "data/b/k/@id", "GLACIER")));
        assertEquals(copiedCold, DataRef.decode(copiedCold.encode()));
        assertEquals("GLACIER", DataRef.decode(copiedCold.encode()).storageClass());
        DataRef continuation = new DataRef.Snapshot(Optional.empty());
        assertEquals(continuation, DataRef.decode(continuation.encode()));
        // Format 1 as first written: tag, format, kind 1, then length-prefixed source and path.
        assertEquals(new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("a", "d/x", Optional.empty()))),
                DataRef.decode(new byte[]{DataRef.SNAPSHOT, 1, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 3, 'd', '/', 'x'}));
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(new byte[]{DataRef.SNAPSHOT, 2, 0}));
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(new byte[]{DataRef.SNAPSHOT, 1, 1, 0, 0, 0, 9}));
    }

    @Test
    void garbageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(new byte[]{DataRef.COLD, 1, 1, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(new byte[]{DataRef.INLINE, 9}));
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(new byte[]{(byte) 0x77, 1, 2}));
    }

    @Test
    void inlineBytesFailingTheirCrcAreRefused() {
        byte[] ref = new DataRef.Inline(new byte[]{1, 2, 3, 4}).encode();
        ref[ref.length - 1] ^= 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataRef.decode(ref));
        assertEquals("inline segment fails its CRC32C check", e.getMessage());
        byte[] tornHeader = new byte[]{DataRef.INLINE, 2, 0};
        assertThrows(IllegalArgumentException.class, () -> DataRef.decode(tornHeader));
    }

    @Test
    void inlineFormatOneWithoutCrcIsStillRead() {
        assertArrayEquals(new byte[]{5, 6}, ((DataRef.Inline) DataRef.decode(new byte[]{DataRef.INLINE, 1, 5, 6})).data());
    }

    @Test
    void inlineEncodesASliceAndStreamsARange() throws Exception {
        byte[] ref = DataRef.Inline.encode(new byte[]{9, 1, 2, 3, 9}, 1, 3);
        DataRef.Inline inline = (DataRef.Inline) DataRef.decode(ref);
        assertEquals(3, inline.length());
        assertArrayEquals(new byte[]{2, 3}, inline.open(1, 2).readAllBytes());
        assertThrows(IndexOutOfBoundsException.class, () -> inline.open(2, 2));
    }
}
