package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Outage isolation (issue #14): a source gateway replicates to a second Strata through a TCP forwarder that
 * the test closes (the port refuses connections) and opens again. With the target unreachable, PUT and
 * DELETE at the source succeed, no request reaches the target (its own request counter says so, not a
 * timing), {@code replicate status} shows BACKOFF or OPEN with the last error, and {@code replicate wait}
 * fails loudly; once the port opens, {@code replicate wait} returns and the target holds every version.
 * The negative control makes source changes depend on the target's health (a test-only fault), which the
 * same steps must catch.
 */
class ReplicationOutageTest {
    private static final Map<String, String> FAST = Map.of("STRATA_REPLICATION_INTERVAL", "100ms",
            "STRATA_REPLICATION_MAX_BACKOFF", "1s");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^strata_s3_requests_total\\{[^}]*} (\\d+)");

    @TempDir
    Path root;

    /** Forwards connections to a port while open; closed, its port refuses them. Counts what it accepted. */
    static final class Forwarder implements AutoCloseable {
        final int port;
        final int to;
        final AtomicInteger accepted = new AtomicInteger();
        private final ConcurrentLinkedQueue<Socket> connections = new ConcurrentLinkedQueue<>();
        private volatile ServerSocket listener;

        Forwarder(int port, int to) {
            this.port = port;
            this.to = to;
        }

        void open() throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = s;
            Thread.ofVirtual().start(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket in = s.accept();
                        accepted.incrementAndGet();
                        Socket out = new Socket(InetAddress.getLoopbackAddress(), to);
                        connections.add(in);
                        connections.add(out);
                        Thread.ofVirtual().start(() -> pump(in, out));
                        Thread.ofVirtual().start(() -> pump(out, in));
                    } catch (IOException e) {
                        return;   // closed
                    }
                }
            });
        }

        private static void pump(Socket from, Socket to) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // either side closed: the other follows
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        /** Closes the port and every forwarded connection: the target is unreachable. */
        @Override
        public void close() throws IOException {
            ServerSocket s = listener;
            if (s != null) s.close();
            Socket c;
            while ((c = connections.poll()) != null) c.close();
        }
    }

    /** Every S3 request the gateway has answered, from its own Prometheus counter. */
    static long requestsServed(StrataServer on) throws Exception {
        Matcher m = REQUESTS.matcher(on.metrics());
        long n = 0;
        while (m.find()) n += Long.parseLong(m.group(1));
        return n;
    }

    static String status(StrataServer on, String bucket) throws Exception {
        return ReplicationWorkerTest.admin(on, "GET", "/replication/status", Map.of("bucket", bucket), null);
    }

    /** The source and its replication rule to a target on the forwarder's port, which is closed. */
    private static void configure(StrataServer source, S3Client s3, int port) throws Exception {
        ReplicationWorkerTest.admin(source, "POST", "/replication/targets", Map.of("name", "dr"), """
                {"endpoint":"http://127.0.0.1:%d","bucket":"replica","access-key":"%s","secret-key":"%s","path-style":"true"}
                """.formatted(port, StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
        s3.createBucket(b -> b.bucket("photos"));
        s3.putBucketVersioning(b -> b.bucket("photos").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        s3.putBucketReplication(b -> b.bucket("photos").replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(r -> r.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::replica")))));
    }

    /** Writes and deletes at the source, then waits until the worker has met the closed port. */
    private static void writeUntilTheTargetIsKnownDown(StrataServer source, S3Client s3) throws Exception {
        s3.putObject(b -> b.bucket("photos").key("a"), RequestBody.fromBytes(TestData.bytes(1, 100)));
        s3.putObject(b -> b.bucket("photos").key("b"), RequestBody.fromBytes(TestData.bytes(2, 200)));
        s3.putObject(b -> b.bucket("photos").key("a"), RequestBody.fromBytes(TestData.bytes(3, 300)));
        s3.deleteObject(b -> b.bucket("photos").key("a"));
        ReplicationWorkerTest.waitFor("the worker backing off from the closed port", () -> {
            try {
                String st = status(source, "photos");
                return (st.contains("\"state\":\"BACKOFF\"") || st.contains("\"state\":\"OPEN\""))
                        && !st.contains("\"lastError\":\"\"") && st.contains("\"pending\":4,");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A PUT and a DELETE while the target is known to be down: both must succeed. */
    private static void changeWhileDown(S3Client s3) {
        s3.putObject(b -> b.bucket("photos").key("c"), RequestBody.fromBytes(TestData.bytes(4, 400)));
        s3.deleteObject(b -> b.bucket("photos").key("b"));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aTargetBehindAClosedPortNeitherBlocksNorReceivesAndRecoveryDrainsEveryVersion() throws Exception {
        try (StrataServer target = StrataServer.start(root.resolve("target"));
             S3Client dst = S3Clients.pathStyle(target);
             Forwarder forwarder = new Forwarder(StrataServer.freePort(), target.port());
             StrataServer source = StrataServer.start(root.resolve("source"), FAST, List.of());
             S3Client s3 = S3Clients.pathStyle(source)) {
            dst.createBucket(b -> b.bucket("replica"));
            dst.putBucketVersioning(b -> b.bucket("replica").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            long servedBefore = requestsServed(target);
            configure(source, s3, forwarder.port);

            writeUntilTheTargetIsKnownDown(source, s3);
            changeWhileDown(s3);
            ReplicationWorkerTest.waitFor("six operations pending", () -> {
                try {
                    return status(source, "photos").contains("\"pending\":6,");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String st = status(source, "photos");
            assertTrue(st.contains("Connection refused") || st.contains("circuit open") || st.contains("connect"), st);
            assertTrue(st.contains("\"buckets\":[{\"bucket\":\"photos\",\"pending\":6,\"pendingBytes\":1000,"), st);
            assertEquals(servedBefore, requestsServed(target), "a request reached the target while its port was closed");
            assertEquals(0, forwarder.accepted.get());
            // The scrape shows the worker's last pass, which may be a pass behind the status just read.
            ReplicationWorkerTest.waitFor("the backlog in the metrics", () -> {
                String metrics = ReplicationWorkerTest.metrics(source);
                return metrics.contains("strata_replication_pending{bucket=\"photos\",target=\"dr\"} 6")
                        && metrics.contains("strata_replication_pending_bytes{bucket=\"photos\",target=\"dr\"} 1000")
                        && metrics.contains("strata_replication_pending{target=\"dr\"} 6");
            });

            var timedOut = ReplicationTest.run(source, "replicate", "wait", "photos", "--target", "dr", "--timeout", "2s");
            assertEquals(1, timedOut.getKey(), timedOut.getValue());
            assertTrue(timedOut.getValue().contains("timed out after") && timedOut.getValue().contains("6 operation(s) of photos pending"),
                    timedOut.getValue());

            forwarder.open();
            var drained = ReplicationTest.run(source, "replicate", "wait", "photos", "--target", "dr", "--timeout", "60s");
            assertEquals(0, drained.getKey(), drained.getValue());
            assertTrue(drained.getValue().contains("is applied at dr"), drained.getValue());
            assertNotEquals(0, forwarder.accepted.get());

            // Every source version and delete marker is at the target, each version by its source id.
            ListObjectVersionsResponse at = dst.listObjectVersions(b -> b.bucket("replica"));
            ListObjectVersionsResponse from = s3.listObjectVersions(b -> b.bucket("photos"));
            assertEquals(from.deleteMarkers().size(), at.deleteMarkers().size(), at.toString());
            Set<String> sourceIds = new HashSet<>();
            for (ObjectVersion v : from.versions()) sourceIds.add(v.versionId());
            Set<String> replicated = new HashSet<>();
            for (ObjectVersion v : at.versions()) {
                replicated.add(dst.headObject(h -> h.bucket("replica").key(v.key()).versionId(v.versionId()))
                        .metadata().get("strata-source-version-id"));
            }
            assertEquals(sourceIds, replicated);

            // A target bucket without versioning: FAILED with the reason, shown by status, and wait names it.
            dst.createBucket(b -> b.bucket("plain"));
            ReplicationWorkerTest.admin(source, "POST", "/replication/targets", Map.of("name", "plain"), """
                    {"endpoint":"http://127.0.0.1:%d","bucket":"plain","access-key":"%s","secret-key":"%s","path-style":"true"}
                    """.formatted(forwarder.port, StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
            s3.createBucket(b -> b.bucket("docs"));
            s3.putBucketVersioning(b -> b.bucket("docs").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            s3.putBucketReplication(b -> b.bucket("docs").replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication")
                    .rules(r -> r.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                            .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                            .destination(d -> d.bucket("arn:aws:s3:::plain")))));
            s3.putObject(b -> b.bucket("docs").key("memo"), RequestBody.fromBytes(TestData.bytes(5, 50)));
            ReplicationWorkerTest.waitFor("memo FAILED", () -> ReplicationWorkerTest.status(s3, "docs", "memo")
                    == software.amazon.awssdk.services.s3.model.ReplicationStatus.FAILED);
            String failed = status(source, "docs");
            assertTrue(failed.contains("\"failed\":1") && failed.contains("versioning is not enabled on bucket plain"), failed);
            var refused = ReplicationTest.run(source, "replicate", "wait", "docs", "--target", "plain", "--timeout", "30s");
            assertEquals(1, refused.getKey(), refused.getValue());
            assertTrue(refused.getValue().contains("FAILED docs/memo") && refused.getValue().contains("versioning is not enabled"),
                    refused.getValue());

            ReplicationWorkerTest.waitFor("the drained backlog in the metrics", () -> {
                String metrics = ReplicationWorkerTest.metrics(source);
                return metrics.contains("strata_replication_pending{bucket=\"photos\",target=\"dr\"} 0")
                        && metrics.contains("strata_replication_latency_seconds_count{bucket=\"photos\",target=\"dr\"} 6")
                        && metrics.contains("strata_replication_complete_until_seconds{target=\"dr\"}");
            });
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void sourceChangesThatWaitOnTheTargetTurnTheIsolationCheckRed() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(FAST);
        env.put("STRATA_TEST_FAULT", "replication-inline");
        try (Forwarder forwarder = new Forwarder(StrataServer.freePort(), 9);
             StrataServer source = StrataServer.start(root.resolve("inline"), env, List.of());
             S3Client s3 = S3Clients.pathStyle(source)) {
            configure(source, s3, forwarder.port);
            // The fault may refuse a change as soon as the worker has met the closed port, in either step.
            S3Exception refused = assertThrows(S3Exception.class, () -> {
                writeUntilTheTargetIsKnownDown(source, s3);
                changeWhileDown(s3);
            }, "the isolation check did not see source changes blocked by a down target");
            assertEquals(500, refused.statusCode());
        }
    }
}
