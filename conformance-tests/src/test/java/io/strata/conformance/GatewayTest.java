package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Base of the test classes that share one gateway per class (starting a JVM per test would make
 * the module too slow for CI). Each test makes its own buckets, so tests stay independent.
 * Classes run one after another (JUnit's default), which these static fields rely on.
 */
abstract class GatewayTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;

    @BeforeAll
    static void startGateway() {
        server = StrataServer.start(root);
        s3 = S3Clients.pathStyle(server);
    }

    @AfterAll
    static void stopGateway() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void gatewayStillRuns() {
        assertTrue(server.isAlive(), () -> "the gateway died during the test; its output:\n" + server.output());
    }

    /** A fresh, valid, unique bucket name, created on the gateway. */
    static String createBucket(String hint) {
        String name = bucketName(hint);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    static String bucketName(String hint) {
        String clean = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String name = "c" + BUCKETS.incrementAndGet() + "-" + clean;
        return name.length() > 50 ? name.substring(0, 50) : name;
    }

    /** Runs the call, expects an S3 error, checks its HTTP status and S3 error code. */
    static S3Exception assertS3Error(int status, String code, Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(status, e.statusCode(), () -> "HTTP status of " + describe(e));
        if (code != null) {
            assertEquals(code, e.awsErrorDetails().errorCode(), () -> "S3 error code of " + describe(e));
        }
        return e;
    }

    static String describe(S3Exception e) {
        return e.statusCode() + " " + e.awsErrorDetails().errorCode() + ": " + e.getMessage();
    }
}
