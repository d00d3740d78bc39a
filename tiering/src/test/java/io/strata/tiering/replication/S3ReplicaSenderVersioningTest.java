package io.strata.tiering.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.strata.tiering.S3ColdTierConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A target bucket without versioning is a permanent refusal said as such (S3 replication needs versioning at
 * the destination, and there a delete marker would delete the replica): against a small HTTP server that
 * answers GetBucketVersioning as told and counts every other request.
 */
class S3ReplicaSenderVersioningTest {
    private HttpServer server;
    /** The answer to GET ?versioning: status then body. */
    private volatile Map.Entry<Integer, String> versioning;
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String query = exchange.getRequestURI().getRawQuery();
            boolean asksVersioning = query != null && query.startsWith("versioning");
            String what = exchange.getRequestMethod() + (asksVersioning ? " ?versioning" : "");
            requests.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
            if (asksVersioning) {
                byte[] body = versioning.getValue().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(versioning.getKey(), body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.getResponseHeaders().add("ETag", "\"0cc175b9c0f1b6a831c399e269772661\"");
                exchange.sendResponseHeaders(exchange.getRequestMethod().equals("DELETE") ? 204 : 200, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private S3ReplicaSender sender() {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return S3ReplicaSender.create(new ReplicationTarget("dr", new S3ColdTierConfig(endpoint, "us-east-1", "dest", "", "AK",
                "secret", true, S3ColdTierConfig.MIN_PART_SIZE, Optional.empty())));
    }

    private static final byte[] DATA = "a".getBytes(StandardCharsets.UTF_8);

    private static void put(S3ReplicaSender s) {
        s.put(new Replica("k", "v-1", Instant.parse("2026-01-02T03:04:05Z"), 1, "0cc175b9c0f1b6a831c399e269772661",
                "text/plain", Map.of(), Map.of(), Map.of(), Map.of(), List.of(), List.of(), Optional.empty()),
                (offset, length) -> new ByteArrayInputStream(DATA, (int) offset, (int) length));
    }

    private int count(String what) {
        return requests.getOrDefault(what, new AtomicInteger()).get();
    }

    private static String config(String status) {
        return "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + (status == null ? "" : "<Status>" + status + "</Status>") + "</VersioningConfiguration>";
    }

    @Test
    void versioningSuspendedOrNeverEnabledFailsForGoodWithTheReasonAndSendsNothing() {
        for (String status : new String[] {"Suspended", null}) {
            versioning = Map.entry(200, config(status));
            requests.clear();
            try (S3ReplicaSender s = sender()) {
                ReplicationException put = assertThrows(ReplicationException.class, () -> put(s));
                assertEquals(ReplicationException.Reason.PERMANENT, put.reason());
                assertTrue(put.getMessage().contains(status == null ? "versioning is not enabled" : "versioning is suspended")
                        && put.getMessage().contains("bucket dest of replication target dr")
                        && put.getMessage().contains("strata replicate retry --failed --target dr"), put.getMessage());
                ReplicationException marker = assertThrows(ReplicationException.class, () -> s.deleteMarker("k"));
                assertEquals(ReplicationException.Reason.PERMANENT, marker.reason());
            }
            assertEquals(0, count("PUT"), "a replica went to an unversioned bucket");
            assertEquals(0, count("DELETE"), "a delete marker went to an unversioned bucket, where it deletes");
        }
    }

    @Test
    void versioningEnabledIsAskedOnceAndThenReplicasGo() {
        versioning = Map.entry(200, config("Enabled"));
        try (S3ReplicaSender s = sender()) {
            put(s);
            put(s);
            s.deleteMarker("k");
        }
        assertEquals(1, count("GET ?versioning"));
        assertEquals(2, count("PUT"));
        assertEquals(1, count("DELETE"));
    }

    @Test
    void aTargetThatCannotTellItsVersioningStillReceivesReplicas() {
        // s3proxy and other third-party servers answer 501 NotImplemented to ?versioning.
        versioning = Map.entry(501, "<Error><Code>NotImplemented</Code><Message>no</Message></Error>");
        try (S3ReplicaSender s = sender()) {
            put(s);
            put(s);
        }
        assertEquals(1, count("GET ?versioning"));
        assertEquals(2, count("PUT"));
    }
}
