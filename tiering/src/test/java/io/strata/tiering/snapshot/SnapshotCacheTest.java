package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot cache's bounds: bytes, and files, so that tiny objects cannot grow its in-memory index without end. */
class SnapshotCacheTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    private static void fill(SnapshotCache cache, String name) throws Exception {
        try (FileChannel ch = cache.open("g", name, target -> Files.write(target, new byte[16]))) {
            assertEquals(16, ch.size());
        }
    }

    @Test
    void tinyFilesAreEvictedAtTheFileBoundLongBeforeTheByteBound() throws Exception {
        SnapshotCache cache = SnapshotCache.open(dir.resolve("c"), GIB, 3);
        for (int i = 0; i < 5; i++) fill(cache, "f" + i);
        assertEquals(3, cache.files());
        assertEquals(3 * 16, cache.bytes());
        assertFalse(Files.exists(dir.resolve("c").resolve("g").resolve("f0")), "least recently used: gone");
        long misses = cache.misses();
        fill(cache, "f4");
        assertEquals(misses, cache.misses(), "most recently used: kept");
    }

    @Test
    void aReopenedCacheIndexesOnlyTheNewestFilesWithinItsFileBound() throws Exception {
        Path g = Files.createDirectories(dir.resolve("c").resolve("g"));
        for (int i = 0; i < 5; i++) {
            Path f = Files.write(g.resolve("f" + i), new byte[16]);
            Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        SnapshotCache cache = SnapshotCache.open(dir.resolve("c"), GIB, 3);
        assertEquals(3, cache.files());
        for (int i = 0; i < 5; i++) assertEquals(i >= 2, Files.exists(g.resolve("f" + i)), "f" + i);
        assertTrue(cache.bytes() <= 3 * 16);
    }
}
