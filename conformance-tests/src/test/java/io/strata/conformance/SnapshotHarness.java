package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * What the snapshot conformance tests share: the {@code strata} command and the admin API run
 * against a gateway, bounded waits, the JSON fields they read, s3proxy as the third-party
 * repository, seeding, and the repository check that every data object and range file is named by
 * a retained root (no orphan).
 */
final class SnapshotHarness {
    static final Pattern LOCATOR = Pattern.compile("strata\\+[a-z]+://[^\\s\"?]*\\?snap=[0-9A-Za-z_-]+#sha256=[0-9a-f]{64}");

    private SnapshotHarness() {
    }

    /** Runs the packaged {@code strata} command against {@code server} (bounded); its exit status and output. */
    static Map.Entry<Integer, String> strata(StrataServer server, String... args) throws Exception {
        // A short-lived client: C1 only and the serial collector start it in about half the CPU time,
        // which adds up over the hundreds of commands these tests run on two cores.
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", StrataServer.jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--gateway", server.endpoint().toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("STRATA_ACCESS_KEY", StrataServer.ACCESS_KEY);
        pb.environment().put("STRATA_SECRET_KEY", StrataServer.SECRET_KEY);
        return run(pb, server.dataDir().getParent(), "strata " + String.join(" ", args));
    }

    /** As {@link #strata}, asserting exit status 0; the output. */
    static String strataOk(StrataServer server, String... args) throws Exception {
        var r = strata(server, args);
        assertEquals(0, r.getKey(), "strata " + String.join(" ", args) + ":\n" + r.getValue());
        return r.getValue();
    }

