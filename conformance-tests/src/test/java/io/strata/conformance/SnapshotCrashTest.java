package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code kill -9} at random points of a snapshot export and of a restore's hydration, each followed
 * by a restart that resumes the work, against s3proxy as the repository. The kill points are drawn
 * from a seeded {@link Random} (the seed is printed; {@code -Dstrata.crash.seed=N} repeats a run) as
 * amounts of progress: for the export, the number of data objects in the repository; for the
 * hydration, the versions the restarted gateway has hydrated. Each point lies strictly inside the
 * work left, and the test checks the kill landed mid-operation (no root yet; the restore still
 * HYDRATING with versions to visit). {@code -Dstrata.crash.kills=N} raises the kills of each kind
 * (3 by default) for a nightly run.
 *
 * <p>At the end {@code strata snapshot verify --read-data-subset 100%} passes, every restored version
 * equals its source, and after {@code gc} the repository holds no orphan: every data object and
 * range file is named by a retained root (read from the repository's files, see
 * {@link SnapshotHarness#assertNoOrphans}); a stray file put into the repository's {@code data/}
 * makes that check fail, so it is not vacuous.
 *
 * <p>Negative control: {@code -Dstrata.crash.negativeControl=true} restarts the gateway with
 * {@code STRATA_TEST_FAULT=skip-snapshot-resume}, so the killed export is not resumed and the test
 * must fail.
 */
class SnapshotCrashTest {
    private static final String PROXY_KEY = "crashkey";
    private static final String PROXY_SECRET = "crash-secret-0123456789";
    private static final String PREFIX = "crash";
    /** Small buckets first: each ends a range file, a point the export's cursor records, before the big one. */
    private static final List<String> SMALL_BUCKETS = List.of("crash-a", "crash-b", "crash-c", "crash-d");
    private static final String BIG = "crash-z";
    private static final int SMALL_KEYS = 15;
    private static final int BIG_KEYS = 200;
    private static final String RESTORED = "crash-restored";

    @TempDir
    static Path root;
    static SnapshotHarness.Proxy proxy;
    static StrataServer server;
    static S3Client s3;
    static Random random;
    static int kills;

    @BeforeAll
    static void start() throws Exception {
        long seed = Long.getLong("strata.crash.seed", System.nanoTime());
        kills = Integer.getInteger("strata.crash.kills", 3);
        random = new Random(seed);
        System.out.println("SnapshotCrashTest: seed " + seed + ", " + kills + " kills each (-Dstrata.crash.seed=" + seed
                + " -Dstrata.crash.kills=" + kills + " repeats it)");
        long t0 = System.nanoTime();
        proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        proxy.createBucket("snaps");
        server = StrataServer.start(root.resolve("g"));
        s3 = S3Clients.pathStyle(server);
        proxy.addRepository(server, "offsite", "snaps", PREFIX);
        for (int i = 0; i < SMALL_BUCKETS.size(); i++) {
            SnapshotHarness.seed(s3, SMALL_BUCKETS.get(i), "s/", SMALL_KEYS, 100_000, 1000L * i);
        }
        SnapshotHarness.seed(s3, BIG, "z/", BIG_KEYS, 20_000, 50_000);
        System.out.printf("SnapshotCrashTest: gateway, repository and seeding took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) s3.close();
        if (server != null) server.close();
        if (proxy != null) proxy.close();
    }

    private static Path repository() {
        return proxy.bucketDir("snaps").resolve(PREFIX);
    }

    private static long dataObjects() {
        try {
            return SnapshotHarness.files(repository(), "data").size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restarts after a kill with a fresh client (the old one's pooled connections are dead). */
    private static void restart() {
        if (Boolean.getBoolean("strata.crash.negativeControl")) server.environment("STRATA_TEST_FAULT", "skip-snapshot-resume");
        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
    }

    /**
     * A point strictly inside what is left, so that the kill lands mid-operation: after at least one
     * more unit of progress and before the last, leaving room for the kills still to come.
     */
    private static long point(long done, long total, int killsLeft) {
        long room = Math.max(1, (total - done - 1) / (killsLeft + 1));
        return done + 1 + (long) random.nextInt((int) room);
    }

    /**
     * Kills the gateway once {@code progress} reaches {@code target}: polled every 5 ms, bounded.
     * @return the progress seen at the kill
     */
    private static long killAt(String what, long target, LongSupplier progress) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long seen;
        while ((seen = progress.getAsLong()) < target) {
            if (System.nanoTime() > deadline) throw new AssertionError("no kill point: " + what + " stayed at " + seen
                    + " of " + target + "\n" + server.outputTail());
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        server.kill();
        return seen;
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void exportAndHydrationKilledAtRandomPointsResumeVerifyAndLeaveNoOrphanAfterGc() throws Exception {
        long t0 = System.nanoTime();
        long total = SMALL_BUCKETS.size() * SMALL_KEYS + BIG_KEYS;
        List<String> buckets = new ArrayList<>(SMALL_BUCKETS);
        buckets.add(BIG);
        String created = SnapshotHarness.admin(server, "POST", "/snapshots", Map.of("repo", "offsite",
                "buckets", String.join(",", buckets)), 202);
        long id = SnapshotHarness.number(created, "id");
        String snapshot = SnapshotHarness.field(created, "snapshot");
        Path rootFile = repository().resolve("snapshots").resolve(snapshot + ".json");
        for (int k = 0; k < kills; k++) {
            long target = point(dataObjects(), total, kills - k);
            long seen = killAt("export data objects", target, SnapshotCrashTest::dataObjects);
            long after = dataObjects();
            System.out.printf("SnapshotCrashTest: export kill %d at %d of %d data objects (point %d)%n", k + 1, seen, total, target);
            assertFalse(Files.exists(rootFile), "kill " + (k + 1) + " came after the export wrote its root: nothing was interrupted");
            assertTrue(after < total, "kill " + (k + 1) + " came after every data object was uploaded: " + after);
            restart();
            String resumed = "snapshot export resuming after restart: export=" + id;
            SnapshotHarness.await("the export to resume after kill " + (k + 1), Duration.ofSeconds(30), server,
                    () -> lastStartOutput().contains(resumed));
        }
        String[] status = {""};
        SnapshotHarness.await("the export to finish after the last restart", Duration.ofSeconds(120), server, () -> {
            status[0] = SnapshotHarness.export(server, id);
            return "done".equals(SnapshotHarness.field(status[0], "state"));
        });
        assertEquals(total, SnapshotHarness.number(status[0], "versions"), status[0]);
        assertTrue(SnapshotHarness.number(status[0], "presentData") > 0, "a killed attempt's uploads were found and reused: " + status[0]);
        String locator = SnapshotHarness.locator(status[0]);
        String verified = SnapshotHarness.strataOk(server, "snapshot", "verify", locator, "--read-data-subset", "100%");
        assertTrue(verified.contains(total + " data objects read and checked"), verified);

        System.out.printf("SnapshotCrashTest: export, kills and verify took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();

        // The big bucket restored here, its hydration killed at random points.
        String restore = SnapshotHarness.admin(server, "POST", "/snapshots/restore", Map.of(), "{\"locator\":\"" + locator
                + "\",\"bucket\":\"" + BIG + "\",\"as\":\"" + RESTORED + "\",\"hydrate\":false,\"accessKey\":\"" + PROXY_KEY
                + "\",\"secretKey\":\"" + PROXY_SECRET + "\"}", 200);
        assertTrue(restore.contains(RESTORED), restore);
        SnapshotHarness.await("the restore to load", Duration.ofSeconds(60), server,
                () -> "LOADED".equals(SnapshotHarness.field(restoreJson(), "state")));
        SnapshotHarness.admin(server, "POST", "/snapshots/hydrate", Map.of("bucket", RESTORED), 200);
        Path registration = server.dataDir().resolve("snapshot-restore").resolve(RESTORED + ".properties");
        long hydrated = 0;
        for (int k = 0; k < kills; k++) {
            long target = point(hydrated, BIG_KEYS, kills - k) - hydrated;   // in this process's own count
            long seen = killAt("hydrated versions", target,
                    () -> SnapshotHarness.metric(server, "strata_snapshot_hydrated_versions_total"));
            hydrated += seen;
            System.out.printf("SnapshotCrashTest: hydration kill %d after %d versions in this run (point %d), %d of %d in all at most%n",
                    k + 1, seen, target, hydrated, BIG_KEYS);
            String state = Files.readString(registration, StandardCharsets.ISO_8859_1);
            assertTrue(state.contains("state=HYDRATING"), "kill " + (k + 1) + " came after the hydration ended: " + state);
            restart();
            SnapshotHarness.await("the hydration to resume after kill " + (k + 1), Duration.ofSeconds(30), server,
                    () -> lastStartOutput().contains("(snapshot.hydrate on " + RESTORED + "/) resumes after"));
        }
        SnapshotHarness.await("the hydration to finish", Duration.ofSeconds(120), server, () -> {
            String s = SnapshotHarness.field(restoreJson(), "state");
            return "HYDRATED".equals(s) || "LOADED".equals(s);
        });
        String json = restoreJson();
        assertEquals("HYDRATED", SnapshotHarness.field(json, "state"), json);
        assertEquals("0", SnapshotHarness.field(json, "failed"), json);
        assertEquals(List.of(), SnapshotHarness.files(repository(), "holds"), "the restore's hold is released once hydrated");
        for (int i = 0; i < BIG_KEYS; i += 7) {
            String key = String.format("z/%04d", i);
            assertTrue(java.util.Arrays.equals(TestData.bytes(50_000 + i, 20_000),
                    s3.getObjectAsBytes(g -> g.bucket(RESTORED).key(key)).asByteArray()), key);
        }

        System.out.printf("SnapshotCrashTest: restore, hydration kills and checks took %.1f s%n", (System.nanoTime() - t1) / 1e9);

        // Whatever an interrupted attempt left that no root names is collected: forget failed leftovers, then gc.
        String exports = SnapshotHarness.admin(server, "GET", "/snapshots/exports", Map.of(), 200);
        assertFalse(exports.contains("\"state\":\"failed\""), "no export is left failed: " + exports);
        SnapshotHarness.strataOk(server, "snapshot", "gc", "--repo", "offsite");
        int named = SnapshotHarness.assertNoOrphans(repository());
        assertEquals(total, SnapshotHarness.files(repository(), "data").size(), "one data object per version");
        System.out.println("SnapshotCrashTest: the repository holds " + named + " data objects and range files, all named by a root");
        // The check sees an orphan: a data object no range file names.
        Path stray = repository().resolve("data").resolve(BIG).resolve("stray").resolve("@0123456789abcdef");
        Files.createDirectories(stray.getParent());
        Files.writeString(stray, "no root names this");
        assertThrows(AssertionFailedError.class, () -> SnapshotHarness.assertNoOrphans(repository()));
        Files.delete(stray);
    }

    /** What the gateway printed since its last start. */
    private static String lastStartOutput() {
        String all = server.output();
        return all.substring(Math.max(0, all.lastIndexOf("=== start #")));
    }

    private static String restoreJson() {
        return SnapshotHarness.admin(server, "GET", "/snapshots/restores", Map.of("bucket", RESTORED), 200);
    }
}
