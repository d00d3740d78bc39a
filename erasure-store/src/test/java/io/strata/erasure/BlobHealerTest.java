package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobHealerTest {
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private final Random random = new Random(17);
    private final DriveStateTest.MutableClock clock = new DriveStateTest.MutableClock();
    private DriveErasureStore store;

    @BeforeEach
    void open() {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < 6; i++) paths.add(dir.resolve("d" + i));
        store = DriveErasureStore.open(new ErasureConfig(paths, 4, 2, BLOCK), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private ErasureBlobLocation write(byte[] data, BlobOwner owner) {
        return (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length, owner);
    }

    private Path shard(ErasureBlobLocation location, int shard) {
        return store.drive(location.drive(shard)).shardPath(location.blobId(), shard);
    }

    /** Every shard file's bytes (test-sized blobs). */
    private List<byte[]> shardBytes(ErasureBlobLocation location) throws IOException {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < location.totalShards(); i++) all.add(Files.readAllBytes(shard(location, i)));
        return all;
    }

    private void assertShardsIdentical(List<byte[]> expected, ErasureBlobLocation location) throws IOException {
        List<byte[]> actual = shardBytes(location);
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "shard " + i);
    }

    private byte[] read(ErasureBlobLocation location) throws IOException {
        try (InputStream in = store.read(location, 0, location.size())) {
            return in.readAllBytes();
        }
    }

    private static void flip(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x21)).rewind();
            channel.write(one, position);
        }
    }

    private List<Path> tempFiles() throws IOException {
        List<Path> temps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Stream<Path> files = Files.list(dir.resolve("d" + i).resolve("tmp"))) {
                temps.addAll(files.toList());
            }
        }
        return temps;
    }

    @Test
    void rebuildsEveryPairOfMissingShardsByteIdentical() throws IOException {
        byte[] data = randomBytes(3 * 4 * BLOCK + 1234);
        ErasureBlobLocation location = write(data, BlobOwner.object("bucket", "key"));
        List<byte[]> original = shardBytes(location);
        for (int a = 0; a < 6; a++) {
            for (int b = a + 1; b < 6; b++) {
                Files.delete(shard(location, a));
                Files.delete(shard(location, b));
                HealResult result = store.heal(location);
                assertEquals(HealResult.Outcome.HEALED, result.outcome(), a + "," + b);
                assertEquals(2, result.shardsRebuilt());
                assertShardsIdentical(original, location);
            }
        }
        assertEquals(HealResult.Outcome.HEALTHY, store.heal(location).outcome());
        assertEquals(List.of(), tempFiles());
        assertArrayEquals(data, read(location));
    }

    @Test
    void scrubFindsAndRepairsBitrotThatAPlainHealDoesNotLookFor() throws IOException {
        byte[] data = randomBytes(2 * 4 * BLOCK + 99);
        ErasureBlobLocation location = write(data, BlobOwner.object("b", "k"));
        List<byte[]> original = shardBytes(location);
        long position = ShardHeader.of(location, 5, BlobOwner.object("b", "k")).blockPosition(1) + 17;
        flip(shard(location, 5), position);
        assertEquals(HealResult.Outcome.HEALTHY, store.heal(location).outcome());
        HealResult scrub = store.heal(location, true);
        assertEquals(HealResult.Outcome.HEALED, scrub.outcome());
        assertEquals(1, scrub.corruptBlocks());
        assertEquals(1, scrub.shardsRebuilt());
        assertShardsIdentical(original, location);
        HealResult again = store.heal(location, true);
        assertEquals(HealResult.Outcome.HEALTHY, again.outcome());
        assertEquals(0, again.corruptBlocks());
    }

    @Test
    void aCorruptSourceFoundDuringTheRebuildIsRebuiltToo() throws IOException {
        byte[] data = randomBytes(3 * 4 * BLOCK);
        ErasureBlobLocation location = write(data, BlobOwner.UNKNOWN);
        List<byte[]> original = shardBytes(location);
        Files.delete(shard(location, 0));
        flip(shard(location, 1), ShardHeader.of(location, 1, BlobOwner.UNKNOWN).blockPosition(2) + 5);
        HealResult result = store.heal(location);
        assertEquals(HealResult.Outcome.HEALED, result.outcome());
        assertEquals(2, result.shardsRebuilt());
        assertEquals(1, result.corruptBlocks());
        assertShardsIdentical(original, location);
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void aHeaderOfAnotherBlobIsReplaced() throws IOException {
        ErasureBlobLocation location = write(randomBytes(20_000), BlobOwner.object("b", "one"));
        ErasureBlobLocation other = write(randomBytes(20_000), BlobOwner.object("b", "two"));
        List<byte[]> original = shardBytes(location);
        Files.copy(shard(other, 2), shard(location, 2), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        HealResult result = store.heal(location);
        assertEquals(HealResult.Outcome.HEALED, result.outcome());
        assertShardsIdentical(original, location);
    }

    @Test
    void threeMissingShardsIsLostAndWritesNothing() throws IOException {
        ErasureBlobLocation location = write(randomBytes(30_000), BlobOwner.UNKNOWN);
        for (int shard : new int[] {0, 2, 4}) Files.delete(shard(location, shard));
        assertEquals(HealResult.Outcome.LOST, store.heal(location).outcome());
        for (int shard : new int[] {0, 2, 4}) assertFalse(Files.exists(shard(location, shard)));
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void aDeletedBlobIsGoneAndAnEmptyOneHealthy() {
        ErasureBlobLocation location = write(randomBytes(5000), BlobOwner.UNKNOWN);
        store.delete(location);
        assertEquals(HealResult.Outcome.GONE, store.heal(location).outcome());
        assertEquals(HealResult.Outcome.HEALTHY, store.heal(write(new byte[0], BlobOwner.UNKNOWN)).outcome());
    }

    @Test
    void shardsOnADriveOutOfServiceWaitUntilItIsBack() throws IOException {
        byte[] data = randomBytes(40_000);
        ErasureBlobLocation location = write(data, BlobOwner.UNKNOWN);
        List<byte[]> original = shardBytes(location);
        int drive = location.drive(3);
        Files.delete(shard(location, 3));
        store.driveError(drive, new IOException("injected EIO"));
        assertEquals(HealResult.Outcome.PARTIAL, store.heal(location).outcome());
        assertFalse(Files.exists(shard(location, 3)));
        clock.advance(DriveErasureStore.DEFAULT_RETRY_PAUSE);
        assertEquals(HealResult.Outcome.HEALED, store.heal(location).outcome());
        assertShardsIdentical(original, location);
    }

    @Test
    void aVersion1BlobIsHealedWithVersion2ShardsThatReadBack() throws IOException {
        byte[] data = randomBytes(2 * 4 * BLOCK + 7);
        ErasureBlobLocation location = write(data, BlobOwner.UNKNOWN);
        int v2Length = ShardHeader.of(location, 0, BlobOwner.UNKNOWN).length();
        for (int i = 0; i < 6; i++) {
            byte[] bytes = Files.readAllBytes(shard(location, i));
            byte[] v1 = ShardHeader.v1(location, i).encode();
            byte[] rewritten = new byte[v1.length + bytes.length - v2Length];
            System.arraycopy(v1, 0, rewritten, 0, v1.length);
            System.arraycopy(bytes, v2Length, rewritten, v1.length, bytes.length - v2Length);
            Files.write(shard(location, i), rewritten);
        }
        Files.delete(shard(location, 1));
        assertEquals(HealResult.Outcome.HEALED, store.heal(location).outcome());
        try (FileChannel channel = FileChannel.open(shard(location, 1), StandardOpenOption.READ)) {
            assertEquals(ShardHeader.VERSION_2, ShardHeader.read(channel).version());
        }
        long rebuiltBefore = store.rebuiltShards();
        assertArrayEquals(data, read(location));
        assertEquals(rebuiltBefore, store.rebuiltShards(), "no shard needed rebuilding on read");
    }

    @Test
    void theRebuiltHeaderKeepsTheOwner() throws IOException {
        BlobOwner owner = BlobOwner.part("bkt", "big/file", "upload-1", 7);
        ErasureBlobLocation location = write(randomBytes(9000), owner);
        Files.delete(shard(location, 0));
        store.heal(location);
        try (FileChannel channel = FileChannel.open(shard(location, 0), StandardOpenOption.READ)) {
            assertEquals(owner, ShardHeader.read(channel).owner());
        }
    }
}
