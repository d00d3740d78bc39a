package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * Objects far larger than the gateway's heap: memory per request is bounded by the stripe size,
 * never by the object size. The gateway runs with -Xmx256m; data is generated as a stream on the
 * client and compared by digest, so the test JVM holds no object either.
 */
class LargeObjectTest {
    /** 5 GiB by default; -Dstrata.largeObjectBytes=... makes it smaller for a quick local run. */
    private static final long LARGE = Long.getLong("strata.largeObjectBytes", 5L * 1024 * 1024 * 1024);
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;

    @BeforeAll
    static void start() {
        server = StrataServer.start(root, "-Xmx256m");
        s3 = S3Clients.pathStyle(server);
        s3.createBucket(b -> b.bucket("large"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A 5 GiB PUT and GET over presigned URLs (UNSIGNED-PAYLOAD), so the client is not the bottleneck. */
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void fiveGibObjectThroughAGatewayWith256MibHeap() throws Exception {
        long seed = 81;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try (S3Presigner presigner = S3Clients.presigner(server)) {
            PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(30))
                    .putObjectRequest(r -> r.bucket("large").key("five-gib")));
            MessageDigest sent = TestData.digest("SHA-256");
            HttpRequest.Builder request = HttpRequest.newBuilder(put.url().toURI()).timeout(Duration.ofMinutes(6))
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new DigestInputStream(TestData.stream(seed, LARGE), sent)), LARGE));
            put.signedHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            long started = System.nanoTime();
            HttpResponse<String> putResponse = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            long putNanos = System.nanoTime() - started;
            assertEquals(200, putResponse.statusCode(), () -> putResponse.body() + "\n" + tail(server.output()));
            String expected = HexFormat.of().formatHex(sent.digest());

            assertEquals(LARGE, s3.headObject(b -> b.bucket("large").key("five-gib")).contentLength());

            var getUrl = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(30))
                    .getObjectRequest(r -> r.bucket("large").key("five-gib"))).url().toURI();
            started = System.nanoTime();
            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(getUrl).timeout(Duration.ofMinutes(6)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, get.statusCode());
            String got;
            try (InputStream in = get.body()) {
                got = TestData.sha256(in);
            }
            long getNanos = System.nanoTime() - started;
            assertEquals(expected, got, "SHA-256 of the large object read back");
            System.out.printf("LargeObjectTest: %d MiB PUT %.1f s (%.0f MiB/s), GET %.1f s (%.0f MiB/s)%n", LARGE / MIB,
                    putNanos / 1e9, LARGE / MIB / (putNanos / 1e9), getNanos / 1e9, LARGE / MIB / (getNanos / 1e9));
        }

        // A range beyond 4 GiB (32-bit offsets overflow there).
        long offset = Math.max(0, Math.min(LARGE - 1000, 4L * 1024 * 1024 * 1024 + 123));
        byte[] range = s3.getObjectAsBytes(b -> b.bucket("large").key("five-gib").range("bytes=" + offset + "-" + (offset + 999))).asByteArray();
        assertArrayEquals(TestData.range(81, offset, 1000), range, "range at offset " + offset);

        assertTrue(server.isAlive(), "gateway alive");
        assertFalse(server.output().contains("OutOfMemoryError"), "the gateway ran out of memory:\n" + tail(server.output()));
        s3.deleteObject(b -> b.bucket("large").key("five-gib"));
    }

    /** 64 MiB through the SDK with its defaults: aws-chunked signed chunks and a CRC32 trailer. */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sixtyFourMibThroughTheSdkWithChunkedSigningAndTrailer() throws IOException {
        long seed = 82;
        long size = 64 * MIB + 3;
        CRC32 crc = new CRC32();
        try (InputStream in = TestData.stream(seed, size)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                crc.update(buffer, 0, n);
            }
        }
        String crc32 = java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        PutObjectResponse put = s3.putObject(b -> b.bucket("large").key("sixty-four-mib"),
                RequestBody.fromContentProvider(() -> TestData.stream(seed, size), size, "application/octet-stream"));
        assertEquals(crc32, put.checksumCRC32(), "CRC32 of the trailer echoed");
        String got;
        try (InputStream in = s3.getObject(b -> b.bucket("large").key("sixty-four-mib"), ResponseTransformer.toInputStream())) {
            got = TestData.sha256(in);
        }
        assertEquals(TestData.sha256(seed, size), got);
        assertTrue(server.isAlive(), "gateway alive");
    }

    private static String tail(String output) {
        return output.length() <= 5000 ? output : output.substring(output.length() - 5000);
    }
}
