package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

/**
 * Several Strata sites on 127.0.0.1, each a gateway process with its own data directory and picked port,
 * plus s3proxy as the third-party S3 target, wired for bucket replication through the admin API and S3's
 * replication configuration (issue #14).
 *
 * <p>Site {@code x} keeps bucket {@code mesh-x}; the other sites know it as target {@code to-x} and s3proxy is
 * target {@code to-proxy} (bucket {@code mesh-proxy}). The buckets differ per site because a rule's
 * destination ARN names a bucket and must resolve to exactly one target.
 *
 * <p>Faults: {@link #stop} (SIGTERM, bounded wait), {@link #kill} (SIGKILL, as {@code kill -9 PID}) and
 * {@link #start} of a site on the same port and data, {@link #stopProxy}/{@link #startProxy} of s3proxy on the
 * same port and files. {@link #awaitReplicated} is the one place that decides what "this edge has caught up"
 * means. Not thread-safe: one test drives it; {@link #close()} stops everything it started.
 */
final class ReplicationMesh implements AutoCloseable {
    static final String PROXY_KEY = "mesh-access";
    static final String PROXY_SECRET = "mesh-secret-0123456789";
    static final String PROXY_BUCKET = "mesh-proxy";
    static final String PROXY_TARGET = "to-proxy";
    /** Fast passes and short backoff so that a test sees a recovered target within a second or so. */
    static final Map<String, String> FAST = Map.of("STRATA_REPLICATION_INTERVAL", "100ms",
            "STRATA_REPLICATION_MAX_BACKOFF", "1s");

    /** Who replicates to whom. */
    enum Topology {
        /** The first site to every other site and to s3proxy; the others send nothing. */
        ONE_WAY,
        /** Every site to every other site, and the first site also to s3proxy. */
        FULL_MESH
    }

    /** One site: a gateway process, its name ({@code a}, {@code b}, ...), its number and its bucket. */
    static final class Site {
        final String name;
        final int number;
        final StrataServer server;
        final String bucket;

        Site(String name, int number, StrataServer server) {
            this.name = name;
            this.number = number;
            this.server = server;
            this.bucket = "mesh-" + name;
        }

        /** The name every other site gives this one as a replication target. */
        String target() {
            return "to-" + name;
        }

