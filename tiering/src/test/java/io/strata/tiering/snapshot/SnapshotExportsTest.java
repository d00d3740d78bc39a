package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable exports in one process, into a local-directory repository: resume from the cursor after a
 * failure, finish cleanly, abort without a trace.
 */
class SnapshotExportsTest {
    private static final BucketName B = new BucketName("bkt");
    /** About 16 keys per range: many range files, hence many resume points. */
    private static final SnapshotExporter.Options OPTIONS = new SnapshotExporter.Options(false, 4, 65_536);

    @TempDir
    Path dir;
    SnapshotFixture fx;
    SnapshotRepository repo;
    Path work;
    /** Data reads allowed before the source "fails" (a stand-in for a stop); negative: unlimited. */
    final AtomicInteger readsLeft = new AtomicInteger(-1);

    @BeforeEach
    void open() throws Exception {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = createRepository();
        work = Files.createDirectories(dir.resolve("work"));
        fx.bucket("bkt");
        fx.namespace.setVersioning(B, BucketVersioning.ENABLED);
    }

    @AfterEach
    void close() {
        repo.close();
        fx.close();
    }

    /** The repository exported into; a local directory here, s3proxy in {@link S3SnapshotExportsTest}. */
    SnapshotRepository createRepository() throws Exception {
        return LocalDirectoryRepository.create(dir.resolve("repo"));
    }

    private SnapshotExports exports(SnapshotExporter.Options options) {
        VersionData failing = (v, offset, length) -> {
            if (readsLeft.get() >= 0 && readsLeft.getAndDecrement() <= 0) {
                throw new IllegalStateException("source read refused by the test");
            }
            return fx.data.open(v, offset, length);
        };
        return new SnapshotExports(fx.namespace, name -> {
            if (!name.equals("repo")) throw new SnapshotException(SnapshotException.Reason.NOT_FOUND, "no repository " + name);
            return repo;
        }, failing, work, options, Clock.systemUTC());
    }

