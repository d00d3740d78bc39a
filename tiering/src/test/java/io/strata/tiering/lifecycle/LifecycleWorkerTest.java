package io.strata.tiering.lifecycle;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.Segment;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.MovableClock;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentExpiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker against a real RocksDB namespace, with a clock the test moves forward. */
class LifecycleWorkerTest {
    private static final BucketName BUCKET = new BucketName("lc-bucket");
    private static final AtomicLong SEQUENCE = new AtomicLong();

    @TempDir
    Path dir;
    private Namespace namespace;
    private MovableClock clock;
    private final Map<BucketName, LifecycleConfiguration> configs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
    private Target target;

    /** The target as the gateway implements it, minus XML; can be told to fail after n actions. */
    final class Target implements LifecycleTarget {
        final NamespaceLifecycleActions actions = new NamespaceLifecycleActions(namespace);
        final AtomicInteger actionsLeft = new AtomicInteger(Integer.MAX_VALUE);

        @Override
        public Optional<LifecycleConfiguration> lifecycle(BucketName bucket) {
            return Optional.ofNullable(configs.get(bucket));
        }

        private void spend() {
            if (actionsLeft.decrementAndGet() < 0) throw new IllegalStateException("simulated crash");
        }

        @Override
        public boolean expireCurrent(ObjectVersion current) {
            spend();
            return actions.expireCurrent(current);
        }

        @Override
        public boolean deleteVersion(ObjectVersion version) {
            spend();
            return actions.deleteVersion(version);
        }

        @Override
        public boolean abortUpload(MultipartUpload upload) {
            spend();
            return actions.abortUpload(upload);
        }

