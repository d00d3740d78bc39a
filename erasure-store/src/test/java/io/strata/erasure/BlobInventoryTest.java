package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobInventoryTest {
    @TempDir
    Path dir;

    private final Random random = new Random(7);
    private final List<ErasureStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(ErasureStore::close);
    }

    private DriveErasureStore open(int drives) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < drives; i++) paths.add(dir.resolve("drive" + i));
        DriveErasureStore store = (DriveErasureStore) ErasureStore.open(new ErasureConfig(paths, 4, 2, 4096));
        opened.add(store);
        return store;
    }

    private List<ErasureBlobLocation> writeBlobs(ErasureStore store, int count) {
        List<ErasureBlobLocation> locations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[1 + random.nextInt(40_000)];
            random.nextBytes(data);
            locations.add((ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length));
        }
        return locations;
    }

    private static Map<String, StoredBlob> inventory(ErasureStore store) {
        Map<String, StoredBlob> found = new HashMap<>();
        store.forEachBlob(blob -> found.put(blob.id(), blob));
        return found;
    }

    @Test
    void rebuildsTheFullPlacementWhenShardsAreMissingOnSomeDrives() throws IOException {
        DriveErasureStore store = open(6);
        List<ErasureBlobLocation> locations = writeBlobs(store, 30);
        for (ErasureBlobLocation location : locations) {
            // the same two shards of every blob lost: their drives appear nowhere in the listing
            Files.delete(store.drive(location.drive(0)).shardPath(location.blobId(), 0));
            Files.delete(store.drive(location.drive(5)).shardPath(location.blobId(), 5));
        }
        Map<String, StoredBlob> found = inventory(store);
        assertEquals(30, found.size());
        for (ErasureBlobLocation location : locations) {
            StoredBlob blob = found.get(location.id());
            assertEquals(location, blob.location());
            assertEquals(4, blob.shardsPresent());
        }
    }

    @Test
    void findsBlobsWrittenBeforeTheDriveListGrew() {
        List<ErasureBlobLocation> locations = writeBlobs(open(6), 20);
        DriveErasureStore grown = open(8);
        List<ErasureBlobLocation> later = writeBlobs(grown, 20);
        Map<String, StoredBlob> found = inventory(grown);
        assertEquals(40, found.size());
        for (ErasureBlobLocation location : locations) assertEquals(location, found.get(location.id()).location());
        for (ErasureBlobLocation location : later) assertEquals(location, found.get(location.id()).location());
    }

    @Test
    void reportsTheNewestShardModificationTime() throws IOException {
        DriveErasureStore store = open(6);
        ErasureBlobLocation location = writeBlobs(store, 1).getFirst();
        Instant old = Instant.parse("2020-01-01T00:00:00Z");
        Instant newer = Instant.parse("2021-06-01T00:00:00Z");
        for (int shard = 0; shard < 6; shard++) {
            Path file = store.drive(location.drive(shard)).shardPath(location.blobId(), shard);
            Files.setLastModifiedTime(file, FileTime.from(shard == 3 ? newer : old));
        }
        assertEquals(newer, inventory(store).get(location.id()).lastModified());
    }

    @Test
    void aCorruptHeaderIsSkippedInFavourOfAnotherShard() throws IOException {
        DriveErasureStore store = open(6);
        ErasureBlobLocation location = writeBlobs(store, 1).getFirst();
        Path first = store.drive(location.drive(0)).shardPath(location.blobId(), 0);
        byte[] bytes = Files.readAllBytes(first); // a test-sized shard
        bytes[10] ^= 1;
        Files.write(first, bytes);
        assertEquals(location, inventory(store).get(location.id()).location());
    }

    @Test
    void ignoresStrayFilesAndAVanishedDrive() throws IOException {
        DriveErasureStore store = open(6);
        List<ErasureBlobLocation> locations = writeBlobs(store, 10);
        Path leaf = store.drive(0).blobsDir().resolve("zz");
        Files.createDirectories(leaf);
        Files.writeString(store.drive(1).blobsDir().resolve("notes.txt"), "hello");
        deleteTree(dir.resolve("drive2"));
        Map<String, StoredBlob> found = inventory(store);
        assertEquals(10, found.size());
        for (ErasureBlobLocation location : locations) {
            assertEquals(location, found.get(location.id()).location());
            assertTrue(found.get(location.id()).shardsPresent() == 5);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
