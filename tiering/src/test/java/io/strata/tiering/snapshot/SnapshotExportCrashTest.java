package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot export in its own JVM, killed with SIGKILL at a random point after some range files
 * were recorded, resumes in this JVM to a snapshot that verifies completely and holds every version
 * of the checkpoint, counted once; or is aborted and leaves the repository as it was.
 */
class SnapshotExportCrashTest {
    /** About 32 keys per range: some 90 range files, so the kill can land almost anywhere. */
    private static final int RANGE_KEY_BITS = 5;
    private static final List<String> BUCKETS = List.of("alpha", "bkt");

    @TempDir
    Path dir;
    Path source;
    Path repoDir;
    Path work;
    long seed;

    @BeforeEach
    void paths() throws Exception {
        source = dir.resolve("source");
        repoDir = dir.resolve("repo");
        work = Files.createDirectories(dir.resolve("work"));
        seed = System.nanoTime();
    }

    /** Fills the source: small versions, inline and erasure-coded, some keys with two versions, some delete markers. */
    private static void fill(SnapshotFixture fx) throws Exception {
        int n = 0;
        for (String bucket : BUCKETS) {
            fx.bucket(bucket);
            fx.namespace.setVersioning(new BucketName(bucket), BucketVersioning.ENABLED);
            int keys = bucket.equals("alpha") ? 300 : 2500;
            for (int i = 0; i < keys; i++, n++) {
                String key = String.format("k%05d", i);
                for (int v = 0; v < (i % 5 == 0 ? 2 : 1); v++) {
                    fx.put(bucket, key, new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, i % 4 != 0,
                            Instant.parse("2026-12-06T10:00:00Z").plusSeconds(v)), bytes(n * 2 + v, 200 + i % 700));
                }
                if (i % 17 == 0) fx.namespace.deleteObject(new BucketName(bucket), new ObjectKey(key));
            }
        }
    }

    private static List<ObjectVersion> versions(SnapshotFixture fx, String bucket) {
        List<ObjectVersion> out = new ArrayList<>();
        String km = "";
        String vm = "";
        VersionPage page;
        do {
            page = fx.namespace.listVersions(new BucketName(bucket), new VersionQuery("", "", km, vm, 1000));
            page.versions().forEach(e -> out.add(e.version()));
            km = page.nextKeyMarker();
            vm = page.nextVersionIdMarker();
        } while (page.truncated());
        return out;
    }

    private SnapshotExports exports(SnapshotFixture fx, SnapshotRepository repo) {
        return new SnapshotExports(fx.namespace, name -> repo, fx.data, work,
                new SnapshotExporter.Options(false, RANGE_KEY_BITS, 65_536), Clock.systemUTC());
    }

    /** Starts an export, then runs it in a child JVM killed after a random number of range files; the export's id. */
    private long exportKilledMidway() throws Exception {
        long id;
        try (SnapshotFixture fx = new SnapshotFixture(source); SnapshotRepository repo = LocalDirectoryRepository.create(repoDir)) {
            fill(fx);
            id = exports(fx, repo).start("repo", List.of(), Optional.empty()).id();
        }
        int killAfter = 2 + new Random(seed).nextInt(60);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), SnapshotExportCrashChild.class.getName(),
                source.toString(), repoDir.toString(), work.toString(), Long.toString(id), Integer.toString(RANGE_KEY_BITS))
                .redirectErrorStream(true).start();
        try {
            awaitRanges(child, killAfter);
        } finally {
            child.destroyForcibly();   // SIGKILL: no shutdown hook, no RocksDB close, uploads cut off
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        }
        assertTrue(child.exitValue() != 0, "the child finished instead of being killed");
        return id;
    }

    @Test
    void anExportKilledMidwayResumesToASnapshotThatVerifiesAndHoldsEveryVersionCountedOnce() throws Exception {
        long id = exportKilledMidway();

        try (SnapshotFixture fx = new SnapshotFixture(source); SnapshotRepository repo = LocalDirectoryRepository.create(repoDir)) {
            SnapshotExports exports = exports(fx, repo);
            SnapshotExports.Export e = exports.export(id).orElseThrow(() -> new AssertionError("export record lost"));
            long total = BUCKETS.stream().mapToLong(b -> versions(fx, b).size()).sum();
            long markers = BUCKETS.stream().flatMap(b -> versions(fx, b).stream()).filter(ObjectVersion::deleteMarker).count();
            SnapshotExporter.Counters cursor = exports.progress(id);
            // The fault really happened mid-export: a cursor past the start, short of the end, and no root.
            assertTrue(cursor.versions() > 0 && cursor.versions() < total, "cursor " + cursor + " of " + total + ", seed " + seed);
            assertFalse(repo.size(SnapshotFormat.rootPath(e.snapshot())).isPresent(), "root written before the kill");
            assertTrue(fx.namespace.garbageMark(e.mark()).isPresent(), "the mark survives the kill");

            List<SnapshotExporter.Result> resumed = exports.resumeAll();
            assertEquals(1, resumed.size());
            SnapshotExporter.Result r = resumed.getFirst();

            assertEquals(total, r.versions(), "every version of the checkpoint counted once, seed " + seed);
            assertEquals(total - markers, r.dataUploaded() + r.dataAlreadyPresent(), "seed " + seed);
            long ranges = r.root().buckets().stream().mapToLong(b -> b.ranges().size()).sum();
            assertEquals(ranges, r.rangesUploaded(), "seed " + seed);
            assertEquals(0, r.rangesReused(), "seed " + seed);
            SnapshotReader reader = SnapshotReader.open(repo, SnapshotLocator.parse(r.locator().toString()), work);
            SnapshotReader.VerifyReport report = reader.verify(1.0, seed);
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(total - markers, report.dataChecked());
            for (String bucket : BUCKETS) {
                List<String> got = new ArrayList<>();
                reader.forEachEntry(bucket, x -> got.add(x.key() + " " + x.versionId() + " " + x.deleteMarker() + " "
                        + x.etag() + " " + x.size()));
                assertEquals(versions(fx, bucket).stream().map(v -> v.key().value() + " " + v.versionId() + " "
                        + v.deleteMarker() + " " + (v.deleteMarker() ? "" : v.etag()) + " " + (v.deleteMarker() ? 0 : v.size()))
                        .toList(), got, bucket + ", seed " + seed);
            }
            assertTrue(exports.exports().isEmpty());
            assertTrue(fx.namespace.work(SnapshotExports.rangeKind(id), 10).isEmpty());
            assertTrue(fx.namespace.work(SnapshotExports.uploadKind(id), 10).isEmpty());
            assertTrue(fx.namespace.garbageMarks().isEmpty(), "mark left: " + fx.namespace.garbageMarks());
            assertFalse(Files.exists(e.checkpoint()), "checkpoint left");
            assertWorkDirEmpty();
        }
    }

    @Test
    void anExportKilledMidwayThenAbortedLeavesTheRepositoryAsItWas() throws Exception {
        long id = exportKilledMidway();

        try (SnapshotFixture fx = new SnapshotFixture(source); SnapshotRepository repo = LocalDirectoryRepository.create(repoDir)) {
            SnapshotExports exports = exports(fx, repo);
            SnapshotExports.Export e = exports.export(id).orElseThrow();
            assertTrue(exports.progress(id).versions() > 0, "seed " + seed);

            assertTrue(exports.abort(id));

            List<String> left = new ArrayList<>();
            repo.list("", left::add);
            assertEquals(List.of(), left, "seed " + seed);
            try (Stream<Path> files = Files.walk(repoDir)) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "files left, seed " + seed);
            }
            assertTrue(exports.exports().isEmpty());
            assertTrue(fx.namespace.garbageMarks().isEmpty());
            assertFalse(Files.exists(e.checkpoint()));
            assertWorkDirEmpty();
        }
    }

    /** The checkpoint and the range files the killed process was spooling are gone too. */
    private void assertWorkDirEmpty() throws Exception {
        try (Stream<Path> files = Files.list(work)) {
            assertEquals(List.of(), files.toList());
        }
    }

    /** Reads the child's output until its {@code n}-th "range" line, within a deadline. */
    private void awaitRanges(Process child, int n) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (java.io.IOException e) {
                lines.add("(output closed: " + e + ")");
            }
            lines.add("(end of output)");
        });
        List<String> seen = new ArrayList<>();
        int ranges = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (l == null) break;
            if (l.startsWith("range ") && ++ranges == n) return;
            if (!l.startsWith("range ")) seen.add(l);
            assertFalse(l.equals("(end of output)") || l.equals("finished"),
                    () -> "child ended before range " + n + " (seed " + seed + "): " + seen);
        }
        fail("no range " + n + " from the child within 120 s (seed " + seed + "): " + seen);
    }
}
