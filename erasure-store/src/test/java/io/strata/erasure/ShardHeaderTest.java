package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardHeaderTest {
    private static final ErasureBlobLocation LOCATION = new ErasureBlobLocation(new BlobId(0x0123456789abcdefL, -2L),
            123_456L, 4, 2, 4096, new int[] {3, 4, 5, 0, 1, 2});

    @TempDir
    Path dir;

    @Test
    void version2RoundTripsLayoutPlacementAndOwner() {
        for (BlobOwner owner : List.of(BlobOwner.UNKNOWN, BlobOwner.object("photos", "2024/été/ü.jpg"),
                BlobOwner.part("b", "big.bin", "upload-7f3a", 10_000))) {
            ShardHeader header = ShardHeader.of(LOCATION, 4, owner);
            byte[] bytes = header.encode();
            assertEquals(header.length(), bytes.length);
            ShardHeader decoded = ShardHeader.decode(Arrays.copyOf(bytes, ShardHeader.MAX_SIZE), bytes.length + 100);
            assertEquals(header, decoded);
            assertEquals(owner, decoded.owner());
            assertArrayEquals(LOCATION.drives(), decoded.placement());
            assertTrue(decoded.describes(LOCATION, 4));
            assertFalse(decoded.describes(LOCATION, 3));
        }
    }

    @Test
    void version1BytesStillDecode() {
        // bytes as the version-1 writer produced them, pinned so a change of the decoder shows
        byte[] v1 = HexFormat.of().parseHex("5354534800010004000400020000100000000000"
                + "0001e2400123456789abcdeffffffffffffffffe");
        byte[] bytes = Arrays.copyOf(v1, ShardHeader.V1_SIZE);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 40);
        java.nio.ByteBuffer.wrap(bytes).putInt(40, (int) crc.getValue());
        ShardHeader decoded = ShardHeader.decode(bytes, bytes.length);
        assertEquals(ShardHeader.v1(LOCATION, 4), decoded);
        assertArrayEquals(bytes, decoded.encode());
        assertEquals(BlobOwner.UNKNOWN, decoded.owner());
        assertNull(decoded.placement());
        assertEquals(44, decoded.blockPosition(0));
        assertTrue(decoded.describes(LOCATION, 4));
    }

    @Test
    void anyFlippedHeaderByteIsRejected() {
        byte[] bytes = ShardHeader.of(LOCATION, 1, BlobOwner.object("bucket", "key")).encode();
        for (int i = 0; i < bytes.length; i++) {
            byte[] copy = bytes.clone();
            copy[i] ^= 0x10;
            ShardHeader decoded = ShardHeader.decode(copy, copy.length);
            assertTrue(decoded == null || !decoded.describes(LOCATION, 1) || !decoded.owner().equals(BlobOwner.object("bucket", "key")),
                    "byte " + i);
        }
        assertNull(ShardHeader.decode(bytes, bytes.length - 1));
    }

    @Test
    void theLargestOwnerFitsTheHeaderReadSize() {
        int[] drives = new int[256];
        for (int i = 0; i < drives.length; i++) drives[i] = i;
        ErasureBlobLocation wide = new ErasureBlobLocation(new BlobId(1, 2), 10, 200, 56, 4096, drives);
        BlobOwner owner = new BlobOwner("b".repeat(255), "k".repeat(1024), "u".repeat(1024), 1);
        assertTrue(ShardHeader.of(wide, 0, owner).length() <= ShardHeader.MAX_SIZE);
        assertThrows(IllegalArgumentException.class, () -> BlobOwner.object("b", "k".repeat(1025)));
        assertThrows(IllegalArgumentException.class, () -> new BlobOwner("b", "k", "upload", 0));
    }

    @Test
    void shardFilesRecordTheOwnerAndTheInventoryReportsIt() {
        ErasureStore store = ErasureStore.open(config());
        try {
            BlobOwner owner = BlobOwner.part("bkt", "dir/obj", "up1", 3);
            BlobLocation location = store.write(new ByteArrayInputStream(new byte[9000]), 9000, owner);
            List<StoredBlob> found = new ArrayList<>();
            store.forEachBlob(found::add);
            assertEquals(1, found.size());
            assertEquals(location, found.getFirst().location());
            assertEquals(owner, found.getFirst().owner());
        } finally {
            store.close();
        }
    }

    @Test
    void blobsWithVersion1ShardFilesStillReadAndAreInventoried() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = (DriveErasureStore) ErasureStore.open(config);
        try {
            byte[] data = new byte[3 * 4 * 4096 + 77];
            new Random(3).nextBytes(data);
            ErasureBlobLocation location = (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length,
                    BlobOwner.object("b", "k"));
            int v2Length = ShardHeader.of(location, 0, BlobOwner.object("b", "k")).length();
            for (int shard = 0; shard < 6; shard++) {
                Path file = store.drive(location.drive(shard)).shardPath(location.blobId(), shard);
                byte[] bytes = Files.readAllBytes(file); // test-sized shard
                byte[] v1 = ShardHeader.v1(location, shard).encode();
                byte[] rewritten = new byte[v1.length + bytes.length - v2Length];
                System.arraycopy(v1, 0, rewritten, 0, v1.length);
                System.arraycopy(bytes, v2Length, rewritten, v1.length, bytes.length - v2Length);
                Files.write(file, rewritten);
            }
            try (InputStream in = store.read(location, 0, data.length)) {
                assertArrayEquals(data, in.readAllBytes());
            }
            assertEquals(0, store.rebuiltShards());
            Files.delete(store.drive(location.drive(0)).shardPath(location.blobId(), 0));
            List<StoredBlob> found = new ArrayList<>();
            store.forEachBlob(found::add);
            assertEquals(location, found.getFirst().location());
            assertEquals(BlobOwner.UNKNOWN, found.getFirst().owner());
        } finally {
            store.close();
        }
    }

    private ErasureConfig config() {
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 6; i++) drives.add(dir.resolve("d" + i));
        return new ErasureConfig(drives, 4, 2, 4096);
    }
}
