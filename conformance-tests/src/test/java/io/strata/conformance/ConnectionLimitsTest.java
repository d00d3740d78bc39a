package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Clients that stall do not hold the gateway's sockets and memory for ever: connections that send
 * nothing, go idle, dribble their headers or stop in the middle of a body are each closed within
 * their limit, uploads beyond the cap are told to slow down, connections beyond the cap wait, and
 * ordinary SDK requests are served meanwhile. The gateway runs with small limits set in its
 * configuration file, so each limit is a few seconds.
 */
class ConnectionLimitsTest {
    private static final Duration IDLE = Duration.ofSeconds(3);
    private static final Duration HEADERS = Duration.ofSeconds(2);
    private static final Duration READ = Duration.ofSeconds(2);
    private static final long MIN_BODY_RATE = 1000;
    private static final int MAX_CONNECTIONS = 40;
    private static final int MAX_UPLOADS = 4;
    /** Sweeps, scheduling and a busy 2-core machine: how late past its limit a close may come. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static String bucket;

    @BeforeAll
    static void start() throws IOException {
        Path config = Files.writeString(root.resolve("limits.yaml"), "server: { idle-timeout: " + IDLE.toSeconds()
                + "s, header-timeout: " + HEADERS.toSeconds() + "s, read-timeout: " + READ.toSeconds() + "s, min-body-rate: "
                + MIN_BODY_RATE + ", max-connections: "
                + MAX_CONNECTIONS + ", max-uploads: " + MAX_UPLOADS + " }\n");
        server = StrataServer.start(root, Map.of(), List.of("--config", config.toString()));
        s3 = S3Clients.pathStyle(server);
        bucket = "limits";
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) s3.close();
        if (server != null) server.close();
    }

    @AfterEach
    void gatewayStillRuns() {
        assertTrue(server.isAlive(), () -> "the gateway died during the test; its output:\n" + server.outputTail());
    }

    @Test
    void stalledConnectionsAreClosedWithinTheirLimitsWhileSdkRequestsSucceed() throws Exception {
        List<Stalled> stalled = new ArrayList<>();
        try {
            Instant opened = Instant.now();
            for (int i = 0; i < 5; i++) {
                stalled.add(new Stalled("silent", READ, opened, connect()));
            }
            for (int i = 0; i < 5; i++) {
                Socket s = connect();
                s.getOutputStream().write(("GET /_strata/health HTTP/1.1\r\nHost: " + host() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(10_000);
                String head = readHead(s.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                stalled.add(new Stalled("idle after a request", IDLE, Instant.now(), s));
            }
            for (int i = 0; i < 5; i++) {
                Socket s = connect();
                Instant start = Instant.now();
                dribble(s, "GET /_strata/health HTTP/1.1\r\nHost: " + host() + "\r\nx-slow: " + "a".repeat(10_000));
                stalled.add(new Stalled("slow headers", HEADERS, start, s));
            }
            for (int i = 0; i < 5; i++) {
                Socket s = connect();
                Instant start = Instant.now();
                dribble(s, "GET /_strata/health HTTP/1.1".repeat(200));
                stalled.add(new Stalled("slow request line", HEADERS, start, s));
            }
            List<Stalled> bodies = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                // Declares 4 GiB, sends 1 MiB, then nothing: the body read times out.
                Socket s = connect();
                s.getOutputStream().write(signedPutHead("/" + bucket + "/stalled-" + i, 4L << 30).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(new byte[1 << 20]);
                Stalled body = new Stalled("stalled body", READ, Instant.now(), s);
                stalled.add(body);
                bodies.add(body);
            }

            {
                // Never pauses for the read timeout, but sends 100 bytes/s, a tenth of the minimum rate.
                Socket s = connect();
                Instant start = Instant.now();
                dribble(s, signedPutHead("/" + bucket + "/stalled-2", 1 << 20), 10);
                Stalled body = new Stalled("slow body", READ, start, s);
                stalled.add(body);
                bodies.add(body);
            }

            // Held all at once; the gateway still serves an ordinary client.
            s3.putObject(b -> b.bucket(bucket).key("served"), RequestBody.fromString("while stalled"));
            assertEquals("while stalled", s3.getObjectAsBytes(b -> b.bucket(bucket).key("served")).asUtf8String());

            for (Stalled s : stalled) {
                s.awaitClosedByServer();
            }
            for (Stalled s : bodies) {
                assertTrue(s.received.startsWith("HTTP/1.1 400"), () -> "a stalled body's answer: " + s.received);
                assertTrue(s.received.contains("<Code>RequestTimeout</Code>"), () -> "a stalled body's answer: " + s.received);
            }
            for (int i = 0; i < bodies.size(); i++) {
                int n = i;
                GatewayTest.assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("stalled-" + n)));
            }
            // What the stalled clients held is released.
            awaitGauge("strata_uploads_in_progress", 0);
            awaitGauge("strata_connections_reading_headers", 0);
        } finally {
            for (Stalled s : stalled) s.socket.close();
        }
    }

    @Test
    void uploadsBeyondTheCapAreAnsweredSlowDown() throws Exception {
        List<Stalled> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_UPLOADS; i++) {
                Socket s = connect();
                s.getOutputStream().write(signedPutHead("/" + bucket + "/held-" + i, 1 << 20).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(new byte[10]);
                held.add(new Stalled("held upload", READ, Instant.now(), s));
            }
            awaitGauge("strata_uploads_in_progress", MAX_UPLOADS);
            RawRequest.Response refused = RawRequest.of("PUT", "/" + bucket + "/one-too-many").body("x").send(server);
            assertEquals(503, refused.status(), refused::toString);
            assertEquals("SlowDown", refused.errorCode());
            GatewayTest.assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("one-too-many")));

            for (Stalled s : held) s.awaitClosedByServer();
            RawRequest.Response accepted = RawRequest.of("PUT", "/" + bucket + "/one-too-many").body("x").send(server);
            assertEquals(200, accepted.status(), accepted::toString);
        } finally {
            for (Stalled s : held) s.socket.close();
        }
    }

    @Test
    void connectionsBeyondTheCapWaitUntilOneCloses() throws Exception {
        List<Socket> open = new ArrayList<>();
        Socket waiting = null;
        try {
            // Connections the SDK client keeps in its pool count too: fill up whatever is left.
            for (int i = 0; i <= MAX_CONNECTIONS && waiting == null; i++) {
                Socket s = connect();
                s.getOutputStream().write(("GET /_strata/health HTTP/1.1\r\nHost: " + host() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(1000);
                try {
                    readHead(s.getInputStream());
                    open.add(s);
                } catch (SocketTimeoutException notServed) {
                    waiting = s;
                }
            }
            assertTrue(waiting != null, "all " + (MAX_CONNECTIONS + 1) + " connections were served with server.max-connections "
                    + MAX_CONNECTIONS);
            assertTrue(open.size() <= MAX_CONNECTIONS, "served " + open.size());
            for (Socket s : open) s.close();
            waiting.setSoTimeout((int) (IDLE.plus(MARGIN).toMillis()));
            String head = readHead(waiting.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), "once a slot is free the waiting connection is served: " + head);
        } finally {
            for (Socket s : open) s.close();
            if (waiting != null) waiting.close();
        }
    }

    /**
     * A request that takes longer than the idle timeout (a large part or PUT over a slow link) must
     * not leave its client a keep-alive connection the server then drops unannounced: the next
     * request on it (the CompleteMultipartUpload after the parts) would get no answer at all.
     */
    @Test
    void aRequestThatOutlivesTheIdleTimeoutIsAnsweredWithConnectionClose() throws Exception {
        try (Socket s = connect()) {
            // 24 KB at 4 KB/s, never pausing: six seconds, twice the idle timeout, above the minimum rate.
            int length = 24_000;
            s.getOutputStream().write(signedPutHead("/" + bucket + "/slow-but-steady", length).getBytes(StandardCharsets.US_ASCII));
            dribbleBytes(s, new byte[length], 400);
            s.setSoTimeout((int) (Duration.ofSeconds(6).plus(IDLE).plus(MARGIN).toMillis()));
            String head = readHead(s.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(Pattern.compile("(?im)^connection: *close\r\n").matcher(head).find(),
                    "a response to a request that took longer than the idle timeout keeps the connection: " + head);
        }
    }

    /** A connection the test holds, and the limit the server must close it by. */
    private static final class Stalled {
        final String kind;
        final Duration limit;
        final Instant start;
        final Socket socket;
        String received = "";

        Stalled(String kind, Duration limit, Instant start, Socket socket) {
            this.kind = kind;
            this.limit = limit;
            this.start = start;
            this.socket = socket;
        }

        /** Reads until the server closes the connection, failing if that has not happened by limit + margin. */
        void awaitClosedByServer() throws IOException {
            Instant deadline = start.plus(limit).plus(MARGIN);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                while (true) {
                    long left = Duration.between(Instant.now(), deadline).toMillis();
                    if (left <= 0) throw new SocketTimeoutException();
                    socket.setSoTimeout((int) left);
                    int n = socket.getInputStream().read(buf);
                    if (n < 0) break;
                    in.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail(kind + " connection still open " + Duration.between(start, Instant.now()).toMillis() + " ms after it started (limit "
                        + limit.toMillis() + " ms); received: " + in.toString(StandardCharsets.US_ASCII)
                        + "\nthe gateway's output:\n" + server.outputTail());
            } catch (SocketException reset) {
                // closed by the server while unread bytes were pending: a reset, which also ends it
            }
            received = in.toString(StandardCharsets.US_ASCII);
        }
    }

    /** Sends the text one byte every 100 ms from a background thread, until done or the server closes. */
    private static void dribble(Socket socket, String text) {
        dribbleBytes(socket, text.getBytes(StandardCharsets.US_ASCII), 1);
    }

    /** Sends the head at once, then a body of zeros, bodyBytesPerTick every 100 ms. */
    private static void dribble(Socket socket, String head, int bodyBytesPerTick) {
        try {
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (bodyBytesPerTick > 0) dribbleBytes(socket, new byte[1 << 20], bodyBytesPerTick);
    }

    private static void dribbleBytes(Socket socket, byte[] bytes, int perTick) {
        Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < bytes.length; i += perTick) {
                    out.write(bytes, i, Math.min(perTick, bytes.length - i));
                    out.flush();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));   // the client's pace, not a wait for the server
                }
            } catch (IOException closedByServer) {
                // expected: the server gave up on this connection
            }
        });
    }

    private static Socket connect() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), server.port());
    }

    private static String host() {
        return "127.0.0.1:" + server.port();
    }

    /** Request line and headers of a SigV4-signed PUT with an unsigned payload of the given length. */
    private static String signedPutHead(String path, long length) {
        Instant now = Instant.now();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-length", Long.toString(length));
        headers.put("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        headers.put("x-amz-date", java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(now));
        String authorization = RawRequest.authorization("PUT", host(), path, Map.of(), headers, "UNSIGNED-PAYLOAD", now,
                StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY);
        StringBuilder head = new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: " + host() + "\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        return head.append("Authorization: ").append(authorization).append("\r\n\r\n").toString();
    }

    /** Reads a response's status line and headers (up to the blank line). */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                if (m.find()) in.readNBytes(Integer.parseInt(m.group(1)));
                return head.toString();
            }
        }
        return head.toString();
    }

    /** Polls the metrics (signed with the root credentials) until the gauge has the value, or fails after 10 s. */
    private static void awaitGauge(String name, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Pattern p = Pattern.compile("(?m)^" + name + " (\\S+)$");
        String last = "";
        while (System.nanoTime() < deadline) {
            RawRequest.Response metrics = RawRequest.of("GET", "/_strata/metrics").send(server);
            Matcher m = p.matcher(metrics.text());
            if (m.find()) {
                last = m.group(1);
                if ((long) Double.parseDouble(last) == expected) return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        fail(name + " is " + last + ", expected " + expected);
    }
}