    private void fill(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            fx.put("bkt", String.format("k%05d", i), new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, i % 3 != 0,
                    Instant.parse("2026-12-06T10:00:00Z")), bytes(i, 100 + i % 500));
        }
    }

    private List<String> repositoryPaths() {
        List<String> out = new ArrayList<>();
        repo.list("", out::add);
        return out;
    }

    private List<ObjectVersion> sourceVersions() {
        List<ObjectVersion> out = new ArrayList<>();
        String km = "";
        String vm = "";
        VersionPage page;
        do {
            page = fx.namespace.listVersions(B, new VersionQuery("", "", km, vm, 1000));
            page.versions().forEach(e -> out.add(e.version()));
            km = page.nextKeyMarker();
            vm = page.nextVersionIdMarker();
        } while (page.truncated());
        return out;
    }

    /** Every export record, cursor and journal item of export {@code id}, and any snapshot mark. */
    private void assertNoTrace(long id, Path checkpoint) {
        assertTrue(fx.namespace.work(SnapshotExports.KIND, 100).isEmpty(), "export records left");
        assertTrue(fx.namespace.work(SnapshotExports.rangeKind(id), 100).isEmpty(), "cursor left");
        assertTrue(fx.namespace.work(SnapshotExports.uploadKind(id), 100).isEmpty(), "journal left");
        assertTrue(fx.namespace.work(SnapshotExports.ABORT_KIND, 100).isEmpty(), "abort record left");
        assertTrue(fx.namespace.garbageMarks().isEmpty(), "marks left: " + fx.namespace.garbageMarks());
        assertFalse(Files.exists(checkpoint), "checkpoint left: " + checkpoint);
    }

    @Test
    void aFinishedExportKeepsTheChangeLogAfterItsSequenceForTheNextIncremental() throws Exception {
        fill(0, 20);
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExporter.Result r = exports.resume(exports.start("repo", List.of(), Optional.empty()).id());
        long sequence = r.root().sequence();
        assertEquals(sequence, fx.namespace.changeFeed().cursor(SnapshotExports.CHANGE_CURSOR).orElseThrow().position());

        fill(20, 25);
        fx.namespace.changeFeed().trim();   // without the cursor, every entry would go
        assertEquals(5, fx.namespace.changeFeed().changes(sequence, 100).entries().size());

        SnapshotExporter.Result next = exports.resume(exports.start("repo", List.of(), Optional.of(r.root().snapshot())).id());
        assertEquals(next.root().sequence(), fx.namespace.changeFeed().cursor(SnapshotExports.CHANGE_CURSOR).orElseThrow().position());
    }

    @Test
    void aFinishedExportVerifiesAndReleasesItsMarkCheckpointAndRecords() throws Exception {
        fill(0, 200);
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.empty());
        assertEquals("snapshot:" + e.snapshot(), e.mark());
        assertTrue(fx.namespace.garbageMark(e.mark()).isPresent());
        assertTrue(Files.isDirectory(e.checkpoint()));

        SnapshotExporter.Result r = exports.resume(e.id());

        assertEquals(200, r.versions());
        assertEquals(200, r.dataUploaded());
        assertEquals(e.snapshot(), r.root().snapshot());
        assertTrue(SnapshotReader.open(repo, r.locator(), work).verify(1.0, 1).ok());
        assertNoTrace(e.id(), e.checkpoint());
    }

    @Test
    void aStoppedExportResumesAfterItsLastRangeFileAndWritesTheSameRangesWithExactCounters() throws Exception {
        fill(0, 400);
        fx.namespace.deleteObject(B, new ObjectKey("k00007"));
        List<ObjectVersion> source = sourceVersions();
        SnapshotExporter.Result straight;
        try (SnapshotRepository other = LocalDirectoryRepository.create(dir.resolve("other"))) {
            straight = new SnapshotExporter(other, fx.data, work, OPTIONS).snapshot(fx.namespace, List.of(B), Optional.empty());
        }
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExports.Export e = exports.start("repo", List.of(B), Optional.empty());
        // Writes after the checkpoint are not in the snapshot.
        fill(400, 420);

        readsLeft.set(150);
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        SnapshotExporter.Counters stopped = exports.progress(e.id());
        assertTrue(stopped.versions() > 0 && stopped.versions() < source.size(), "cursor: " + stopped);
        SnapshotExports.Export failed = exports.export(e.id()).orElseThrow();
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError().contains("refused by the test"), failed.lastError());
        assertFalse(repo.size(SnapshotFormat.rootPath(e.snapshot())).isPresent(), "no root before the end");

        readsLeft.set(-1);
        SnapshotExporter.Result r = exports.resume(e.id());

        assertEquals(source.size(), r.versions(), "every version of the checkpoint counted once");
        assertEquals(source.size() - 1, r.dataUploaded() + r.dataAlreadyPresent());
        assertTrue(r.dataAlreadyPresent() <= 150, "only the stopped attempt's uploads past the cursor: " + r.dataAlreadyPresent());
        List<SnapshotRoot.RangeRef> ranges = r.root().bucket("bkt").orElseThrow().ranges();
        // Range files written before the stop are neither written nor counted again.
        assertEquals(ranges.size(), r.rangesUploaded());
        assertEquals(0, r.rangesReused());
        assertEquals(source.size(), ranges.stream().mapToLong(SnapshotRoot.RangeRef::entries).sum());
        SnapshotReader reader = SnapshotReader.open(repo, r.locator(), work);
        assertTrue(reader.verify(1.0, 1).ok());
        List<SnapshotEntry> got = new ArrayList<>();
        reader.forEachEntry("bkt", got::add);
        assertEquals(source.stream().map(v -> v.key().value() + " " + v.versionId()).toList(),
                got.stream().map(x -> x.key() + " " + x.versionId()).toList());
        assertNoTrace(e.id(), e.checkpoint());

        // An export of the same versions in one go writes the same range files.
        assertEquals(straight.root().bucket("bkt").orElseThrow().ranges(), ranges);
    }

    @Test
    void abortAfterPartialProgressLeavesTheRepositoryExactlyAsBefore() throws Exception {
        fill(0, 100);
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExporter.Result first = exports.resume(exports.start("repo", List.of(), Optional.empty()).id());
        fill(100, 300);
        fx.namespace.deleteObject(B, new ObjectKey("k00003"));
        List<String> before = repositoryPaths();

        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.of(first.root().snapshot()));
        readsLeft.set(120);
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        assertTrue(exports.progress(e.id()).versions() > 0, "the aborted export had written range files");
        assertTrue(repositoryPaths().size() > before.size() + 100, "the aborted export had uploaded data");

        assertTrue(exports.abort(e.id()));

        assertEquals(before, repositoryPaths());
        assertNoTrace(e.id(), e.checkpoint());
        assertThrows(SnapshotException.class, () -> exports.resume(e.id()));
        assertTrue(SnapshotReader.open(repo, first.locator(), work).verify(1.0, 1).ok(), "the parent is intact");
    }

    @Test
    void abortOfTheFirstExportLeavesAnEmptyRepositoryEmpty() throws Exception {
        fill(0, 50);
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.empty());
        readsLeft.set(20);
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        assertFalse(repositoryPaths().isEmpty());

        assertTrue(exports.abort(e.id()));

        assertEquals(List.of(), repositoryPaths());
        assertNoTrace(e.id(), e.checkpoint());
    }

    @Test
    void resumeAllFinishesEveryRecordedExport() throws Exception {
        fill(0, 60);
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExports.Export a = exports.start("repo", List.of(), Optional.empty());
        SnapshotExports.Export b = exports.start("repo", List.of(B), Optional.empty());

        List<SnapshotExporter.Result> done = exports(OPTIONS).resumeAll();

        assertEquals(List.of(a.snapshot(), b.snapshot()), done.stream().map(r -> r.root().snapshot()).toList());
        assertTrue(exports.exports().isEmpty());
        assertTrue(fx.namespace.garbageMarks().isEmpty());
    }

    @Test
    void parallelUploadsWriteTheSameRangeFilesAsOneAtATime() throws Exception {
        fill(0, 300);
        List<List<String>> shas = new ArrayList<>();
        for (int parallel : new int[] {1, 8}) {
            try (SnapshotRepository r = LocalDirectoryRepository.create(dir.resolve("repo-" + parallel))) {
                SnapshotExporter.Result result = new SnapshotExporter(r, fx.data, work, OPTIONS.withParallelUploads(parallel))
                        .snapshot(fx.namespace, List.of(), Optional.empty());
                assertEquals(300, result.dataUploaded());
                assertTrue(SnapshotReader.open(r, result.locator(), work).verify(1.0, 1).ok());
                shas.add(result.root().bucket("bkt").orElseThrow().ranges().stream().map(SnapshotRoot.RangeRef::sha256).toList());
            }
        }
        assertEquals(shas.get(0), shas.get(1));
    }

    @Test
    void aSelfContainedExportCopiesColdVersionsAndKeepsTheChoiceWhenResumed() throws Exception {
        ObjectVersion v = fx.put("bkt", "cold", new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, false,
                Instant.parse("2026-12-06T10:00:00Z")), bytes(7, 200_000));
        assertEquals(io.strata.tiering.TierMover.Outcome.MOVED, fx.mover.toCold(v, "COLD"));
        SnapshotExports exports = exports(SnapshotExporter.Options.DEFAULT);
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.empty(), true);
        assertTrue(e.selfContained());
        // As a restarted gateway sees it: a fresh service, same namespace, default (referencing) options.
        SnapshotExports.Export recorded = exports(SnapshotExporter.Options.DEFAULT).exports().getFirst();
        assertTrue(recorded.selfContained());
        SnapshotExporter.Result result = exports(SnapshotExporter.Options.DEFAULT).resume(recorded.id());
        assertEquals(1, result.dataUploaded());
        assertEquals(0, result.coldReferenced());
        assertTrue(result.root().selfContained());

        SnapshotExports.Export referencing = exports.start("repo", List.of(), Optional.empty());
        assertFalse(referencing.selfContained());
        assertEquals(1, exports.resume(referencing.id()).coldReferenced());
    }

    @Test
    void anExportWithACutLeavesOutTheSitesReplicasAfterThePointAndItsResumeMakesTheSameCut() throws Exception {
        Instant point = Instant.parse("2026-12-06T10:00:00Z");
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String key = String.format("k%05d", i);
            // Replicas from site-a before, at and after the point; from site-c after it; written here after it.
            String origin = switch (i % 4) {
                case 0, 1 -> "site-a";
                case 2 -> "site-c";
                default -> "";
            };
            Instant mtime = i % 4 == 0 ? point.minusNanos(i % 8 == 0 ? 0 : 1) : point.plusNanos(1);
            fx.putReplica("bkt", key, mtime, origin, i % 5 == 0 ? null : bytes(i, 50 + i));
            if (!(origin.equals("site-a") && mtime.isAfter(point))) kept.add(key);
        }
        ConsistencyCut cut = new ConsistencyCut("site-a", Map.of("bkt", point));
        SnapshotExports exports = exports(OPTIONS);
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.empty(), false, Optional.of(cut));
        assertEquals(Optional.of(cut), exports.export(e.id()).orElseThrow().cut());

        readsLeft.set(60);   // stops in the second batch of uploads: the resume reads the cut from the export's record
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        assertTrue(exports.progress(e.id()).versions() > 0, "range files written before the stop");
        readsLeft.set(-1);
        SnapshotExporter.Result r = exports.resume(e.id());

        assertEquals(Optional.of(cut), r.root().consistentWith());
        assertEquals(Optional.of(cut), SnapshotReader.readRoot(repo, r.root().snapshot()).consistentWith());
        List<String> keys = new ArrayList<>();
        try (BucketEntries entries = new BucketEntries(repo, r.root().bucket("bkt").orElseThrow().ranges(), work)) {
            while (entries.hasNext()) keys.add(entries.next().key());
        }
        assertEquals(kept, keys);
        assertEquals(kept.size(), r.versions());

        // Unchanged since that snapshot: a snapshot with the cut still lists, one without names its ranges again.
        SnapshotExporter.Result again = exports.resume(exports.start("repo", List.of(), Optional.of(r.root().snapshot()),
                false, Optional.of(cut)).id());
        assertEquals(kept.size(), again.versions());
        SnapshotExporter.Result plain = exports.resume(exports.start("repo", List.of(), Optional.empty()).id());
        assertEquals(120, plain.versions());
        assertEquals(Optional.empty(), SnapshotReader.readRoot(repo, plain.root().snapshot()).consistentWith());
        assertFalse(new String(SnapshotReader.readRootBytes(repo, plain.root().snapshot()), java.nio.charset.StandardCharsets.UTF_8)
                .contains("consistentWith"), "a root without a cut has no such field");

        // A bucket the cut has no point for is refused.
        SnapshotExports.Export other = exports.start("repo", List.of(), Optional.empty(), false,
                Optional.of(new ConsistencyCut("site-a", Map.of("elsewhere", point))));
        SnapshotException refused = assertThrows(SnapshotException.class, () -> exports.resume(other.id()));
        assertEquals(SnapshotException.Reason.INVALID, refused.reason());
        assertTrue(refused.getMessage().contains("bkt"), refused.getMessage());
        assertTrue(exports.abort(other.id()));
    }

    @Test
    void exportRecordsRoundTripAndRefuseAnotherFormatVersion() {
        ExportRecordCodec.Header h = new ExportRecordCodec.Header("20261206T180000Z-0a1b2c3d", "repo", List.of(B),
                Optional.of("20261205T180000Z-00000000"), "snapshot:20261206T180000Z-0a1b2c3d", Path.of("/tmp/cp"),
                Instant.parse("2026-12-06T18:00:00.123456789Z"), false, Optional.empty());
        assertEquals(h, ExportRecordCodec.header(ExportRecordCodec.header(h)));
        ExportRecordCodec.Header self = new ExportRecordCodec.Header(h.snapshot(), h.repository(), h.buckets(), h.parent(),
                h.mark(), h.checkpoint(), h.started(), true, Optional.empty());
        assertEquals(self, ExportRecordCodec.header(ExportRecordCodec.header(self)));
        ExportRecordCodec.Header consistent = new ExportRecordCodec.Header(h.snapshot(), h.repository(), h.buckets(),
                h.parent(), h.mark(), h.checkpoint(), h.started(), false, Optional.of(new ConsistencyCut("site-a",
                java.util.Map.of(B.value(), Instant.parse("2026-12-06T17:59:58.000000001Z")))));
        assertEquals(consistent, ExportRecordCodec.header(ExportRecordCodec.header(consistent)));
        // Format 1 (before the cut): the self-contained flag an optional last byte (absent: false), no cut.
        byte[] current = ExportRecordCodec.header(h);
        byte[] old = java.util.Arrays.copyOf(current, current.length - 2);
        old[0] = 1;
        assertEquals(h, ExportRecordCodec.header(old));
        byte[] oldSelf = java.util.Arrays.copyOf(current, current.length - 1);
        oldSelf[0] = 1;
        oldSelf[oldSelf.length - 1] = 1;
        assertEquals(self, ExportRecordCodec.header(oldSelf));
        ExportRecordCodec.Range r = new ExportRecordCodec.Range(2, new SnapshotRoot.RangeRef("ranges/" + "a".repeat(64)
                + ".ndjson.gz", "a".repeat(64), 123, 45, "k1", "k9"), "k9", "v9",
                new SnapshotExporter.Counters(1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertEquals(r, ExportRecordCodec.range(ExportRecordCodec.range(r)));
        assertEquals(List.of("data/b/k", "ranges/x"), ExportRecordCodec.paths(ExportRecordCodec.paths(List.of("data/b/k", "ranges/x"))));
        assertEquals(42L, ExportRecordCodec.abort(ExportRecordCodec.abort(42)));
        byte[] other = ExportRecordCodec.header(h);
        other[0] = 3;
        assertThrows(IllegalArgumentException.class, () -> ExportRecordCodec.header(other));
        byte[] cut = java.util.Arrays.copyOf(ExportRecordCodec.range(r), 20);
        assertThrows(IllegalArgumentException.class, () -> ExportRecordCodec.range(cut));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 42}, ExportRecordCodec.abort(42));
        assertEquals(42L, ExportRecordCodec.abort(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 42}));
    }
}
