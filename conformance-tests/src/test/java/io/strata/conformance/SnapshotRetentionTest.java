package io.strata.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Snapshot retention as an operator runs it: {@code strata snapshot diff}, {@code hold},
 * {@code forget} and {@code gc} against the packaged gateway and its embedded repository
 * ({@code local}, in the data directory, so the test can list the repository itself).
 */
class SnapshotRetentionTest {
    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;

    @BeforeAll
    static void start() {
        server = StrataServer.start(root);
        s3 = S3Clients.pathStyle(server);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (server != null) server.stop();
    }

    private static String snapshot(String bucket) throws Exception {
        var r = strata("snapshot", "create", "--repo", "local", "--bucket", bucket, "--wait", "--json");
        assertEquals(0, r.getKey(), r.getValue());
        Matcher m = Pattern.compile("\"snapshot\":\"([^\"]*)\"").matcher(r.getValue());
        if (!m.find()) fail("no snapshot id in " + r.getValue());
        return m.group(1);
    }

    /** Runs the packaged {@code strata} command against the gateway; returns exit status and output. */
    private static Map.Entry<Integer, String> strata(String... args) throws Exception {
        return SnapshotHarness.strata(server, args);
    }

    private static List<String> dataObjects() throws Exception {
        Path data = server.dataDir().resolve("snapshots").resolve("data");
        try (Stream<Path> files = Files.walk(data)) {
            return new ArrayList<>(files.filter(Files::isRegularFile).map(p -> data.relativize(p).toString()).sorted().toList());
        }
    }

