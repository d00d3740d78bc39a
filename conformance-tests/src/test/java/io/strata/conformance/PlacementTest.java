package io.strata.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.RestoreObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tier;
import software.amazon.awssdk.services.s3.model.Transition;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Objective-based placement against the packaged gateway with a local cold tier COLD (objects are
 * made cold by a lifecycle rule with a past date, the worker running every second; the rule is
 * then removed so nothing moves them back): RestoreObject (SDK v2 and boto3), promotion on the
 * second GET, prefetch of a prefix through the admin API, a pin blocking a transition, and
 * watermark eviction under a tiny {@code placement.hot-capacity} (a second gateway).
 */
class PlacementTest {
    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static int buckets;

    @BeforeAll
    static void start() throws Exception {
        Path config = root.resolve("strata.yaml");
        Files.writeString(config, """
                tiers:
                  COLD:
                    type: local
                    path: %s
                placement:
                  promote-after-reads: 2
                  hot-capacity: 1024GiB
                  check-interval: 1h
                """.formatted(root.resolve("cold")));
        server = StrataServer.start(root.resolve("main"), Map.of("STRATA_LIFECYCLE_INTERVAL", "1s"),
                List.of("--config", config.toString()));
        s3 = S3Clients.pathStyle(server);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (server != null) server.close();
    }

    static String bucket(String hint) {
        String name = "p" + (++buckets) + "-" + hint;
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    static void moveNow(S3Client c, String bucket, String prefix) {
        c.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .transitionDefaultMinimumObjectSize(software.amazon.awssdk.services.s3.model.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS)
                .lifecycleConfiguration(BucketLifecycleConfiguration
                .builder().rules(LifecycleRule.builder().id("to-cold").status(ExpirationStatus.ENABLED)
                        .filter(LifecycleRuleFilter.builder().prefix(prefix).build())
                        .transitions(Transition.builder().date(Instant.parse("2020-01-01T00:00:00Z")).storageClass("COLD").build())
                        .build()).build()));
    }

    /** Moves the keys to COLD with a lifecycle rule, then removes the rule. */
    static void coldNow(String bucket, String prefix, String... keys) {
        moveNow(s3, bucket, prefix);
        await(server, "COLD: " + List.of(keys), () -> List.of(keys).stream().allMatch(k -> "COLD".equals(storageClass(bucket, k))));
        s3.deleteBucketLifecycle(b -> b.bucket(bucket));
    }

