package io.strata.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code gateway/target/strata-gateway.jar}) running as a separate process,
 * as a user runs it: {@code java -jar strata-gateway.jar serve --port P --data-dir DIR} with the
 * root credentials in {@code STRATA_ACCESS_KEY}/{@code STRATA_SECRET_KEY}.
 *
 * <p>The data directory and the port stay the same across {@link #stop()}, {@link #kill()} and
 * {@link #start()}, so a test can crash the gateway and start it again on the same data.
 * The server's stdout and stderr go to a log file beside the data directory (never through a pipe,
 * so a chatty server cannot block) and are printed when it fails to start.
 *
 * <p>Not thread-safe: one test class drives one instance. {@link #close()} stops the process.
 */
public final class StrataServer implements AutoCloseable {
    public static final String ACCESS_KEY = "STRATACONFORMANCEKEY";
    public static final String SECRET_KEY = "conformance/Secret+Key/0123456789abcdefghij";
    public static final String REGION = "us-east-1";

    /**
     * A bound for a hung start, not a speed check: three gateways starting at once on two busy cores
     * (ReplicationMesh) took over 30 s.
     */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path jar;
    private final Path dataDir;
    private final Path log;
    private final List<String> jvmArgs;
    private final Map<String, String> env = new java.util.LinkedHashMap<>();
    private final List<String> serveArgs = new ArrayList<>();
    private final int port;
    private Process process;
    private int starts;

    private StrataServer(Path jar, Path dataDir, Path log, List<String> jvmArgs, int port) {
        this.jar = jar;
        this.dataDir = dataDir;
        this.log = log;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.port = port;
    }

    /**
     * Starts a gateway on a free port with a fresh, empty data directory {@code root/data}
     * (its log goes to {@code root/server.log}) and waits until it accepts connections.
     */
    public static StrataServer start(Path root, String... jvmArgs) {
        return start(root, Map.of(), List.of(), jvmArgs);
    }

    /** As {@link #start(Path, String...)}, with extra environment variables and {@code serve} arguments. */
    public static StrataServer start(Path root, Map<String, String> env, List<String> serveArgs, String... jvmArgs) {
        StrataServer server = create(root, jvmArgs);
        server.env.putAll(env);
        server.serveArgs.addAll(serveArgs);
        if (server.isManaged()) {
            server.start();
        }
        return server;
    }

    /**
     * As {@link #start(Path, String...)} without starting the process: set its
     * {@link #environment(String, String)} first, then {@link #start()} it.
     */
    public static StrataServer create(Path root, String... jvmArgs) {
        String external = System.getProperty("strata.external.port");
        if (external != null && !external.isBlank()) {
            // Developer aid: run the SDK tests against another S3 server already listening on
            // 127.0.0.1:PORT (to check a test's expectation against a reference implementation).
            // Tests that stop, kill or inspect the gateway's files are skipped then.
            return new StrataServer(null, root.resolve("data"), root.resolve("server.log"), List.of(), Integer.parseInt(external));
        }
        Path jar = jar();
        try {
            Path dataDir = Files.createDirectories(root.resolve("data"));
            return new StrataServer(jar, dataDir, root.resolve("server.log"), List.of(jvmArgs), freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The packaged gateway: the {@code strata.jar} system property that the pom sets. */
    static Path jar() {
        String property = System.getProperty("strata.jar");
        if (property == null) {
            throw new IllegalStateException("system property strata.jar is not set (the conformance-tests pom sets it)");
        }
        Path jar = Path.of(property).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it first with "
                    + "`mvn -o -q -B -DskipTests package` at the repository root");
        }
        return jar;
    }

    /**
     * Sets an environment variable (e.g. a {@code STRATA_*} setting) for the next {@link #start()}s;
     * a running process keeps the environment it was started with.
     */
    public StrataServer environment(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** (Re)starts the process on the same port and data directory and waits until it is ready. */
    public void start() {
        requireManaged();
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // as ./strata runs it: the erasure coder's Vector API kernel needs the incubator module
        command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString()));
        command.addAll(serveArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dataDir.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("STRATA_ACCESS_KEY", ACCESS_KEY);
        builder.environment().put("STRATA_SECRET_KEY", SECRET_KEY);
        builder.environment().putAll(env);
        starts++;
        try {
            Files.writeString(log, "=== start #" + starts + ": " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway exited with status " + process.exitValue()
                        + " before accepting connections; its output:\n" + output());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("gateway did not accept connections on port " + port + " within "
                + READY_TIMEOUT.toSeconds() + " s; its output:\n" + output());
    }

    /** Graceful shutdown: SIGTERM, then waits (bounded) for the process to exit. */
    public void stop() {
        requireManaged();
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("gateway did not exit within 30 s of SIGTERM; its output:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A crash: SIGKILL, no chance to flush anything. */
    public void kill() {
        requireManaged();
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gateway survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void restart() {
        stop();
        start();
    }

    /** False when the tests run against an external server (system property strata.external.port). */
    public boolean isManaged() {
        return jar != null;
    }

    private void requireManaged() {
        org.junit.jupiter.api.Assumptions.assumeTrue(isManaged(), "needs a gateway process this test starts itself");
    }

    /** Whether the process is still running (a crash in the middle of a test shows here). */
    public boolean isAlive() {
        return !isManaged() || process != null && process.isAlive();
    }

    /** The running process's id (for a test's log lines when it stops or kills it), -1 when none runs. */
    public long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    public int port() {
        return port;
    }

    /** Path-style endpoint, e.g. {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Endpoint for virtual-hosted style: buckets become {@code BUCKET.localhost:PORT}. */
    public URI virtualHostEndpoint() {
        return URI.create("http://localhost:" + port);
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The Prometheus metrics, read as an operator's scraper does: a GET signed with the root credentials. */
    public String metrics() throws IOException, InterruptedException {
        RawRequest.Response r = RawRequest.of("GET", "/_strata/metrics").send(this);
        if (r.status() != 200) throw new AssertionError("metrics: " + r);
        return r.text();
    }

    /** Everything the server printed so far (all starts). */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The last few KiB of the server's output, for failure messages. */
    public String outputTail() {
        String all = output();
        return all.length() <= 6000 ? all : all.substring(all.length() - 6000);
    }

    @Override
    public void close() {
        if (!isManaged()) {
            return;
        }
        try {
            stop();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
