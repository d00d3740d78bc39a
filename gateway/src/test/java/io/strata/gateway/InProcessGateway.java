package io.strata.gateway;

import io.strata.gateway.config.StrataConfig;
import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.ColdTier;
import io.strata.tiering.ColdTiers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * A whole gateway (namespace, hot tier, cold tier COLD, S3 and admin routes) started in this JVM
 * on a free port over a temporary data directory, so HTTP-level tests run in milliseconds and can
 * reach inside: swap a cold tier for a faulty wrapper, damage shard files, read what was logged.
 * Requests go over a real socket, because what a client sees of a failed body (status, a short
 * body, a closed connection) only exists there. Close it after use.
 */
public final class InProcessGateway implements AutoCloseable {
    public static final String ACCESS_KEY = "INPROCESSTESTKEY";
    public static final String SECRET_KEY = "in-process-test-secret";
    /** Longest wait for a response byte: a server that neither answers nor closes fails the test. */
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    private final StrataServer server;
    private final Path dataDir;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final LogCapture logs = new LogCapture();

    private InProcessGateway(StrataServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
        URI endpoint = URI.create("http://127.0.0.1:" + server.port());
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
        var pathStyle = S3Configuration.builder().pathStyleAccessEnabled(true).build();
        this.s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
                .serviceConfiguration(pathStyle).build();
        this.presigner = S3Presigner.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(credentials).serviceConfiguration(pathStyle).build();
        Logger.getLogger("").addHandler(logs);
    }

    /** Starts a gateway on a free port with its data under {@code dataDir}; {@code flags} override settings. */
    public static InProcessGateway start(Path dataDir, Map<String, String> flags) throws IOException {
        return start(dataDir, flags, UnaryOperator.identity());
    }

    /** As {@link #start(Path, Map)}, with the namespace seen through {@code wrapNamespace} (faults). */
    public static InProcessGateway start(Path dataDir, Map<String, String> flags, UnaryOperator<Namespace> wrapNamespace)
            throws IOException {
        Map<String, String> all = new TreeMap<>(Map.of(
                "server.port", "0",
                "storage.data-dir", dataDir.toString(),
                "auth.access-key", ACCESS_KEY,
                "auth.secret-key", SECRET_KEY));
        all.putAll(flags);
        return new InProcessGateway(StrataServer.start(StrataConfig.load(null, Map.of(), all), wrapNamespace), dataDir);
    }

    public int port() {
        return server.port();
    }

    Path dataDir() {
        return dataDir;
    }

    public S3Client s3() {
        return s3;
    }

    public LogCapture logs() {
        return logs;
    }

    /** The gateway's object service, to reach the namespace under the S3 API. */
    public ObjectService service() {
        return server.service();
    }

    /** Replaces tier {@code name} by what {@code wrap} makes of a fresh instance of it (the old one is closed). */
    void wrapTier(String name, ColdTier fresh, UnaryOperator<ColdTier> wrap) {
        ColdTiers tiers = server.service().tiers();
        String description = tiers.get(name).orElseThrow().description();
        tiers.remove(name);
        tiers.add(name, description, wrap.apply(fresh));
    }

    public void createBucket(String bucket) {
        s3.createBucket(b -> b.bucket(bucket));
    }

    void put(String bucket, String key, byte[] data) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    }

    /** Moves the current version of bucket/key into cold tier {@code tier} now, as a lifecycle rule would. */
    void moveToCold(String bucket, String key, String tier) {
        ObjectService service = server.service();
        ObjectVersion v = service.namespace().latest(new BucketName(bucket), new ObjectKey(key)).orElseThrow();
        if (!service.transition(v, tier)) throw new IllegalStateException(bucket + "/" + key + " did not move to " + tier);
    }

    /** A presigned GET of bucket/key, read over its own socket by {@link #rawGet(URI)}. */
    RawResponse get(String bucket, String key) throws IOException {
        return rawGet(URI.create(presignedGet(bucket, key)));
    }

    /** A GET URL of bucket/key signed for five minutes. */
    String presignedGet(String bucket, String key) {
        return presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toString();
    }

    /**
     * One keep-alive GET over a fresh socket: the status, the headers, and the body read up to its
     * Content-Length or until the server closed the connection. {@code closed} says whether the server
     * closed it after a short body; a server that stalls instead fails the read after 30 s.
     */
    static RawResponse rawGet(URI uri) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new TreeMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            long declared = Long.parseLong(headers.getOrDefault("content-length", "-1"));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buf = new byte[64 << 10];
            boolean closed = false;
            while (declared < 0 || body.size() < declared) {
                int n;
                try {
                    n = in.read(buf, 0, (int) (declared < 0 ? buf.length : Math.min(buf.length, declared - body.size())));
                } catch (SocketTimeoutException e) {
                    throw new IOException("the server neither sent the rest of the body nor closed the connection", e);
                } catch (IOException e) {
                    closed = true;   // reset by the server
                    break;
                }
                if (n < 0) {
                    closed = true;
                    break;
                }
                body.write(buf, 0, n);
            }
            return new RawResponse(status, headers, body.toByteArray(), declared, closed);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new IOException("connection closed inside the response head: " + sb);
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    /** What one GET produced on the wire. {@code declaredLength} is -1 without a Content-Length. */
    record RawResponse(int status, Map<String, String> headers, byte[] body, long declaredLength, boolean closed) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean shortBody() {
            return declaredLength >= 0 && body.length < declaredLength;
        }
    }

    /**
     * What the gateway and Helidon logged while the gateway ran: the request's own reports. The
     * lower modules' records (a drive's bad shard, a move) are their own subject and are left out.
     */
    public static final class LogCapture extends Handler {
        private final List<LogRecord> records = new ArrayList<>();
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public synchronized void publish(LogRecord record) {
            String name = record.getLoggerName() == null ? "" : record.getLoggerName();
            if (name.startsWith("io.strata.gateway") || name.startsWith("io.helidon")) {
                records.add(record);
                notifyAll();
            }
        }

        /** Messages at {@code level} or above, formatted, optionally only those containing {@code text}. */
        public synchronized List<String> atLeast(Level level, String text) {
            List<String> out = new ArrayList<>();
            for (LogRecord r : records) {
                if (r.getLevel().intValue() < level.intValue()) continue;
                String m = r.getLevel() + " " + formatter.formatMessage(r)
                        + (r.getThrown() == null ? "" : " / " + r.getThrown());
                if (text == null || m.contains(text)) out.add(m);
            }
            return out;
        }

        /**
         * Waits until a record at {@code level} or above containing {@code text} has been logged, at most
         * {@code timeout}: the server logs a client's disconnect on its own thread, after the test acted.
         */
        synchronized boolean await(Level level, String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (atLeast(level, text).isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        synchronized void clear() {
            records.clear();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            Logger.getLogger("").removeHandler(logs);
            presigner.close();
            s3.close();
        }
    }
}
