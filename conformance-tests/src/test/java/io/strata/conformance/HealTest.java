package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Heal through the admin API: two of six drive directories deleted under a running gateway, reads
 * keep working, {@code POST /_strata/admin/heal} restores every shard, and then two other drives
 * can be lost.
 */
class HealTest {
    private static final int MIB = 1024 * 1024;
    private static final Pattern PASSES = Pattern.compile("\"passes\":(\\d+)");
    private static final Pattern RUNNING = Pattern.compile("\"running\":(true|false)");

    @TempDir
    Path root;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void healRestoresFullRedundancyAfterTwoDrivesAreDeletedWhileRunning() throws Exception {
        Map<String, long[]> objects = new LinkedHashMap<>();
        // Above storage.inline-threshold (64 KiB): objects under it live in the namespace, not on the drives.
        objects.put("small", new long[] {81, 100_000});
        objects.put("odd", new long[] {82, 1_234_567});
        objects.put("big", new long[] {83, 9 * MIB + 3});
        String bucket = "healing";
        // Shard files, which this test counts per drive (segment records are healed into shard
        // files too; erasure-store's SegmentStoreTest covers them).
        try (StrataServer server = StrataServer.start(root, Map.of("STRATA_SEGMENT_SHARD_MAX", "0"), List.of())) {
            org.junit.jupiter.api.Assumptions.assumeTrue(server.isManaged(), "deletes the gateway's drives");
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(bucket));
                objects.forEach((key, spec) -> s3.putObject(b -> b.bucket(bucket).key(key),
                        RequestBody.fromContentProvider(() -> TestData.stream(spec[0], spec[1]), spec[1], "application/octet-stream")));
                int blobs = shardFiles(server, 1);
                assertEquals(objects.size(), blobs, "one shard of each object on d1");

                DurabilityTest.deleteRecursively(server.dataDir().resolve("drives/d2"));
                DurabilityTest.deleteRecursively(server.dataDir().resolve("drives/d5"));
                verify(s3, bucket, objects, "with d2 and d5 deleted");
                // 4 healthy drives are below the write quorum (5): nothing is stored, clients may retry
                software.amazon.awssdk.services.s3.model.S3Exception refused = org.junit.jupiter.api.Assertions.assertThrows(
                        software.amazon.awssdk.services.s3.model.S3Exception.class,
                        () -> s3.putObject(b -> b.bucket(bucket).key("refused"), RequestBody.fromBytes(new byte[100_000])));
                assertEquals(503, refused.statusCode());
                assertEquals("ServiceUnavailable", refused.awsErrorDetails().errorCode());

                RawRequest.Response anonymous = RawRequest.of("POST", "/_strata/admin/heal").unsigned().send(server);
                assertEquals(403, anonymous.status());
                assertTrue(new String(anonymous.body(), StandardCharsets.UTF_8).contains("<Code>AccessDenied</Code>"));

                assertEquals(404, RawRequest.of("GET", "/_strata/admin/no-such-thing").send(server).status());
                assertEquals(405, RawRequest.of("DELETE", "/_strata/admin/heal").send(server).status());
                RawRequest.Response wrongKey = RawRequest.of("GET", "/_strata/admin/heal")
                        .credentials(StrataServer.ACCESS_KEY, "not-the-secret-key-at-all").send(server);
                assertEquals(403, wrongKey.status());

                RawRequest.Response started = RawRequest.of("POST", "/_strata/admin/heal").send(server);
                assertEquals(202, started.status(), new String(started.body(), StandardCharsets.UTF_8));
                String status = awaitPass(server, 1);
                assertTrue(status.contains("\"shardsRebuilt\":" + 2 * objects.size()), status);
                for (int d = 1; d <= 6; d++) assertEquals(blobs, shardFiles(server, d), "shards on d" + d + " after heal");
                assertTrue(status.contains("\"state\":\"ONLINE\"") && !status.contains("REPLACED") && !status.contains("OFFLINE"),
                        status);

                s3.putObject(b -> b.bucket(bucket).key("accepted"), RequestBody.fromBytes(new byte[5000]));

                DurabilityTest.deleteRecursively(server.dataDir().resolve("drives/d1"));
                DurabilityTest.deleteRecursively(server.dataDir().resolve("drives/d3"));
                verify(s3, bucket, objects, "after heal, with d1 and d3 deleted");

                String metrics = server.metrics();
                assertTrue(metrics.contains("strata_heal_shards_rebuilt_total"), metrics);
            } catch (Throwable e) {
                throw new AssertionError(e + "\n--- gateway output (tail) ---\n" + server.outputTail(), e);
            }
        }
    }

    /** Polls the heal status until {@code passes} passes have completed; the test's timeout bounds it. */
    private static String awaitPass(StrataServer server, int passes) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 1200; attempt++) {
            RawRequest.Response res = RawRequest.of("GET", "/_strata/admin/heal").send(server);
            assertEquals(200, res.status());
            String body = new String(res.body(), StandardCharsets.UTF_8);
            Matcher p = PASSES.matcher(body);
            Matcher r = RUNNING.matcher(body);
            if (p.find() && r.find() && Long.parseLong(p.group(1)) >= passes && r.group(1).equals("false")) return body;
            Thread.sleep(100);
        }
        throw new AssertionError("no heal pass completed");
    }

    private static int shardFiles(StrataServer server, int drive) throws IOException {
        Path blobs = server.dataDir().resolve("drives/d" + drive + "/blobs");
        if (!Files.isDirectory(blobs)) return 0;
        try (Stream<Path> files = Files.walk(blobs)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    private static void verify(S3Client s3, String bucket, Map<String, long[]> objects, String when) throws IOException {
        for (Map.Entry<String, long[]> e : objects.entrySet()) {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(e.getKey()))) {
                assertEquals(TestData.sha256(e.getValue()[0], e.getValue()[1]), TestData.sha256(in), e.getKey() + " " + when);
            }
        }
    }
}