    @Test
    void forgetThenGcDeletesOnlyTheForgottenSnapshotsOwnVersionsAndAHoldKeepsThem() throws Exception {
        String bucket = "retain";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        for (int i = 0; i < 20; i++) {
            String key = String.format("k%02d", i);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(i, 2_000 + i)));
        }
        String s1 = snapshot(bucket);
        List<String> onlyInS2 = new ArrayList<>();
        List<Map.Entry<String, String>> versions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = String.format("k%02d", i);
            String v = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(100 + i, 3_000))).versionId();
            versions.add(Map.entry(key, v));
            onlyInS2.add(bucket + "/" + key + "/@" + v);
        }
        String s2 = snapshot(bucket);
        for (Map.Entry<String, String> kv : versions) {
            s3.deleteObject(b -> b.bucket(bucket).key(kv.getKey()).versionId(kv.getValue()));
        }
        s3.putObject(b -> b.bucket(bucket).key("k19"), RequestBody.fromString("newest"));
        String s3id = snapshot(bucket);

        var diff = strata("snapshot", "diff", s2, s3id, "--repo", "local");
        assertEquals(0, diff.getKey(), diff.getValue());
        assertTrue(diff.getValue().contains("1 added, 3 removed, 0 changed"), diff.getValue());

        var held = strata("snapshot", "hold", "add", s2, "--repo", "local", "--reason", "audit");
        assertEquals(0, held.getKey(), held.getValue());
        var refused = strata("snapshot", "forget", s2, "--repo", "local");
        assertEquals(3, refused.getKey(), refused.getValue());
        assertTrue(refused.getValue().contains("is held by site"), refused.getValue());
        var released = strata("snapshot", "hold", "rm", s2, "--repo", "local");
        assertEquals(0, released.getKey(), released.getValue());
        assertTrue(released.getValue().contains("1 operator holds"), released.getValue());

        var forgotten = strata("snapshot", "forget", s2, "--repo", "local");
        assertEquals(0, forgotten.getKey(), forgotten.getValue());
        List<String> before = dataObjects();
        assertTrue(before.containsAll(onlyInS2), "forget deletes no data: " + before);
        var dry = strata("snapshot", "gc", "--repo", "local", "--dry-run");
        assertEquals(0, dry.getKey(), dry.getValue());
        assertTrue(dry.getValue().contains("would delete 3 data objects"), dry.getValue());
        assertEquals(before, dataObjects());

        var gc = strata("snapshot", "gc", "--repo", "local");
        assertEquals(0, gc.getKey(), gc.getValue());
        String progress = PlacementTest.admin(server, "GET", "/snapshots/gc", Map.of("repo", "local"), 200);
        assertTrue(progress.contains("\"running\":false"), "no GC runs once it has answered: " + progress);
        assertTrue(gc.getValue().contains("deleted 3 data objects"), gc.getValue());
        List<String> expected = new ArrayList<>(before);
        expected.removeAll(onlyInS2);
        assertEquals(expected, dataObjects());
        var again = strata("snapshot", "gc", "--repo", "local");
        assertTrue(again.getValue().contains("deleted 0 data objects and 0 range files"), again.getValue());
        var full = strata("snapshot", "gc", "--repo", "local", "--full");
        assertEquals(0, full.getKey(), full.getValue());
        assertTrue(full.getValue().contains("deleted 0 data objects and 0 range files of 0 forgotten snapshots and orphans"),
                "nothing is left over: " + full.getValue());

        String site = Files.readString(server.dataDir().resolve("site-id"), StandardCharsets.UTF_8).strip();
        String owner = Files.readString(server.dataDir().resolve("snapshots").resolve("owner.json"), StandardCharsets.UTF_8);
        assertTrue(owner.contains("\"site\":\"" + site + "\""), "the first export claimed the repository: " + owner);
        String list = PlacementTest.admin(server, "GET", "/snapshots", Map.of("repo", "local"), 200);
        assertTrue(list.contains("\"id\":\"" + s1) && list.contains("\"id\":\"" + s3id) && !list.contains("\"id\":\"" + s2), list);
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_snapshot_gc_deleted_objects_total"), metrics);
    }

    @Test
    void holdRmReleasesTheOperatorsHoldsAndNeverTheHoldOfAnAttachOfTheSameSite() throws Exception {
        String bucket = "held";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("held data"));
        var created = strata("snapshot", "create", "--repo", "local", "--bucket", bucket, "--wait", "--json");
        assertEquals(0, created.getKey(), created.getValue());
        Matcher lm = Pattern.compile("\"locator\":\"([^\"]*)\"").matcher(created.getValue());
        Matcher im = Pattern.compile("\"snapshot\":\"([^\"]*)\"").matcher(created.getValue());
        assertTrue(lm.find() && im.find(), created.getValue());
        String snapshot = im.group(1);
        var attached = strata("snapshot", "attach", lm.group(1), "--as", "held-attached");
        assertEquals(0, attached.getKey(), attached.getValue());
        Path holds = server.dataDir().resolve("snapshots").resolve("holds");
        List<String> attachHold = Files.list(holds).map(f -> f.getFileName().toString()).toList();
        assertEquals(1, attachHold.size(), attachHold.toString());

        var held = strata("snapshot", "hold", "add", snapshot, "--repo", "local", "--reason", "audit");
        assertEquals(0, held.getKey(), held.getValue());
        var list = strata("snapshot", "hold", "list", "--repo", "local");
        assertTrue(list.getValue().contains("  attach  ") && list.getValue().contains("  audit  "), list.getValue());
        var badReason = strata("snapshot", "hold", "add", snapshot, "--repo", "local", "--reason", "attach");
        assertEquals(3, badReason.getKey(), badReason.getValue());
        assertTrue(badReason.getValue().contains("InvalidArgument"), badReason.getValue());

        var released = strata("snapshot", "hold", "rm", snapshot, "--repo", "local");
        assertEquals(0, released.getKey(), released.getValue());
        assertTrue(released.getValue().contains("1 operator holds") && released.getValue().contains("kept ")
                && released.getValue().contains("(attach): detach"), released.getValue());
        assertEquals(attachHold, Files.list(holds).map(f -> f.getFileName().toString()).toList(), "the attach still holds it");
        String attachId = attachHold.getFirst().replace(".json", "");
        var byId = strata("snapshot", "hold", "rm", snapshot, "--repo", "local", "--hold", attachId);
        assertEquals(3, byId.getKey(), byId.getValue());
        assertTrue(byId.getValue().contains("InvalidRequest") && byId.getValue().contains("detach"), byId.getValue());
        var refused = strata("snapshot", "forget", snapshot, "--repo", "local");
        assertEquals(3, refused.getKey(), refused.getValue());
        assertEquals("held data", s3.getObjectAsBytes(g -> g.bucket("held-attached").key("a")).asUtf8String());

        var detached = strata("snapshot", "detach", "held-attached");
        assertEquals(0, detached.getKey(), detached.getValue());
        assertEquals(List.of(), Files.list(holds).toList(), "detach releases the attach's hold");
    }

    /**
     * A version in a cold tier, copied into the repository by a self-contained snapshot, keeps the
     * storage class it had at the source wherever the snapshot is served: HEAD's
     * x-amz-storage-class and ListObjectsV2's StorageClass agree with the source, in an attached
     * bucket and in a restored one before hydration.
     */
    @Test
    void aSelfContainedSnapshotsColdVersionKeepsItsStorageClassWhenAttachedAndRestored() throws Exception {
        String bucket = "cold-src";
        Path tierDir = Files.createDirectories(root.resolve("chill-tier"));
        var tier = strata("tier", "add", "CHILL", "--type", "local", "--path", tierDir.toString());
        assertEquals(0, tier.getKey(), tier.getValue());
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("cold/a"), RequestBody.fromString("cold bytes"));
        s3.putObject(b -> b.bucket(bucket).key("hot/b"), RequestBody.fromString("hot bytes"));
        var moved = strata("tier", "move", bucket + "/cold/", "CHILL");
        assertEquals(0, moved.getKey(), moved.getValue());
        assertEquals("CHILL", s3.headObject(b -> b.bucket(bucket).key("cold/a")).storageClassAsString());
        var created = strata("snapshot", "create", "--repo", "local", "--bucket", bucket, "--self-contained", "--wait", "--json");
        assertEquals(0, created.getKey(), created.getValue());
        Matcher lm = Pattern.compile("\"locator\":\"([^\"]*)\"").matcher(created.getValue());
        assertTrue(lm.find(), created.getValue());
        var attached = strata("snapshot", "attach", lm.group(1), "--as", "cold-attached");
        assertEquals(0, attached.getKey(), attached.getValue());
        var restored = strata("snapshot", "restore", lm.group(1), "--as", "cold-restored", "--no-hydrate", "--wait");
        assertEquals(0, restored.getKey(), restored.getValue());

        for (String served : List.of("cold-attached", "cold-restored")) {
            assertEquals("CHILL", s3.headObject(b -> b.bucket(served).key("cold/a")).storageClassAsString(), served);
            assertEquals("STANDARD", s3.headObject(b -> b.bucket(served).key("hot/b")).storageClassAsString(), served);
            Map<String, String> listed = new java.util.TreeMap<>();
            s3.listObjectsV2(b -> b.bucket(served)).contents().forEach(o -> listed.put(o.key(), o.storageClassAsString()));
            assertEquals(Map.of("cold/a", "CHILL", "hot/b", "STANDARD"), listed, served);
            assertEquals("cold bytes", s3.getObjectAsBytes(b -> b.bucket(served).key("cold/a")).asUtf8String(), served);
        }
        assertEquals(0, strata("snapshot", "detach", "cold-attached").getKey());
    }

    @Test
    void aScheduledPolicySnapshotsEveryIntervalAndPrunesToItsKeepRules() throws Exception {
        String bucket = "scheduled";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("scheduled data"));
        Path dir = Files.createDirectories(root.resolve("sched-repo"));
        var added = strata("snapshot", "repo", "add", "sched", "--type", "local", "--path", dir.toString());
        assertEquals(0, added.getKey(), added.getValue());
        var bad = strata("snapshot", "policy", "set", "--repo", "sched", "--bucket", bucket, "--every", "2x");
        assertEquals(3, bad.getKey(), bad.getValue());
        assertFalse(Files.exists(server.dataDir().resolve("snapshot-policies").resolve("sched.json")), "bad input stores nothing");

        var set = strata("snapshot", "policy", "set", "--repo", "sched", "--bucket", bucket, "--every", "1s", "--keep-last", "2");
        assertEquals(0, set.getKey(), set.getValue());
        assertTrue(set.getValue().contains("keep --keep-last 2"), set.getValue());

        Pattern done = Pattern.compile("\"snapshot\":\"([^\"]+)\",\"repository\":\"sched\",\"state\":\"done\"");
        java.util.Set<String> finished = new java.util.TreeSet<>();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(150).toNanos();
        String list = "";
        int kept = -1;
        while (System.nanoTime() < deadline) {
            list = PlacementTest.admin(server, "GET", "/snapshots", Map.of("repo", "sched"), 200);
            Matcher m = done.matcher(list);
            while (m.find()) finished.add(m.group(1));
            kept = (int) Pattern.compile("\"id\":\"2").matcher(list).results().count();
            String[] forgotten = dir.resolve("forgotten").toFile().list();
            if (finished.size() >= 4 && kept == 2 && (forgotten == null || forgotten.length == 0)) break;
            Thread.sleep(200);
        }
        assertTrue(finished.size() >= 4, "four scheduled snapshots finished: " + finished + "\n" + server.outputTail());
        assertEquals(2, kept, list);
        String[] roots = dir.resolve("snapshots").toFile().list();
        assertEquals(2, roots == null ? 0 : roots.length, "the repository holds the two newest roots");
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_snapshot_failures_total{repository=\"sched\"} 0"), metrics);
        assertTrue(metrics.contains("strata_snapshot_age_seconds{repository=\"sched\"}"), metrics);
        var shown = strata("snapshot", "list");
        assertTrue(shown.getValue().contains("SCHEDULE") && shown.getValue().contains("sched"), shown.getValue());
    }
}
