package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Durability: an acknowledged write survives kill -9; a write in flight at the crash is either
 * absent or whole; and with 4+2 erasure coding every object still reads back byte-identical after
 * two of the six drive directories are deleted.
 */
class DurabilityTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path root;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killNineLosesNoAcknowledgedWrite() throws Exception {
        try (StrataServer server = StrataServer.start(root)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(server.isManaged(), "kills the gateway");
            Map<String, long[]> acknowledged = new ConcurrentHashMap<>(); // key -> {seed, size}
            Set<String> attempted = ConcurrentHashMap.newKeySet();
            String bucket = "durable";
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(bucket));
                // Sequential, acknowledged writes and deletes first.
                for (int i = 0; i < 120; i++) {
                    int size = i % 10 == 0 ? 2 * MIB + i : (i * 7919) % 300_000;
                    put(s3, bucket, "acked/" + i, 1000 + i, size, acknowledged, attempted);
                }
                for (int i = 0; i < 120; i += 5) {
                    String key = "acked/" + i;
                    s3.deleteObject(b -> b.bucket(bucket).key(key));
                    acknowledged.remove(key);
                }
                for (int i = 0; i < 120; i += 7) { // overwrites
                    put(s3, bucket, "acked/" + i, 5000 + i, 1000 + i, acknowledged, attempted);
                }

                // Then writers in flight at the moment of the crash.
                AtomicBoolean crashed = new AtomicBoolean();
                try (var executor = Executors.newFixedThreadPool(4)) {
                    List<Future<?>> writers = new ArrayList<>();
                    for (int w = 0; w < 4; w++) {
                        int writer = w;
                        writers.add(executor.submit(() -> {
                            for (int i = 0; !crashed.get(); i++) {
                                try {
                                    put(s3, bucket, "inflight/" + writer + "/" + i, writer * 100_000L + i, (i % 4) * 400_000 + 17, acknowledged, attempted);
                                } catch (RuntimeException e) {
                                    if (!crashed.get()) {
                                        throw e;
                                    }
                                }
                            }
                        }));
                    }
                    // Kill once the writers have had some writes acknowledged (bounded: a loaded machine is slow).
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    Thread.sleep(1000);
                    while (acknowledged.keySet().stream().filter(k -> k.startsWith("inflight/")).count() < 40
                            && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    crashed.set(true);
                    server.kill();
                    for (Future<?> writer : writers) {
                        writer.get(60, TimeUnit.SECONDS);
                    }
                }
            }