    static String storageClass(String bucket, String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).storageClassAsString();
    }

    static void await(StrataServer on, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("timed out waiting for: " + what + "; gateway output:\n" + on.outputTail());
    }

    static String admin(StrataServer on, String method, String path, Map<String, String> query, int status) throws Exception {
        RawRequest r = RawRequest.of(method, "/_strata/admin" + path);
        query.forEach(r::query);
        RawRequest.Response res = r.send(on);
        assertEquals(status, res.status(), res.text());
        return res.text();
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void restoreObjectAnswers202ThenTheVersionIsStandard() throws Exception {
        String bucket = bucket("restore");
        byte[] data = TestData.bytes(11, 3 << 20);
        s3.putObject(b -> b.bucket(bucket).key("r/a.bin"), RequestBody.fromBytes(data));
        coldNow(bucket, "r/", "r/a.bin");

        RestoreObjectResponse started = s3.restoreObject(b -> b.bucket(bucket).key("r/a.bin")
                .restoreRequest(r -> r.days(1).glacierJobParameters(j -> j.tier(Tier.STANDARD))));
        assertEquals(202, started.sdkHttpResponse().statusCode());
        await(server, "restored", () -> "STANDARD".equals(storageClass(bucket, "r/a.bin")));
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("r/a.bin")).asByteArray());
        // Already hot: 200, as AWS answers when the restored copy exists.
        RestoreObjectResponse again = s3.restoreObject(b -> b.bucket(bucket).key("r/a.bin").restoreRequest(r -> r.days(2)));
        assertEquals(200, again.sdkHttpResponse().statusCode());

        RawRequest.Response bad = RawRequest.of("POST", "/" + bucket + "/r/a.bin").query("restore", "")
                .body("<RestoreRequest><Days>soon</Days></RestoreRequest>").send(server);
        assertEquals(400, bad.status());
        assertTrue(bad.text().contains("<Code>MalformedXML</Code>"), bad.text());
        RawRequest.Response badTier = RawRequest.of("POST", "/" + bucket + "/r/a.bin").query("restore", "")
                .body("<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Fast</Tier></GlacierJobParameters>"
                        + "</RestoreRequest>").send(server);
        assertEquals(400, badTier.status());
        S3Exception missing = assertThrows(S3Exception.class, () -> s3.restoreObject(b -> b.bucket(bucket).key("r/none")
                .restoreRequest(r -> r.days(1))));
        assertEquals(404, missing.statusCode());
    }

    @Test
    void restoreObjectByVersionId() {
        String bucket = bucket("restore-version");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        byte[] old = TestData.bytes(12, 100_000);
        String v1 = s3.putObject(b -> b.bucket(bucket).key("v.bin"), RequestBody.fromBytes(old)).versionId();
        coldNow(bucket, "", "v.bin");
        s3.putObject(b -> b.bucket(bucket).key("v.bin"), RequestBody.fromBytes(TestData.bytes(13, 1000)));
        assertEquals("COLD", s3.headObject(b -> b.bucket(bucket).key("v.bin").versionId(v1)).storageClassAsString());

        RestoreObjectResponse started = s3.restoreObject(b -> b.bucket(bucket).key("v.bin").versionId(v1)
                .restoreRequest(r -> r.days(1)));
        assertEquals(202, started.sdkHttpResponse().statusCode());
        await(server, "old version restored", () -> "STANDARD".equals(
                s3.headObject(b -> b.bucket(bucket).key("v.bin").versionId(v1)).storageClassAsString()));
        assertArrayEquals(old, s3.getObjectAsBytes(b -> b.bucket(bucket).key("v.bin").versionId(v1)).asByteArray());
    }

    @Test
    void restoreObjectWithBoto3() throws Exception {
        RealClients.skipIfOptedOut();
        Path python = RealClients.debianBoto3();
        String bucket = bucket("boto3");
        s3.putObject(b -> b.bucket(bucket).key("b/x.txt"), RequestBody.fromString("restore me"));
        coldNow(bucket, "b/", "b/x.txt");
        String script = """
                import boto3, sys, time
                s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                                  aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
                r = s3.restore_object(Bucket=sys.argv[4], Key="b/x.txt",
                                      RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
                assert r["ResponseMetadata"]["HTTPStatusCode"] == 202, r
                for _ in range(300):
                    if s3.head_object(Bucket=sys.argv[4], Key="b/x.txt").get("StorageClass", "STANDARD") == "STANDARD":
                        break
                    time.sleep(0.1)
                else:
                    raise SystemExit("not restored")
                r = s3.restore_object(Bucket=sys.argv[4], Key="b/x.txt", RestoreRequest={"Days": 1})
                assert r["ResponseMetadata"]["HTTPStatusCode"] == 200, r
                assert s3.get_object(Bucket=sys.argv[4], Key="b/x.txt")["Body"].read() == b"restore me"
                print("ok")
                """;
        Path file = root.resolve("restore_boto3.py");
        Files.writeString(file, script);
        Process p = new ProcessBuilder(python.toString(), file.toString(), server.endpoint().toString(),
                StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY, bucket).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void aColdObjectIsPromotedOnItsSecondRead() {
        String bucket = bucket("promote");
        byte[] data = TestData.bytes(21, 2 << 20);
        s3.putObject(b -> b.bucket(bucket).key("hot-again.bin"), RequestBody.fromBytes(data));
        coldNow(bucket, "", "hot-again.bin");

        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("hot-again.bin")).asByteArray());
        assertEquals("COLD", storageClass(bucket, "hot-again.bin"), "one read promotes nothing");
        assertEquals(90, s3.getObjectAsBytes(b -> b.bucket(bucket).key("hot-again.bin").range("bytes=10-99"))
                .asByteArray().length);
        await(server, "promoted after the second read", () -> "STANDARD".equals(storageClass(bucket, "hot-again.bin")));
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("hot-again.bin")).asByteArray());
    }

    @Test
    void prefetchMovesEveryColdVersionUnderThePrefixHot() throws Exception {
        String bucket = bucket("prefetch");
        List<String> train = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = "train/shard-" + i;
            train.add(key);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(30 + key.hashCode(), 500_000)));
        }
        s3.putObject(b -> b.bucket(bucket).key("other/x"), RequestBody.fromString("stays cold"));
        List<String> all = new ArrayList<>(train);
        all.add("other/x");
        coldNow(bucket, "", all.toArray(String[]::new));

        String job = admin(server, "POST", "/placement/prefetch", Map.of("bucket", bucket, "prefix", "train/"), 202);
        long id = number(job, "id");
        String[] last = {""};
        await(server, "prefetch done", () -> {
            try {
                last[0] = admin(server, "GET", "/placement/prefetch", Map.of("id", Long.toString(id)), 200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !last[0].contains("\"state\":\"running\"");
        });
        // A durable bulk job: every version under the prefix visited, the three cold ones moved hot.
        assertTrue(last[0].contains("\"state\":\"done\"") && last[0].contains("\"action\":\"tier.prefetch\""), last[0]);
        assertEquals(3, number(last[0], "done"));
        assertEquals(3, number(last[0], "total"));
        assertEquals(0, number(last[0], "failed"));
        assertEquals(1_500_000, number(last[0], "bytes"));
        for (String k : train) assertEquals("STANDARD", storageClass(bucket, k), k);
        assertEquals("COLD", storageClass(bucket, "other/x"));
        assertTrue(admin(server, "GET", "/placement", Map.of(), 200).contains("\"id\":" + id));
        admin(server, "POST", "/placement/prefetch", Map.of("bucket", "no-such-bucket-here"), 404);
    }

    @Test
    void aPinnedPrefixIsNotTransitioned() throws Exception {
        String bucket = bucket("pin");
        admin(server, "POST", "/placement/pin", Map.of("bucket", bucket, "prefix", "keep/"), 200);
        assertTrue(admin(server, "GET", "/placement", Map.of(), 200)
                .contains("{\"bucket\":\"" + bucket + "\",\"prefix\":\"keep/\"}"));
        // Pins are durable: they survive a restart.
        Assumptions.assumeTrue(server.isManaged(), "needs a gateway this test can restart");
        server.restart();
        // The client's pooled connections died with the old process (and the SDK retries nothing here).
        s3.close();
        s3 = S3Clients.pathStyle(server);
        assertTrue(admin(server, "GET", "/placement", Map.of(), 200)
                .contains("{\"bucket\":\"" + bucket + "\",\"prefix\":\"keep/\"}"));
        s3.putObject(b -> b.bucket(bucket).key("keep/a"), RequestBody.fromString("pinned"));
        s3.putObject(b -> b.bucket(bucket).key("move/b"), RequestBody.fromString("not pinned"));
        moveNow(s3, bucket, "");
        // Keys are visited in order: once move/b is cold, the run has passed keep/a.
        await(server, "move/b cold", () -> "COLD".equals(storageClass(bucket, "move/b")));
        assertEquals("STANDARD", storageClass(bucket, "keep/a"));

        String unpinned = admin(server, "DELETE", "/placement/pin", Map.of("bucket", bucket, "prefix", "keep/"), 200);
        assertTrue(unpinned.contains("\"removed\":true"), unpinned);
        await(server, "keep/a cold once unpinned", () -> "COLD".equals(storageClass(bucket, "keep/a")));
        s3.deleteBucketLifecycle(b -> b.bucket(bucket));
    }

    @Test
    void evictionMovesTheLeastRecentlyUsedOutAboveTheHighWatermark() throws Exception {
        Path dir = root.resolve("evict");
        Files.createDirectories(dir);
        Path config = dir.resolve("strata.yaml");
        Files.writeString(config, """
                tiers:
                  COLD:
                    type: local
                    path: %s
                placement:
                  hot-capacity: 10MiB
                  high-watermark: 0.9
                  low-watermark: 0.75
                  keep-hot-window: 0s
                  check-interval: 1s
                """.formatted(dir.resolve("cold")));
        try (StrataServer small = StrataServer.start(dir, Map.of(), List.of("--config", config.toString()));
             S3Client c = S3Clients.pathStyle(small)) {
            c.createBucket(b -> b.bucket("evict"));
            for (int i = 0; i < 10; i++) {
                String key = "k" + i;
                c.putObject(b -> b.bucket("evict").key(key), RequestBody.fromBytes(TestData.bytes(40 + key.hashCode(), 1 << 20)));
                // k0 is read after k8 was written: least recently used are then k1, k2, k3.
                if (i == 8) c.getObjectAsBytes(b -> b.bucket("evict").key("k0"));
                Thread.sleep(20);   // distinct modification times
            }
            // 10 MiB of 10 MiB is above 0.9; down to 0.75 means 2.5 MiB out: the three least recently used.
            List<String> cold = new ArrayList<>();
            await(small, "three evicted", () -> {
                cold.clear();
                for (int i = 0; i < 10; i++) {
                    String key = "k" + i;
                    if ("COLD".equals(c.headObject(b -> b.bucket("evict").key(key)).storageClassAsString())) cold.add(key);
                }
                return cold.size() >= 3;
            });
            assertEquals(List.of("k1", "k2", "k3"), cold);
            String status = admin(small, "GET", "/placement", Map.of(), 200);
            assertEquals(3, number(status, "evictions"), status);
            String metrics = small.metrics();
            assertTrue(metrics.contains("strata_placement_evictions_total 3"), metrics);
            assertArrayEquals(TestData.bytes(40 + "k1".hashCode(), 1 << 20),
                    c.getObjectAsBytes(b -> b.bucket("evict").key("k1")).asByteArray());
        }
    }
}
