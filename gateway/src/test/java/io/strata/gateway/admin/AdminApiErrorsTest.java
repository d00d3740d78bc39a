package io.strata.gateway.admin;

import io.helidon.webserver.WebServer;
import io.strata.auth.CredentialStore;
import io.strata.auth.Credentials;
import io.strata.auth.SigV4Verifier;
import io.strata.erasure.ErasureException;
import io.strata.gateway.InProcessGateway;
import io.strata.gateway.cli.AdminClient;
import io.strata.namespace.BucketName;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.TierException;
import io.strata.tiering.placement.PlacementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API answers the failures the modules name with the status and code S3 requests get for
 * them, so that an operator's script can tell "retry later" from "fix the request"; only unexpected
 * failures are 500 InternalError. Signed requests over a socket, through the CLI's own client.
 */
class AdminApiErrorsTest {
    private static final Credentials ROOT = new Credentials(InProcessGateway.ACCESS_KEY, InProcessGateway.SECRET_KEY);

    @TempDir
    Path dir;

    /** What the admin API answers when its route throws what {@code failure} makes. */
    private static String answerTo(Supplier<RuntimeException> failure) throws Exception {
        AdminApi admin = new AdminApi(SigV4Verifier.create(CredentialStore.of(ROOT), Clock.systemUTC()), ROOT);
        admin.register("POST", "/fails", (req, res) -> {
            throw failure.get();
        });
        WebServer web = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.any(AdminApi.PREFIX + "/*", admin)).build().start();
        try {
            AdminClient client = client("http://127.0.0.1:" + web.port());
            AdminClient.AdminError e = assertThrows(AdminClient.AdminError.class,
                    () -> client.call("POST", AdminApi.PREFIX + "/fails", ""));
            return e.getMessage().substring(e.getMessage().indexOf(" answered ") + " answered ".length());
        } finally {
            web.stop();
        }
    }

    private static AdminClient client(String endpoint) throws Exception {
        return AdminClient.connect(null, Map.of("auth.access-key", ROOT.accessKey(), "auth.secret-key", ROOT.secretKey()),
                endpoint);
    }

    @Test
    void aBucketDeletedUnderAnAdminRequestIs404NoSuchBucket() throws Exception {
        String answer = answerTo(() -> new NamespaceException(NamespaceException.Reason.BUCKET_NOT_FOUND, "photos"));
        assertTrue(answer.startsWith("404 NoSuchBucket:"), answer);
    }

    /** Placement's refusals (it lives in tiering) are the S3 errors they were when it threw the data plane's. */
    @Test
    void placementRefusalsAre404NoSuchBucketAnd503SlowDown() throws Exception {
        String missing = answerTo(() -> PlacementException.noSuchBucket(new BucketName("photos")));
        assertTrue(missing.startsWith("404 NoSuchBucket: The specified bucket does not exist"), missing);
        String busy = answerTo(() -> PlacementException.slowDown("restore of photos/k not queued"));
        assertTrue(busy.startsWith("503 SlowDown: Too many restores in progress; retry later."), busy);
    }

    @Test
    void aMetadataStoreThatIsClosingIs503ServiceUnavailable() throws Exception {
        String answer = answerTo(() -> new NamespaceException(NamespaceException.Reason.UNAVAILABLE, "closing"));
        assertTrue(answer.startsWith("503 ServiceUnavailable:"), answer);
    }

    @Test
    void aColdTierOutOfReachIs503ServiceUnavailable() throws Exception {
        String answer = answerTo(() -> new TierException(TierException.Reason.UNAVAILABLE, "connection refused"));
        assertTrue(answer.startsWith("503 ServiceUnavailable:"), answer);
    }

    @Test
    void tooFewDrivesIs503ServiceUnavailable() throws Exception {
        String answer = answerTo(() -> new ErasureException(ErasureException.Reason.WRITE_QUORUM_LOST, "2 of 6 drives"));
        assertTrue(answer.startsWith("503 ServiceUnavailable:"), answer);
    }

    @Test
    void anUnexpectedFailureIsStill500InternalError() throws Exception {
        String answer = answerTo(() -> new IllegalStateException("bug"));
        assertTrue(answer.startsWith("500 InternalError:"), answer);
    }

    @Test
    void addingALocalTierWhoseDirectoryCannotBeMadeIs400InvalidRequestNamingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        try (InProcessGateway gateway = InProcessGateway.start(dir.resolve("data"), Map.of())) {
            AdminClient client = client("http://127.0.0.1:" + gateway.port());
            byte[] body = ("{\"type\":\"local\",\"path\":\"" + file.resolve("cold") + "\"}").getBytes(StandardCharsets.UTF_8);
            AdminClient.AdminError e = assertThrows(AdminClient.AdminError.class,
                    () -> client.call("POST", AdminApi.PREFIX + "/tiers", "name=BROKEN", body));
            assertTrue(e.getMessage().contains(" answered 400 InvalidRequest: Tier BROKEN does not work: "), e.getMessage());
            assertTrue(e.getMessage().contains(file.resolve("cold").toString()), e.getMessage());
            assertEquals(0, gateway.logs().atLeast(java.util.logging.Level.SEVERE, null).size(),
                    gateway.logs().atLeast(java.util.logging.Level.SEVERE, null).toString());
        }
    }
}
