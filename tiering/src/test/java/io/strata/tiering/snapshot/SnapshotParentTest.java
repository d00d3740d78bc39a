package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SnapshotExports#newestCovering}: the parent a new export is incremental from is the newest
 * snapshot as taken (source sequence, then time), whatever its id says. Roots are written by hand
 * so that ids sort differently from the order the snapshots were taken in.
 */
class SnapshotParentTest {
    @TempDir
    Path dir;
    SnapshotRepository repo;

    @BeforeEach
    void open() throws IOException {
        repo = LocalDirectoryRepository.create(dir);
        Files.writeString(dir.resolve(SnapshotFormat.MARKER), SnapshotFormat.marker());
        Files.createDirectories(dir.resolve("snapshots"));
        Files.createDirectories(dir.resolve("forgotten"));
    }

    private void root(String id, long sequence, String takenAt, String... buckets) throws IOException {
        List<SnapshotRoot.BucketRoot> bs = java.util.Arrays.stream(buckets).map(b -> new SnapshotRoot.BucketRoot(b,
                Instant.parse("2026-12-01T00:00:00Z"), "us-east-1", "owner", "Enabled", Map.of(), List.of())).toList();
        SnapshotRoot r = new SnapshotRoot(SnapshotFormat.MAJOR, SnapshotFormat.MINOR, id, Optional.empty(), sequence,
                Instant.parse(takenAt), false, bs, Map.of());
        Files.writeString(dir.resolve(SnapshotFormat.rootPath(id)), r.encode(), StandardCharsets.UTF_8);
    }

    private Optional<String> parent(String... buckets) {
        return SnapshotExports.newestCovering(repo, List.of(buckets)).map(SnapshotRoot::snapshot);
    }

    @Test
    void theParentIsTheNewestSnapshotTakenNotTheGreatestId() throws IOException {
        // Taken first while the clock ran an hour ahead; the clock was then stepped back.
        root("20261206T190000Z-00000001", 100, "2026-12-06T19:00:00Z", "a", "b");
        root("20261206T180500Z-ffffffff", 250, "2026-12-06T18:05:00Z", "a", "b");
        // Two ids of one second are ordered by their random suffix, not by when they were taken.
        root("20261206T181000Z-ffffffff", 300, "2026-12-06T18:10:00Z", "a");
        root("20261206T181000Z-00000000", 310, "2026-12-06T18:10:00Z", "a");

        assertEquals(Optional.of("20261206T180500Z-ffffffff"), parent("a", "b"));
        assertEquals(Optional.of("20261206T181000Z-00000000"), parent("a"));
        assertEquals(Optional.empty(), parent("c"));
    }

    @Test
    void aForgottenRootStillInPlaceAndARootThatDoesNotReadAreNoParents() throws IOException {
        root("20261206T180000Z-00000001", 100, "2026-12-06T18:00:00Z", "a");
        root("20261206T180100Z-00000002", 200, "2026-12-06T18:01:00Z", "a");
        root("20261206T180200Z-00000003", 300, "2026-12-06T18:02:00Z", "a");
        // A forget copies the root to forgotten/ and then deletes it; one stopped in between left both.
        Files.copy(dir.resolve(SnapshotFormat.rootPath("20261206T180200Z-00000003")),
                dir.resolve("forgotten/20261206T180200Z-00000003.json"));
        // A root cut short (a torn copy of the repository) is no parent either.
        Files.writeString(dir.resolve(SnapshotFormat.rootPath("20261206T180300Z-00000004")), "{\"format\":");

        assertEquals(Optional.of("20261206T180100Z-00000002"), parent("a"));
    }
}
