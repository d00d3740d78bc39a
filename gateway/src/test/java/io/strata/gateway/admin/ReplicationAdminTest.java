package io.strata.gateway.admin;

import io.strata.gateway.InProcessGateway;
import io.strata.gateway.cli.AdminClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API's replication target routes: JSON in and out, S3 errors for refusals, keys never answered. */
class ReplicationAdminTest {
    private static final String PATH = AdminApi.PREFIX + "/replication/targets";
    private static final String SECRET = "admin-api-secret-value";

    @TempDir
    Path dir;

    private static byte[] settings(String bucket, String... extra) {
        StringBuilder json = new StringBuilder("{\"endpoint\":\"http://127.0.0.1:9\",\"bucket\":\"" + bucket
                + "\",\"access-key\":\"ADMINKEY\",\"secret-key\":\"" + SECRET + "\"");
        for (int i = 0; i < extra.length; i += 2) json.append(",\"").append(extra[i]).append("\":\"").append(extra[i + 1]).append('"');
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The status and code of a refused call ("400 InvalidArgument: ..."). */
    private static String refusal(AdminClient client, String method, String query, byte[] body) {
        AdminClient.AdminError e = assertThrows(AdminClient.AdminError.class, () -> client.call(method, PATH, query, body));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        return e.getMessage().substring(e.getMessage().indexOf(" answered ") + " answered ".length());
    }

    @Test
    void targetsAreAddedListedAndRemovedAsJsonWithoutKeys() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            AdminClient client = AdminClient.connect(null, Map.of("auth.access-key", InProcessGateway.ACCESS_KEY,
                    "auth.secret-key", InProcessGateway.SECRET_KEY), "http://127.0.0.1:" + gateway.port());
            Map<String, Object> added = client.call("POST", PATH, "name=west", settings("west-data", "region", "eu-west-1"));
            assertEquals("west", added.get("name"));
            assertEquals("arn:aws:s3:::west-data", added.get("arn"));
            assertEquals("eu-west-1", added.get("region"));
            assertEquals(false, added.get("pathStyle"));
            assertFalse(added.toString().contains(SECRET) || added.toString().contains("ADMINKEY"), added.toString());
            Map<String, Object> listed = client.call("GET", PATH, "");
            assertEquals(List.of(added), listed.get("targets"));

            assertTrue(refusal(client, "POST", "name=west", settings("other")).startsWith("400 InvalidRequest:"));
            assertTrue(refusal(client, "POST", "name=Bad_Name", settings("other")).startsWith("400 InvalidArgument:"));
            assertTrue(refusal(client, "POST", "", settings("other")).startsWith("400 InvalidArgument:"));
            String typo = refusal(client, "POST", "name=east", settings("other", "secret-kye", "x"));
            assertTrue(typo.startsWith("400 InvalidArgument:") && typo.contains("secret-kye"), typo);
            assertTrue(refusal(client, "POST", "name=east", settings("Not_A_Bucket")).startsWith("400 InvalidArgument:"));
            assertTrue(refusal(client, "DELETE", "name=east", new byte[0]).startsWith("404 NoSuchKey:"));

            // A bucket sends to west: west stays, and a second target of its ARN is refused.
            gateway.createBucket("photos");
            gateway.s3().putBucketVersioning(b -> b.bucket("photos")
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            ReplicationRule rule = ReplicationRule.builder().id("r").priority(1).status(ReplicationRuleStatus.ENABLED)
                    .filter(f -> f.prefix("")).deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                    .destination(d -> d.bucket("arn:aws:s3:::west-data")).build();
            gateway.s3().putBucketReplication(b -> b.bucket("photos").replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication").rules(rule)));
            String inUse = refusal(client, "DELETE", "name=west", new byte[0]);
            assertTrue(inUse.startsWith("409 ReplicationTargetInUse:") && inUse.contains("photos"), inUse);
            String twin = refusal(client, "POST", "name=west-twin", settings("west-data"));
            assertTrue(twin.startsWith("409 ReplicationTargetInUse:"), twin);

            gateway.s3().deleteBucketReplication(b -> b.bucket("photos"));
            assertEquals(Map.of("removed", "west"), client.call("DELETE", PATH, "name=west"));
            assertEquals(List.of(), client.call("GET", PATH, "").get("targets"));
        }
    }

    @Test
    void waitAnswersDoneForABucketWithNothingToSendAndRefusesWhatItCannotWaitFor() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            AdminClient client = AdminClient.connect(null, Map.of("auth.access-key", InProcessGateway.ACCESS_KEY,
                    "auth.secret-key", InProcessGateway.SECRET_KEY), "http://127.0.0.1:" + gateway.port());
            client.call("POST", PATH, "name=west", settings("west-data"));
            gateway.createBucket("photos");
            String wait = AdminApi.PREFIX + "/replication/wait";
            Map<String, Object> r = client.call("POST", wait, "bucket=photos&target=west&timeout=20s");
            assertEquals(true, r.get("done"), r.toString());
            assertEquals(List.of(), r.get("failed"));

            AdminClient.AdminError e = assertThrows(AdminClient.AdminError.class,
                    () -> client.call("POST", wait, "bucket=photos&target=east"));
            assertTrue(e.getMessage().contains("404 NoSuchKey") && e.getMessage().contains("east"), e.getMessage());
            e = assertThrows(AdminClient.AdminError.class, () -> client.call("POST", wait, "bucket=nothing-here&target=west"));
            assertTrue(e.getMessage().contains("404 NoSuchBucket"), e.getMessage());
            for (String bad : List.of("bucket=photos", "target=west", "bucket=photos&target=west&timeout=soon",
                    "bucket=photos&target=west&timeout=1h", "bucket=photos&target=west&head=-1",
                    "bucket=photos&target=west&head=999999")) {
                e = assertThrows(AdminClient.AdminError.class, () -> client.call("POST", wait, bad), bad);
                assertTrue(e.getMessage().contains("400 InvalidArgument"), bad + ": " + e.getMessage());
            }
        }
    }

    @Test
    void whyShowsTheRuleWhereTheOperationIsAndItsFailedAttempts() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of("replication.interval", "50ms",
                "replication.max-backoff", "1s"))) {
            AdminClient client = AdminClient.connect(null, Map.of("auth.access-key", InProcessGateway.ACCESS_KEY,
                    "auth.secret-key", InProcessGateway.SECRET_KEY), "http://127.0.0.1:" + gateway.port());
            client.call("POST", PATH, "name=west", settings("west-data"));   // port 9: nobody listens
            client.call("POST", PATH, "name=east", settings("east-data"));
            gateway.createBucket("photos");
            gateway.s3().putBucketVersioning(b -> b.bucket("photos")
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            ReplicationRule rule = ReplicationRule.builder().id("to-west").priority(1).status(ReplicationRuleStatus.ENABLED)
                    .filter(f -> f.prefix("")).deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                    .destination(d -> d.bucket("arn:aws:s3:::west-data")).build();
            gateway.s3().putBucketReplication(b -> b.bucket("photos").replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication").rules(rule)));
            String versionId = gateway.s3().putObject(b -> b.bucket("photos").key("cat.jpg"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("meow")).versionId();
            String why = AdminApi.PREFIX + "/replication/why";
            String query = "bucket=photos&key=cat.jpg&versionId=" + versionId;
            // Polled until the worker has failed twice to reach the closed port (a bounded loop, no sleep-and-assert).
            Map<String, Object> r = client.call("GET", why, query);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (((Number) view(r, "west").get("attempts")).intValue() < 2 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);   // a poll interval, not a wait for an outcome
                r = client.call("GET", why, query);
            }
            assertEquals(versionId, r.get("versionId"));
            assertEquals("PENDING", r.get("status"));
            Map<?, ?> west = view(r, "west");
            Map<?, ?> east = ((List<?>) r.get("targets")).stream().map(o -> (Map<?, ?>) o)
                    .filter(t -> "east".equals(t.get("target"))).findFirst().orElseThrow();
            assertEquals("to-west", west.get("rule"), west.toString());
            assertEquals("QUEUED", west.get("where"), west.toString());
            assertTrue(west.get("dueAt") != null && !String.valueOf(west.get("reason")).isEmpty(), west.toString());
            List<?> history = (List<?>) west.get("history");
            assertTrue(history.size() >= 2, west.toString());
            Map<?, ?> first = (Map<?, ?>) history.getFirst();
            assertEquals("RETRY", first.get("outcome"));
            assertEquals("west", first.get("target"));
            assertFalse(String.valueOf(first.get("error")).isEmpty(), first.toString());
            assertEquals(null, east.get("rule"));
            assertEquals("NOT_QUEUED", east.get("where"));
            // Without a version id: the key's newest entry.
            assertEquals(versionId, client.call("GET", why, "bucket=photos&key=cat.jpg").get("versionId"));

            AdminClient.AdminError e = assertThrows(AdminClient.AdminError.class,
                    () -> client.call("GET", why, "bucket=photos&key=dog.jpg"));
            assertTrue(e.getMessage().contains("404 NoSuchKey"), e.getMessage());
            e = assertThrows(AdminClient.AdminError.class,
                    () -> client.call("GET", why, "bucket=photos&key=cat.jpg&versionId=nope"));
            assertTrue(e.getMessage().contains("404 NoSuchVersion"), e.getMessage());
        }
    }

    private static Map<?, ?> view(Map<String, Object> why, String target) {
        return ((List<?>) why.get("targets")).stream().map(o -> (Map<?, ?>) o)
                .filter(t -> target.equals(t.get("target"))).findFirst().orElseThrow();
    }
}
