package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The gateway's erasure coder as launched: the Vector API kernel runs (the launch passes
 * {@code --add-modules jdk.incubator.vector}) and says so in the log, and shards written by one
 * kernel are rebuilt by the other, byte-identical, with two of the six drives gone: the vector
 * and the scalar kernel are interchangeable on disk.
 */
class ErasureCoderTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path root;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shardsWrittenByOneKernelAreRebuiltByTheOther() throws Exception {
        String bucket = "coders";
        Map<String, long[]> vectorWritten = new LinkedHashMap<>();
        vectorWritten.put("odd-size", new long[] {81, 1_234_567});
        vectorWritten.put("three-mib-and-a-bit", new long[] {82, 3 * MIB + 17});
        vectorWritten.put("small", new long[] {83, 100_003});
        Map<String, long[]> scalarWritten = new LinkedHashMap<>();
        scalarWritten.put("scalar-odd", new long[] {84, 2 * MIB + 101});

        try (StrataServer server = StrataServer.start(root)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(server.isManaged(), "restarts the gateway with other options");
            String log = server.output();
            assertTrue(log.contains("erasure coder: "), log);
            assertFalse(log.contains("jdk.incubator.vector not enabled"), log);
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(bucket));
                put(s3, bucket, vectorWritten);
            }
        }
        DurabilityTest.deleteRecursively(root.resolve("data/drives/d1"));
        DurabilityTest.deleteRecursively(root.resolve("data/drives/d3"));
        try (StrataServer server = StrataServer.start(root, "-Dstrata.erasure.coder=scalar")) {
            assertTrue(server.output().contains("erasure coder: scalar (strata.erasure.coder=scalar)"), server.outputTail());
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                verify(s3, bucket, vectorWritten, server);
                put(s3, bucket, scalarWritten);
            }
        }
        DurabilityTest.deleteRecursively(root.resolve("data/drives/d2"));
        DurabilityTest.deleteRecursively(root.resolve("data/drives/d6"));
        try (StrataServer server = StrataServer.start(root)) {
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                verify(s3, bucket, scalarWritten, server);
            }
        }
    }

    private static void put(S3Client s3, String bucket, Map<String, long[]> objects) {
        objects.forEach((key, spec) -> s3.putObject(b -> b.bucket(bucket).key(key),
                RequestBody.fromContentProvider(() -> TestData.stream(spec[0], spec[1]), spec[1], "application/octet-stream")));
    }

    private static void verify(S3Client s3, String bucket, Map<String, long[]> objects, StrataServer server) throws IOException {
        for (Map.Entry<String, long[]> e : objects.entrySet()) {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(e.getKey()), ResponseTransformer.toInputStream())) {
                assertEquals(TestData.sha256(e.getValue()[0], e.getValue()[1]), TestData.sha256(in),
                        () -> e.getKey() + "\n--- gateway output (tail) ---\n" + server.outputTail());
            }
        }
    }
}
