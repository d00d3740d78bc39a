package io.strata.gateway;

import io.strata.tiering.cold.LocalDirectoryColdTier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GETs whose stored data fails, hot or cold, seen over a socket: a failure found before the headers
 * is an S3 error document; one found after them (the body is streaming) is logged once at ERROR
 * naming the store and the object, and the connection is closed so that the client sees a body
 * shorter than its Content-Length, never a whole-looking wrong one.
 */
class ObjectReadFaultsTest {
    private static final int MIB = 1 << 20;
    private static final String BUCKET = "faults";

    @TempDir
    static Path dir;
    private static InProcessGateway gateway;
    private static FaultyColdTier cold;

    @BeforeAll
    static void start() throws IOException {
        // Shard files, whose faults this test injects (segment records are covered in erasure-store).
        gateway = InProcessGateway.start(dir, Map.of("erasure.segment-shard-max", "0"));
        gateway.wrapTier("COLD", LocalDirectoryColdTier.create(dir.resolve("cold")), t -> cold = new FaultyColdTier(t));
        gateway.createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    @BeforeEach
    void reset() {
        cold.heal();
        gateway.logs().clear();
    }

    private static byte[] data(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] coldObject(String key, int seed) {
        byte[] data = data(seed, 3 * MIB);
        gateway.put(BUCKET, key, data);
        gateway.moveToCold(BUCKET, key, "COLD");
        return data;
    }

    @Test
    void coldGetServesTheWholeObjectWhenNothingFails() throws IOException {
        byte[] data = coldObject("cold-ok", 1);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-ok");
        assertEquals(200, r.status());
        assertArrayEquals(data, r.body());
        assertEquals(List.of(), gateway.logs().atLeast(Level.WARNING, null));
    }

    @Test
    void coldGetWhoseTierIsUnreachableIs503ServiceUnavailableWithoutTheObjectsHeaders() throws IOException {
        coldObject("cold-down", 2);
        cold.unreachable();
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-down");
        assertEquals(503, r.status());
        assertTrue(r.text().contains("<Code>ServiceUnavailable</Code>"), r.text());
        assertFalse(r.headers().containsKey("etag"), r.headers().toString());
        assertFalse(r.headers().containsKey("x-amz-storage-class"), r.headers().toString());
    }

    @Test
    void coldGetWhoseTierBreaksInTheFirstBlockIs503BeforeAnyHeader() throws IOException {
        coldObject("cold-reset-start", 8);
        cold.breakAt(1000);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-reset-start");
        assertEquals(503, r.status(), "a tier failing before the first byte is unavailable, not a 200 cut short");
        assertTrue(r.text().contains("<Code>ServiceUnavailable</Code>"), r.text());
        assertFalse(r.headers().containsKey("etag"), r.headers().toString());
    }

    @Test
    void coldGetWhoseFirstBlockIsCorruptIs500BeforeAnyHeaderAndLogsTheCorruptionAtError() throws IOException {
        coldObject("cold-bad-start", 3);
        cold.flipAt(1000);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-bad-start");
        assertEquals(500, r.status(), "a corrupt first block must be answered with an error, not a 200 cut short");
        assertTrue(r.text().contains("<Code>InternalError</Code>"), r.text());
        assertTrue(r.text().contains("stored data failed its integrity check"), r.text());
        assertFalse(r.headers().containsKey("etag"), r.headers().toString());
        List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("SEVERE ") && logged.getFirst().contains("corrupt cold copy")
                && logged.getFirst().contains("tier=COLD") && logged.getFirst().contains("key=cold-bad-start"), logged.toString());
    }

