package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.strata.erasure.ErasureStore;
import io.strata.gateway.config.StrataConfig;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.DataRef;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.snapshot.LocalDirectoryRepository;
import io.strata.tiering.snapshot.S3Repository;
import io.strata.tiering.snapshot.SnapshotExporter;
import io.strata.tiering.snapshot.SnapshotRepository;
import io.strata.tiering.snapshot.VersionData;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * {@code strata snapshot attach}: gateway A holds a versioned bucket (multipart with COMPOSITE
 * CRC32C, tags, metadata, delete markers, many keys); it is snapshotted (with the exporter, from A's
 * data directory once A stopped) into a local-directory repository and into s3proxy. Gateway B,
 * a fresh one, attaches those snapshots; the SDK and the aws CLI then see in B exactly what A
 * answered: listings page by page, records, bytes, ranges, versions, parts, checksums, tags.
 * Writes are refused; damaged data and range files are refused, never served; the attach survives
 * a restart; detach removes it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotAttachTest {
    private static final String PROXY_KEY = "snapkey";
    private static final String PROXY_SECRET = "snap-secret-0123456789";
    private static final String SRC = "src";

    @TempDir
    static Path root;
    static StrataServer b;
    static S3Client s3;
    static SnapshotHarness.Proxy proxy;
    /** A's answers, recorded before A stopped. */
    static List<String> sourceListing;
    static List<String> sourceDelimited;
    static List<String> sourceVersions;
    static final Map<String, String> sourceHeads = new java.util.TreeMap<>();
    static final Map<String, byte[]> sourceBytes = new java.util.TreeMap<>();
    static String multipartVersion;
    static byte[] part1;
    static byte[] part2;
    static String locatorLocal;
    static String locatorS3;

    @BeforeAll
    static void setUp() throws Exception {
        proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        Path rootA = root.resolve("a");
        try (StrataServer a = StrataServer.start(rootA); S3Client sa = S3Clients.pathStyle(a)) {
            fill(sa);
            record(sa);
        }
        Path repoLocal = Files.createDirectories(root.resolve("repo-local"));
        locatorLocal = export(rootA.resolve("data"), LocalDirectoryRepository.create(repoLocal));
        try (S3Client archive = proxyClient()) {
            archive.createBucket(r -> r.bucket("snaps"));
        }
        locatorS3 = export(rootA.resolve("data"), S3Repository.create(S3ColdTierConfig.of(URI.create(proxy.endpoint()),
                "us-east-1", "snaps", "site-a/", PROXY_KEY, PROXY_SECRET, true)));
        // Damaged copies: one data object with a byte flipped, one range file with a byte flipped.
        locatorDamaged("repo-bad-data", "data/" + SRC + "/a/one.txt/");
        locatorDamaged("repo-bad-range", "ranges/");
        b = StrataServer.start(root.resolve("b"));
        s3 = S3Clients.pathStyle(b);
        assertAttached(strata("snapshot", "attach", locatorLocal, "--as", "att-local"));
        assertAttached(strata("snapshot", "attach", locatorS3, "--as", "att-s3", "--access-key", PROXY_KEY,
                "--secret-key", PROXY_SECRET));
    }

    private static void assertAttached(Map.Entry<Integer, String> r) {
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("as read-only bucket"), r.getValue());
    }

    static S3Client proxyClient() {
        return proxy.client();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (s3 != null) s3.close();
        if (b != null) b.close();
        if (proxy != null) proxy.close();
    }

    static byte[] bytes(int seed, int n) {
        byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    /** A versioned bucket: overwrites with tags and metadata, a COMPOSITE multipart upload, delete markers, 40 keys. */
    private static void fill(S3Client sa) {
        sa.createBucket(r -> r.bucket(SRC));
        sa.putBucketVersioning(r -> r.bucket(SRC).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        sa.putObject(r -> r.bucket(SRC).key("a/one.txt").contentType("text/plain"), RequestBody.fromString("first version"));
        sa.putObject(r -> r.bucket(SRC).key("a/one.txt").contentType("text/x-second").metadata(Map.of("owner", "ops"))
                        .tagging("team=red&tier=gold").cacheControl("no-cache").checksumAlgorithm(ChecksumAlgorithm.CRC32),
                RequestBody.fromBytes(bytes(1, 200_000)));
        sa.putObject(r -> r.bucket(SRC).key("gone.txt"), RequestBody.fromString("deleted later"));
        sa.deleteObject(r -> r.bucket(SRC).key("gone.txt"));
        for (int i = 0; i < 40; i++) {
            int n = i;
            sa.putObject(r -> r.bucket(SRC).key("many/" + (n % 4) + "/k" + String.format("%03d", n)),
                    RequestBody.fromBytes(bytes(100 + n, 10 + n)));
        }
        part1 = bytes(2, 5 << 20);
        part2 = bytes(3, 1 << 20);
        var created = sa.createMultipartUpload(r -> r.bucket(SRC).key("big/mp.bin").checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                .contentType("application/x-big"));
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] all = {part1, part2};
        for (int i = 0; i < 2; i++) {
            int n = i + 1;
            UploadPartResponse r = sa.uploadPart(u -> u.bucket(SRC).key("big/mp.bin").uploadId(created.uploadId()).partNumber(n)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(all[n - 1]));
            parts.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C()).build());
        }
        multipartVersion = sa.completeMultipartUpload(r -> r.bucket(SRC).key("big/mp.bin").uploadId(created.uploadId())
                .multipartUpload(m -> m.parts(parts))).versionId();
    }

    private static void record(S3Client sa) throws Exception {
        sourceListing = listing(sa, SRC, "", 7);
        sourceDelimited = listing(sa, SRC, "/", 2);
        sourceVersions = versions(sa, SRC, 3);
        for (var v : sa.listObjectVersionsPaginator(r -> r.bucket(SRC)).versions()) {
            sourceHeads.put(v.key() + "@" + v.versionId(), head(sa, SRC, v.key(), v.versionId()));
            sourceBytes.put(v.key() + "@" + v.versionId(), sa.getObjectAsBytes(r -> r.bucket(SRC).key(v.key()).versionId(v.versionId())).asByteArray());
        }
    }

    static List<String> listing(S3Client c, String bucket, String delimiter, int max) {
        List<String> out = new ArrayList<>();
        String token = null;
        for (int page = 0; page < 100; page++) {
            String t = token;
            ListObjectsV2Response r = c.listObjectsV2(q -> q.bucket(bucket).maxKeys(max).continuationToken(t)
                    .delimiter(delimiter.isEmpty() ? null : delimiter));
            r.contents().forEach(o -> out.add(o.key() + " " + o.eTag() + " " + o.size() + " " + o.lastModified() + " " + o.storageClassAsString()));
            r.commonPrefixes().forEach(p -> out.add("prefix " + p.prefix()));
            out.add("page truncated=" + r.isTruncated());
            if (!r.isTruncated()) return out;
            token = r.nextContinuationToken();
        }
        return fail("listing did not end");
    }

    static List<String> versions(S3Client c, String bucket, int max) {
        List<String> out = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        for (int page = 0; page < 200; page++) {
            String k = keyMarker;
            String id = idMarker;
            ListObjectVersionsResponse r = c.listObjectVersions(q -> q.bucket(bucket).maxKeys(max).keyMarker(k).versionIdMarker(id));
            r.versions().forEach(v -> out.add(v.key() + " " + v.versionId() + " " + v.isLatest() + " " + v.eTag() + " " + v.size()
                    + " " + v.lastModified()));
            r.deleteMarkers().forEach(d -> out.add("marker " + d.key() + " " + d.versionId() + " " + d.isLatest() + " " + d.lastModified()));
            out.add("page truncated=" + r.isTruncated());
            if (!r.isTruncated()) return out;
            keyMarker = r.nextKeyMarker();
            idMarker = r.nextVersionIdMarker();
        }
        return fail("version listing did not end");
    }

    static String head(S3Client c, String bucket, String key, String versionId) {
        HeadObjectResponse h = c.headObject(r -> r.bucket(bucket).key(key).versionId(versionId).checksumMode(ChecksumMode.ENABLED));
        List<Tag> tags = c.getObjectTagging(r -> r.bucket(bucket).key(key).versionId(versionId)).tagSet();
        return String.join(" | ", h.eTag(), String.valueOf(h.lastModified()), h.contentType(), String.valueOf(h.contentLength()),
                String.valueOf(h.metadata()), String.valueOf(h.cacheControl()), h.versionId(), String.valueOf(h.checksumCRC32()),
                String.valueOf(h.checksumCRC32C()), String.valueOf(h.checksumTypeAsString()), String.valueOf(h.partsCount()),
                String.valueOf(h.storageClassAsString()), tags.toString());
    }

    /** A snapshot of A's data directory (A stopped), self-contained, into {@code repo}; its locator. */
    static String export(Path dataDir, SnapshotRepository repo) throws Exception {
        StrataConfig config = StrataConfig.load(null, Map.of(), Map.of("storage.data-dir", dataDir.toString()));
        Path work = Files.createTempDirectory(root, "export");
        try (repo; Namespace ns = Namespace.open(config.metaDir()); ErasureStore store = ErasureStore.open(config.erasure())) {
            VersionData hot = (v, offset, length) -> open(store, v, offset, length);
            return new SnapshotExporter(repo, hot, work, new SnapshotExporter.Options(true, 12, 65_536))
                    .snapshot(ns, List.of(), Optional.empty()).locator().toString();
        }
    }

    /** A's hot data: erasure blobs and inline segments. */
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

    /** A copy of the local repository with one byte flipped in every file under {@code under}; its locator. */
    static String locatorDamaged(String name, String under) throws Exception {
        Path source = root.resolve("repo-local");
        Path copy = root.resolve(name);
        try (Stream<Path> all = Files.walk(source)) {
            for (Path p : all.toList()) {
                Path target = copy.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        List<Path> victims;
        try (Stream<Path> all = Files.walk(copy.resolve(under))) {
            victims = all.filter(Files::isRegularFile).toList();
        }
        assertFalse(victims.isEmpty(), "nothing to damage under " + under);
        for (Path victim : victims) {
            byte[] content = Files.readAllBytes(victim);
            content[content.length / 2] ^= 0x01;
            Files.write(victim, content);
        }
        String locator = locatorLocal.replace(source.toUri().getPath().replaceAll("/$", ""), copy.toUri().getPath().replaceAll("/$", ""));
        assertNotEquals(locatorLocal, locator);
        return locator;
    }

    /** Runs the packaged {@code strata} command against B; returns exit status and output. */
    static Map.Entry<Integer, String> strata(String... args) throws Exception {
        return SnapshotHarness.strata(b, args);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @Order(1)
    void listingsPageByPageEqualTheSourcesInBothRepositories() {
        for (String att : List.of("att-local", "att-s3")) {
            assertEquals(sourceListing, listing(s3, att, "", 7), att);
            assertEquals(sourceDelimited, listing(s3, att, "/", 2), att);
            assertEquals(sourceVersions, versions(s3, att, 3), att);
            // ListObjects (v1) with a prefix and a marker.
            var v1 = s3.listObjects(r -> r.bucket(att).prefix("many/2/").marker("many/2/k010").maxKeys(3));
            assertEquals(List.of("many/2/k014", "many/2/k018", "many/2/k022"), v1.contents().stream().map(o -> o.key()).toList());
            assertTrue(v1.isTruncated());
        }
        List<String> buckets = s3.listBuckets().buckets().stream().map(x -> x.name()).toList();
        assertTrue(buckets.containsAll(List.of("att-local", "att-s3")), buckets.toString());
    }

    @Test
    @Order(2)
    void everyVersionsRecordTagsChecksumsAndBytesEqualTheSources() throws Exception {
        for (String att : List.of("att-local", "att-s3")) {
            for (var e : sourceHeads.entrySet()) {
                String key = e.getKey().substring(0, e.getKey().lastIndexOf('@'));
                String id = e.getKey().substring(e.getKey().lastIndexOf('@') + 1);
                assertEquals(e.getValue(), head(s3, att, key, id), att + " " + e.getKey());
                byte[] got = s3.getObjectAsBytes(r -> r.bucket(att).key(key).versionId(id)).asByteArray();
                assertEquals(sha256(sourceBytes.get(e.getKey())), sha256(got), att + " " + e.getKey());
            }
            // The current version without a version id; a delete marker answers 404 with its header.
            assertEquals(sha256(bytes(1, 200_000)), sha256(s3.getObjectAsBytes(r -> r.bucket(att).key("a/one.txt")).asByteArray()));
            S3Exception gone = assertThrows(S3Exception.class, () -> s3.getObject(r -> r.bucket(att).key("gone.txt")).close());
            assertEquals(404, gone.statusCode());
        }
    }

    @Test
    @Order(3)
    void rangesPartsAndChecksumModeAnswerAsTheSource() throws Exception {
        for (String att : List.of("att-local", "att-s3")) {
            ResponseBytes<GetObjectResponse> range = s3.getObjectAsBytes(r -> r.bucket(att).key("big/mp.bin").range("bytes=5242000-5243999"));
            assertArrayEquals(java.util.Arrays.copyOfRange(concat(), 5_242_000, 5_244_000), range.asByteArray());
            assertEquals("bytes 5242000-5243999/" + concat().length, range.response().contentRange());
            ResponseBytes<GetObjectResponse> p2 = s3.getObjectAsBytes(r -> r.bucket(att).key("big/mp.bin").partNumber(2)
                    .checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(part2, p2.asByteArray());
            assertEquals(2, p2.response().partsCount());
            assertEquals(multipartVersion, p2.response().versionId());
            HeadObjectResponse h = s3.headObject(r -> r.bucket(att).key("a/one.txt").checksumMode(ChecksumMode.ENABLED));
            assertTrue(h.checksumCRC32() != null && !h.checksumCRC32().isEmpty(), "CRC32 in checksum mode");
        }
    }

    @Test
    @Order(4)
    void theAwsCliListsAndReadsTheAttachedBucket() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.onPathOrFail("aws", "awscli");
        String listed = aws(aws, "s3api", "list-object-versions", "--bucket", "att-local", "--prefix", "a/");
        assertTrue(listed.contains("a/one.txt") && listed.contains("\"IsLatest\": true"), listed);
        Path out = root.resolve("cli-range.bin");
        aws(aws, "s3api", "get-object", "--bucket", "att-local", "--key", "big/mp.bin", "--range", "bytes=0-99", out.toString());
        assertArrayEquals(java.util.Arrays.copyOf(part1, 100), Files.readAllBytes(out));
        String head = aws(aws, "s3api", "head-object", "--bucket", "att-s3", "--key", "a/one.txt", "--checksum-mode", "ENABLED");
        assertTrue(head.contains("ChecksumCRC32"), head);
    }

    private static String aws(Path aws, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(aws.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", b.endpoint().toString(), "--region", "us-east-1"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().put("AWS_ACCESS_KEY_ID", StrataServer.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", StrataServer.SECRET_KEY);
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("aws " + String.join(" ", args) + " did not finish");
        }
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    private static byte[] concat() {
        byte[] all = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, all, 0, part1.length);
        System.arraycopy(part2, 0, all, part1.length, part2.length);
        return all;
    }

    @Test
    @Order(5)
    void everyKindOfWriteIsRefusedWithAccessDeniedNamingTheSnapshot() {
        String att = "att-local";
        List<Function<S3Client, Object>> writes = List.of(
                c -> c.putObject(r -> r.bucket(att).key("new"), RequestBody.fromString("x")),
                c -> c.putObject(r -> r.bucket(att).key("a/one.txt"), RequestBody.fromString("overwrite")),
                c -> c.copyObject(r -> r.sourceBucket(att).sourceKey("a/one.txt").destinationBucket(att).destinationKey("copy")),
                c -> c.deleteObject(r -> r.bucket(att).key("a/one.txt")),
                c -> c.deleteObjects(r -> r.bucket(att).delete(d -> d.objects(software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key("a/one.txt").build()))),
                c -> c.createMultipartUpload(r -> r.bucket(att).key("mp")),
                c -> c.putObjectTagging(r -> r.bucket(att).key("a/one.txt").tagging(t -> t.tagSet(Tag.builder().key("k").value("v").build()))),
                c -> c.deleteObjectTagging(r -> r.bucket(att).key("a/one.txt")),
                c -> c.putObjectAcl(r -> r.bucket(att).key("a/one.txt").acl("public-read")),
                c -> c.putBucketVersioning(r -> r.bucket(att).versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED))),
                c -> c.putBucketPolicy(r -> r.bucket(att).policy("{\"Version\":\"2012-10-17\",\"Statement\":[]}")),
                c -> c.putBucketTagging(r -> r.bucket(att).tagging(t -> t.tagSet(Tag.builder().key("k").value("v").build()))),
                c -> c.deleteBucket(r -> r.bucket(att)));
        for (int i = 0; i < writes.size(); i++) {
            int n = i;
            S3Exception e = assertThrows(S3Exception.class, () -> writes.get(n).apply(s3), "write " + n);
            assertEquals(403, e.statusCode(), "write " + n);
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode(), "write " + n);
            assertTrue(e.awsErrorDetails().errorMessage().contains("attached snapshot"), e.awsErrorDetails().errorMessage());
        }
        // Nothing changed, and copying out of the snapshot into a normal bucket works.
        assertEquals(sourceListing, listing(s3, att, "", 7));
        s3.createBucket(r -> r.bucket("plain"));
        s3.copyObject(r -> r.sourceBucket(att).sourceKey("a/one.txt").destinationBucket("plain").destinationKey("copied"));
        assertArrayEquals(bytes(1, 200_000), s3.getObjectAsBytes(r -> r.bucket("plain").key("copied")).asByteArray());
    }

    @Test
    @Order(6)
    void attachingOverAnExistingBucketOrAttachIsRefused() throws Exception {
        s3.createBucket(r -> r.bucket("taken"));
        var r = strata("snapshot", "attach", locatorLocal, "--as", "taken");
        assertEquals(3, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("BucketAlreadyExists") || r.getValue().contains("exists already"), r.getValue());
        r = strata("snapshot", "attach", locatorLocal, "--as", "att-local");
        assertEquals(3, r.getKey(), r.getValue());
        S3Exception create = assertThrows(S3Exception.class, () -> s3.createBucket(q -> q.bucket("att-local")));
        assertTrue(create.statusCode() == 403 || create.statusCode() == 409, create.toString());
        // A locator whose hash is not the root's is refused, nothing attached.
        String hash = locatorLocal.substring(locatorLocal.length() - 64);
        String wrong = locatorLocal.substring(0, locatorLocal.length() - 64) + (hash.charAt(0) == '0' ? "1" : "0") + hash.substring(1);
        r = strata("snapshot", "attach", wrong, "--as", "wrong");
        assertTrue(r.getValue().contains("SHA-256"), r.getValue());
        assertEquals(3, r.getKey(), r.getValue());
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(x -> x.name().equals("wrong")));
    }

    @Test
    @Order(7)
    void aDamagedDataObjectIsRefusedAndNothingIsServed() throws Exception {
        assertAttached(strata("snapshot", "attach", locatorDamaged2("repo-bad-data"), "--as", "att-bad-data"));
        // Listing works (the range files are intact); the damaged object's bytes are refused.
        assertEquals(sourceListing, listing(s3, "att-bad-data", "", 7));
        S3Exception e = assertThrows(S3Exception.class, () -> s3.getObjectAsBytes(r -> r.bucket("att-bad-data").key("a/one.txt")));
        assertEquals(500, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("integrity check"), e.awsErrorDetails().errorMessage());
        // A ranged read of it is refused too: ranges come only from a checked copy.
        assertThrows(S3Exception.class, () -> s3.getObjectAsBytes(r -> r.bucket("att-bad-data").key("a/one.txt").range("bytes=0-1")));
        // Undamaged objects of the same snapshot are served.
        assertArrayEquals(bytes(110, 20), s3.getObjectAsBytes(r -> r.bucket("att-bad-data").key("many/2/k010")).asByteArray());
    }

    @Test
    @Order(8)
    void aRangeFileWhoseBytesDoNotMatchIsRefusedWhenListed() throws Exception {
        assertAttached(strata("snapshot", "attach", locatorDamaged2("repo-bad-range"), "--as", "att-bad-range"));
        S3Exception e = assertThrows(S3Exception.class, () -> s3.listObjectsV2(r -> r.bucket("att-bad-range")));
        assertEquals(500, e.statusCode());
        assertTrue(e.awsErrorDetails().errorMessage().contains("range file"), e.awsErrorDetails().errorMessage());
    }

    @Test
    @Order(9)
    void theAttachSurvivesARestartAndShowsInMetrics() throws Exception {
        b.stop();
        b.start();
        s3.close();
        s3 = S3Clients.pathStyle(b);
        assertEquals(sourceListing, listing(s3, "att-local", "", 7));
        assertEquals(sourceListing, listing(s3, "att-s3", "", 7));
        assertArrayEquals(bytes(1, 200_000), s3.getObjectAsBytes(r -> r.bucket("att-s3").key("a/one.txt")).asByteArray());
        String metrics = b.metrics();
        assertTrue(metrics.contains("strata_snapshot_attached_buckets 4.0"), metrics);
        assertTrue(metrics.contains("strata_snapshot_attach_fetched_bytes_total"), metrics);
        var attached = strata("snapshot", "attached");
        assertEquals(0, attached.getKey(), attached.getValue());
        assertTrue(attached.getValue().contains("att-s3"), attached.getValue());
        assertFalse(attached.getValue().contains(PROXY_SECRET), "the secret key is never shown");
        Path registration = b.dataDir().resolve("snapshot-attach").resolve("registry").resolve("att-s3.properties");
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(registration), "the registration holds the repository's secret key");
    }

    @Test
    @Order(10)
    void detachRemovesTheBucketAndItsCache() throws Exception {
        Path cache = b.dataDir().resolve("snapshot-attach").resolve("cache").resolve("att-local");
        assertTrue(Files.isDirectory(cache), "the attach cached what it read");
        var r = strata("snapshot", "detach", "att-local");
        assertEquals(0, r.getKey(), r.getValue());
        assertFalse(Files.exists(cache));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(x -> x.name().equals("att-local")));
        S3Exception e = assertThrows(S3Exception.class, () -> s3.listObjectsV2(q -> q.bucket("att-local")));
        assertEquals(404, e.statusCode());
        assertEquals(3, strata("snapshot", "detach", "att-local").getKey());
        b.stop();
        b.start();
        s3.close();
        s3 = S3Clients.pathStyle(b);
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(x -> x.name().equals("att-local")), "detach is durable");
    }

    /** The locator of a damaged copy made in {@link #setUp}. */
    private static String locatorDamaged2(String name) {
        Path source = root.resolve("repo-local");
        return locatorLocal.replace(source.toUri().getPath().replaceAll("/$", ""), root.resolve(name).toUri().getPath().replaceAll("/$", ""));
    }
}