        @Override
        public boolean transition(ObjectVersion version, String storageClass) {
            spend();
            throw new UnsupportedOperationException("no tiers here: see TierMoverTest and TransitionLifecycleTest");
        }
    }

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        // Delete markers are timed by the namespace's own (system) clock, so the test clock starts now.
        clock = new MovableClock(Instant.now());
        namespace.createBucket(new Bucket(BUCKET, clock.instant(), "us-east-1", "owner"));
        target = new Target();
    }

    @AfterEach
    void close() {
        namespace.close();
    }

    // ---- helpers

    private static Segment segment(long size) {
        return new Segment(size, ("blob-" + SEQUENCE.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    }

    private ObjectVersion put(String key, long size, Instant lastModified) {
        ObjectVersion v = new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, size, "etag-" + SEQUENCE.incrementAndGet(),
                lastModified, "binary/octet-stream", Map.of(), Map.of(), Map.of(), 0, size == 0 ? List.of() : List.of(segment(size)))
                .withTags(tags.getOrDefault(key, Map.of()));
        return namespace.putObject(v).version();
    }

    private ObjectVersion put(String key, Instant lastModified) {
        return put(key, 10, lastModified);
    }

    private Instant daysAgo(int days) {
        return clock.instant().minus(days, ChronoUnit.DAYS);
    }

    private static Rule rule(String id, Filter filter, Optional<Expiration> expiration,
                             Optional<NoncurrentExpiration> noncurrent, OptionalInt abortDays) {
        return new Rule(id, true, filter, expiration, noncurrent, abortDays, List.of(), List.of());
    }

    private static Rule expireAfter(int days, Filter filter) {
        return rule("expire", filter, Optional.of(new Expiration(OptionalInt.of(days), Optional.empty(), false)),
                Optional.empty(), OptionalInt.empty());
    }

    private void configure(Rule... rules) {
        configs.put(BUCKET, new LifecycleConfiguration(List.of(rules)));
    }

    private LifecycleWorker worker() {
        return new LifecycleWorker(namespace, target, clock);
    }

    private List<String> versionsOf(String key) {
        return namespace.listVersions(BUCKET, new VersionQuery(key, "", "", "", 1000)).versions().stream()
                .filter(e -> e.version().key().value().equals(key))
                .map(e -> e.version().deleteMarker() ? "marker" : e.version().etag()).toList();
    }

    private List<Segment> garbage() {
        return namespace.garbage(10_000).stream().map(GarbageItem::segment).toList();
    }

    private static Filter prefix(String p) {
        return new Filter(p, Map.of(), OptionalLong.empty(), OptionalLong.empty());
    }

    // ---- due times

    @Test
    void dueAtRoundsUpToTheNextMidnightUtc() {
        // AWS's own example: created 2014-01-15 10:30 UTC, Days 3 -> due 2014-01-19 00:00 UTC.
        assertEquals(Instant.parse("2014-01-19T00:00:00Z"), LifecycleWorker.dueAt(Instant.parse("2014-01-15T10:30:00Z"), 3));
        assertEquals(Instant.parse("2014-01-18T00:00:00Z"), LifecycleWorker.dueAt(Instant.parse("2014-01-15T00:00:00Z"), 3));
    }

    @Test
    void onlyTheRulesPrefixesAreListed() {
        assertEquals(List.of("a/", "b"), LifecycleWorker.scanPrefixes(List.of(expireAfter(1, prefix("b")),
                expireAfter(1, prefix("a/")), expireAfter(1, prefix("a/x/")), expireAfter(1, prefix("bc")))));
        assertEquals(List.of(""), LifecycleWorker.scanPrefixes(List.of(expireAfter(1, prefix("b")),
                expireAfter(1, Filter.ALL))));
    }

    // ---- expiration of current versions

    @Test
    void expiresOldObjectsInAnUnversionedBucketAndFreesTheirData() {
        ObjectVersion old = put("logs/old", daysAgo(10));
        put("logs/new", clock.instant());
        configure(expireAfter(5, Filter.ALL));

        LifecycleWorker.Summary s = worker().runOnce();

        assertEquals(1, s.expired());
        assertTrue(namespace.object(BUCKET, new ObjectKey("logs/old")).isEmpty());
        assertTrue(namespace.object(BUCKET, new ObjectKey("logs/new")).isPresent());
        assertTrue(garbage().containsAll(old.segments()));
    }

    @Test
    void expirationWaitsForTheMidnightAfterTheDays() {
        Instant created = clock.instant().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(10));
        clock.set(created);
        put("k", created);
        configure(expireAfter(1, Filter.ALL));

        clock.set(created.plus(Duration.ofDays(1)).plusSeconds(1));  // a day has passed, but not the midnight
        assertEquals(0, worker().runOnce().expired());
        clock.set(created.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(2)));
        assertEquals(1, worker().runOnce().expired());
    }

    @Test
    void expirationByDateActsFromThatDate() {
        put("k", daysAgo(1));
        Instant date = clock.instant().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(3));
        configure(rule("by-date", Filter.ALL, Optional.of(new Expiration(OptionalInt.empty(), Optional.of(date), false)),
                Optional.empty(), OptionalInt.empty()));
        assertEquals(0, worker().runOnce().expired());
        clock.set(date);
        assertEquals(1, worker().runOnce().expired());
        assertTrue(namespace.object(BUCKET, new ObjectKey("k")).isEmpty());
    }

    @Test
    void expiringInAVersionedBucketAddsADeleteMarkerAndKeepsTheData() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion v = put("k", daysAgo(10));
        configure(expireAfter(5, Filter.ALL));

        assertEquals(1, worker().runOnce().expired());

        assertEquals(List.of("marker", v.etag()), versionsOf("k"));
        assertTrue(garbage().isEmpty());
        assertEquals(0, worker().runOnce().expired(), "a delete marker is not expired again");
    }

    @Test
    void prefixTagAndSizeFiltersSelectObjects() {
        tags.put("logs/tagged", Map.of("class", "tmp"));
        tags.put("logs/a", Map.of("class", "keep"));
        put("logs/a", 100, daysAgo(10));
        put("logs/small", 5, daysAgo(10));
        put("logs/huge", 10_000, daysAgo(10));
        put("logs/tagged", 100, daysAgo(10));
        put("data/a", 100, daysAgo(10));
        configure(expireAfter(1, new Filter("logs/", Map.of("class", "tmp"), OptionalLong.of(10), OptionalLong.of(1000))),
                rule("sizes", new Filter("logs/", Map.of(), OptionalLong.of(5000), OptionalLong.empty()),
                        Optional.of(new Expiration(OptionalInt.of(1), Optional.empty(), false)), Optional.empty(),
                        OptionalInt.empty()));

        assertEquals(2, worker().runOnce().expired());

        assertTrue(namespace.object(BUCKET, new ObjectKey("logs/tagged")).isEmpty());
        assertTrue(namespace.object(BUCKET, new ObjectKey("logs/huge")).isEmpty());
        for (String kept : List.of("logs/a", "logs/small", "data/a")) {
            assertTrue(namespace.object(BUCKET, new ObjectKey(kept)).isPresent(), kept);
        }
    }

    @Test
    void disabledRulesAreIgnored() {
        put("k", daysAgo(10));
        configs.put(BUCKET, new LifecycleConfiguration(List.of(new Rule("off", false, Filter.ALL,
                Optional.of(new Expiration(OptionalInt.of(1), Optional.empty(), false)), Optional.empty(),
                OptionalInt.of(1), List.of(), List.of()))));
        assertEquals(LifecycleWorker.Summary.NONE, worker().runOnce());
        assertTrue(namespace.object(BUCKET, new ObjectKey("k")).isPresent());
    }

    @Test
    void bucketsWithoutConfigurationAreLeftAlone() {
        put("k", daysAgo(1000));
        assertEquals(LifecycleWorker.Summary.NONE, worker().runOnce());
        assertTrue(namespace.object(BUCKET, new ObjectKey("k")).isPresent());
    }

    // ---- delete markers

    @Test
    void expiredObjectDeleteMarkerRemovesOnlyMarkersThatAreAlone() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        put("alone", daysAgo(10));
        namespace.deleteObject(BUCKET, new ObjectKey("alone"));
        ObjectVersion onlyMarkerVersion = namespace.listVersions(BUCKET, new VersionQuery("alone", "", "", "", 10))
                .versions().get(1).version();
        namespace.deleteVersion(BUCKET, new ObjectKey("alone"), onlyMarkerVersion.versionId());  // marker now alone
        ObjectVersion kept = put("withHistory", daysAgo(10));
        namespace.deleteObject(BUCKET, new ObjectKey("withHistory"));
        configure(rule("markers", Filter.ALL, Optional.of(new Expiration(OptionalInt.empty(), Optional.empty(), true)),
                Optional.empty(), OptionalInt.empty()));

        assertEquals(1, worker().runOnce().deleteMarkersRemoved());

        assertEquals(List.of(), versionsOf("alone"));
        assertEquals(List.of("marker", kept.etag()), versionsOf("withHistory"));
    }

    // ---- noncurrent versions

    @Test
    void noncurrentVersionsExpireCountedFromWhenTheirSuccessorWasWritten() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion v1 = put("k", daysAgo(100));
        ObjectVersion v2 = put("k", daysAgo(20));  // v1 noncurrent for 20 days
        ObjectVersion v3 = put("k", daysAgo(3));   // v2 noncurrent for 3 days
        configure(rule("nc", Filter.ALL, Optional.empty(), Optional.of(new NoncurrentExpiration(10, OptionalInt.empty())),
                OptionalInt.empty()));

        assertEquals(1, worker().runOnce().noncurrentExpired());

        assertEquals(List.of(v3.etag(), v2.etag()), versionsOf("k"));
        assertTrue(garbage().containsAll(v1.segments()));
        clock.advance(Duration.ofDays(8));
        assertEquals(1, worker().runOnce().noncurrentExpired());
        assertEquals(List.of(v3.etag()), versionsOf("k"));
    }

    @Test
    void newerNoncurrentVersionsAreKept() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion v1 = put("k", daysAgo(40));
        ObjectVersion v2 = put("k", daysAgo(30));
        ObjectVersion v3 = put("k", daysAgo(20));
        ObjectVersion v4 = put("k", daysAgo(10));
        configure(rule("nc", Filter.ALL, Optional.empty(), Optional.of(new NoncurrentExpiration(1, OptionalInt.of(2))),
                OptionalInt.empty()));

        assertEquals(1, worker().runOnce().noncurrentExpired());

        assertEquals(List.of(v4.etag(), v3.etag(), v2.etag()), versionsOf("k"));
        assertTrue(garbage().containsAll(v1.segments()));
    }

    @Test
    void keysSpanningManyPagesAreHandledWithBoundedPages() {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        int n = LifecycleWorker.PAGE + 300;
        for (int i = 0; i < n; i++) put("k", daysAgo(n - i + 10));
        put("z", daysAgo(50));
        configure(rule("nc", Filter.ALL, Optional.empty(), Optional.of(new NoncurrentExpiration(1, OptionalInt.of(5))),
                OptionalInt.empty()));

        assertEquals(n - 1 - 5, worker().runOnce().noncurrentExpired());
        assertEquals(6, versionsOf("k").size());
        assertEquals(1, versionsOf("z").size());
    }

    // ---- multipart

    @Test
    void incompleteUploadsAreAbortedAndTheirPartsGoToGarbage() {
        MultipartUpload old = upload("uploads/old", daysAgo(8));
        MultipartUpload fresh = upload("uploads/fresh", daysAgo(1));
        MultipartUpload other = upload("other/old", daysAgo(8));
        Segment part = segment(5);
        namespace.putPart(BUCKET, old.key(), old.uploadId(), new Part(1, 5, "e1", clock.instant(), Map.of(), part));
        configure(rule("mpu", prefix("uploads/"), Optional.empty(), Optional.empty(), OptionalInt.of(7)));

        assertEquals(1, worker().runOnce().uploadsAborted());

        assertTrue(namespace.upload(BUCKET, old.key(), old.uploadId()).isEmpty());
        assertTrue(namespace.upload(BUCKET, fresh.key(), fresh.uploadId()).isPresent());
        assertTrue(namespace.upload(BUCKET, other.key(), other.uploadId()).isPresent());
        assertTrue(garbage().contains(part));
    }

    private MultipartUpload upload(String key, Instant initiated) {
        MultipartUpload u = new MultipartUpload(BUCKET, new ObjectKey(key), "upload-" + SEQUENCE.incrementAndGet(),
                initiated, "owner", "binary/octet-stream", Map.of(), Map.of(), "");
        namespace.createUpload(u);
        return u;
    }

    // ---- interruption

    @Test
    void aRunInterruptedMidwayLeavesConsistentStateAndTheNextRunFinishes() {
        for (int i = 0; i < 50; i++) put(String.format("k%02d", i), daysAgo(10));
        configure(expireAfter(1, Filter.ALL));

        target.actionsLeft.set(20);
        assertThrows(IllegalStateException.class, () -> worker().runOnce());
        long left = namespace.list(BUCKET, new io.strata.namespace.ListQuery("", "", "", 1000)).objects().size();
        assertEquals(30, left, "each expiry is atomic: 20 done, 30 untouched");

        target.actionsLeft.set(Integer.MAX_VALUE);
        LifecycleWorker restarted = worker();
        assertEquals(30, restarted.runOnce().expired());
        assertEquals(0, namespace.list(BUCKET, new io.strata.namespace.ListQuery("", "", "", 1000)).objects().size());
        assertEquals(50, garbage().size());
        assertEquals(0, restarted.runOnce().expired(), "idempotent");
    }

    @Test
    void closeStopsTheScheduleAndARunInProgress() throws Exception {
        put("k", daysAgo(10));
        configure(expireAfter(1, Filter.ALL));
        LifecycleWorker w = worker();
        w.start(Duration.ofMillis(20));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (w.runs() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
        w.close();
        assertTrue(w.runs() >= 1);
        assertEquals(1, w.totals().expired());
        long runs = w.runs();
        Thread.sleep(100);
        assertEquals(runs, w.runs(), "no run after close");
        assertEquals(LifecycleWorker.Summary.NONE, w.runOnce(), "a closed worker does nothing");
        assertFalse(namespace.object(BUCKET, new ObjectKey("k")).isPresent());
    }
}
