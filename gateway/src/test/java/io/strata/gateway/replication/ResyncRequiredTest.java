package io.strata.gateway.replication;

import io.strata.gateway.InProcessGateway;
import io.strata.gateway.cli.AdminClient;
import io.strata.namespace.ChangeFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A target past its backlog budget, or whose change log cursor was trimmed past, is RESYNC_REQUIRED: an ERROR
 * line, the metric, the status; it takes nothing more from the log and drops nothing it queued; the state
 * survives a restart; starting a resync clears it and moves its cursor to the log's head. The target is a
 * closed port, so everything stays queued.
 */
class ResyncRequiredTest {
    private static final String RESYNC = "/_strata/admin/replication/resync";
    private static final String STATUS = "/_strata/admin/replication/status";

    @TempDir
    Path dir;

    private static AdminClient admin(InProcessGateway gateway) throws Exception {
        return AdminClient.connect(null, Map.of("auth.access-key", InProcessGateway.ACCESS_KEY,
                "auth.secret-key", InProcessGateway.SECRET_KEY), "http://127.0.0.1:" + gateway.port());
    }

    /** A target "down" at a closed port, and bucket photos replicating everything to it. */
    private static void setUp(InProcessGateway gateway) throws Exception {
        admin(gateway).call("POST", "/_strata/admin/replication/targets", "name=down",
                "{\"endpoint\":\"http://127.0.0.1:9\",\"bucket\":\"down-data\",\"access-key\":\"K\",\"secret-key\":\"S\"}"
                        .getBytes(StandardCharsets.UTF_8));
        gateway.createBucket("photos");
        gateway.s3().putBucketVersioning(b -> b.bucket("photos")
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        gateway.s3().putBucketReplication(b -> b.bucket("photos").replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(ReplicationRule.builder().id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::down-data")).build())));
    }

    private static void put(InProcessGateway gateway, String key) {
        gateway.s3().putObject(b -> b.bucket("photos").key(key), RequestBody.fromString(key));
    }

    private static Map<String, Object> target(InProcessGateway gateway) throws Exception {
        Object targets = admin(gateway).call("GET", STATUS, "").get("targets");
        return ((List<?>) targets).stream().map(t -> (Map<?, ?>) t).filter(t -> "down".equals(t.get("target")))
                .findFirst().map(t -> {
                    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) t;
                    return m;
                }).orElseThrow();
    }

    private static String state(InProcessGateway gateway) {
        try {
            return String.valueOf(target(gateway).get("state"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long pending(InProcessGateway gateway) throws Exception {
        return ((Number) target(gateway).get("pending")).longValue();
    }

    private static String metrics(InProcessGateway gateway) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/_strata/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after 30 s waiting for: " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(20);   // a poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aTargetPastItsBacklogBudgetIsResyncRequiredUntilAResyncStartsAndDropsNothing() throws Exception {
        Map<String, String> flags = Map.of("replication.interval", "50ms", "replication.backlog-budget", "3",
                "metrics.public", "true");
        try (InProcessGateway gateway = InProcessGateway.start(dir, flags)) {
            setUp(gateway);
            for (int i = 0; i < 5; i++) put(gateway, "k" + i);
            waitFor("RESYNC_REQUIRED", () -> state(gateway).equals("RESYNC_REQUIRED"));
            List<String> alerts = gateway.logs().atLeast(Level.SEVERE, "RESYNC_REQUIRED");
            assertEquals(1, alerts.size(), alerts.toString());
            assertTrue(alerts.getFirst().contains("replication.backlog-budget (3 operations)"), alerts.getFirst());
            waitFor("the metric", () -> metrics(gateway).contains(
                    "strata_replication_state{target=\"down\",state=\"resync_required\"} 1"));
            long queued = pending(gateway);
            assertTrue(queued >= 3 && queued <= 5, "pending " + queued);
            // Refused: the bucket has no rule sending to a target of another bucket; unknown target; unknown bucket.
            AdminClient client = admin(gateway);
            assertTrue(assertThrows(AdminClient.AdminError.class, () -> client.call("POST", RESYNC, "bucket=photos&target=nope"))
                    .getMessage().contains("404 NoSuchKey"));
            assertTrue(assertThrows(AdminClient.AdminError.class, () -> client.call("POST", RESYNC, "bucket=nosuch&target=down"))
                    .getMessage().contains("404 NoSuchBucket"));
        }
        // The state is durable, and what was queued is still there.
        try (InProcessGateway gateway = InProcessGateway.start(dir, flags)) {
            waitFor("RESYNC_REQUIRED after a restart", () -> state(gateway).equals("RESYNC_REQUIRED"));
            long queued = pending(gateway);
            assertTrue(queued >= 3, "pending " + queued);
            put(gateway, "later");
            ChangeFeed feed = gateway.service().namespace().changeFeed();
            long head = feed.head();

            Map<String, Object> job = admin(gateway).call("POST", RESYNC, "bucket=photos&target=down");
            assertEquals("RUNNING", job.get("state"));
            assertTrue(feed.cursor(ReplicationTargets.cursorName("down")).orElseThrow().position() >= head,
                    "the cursor was not moved to the log's head");
            assertNotEquals("RESYNC_REQUIRED", state(gateway));
            assertEquals(queued, pending(gateway), "a resync start dropped queued operations");
            // The log is read again, and the budget counts on top of what was queued: not RESYNC_REQUIRED again.
            put(gateway, "after");
            waitFor("after taken in", () -> {
                try {
                    return pending(gateway) == queued + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertNotEquals("RESYNC_REQUIRED", state(gateway));
            String again = assertThrows(AdminClient.AdminError.class,
                    () -> admin(gateway).call("POST", RESYNC, "bucket=photos&target=down")).getMessage();
            assertTrue(again.contains("409 ResyncAlreadyRunning"), again);
            // The CLI shows it, from the admin API.
            Path config = dir.resolve("cli.yaml");
            java.nio.file.Files.writeString(config, "auth:\n  access-key: " + InProcessGateway.ACCESS_KEY
                    + "\n  secret-key: " + InProcessGateway.SECRET_KEY + "\n");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int status = io.strata.gateway.cli.ReplicateCommand.run(new String[] {"replicate", "resync", "status", "photos",
                    "--config", config.toString(), "--gateway", "http://127.0.0.1:" + gateway.port()},
                    new java.io.PrintStream(out), System.err);
            String shown = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, shown);
            assertTrue(shown.contains("SCANNED") && shown.matches("(?s).*photos\\s+down\\s+RUNNING\\s+0\\s+0\\s+0\\s+0\\s+0.*"),
                    shown);
            Map<String, Object> cancelled = admin(gateway).call("DELETE", RESYNC, "bucket=photos&target=down");
            assertEquals("CANCELLED", cancelled.get("state"));
            List<?> jobs = (List<?>) admin(gateway).call("GET", RESYNC, "bucket=photos").get("jobs");
            assertEquals(1, jobs.size(), jobs.toString());
        }
    }

    @Test
    void aTargetWhoseCursorTheLogWasTrimmedPastIsResyncRequiredUntilAResyncStarts() throws Exception {
        Map<String, String> flags = Map.of("replication.interval", "50ms", "namespace.change-log.max-bytes", "1");
        try (InProcessGateway gateway = InProcessGateway.start(dir, flags)) {
            setUp(gateway);
            ChangeFeed feed = gateway.service().namespace().changeFeed();
            // With a one-byte bound the log keeps nothing: a trim passes the target's cursor if the worker
            // has not read the PUTs yet, so the puts and the trim repeat until the worker has seen its cursor
            // trimmed past (its alert). The cursor alone is not enough: a pass that read the trimmed entries
            // before the trim still moves the cursor past them, rightly.
            waitFor("the alert", () -> {
                if (!gateway.logs().atLeast(Level.SEVERE, "is RESYNC_REQUIRED: the change log").isEmpty()) return true;
                put(gateway, "k");
                feed.trim();
                return false;
            });
            assertTrue(feed.cursor(ReplicationTargets.cursorName("down")).orElseThrow().trimmedPast());
            waitFor("RESYNC_REQUIRED", () -> state(gateway).equals("RESYNC_REQUIRED"));
            admin(gateway).call("POST", RESYNC, "bucket=photos&target=down");
            assertEquals(1, gateway.logs().atLeast(Level.SEVERE, "is RESYNC_REQUIRED").size());
            assertTrue(!feed.cursor(ReplicationTargets.cursorName("down")).orElseThrow().trimmedPast());
            assertNotEquals("RESYNC_REQUIRED", state(gateway));
        }
    }
}
