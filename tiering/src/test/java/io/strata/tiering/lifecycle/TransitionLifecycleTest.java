package io.strata.tiering.lifecycle;

import io.strata.erasure.BlobOwner;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import io.strata.tiering.MovableClock;
import io.strata.tiering.TierMover;
import io.strata.tiering.cold.LocalDirectoryColdTier;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentTransition;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Transition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lifecycle Transition and NoncurrentVersionTransition rules executed by the worker through a real mover. */
class TransitionLifecycleTest {
    private static final BucketName BUCKET = new BucketName("lc-tier");

    @TempDir
    Path dir;
    Namespace namespace;
    ErasureStore store;
    ColdTiers tiers;
    TierMover mover;
    MovableClock clock;
    LifecycleConfiguration config;
    Runnable beforeTransition = () -> { };
    Runnable afterTransition = () -> { };

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        clock = new MovableClock(Instant.now());
        namespace.createBucket(new Bucket(BUCKET, clock.instant(), "us-east-1", "owner"));
        store = ErasureStore.open(new ErasureConfig(List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 4096));
        tiers = new ColdTiers();
        tiers.add("COLD", "local", LocalDirectoryColdTier.create(dir.resolve("cold")));
        tiers.add("DEEPER", "local", LocalDirectoryColdTier.create(dir.resolve("deeper")));
        mover = new TierMover(namespace, tiers, new TierMover.HotData() {
            @Override
            public InputStream open(ObjectVersion v, long offset, long length) {
                return store.read(((DataRef.Hot) DataRef.decode(v.segments().getFirst().ref())).location(), offset, length);
            }

            @Override
            public Segment write(ObjectVersion v, InputStream data, long length) {
                return new Segment(length, store.write(data, length, BlobOwner.UNKNOWN).encode());
            }
        });
    }

    @AfterEach
    void close() {
        tiers.close();
        store.close();
        namespace.close();
    }

    private LifecycleWorker worker() {
        NamespaceLifecycleActions actions = new NamespaceLifecycleActions(namespace);
        return new LifecycleWorker(namespace, new LifecycleTarget() {
            @Override
            public Optional<LifecycleConfiguration> lifecycle(BucketName bucket) {
                return Optional.ofNullable(config);
            }

            @Override
            public boolean expireCurrent(ObjectVersion current) {
                return actions.expireCurrent(current);
            }

            @Override
            public boolean deleteVersion(ObjectVersion version) {
                return actions.deleteVersion(version);
            }

            @Override
            public boolean abortUpload(MultipartUpload upload) {
                return actions.abortUpload(upload);
            }

            @Override
            public boolean transition(ObjectVersion version, String storageClass) {
                beforeTransition.run();
                try {
                    return mover.toCold(version, storageClass) == TierMover.Outcome.MOVED;
                } finally {
                    afterTransition.run();
                }
            }
        }, clock);
    }

    private ObjectVersion put(String key, int size, Instant lastModified) throws Exception {
        byte[] data = new byte[size];
        new Random(key.hashCode()).nextBytes(data);
        Segment s = new Segment(size, store.write(new ByteArrayInputStream(data), size, BlobOwner.UNKNOWN).encode());
        String etag = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        return namespace.putObject(new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, size, etag,
                lastModified, "binary/octet-stream", Map.of(), Map.of(), Map.of(), 0, List.of(s))
                .withTags(key.contains("tagged") ? Map.of("class", "cold") : Map.of())).version();
    }

    private String where(String key) {
        return TierMover.storageClass(namespace.object(BUCKET, new ObjectKey(key)).orElseThrow());
    }

    private static Rule rule(String id, Filter filter, List<Transition> t, List<NoncurrentTransition> nt) {
        return new Rule(id, true, filter, Optional.empty(), Optional.empty(), OptionalInt.empty(), t, nt);
    }

    @Test
    void aRunMovesSeveralVersionsAtOnceButNoMoreThanItsLimit() throws Exception {
        Instant t0 = clock.instant();
        for (int i = 0; i < 12; i++) put("bulk/" + i, 5000 + i, t0);
        config = new LifecycleConfiguration(List.of(rule("all", new Filter("bulk/", Map.of(), OptionalLong.of(100),
                OptionalLong.empty()), List.of(new Transition(OptionalInt.of(1), Optional.empty(), "COLD")), List.of())));
        var inFlight = new java.util.concurrent.atomic.AtomicInteger();
        var most = new java.util.concurrent.atomic.AtomicInteger();
        // The first transitions wait until the limit's worth are running together: a worker moving
        // one at a time would never get there.
        var together = new java.util.concurrent.CountDownLatch(LifecycleWorker.TRANSITION_CONCURRENCY);
        var reached = new java.util.concurrent.atomic.AtomicBoolean(true);
        beforeTransition = () -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            together.countDown();
            try {
                if (!together.await(30, java.util.concurrent.TimeUnit.SECONDS)) reached.set(false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        afterTransition = inFlight::decrementAndGet;
        clock.advance(Duration.ofDays(2));
        LifecycleWorker.Summary summary = worker().runOnce();
        assertTrue(reached.get(), "transitions ran one after another");
        assertEquals(LifecycleWorker.TRANSITION_CONCURRENCY, most.get());
        assertEquals(12, summary.transitioned());
        for (int i = 0; i < 12; i++) assertEquals("COLD", where("bulk/" + i));
    }

    @Test
    void daysCountToMidnightFiltersApplyAndTheLatestDueTransitionWins() throws Exception {
        Instant t0 = clock.instant();
        put("data/a", 5000, t0);
        put("data/tagged", 5000, t0);
        put("data/tiny", 10, t0);
        put("logs/x", 5000, t0);
        config = new LifecycleConfiguration(List.of(
                rule("tiers", new Filter("data/", Map.of(), OptionalLong.of(100), OptionalLong.empty()),
                        List.of(new Transition(OptionalInt.of(10), Optional.empty(), "COLD"),
                                new Transition(OptionalInt.of(30), Optional.empty(), "DEEPER")), List.of()),
                rule("tags", new Filter("", Map.of("class", "cold"), OptionalLong.empty(), OptionalLong.empty()),
                        List.of(new Transition(OptionalInt.of(1), Optional.empty(), "DEEPER")), List.of())));
        LifecycleWorker w = worker();

        w.runOnce();
        assertEquals("STANDARD", where("data/a"));
        LifecycleWorker.RuleStatus status = w.ruleStatus().stream().filter(r -> r.rule().equals("tiers")).findFirst().orElseThrow();
        assertEquals(0, status.dueSeen());
        assertEquals(Optional.of(LifecycleWorker.dueAt(t0, 10)), status.nextDue(), "the rule says when it will act");

        clock.advance(Duration.ofDays(11));
        w.runOnce();
        assertEquals("COLD", where("data/a"));
        assertEquals("COLD", where("data/tagged"), "the first rule that acts wins");
        assertEquals("STANDARD", where("data/tiny"), "ObjectSizeGreaterThan filters it out");
        assertEquals("STANDARD", where("logs/x"));
        status = w.ruleStatus().stream().filter(r -> r.rule().equals("tiers")).findFirst().orElseThrow();
        assertEquals(2, status.moved());

        clock.advance(Duration.ofDays(20));
        w.runOnce();
        assertEquals("COLD", where("data/a"), "a cold version is not moved between tiers by a later transition");
        assertEquals(2, w.totals().transitioned());
    }

    @Test
    void noncurrentVersionsMoveAfterNoncurrentDaysKeepingTheNewestOnes() throws Exception {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        Instant t0 = clock.instant();
        put("k", 3000, t0);
        put("k", 3000, t0.plusSeconds(1));
        put("k", 3000, t0.plusSeconds(2));
        put("k", 3000, t0.plusSeconds(3));
        config = new LifecycleConfiguration(List.of(rule("old", new Filter("", Map.of(), OptionalLong.empty(), OptionalLong.empty()),
                List.of(), List.of(new NoncurrentTransition(5, OptionalInt.of(1), "COLD")))), 0);
        LifecycleWorker w = worker();
        w.runOnce();
        clock.advance(Duration.ofDays(6));
        w.runOnce();
        List<String> classes = namespace.listVersions(BUCKET, new VersionQuery("k", "", "", "", 100)).versions().stream()
                .map(e -> TierMover.storageClass(e.version())).toList();
        assertEquals(List.of("STANDARD", "STANDARD", "COLD", "COLD"), classes,
                "current stays; one newer noncurrent version is kept; older ones move");
        assertTrue(namespace.work(TierMover.WORK_KIND, 10).isEmpty());
    }

    @Test
    void objectsUnder128KiBStayUnlessTheRuleFiltersBySizeOrTheBucketLiftsTheMinimum() throws Exception {
        Instant t0 = clock.instant();
        put("a/small", 100_000, t0);
        put("a/large", 140_000, t0);
        put("b/small", 100_000, t0);
        Transition now = new Transition(OptionalInt.empty(), Optional.of(Instant.parse("2020-01-01T00:00:00Z")), "COLD");
        config = new LifecycleConfiguration(List.of(
                rule("a", new Filter("a/", Map.of(), OptionalLong.empty(), OptionalLong.empty()), List.of(now), List.of()),
                rule("b", new Filter("b/", Map.of(), OptionalLong.of(1), OptionalLong.empty()), List.of(now), List.of())));
        worker().runOnce();
        assertEquals("STANDARD", where("a/small"), "S3's default minimum of 128 KiB");
        assertEquals("COLD", where("a/large"));
        assertEquals("COLD", where("b/small"), "an explicit ObjectSizeGreaterThan replaces the default");
        config = new LifecycleConfiguration(config.rules(), 0);
        worker().runOnce();
        assertEquals("COLD", where("a/small"), "varies_by_storage_class: no minimum for Strata's tiers");
    }
}
