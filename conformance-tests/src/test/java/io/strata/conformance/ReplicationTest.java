package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

/**
 * Replication's configuration as operators and clients meet it (issue #14): {@code strata replicate
 * target ...} run as a process against the packaged gateway, targets and their change log cursors
 * surviving a restart and a kill -9, keys never shown; PutBucketReplication's refusals on raw XML with S3's codes; the real aws CLI and
 * boto3 ({@code scripts/replication.sh}). The CLI runs only for what only it shows (its output, exit
 * statuses, that it never prints a key): each run starts a JVM, so everything else goes through the admin
 * API it calls. What is replicated is ReplicationWorkerTest's.
 */
class ReplicationTest extends GatewayTest {
    private static final String SECRET = "replication-Secret/Key+0123456789";
    private static final String ROLE = "<Role>arn:aws:iam::123456789012:role/replication</Role>";

    /** Runs the packaged {@code strata} command against the gateway; returns exit status and output. */
    static Map.Entry<Integer, String> strata(String... args) throws Exception {
        return run(server, args);
    }

    /** Runs the packaged {@code strata} command against {@code on}; returns exit status and output. */
    static Map.Entry<Integer, String> run(StrataServer on, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", StrataServer.jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--gateway", on.endpoint().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("STRATA_ACCESS_KEY", StrataServer.ACCESS_KEY);
        pb.environment().put("STRATA_SECRET_KEY", StrataServer.SECRET_KEY);
        Path out = Files.createTempFile("strata", ".txt");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("strata " + String.join(" ", args) + " did not finish within 120 s: " + Files.readString(out));
        }
        return Map.entry(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** Adds a target with the CLI, as an operator does (one JVM: kept for what only the CLI shows). */
    private static String add(String name, String bucket) throws Exception {
        var r = strata("replicate", "target", "add", name, "--endpoint", "http://127.0.0.1:9", "--bucket", bucket,
                "--access-key", "REPLICATIONKEY", "--secret-key", SECRET, "--path-style");
        assertEquals(0, r.getKey(), r.getValue());
        return r.getValue();
    }

    /** Adds a target through the admin API the CLI calls: no JVM per call. */
    private static void adminAdd(String name, String bucket) throws Exception {
        RawRequest.Response r = RawRequest.of("POST", "/_strata/admin/replication/targets").query("name", name)
                .body(("{\"endpoint\":\"http://127.0.0.1:9\",\"bucket\":\"" + bucket + "\",\"access-key\":\"REPLICATIONKEY\","
                        + "\"secret-key\":\"" + SECRET + "\",\"path-style\":\"true\"}")
                        .getBytes(StandardCharsets.UTF_8)).send(server);
        assertEquals(201, r.status(), r::toString);
        assertFalse(r.text().contains(SECRET), r.text());
    }

    /** Removes a target through the admin API; answers the response. */
    private static RawRequest.Response adminRm(String name) throws Exception {
        return RawRequest.of("DELETE", "/_strata/admin/replication/targets").query("name", name).send(server);
    }

    /** The targets as the admin API lists them (the JSON strata replicate target list --json prints). */
    private static String list() throws Exception {
        RawRequest.Response r = RawRequest.of("GET", "/_strata/admin/replication/targets").send(server);
        assertEquals(200, r.status(), r::toString);
        assertFalse(r.text().contains(SECRET), r.text());
        assertFalse(r.text().contains("REPLICATIONKEY"), r.text());
        return r.text();
    }

    private static RawRequest.Response putXml(String bucket, String xml) throws Exception {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        return RawRequest.of("PUT", "/" + bucket).query("replication", "").header("Content-MD5", TestData.md5Base64(body))
                .body(body).send(server);
    }

    private static String rule(String id, int priority, String destination) {
        return "<Rule><ID>" + id + "</ID><Priority>" + priority + "</Priority><Filter><Prefix>logs/</Prefix></Filter>"
                + "<Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::" + destination + "</Bucket></Destination>"
                + "<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>";
    }

    private static String config(String... rules) {
        return "<ReplicationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + ROLE
                + String.join("", rules) + "</ReplicationConfiguration>";
    }

    private static void enableVersioning(String bucket) {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void targetsAreKeptThroughARestartAndAKillAndNeverShowTheirKeys() throws Exception {
        String added = add("west", "west-data");
        assertTrue(added.contains("arn:aws:s3:::west-data"), added);
        assertFalse(added.contains(SECRET), added);
        var table = strata("replicate", "target", "list");
        assertEquals(0, table.getKey(), table.getValue());
        assertTrue(table.getValue().contains("west") && table.getValue().contains("arn:aws:s3:::west-data"), table.getValue());
        assertFalse(table.getValue().contains(SECRET), table.getValue());

        var taken = strata("replicate", "target", "add", "west", "--endpoint", "http://127.0.0.1:9", "--bucket", "other",
                "--access-key", "K", "--secret-key", SECRET);
        assertEquals(3, taken.getKey(), taken.getValue());
        assertTrue(taken.getValue().contains("exists already"), taken.getValue());
        server.restart();
        String afterRestart = list();
        assertTrue(afterRestart.contains("\"arn\":\"arn:aws:s3:::west-data\""), afterRestart);
        adminAdd("east", "east-data");
        server.kill();
        server.start();
        String afterKill = list();
        assertTrue(afterKill.contains("\"name\":\"west\"") && afterKill.contains("\"name\":\"east\""), afterKill);
        assertTrue(afterKill.contains("\"pathStyle\":true"), afterKill);
        // Each target's change log cursor is durable too: the metrics list it after the kill.
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_changelog_cursor_lag{cursor=\"replication:west\"}")
                && metrics.contains("strata_changelog_cursor_lag{cursor=\"replication:east\"}"), metrics);

        RawRequest.Response rm = adminRm("east");
        assertEquals(200, rm.status(), rm::toString);
        RawRequest.Response unknown = adminRm("east");
        assertEquals(404, unknown.status(), unknown::toString);
        assertEquals("NoSuchKey", unknown.errorCode());
        server.kill();
        server.start();
        assertFalse(list().contains("\"name\":\"east\""));
        assertFalse(server.metrics().contains("cursor=\"replication:east\""), "a removed target's cursor went with it");
        assertFalse(server.output().contains(SECRET), "the gateway's log holds the secret key");
        assertEquals(200, adminRm("west").status());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void putBucketReplicationRefusesAsS3DoesAndARefusalChangesNothing() throws Exception {
        adminAdd("errors", "errors-dest");
        String bucket = createBucket("repl-errors");
        RawRequest.Response none = RawRequest.of("GET", "/" + bucket).query("replication", "").send(server);
        assertEquals(404, none.status(), none::toString);
        assertEquals("ReplicationConfigurationNotFoundError", none.errorCode());
        assertEquals("The replication configuration was not found", RawRequest.Xml.text(none.xml().getDocumentElement(), "Message"));

        RawRequest.Response unversioned = putXml(bucket, config(rule("a", 1, "errors-dest")));
        assertEquals(400, unversioned.status(), unversioned::toString);
        assertEquals("InvalidRequest", unversioned.errorCode());
        assertTrue(unversioned.text().contains("Versioning must be &apos;Enabled&apos; on the bucket to apply a replication "
                + "configuration") || unversioned.text().contains("Versioning must be 'Enabled' on the bucket"), unversioned.text());

        enableVersioning(bucket);
        RawRequest.Response good = putXml(bucket, config(rule("a", 1, "errors-dest")));
        assertEquals(200, good.status(), good::toString);
        String stored = RawRequest.of("GET", "/" + bucket).query("replication", "").send(server).text();

        Object[][] refusals = {
                {"<ReplicationConfiguration>", 400, "MalformedXML"},
                {config(), 400, "MalformedXML"},
                {config(rule("a", 1, "errors-dest")).replace(ROLE, ""), 400, "MalformedXML"},
                {config(rule("a", 1, "errors-dest").replace("<Priority>1</Priority>", "")), 400, "InvalidRequest"},
                {config(rule("a", 1, "errors-dest").replace(
                        "<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>", "")), 400, "InvalidRequest"},
                {config(rule("a", 1, "errors-dest"), rule("a", 2, "errors-dest")), 400, "InvalidArgument"},
                {config(rule("a", 1, "errors-dest"), rule("b", 1, "errors-dest")), 400, "InvalidRequest"},
                {config(rule("a", 1, "not-a-target")), 400, "InvalidRequest"},
        };
        for (Object[] r : refusals) {
            RawRequest.Response response = putXml(bucket, (String) r[0]);
            assertEquals(r[1], response.status(), () -> r[0] + ": " + response);
            assertEquals(r[2], response.errorCode(), () -> r[0] + ": " + response);
        }
        RawRequest.Response unknown = putXml(bucket, config(rule("a", 1, "not-a-target")));
        assertTrue(unknown.text().contains("strata replicate target add"), unknown.text());
        RawRequest.Response noMd5 = RawRequest.of("PUT", "/" + bucket).query("replication", "")
                .body(config(rule("a", 1, "errors-dest"))).send(server);
        assertEquals(400, noMd5.status(), noMd5::toString);
        assertEquals(stored, RawRequest.of("GET", "/" + bucket).query("replication", "").send(server).text(),
                "refused requests changed the stored configuration");

        // While the configuration sends to it, the target stays, and versioning stays Enabled.
        RawRequest.Response inUse = adminRm("errors");
        assertEquals(409, inUse.status(), inUse::toString);
        assertEquals("ReplicationTargetInUse", inUse.errorCode());
        assertTrue(inUse.text().contains(bucket), inUse.text());
        assertS3Error(409, "InvalidBucketState", () -> s3.putBucketVersioning(b -> b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED))));
        assertEquals(DeleteMarkerReplicationStatus.DISABLED, s3.getBucketReplication(b -> b.bucket(bucket))
                .replicationConfiguration().rules().getFirst().deleteMarkerReplication().status());
        assertEquals(ReplicationRuleStatus.ENABLED, s3.getBucketReplication(b -> b.bucket(bucket))
                .replicationConfiguration().rules().getFirst().status());

        s3.deleteBucketReplication(b -> b.bucket(bucket));
        assertEquals(200, adminRm("errors").status());
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void theAwsCliAndBoto3ConfigureReplication() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.onPathOrFail("aws", "awscli");
        Path python = RealClients.onPathOrFail("python3", "python3");
        adminAdd("clients", "clients-dest");
        Path script = Path.of(System.getProperty("strata.scripts", "scripts")).toAbsolutePath().resolve("replication.sh");
        // Both generations of clients at once (each script works in its own bucket): their runs are mostly
        // interpreter start-ups, which overlap well.
        try (var runs = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            done.add(runs.submit(() -> {
                RealClients.run(server, root, "replication.sh", Map.of("AWS_CLI", aws.toString(), "PYTHON",
                        python.toString()), "bash", script.toString(), "clients-dest");
                return null;
            }));
            if (Files.isExecutable(RealClients.DEBIAN_AWS) && RealClients.hasBoto3(RealClients.DEBIAN_PYTHON)) {
                // The other generation of clients on this image: aws-cli 2.9 and boto3 1.26 (Content-MD5, no CRC32).
                done.add(runs.submit(() -> {
                    RealClients.run(server, root, "replication.sh", Map.of("AWS_CLI", RealClients.DEBIAN_AWS.toString(),
                            "PYTHON", RealClients.DEBIAN_PYTHON.toString()), "bash", script.toString(), "clients-dest");
                    return null;
                }));
            }
            for (var run : done) {
                try {
                    run.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) throw a;
                    throw e;
                }
            }
        }
        assertEquals(200, adminRm("clients").status());
    }
}
