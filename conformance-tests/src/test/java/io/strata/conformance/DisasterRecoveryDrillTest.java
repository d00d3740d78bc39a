package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The disaster-recovery drill of Snap-to-Object, end to end against real processes, s3proxy being
 * the third-party object store that holds both the cold tier and the snapshot repository:
 * <ol>
 *   <li>gateway A holds two versioned buckets (multipart objects with a FULL_OBJECT CRC64NVME and a
 *       COMPOSITE CRC32C checksum, tags, user metadata, noncurrent versions, delete markers, versions
 *       moved to an S3 cold tier with {@code strata tier move}); A's answers are recorded;</li>
 *   <li>A snapshots both buckets ({@code strata snapshot create --all --wait}), stops, and its data
 *       directory is deleted;</li>
 *   <li>gateway B (fresh data directory, the same cold tier) attaches the snapshot; the SDK, the
 *       {@code aws} CLI and boto3 list and read it (ranges, version ids, checksum mode) as A did;</li>
 *   <li>B restores both buckets, the first killed (-9) midway through hydration, restarted, and finished;</li>
 *   <li>every version at B equals A's record: bytes, ETag, checksums, version ids, tags, times,
 *       delete markers.</li>
 * </ol>
 *
 * <p>Negative control: {@code -Dstrata.drill.negativeControl=true} starts A with
 * {@code STRATA_TEST_FAULT=snapshot-drop-one-data-object}, so the export writes one version's entry
 * without its data object; the drill must then fail (at step 3, the first read of that version).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DisasterRecoveryDrillTest {
    private static final String PROXY_KEY = "drillkey";
    private static final String PROXY_SECRET = "drill-secret-0123456789";
    private static final String TIER = "REMOTE";
    private static final List<String> BUCKETS = List.of("photos", "models");
    private static final String RESTORED = "photos-restored";
    /** Enough small versions that hydration (4 at a time) is still running when B is killed. */
    private static final int SMALL = 100;

    @TempDir
    static Path root;
    static SnapshotHarness.Proxy proxy;
    static StrataServer b;
    static S3Client s3;
    static String locator;
    static long started;
    /** Per bucket, A's version listing (versions and delete markers, with ids, ETags, sizes, times). */
    static final Map<String, List<String>> listings = new TreeMap<>();
    /** Per "bucket/key@versionId", A's HEAD (checksum mode), tags and the MD5 of the bytes. */
    static final Map<String, String> records = new TreeMap<>();
    static byte[] crc64Object;

    @BeforeAll
    static void startProxy() throws Exception {
        started = System.nanoTime();
        proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        // The cold tier and the repository live in buckets of their own: they outlive A's data directory.
        proxy.createBucket("cold");
        proxy.createBucket("snaps");
    }

    @AfterAll
    static void tearDown() {
        if (s3 != null) s3.close();
        if (b != null) b.close();
        if (proxy != null) {
            try {
                proxy.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        System.out.printf("DisasterRecoveryDrillTest: the drill took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @Test
    @Order(1)
    void step1And2GatewayASnapshotsItsBucketsAndItsDataDirectoryIsDeleted() throws Exception {
        Map<String, String> env = Boolean.getBoolean("strata.drill.negativeControl")
                ? Map.of("STRATA_TEST_FAULT", "snapshot-drop-one-data-object") : Map.of();
        Path dataA;
        try (StrataServer a = StrataServer.start(root.resolve("a"), env, List.of()); S3Client sa = S3Clients.pathStyle(a)) {
            addColdTier(a);
            fill(a, sa);
            for (String bucket : BUCKETS) {
                listings.put(bucket, entries(SnapshotAttachTest.versions(sa, bucket, 1000)));
                for (var v : sa.listObjectVersionsPaginator(r -> r.bucket(bucket)).versions()) {
                    records.put(bucket + "/" + v.key() + "@" + v.versionId(), record(sa, bucket, v.key(), v.versionId()));
                }
            }
            assertTrue(records.keySet().stream().anyMatch(k -> k.contains("/cold/")), "versions in the cold tier recorded");
            var added = strata(a, "snapshot", "repo", "add", "offsite", "--type", "s3", "--endpoint", proxyEndpoint(),
                    "--bucket", "snaps", "--prefix", "site-a", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
            assertEquals(0, added.getKey(), added.getValue());
            var created = strata(a, "snapshot", "create", "--repo", "offsite", "--all", "--wait");
            assertEquals(0, created.getKey(), created.getValue());
            locator = SnapshotHarness.locator(created.getValue());
            dataA = a.dataDir();
            a.stop();
        }
        deleteTree(dataA);
        assertFalse(Files.exists(dataA), "A's data directory is gone");
        System.out.println("DisasterRecoveryDrillTest: A recorded " + records.size() + " versions; locator " + locator);
    }

    @Test
    @Order(3)
    void step3GatewayBAttachesTheSnapshotAndEveryClientReadsWhatAHeld() throws Exception {
        assertTrue(locator != null, "steps 1 and 2 made no snapshot");
        b = StrataServer.start(root.resolve("b"));
        s3 = S3Clients.pathStyle(b);
        addColdTier(b);
        for (String bucket : BUCKETS) {
            var r = strata(b, "snapshot", "attach", locator, "--bucket", bucket, "--as", bucket + "-dr",
                    "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
            assertEquals(0, r.getKey(), r.getValue());
            assertEquals(listings.get(bucket), entries(SnapshotAttachTest.versions(s3, bucket + "-dr", 1000)), bucket);
            assertEquals(listings.get(bucket), entries(SnapshotAttachTest.versions(s3, bucket + "-dr", 7)), bucket + ", by pages of 7");
        }
        for (var e : records.entrySet()) {
            Id id = Id.of(e.getKey());
            assertEquals(e.getValue(), record(s3, id.bucket() + "-dr", id.key(), id.versionId()), "attached " + e.getKey());
        }
        byte[] range = s3.getObjectAsBytes(g -> g.bucket("photos-dr").key("big/crc64.bin").range("bytes=5242000-5243000")).asByteArray();
        assertArrayEquals(Arrays.copyOfRange(crc64Object, 5242000, 5243001), range, "a range across the part boundary");

        awsCli();
        boto3();
    }

    @Test
    @Order(4)
    void step4RestoreHydrationKilledMidwayResumesAfterTheRestart() throws Exception {
        assertTrue(b != null && locator != null, "no snapshot attached at B");
        var r = strata(b, "snapshot", "restore", locator, "--bucket", "photos", "--as", RESTORED, "--no-hydrate", "--wait",
                "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        String hydrating = admin("POST", "/snapshots/hydrate", RESTORED);
        assertEquals("HYDRATING", field(hydrating, "state"), hydrating);
        long[] seen = new long[2];
        SnapshotHarness.await("some versions hydrated", Duration.ofSeconds(60), b, () -> {
            seen[0] = SnapshotHarness.metric(b, "strata_snapshot_hydrated_versions_total");
            seen[1] = SnapshotHarness.metric(b, "strata_snapshot_hydrate_remaining_versions");
            return seen[0] >= 1;
        });
        b.kill();
        long photos = records.keySet().stream().filter(k -> k.startsWith("photos/")).count();
        assertTrue(seen[0] > 0 && seen[0] < photos && seen[1] > 0,
                "killed while hydrating: " + seen[0] + " hydrated, " + seen[1] + " remaining of " + photos);
        String registration = Files.readString(b.dataDir().resolve("snapshot-restore").resolve(RESTORED + ".properties"),
                StandardCharsets.ISO_8859_1);
        assertTrue(registration.contains("state=HYDRATING"), registration);
        System.out.println("DisasterRecoveryDrillTest: B killed with " + seen[0] + " versions hydrated, " + seen[1] + " remaining");
        b.start();
        SnapshotHarness.await("the hydration to finish", Duration.ofSeconds(120), b, () -> {
            String state = field(admin("GET", "/snapshots/restores", RESTORED), "state");
            return "HYDRATED".equals(state) || "LOADED".equals(state);
        });
        String json = admin("GET", "/snapshots/restores", RESTORED);
        assertEquals("HYDRATED", field(json, "state"), json + "\n" + b.outputTail());
        assertEquals("0", field(json, "failed"), json);
        assertTrue(b.output().contains("(snapshot.hydrate on " + RESTORED + "/) resumes after"), b.outputTail());

        // The other bucket of the snapshot, restored and hydrated without interruption.
        r = strata(b, "snapshot", "restore", locator, "--bucket", "models", "--as", "models-restored", "--wait",
                "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        SnapshotHarness.await("the models hydration to end", Duration.ofSeconds(60), b, () -> {
            String state = field(admin("GET", "/snapshots/restores", "models-restored"), "state");
            return "HYDRATED".equals(state) || "LOADED".equals(state);
        });
        json = admin("GET", "/snapshots/restores", "models-restored");
        assertEquals("HYDRATED", field(json, "state"), json + "\n" + b.outputTail());
        assertEquals("0", field(json, "failed"), json);
    }

    @Test
    @Order(5)
    void step5EveryRestoredVersionEqualsWhatAHeldAndTheHydratedOnesNeedNoRepository() throws Exception {
        assertTrue(b != null && locator != null, "no snapshot restored at B");
        assertEquals(listings.get("photos"), entries(SnapshotAttachTest.versions(s3, RESTORED, 1000)), "versions and delete markers");
        assertEquals(listings.get("models"), entries(SnapshotAttachTest.versions(s3, "models-restored", 1000)), "models");
        for (var e : records.entrySet()) {
            Id id = Id.of(e.getKey());
            String restored = id.bucket().equals("photos") ? RESTORED : "models-restored";
            assertEquals(e.getValue(), record(s3, restored, id.key(), id.versionId()), "restored " + e.getKey());
        }
        // The repository (and the cold tier) out of reach: what was hydrated into B's hot tier reads from B alone.
        proxy.stop();
        for (var e : records.entrySet()) {
            Id id = Id.of(e.getKey());
            if (!id.key().startsWith("cold/")) {
                String restored = id.bucket().equals("photos") ? RESTORED : "models-restored";
                assertEquals(e.getValue(), record(s3, restored, id.key(), id.versionId()), "from B alone: " + e.getKey());
            }
        }
    }

    private static void addColdTier(StrataServer server) throws Exception {
        var r = strata(server, "tier", "add", TIER, "--type", "s3", "--endpoint", proxyEndpoint(), "--bucket", "cold",
                "--prefix", "tier/", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
    }

    /**
     * photos: FULL_OBJECT CRC64NVME and COMPOSITE CRC32C multipart uploads, a key with a tagged
     * noncurrent version and user metadata, a deleted key, small keys, cold/ moved to the cold tier
     * (with a noncurrent version there too); models: a few versions and a delete marker as latest.
     */
    private static void fill(StrataServer a, S3Client sa) throws Exception {
        for (String bucket : BUCKETS) {
            sa.createBucket(r -> r.bucket(bucket));
            sa.putBucketVersioning(r -> r.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        sa.putObject(r -> r.bucket("photos").key("a/one.txt").contentType("text/x-first").tagging("team=red&tier=gold")
                .metadata(Map.of("owner", "ops")).checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromString("first version"));
        sa.putObject(r -> r.bucket("photos").key("a/one.txt").contentType("text/plain").cacheControl("no-cache")
                .checksumAlgorithm(ChecksumAlgorithm.SHA1), RequestBody.fromBytes(TestData.bytes(1, 200_000)));
        sa.putObject(r -> r.bucket("photos").key("gone.txt"), RequestBody.fromString("deleted later"));
        sa.deleteObject(r -> r.bucket("photos").key("gone.txt"));
        for (int i = 0; i < SMALL; i++) {
            int n = i;
            sa.putObject(r -> r.bucket("photos").key("many/k" + String.format("%04d", n)), RequestBody.fromBytes(TestData.bytes(100 + n, 3000)));
        }
        crc64Object = concat(TestData.bytes(4, 5 << 20), TestData.bytes(5, 70_000));
        multipart(sa, "big/crc64.bin", ChecksumAlgorithm.CRC64_NVME, Map.of(), crc64Object, 5 << 20);
        multipart(sa, "big/mp.bin", ChecksumAlgorithm.CRC32_C, Map.of("kind", "multipart"),
                concat(TestData.bytes(2, 5 << 20), TestData.bytes(3, 1 << 20)), 5 << 20);
        for (int i = 0; i < 3; i++) {
            int n = i;
            for (int version = 0; version < 2; version++) {
                int s = version;
                sa.putObject(r -> r.bucket("photos").key("cold/c" + n).tagging("temp=cold&v=" + s).metadata(Map.of("n", "" + n))
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(TestData.bytes(50 + 10 * n + s, 150_000)));
            }
        }
        sa.putObject(r -> r.bucket("models").key("m/weights.bin").checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromBytes(TestData.bytes(7, 300_000)));
        sa.putObject(r -> r.bucket("models").key("m/weights.bin").tagging("stage=prod"), RequestBody.fromBytes(TestData.bytes(8, 100_000)));
        sa.putObject(r -> r.bucket("models").key("m/old.bin"), RequestBody.fromString("retired"));
        sa.deleteObject(r -> r.bucket("models").key("m/old.bin"));
        var moved = strata(a, "tier", "move", "photos/cold/", TIER);
        assertEquals(0, moved.getKey(), moved.getValue());
        assertTrue(moved.getValue().contains("6/6 versions"), moved.getValue());
    }

    private static void multipart(S3Client sa, String key, ChecksumAlgorithm algorithm, Map<String, String> tags, byte[] data, int partSize) {
        String tagging = String.join("&", tags.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        var created = sa.createMultipartUpload(r -> r.bucket("photos").key(key).checksumAlgorithm(algorithm)
                .tagging(tagging.isEmpty() ? null : tagging).metadata(Map.of("made-by", "drill")));
        List<CompletedPart> parts = new ArrayList<>();
        for (int offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
            byte[] part = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + partSize));
            int number = n;
            // The SDK cannot compute CRC64NVME without the CRT: for it the gateway computes the FULL_OBJECT value over the parts.
            ChecksumAlgorithm perPart = algorithm == ChecksumAlgorithm.CRC64_NVME ? null : algorithm;
            UploadPartResponse r = sa.uploadPart(u -> u.bucket("photos").key(key).uploadId(created.uploadId()).partNumber(number)
                    .checksumAlgorithm(perPart), RequestBody.fromBytes(part));
            parts.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C())
                    .checksumCRC64NVME(r.checksumCRC64NVME()).build());
        }
        sa.completeMultipartUpload(r -> r.bucket("photos").key(key).uploadId(created.uploadId()).multipartUpload(m -> m.parts(parts)));
    }

    /** Everything a client sees of a version but its storage class (which says where its bytes are now), and its bytes' MD5. */
    static String record(S3Client c, String bucket, String key, String versionId) throws Exception {
        HeadObjectResponse h = c.headObject(r -> r.bucket(bucket).key(key).versionId(versionId).checksumMode(ChecksumMode.ENABLED));
        var tags = c.getObjectTagging(r -> r.bucket(bucket).key(key).versionId(versionId)).tagSet();
        byte[] bytes = c.getObjectAsBytes(r -> r.bucket(bucket).key(key).versionId(versionId)).asByteArray();
        return String.join(" | ", h.eTag(), String.valueOf(h.lastModified()), h.contentType(), String.valueOf(h.contentLength()),
                String.valueOf(h.metadata()), String.valueOf(h.cacheControl()), h.versionId(), String.valueOf(h.checksumCRC32()),
                String.valueOf(h.checksumCRC32C()), String.valueOf(h.checksumCRC64NVME()), h.checksumSHA256() + "/" + h.checksumSHA1(),
                String.valueOf(h.checksumTypeAsString()), String.valueOf(h.partsCount()), tags.toString(),
                "md5=" + md5(bytes), "size=" + bytes.length);
    }

    /** The {@code aws} CLI (the image's, first on PATH) lists versions, reads a range by version id and heads with checksums. */
    private static void awsCli() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.onPathOrFail("aws", "awscli");
        String listed = run(List.of(aws.toString(), "s3api", "list-object-versions", "--bucket", "photos-dr", "--prefix", "gone.txt"));
        assertTrue(listed.contains("DeleteMarkers") && listed.contains("gone.txt"), listed);
        String older = records.entrySet().stream().filter(e -> e.getValue().contains("text/x-first")).findFirst().orElseThrow().getKey();
        Path out = root.resolve("cli-range.bin");
        run(List.of(aws.toString(), "s3api", "get-object", "--bucket", "photos-dr", "--key", "a/one.txt", "--version-id",
                Id.of(older).versionId(), "--range", "bytes=0-4", out.toString()));
        assertEquals("first", Files.readString(out), "a range of the noncurrent version");
        String head = run(List.of(aws.toString(), "s3api", "head-object", "--bucket", "photos-dr", "--key", "big/crc64.bin",
                "--checksum-mode", "ENABLED"));
        String expected = records.entrySet().stream().filter(e -> e.getKey().startsWith("photos/big/crc64.bin@")).findFirst()
                .orElseThrow().getValue().split(" \\| ")[9];
        assertTrue(head.contains(expected) && head.contains("FULL_OBJECT"), expected + " in " + head);
    }

    /** boto3 (the image's python3) lists both attached buckets and checks every version against A's records. */
    private static void boto3() throws Exception {
        RealClients.skipIfOptedOut();
        Path python = RealClients.onPathOrFail("python3", "python3-boto3");
        StringBuilder expected = new StringBuilder();
        for (var e : records.entrySet()) {
            Id id = Id.of(e.getKey());
            String[] f = e.getValue().split(" \\| ");
            expected.append(String.join("\t", id.bucket() + "-dr", id.key(), id.versionId(), f[0], f[14].substring(4),
                    f[8], f[9])).append('\n');
        }
        Path table = root.resolve("expected.tsv");
        Files.writeString(table, expected);
        Path script = root.resolve("drill_boto3.py");
        Files.writeString(script, """
                import boto3, hashlib, os, sys
                s3 = boto3.client("s3", endpoint_url=os.environ["STRATA_ENDPOINT"])
                rows = [l.rstrip("\\n").split("\\t") for l in open(sys.argv[1])]
                listed = set()
                for bucket in sorted({r[0] for r in rows}):
                    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 50}):
                        listed |= {(bucket, v["Key"], v["VersionId"]) for v in page.get("Versions", [])}
                assert listed == {(r[0], r[1], r[2]) for r in rows}, "listing differs"
                for bucket, key, vid, etag, md5, crc32c, crc64 in rows:
                    body = s3.get_object(Bucket=bucket, Key=key, VersionId=vid)["Body"].read()
                    assert hashlib.md5(body).hexdigest() == md5, (bucket, key, vid, "bytes")
                    h = s3.head_object(Bucket=bucket, Key=key, VersionId=vid, ChecksumMode="ENABLED")
                    assert h["ETag"] == etag, (bucket, key, vid, h["ETag"], etag)
                    assert str(h.get("ChecksumCRC32C")) == crc32c and str(h.get("ChecksumCRC64NVME")) == crc64, (bucket, key, vid, h)
                    if len(body) > 10:
                        part = s3.get_object(Bucket=bucket, Key=key, VersionId=vid, Range="bytes=3-9")["Body"].read()
                        assert part == body[3:10], (bucket, key, vid, "range")
                print("boto3 checked", len(rows), "versions")
                """.replace("str(h.get(\"ChecksumCRC32C\"))", "str(h.get(\"ChecksumCRC32C\", \"null\"))")
                .replace("str(h.get(\"ChecksumCRC64NVME\"))", "str(h.get(\"ChecksumCRC64NVME\", \"null\"))"));
        RealClients.run(b, root, "drill_boto3.py", Map.of(), python.toString(), script.toString(), table.toString());
    }

    private record Id(String bucket, String key, String versionId) {
        static Id of(String s) {
            int slash = s.indexOf('/');
            int at = s.lastIndexOf('@');
            return new Id(s.substring(0, slash), s.substring(slash + 1, at), s.substring(at + 1));
        }
    }

    private static List<String> entries(List<String> listing) {
        return listing.stream().filter(l -> !l.startsWith("page ")).sorted().toList();
    }

    private static String proxyEndpoint() {
        return proxy.endpoint();
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static String admin(String method, String path, String bucket) {
        return SnapshotHarness.admin(b, method, path, Map.of("bucket", bucket), 200);
    }

    private static String field(String json, String name) {
        return SnapshotHarness.field(json, name);
    }

    /** The packaged {@code strata} command against {@code server}: exit status and output. */
    private static Map.Entry<Integer, String> strata(StrataServer server, String... args) throws Exception {
        return SnapshotHarness.strata(server, args);
    }

    /** The {@code aws} CLI against B with the root credentials and no user configuration; its output (exit 0 asserted). */
    private static String run(List<String> command) throws Exception {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--endpoint-url", b.endpoint().toString(), "--region", StrataServer.REGION));
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().put("AWS_ACCESS_KEY_ID", StrataServer.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", StrataServer.SECRET_KEY);
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        var r = SnapshotHarness.run(pb, root, String.join(" ", full));
        assertEquals(0, r.getKey(), r.getValue());
        return r.getValue();
    }
}
