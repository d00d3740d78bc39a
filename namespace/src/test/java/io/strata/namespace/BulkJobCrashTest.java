package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bulk job killed with SIGKILL mid-page resumes after the last recorded page and ends with exact counters. */
class BulkJobCrashTest {
    private static final BucketName B = bucketName("bucket");
    private static final int PAGE = 40;
    /** Inside the fourth page: three pages (120 versions) are recorded, 30 more acted on but not recorded. */
    private static final int STOP_AFTER = 150;

    @TempDir
    Path dir;

    @Test
    void aBulkJobKilledMidPageResumesAndFinishesWithExactCounters() throws Exception {
        Path nsDir = dir.resolve("ns");
        long id;
        long expectedVersions = 0;
        long expectedMarkers = 0;
        long expectedBytes = 0;
        try (RocksDbNamespace ns = RocksDbNamespace.open(nsDir)) {
            ns.createBucket(bucket("bucket"));
            ns.setVersioning(B, BucketVersioning.ENABLED);
            for (int i = 0; i < 90; i++) {
                for (int n = 0; n < 2; n++) {
                    expectedBytes += ns.putObject(version("bucket", "in/k" + i)).version().size();
                    expectedVersions++;
                }
                if (i % 3 == 0) {
                    ns.deleteObject(B, key("in/k" + i));
                    expectedMarkers++;
                }
                ns.putObject(version("bucket", "out/k" + i));
            }
            id = ns.createBulkJob("test.flag", B, "in/", new byte[0], expectedVersions + expectedMarkers).id();
        }

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                BulkJobCrashChild.class.getName(), nsDir.toString(), Long.toString(id), Integer.toString(PAGE),
                Integer.toString(STOP_AFTER)).redirectErrorStream(true).start();
        try {
            awaitLine(child, "parked");
        } finally {
            child.destroyForcibly();   // SIGKILL: no shutdown hook, no RocksDB close
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        }
        assertTrue(child.exitValue() != 0, "the child finished instead of being killed");

        try (RocksDbNamespace ns = RocksDbNamespace.open(nsDir)) {
            BulkJob stopped = ns.bulkJob(id).orElseThrow();
            assertEquals(BulkJob.State.RUNNING, stopped.state());
            assertEquals(3 * PAGE, stopped.counters().visited());
            assertEquals(3 * PAGE / (double) stopped.total(), stopped.progress().orElseThrow());
            long flaggedBeforeResume = flagged(ns, "in/");
            assertTrue(flaggedBeforeResume > stopped.counters().done(), "the killed page had acted on versions");

            BulkJob finished = new BulkJobRunner(ns, PAGE).run(id, new BulkJobFlagAction(ns));

            assertEquals(BulkJob.State.DONE, finished.state());
            assertEquals(new BulkJob.Counters(expectedVersions, expectedMarkers, 0, expectedBytes), finished.counters());
            assertEquals(expectedVersions, flagged(ns, "in/"));
            assertEquals(0, flagged(ns, "out/"));
            assertEquals(1.0, finished.progress().orElseThrow());
        }
    }

    private static long flagged(Namespace ns, String prefix) {
        long n = 0;
        String km = "";
        String vm = "";
        VersionPage page;
        do {
            page = ns.listVersions(B, new VersionQuery(prefix, "", km, vm, 100));
            for (VersionPage.Entry e : page.versions()) if (BulkJobFlagAction.flagged(e.version())) n++;
            km = page.nextKeyMarker();
            vm = page.nextVersionIdMarker();
        } while (page.truncated());
        return n;
    }

    /** Reads the child's output until {@code line}, within a deadline (the output is kept for the failure message). */
    private static void awaitLine(Process child, String line) throws InterruptedException {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (l == null) break;
            if (l.equals(line)) return;
            seen.add(l);
            assertFalse(l.equals("(end of output)") || l.equals("finished"), () -> "child ended early: " + seen);
        }
        fail("no '" + line + "' from the child within 60 s: " + seen);
    }
}
