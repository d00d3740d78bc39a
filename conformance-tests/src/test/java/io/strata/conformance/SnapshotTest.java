package io.strata.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Snapshots operated as an operator does: the packaged gateway as a process, versions written
 * through the AWS SDK, {@code strata snapshot ...} run as a process, repositories in the gateway's
 * data directory (the embedded default {@code local}) and on a real third-party S3 server (s3proxy
 * on a file-system store, added with {@code strata snapshot repo add}), and the repository format's
 * independent reader ({@code docs/snapshot-verify.py}, boto3) run against both.
 *
 * <p>The kill test's negative control is {@code STRATA_TEST_FAULT=skip-snapshot-resume}, with which
 * the restarted gateway does not resume interrupted exports, so that test must fail:
 * <pre>STRATA_TEST_FAULT=skip-snapshot-resume mvn -o -B verify -pl conformance-tests -am \
 *     -Dtest='SnapshotTest#anExportKilled*' -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class SnapshotTest {
    private static final String PROXY_KEY = "snapshot-access";
    private static final String PROXY_SECRET = "snapshot-secret-0123456789";
    /** How long a failed export waits here before its retry: the product's default (one minute) would idle the test. */
    private static final String RETRY_AFTER = "15s";

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static SnapshotHarness.Proxy proxy;
    static int proxyPort;

    @BeforeAll
    static void start() throws Exception {
        proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        proxyPort = proxy.port;
        proxy.createBucket("snaps");
        server = StrataServer.start(root, Map.of("STRATA_SNAPSHOT_RETRY_AFTER", RETRY_AFTER), List.of());
        s3 = S3Clients.pathStyle(server);
        proxy.addRepository(server, "offsite", "snaps", "strata");
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) s3.close();
        if (server != null) server.close();
        if (proxy != null) proxy.close();
    }

    @Test
    void snapshotsToTheDefaultAndAnS3RepositoryVerifyWithStrataAndWithoutIt() throws Exception {
        String bucket = "snap-a";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        s3.putObject(b -> b.bucket(bucket).key("plain.txt").contentType("text/plain").metadata(Map.of("owner", "ops")),
                RequestBody.fromString("first version"));
        s3.putObject(b -> b.bucket(bucket).key("plain.txt").contentType("text/plain"), RequestBody.fromString("second version"));
        s3.putObject(b -> b.bucket(bucket).key("tagged.bin").checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .tagging("project=dr"), RequestBody.fromBytes(TestData.bytes(3, 70_000)));
        multipart(bucket, "big.bin", 7, 5 << 20, 1 << 20);
        s3.putObject(b -> b.bucket(bucket).key("gone.txt"), RequestBody.fromString("deleted later"));
        s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));   // a delete marker on top

        var repos = strata("snapshot", "repo", "list");
        assertEquals(0, repos.getKey(), repos.getValue());
        assertTrue(repos.getValue().contains("local") && repos.getValue().contains("offsite"), repos.getValue());
        assertFalse(repos.getValue().contains(PROXY_SECRET), "repo list shows no secret: " + repos.getValue());
        String reposJson = PlacementTest.admin(server, "GET", "/snapshots/repos", Map.of(), 200);
        assertFalse(reposJson.contains(PROXY_SECRET), reposJson);
        Path kept = server.dataDir().resolve("snapshot-repos").resolve("offsite.properties");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));

        var local = strata("snapshot", "create", "--repo", "local", "--bucket", bucket, "--wait");
        assertEquals(0, local.getKey(), local.getValue());
        String localLocator = locator(local.getValue());
        assertTrue(localLocator.startsWith("strata+file://"), localLocator);
        var remote = strata("snapshot", "create", "--repo", "offsite", "--bucket", bucket, "--wait");
        assertEquals(0, remote.getKey(), remote.getValue());
        String remoteLocator = locator(remote.getValue());
        assertTrue(remoteLocator.startsWith("strata+http://127.0.0.1:" + proxyPort + "/snaps/strata?snap="), remoteLocator);
        assertTrue(remote.getValue().contains("6 versions"), "two versions, a tagged one, a multipart one, a deleted "
                + "one and its delete marker: " + remote.getValue());

        // The format's own reader, without Strata: boto3 against s3proxy, and the local directory.
        var script = verifyScript("s3://snaps/strata", remoteLocator);
        assertEquals(0, script.getKey(), script.getValue());
        var scriptLocal = verifyScript(server.dataDir().resolve("snapshots").toString(), localLocator);
        assertEquals(0, scriptLocal.getKey(), scriptLocal.getValue());

        for (String locator : List.of(localLocator, remoteLocator)) {
            var verified = strata("snapshot", "verify", locator, "--read-data-subset", "100%");
            assertEquals(0, verified.getKey(), verified.getValue());
            assertTrue(verified.getValue().contains("ok: ") && verified.getValue().contains(" 5 data objects read and checked"),
                    verified.getValue());
        }
        var shown = strata("snapshot", "show", remoteLocator);
        assertEquals(0, shown.getKey(), shown.getValue());
        assertTrue(shown.getValue().contains(bucket) && shown.getValue().contains("ENABLED"), shown.getValue());
        var list = strata("snapshot", "list", "--json");
        assertEquals(0, list.getKey(), list.getValue());
        assertTrue(list.getValue().contains(localLocator) && list.getValue().contains(remoteLocator), list.getValue());
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_snapshot_last_success_timestamp_seconds{repository=\"offsite\"}"), metrics);
        assertTrue(metrics.contains("strata_snapshot_exports{state=\"failed\"} 0"), metrics);
        assertTrue(server.output().contains("snapshot export finished: export="), "structured end line logged");
    }

    @Test
    void aSecondSnapshotUploadsExactlyTheChangedVersions() throws Exception {
        String bucket = "snap-b";
        s3.createBucket(b -> b.bucket(bucket));
        int n = 40;
        for (int i = 0; i < n; i++) {
            String key = String.format("k%03d", i);
            byte[] data = TestData.bytes(100 + i, 10_000 + i);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
        }
        var first = strata("snapshot", "create", "--repo", "offsite", "--bucket", bucket, "--wait", "--json");
        assertEquals(0, first.getKey(), first.getValue());
        assertEquals(n, PlacementTest.number(first.getValue(), "newData"), first.getValue());
        String firstId = field(first.getValue(), "snapshot");
        for (int i : new int[] {3, 17, 31}) {
            String key = String.format("k%03d", i);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(900 + i, 12_345)));
        }
        var second = strata("snapshot", "create", "--repo", "offsite", "--bucket", bucket, "--wait", "--json");
        assertEquals(0, second.getKey(), second.getValue());
        assertEquals(firstId, field(second.getValue(), "parent"), second.getValue());
        assertEquals(3, PlacementTest.number(second.getValue(), "newData"), second.getValue());
        assertEquals(3L * 12_345, PlacementTest.number(second.getValue(), "newDataBytes"), second.getValue());
        assertEquals(n - 3, PlacementTest.number(second.getValue(), "reusedData"), second.getValue());
        assertEquals(0, PlacementTest.number(second.getValue(), "presentData"), second.getValue());
    }

    @Test
    void anExportKilledMidwayFinishesByItselfAfterTheRestart() throws Exception {
        s3.createBucket(b -> b.bucket("snapc-a"));
        s3.putObject(b -> b.bucket("snapc-a").key("first"), RequestBody.fromString("done before the kill"));
        // The second bucket takes the export a while: the kill lands in it, after the first bucket's
        // range file recorded progress.
        s3.createBucket(b -> b.bucket("snapc-b"));
        int count = 300;
        for (int i = 0; i < count; i++) {
            String key = String.format("d/%04d", i);
            s3.putObject(b -> b.bucket("snapc-b").key(key), RequestBody.fromBytes(TestData.bytes(5000 + i, 200_000)));
        }
        String started = PlacementTest.admin(server, "POST", "/snapshots", Map.of("repo", "offsite",
                "buckets", "snapc-a,snapc-b"), 202);
        long id = PlacementTest.number(started, "id");
        String snapshot = field(started, "snapshot");
        String[] seen = {""};
        await("the export recorded progress", Duration.ofSeconds(60), () -> {
            seen[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return seen[0].contains("\"state\":\"running\"") && PlacementTest.number(seen[0], "versions") > 0;
        });
        server.kill();
        assertTrue(PlacementTest.number(seen[0], "versions") < count + 1, seen[0]);
        assertFalse(Files.exists(root.resolve("s3proxy").resolve("snaps").resolve("strata").resolve("snapshots")
                .resolve(snapshot + ".json")), "the export had written its root before the kill: nothing was interrupted");

        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
        String[] last = {""};
        await("the interrupted export finished after the restart", Duration.ofSeconds(90), () -> {
            last[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return last[0].contains("\"state\":\"done\"");
        });
        assertTrue(server.output().contains("snapshot export resuming after restart: export=" + id), server.outputTail());
        assertEquals(count + 1, PlacementTest.number(last[0], "versions"), last[0]);
        String locator = locator(last[0]);
        var verified = strata("snapshot", "verify", locator, "--read-data-subset", "100%");
        assertEquals(0, verified.getKey(), verified.getValue());
        assertTrue(verified.getValue().contains((count + 1) + " data objects read and checked"), verified.getValue());
        var script = verifyScript("s3://snaps/strata", locator);
        assertEquals(0, script.getKey(), script.getValue());
    }

    @Test
    void anExportInterruptedByAGracefulStopGoesOnAtTheNextStartWithoutWaitingForARetry() throws Exception {
        s3.createBucket(b -> b.bucket("snapg-a"));
        s3.putObject(b -> b.bucket("snapg-a").key("first"), RequestBody.fromString("done before the stop"));
        s3.createBucket(b -> b.bucket("snapg-b"));
        int count = 200;
        for (int i = 0; i < count; i++) {
            String key = String.format("d/%04d", i);
            s3.putObject(b -> b.bucket("snapg-b").key(key), RequestBody.fromBytes(TestData.bytes(7000 + i, 200_000)));
        }
        String started = PlacementTest.admin(server, "POST", "/snapshots", Map.of("repo", "offsite",
                "buckets", "snapg-a,snapg-b"), 202);
        long id = PlacementTest.number(started, "id");
        String snapshot = field(started, "snapshot");
        await("the export recorded progress", Duration.ofSeconds(60), () -> {
            String seen = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return seen.contains("\"state\":\"running\"") && PlacementTest.number(seen, "versions") > 0;
        });
        long t0 = System.nanoTime();
        server.stop();   // SIGTERM: StrataServer's harness fails the test if it takes over 30 s
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(Files.exists(root.resolve("s3proxy").resolve("snaps").resolve("strata").resolve("snapshots")
                .resolve(snapshot + ".json")), "the export had finished before the stop: nothing was interrupted");
        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
        long restarted = System.nanoTime();
        String[] last = {""};
        // Well under the one-minute retry delay a failed export waits.
        await("the stopped export went on after the start", Duration.ofSeconds(40), () -> {
            last[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return last[0].contains("\"state\":\"done\"");
        });
        System.out.printf("SnapshotTest: graceful stop took %d ms; the export finished %d ms after the restart%n", stopMillis,
                (System.nanoTime() - restarted) / 1_000_000);
        assertEquals(count + 1, PlacementTest.number(last[0], "versions"), last[0]);
        var verified = strata("snapshot", "verify", locator(last[0]));
        assertEquals(0, verified.getKey(), verified.getValue());
    }

    @Test
    void abortingARunningExportStopsItAndLeavesTheRepositoryAsItWas() throws Exception {
        s3.createBucket(b -> b.bucket("snapx-a"));
        s3.putObject(b -> b.bucket("snapx-a").key("first"), RequestBody.fromString("uploaded, then taken back"));
        s3.createBucket(b -> b.bucket("snapx-b"));
        for (int i = 0; i < 300; i++) {
            String key = String.format("d/%04d", i);
            s3.putObject(b -> b.bucket("snapx-b").key(key), RequestBody.fromBytes(TestData.bytes(9000 + i, 200_000)));
        }
        Path repository = root.resolve("s3proxy").resolve("snaps").resolve("strata");
        List<String> before = files(repository);
        String started = PlacementTest.admin(server, "POST", "/snapshots", Map.of("repo", "offsite",
                "buckets", "snapx-a,snapx-b"), 202);
        long id = PlacementTest.number(started, "id");
        await("the export recorded progress", Duration.ofSeconds(60), () -> {
            String seen = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return seen.contains("\"state\":\"running\"") && PlacementTest.number(seen, "versions") > 0;
        });
        // Through the admin API, as the CLI sends it: a CLI process takes a second to start, long enough
        // for a small export to end first.
        String aborting = PlacementTest.admin(server, "POST", "/snapshots/abort", Map.of("id", Long.toString(id)), 200);
        assertTrue(aborting.contains("\"state\":\"aborting\""), "the export was still running: " + aborting);
        assertTrue(files(repository).stream().anyMatch(f -> f.startsWith("data/snapx-a/")), "the first bucket was uploaded");
        String[] last = {""};
        await("the export aborted", Duration.ofSeconds(90), () -> {
            last[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return last[0].contains("\"state\":\"aborted\"");
        });
        assertEquals(before, files(repository), "what the export uploaded is gone, nothing else");
        assertTrue(server.output().contains("snapshot export aborted: export=" + id), server.outputTail());
    }

    private static List<String> files(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void badInputIsRefusedClearlyAndChangesNothing() throws Exception {
        s3.createBucket(b -> b.bucket("snap-d"));
        s3.putObject(b -> b.bucket("snap-d").key("x"), RequestBody.fromString("x"));
        var made = strata("snapshot", "create", "--repo", "local", "--bucket", "snap-d", "--wait");
        assertEquals(0, made.getKey(), made.getValue());
        String good = locator(made.getValue());
        String before = admin("GET", "/snapshots", Map.of());

        var unknownRepo = strata("snapshot", "create", "--repo", "nosuch", "--all");
        assertEquals(3, unknownRepo.getKey(), unknownRepo.getValue());
        assertTrue(unknownRepo.getValue().contains("404 NoSuchKey: No snapshot repository named nosuch."), unknownRepo.getValue());
        var unknownBucket = strata("snapshot", "create", "--repo", "local", "--bucket", "no-such-bucket");
        assertEquals(3, unknownBucket.getKey(), unknownBucket.getValue());
        assertTrue(unknownBucket.getValue().contains("NoSuchBucket"), unknownBucket.getValue());
        var noBuckets = strata("snapshot", "create", "--repo", "local");
        assertEquals(2, noBuckets.getKey(), noBuckets.getValue());
        var badLocator = strata("snapshot", "verify", "strata+file:///tmp/x?snap=abc");
        assertEquals(2, badLocator.getKey(), badLocator.getValue());
        assertTrue(badLocator.getValue().contains("not a snapshot locator"), badLocator.getValue());
        String wrongHash = good.substring(0, good.length() - 1) + (good.endsWith("0") ? "1" : "0");
        var mismatch = strata("snapshot", "verify", wrongHash);
        assertEquals(1, mismatch.getKey(), mismatch.getValue());
        assertTrue(mismatch.getValue().contains("FAILED") && mismatch.getValue().contains("root SHA-256 is"), mismatch.getValue());
        var showMismatch = strata("snapshot", "show", wrongHash);
        assertEquals(3, showMismatch.getKey(), showMismatch.getValue());
        assertTrue(showMismatch.getValue().contains("400 InvalidArgument"), showMismatch.getValue());
        var badSubset = strata("snapshot", "verify", good, "--read-data-subset", "150%");
        assertEquals(2, badSubset.getKey(), badSubset.getValue());
        var unreachable = strata("snapshot", "repo", "add", "broken", "--type", "s3", "--endpoint",
                "http://127.0.0.1:" + proxyPort, "--bucket", "no-such-bucket", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(3, unreachable.getKey(), unreachable.getValue());
        assertTrue(unreachable.getValue().contains("does not work"), unreachable.getValue());
        assertFalse(unreachable.getValue().contains(PROXY_SECRET), unreachable.getValue());
        assertFalse(Files.exists(server.dataDir().resolve("snapshot-repos").resolve("broken.properties")));
        var removeDefault = strata("snapshot", "repo", "remove", "local");
        assertEquals(3, removeDefault.getKey(), removeDefault.getValue());
        assertTrue(removeDefault.getValue().contains("comes from the configuration"), removeDefault.getValue());
        var abortNothing = strata("snapshot", "abort", "99999");
        assertEquals(3, abortNothing.getKey(), abortNothing.getValue());

        assertEquals(before, admin("GET", "/snapshots", Map.of()), "nothing changed");
    }

    @Test
    void aFailedExportStaysListedWithItsErrorAndIsRetriedUntilItSucceeds() throws Exception {
        s3.createBucket(b -> b.bucket("snap-e"));
        s3.putObject(b -> b.bucket("snap-e").key("k"), RequestBody.fromString("waits for the repository"));
        proxy.stop();
        long id;
        try {
            // --full: no parent is looked for, so the export starts and fails in the repository.
            String started = PlacementTest.admin(server, "POST", "/snapshots", Map.of("repo", "offsite", "buckets", "snap-e",
                    "full", "true"), 202);
            id = PlacementTest.number(started, "id");
            String[] seen = {""};
            await("the export failed", Duration.ofSeconds(60), () -> {
                seen[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
                return seen[0].contains("\"state\":\"failed\"");
            });
            assertEquals(1, PlacementTest.number(seen[0], "attempts"), seen[0]);
            assertFalse(field(seen[0], "lastError").isEmpty(), seen[0]);
            var list = strata("snapshot", "list", "--repo", "offsite");
            assertEquals(0, list.getKey(), "a repository out of reach still lists the exports: " + list.getValue());
            // Attempts (the column after the state) may have grown by the time the command ran: it is retried on its own.
            assertTrue(list.getValue().contains("unreadable") && list.getValue().matches("(?s).*\\n" + id + " +\\S+ +offsite +failed +\\d+ .*"),
                    list.getValue());
        } catch (AssertionError | RuntimeException e) {
            proxy.start();
            throw e;
        }
        assertTrue(server.metrics().contains("strata_snapshot_exports{state=\"failed\"} 1"), server.metrics());
        assertTrue(server.output().contains("snapshot export failed: export=" + id), server.outputTail());
        var refused = strata("snapshot", "repo", "remove", "offsite");
        assertEquals(3, refused.getKey(), refused.getValue());
        assertTrue(refused.getValue().contains("409 RepositoryInUse"), refused.getValue());
        proxy.start();
        // Retried once its wait (snapshots.export-retry-after) is over.
        String[] last = {""};
        await("the failed export retried and finished", Duration.ofSeconds(150), () -> {
            last[0] = admin("GET", "/snapshots/exports", Map.of("id", Long.toString(id)));
            return last[0].contains("\"state\":\"done\"");
        });
        assertEquals(1, PlacementTest.number(last[0], "versions"), last[0]);
    }

    // ---- helpers

    private static void multipart(String bucket, String key, long seed, int... partSizes) {
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < partSizes.length; i++) {
            int n = i + 1;
            byte[] data = TestData.range(seed, offset, partSizes[i]);
            var r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(n)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(data));
            parts.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build());
            offset += partSizes[i];
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(parts)));
    }

    private static String locator(String output) {
        return SnapshotHarness.locator(output);
    }

    /** A string field of the JSON; fails if absent. */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find()) fail(name + " not in " + json);
        return m.group(1);
    }

    private static String admin(String method, String path, Map<String, String> query) {
        return SnapshotHarness.admin(server, method, path, query, 200);
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) {
        SnapshotHarness.await(what, limit, server, condition);
    }

    /** {@code docs/snapshot-verify.py REPOSITORY LOCATOR}, boto3 pointed at s3proxy through the environment. */
    private static Map.Entry<Integer, String> verifyScript(String repository, String locator) throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("docs").resolve("snapshot-verify.py");
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), repository, locator).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + proxyPort);
        env.put("AWS_ACCESS_KEY_ID", PROXY_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", PROXY_SECRET);
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        // s3proxy answers the x-amz-checksum-mode newer boto3 sends on every GET with 501.
        env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
        env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        env.remove("AWS_CA_BUNDLE");
        return SnapshotHarness.run(pb, root, "snapshot-verify.py " + repository);
    }

    /** Runs the packaged {@code strata} command against the gateway; returns exit status and output. */
    static Map.Entry<Integer, String> strata(String... args) throws Exception {
        return SnapshotHarness.strata(server, args);
    }
}