        /** A new SDK client of this site (the caller closes it): one per thread of work, so a kill breaks only its own. */
        S3Client client() {
            return S3Clients.pathStyle(server);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One replication edge: a site's bucket sent to a target (another site or s3proxy). */
    record Edge(Site from, String target) {
        @Override
        public String toString() {
            return from.name + "→" + target;
        }
    }

    private final List<Site> sites;
    private final SnapshotHarness.Proxy proxy;
    private final List<Edge> edges = new ArrayList<>();

    private ReplicationMesh(List<Site> sites, SnapshotHarness.Proxy proxy) {
        this.sites = List.copyOf(sites);
        this.proxy = proxy;
    }

    /**
     * Starts s3proxy and one gateway per name under {@code root/NAME} (in parallel: on a busy machine each
     * start takes seconds), each with {@link #FAST} settings, its site identity ({@code STRATA_SITE_NAME},
     * {@code STRATA_SITE_NUMBER}) and the extra environment {@code env} gives for its name.
     */
    static ReplicationMesh start(Path root, List<String> names, Map<String, Map<String, String>> env) throws Exception {
        SnapshotHarness.Proxy proxy = new SnapshotHarness.Proxy(root.resolve("s3proxy"), PROXY_KEY, PROXY_SECRET);
        List<Future<Site>> starting = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                int number = i + 1;
                Map<String, String> e = new LinkedHashMap<>(FAST);
                e.put("STRATA_SITE_NAME", name);
                e.put("STRATA_SITE_NUMBER", Integer.toString(number));
                e.putAll(env.getOrDefault(name, Map.of()));
                starting.add(pool.submit(() -> new Site(name, number,
                        StrataServer.start(root.resolve("site-" + name), e, List.of()))));
            }
            List<Site> sites = new ArrayList<>();
            for (Future<Site> f : starting) sites.add(f.get(2, TimeUnit.MINUTES));
            return new ReplicationMesh(sites, proxy);
        } catch (Exception e) {
            for (Future<Site> f : starting) {
                if (f.isDone() && !f.isCancelled()) {
                    try {
                        f.get().server.close();
                    } catch (Exception ignored) {
                        // the start failed: the first failure is the one to report
                    }
                }
            }
            proxy.close();
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    List<Site> sites() {
        return sites;
    }

    Site site(String name) {
        return sites.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    List<Edge> edges() {
        return List.copyOf(edges);
    }

    /** An SDK client of s3proxy (the caller closes it). */
    S3Client proxyClient() {
        return proxy.client();
    }

    /**
     * Creates every site's versioned bucket and s3proxy's bucket, registers the targets through
     * {@code POST /_strata/admin/replication/targets} and puts one replication rule per destination (every
     * object, delete markers too).
     *
     * @param strataTargetSetting an extra {@code name=value} setting for targets that are Strata sites (a
     *                            Strata→Strata target that keeps version ids), or "" for none
     */
    void wire(Topology topology, String strataTargetSetting) throws Exception {
        proxy.createBucket(PROXY_BUCKET);
        List<Site> senders = topology == Topology.ONE_WAY ? List.of(sites.getFirst()) : sites;
        for (Site from : senders) {
            for (Site to : sites) if (to != from) edges.add(new Edge(from, to.target()));
            if (from == sites.getFirst()) edges.add(new Edge(from, PROXY_TARGET));
        }
        // Each site's calls in parallel with the others': on a busy machine a cold gateway answers its first
        // requests slowly, and the sites' buckets must all exist before any rule points at them.
        onEachSite(sites, s -> {
            try (S3Client s3 = s.client()) {
                s3.createBucket(b -> b.bucket(s.bucket));
                s3.putBucketVersioning(b -> b.bucket(s.bucket)
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            }
        });
        onEachSite(senders, from -> {
            List<String> destinations = new ArrayList<>();
            for (Edge e : edges) {
                if (e.from() != from) continue;
                if (e.target().equals(PROXY_TARGET)) {
                    addTarget(from, PROXY_TARGET, Map.of("endpoint", proxy.endpoint(), "bucket", PROXY_BUCKET,
                            "access-key", PROXY_KEY, "secret-key", PROXY_SECRET, "path-style", "true"));
                    destinations.add(PROXY_BUCKET);
                    continue;
                }
                Site to = sites.stream().filter(s -> s.target().equals(e.target())).findFirst().orElseThrow();
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("endpoint", to.server.endpoint().toString());
                settings.put("bucket", to.bucket);
                settings.put("access-key", StrataServer.ACCESS_KEY);
                settings.put("secret-key", StrataServer.SECRET_KEY);
                settings.put("path-style", "true");
                if (!strataTargetSetting.isBlank()) {
                    String[] kv = strataTargetSetting.split("=", 2);
                    settings.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                addTarget(from, to.target(), settings);
                destinations.add(to.bucket);
            }
            List<ReplicationRule> rules = new ArrayList<>();
            for (int i = 0; i < destinations.size(); i++) {
                String bucket = destinations.get(i);
                rules.add(ReplicationRule.builder().id("to-" + bucket).priority(i + 1)
                        .status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::" + bucket)).build());
            }
            try (S3Client s3 = from.client()) {
                s3.putBucketReplication(b -> b.bucket(from.bucket).replicationConfiguration(c -> c
                        .role("arn:aws:iam::123456789012:role/replication").rules(rules)));
            }
        });
    }

    interface SiteWork {
        void run(Site s) throws Exception;
    }

    /** Runs {@code work} for every site at once and waits (bounded) for all; the first failure is thrown. */
    private static void onEachSite(List<Site> of, SiteWork work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(of.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Site s : of) running.add(pool.submit(() -> {
                work.run(s);
                return null;
            }));
            for (Future<?> f : running) {
                try {
                    f.get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) throw cause;
                    if (e.getCause() instanceof Error error) throw error;
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void addTarget(Site at, String name, Map<String, String> settings) throws Exception {
        StringBuilder body = new StringBuilder("{");
        settings.forEach((k, v) -> body.append(body.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        body.append('}');
        RawRequest.Response r = RawRequest.of("POST", "/_strata/admin/replication/targets").query("name", name)
                .body(body.toString().getBytes(StandardCharsets.UTF_8)).send(at.server);
        assertEquals(201, r.status(), "site " + at + ": adding target " + name + " answered " + r.status() + " " + r.text());
    }

    /**
     * Waits until every change committed at {@code edge.from} before this call has been applied at the
     * target, and fails naming the edge after {@code limit}. {@code -Dstrata.mesh.wait} says how:
     * <ul>
     *   <li>{@code api} (default): {@code POST /_strata/admin/replication/wait}, the call {@code strata replicate
     *       wait} makes, again with the head of its first answer until it says done; a gateway without that
     *       route (404 "No admin operation") is waited on as with {@code status};</li>
     *   <li>{@code cli}: {@code strata replicate wait BUCKET --target T --timeout D} (a JVM per call: seconds each
     *       on a busy machine);</li>
     *   <li>{@code status}: the same facts from the status and the metrics: the change log's head at the call
     *       (every change before the call has a sequence up to it), then until the target's cursor has passed
     *       that head (intake queued everything up to it), no operation is queued for the target (everything
     *       queued was applied) and none is FAILED.</li>
     * </ul>
     */
    void awaitReplicated(Edge edge, Duration limit) throws Exception {
        String how = System.getProperty("strata.mesh.wait", "api");
        switch (how) {
            case "cli" -> {
                var r = ReplicationTest.run(edge.from.server, "replicate", "wait", edge.from.bucket, "--target", edge.target,
                        "--timeout", limit.toSeconds() + "s");
                assertEquals(0, r.getKey(), "strata replicate wait on " + edge + ": " + r.getValue());
            }
            case "api" -> {
                if (!awaitWithApi(edge, limit)) awaitWithStatus(edge, limit);
            }
            case "status" -> awaitWithStatus(edge, limit);
            default -> throw new IllegalArgumentException("strata.mesh.wait is api, cli or status, not " + how);
        }
    }

    /** {@code POST /replication/wait} until done; false when the gateway has no such route. */
    private static boolean awaitWithApi(Edge edge, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String head = null;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
            if (left <= 0) fail("timed out after " + limit.toSeconds() + " s waiting for " + edge + " to catch up with change "
                    + head + "; output:\n" + edge.from.server.outputTail());
            // The route waits at most 30 s per call, within RawRequest's 60 s answer bound.
            RawRequest r = RawRequest.of("POST", "/_strata/admin/replication/wait").query("bucket", edge.from.bucket)
                    .query("target", edge.target).query("timeout", Math.min(30, left) + "s");
            if (head != null) r.query("head", head);
            RawRequest.Response res = r.send(edge.from.server);
            if (head == null && res.status() == 404 && res.text().contains("No admin operation at")) return false;
            assertEquals(200, res.status(), "replication wait on " + edge + ": " + res.text());
            String text = res.text();
            if (head == null) head = SnapshotHarness.field(text, "head");
            if (text.contains("\"done\":true")) return true;
            if (!text.contains("\"failed\":[]")) fail("FAILED operations on " + edge + ": " + text);
        }
    }

    private static void awaitWithStatus(Edge edge, Duration limit) {
        StrataServer server = edge.from.server;
        long head = metric(server, "strata_changelog_head_sequence");
        assertTrue(head >= 0, "site " + edge.from + " has no change log head in its metrics");
        String cursor = "strata_changelog_cursor_lag{cursor=\"replication:" + edge.target + "\"}";
        await(edge + " caught up with change " + head, limit, server, () -> {
            String metrics = metrics(server);
            long now = value(metrics, "strata_changelog_head_sequence");
            long lag = value(metrics, cursor);
            if (lag < 0 || now - lag < head) return false;
            String status = status(server, edge.target);
            return number(status, "pending") == 0 && number(status, "failed") == 0;
        });
    }

    /** {@link #awaitReplicated} on every edge, twice: a replica applied late in the first round may itself change what a site holds. */
    void awaitAll(Duration limit) throws Exception {
        for (int round = 0; round < 2; round++) {
            long started = System.nanoTime();
            for (Edge e : edges) awaitReplicated(e, limit);
            System.out.println("mesh: round " + (round + 1) + " of waits on " + edges.size() + " edges took "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        }
    }

    /** The admin status of one target of a site: its JSON object ({@code GET /_strata/admin/replication/status}). */
    static String status(StrataServer server, String target) {
        RawRequest.Response r;
        try {
            r = RawRequest.of("GET", "/_strata/admin/replication/status").send(server);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(200, r.status(), "replication status: " + r.text());
        Matcher m = Pattern.compile("\\{\"target\":\"" + Pattern.quote(target) + "\",.*?\"failures\":").matcher(r.text());
        if (!m.find()) fail("no target " + target + " in " + r.text());
        return m.group();
    }

    /** Operations of {@code target} not yet applied at a site: queued ones plus log entries its cursor has not read. */
    static long backlog(StrataServer server, String target) {
        String metrics = metrics(server);
        long lag = value(metrics, "strata_changelog_cursor_lag{cursor=\"replication:" + target + "\"}");
        return number(status(server, target), "pending") + Math.max(0, lag);
    }

    static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Long.parseLong(m.group(1));
    }

    static String metrics(StrataServer server) {
        try {
            return server.metrics();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long metric(StrataServer server, String series) {
        return value(metrics(server), series);
    }

    /** A series' value in a Prometheus scrape ({@code -1} if absent); {@code series} is the name with its labels. */
    static long value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The sum of every series of {@code name} whose labels match {@code labels} (a regular expression, e.g. {@code [^}]*}). */
    static long sum(String metrics, String name, String labels) {
        long total = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{(?:" + labels + ")} (?<v>\\d+)").matcher(metrics);
        while (m.find()) total += Long.parseLong(m.group("v"));
        return total;
    }

    /** Waits (bounded, polling every 50 ms) until {@code condition} holds; fails naming {@code what} with the site's log tail. */
    static void await(String what, Duration limit, StrataServer server, BooleanSupplier condition) {
        SnapshotHarness.await(what, limit, server, condition);
    }

    /** Graceful stop of a site (SIGTERM to its PID, bounded wait). */
    void stop(Site s) {
        System.out.println("mesh: stopping site " + s + " (SIGTERM to pid " + s.server.pid() + ")");
        s.server.stop();
    }

    /** A crash of a site: SIGKILL to its PID ({@code kill -9}), nothing flushed. */
    void kill(Site s) {
        System.out.println("mesh: killing site " + s + " (SIGKILL to pid " + s.server.pid() + ")");
        s.server.kill();
    }

    /** Starts a stopped or killed site again on its port and data directory, and waits until it accepts connections. */
    void start(Site s) {
        s.server.start();
    }

    void stopProxy() throws Exception {
        proxy.stop();
    }

    /** s3proxy again on the same port and files. */
    void startProxy() throws Exception {
        proxy.start();
    }

    @Override
    public void close() throws Exception {
        try {
            for (Site s : sites) s.server.close();
        } finally {
            proxy.close();
        }
    }
}
