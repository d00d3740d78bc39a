package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /_strata/metrics} names operations, drives, capacity and buckets: by default only the root
 * credentials or the configured bearer token read it; {@code metrics.public} opens it.
 */
class MetricsAccessTest {
    private static final String TOKEN = "metrics-token-0123456789abcdef";

    @TempDir
    Path root;

    @Test
    void metricsNeedTheRootCredentialsOrTheBearerTokenByDefault() throws Exception {
        try (StrataServer server = StrataServer.start(root.resolve("private"), Map.of("STRATA_METRICS_TOKEN", TOKEN), List.of())) {
            RawRequest.Response anonymous = RawRequest.of("GET", "/_strata/metrics").unsigned().send(server);
            assertEquals(403, anonymous.status(), anonymous.text());
            assertEquals("AccessDenied", anonymous.errorCode());
            assertFalse(anonymous.text().contains("strata_"), anonymous.text());

            RawRequest.Response wrongToken = RawRequest.of("GET", "/_strata/metrics").unsigned()
                    .header("Authorization", "Bearer " + TOKEN.substring(1)).send(server);
            assertEquals(403, wrongToken.status(), wrongToken.text());

            RawRequest.Response wrongSecret = RawRequest.of("GET", "/_strata/metrics")
                    .credentials(StrataServer.ACCESS_KEY, "not-the-secret-key").send(server);
            assertEquals(403, wrongSecret.status(), wrongSecret.text());
            assertEquals("SignatureDoesNotMatch", wrongSecret.errorCode());

            RawRequest.Response bearer = RawRequest.of("GET", "/_strata/metrics").unsigned()
                    .header("Authorization", "Bearer " + TOKEN).send(server);
            assertEquals(200, bearer.status(), bearer.text());
            assertTrue(bearer.text().contains("strata_"), bearer.text());

            assertTrue(server.metrics().contains("strata_"), "signed with the root credentials");
            // Liveness stays open: load balancers probe it without credentials.
            assertEquals(200, RawRequest.of("GET", "/_strata/health").unsigned().send(server).status());
        }
    }

    @Test
    void metricsPublicOpensThemToAnyone() throws Exception {
        try (StrataServer server = StrataServer.start(root.resolve("public"), Map.of("STRATA_METRICS_PUBLIC", "true"), List.of())) {
            RawRequest.Response anonymous = RawRequest.of("GET", "/_strata/metrics").unsigned().send(server);
            assertEquals(200, anonymous.status(), anonymous.text());
            assertTrue(anonymous.text().contains("strata_"), anonymous.text());
        }
    }
}