            server.start();
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                int checked = 0;
                for (String key : attempted) {
                    long[] expected = acknowledged.get(key);
                    if (expected != null) {
                        assertEquals(TestData.sha256(expected[0], expected[1]), sha256(s3, bucket, key), "acknowledged " + key);
                        checked++;
                    } else if (key.startsWith("inflight/")) {
                        // Not acknowledged: absent, or complete (the crash may have come after the commit).
                        try {
                            String got = sha256(s3, bucket, key);
                            long[] spec = specOfInflight(key);
                            assertEquals(TestData.sha256(spec[0], spec[1]), got, "torn object visible after the crash: " + key);
                        } catch (S3Exception e) {
                            assertEquals(404, e.statusCode(), key);
                        }
                    }
                }
                for (int i = 0; i < 120; i += 5) {
                    if (i % 7 != 0) {
                        String key = "acked/" + i;
                        assertEquals(404, org.junit.jupiter.api.Assertions.assertThrows(S3Exception.class,
                                () -> s3.headObject(b -> b.bucket(bucket).key(key))).statusCode(), "acknowledged delete of " + key);
                    }
                }
                assertTrue(checked > 120, "only " + checked + " acknowledged objects checked");
            }
        }
    }

    private static long[] specOfInflight(String key) {
        String[] parts = key.split("/");
        int writer = Integer.parseInt(parts[1]);
        int i = Integer.parseInt(parts[2]);
        return new long[] {writer * 100_000L + i, (i % 4) * 400_000 + 17};
    }

    private static void put(S3Client s3, String bucket, String key, long seed, long size,
                            Map<String, long[]> acknowledged, Set<String> attempted) {
        attempted.add(key);
        s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromContentProvider(() -> TestData.stream(seed, size), size, "application/octet-stream"));
        acknowledged.put(key, new long[] {seed, size});
    }

    private static String sha256(S3Client s3, String bucket, String key) throws IOException {
        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toInputStream())) {
            return TestData.sha256(in);
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyObjectReadsBackWithTwoOfSixDrivesDeleted() throws Exception {
        Map<String, long[]> objects = new LinkedHashMap<>();
        objects.put("empty", new long[] {71, 0});
        objects.put("one-kib", new long[] {72, 1024});
        objects.put("odd-size", new long[] {73, 1_234_567});
        objects.put("three-mib", new long[] {74, 3 * MIB});
        objects.put("twenty-mib", new long[] {75, 20 * MIB});
        String bucket = "degraded";
        long[][] parts = {{76, 5 * MIB}, {77, 5 * MIB}, {78, 3 * MIB + 5}};

        try (StrataServer server = StrataServer.start(root)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(server.isManaged(), "deletes the gateway's drives");
            String multipartSha = multipartSha(parts);
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(bucket));
                objects.forEach((key, spec) -> s3.putObject(b -> b.bucket(bucket).key(key),
                        RequestBody.fromContentProvider(() -> TestData.stream(spec[0], spec[1]), spec[1], "application/octet-stream")));
                String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("multipart")).uploadId();
                List<CompletedPart> completed = new ArrayList<>();
                for (int i = 0; i < parts.length; i++) {
                    long[] spec = parts[i];
                    int number = i + 1;
                    String etag = s3.uploadPart(b -> b.bucket(bucket).key("multipart").uploadId(uploadId).partNumber(number),
                            RequestBody.fromContentProvider(() -> TestData.stream(spec[0], spec[1]), spec[1], "application/octet-stream")).eTag();
                    completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key("multipart").uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
                verifyAll(server, s3, bucket, objects, multipartSha, "after PUT");
            }

            server.stop();
            for (int d = 1; d <= 6; d++) {
                assertTrue(Files.isDirectory(server.dataDir().resolve("drives/d" + d)), "drive directory d" + d + " exists");
            }
            server.start();
            // A new client after each restart: pooled connections to the old process are dead.
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                verifyAll(server, s3, bucket, objects, multipartSha, "after a clean restart");
            }

            server.stop();
            deleteRecursively(server.dataDir().resolve("drives/d2"));
            deleteRecursively(server.dataDir().resolve("drives/d5"));
            server.start();
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                verifyAll(server, s3, bucket, objects, multipartSha, "with drives d2 and d5 deleted");
            }
            assertTrue(server.isAlive());
        }
    }

    private static String multipartSha(long[][] parts) throws IOException {
        java.security.MessageDigest digest = TestData.digest("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (long[] part : parts) {
            try (InputStream in = TestData.stream(part[0], part[1])) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    private static void verifyAll(StrataServer server, S3Client s3, String bucket, Map<String, long[]> objects,
                                  String multipartSha, String when) {
        try {
            verifyAll(s3, bucket, objects, multipartSha, when);
        } catch (Throwable e) {
            throw new AssertionError(when + ": " + e + "\n--- gateway output (tail) ---\n" + server.outputTail(), e);
        }
    }

    private static void verifyAll(S3Client s3, String bucket, Map<String, long[]> objects, String multipartSha, String when)
            throws IOException {
        for (Map.Entry<String, long[]> e : objects.entrySet()) {
            long seed = e.getValue()[0];
            long size = e.getValue()[1];
            assertEquals(TestData.sha256(seed, size), sha256(s3, bucket, e.getKey()), e.getKey() + " " + when);
            assertEquals(size, s3.headObject(b -> b.bucket(bucket).key(e.getKey())).contentLength(), "size of " + e.getKey() + " " + when);
            if (size > 100) {
                for (long[] range : new long[][] {{0, 99}, {size / 2 - 50, size / 2 + 49}, {size - 100, size - 1}}) {
                    byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(e.getKey()).range("bytes=" + range[0] + "-" + range[1])).asByteArray();
                    assertArrayEquals(TestData.range(seed, range[0], (int) (range[1] - range[0] + 1)), got,
                            "range " + range[0] + "-" + range[1] + " of " + e.getKey() + " " + when);
                }
            }
        }
        assertEquals(multipartSha, sha256(s3, bucket, "multipart"), "multipart object " + when);
        long boundary = 5L * MIB;
        byte[] across = s3.getObjectAsBytes(b -> b.bucket(bucket).key("multipart").range("bytes=" + (boundary - 10) + "-" + (boundary + 9))).asByteArray();
        byte[] expected = new byte[20];
        System.arraycopy(TestData.range(76, boundary - 10, 10), 0, expected, 0, 10);
        System.arraycopy(TestData.range(77, 0, 10), 0, expected, 10, 10);
        assertArrayEquals(expected, across, "range across parts of the multipart object " + when);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            throw new AssertionError(dir + " does not exist");
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
