package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.ReplicationStatus;

/**
 * The replication worker end to end (issue #14): a real gateway sends what its buckets' replication rules
 * select to s3proxy, a third-party S3 server, and reports each version's status in
 * {@code x-amz-replication-status}; a stopped target leaves source writes fast and PENDING, a kill -9 with a
 * backlog loses nothing, and a test-only fault that drops one replica turns the convergence check red.
 */
class ReplicationWorkerTest {
    private static final String PROXY_KEY = "replica-access";
    private static final String PROXY_SECRET = "replica-secret-0123456789";
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Map<String, String> FAST = Map.of("STRATA_REPLICATION_INTERVAL", "100ms",
            "STRATA_REPLICATION_MAX_BACKOFF", "1s");

    @TempDir
    static Path root;
    static BlobStoreContext proxyContext;
    static S3Proxy proxy;
    static int proxyPort;
    static S3Client target;

    @BeforeAll
    static void startTarget() throws Exception {
        proxyPort = StrataServer.freePort();
        startProxy();
        target = S3Client.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(S3Clients.credentials(PROXY_KEY, PROXY_SECRET))
                .endpointOverride(URI.create("http://127.0.0.1:" + proxyPort)).forcePathStyle(true)
                // s3proxy answers the SDK's default x-amz-checksum-mode with 501.
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(S3Clients.httpClient()).build();
    }

