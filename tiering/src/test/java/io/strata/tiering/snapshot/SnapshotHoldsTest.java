package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SnapshotHolds}: the hold documents other sites' GC reads (docs/snapshot-format.md §9). */
class SnapshotHoldsTest {
    @TempDir
    Path dir;

    @Test
    void aHoldIsOneDocumentWithSiteSnapshotCreatedAndPurposeUntilReleased() throws IOException {
        try (SnapshotRepository repo = LocalDirectoryRepository.create(dir)) {
            Instant t = Instant.parse("2026-12-06T18:02:11.123Z");
            String path = SnapshotHolds.place(repo, "3f9a0c1d22b7e4a6", "restore-5e0c9a1b2f44", "20261206T173000Z-7f3a09c2", t,
                    SnapshotHolds.Purpose.RESTORE);
            assertEquals("holds/3f9a0c1d22b7e4a6-restore-5e0c9a1b2f44.json", path);
            String doc = Files.readString(dir.resolve(path), StandardCharsets.UTF_8);
            assertEquals(Map.of("site", "3f9a0c1d22b7e4a6", "snapshot", "20261206T173000Z-7f3a09c2",
                    "created", "2026-12-06T18:02:11.123Z", "purpose", "restore"), Json.parse(doc));
            // Placing it again keeps the one there.
            SnapshotHolds.place(repo, "3f9a0c1d22b7e4a6", "restore-5e0c9a1b2f44", "20261206T173000Z-7f3a09c2", t.plusSeconds(1),
                    SnapshotHolds.Purpose.RESTORE);
            assertEquals(doc, Files.readString(dir.resolve(path), StandardCharsets.UTF_8));
            SnapshotHolds.release(repo, "3f9a0c1d22b7e4a6", "restore-5e0c9a1b2f44");
            assertEquals(Optional.empty(), repo.size(path));
            SnapshotHolds.release(repo, "3f9a0c1d22b7e4a6", "restore-5e0c9a1b2f44");
        }
    }

    @Test
    void refusesNamesThatAreNotOnePathSegment() {
        for (String bad : new String[]{"", "-x", "a/b", "..", "A", "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> SnapshotHolds.path(bad, "restore-1"), bad);
            assertThrows(IllegalArgumentException.class, () -> SnapshotHolds.path("abc", bad), bad);
        }
        assertTrue(SnapshotHolds.path("abc", "attach-1").startsWith(SnapshotHolds.DIR));
    }
}