    /** Runs a command to its end (at most 180 s), its output in a file under {@code scratch}; exit status and output. */
    static Map.Entry<Integer, String> run(ProcessBuilder pb, Path scratch, String what) throws Exception {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + " did not finish within 180 s: " + Files.readString(out));
        }
        return Map.entry(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** An admin API call ({@code /_strata/admin} + path) signed with the root credentials; asserts the status, returns the body. */
    static String admin(StrataServer server, String method, String path, Map<String, String> query, int status) {
        return admin(server, method, path, query, null, status);
    }

    /** As {@link #admin(StrataServer, String, String, Map, int)} with a JSON body (null: none). */
    static String admin(StrataServer server, String method, String path, Map<String, String> query, String body, int status) {
        try {
            RawRequest r = RawRequest.of(method, "/_strata/admin" + path);
            query.forEach(r::query);
            if (body != null) r.body(body);
            RawRequest.Response res = r.send(server);
            assertEquals(status, res.status(), method + " " + path + " " + query + ": " + res.text());
            return res.text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The export's status ({@code GET /snapshots/exports?id=N}). */
    static String export(StrataServer server, long id) {
        return admin(server, "GET", "/snapshots/exports", Map.of("id", Long.toString(id)), 200);
    }

    /** Waits (bounded, polling every 50 ms) until {@code condition} holds; fails naming {@code what} with the gateway's log tail. */
    static void await(String what, Duration limit, StrataServer server, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        fail("timed out after " + limit.toSeconds() + " s waiting for: " + what
                + (server == null ? "" : "; gateway output:\n" + server.outputTail()));
    }

    static String locator(String output) {
        Matcher m = LOCATOR.matcher(output);
        if (!m.find()) fail("no locator in: " + output);
        return m.group();
    }

    /** A JSON field's value as text (string or number; "null" for null), or null when absent. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** A metric's value from the Prometheus text ({@code -1} if absent). */
    static long metric(StrataServer server, String name) {
        try {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)").matcher(server.metrics());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A versioned bucket with {@code count} keys {@code prefix0000...} of {@code size} seeded bytes each, written by 4 threads. */
    static void seed(S3Client s3, String bucket, String prefix, int count, int size, long seed) throws Exception {
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = String.format("%s%04d", prefix, i);
                long s = seed + i;
                puts.add(pool.submit(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(s, size)))));
            }
            for (var f : puts) f.get(120, TimeUnit.SECONDS);
        }
    }

    /** s3proxy on a file-system store under {@code dir}: the third-party S3 server a repository lives in. */
    static final class Proxy implements AutoCloseable {
        final String key;
        final String secret;
        final Path dir;
        final int port;
        private S3Proxy proxy;
        private BlobStoreContext context;

        Proxy(Path dir, String key, String secret) throws Exception {
            this.dir = dir;
            this.key = key;
            this.secret = secret;
            this.port = StrataServer.freePort();
            start();
        }

        void start() throws Exception {
            Properties p = new Properties();
            p.setProperty("jclouds.filesystem.basedir", dir.toString());
            context = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                    .build(BlobStoreContext.class);
            proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, key, secret)
                    .endpoint(URI.create(endpoint())).build();
            proxy.start();
            await("s3proxy to start", Duration.ofSeconds(30), null, () -> "STARTED".equals(proxy.getState()));
        }

        String endpoint() {
            return "http://127.0.0.1:" + port;
        }

        void createBucket(String name) {
            context.getBlobStore().createContainerInLocation(null, name);
        }

        /** A bucket's directory in the file-system store: where its objects are files. */
        Path bucketDir(String name) {
            return dir.resolve(name);
        }

        /** An SDK client of s3proxy (which answers checksum mode with 501: only when required). */
        S3Client client() {
            return S3Client.builder().region(Region.US_EAST_1)
                    .credentialsProvider(S3Clients.credentials(key, secret))
                    .endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .httpClient(S3Clients.httpClient()).build();
        }

        /** {@code strata snapshot repo add NAME} of {@code bucket/prefix} here, at {@code server}. */
        void addRepository(StrataServer server, String name, String bucket, String prefix) throws Exception {
            strataOk(server, "snapshot", "repo", "add", name, "--type", "s3", "--endpoint", endpoint(), "--bucket", bucket,
                    "--prefix", prefix, "--access-key", key, "--secret-key", secret);
        }

        boolean running() {
            return proxy != null && "STARTED".equals(proxy.getState());
        }

        void stop() throws Exception {
            if (running()) proxy.stop();
            if (context != null) context.close();
            context = null;
        }

        @Override
        public void close() throws Exception {
            stop();
        }
    }

    /**
     * Asserts that the repository in {@code dir} (a local repository, or an s3proxy file-system
     * bucket's prefix) holds no orphan: every data object and range file is named by a retained
     * root ({@code snapshots/*.json}), every root's range files are there, and nothing of an export
     * in progress, a GC plan or a forgotten root is left. Reads the files as the format document
     * describes them, without Strata code.
     *
     * @return the number of data objects and range files found
     */
    static int assertNoOrphans(Path dir) throws IOException {
        TreeSet<String> ranges = new TreeSet<>();
        TreeSet<String> data = new TreeSet<>();
        Pattern rangePath = Pattern.compile("\"path\":\"(ranges/[0-9a-f]{64}\\.ndjson\\.gz)\"");
        Pattern dataPath = Pattern.compile("\"data\":\\{[^}]*\"path\":\"((?:[^\"\\\\]|\\\\.)*)\"");
        for (String root : files(dir, "snapshots")) {
            Matcher m = rangePath.matcher(Files.readString(dir.resolve(root)));
            while (m.find()) ranges.add(m.group(1));
        }
        for (String range : ranges) {
            assertTrue(Files.isRegularFile(dir.resolve(range)), "a root names " + range + ", which is not in " + dir);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(range)))) {
                Matcher m = dataPath.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) data.add(unescape(m.group(1)));
            }
        }
        List<String> orphans = new ArrayList<>();
        for (String f : files(dir, "ranges")) if (!ranges.contains(f)) orphans.add(f);
        for (String f : files(dir, "data")) if (!data.contains(f)) orphans.add(f);
        for (String leftover : List.of("exports", "gc", "forgotten")) orphans.addAll(files(dir, leftover));
        assertEquals(List.of(), orphans, "objects no retained root names (or leftovers) in " + dir);
        for (String d : data) assertTrue(Files.isRegularFile(dir.resolve(d)), "a range file names " + d + ", which is not there");
        return ranges.size() + data.size();
    }

    /** The regular files under {@code dir/sub}, relative to {@code dir}, with '/' separators; empty if absent. */
    static List<String> files(Path dir, String sub) throws IOException {
        Path start = dir.resolve(sub);
        if (!Files.isDirectory(start)) return List.of();
        try (Stream<Path> s = Files.walk(start)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    /** A JSON string's escapes (the format writes keys as JSON strings: \" \\ \/ and \\uXXXX). */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                default -> b.append(n);
            }
        }
        return b.toString();
    }
}
