package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HealerTest {
    private static final HealConfig FAST = new HealConfig(0, Duration.ofDays(1), Duration.ZERO, Duration.ZERO, 100);

    @TempDir
    Path dir;

    private final Random random = new Random(23);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) c.close();
    }

    private DriveErasureStore open() {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < 6; i++) paths.add(dir.resolve("d" + i));
        DriveErasureStore store = (DriveErasureStore) ErasureStore.open(new ErasureConfig(paths, 4, 2, 4096));
        opened.add(store);
        return store;
    }

    private Healer healer(ErasureStore store) {
        Healer healer = Healer.start(store, FAST);
        opened.add(healer);
        return healer;
    }

    /** Polls until {@code done}; the test's timeout bounds the wait. */
    private static void await(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) Thread.sleep(10);
    }

    private List<ErasureBlobLocation> writeBlobs(ErasureStore store, int count) {
        List<ErasureBlobLocation> locations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[1 + random.nextInt(30_000)];
            random.nextBytes(data);
            locations.add((ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length, BlobOwner.object("b", "k" + i)));
        }
        return locations;
    }

    private static List<byte[]> shardBytes(DriveErasureStore store, ErasureBlobLocation location) throws IOException {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < location.totalShards(); i++) {
            all.add(Files.readAllBytes(store.drive(location.drive(i)).shardPath(location.blobId(), i)));
        }
        return all;
    }

    @Test
    void aReplacedEmptyDriveIsRebuiltCompletelyAndGoesOnline() throws Exception {
        DriveErasureStore first = open();
        List<ErasureBlobLocation> locations = writeBlobs(first, 40);
        List<List<byte[]>> originals = new ArrayList<>();
        for (ErasureBlobLocation l : locations) originals.add(shardBytes(first, l));
        first.close();
        try (Stream<Path> files = Files.walk(dir.resolve("d2"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        DriveErasureStore store = open();
        assertEquals(DriveStatus.State.REPLACED, store.drives().get(2).state());
        Healer healer = healer(store); // a degraded store gets a pass at once
        await(() -> healer.status().passes() >= 1);
        for (int i = 0; i < locations.size(); i++) {
            List<byte[]> now = shardBytes(store, locations.get(i));
            for (int s = 0; s < 6; s++) assertArrayEquals(originals.get(i).get(s), now.get(s), "blob " + i + " shard " + s);
        }
        HealStatus status = healer.status();
        assertEquals(DriveStatus.State.ONLINE, status.drives().get(2).state());
        assertEquals(40, status.lastPass().blobsScanned());
        assertEquals(40, status.lastPass().blobsHealed());
        assertEquals(40, status.lastPass().shardsRebuilt());
        assertEquals(0, status.lastPass().blobsFailed());
        assertTrue(status.lastPass().bytesWritten() > 0);
    }

    @Test
    void aReadThatRebuiltAShardQueuesTheBlobForHeal() throws Exception {
        DriveErasureStore store = open();
        Healer healer = healer(store);
        ErasureBlobLocation location = writeBlobs(store, 1).getFirst();
        Path shard = store.drive(location.drive(1)).shardPath(location.blobId(), 1);
        byte[] original = Files.readAllBytes(shard);
        Files.delete(shard);
        try (InputStream in = store.read(location, 0, location.size())) {
            in.readAllBytes();
        }
        await(() -> healer.status().total().shardsRebuilt() >= 1);
        assertArrayEquals(original, Files.readAllBytes(shard));
        assertEquals(0, healer.status().passes(), "healed by the queue, not by a pass");
    }

    @Test
    void aScrubPassFindsBitrotAndRepairsIt() throws Exception {
        DriveErasureStore store = open();
        List<ErasureBlobLocation> locations = writeBlobs(store, 10);
        Healer healer = healer(store);
        ErasureBlobLocation victim = locations.get(4);
        Path shard = store.drive(victim.drive(5)).shardPath(victim.blobId(), 5);
        byte[] original = Files.readAllBytes(shard);
        try (FileChannel channel = FileChannel.open(shard, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) ~original[original.length - 9]}), original.length - 9);
        }
        healer.requestPass(false);
        await(() -> healer.status().passes() >= 1);
        assertEquals(0, healer.status().lastPass().corruptBlocks(), "a heal pass does not read blocks");
        healer.requestPass(true);
        await(() -> healer.status().passes() >= 2);
        HealStatus status = healer.status();
        assertTrue(status.scrub());
        assertEquals(10, status.lastPass().blobsScanned());
        assertEquals(1, status.lastPass().corruptBlocks());
        assertEquals(1, status.lastPass().shardsRebuilt());
        assertArrayEquals(original, Files.readAllBytes(shard));
        // the drives remember the scrub, so a restart does not postpone the next one
        java.time.Instant scrubbed = store.lastScrub();
        assertEquals(status.lastPassFinished().orElseThrow().toEpochMilli(), scrubbed.toEpochMilli());
        Healer restarted = Healer.start(store, new HealConfig(0, Duration.ofDays(1), Duration.ofDays(7), Duration.ZERO, 10));
        opened.add(restarted);
        assertEquals(scrubbed.plus(Duration.ofDays(7)), restarted.nextScrub());
    }

    @Test
    void aDriveVanishingWhileRunningIsRecreatedAndRebuiltByAPassOfItsOwn() throws Exception {
        DriveErasureStore store = open();
        store.retryPause(Duration.ZERO);
        List<ErasureBlobLocation> locations = writeBlobs(store, 12);
        List<List<byte[]>> originals = new ArrayList<>();
        for (ErasureBlobLocation l : locations) originals.add(shardBytes(store, l));
        Healer healer = healer(store);
        try (Stream<Path> files = Files.walk(dir.resolve("d3"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        for (ErasureBlobLocation l : locations) {
            try (InputStream in = store.read(l, 0, l.size())) {
                in.readAllBytes(); // the first read finds the drive gone, a later one probes it back
            }
        }
        await(() -> healer.status().passes() >= 1 && store.drives().get(3).state() == DriveStatus.State.ONLINE);
        for (int i = 0; i < locations.size(); i++) {
            List<byte[]> now = shardBytes(store, locations.get(i));
            for (int s = 0; s < 6; s++) assertArrayEquals(originals.get(i).get(s), now.get(s), "blob " + i + " shard " + s);
        }
    }
}