    @Test
    void coldGetWhoseCopyIsCorruptMidBodyEndsShortClosesTheConnectionAndLogsOnceAtError() throws IOException {
        byte[] data = coldObject("cold-bad-end", 4);
        cold.flipAt(2L * MIB + 12345);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-bad-end");
        assertMidBodyFailure(r, data);
        List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("SEVERE ") && logged.getFirst().contains("corrupt cold copy")
                && logged.getFirst().contains("tier=COLD") && logged.getFirst().contains("key=cold-bad-end"), logged.toString());
    }

    @Test
    void coldGetWhoseTierFailsMidBodyEndsShortClosesTheConnectionAndLogsOnceAtErrorNamingTheTier() throws IOException {
        byte[] data = coldObject("cold-reset", 5);
        cold.breakAt(MIB + MIB / 2);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, "cold-reset");
        assertMidBodyFailure(r, data);
        List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("SEVERE ") && logged.getFirst().contains("tier COLD")
                && logged.getFirst().contains("key=cold-reset") && logged.getFirst().contains("connection reset"), logged.toString());
    }

    @Test
    void hotGetWhoseFirstStripeIsLostIs500BeforeAnyHeader() throws IOException {
        String key = "hot-bad-start";
        List<Path> shards = putHot(key, data(6, 10 * MIB));
        for (Path p : shards.subList(0, 3)) truncate(p, 100);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, key);
        assertEquals(500, r.status());
        assertTrue(r.text().contains("<Code>InternalError</Code>"), r.text());
        assertFalse(r.headers().containsKey("etag"), r.headers().toString());
    }

    @Test
    void hotGetWhoseShardsAreLostBeyondParityMidBodyEndsShortClosesTheConnectionAndLogsOnceAtError() throws IOException {
        String key = "hot-bad-end";
        byte[] data = data(7, 10 * MIB);
        List<Path> shards = putHot(key, data);
        // 10 MiB in stripes of 4 x 1 MiB: each shard holds 3 blocks. Cutting three of the six shards
        // after their first block leaves the first stripe whole and the later ones unreadable.
        for (Path p : shards.subList(0, 3)) truncate(p, Files.size(p) / 2);
        InProcessGateway.RawResponse r = gateway.get(BUCKET, key);
        assertMidBodyFailure(r, data);
        List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("SEVERE ") && logged.getFirst().contains("hot tier")
                && logged.getFirst().contains("key=" + key), logged.toString());
    }

    @Test
    void aClientThatGoesAwayMidBodyIsNoStoreFailure() throws Exception {
        String key = "client-gone";
        putHot(key, data(9, 48 * MIB));   // more than the socket buffers of both ends hold
        java.net.URI uri = java.net.URI.create(gateway.presignedGet(BUCKET, key));
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: "
                    + uri.getHost() + ":" + uri.getPort() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = new byte[64 << 10];
            int n = socket.getInputStream().read(head);
            assertTrue(new String(head, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            socket.setSoLinger(true, 0);   // a reset, not an orderly close: the server's next write fails
        }
        assertTrue(gateway.logs().await(Level.WARNING, "connection failed", java.time.Duration.ofSeconds(20)),
                "the server's failed write is reported: " + gateway.logs().atLeast(Level.FINE, null));
        // Helidon, asked to answer an error on a response whose headers are out, would log its own
        // warning on the same thread right after: give it the chance to show up.
        assertFalse(gateway.logs().await(Level.WARNING, "Request failed", java.time.Duration.ofSeconds(2)),
                gateway.logs().atLeast(Level.WARNING, null).toString());
        List<String> logged = gateway.logs().atLeast(Level.WARNING, null);
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("WARNING "), logged.toString());
    }

    /** A 200 whose body is a true prefix of the object, cut short, on a connection the server closed. */
    private static void assertMidBodyFailure(InProcessGateway.RawResponse r, byte[] data) {
        assertEquals(200, r.status());
        assertEquals(data.length, r.declaredLength());
        assertTrue(r.shortBody(), "the body must end short of its Content-Length, got " + r.body().length);
        assertTrue(r.closed(), "the server must close the connection");
        byte[] prefix = java.util.Arrays.copyOf(data, r.body().length);
        assertArrayEquals(prefix, r.body(), "every byte served must be the object's");
    }

    /** Puts a hot object and returns its shard files. */
    private static List<Path> putHot(String key, byte[] data) throws IOException {
        Set<Path> before = shardFiles();
        gateway.put(BUCKET, key, data);
        List<Path> added = shardFiles().stream().filter(p -> !before.contains(p)).sorted().toList();
        assertEquals(6, added.size(), added.toString());
        return added;
    }

    private static Set<Path> shardFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("drives"))) {
            return files.filter(p -> p.toString().contains("/blobs/") && Files.isRegularFile(p)).collect(Collectors.toSet());
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }
}
