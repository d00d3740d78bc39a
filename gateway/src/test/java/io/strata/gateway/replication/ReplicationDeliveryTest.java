package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.gateway.config.ReplicationSettings;
import io.strata.gateway.config.ReplicationTargetSpec;
import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.replication.Replica;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery of a target's queue: a key's operations reach the target in log order at any backlog, several
 * keys' sends overlap up to the parallelism, never two of one key. The source is a real namespace and object
 * service; the target is a small S3 endpoint on loopback that records what arrives and can refuse a key.
 */
class ReplicationDeliveryTest {
    private static final BucketName BUCKET = new BucketName("src");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Namespace namespace;
    private ErasureStore store;
    private ObjectService objects;
    private ReplicationWorker worker;
    private FakeTarget target;
    private final TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));

    private void open(int parallelism) throws Exception {
        target = new FakeTarget();
        namespace = Namespace.open(dir.resolve("meta"));
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 6; i++) drives.add(dir.resolve("drives").resolve("d" + i));
        store = ErasureStore.open(new ErasureConfig(drives, 4, 2, 64 << 10));
        objects = new ObjectService(namespace, store, Clock.systemUTC(), new ColdTiers(), 16 << 10);
        objects.start();
        namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ReplicationTargets targets = new ReplicationTargets(dir.resolve("data"), namespace.changeFeed());
        Map<String, String> spec = new LinkedHashMap<>();
        spec.put("endpoint", "http://127.0.0.1:" + target.port());
        spec.put("bucket", "dest");
        spec.put("access-key", "AKID");
        spec.put("secret-key", "secret");
        spec.put("path-style", "true");
        targets.add(ReplicationTargetSpec.parse("west", spec), arn -> List.of());
        var rule = new ReplicationConfiguration.Rule("all", OptionalInt.of(1), true,
                new ReplicationConfiguration.Filter("", Map.of(), ReplicationConfiguration.Filter.Form.EMPTY),
                ReplicationConfiguration.Setting.ENABLED, ReplicationConfiguration.Setting.ABSENT,
                ReplicationConfiguration.Setting.ABSENT, ReplicationConfiguration.Setting.ABSENT,
                new ReplicationConfiguration.Destination("arn:aws:s3:::dest", Optional.empty()));
        namespace.putBucketConfig(BUCKET, ReplicationConfigurationCodec.KIND,
                ReplicationConfigurationCodec.encode(new ReplicationConfiguration("arn:aws:iam::1:role/r", List.of(rule))));
        worker = new ReplicationWorker(namespace, objects, targets, clock,
                new ReplicationSettings(Duration.ofMillis(500), Duration.ofMinutes(5),
                        ReplicationSettings.DEFAULT_BACKLOG_BUDGET, ReplicationSettings.DEFAULT_RESYNC_PAGE_SIZE, parallelism));
    }

    @AfterEach
    void close() {
        if (worker != null) worker.close();
        if (objects != null) objects.close();
        if (store != null) store.close();
        if (namespace != null) namespace.close();
        if (target != null) target.close();
    }

    private String put(String key) {
        byte[] body = ("body of " + key + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        return objects.put(BUCKET, new ObjectKey(key), new ByteArrayInputStream(body), body.length,
                new ObjectService.Metadata("text/plain", Map.of(), Map.of()), ObjectService.Expectations.none()).versionId();
    }

    /** Passes of the worker, each waiting for its sends, until {@code done} holds (a bounded number). */
    private void passUntil(BooleanSupplier done, String what) throws InterruptedException {
        for (int pass = 0; pass < 2_000 && !done.getAsBoolean(); pass++) {
            worker.runOnce();
            assertTrue(worker.awaitSends(WAIT), "sends did not finish");
        }
        assertTrue(done.getAsBoolean(), what);
    }

    @Test
    void aKeysLaterChangeWaitsForItsRetriedEarlierOneBehindMoreThanAPageOfOtherKeys() throws Exception {
        open(8);
        // Successes first, so the three refused attempts of k leave the sender's circuit closed (below half
        // of its window of ten calls): an open one would stop every key, which is not what is tested here.
        for (int i = 0; i < 10; i++) put("warm-" + i);
        passUntil(() -> target.arrived().size() >= 10, "the first keys arrived");
        target.refuse("k");
        String v1 = put("k");
        passUntil(() -> target.refused() > 0, "the target refused the key's first version");
        // v1 is due again after its backoff; v2 and more than a page of other keys are due now.
        target.allow("k");
        String v2 = put("k");
        int others = ReplicationWorker.BATCH + 88;
        for (int i = 0; i < others; i++) put("other-" + i);
        passUntil(() -> target.arrived().size() >= 10 + others, "every other key arrived while k waited for its retry");
        assertEquals(List.of(), target.versionsOf("k"), "k's later version was sent before its earlier one");

        clock.advance(Duration.ofHours(1));
        passUntil(() -> target.versionsOf("k").size() >= 2, "k's versions arrived after the backoff");
        assertEquals(List.of(v1, v2), target.versionsOf("k"));
        assertEquals(10 + others + 2, target.arrived().size());
    }

    @Test
    void sendsToATargetOverlapUpToTheParallelismButNeverTwoOfOneKey() throws Exception {
        open(4);
        target.holdUntilInFlight(4);
        List<String> hot = new ArrayList<>();
        hot.add(put("hot"));
        for (int i = 0; i < 7; i++) put("cold-" + i);
        hot.add(put("hot"));
        hot.add(put("hot"));
        passUntil(() -> target.arrived().size() >= 10, "every version arrived");
        assertEquals(4, target.maxInFlight(), "sends in flight at once");
        assertFalse(target.sameKeyOverlapped(), "two sends of one key were in flight at once");
        assertEquals(hot, target.versionsOf("hot"));
    }

    /** The worker's clock: moved by the test only. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /**
     * A loopback S3 endpoint taking PutObject: records each arrival (key, source version id), answers 503
     * SlowDown to refused keys, and can hold each request until a number of them are in flight at once.
     */
    static final class FakeTarget implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(16);
        private final List<String[]> arrived = Collections.synchronizedList(new ArrayList<>());
        private final Set<String> refused = ConcurrentHashMap.newKeySet();
        private final AtomicInteger refusals = new AtomicInteger();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final Set<String> keysInFlight = new HashSet<>();
        private int inFlight;
        private int maxInFlight;
        private boolean overlapped;
        private int holdUntil;

        FakeTarget() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.setExecutor(threads);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void refuse(String key) {
            refused.add(key);
        }

        void allow(String key) {
            refused.remove(key);
        }

        int refused() {
            return refusals.get();
        }

        void holdUntilInFlight(int n) {
            holdUntil = n;
        }

        List<String[]> arrived() {
            synchronized (arrived) {
                return List.copyOf(arrived);
            }
        }

        List<String> versionsOf(String key) {
            return arrived().stream().filter(a -> a[0].equals(key)).map(a -> a[1]).toList();
        }

        int maxInFlight() {
            lock.lock();
            try {
                return maxInFlight;
            } finally {
                lock.unlock();
            }
        }

        boolean sameKeyOverlapped() {
            lock.lock();
            try {
                return overlapped;
            } finally {
                lock.unlock();
            }
        }

        private void handle(HttpExchange x) throws IOException {
            // "/dest/KEY" for a PUT; "/dest" for the sender's GetBucketVersioning, answered 501 below.
            String path = x.getRequestURI().getPath();
            String key = path.startsWith("/dest/") ? path.substring("/dest/".length()) : "";
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!x.getRequestMethod().equals("PUT")) {
                // Not a send: not counted among those in flight.
                answer(x, 501, "<Error><Code>NotImplemented</Code></Error>");
                return;
            }
            enter(key);
            try {
                if (refused.contains(key)) {
                    refusals.incrementAndGet();
                    answer(x, 503, "<Error><Code>SlowDown</Code><Message>refused by the test</Message></Error>");
                } else {
                    arrived.add(new String[] {key, x.getRequestHeaders().getFirst("x-amz-meta-" + Replica.SOURCE_VERSION_ID)});
                    x.getResponseHeaders().set("ETag", "\"" + java.util.HexFormat.of().formatHex(md5(body)) + "\"");
                    x.sendResponseHeaders(200, -1);
                    x.close();
                }
            } finally {
                leave(key);
            }
        }

        /** Counts the request in; with a hold, waits (bounded) until enough are in flight, then stops holding. */
        private void enter(String key) {
            lock.lock();
            try {
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                if (!keysInFlight.add(key)) overlapped = true;
                changed.signalAll();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (holdUntil > 0 && inFlight < holdUntil) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        holdUntil = 0;   // never reached: let everything through, the assertion tells
                        break;
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
                holdUntil = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        private void leave(String key) {
            lock.lock();
            try {
                inFlight--;
                keysInFlight.remove(key);
            } finally {
                lock.unlock();
            }
        }

        private static void answer(HttpExchange x, int status, String xml) throws IOException {
            byte[] b = xml.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/xml");
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        }

        private static byte[] md5(byte[] body) {
            try {
                return MessageDigest.getInstance("MD5").digest(body);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
