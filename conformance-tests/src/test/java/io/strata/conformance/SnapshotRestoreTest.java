package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.erasure.ErasureStore;
import io.strata.gateway.config.StrataConfig;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.DataRef;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.snapshot.S3Repository;
import io.strata.tiering.snapshot.SnapshotExporter;
import io.strata.tiering.snapshot.VersionData;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
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
 * {@code strata snapshot restore}: gateway A holds a versioned bucket (multipart uploads with a
 * FULL_OBJECT CRC64NVME and a COMPOSITE CRC32C checksum, tags, metadata, noncurrent versions, delete
 * markers, a few hundred small keys); it is snapshotted into s3proxy. Gateway B, with its own data
 * directory, restores it: before any byte is copied, every version reads at B as at A (records,
 * bytes, ranges, parts, checksums, tags) and B's bucket takes writes. Hydration is then killed
 * (kill -9) midway, resumes at the restart, and finishes; with s3proxy stopped every version still
 * reads and verifies at B. The hold B placed in the repository is gone once hydrated.
 *
 * <p>Negative control: {@code -Dstrata.restore.negativeControl=true} restarts B with
 * {@code STRATA_TEST_FAULT=skip-job-resume}, so the interrupted hydration never resumes and
 * {@link #hydrationKilledMidwayResumesAndEveryVersionIsLocalAndVerified} must fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotRestoreTest {
    private static final String PROXY_KEY = "snapkey";
    private static final String PROXY_SECRET = "snap-secret-0123456789";
    private static final String SRC = "src";
    private static final String DST = "restored";
    private static final int SMALL = 400;

    @TempDir
    static Path root;
    static StrataServer b;
    static S3Client s3;
    static SnapshotHarness.Proxy proxy;
    static String locator;
    /** A's answers, recorded before A stopped: version listing, each version's head and bytes. */
    static List<String> sourceVersions;
    static final Map<String, String> sourceHeads = new TreeMap<>();
    static final Map<String, byte[]> sourceBytes = new TreeMap<>();
    static String compositeVersion;
    static byte[] part1;
    static byte[] part2;

    @BeforeAll
    static void setUp() throws Exception {
        proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        Path rootA = root.resolve("a");
        try (StrataServer a = StrataServer.start(rootA); S3Client sa = S3Clients.pathStyle(a)) {
            fill(sa);
            sourceVersions = SnapshotAttachTest.versions(sa, SRC, 1000);
            for (var v : sa.listObjectVersionsPaginator(r -> r.bucket(SRC)).versions()) {
                sourceHeads.put(v.key() + "@" + v.versionId(), head(sa, SRC, v.key(), v.versionId()));
                sourceBytes.put(v.key() + "@" + v.versionId(),
                        sa.getObjectAsBytes(r -> r.bucket(SRC).key(v.key()).versionId(v.versionId())).asByteArray());
            }
        }
        proxy.createBucket("snaps");
        locator = export(rootA.resolve("data"));
        b = StrataServer.start(root.resolve("b"));
        s3 = S3Clients.pathStyle(b);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (s3 != null) s3.close();
        if (b != null) b.close();
        if (proxy != null) proxy.close();
    }

    private static S3Client proxyClient() {
        return proxy.client();
    }

    /** Versions, a noncurrent tagged one, delete markers, CRC64NVME and COMPOSITE CRC32C multipart uploads, many small keys. */
    private static void fill(S3Client sa) {
        sa.createBucket(r -> r.bucket(SRC));
        sa.putBucketVersioning(r -> r.bucket(SRC).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        sa.putObject(r -> r.bucket(SRC).key("a/one.txt").contentType("text/x-first").tagging("team=red&tier=gold")
                .metadata(Map.of("owner", "ops")).checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromString("first version"));
        sa.putObject(r -> r.bucket(SRC).key("a/one.txt").contentType("text/plain").cacheControl("no-cache"),
                RequestBody.fromBytes(SnapshotAttachTest.bytes(1, 200_000)));
        sa.putObject(r -> r.bucket(SRC).key("gone.txt"), RequestBody.fromString("deleted later"));
        sa.deleteObject(r -> r.bucket(SRC).key("gone.txt"));
        sa.deleteObject(r -> r.bucket(SRC).key("never-there.txt"));
        for (int i = 0; i < SMALL; i++) {
            int n = i;
            sa.putObject(r -> r.bucket(SRC).key("many/k" + String.format("%04d", n)), RequestBody.fromBytes(SnapshotAttachTest.bytes(100 + n, 9000)));
        }
        // FULL_OBJECT CRC64NVME: the gateway computes it over the parts the SDK sends.
        var crc64 = sa.createMultipartUpload(r -> r.bucket(SRC).key("big/crc64.bin").checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME));
        List<CompletedPart> p64 = new ArrayList<>();
        byte[][] parts64 = {SnapshotAttachTest.bytes(4, 5 << 20), SnapshotAttachTest.bytes(5, 70_000)};
        for (int i = 0; i < 2; i++) {
            int n = i + 1;
            UploadPartResponse r = sa.uploadPart(u -> u.bucket(SRC).key("big/crc64.bin").uploadId(crc64.uploadId()).partNumber(n),
                    RequestBody.fromBytes(parts64[n - 1]));
            p64.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).build());
        }
        sa.completeMultipartUpload(r -> r.bucket(SRC).key("big/crc64.bin").uploadId(crc64.uploadId()).multipartUpload(m -> m.parts(p64)));
        // COMPOSITE CRC32C, tagged.
        part1 = SnapshotAttachTest.bytes(2, 5 << 20);
        part2 = SnapshotAttachTest.bytes(3, 1 << 20);
        var created = sa.createMultipartUpload(r -> r.bucket(SRC).key("big/mp.bin").checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                .contentType("application/x-big").tagging("kind=multipart"));
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] all = {part1, part2};
        for (int i = 0; i < 2; i++) {
            int n = i + 1;
            UploadPartResponse r = sa.uploadPart(u -> u.bucket(SRC).key("big/mp.bin").uploadId(created.uploadId()).partNumber(n)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(all[n - 1]));
            parts.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C()).build());
        }
        compositeVersion = sa.completeMultipartUpload(r -> r.bucket(SRC).key("big/mp.bin").uploadId(created.uploadId())
                .multipartUpload(m -> m.parts(parts))).versionId();
    }

    /** Everything a client sees of a version but its storage class (which says where its bytes are now). */
    static String head(S3Client c, String bucket, String key, String versionId) {
        HeadObjectResponse h = c.headObject(r -> r.bucket(bucket).key(key).versionId(versionId).checksumMode(ChecksumMode.ENABLED));
        var tags = c.getObjectTagging(r -> r.bucket(bucket).key(key).versionId(versionId)).tagSet();
        return String.join(" | ", h.eTag(), String.valueOf(h.lastModified()), h.contentType(), String.valueOf(h.contentLength()),
                String.valueOf(h.metadata()), String.valueOf(h.cacheControl()), h.versionId(), String.valueOf(h.checksumCRC32()),
                String.valueOf(h.checksumCRC32C()), String.valueOf(h.checksumCRC64NVME()), String.valueOf(h.checksumTypeAsString()),
                String.valueOf(h.partsCount()), tags.toString());
    }

    /** A snapshot of A's data directory (A stopped) into s3proxy; its locator. */
    private static String export(Path dataDir) throws Exception {
        StrataConfig config = StrataConfig.load(null, Map.of(), Map.of("storage.data-dir", dataDir.toString()));
        Path work = Files.createTempDirectory(root, "export");
        try (var repo = S3Repository.create(S3ColdTierConfig.of(URI.create(proxy.endpoint()), "us-east-1", "snaps",
                "site-a/", PROXY_KEY, PROXY_SECRET, true));
             Namespace ns = Namespace.open(config.metaDir()); ErasureStore store = ErasureStore.open(config.erasure())) {
            VersionData hot = (v, offset, length) -> open(store, v, offset, length);
            return new SnapshotExporter(repo, hot, work, new SnapshotExporter.Options(true, 12, 65_536))
                    .snapshot(ns, List.of(), Optional.empty()).locator().toString();
        }
    }

    private static InputStream open(ErasureStore store, ObjectVersion v, long offset, long length) {
        List<InputStream> pieces = new ArrayList<>();
        long start = 0;
        for (Segment s : v.segments()) {
            long from = Math.max(offset, start);
            long to = Math.min(offset + length, start + s.size());
            if (to > from) {
                switch (DataRef.decode(s.ref())) {
                    case DataRef.Hot h -> pieces.add(store.read(h.location(), from - start, to - from));
                    case DataRef.Inline i -> pieces.add(i.open((int) (from - start), (int) (to - from)));
                    default -> throw new IllegalStateException("not hot: " + s);
                }
            }
            start += s.size();
        }
        return new SequenceInputStream(Collections.enumeration(pieces));
    }

    /** Runs the packaged {@code strata} command against B; returns exit status and output. */
    private static Map.Entry<Integer, String> strata(String... args) throws Exception {
        return SnapshotHarness.strata(b, args);
    }

    private static String admin(String method, String path, Map<String, String> query, String body, int status) {
        return SnapshotHarness.admin(b, method, path, query, body, status);
    }

    private static String restoreJson() throws Exception {
        return admin("GET", "/snapshots/restores", Map.of("bucket", DST), null, 200);
    }

    private static String field(String json, String name) {
        return SnapshotHarness.field(json, name);
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) {
        SnapshotHarness.await(what, limit, b, condition);
    }

    private static List<String> entries(List<String> listing) {
        // The SDK gives a page's versions and its delete markers apart: compare the entries, not where they fell.
        return listing.stream().filter(l -> !l.startsWith("page ")).sorted().toList();
    }

    private static List<String> holds() {
        try (S3Client archive = proxyClient()) {
            return archive.listObjectsV2(r -> r.bucket("snaps").prefix("site-a/holds/")).contents().stream()
                    .map(o -> o.key()).toList();
        }
    }

    @Test
    @Order(0)
    void anAttachHoldsTheSnapshotInTheRepositoryUntilDetached() throws Exception {
        var r = strata("snapshot", "attach", locator, "--as", "attached", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        assertEquals(1, holds().size(), holds().toString());
        assertTrue(holds().getFirst().matches("site-a/holds/site-[0-9a-f]{16}-attach-[0-9a-f]{12}\\.json"), holds().toString());
        try (S3Client archive = proxyClient()) {
            String hold = archive.getObjectAsBytes(g -> g.bucket("snaps").key(holds().getFirst())).asUtf8String();
            assertTrue(hold.contains("\"purpose\":\"attach\""), hold);
            assertTrue(hold.contains("\"snapshot\":\"" + locator.substring(locator.indexOf("snap=") + 5, locator.indexOf('#')) + "\""), hold);
        }
        r = strata("snapshot", "detach", "attached");
        assertEquals(0, r.getKey(), r.getValue());
        assertEquals(List.of(), holds(), "detach removes the hold");
    }

    @Test
    @Order(1)
    void restoredBucketAnswersExactlyAsTheSourceBeforeAnyByteIsCopied() throws Exception {
        var r = strata("snapshot", "restore", locator, "--bucket", SRC, "--as", DST, "--no-hydrate", "--wait",
                "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        String json = restoreJson();
        assertEquals("LOADED", field(json, "state"), json);
        long entries = sourceVersions.stream().filter(l -> !l.startsWith("page ")).count();
        assertEquals(entries, Long.parseLong(field(json, "loaded")), json);
        // Nothing was copied: every version is still held in the repository, and the hold says so there.
        assertEquals(1, holds().size(), holds().toString());
        assertTrue(holds().getFirst().matches("site-a/holds/site-[0-9a-f]{16}-restore-[0-9a-f]{12}\\.json"), holds().toString());
        try (S3Client archive = proxyClient()) {
            String hold = archive.getObjectAsBytes(g -> g.bucket("snaps").key(holds().getFirst())).asUtf8String();
            assertTrue(hold.contains("\"purpose\":\"restore\"") && hold.contains("\"snapshot\":\"") && hold.contains("\"site\":\"")
                    && hold.contains("\"created\":\""), hold);
        }

        assertEquals(sourceVersions, SnapshotAttachTest.versions(s3, DST, 1000));
        assertEquals(entries(sourceVersions), entries(SnapshotAttachTest.versions(s3, DST, 7)), "paged by 7, the same entries");
        for (var e : sourceHeads.entrySet()) {
            String key = e.getKey().substring(0, e.getKey().lastIndexOf('@'));
            String id = e.getKey().substring(e.getKey().lastIndexOf('@') + 1);
            assertEquals(e.getValue(), head(s3, DST, key, id), e.getKey());
            if (!key.startsWith("many/") || key.endsWith("7")) {
                assertArrayEquals(sourceBytes.get(e.getKey()), s3.getObjectAsBytes(g -> g.bucket(DST).key(key).versionId(id)).asByteArray(),
                        e.getKey());
            }
        }
        byte[] range = s3.getObjectAsBytes(g -> g.bucket(DST).key("big/mp.bin").range("bytes=5242000-5243000")).asByteArray();
        byte[] both = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, both, 0, part1.length);
        System.arraycopy(part2, 0, both, part1.length, part2.length);
        assertArrayEquals(Arrays.copyOfRange(both, 5242000, 5243001), range);
        var second = s3.getObjectAsBytes(g -> g.bucket(DST).key("big/mp.bin").versionId(compositeVersion).partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(part2, second.asByteArray());
        assertTrue(second.response().checksumCRC32C() != null, "the part's own checksum");
        assertTrue(sourceHeads.values().stream().anyMatch(h -> h.contains("COMPOSITE")), "a COMPOSITE version compared above");
        assertEquals(BucketVersioningStatus.ENABLED, s3.getBucketVersioning(g -> g.bucket(DST)).status());
    }

    @Test
    @Order(2)
    void aRestoreIntoAnExistingBucketIsRefusedAndChangesNothing() throws Exception {
        var r = strata("snapshot", "restore", locator, "--bucket", SRC, "--as", DST, "--access-key", PROXY_KEY,
                "--secret-key", PROXY_SECRET);
        assertNotEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("BucketAlreadyExists"), r.getValue());
        String json = admin("POST", "/snapshots/restore", Map.of(), "{\"locator\":\"" + locator + "\",\"bucket\":\"" + SRC
                + "\",\"as\":\"" + DST + "\",\"accessKey\":\"" + PROXY_KEY + "\",\"secretKey\":\"" + PROXY_SECRET + "\"}", 409);
        assertTrue(json.contains("<Code>BucketAlreadyExists</Code>"), json);
        assertEquals(1, holds().size(), "no second hold");
        assertEquals(sourceVersions, SnapshotAttachTest.versions(s3, DST, 1000));
    }

    @Test
    @Order(3)
    void aRestoreWithAPrefixLoadsOnlyTheVersionsUnderIt() throws Exception {
        var r = strata("snapshot", "restore", locator, "--bucket", SRC, "--as", "only-big", "--prefix", "big/", "--no-hydrate", "--wait",
                "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        assertEquals(entries(sourceVersions).stream().filter(l -> l.startsWith("big/")).toList(),
                entries(SnapshotAttachTest.versions(s3, "only-big", 1000)));
    }

    /**
     * What a kill -9 during the metadata load leaves: the registration still LOADING with the cursor
     * of the last page recorded, the pages before it (and maybe the one after) written. The restart
     * resumes from the cursor; writing a page again changes nothing.
     */
    @Test
    @Order(3)
    void aMetadataLoadCutShortResumesFromItsCursorAtTheNextStart() throws Exception {
        var r = strata("snapshot", "restore", locator, "--bucket", SRC, "--as", "partial", "--no-hydrate", "--wait",
                "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, r.getKey(), r.getValue());
        var v = s3.listObjectVersions(l -> l.bucket("partial").prefix("many/k0200")).versions().getFirst();
        long before = entries(sourceVersions).stream().filter(l -> l.compareTo("many/k0201") < 0 && !l.startsWith("marker ") || l.startsWith("marker ")
                && l.compareTo("marker many/k0200 ") < 0).count();
        b.stop();
        Path registration = b.dataDir().resolve("snapshot-restore").resolve("partial.properties");
        Properties p = new Properties();
        try (var in = Files.newInputStream(registration)) {
            p.load(in);
        }
        assertEquals("LOADED", p.getProperty("state"));
        p.setProperty("state", "LOADING");
        p.setProperty("key-marker", v.key());
        p.setProperty("version-marker", v.versionId());
        p.setProperty("loaded", Long.toString(before));
        try (var out = Files.newOutputStream(registration)) {
            p.store(out, null);
        }
        b.start();
        await("the load to resume and end", Duration.ofSeconds(60), () -> {
            try {
                return "LOADED".equals(field(admin("GET", "/snapshots/restores", Map.of("bucket", "partial"), null, 200), "state"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(b.output().contains("resumes its metadata load after " + before + " entries"), b.outputTail());
        assertEquals(sourceVersions, SnapshotAttachTest.versions(s3, "partial", 1000));
    }

    @Test
    @Order(4)
    void theRestoredBucketTakesWritesAndDeletingARestoredVersionLeavesTheRepositoryAlone() throws Exception {
        String repositoryObjects;
        try (S3Client archive = proxyClient()) {
            repositoryObjects = archive.listObjectsV2Paginator(l -> l.bucket("snaps").prefix("site-a/data/")).contents().stream()
                    .map(o -> o.key() + " " + o.eTag()).toList().toString();
        }
        String older = sourceHeads.keySet().stream().filter(k -> k.startsWith("a/one.txt@")).findFirst().orElseThrow();
        String olderId = older.substring(older.indexOf('@') + 1);
        var put = s3.putObject(p -> p.bucket(DST).key("a/one.txt"), RequestBody.fromString("written at B"));
        assertEquals("written at B", s3.getObjectAsBytes(g -> g.bucket(DST).key("a/one.txt")).asUtf8String());
        assertNotEquals(olderId, put.versionId());
        assertEquals(3, s3.listObjectVersions(l -> l.bucket(DST).prefix("a/one.txt")).versions().size(), "a new version, the old ones kept");
        s3.deleteObject(d -> d.bucket(DST).key("a/one.txt").versionId(olderId));
        assertEquals(2, s3.listObjectVersions(l -> l.bucket(DST).prefix("a/one.txt")).versions().size());
        try (S3Client archive = proxyClient()) {
            assertEquals(repositoryObjects, archive.listObjectsV2Paginator(l -> l.bucket("snaps").prefix("site-a/data/")).contents()
                    .stream().map(o -> o.key() + " " + o.eTag()).toList().toString(), "the repository's data is untouched");
        }
        sourceHeads.remove(older);
        sourceBytes.remove(older);
    }

    @Test
    @Order(5)
    void hydrationKilledMidwayResumesAndEveryVersionIsLocalAndVerified() throws Exception {
        String hold = "site-a/" + field(restoreJson(), "hold");
        assertTrue(holds().contains(hold), hold + " in " + holds());
        String started = admin("POST", "/snapshots/hydrate", Map.of("bucket", DST), null, 200);
        assertEquals("HYDRATING", field(started, "state"), started);
        long[] seen = new long[2];
        await("some versions hydrated", Duration.ofSeconds(60), () -> {
            seen[0] = SnapshotHarness.metric(b, "strata_snapshot_hydrated_versions_total");
            seen[1] = SnapshotHarness.metric(b, "strata_snapshot_hydrate_remaining_versions");
            return seen[0] >= 8;
        });
        b.kill();
        assertTrue(seen[0] < sourceHeads.size() && seen[1] > 0, "killed midway: " + seen[0] + " hydrated, " + seen[1] + " remaining");
        System.out.println("SnapshotRestoreTest: B killed with " + seen[0] + " versions hydrated and " + seen[1] + " to visit");
        if (Boolean.getBoolean("strata.restore.negativeControl")) b.environment("STRATA_TEST_FAULT", "skip-job-resume");
        b.start();
        await("the hydration to finish", Duration.ofSeconds(120), () -> {
            try {
                return "HYDRATED".equals(field(restoreJson(), "state"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(b.output().contains("(snapshot.hydrate on " + DST + "/) resumes after"), b.outputTail());
        String json = restoreJson();
        assertEquals("0", field(json, "failed"), json);
        assertEquals("null", field(json, "hold"), json);
        assertFalse(holds().contains(hold), "the hold is released once hydrated: " + holds());

        // The repository is gone: every version reads, and verifies, from B alone.
        proxy.stop();
        for (var e : sourceHeads.entrySet()) {
            String key = e.getKey().substring(0, e.getKey().lastIndexOf('@'));
            String id = e.getKey().substring(e.getKey().lastIndexOf('@') + 1);
            assertEquals(e.getValue(), head(s3, DST, key, id), e.getKey());
            var got = s3.getObjectAsBytes(g -> g.bucket(DST).key(key).versionId(id).checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(sourceBytes.get(e.getKey()), got.asByteArray(), e.getKey());
        }
        assertFalse(new String(Files.readAllBytes(b.dataDir().resolve("snapshot-restore").resolve(DST + ".properties")),
                StandardCharsets.ISO_8859_1).contains("state=HYDRATING"));
    }
}
