package io.strata.conformance;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The "keep the newest N hot" placement objective against the packaged gateway, with ARCHIVE a bucket
 * on a real third-party S3 server (s3proxy). The rules' scheduled pass is set to an hour, so after the
 * pass at start-up everything that moves here is moved by the passes a write under a rule's prefix
 * wakes. Promotion on access is off, so reading a cold version back leaves it cold.
 */
class KeepNewestTest {
    private static final String PROXY_KEY = "keep-newest-access";
    private static final String PROXY_SECRET = "keep-newest-secret-0123456789";
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static S3Proxy proxy;
    static BlobStoreContext proxyContext;
    static S3Client archive;

    @BeforeAll
    static void start() throws Exception {
        int proxyPort = StrataServer.freePort();
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.resolve("s3proxy").toString());
        proxyContext = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(proxyContext.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, PROXY_KEY, PROXY_SECRET)
                .endpoint(URI.create("http://127.0.0.1:" + proxyPort)).build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) fail("s3proxy did not start");
            Thread.onSpinWait();
        }
        archive = S3Client.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(S3Clients.credentials(PROXY_KEY, PROXY_SECRET))
                .endpointOverride(URI.create("http://127.0.0.1:" + proxyPort)).forcePathStyle(true)
                // s3proxy answers the SDK's default x-amz-checksum-mode with 501.
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(S3Clients.httpClient()).build();
        archive.createBucket(b -> b.bucket("archive"));
        Path config = root.resolve("strata.yaml");
        Files.writeString(config, """
                placement:
                  promote-after-reads: 0
                  keep-newest-interval: 1h
                  keep-newest:
                    ckpt:
                      bucket: ckpt-dirs
                      prefix: ckpt/
                      versions: 2
                      group-by: directory
                      tier: ARCHIVE
                    model:
                      bucket: ckpt-versions
                      prefix: model/
                      versions: 2
                      tier: ARCHIVE
                    many:
                      bucket: ckpt-many
                      versions: 1000
                tiers:
                  COLD:
                    type: local
                    path: %s
                  ARCHIVE:
                    type: s3
                    endpoint: http://127.0.0.1:%d
                    bucket: archive
                    prefix: strata/
                    access-key: %s
                    secret-key: %s
                """.formatted(root.resolve("cold"), proxyPort, PROXY_KEY, PROXY_SECRET));
        server = StrataServer.start(root.resolve("gateway"), Map.of(), List.of("--config", config.toString()));
        s3 = S3Clients.pathStyle(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) s3.close();
        if (server != null) server.close();
        if (archive != null) archive.close();
        if (proxy != null) {
            proxy.stop();
            proxyContext.close();
        }
    }

    /** The storage class HEAD reports: the tier's name when cold, STANDARD when hot. */
    static String storageClass(String bucket, String key, String versionId) {
        String c = s3.headObject(b -> b.bucket(bucket).key(key).versionId(versionId)).storageClassAsString();
        return c == null ? "STANDARD" : c;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(100);   // polling interval of a bounded wait, not a wait for an event
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("timed out waiting for: " + what + "; gateway output:\n" + server.outputTail());
    }

    /** One rule's object in {@code GET /_strata/admin/placement}. */
    static String rule(String name) {
        try {
            String status = RawRequest.of("GET", "/_strata/admin/placement").send(server).text();
            Matcher m = Pattern.compile("\\{\"name\":\"" + name + "\"[^}]*}").matcher(status);
            assertTrue(m.find(), name + " in " + status);
            return m.group();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** Writes one checkpoint directory: three shards (one small enough to be kept inline) and an index. */
    static Map<String, byte[]> checkpoint(String bucket, int step) {
        Map<String, byte[]> written = new LinkedHashMap<>();
        for (int shard = 0; shard < 3; shard++) {
            written.put("ckpt/step-" + step + "/shard-" + shard, TestData.bytes(step * 100L + shard, 150_000 + shard * 70_000));
        }
        written.put("ckpt/step-" + step + "/index.json", TestData.bytes(step * 100L + 99, 2_000));
        written.forEach((k, v) -> s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(v)));
        return written;
    }

    static List<String> keysIn(Map<Integer, Map<String, byte[]>> steps, int... which) {
        List<String> keys = new ArrayList<>();
        for (int step : which) keys.addAll(steps.get(step).keySet());
        return keys;
    }

    static boolean allIn(String bucket, List<String> keys, String storageClass) {
        return keys.stream().allMatch(k -> storageClass.equals(storageClass(bucket, k, null)));
    }

    @Test
    void theTwoNewestCheckpointDirectoriesStayHotAndOlderOnesGoToTheArchiveTier() {
        String bucket = "ckpt-dirs";
        s3.createBucket(b -> b.bucket(bucket));
        Map<Integer, Map<String, byte[]>> steps = new LinkedHashMap<>();
        for (int step = 1; step <= 5; step++) steps.put(step, checkpoint(bucket, step));
        // A key directly under the prefix belongs to no checkpoint: the rule leaves it alone.
        s3.putObject(b -> b.bucket(bucket).key("ckpt/latest"), RequestBody.fromString("step-5"));

        await("steps 1-3 in ARCHIVE", () -> allIn(bucket, keysIn(steps, 1, 2, 3), "ARCHIVE"));
        assertTrue(allIn(bucket, keysIn(steps, 4, 5), "STANDARD"), rule("ckpt"));
        assertEquals("STANDARD", storageClass(bucket, "ckpt/latest", null));
        for (Map<String, byte[]> written : steps.values()) {
            written.forEach((k, v) -> assertArrayEquals(v, s3.getObjectAsBytes(b -> b.bucket(bucket).key(k)).asByteArray(), k));
        }
        // The copies are in the third-party store, under the tier's prefix.
        List<String> inArchive = archive.listObjectsV2Paginator(b -> b.bucket("archive").prefix("strata/" + bucket + "/"))
                .contents().stream().map(S3Object::key).toList();
        for (String k : keysIn(steps, 1, 2, 3)) {
            assertTrue(inArchive.stream().anyMatch(a -> a.startsWith("strata/" + bucket + "/" + k + "~")), k + " in " + inArchive);
        }

        // A sixth checkpoint pushes the third newest (step 4) out; 5 and 6 stay hot.
        steps.put(6, checkpoint(bucket, 6));
        await("step 4 in ARCHIVE", () -> allIn(bucket, keysIn(steps, 4), "ARCHIVE"));
        assertTrue(allIn(bucket, keysIn(steps, 5, 6), "STANDARD"), rule("ckpt"));
        steps.get(4).forEach((k, v) -> assertArrayEquals(v, s3.getObjectAsBytes(b -> b.bucket(bucket).key(k)).asByteArray(), k));

        String status = rule("ckpt");
        assertEquals(16, number(status, "destaged"), status);
        long bytes = steps.entrySet().stream().filter(e -> e.getKey() <= 4)
                .flatMap(e -> e.getValue().values().stream()).mapToLong(v -> v.length).sum();
        assertEquals(bytes, number(status, "destagedBytes"), status);
        assertEquals(0, number(status, "failed"), status);
        try {
            String metrics = server.metrics();
            assertTrue(metrics.contains("strata_placement_keep_newest_destaged_versions_total{rule=\"ckpt\"} 16"), metrics);
            assertTrue(metrics.contains("strata_placement_keep_newest_destaged_bytes_total{rule=\"ckpt\"} " + bytes), metrics);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertTrue(server.output().contains("keep-newest pass: rule=ckpt"), "a structured line per pass that moved something");
    }

    @Test
    void theTwoNewestVersionsAcrossKeysStayHotAndDeleteMarkersDoNotCount() {
        String bucket = "ckpt-versions";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        Map<String, byte[]> data = new LinkedHashMap<>();
        List<String[]> versions = new ArrayList<>();   // {key, versionId}, oldest first
        for (int i = 0; i < 5; i++) {
            String key = i % 2 == 0 ? "model/weights.bin" : "model/optimizer.bin";
            byte[] bytes = TestData.bytes(500 + i, 120_000 + i);
            String id = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes)).versionId();
            versions.add(new String[]{key, id});
            data.put(id, bytes);
        }
        // The newest write is a delete marker: it is not one of the two, so versions 4 and 5 stay hot.
        s3.deleteObject(b -> b.bucket(bucket).key("model/optimizer.bin"));

        await("the three oldest versions in ARCHIVE", () -> versions.subList(0, 3).stream()
                .allMatch(v -> "ARCHIVE".equals(storageClass(bucket, v[0], v[1]))));
        for (String[] v : versions.subList(3, 5)) assertEquals("STANDARD", storageClass(bucket, v[0], v[1]), v[0] + "@" + v[1]);
        for (String[] v : versions) {
            assertArrayEquals(data.get(v[1]), s3.getObjectAsBytes(b -> b.bucket(bucket).key(v[0]).versionId(v[1])).asByteArray());
        }
        assertEquals(3, number(rule("model"), "destaged"), rule("model"));
    }

    @Test
    void nothingMovesWhileThereAreFewerThanNVersions() {
        String bucket = "ckpt-many";
        s3.createBucket(b -> b.bucket(bucket));
        List<String> keys = List.of("a/1", "a/2", "b/3");
        for (String k : keys) s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(TestData.bytes(k.hashCode(), 100_000)));
        // A completed pass listed all three (the count is published with the pass), and moved nothing.
        await("a pass that saw the three versions", () -> number(rule("many"), "groups") == 3);
        String status = rule("many");
        assertTrue(number(status, "passes") >= 1, status);
        assertEquals(0, number(status, "destaged"), status);
        for (String k : keys) assertEquals("STANDARD", storageClass(bucket, k, null), k);
    }

    @Test
    void aRuleNamingAnUnknownTierStopsStartupNamingTheKey() throws Exception {
        Path dir = root.resolve("bad");
        Files.createDirectories(dir);
        Path config = dir.resolve("strata.yaml");
        Files.writeString(config, """
                placement:
                  keep-newest:
                    ckpt:
                      bucket: train
                      versions: 2
                      tier: NOWHERE
                """);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> StrataServer.start(dir.resolve("gateway"), Map.of(), List.of("--config", config.toString())).close());
        assertTrue(e.getMessage().contains("placement.keep-newest.ckpt.tier") && e.getMessage().contains("NOWHERE"),
                e.getMessage());
    }
}