    /** s3proxy on files (so its objects outlive a stop), on the same port each time. */
    static void startProxy() throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.resolve("s3proxy").toString());
        proxyContext = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(proxyContext.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, PROXY_KEY, PROXY_SECRET)
                .endpoint(URI.create("http://127.0.0.1:" + proxyPort)).build();
        proxy.start();
        waitFor("s3proxy started", () -> "STARTED".equals(proxy.getState()));
    }

    static void stopProxy() throws Exception {
        proxy.stop();
        proxyContext.close();
    }

    @AfterAll
    static void stopTarget() throws Exception {
        if (target != null) target.close();
        if (proxy != null) stopProxy();
    }

    static void waitFor(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after 30 s waiting for: " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(20);   // a poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String statusOf(StrataServer on, String bucket) {
        try {
            return admin(on, "GET", "/replication/status", Map.of("bucket", bucket), null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String admin(StrataServer on, String method, String path, Map<String, String> query, String body)
            throws Exception {
        RawRequest r = RawRequest.of(method, "/_strata/admin" + path);
        query.forEach(r::query);
        if (body != null) r.body(body.getBytes(StandardCharsets.UTF_8));
        RawRequest.Response res = r.send(on);
        assertTrue(res.status() / 100 == 2, res.status() + " " + res.text());
        return res.text();
    }

    /** A gateway with a target (named after the target bucket) and a versioned source bucket replicating everything to it. */
    static String setUp(StrataServer on, S3Client s3, String bucket, String targetBucket) throws Exception {
        target.createBucket(b -> b.bucket(targetBucket));
        return configure(on, s3, bucket, targetBucket);
    }

    /** As {@link #setUp} without creating the target bucket. */
    static String configure(StrataServer on, S3Client s3, String bucket, String targetBucket) throws Exception {
        admin(on, "POST", "/replication/targets", Map.of("name", targetBucket), """
                {"endpoint":"http://127.0.0.1:%d","bucket":"%s","access-key":"%s","secret-key":"%s","path-style":"true"}
                """.formatted(proxyPort, targetBucket, PROXY_KEY, PROXY_SECRET));
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        s3.putBucketReplication(b -> b.bucket(bucket).replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(r -> r.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::" + targetBucket)))));
        return bucket;
    }

    static String metrics(StrataServer on) {
        try {
            return on.metrics();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static ReplicationStatus status(S3Client s3, String bucket, String key) {
        return s3.headObject(h -> h.bucket(bucket).key(key)).replicationStatus();
    }

    /**
     * What the target lacks of the source, "" if nothing: every current version's bytes and ETag, and no
     * object where the source's current entry is a delete marker.
     */
    static List<String> differences(S3Client s3, String bucket, String targetBucket, List<String> keys) {
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            HeadObjectResponse source;
            try {
                source = s3.headObject(h -> h.bucket(bucket).key(key));
            } catch (NoSuchKeyException deleted) {
                try {
                    target.headObject(h -> h.bucket(targetBucket).key(key));
                    problems.add(key + ": deleted at the source, present at the target");
                } catch (NoSuchKeyException expected) {
                    // the delete marker arrived
                }
                continue;
            }
            try {
                HeadObjectResponse replica = target.headObject(h -> h.bucket(targetBucket).key(key));
                if (!replica.eTag().equals(source.eTag())) problems.add(key + ": ETag " + replica.eTag() + " != " + source.eTag());
                if (!source.versionId().equals(replica.metadata().get("strata-source-version-id"))) {
                    problems.add(key + ": the target holds another version: " + replica.metadata());
                }
                byte[] a = s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray();
                byte[] b = target.getObjectAsBytes(g -> g.bucket(targetBucket).key(key)).asByteArray();
                if (!java.util.Arrays.equals(a, b)) problems.add(key + ": bytes differ");
            } catch (NoSuchKeyException missing) {
                problems.add(key + ": missing at the target");
            }
        }
        return problems;
    }

    /** Writes a mix: overwrites, a multipart object, a deleted key; returns the keys written. */
    static List<String> writeMix(S3Client s3, String bucket) {
        s3.putObject(b -> b.bucket(bucket).key("one").contentType("text/plain").metadata(Map.of("color", "blue")),
                RequestBody.fromBytes(TestData.bytes(1, 1000)));
        s3.putObject(b -> b.bucket(bucket).key("one").contentType("text/plain"), RequestBody.fromBytes(TestData.bytes(2, 2000)));
        s3.putObject(b -> b.bucket(bucket).key("gone"), RequestBody.fromBytes(TestData.bytes(3, 10)));
        s3.deleteObject(b -> b.bucket(bucket).key("gone"));
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("multi")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] data = {TestData.bytes(4, 5 << 20), TestData.bytes(5, 1234)};
        for (int i = 0; i < data.length; i++) {
            int n = i + 1;
            byte[] d = data[i];
            String etag = s3.uploadPart(b -> b.bucket(bucket).key("multi").uploadId(upload).partNumber(n),
                    RequestBody.fromBytes(d)).eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("multi").uploadId(upload).multipartUpload(m -> m.parts(parts)));
        return List.of("one", "gone", "multi");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void versionsOverwritesMultipartAndDeleteMarkersReachTheTargetWithTheSameBytesAndEtags() throws Exception {
        try (StrataServer server = StrataServer.start(root.resolve("converge"), FAST, List.of());
             S3Client s3 = S3Clients.pathStyle(server)) {
            String bucket = setUp(server, s3, "converge-src", "converge-dst");
            List<String> keys = writeMix(s3, bucket);
            waitFor("every version COMPLETED", () -> status(s3, bucket, "one") == ReplicationStatus.COMPLETED
                    && status(s3, bucket, "multi") == ReplicationStatus.COMPLETED);
            waitFor("the delete marker at the target", () -> differences(s3, bucket, "converge-dst", keys).isEmpty());
            assertEquals(List.of(), differences(s3, bucket, "converge-dst", keys));
            HeadObjectResponse multi = target.headObject(h -> h.bucket("converge-dst").key("multi"));
            assertEquals("\"" + TestData.multipartEtag(TestData.bytes(4, 5 << 20), TestData.bytes(5, 1234)) + "\"", multi.eTag());
            HeadObjectResponse one = target.headObject(h -> h.bucket("converge-dst").key("one"));
            assertEquals("text/plain", one.contentType());
            assertTrue(one.metadata().containsKey("strata-source-mtime"), one.metadata().toString());
            String metrics = server.metrics();
            assertTrue(metrics.contains("strata_replication_completed_total{target=\"converge-dst\"}")
                    && metrics.contains("strata_replication_pending{target=\"converge-dst\"} 0")
                    && metrics.contains("strata_replication_state{target=\"converge-dst\",state=\"ok\"} 1"), metrics);

            // A target bucket that does not exist is a permanent refusal: FAILED with the reason, kept,
            // and sent again by retry --failed once the bucket is there.
            String refused = configure(server, s3, "refused-src", "refused-dst");
            s3.putObject(b -> b.bucket(refused).key("k"), RequestBody.fromBytes(TestData.bytes(9, 64)));
            waitFor("k FAILED", () -> status(s3, refused, "k") == ReplicationStatus.FAILED);
            // The version's status turns FAILED a moment before its failure record, with the reason, is written.
            waitFor("k listed as failed with its reason", () -> {
                String st = statusOf(server, refused);
                return st.contains("\"failed\":1") && st.contains("NoSuchBucket") && st.contains("\"key\":\"k\"");
            });
            target.createBucket(b -> b.bucket("refused-dst"));
            assertTrue(admin(server, "POST", "/replication/retry", Map.of("failed", ""), null).contains("\"requeued\":1"));
            waitFor("k COMPLETED after retry --failed", () -> status(s3, refused, "k") == ReplicationStatus.COMPLETED);
            assertEquals(List.of(), differences(s3, refused, "refused-dst", List.of("k")));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void everyTargetOfABucketReceivesEachVersionNotOnlyTheFirstToComplete() throws Exception {
        try (StrataServer server = StrataServer.start(root.resolve("two-targets"), FAST, List.of());
             S3Client s3 = S3Clients.pathStyle(server)) {
            // Two destinations of one bucket, as S3's multi-destination replication: each version goes to both,
            // whichever finishes first.
            target.createBucket(b -> b.bucket("two-first"));
            String bucket = setUp(server, s3, "two-src", "two-second");
            admin(server, "POST", "/replication/targets", Map.of("name", "two-first"), """
                    {"endpoint":"http://127.0.0.1:%d","bucket":"two-first","access-key":"%s","secret-key":"%s","path-style":"true"}
                    """.formatted(proxyPort, PROXY_KEY, PROXY_SECRET));
            s3.putBucketReplication(b -> b.bucket(bucket).replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication")
                    .rules(r -> r.id("second").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                                    .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                                    .destination(d -> d.bucket("arn:aws:s3:::two-second")),
                            r -> r.id("first").priority(2).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                                    .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                                    .destination(d -> d.bucket("arn:aws:s3:::two-first")))));
            List<String> keys = writeMix(s3, bucket);
            waitFor("both targets done", () -> metrics(server).contains("strata_replication_pending{target=\"two-first\"} 0")
                    && metrics(server).contains("strata_replication_pending{target=\"two-second\"} 0")
                    && status(s3, bucket, "one") == ReplicationStatus.COMPLETED
                    && status(s3, bucket, "multi") == ReplicationStatus.COMPLETED);
            waitFor("the first target converged", () -> differences(s3, bucket, "two-first", keys).isEmpty());
            waitFor("the second target converged", () -> differences(s3, bucket, "two-second", keys).isEmpty());
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void withTwoTargetsAVersionStaysPendingUntilTheSlowerOneHasIt() throws Exception {
        int slowPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            slowPort = free.getLocalPort();
        }
        try (StrataServer server = StrataServer.start(root.resolve("aggregate"), FAST, List.of());
             S3Client s3 = S3Clients.pathStyle(server);
             ReplicationOutageTest.Forwarder link = new ReplicationOutageTest.Forwarder(slowPort, proxyPort)) {
            // One destination reached directly, one through a link that is down: as S3 aggregates several
            // destinations, the version is COMPLETED only once both have it, whichever answers first.
            target.createBucket(b -> b.bucket("agg-slow"));
            String bucket = setUp(server, s3, "agg-src", "agg-fast");
            admin(server, "POST", "/replication/targets", Map.of("name", "agg-slow"), """
                    {"endpoint":"http://127.0.0.1:%d","bucket":"agg-slow","access-key":"%s","secret-key":"%s","path-style":"true"}
                    """.formatted(slowPort, PROXY_KEY, PROXY_SECRET));
            s3.putBucketReplication(b -> b.bucket(bucket).replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication")
                    .rules(r -> r.id("fast").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                                    .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                                    .destination(d -> d.bucket("arn:aws:s3:::agg-fast")),
                            r -> r.id("slow").priority(2).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                                    .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                                    .destination(d -> d.bucket("arn:aws:s3:::agg-slow")))));
            byte[] body = TestData.bytes(21, 300);
            s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromBytes(body));
            waitFor("the fast target has k", () -> exists("agg-fast", "k"));
            waitFor("the slow target's send failed", () -> metrics(server).contains("strata_replication_state{target=\"agg-slow\",state=\"ok\"} 0")
                    && metrics(server).contains("strata_replication_pending{target=\"agg-fast\"} 0"));
            assertEquals(ReplicationStatus.PENDING, status(s3, bucket, "k"), "COMPLETED while a destination lacks the version");
            assertFalse(exists("agg-slow", "k"));

            link.open();
            waitFor("k COMPLETED once both targets have it", () -> status(s3, bucket, "k") == ReplicationStatus.COMPLETED);
            assertArrayEquals(body, target.getObjectAsBytes(g -> g.bucket("agg-slow").key("k")).asByteArray());
        }
    }

    private static boolean exists(String targetBucket, String key) {
        try {
            target.headObject(h -> h.bucket(targetBucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aDroppedReplicaTurnsTheConvergenceCheckRed() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(FAST);
        env.put("STRATA_TEST_FAULT", "replication-drop-one");
        try (StrataServer server = StrataServer.start(root.resolve("negative"), env, List.of());
             S3Client s3 = S3Clients.pathStyle(server)) {
            String bucket = setUp(server, s3, "negative-src", "negative-dst");
            // The fault drops the first replica: one no later write covers.
            s3.putObject(b -> b.bucket(bucket).key("solo"), RequestBody.fromBytes(TestData.bytes(8, 50)));
            waitFor("solo COMPLETED", () -> status(s3, bucket, "solo") == ReplicationStatus.COMPLETED);
            List<String> keys = new ArrayList<>(writeMix(s3, bucket));
            keys.add("solo");
            waitFor("every version COMPLETED", () -> status(s3, bucket, "one") == ReplicationStatus.COMPLETED
                    && status(s3, bucket, "multi") == ReplicationStatus.COMPLETED);
            // Every status says COMPLETED, yet the check must find what the fault dropped.
            waitFor("the other operations done", () -> metrics(server).contains(
                    "strata_replication_pending{target=\"negative-dst\"} 0"));
            assertFalse(differences(s3, bucket, "negative-dst", keys).isEmpty(),
                    "the convergence check did not see the dropped replica");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aStoppedTargetLeavesSourceWritesPendingAndNothingIsLostThroughAKill() throws Exception {
        try (StrataServer server = StrataServer.start(root.resolve("outage"), FAST, List.of())) {
            S3Client s3 = S3Clients.pathStyle(server);
            String bucket = setUp(server, s3, "outage-src", "outage-dst");
            s3.putObject(b -> b.bucket(bucket).key("before"), RequestBody.fromBytes(TestData.bytes(6, 100)));
            waitFor("before COMPLETED", () -> status(s3, bucket, "before") == ReplicationStatus.COMPLETED);

            stopProxy();
            try {
                // Writes at the source succeed with the target down, and stay PENDING.
                s3.putObject(b -> b.bucket(bucket).key("during"), RequestBody.fromBytes(TestData.bytes(70, 300)));
                s3.deleteObject(b -> b.bucket(bucket).key("before"));
                waitFor("the first version of during retried", () -> {
                    try {
                        return !admin(server, "GET", "/replication/status", Map.of(), null).contains("\"lastError\":\"\"");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // A second version queued behind a first that is backing off: the target must end with
                // this one, the newest.
                s3.putObject(b -> b.bucket(bucket).key("during"), RequestBody.fromBytes(TestData.bytes(7, 300)));
                waitFor("during PENDING", () -> status(s3, bucket, "during") == ReplicationStatus.PENDING);
                waitFor("an error reported for the target", () -> {
                    try {
                        String st = admin(server, "GET", "/replication/status", Map.of(), null);
                        return st.contains("\"pending\":3") && !st.contains("\"lastError\":\"\"");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                var cli = ReplicationTest.run(server, "replicate", "status", bucket);
                assertEquals(0, cli.getKey(), cli.getValue());
                assertTrue(cli.getValue().contains("outage-dst") && cli.getValue().contains(" 3 "), cli.getValue());

                // A kill -9 with that backlog: nothing is lost.
                s3.close();
                server.kill();
                server.start();
            } finally {
                startProxy();
            }
            try (S3Client again = S3Clients.pathStyle(server)) {
                assertEquals(ReplicationStatus.PENDING, status(again, bucket, "during"));
                waitFor("during COMPLETED after the target is back",
                        () -> status(again, bucket, "during") == ReplicationStatus.COMPLETED);
                waitFor("the target converged", () -> differences(again, bucket, "outage-dst",
                        List.of("before", "during")).isEmpty());
                assertArrayEquals(TestData.bytes(7, 300),
                        target.getObjectAsBytes(g -> g.bucket("outage-dst").key("during")).asByteArray());
            }
        }
    }
}
