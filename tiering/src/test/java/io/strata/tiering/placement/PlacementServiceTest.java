package io.strata.tiering.placement;

import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The placement service over a real namespace and hot store, with its moves recorded by a fake
 * {@link PlacementMoves}: what it moves, why, and what it refuses, without a gateway.
 */
class PlacementServiceTest {
    private static final BucketName BUCKET = new BucketName("photos");
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final int SIZE = 250;

    @TempDir
    Path dir;
    Namespace namespace;
    ErasureStore store;
    BulkJobs jobs;
    final List<String> movedCold = Collections.synchronizedList(new ArrayList<>());
    /** Holds every move hot until the test ends, so a queued promotion stays visible as {@code restoring}. */
    final CountDownLatch releaseMovesHot = new CountDownLatch(1);
    /** Makes every move cold fail, as a tier that is down does. */
    volatile boolean coldTierDown;

    /** Records each move cold as "key->tier" and reports it done; never moves anything hot. */
    final PlacementMoves moves = new PlacementMoves() {
        @Override
        public boolean toHot(ObjectVersion version) {
            try {
                releaseMovesHot.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public boolean toCold(ObjectVersion version, String tier) {
            if (coldTierDown) throw new IllegalStateException("tier " + tier + " is down");
            movedCold.add(version.key().value() + "->" + tier);
            return true;
        }
    };

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        namespace.createBucket(new Bucket(BUCKET, T0, "us-east-1", "owner"));
        store = ErasureStore.open(new ErasureConfig(List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1,
                4096));
        jobs = new BulkJobs(namespace);
    }

    @AfterEach
    void close() {
        releaseMovesHot.countDown();
        jobs.close();
        store.close();
        namespace.close();
    }

    /** Hot capacity 1000 bytes, eviction above 90 % down to 75 %, to tier COLD, no keep-hot window. */
    private PlacementService placement() {
        return placement(jobs);
    }

    private PlacementService placement(BulkJobs bulkJobs) {
        return placement(bulkJobs, List.of(), 1000);
    }

    private PlacementService placement(BulkJobs bulkJobs, List<KeepNewestRule> rules, long hotCapacity) {
        PlacementPolicy policy = new PlacementPolicy(2, Duration.ofHours(1), 0.90, 0.75, Duration.ZERO,
                OptionalLong.of(hotCapacity), Optional.of("COLD"), 1000);
        return new PlacementService(namespace, new ColdTiers(), moves, policy, rules, bulkJobs,
                Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC), List.of(dir), 1.5);
    }

    private static KeepNewestRule keepNewest(String prefix, int n, KeepNewestRule.GroupBy groupBy, Optional<String> tier) {
        return new KeepNewestRule("ckpt", BUCKET.value(), prefix, n, tier, groupBy);
    }

    /** A committed hot version of {@value #SIZE} bytes in the erasure store, last modified at {@code modified}. */
    private void putHot(String key, Instant modified) {
        byte[] data = new byte[SIZE];
        Segment segment = new Segment(SIZE, store.write(new ByteArrayInputStream(data), SIZE).encode());
        namespace.putObject(new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, SIZE,
                "etag-" + key, modified, "application/octet-stream", Map.of(), Map.of(), Map.of(), 0, List.of(segment)));
    }

    /** A committed version whose data is in cold tier COLD (the copy itself is not needed here). */
    private void putCold(String key, Instant modified) {
        DataRef.ColdName name = new DataRef.ColdName("COLD", new ColdObjectId(BUCKET.value(), key, "null.00000000"), "COLD");
        Segment segment = new Segment(SIZE, new DataRef.Cold(Optional.of(name), 0, 1 << 20, new int[]{0}).encode());
        namespace.putObject(new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, SIZE,
                "etag-" + key, modified, "application/octet-stream", Map.of(), Map.of(), Map.of(), 0, List.of(segment)));
    }

    @Test
    void aMissingBucketIsNoSuchBucketNamingIt() {
        try (PlacementService placement = placement()) {
            PlacementException e = assertThrows(PlacementException.class,
                    () -> placement.requireBucket(new BucketName("absent")));
            assertEquals(PlacementException.Reason.NO_SUCH_BUCKET, e.reason());
            assertEquals(Optional.of(new BucketName("absent")), e.bucket());
            placement.requireBucket(BUCKET);
        }
    }

    @Test
    void evictionMovesTheLeastRecentlyModifiedUnpinnedVersionsColdUntilUnderTheLowWatermark() {
        putHot("a-oldest", T0);
        putHot("b", T0.plusSeconds(1));
        putHot("c", T0.plusSeconds(2));
        putHot("d-newest", T0.plusSeconds(3));
        try (PlacementService placement = placement()) {
            placement.pin(BUCKET, "a-");
            placement.evictionPass();
            // 1000 of 1000 bytes is above 90 %: 250 bytes must go to reach 75 %; "a-oldest" is pinned.
            assertEquals(List.of("b->COLD"), movedCold);
            PlacementService.Counters c = placement.counters();
            assertEquals(1, c.evictions());
            assertEquals(SIZE, c.evictedBytes());
            assertEquals(1, c.evictionPasses());
            assertEquals(0, c.moveFailures());
            assertEquals(750, placement.usage().orElseThrow().used());
        }
    }

    @Test
    void pinsAreKeptInTheNamespaceAndSeenByTheNextService() {
        putHot("train/x", T0);
        ObjectVersion v = namespace.latest(BUCKET, new ObjectKey("train/x")).orElseThrow();
        try (PlacementService placement = placement()) {
            placement.pin(BUCKET, "train/");
            assertTrue(placement.keepsHot(v));
        }
        // A restart: a new service with new bulk jobs over the same namespace.
        try (BulkJobs afterRestart = new BulkJobs(namespace); PlacementService restarted = placement(afterRestart)) {
            assertTrue(restarted.keepsHot(v), "the pin survives a restart");
            assertTrue(restarted.unpin(BUCKET, "train/"));
            assertEquals(false, restarted.keepsHot(v));
        }
    }

    @Test
    void aKeepNewestPassDestagesEveryVersionOfTheOlderDirectoriesFarUnderTheWatermark() {
        putHot("ckpt/step-1/a", T0);
        putHot("ckpt/step-1/b", T0.plusSeconds(1));
        putHot("ckpt/step-2/a", T0.plusSeconds(2));
        putHot("ckpt/step-3/a", T0.plusSeconds(3));
        putHot("ckpt/latest", T0);
        putHot("other/x", T0);
        try (PlacementService placement = placement(jobs, List.of(keepNewest("ckpt/", 2, KeepNewestRule.GroupBy.DIRECTORY,
                Optional.of("ARCHIVE"))), 1L << 30)) {
            // Before its first listing the rule keeps everything under it hot.
            assertTrue(placement.keepsHot(namespace.latest(BUCKET, new ObjectKey("ckpt/step-1/a")).orElseThrow()));
            placement.keepNewestPass();
            // 1500 of 1 GiB is far under the watermark: the rule moves the oldest directory all the same.
            assertEquals(List.of("ckpt/step-1/a->ARCHIVE", "ckpt/step-1/b->ARCHIVE"), movedCold);
            KeepNewestStatus status = placement.keepNewest().getFirst();
            assertEquals(2, status.destagedVersions());
            assertEquals(2 * SIZE, status.destagedBytes());
            assertEquals(1, status.passes());
            assertEquals(3, status.groups());
            assertEquals(Optional.of("ARCHIVE"), status.tier());
            assertTrue(placement.keepsHot(namespace.latest(BUCKET, new ObjectKey("ckpt/step-2/a")).orElseThrow()));
            assertEquals(false, placement.keepsHot(namespace.latest(BUCKET, new ObjectKey("ckpt/step-1/a")).orElseThrow()));
            assertEquals(false, placement.keepsHot(namespace.latest(BUCKET, new ObjectKey("ckpt/latest")).orElseThrow()));
        }
    }

    @Test
    void aKeepNewestRuleWithoutATierDestagesToTheEvictionTier() {
        putHot("v/a", T0);
        putHot("v/b", T0.plusSeconds(1));
        putHot("v/c", T0.plusSeconds(2));
        try (PlacementService placement = placement(jobs, List.of(keepNewest("v/", 1, KeepNewestRule.GroupBy.VERSION,
                Optional.empty())), 1L << 30)) {
            placement.keepNewestPass();
            assertEquals(List.of("v/a->COLD", "v/b->COLD"), movedCold);
            assertEquals(Optional.of("COLD"), placement.keepNewest().getFirst().tier());
        }
    }

    @Test
    void evictionLeavesVersionsRankedWithinAKeepNewestRuleHot() {
        putHot("a-oldest", T0);
        putHot("b", T0.plusSeconds(1));
        putHot("c", T0.plusSeconds(2));
        putHot("d-newest", T0.plusSeconds(3));
        try (PlacementService placement = placement(jobs, List.of(keepNewest("", 4, KeepNewestRule.GroupBy.VERSION,
                Optional.empty())), 1000)) {
            // Above the high watermark, but every version ranks within the rule's newest 4.
            placement.evictionPass();
            placement.keepNewestPass();
            placement.evictionPass();
            assertEquals(List.of(), movedCold);
            assertEquals(0, placement.counters().evictions());
        }
    }

    @Test
    void readsDoNotPromoteAVersionAKeepNewestRuleRanksOut() {
        putCold("ckpt/old", T0);
        putHot("ckpt/new", T0.plusSeconds(1));
        putCold("other/cold", T0);
        try (PlacementService placement = placement(jobs, List.of(keepNewest("ckpt/", 1, KeepNewestRule.GroupBy.VERSION,
                Optional.empty())), 1L << 30)) {
            placement.keepNewestPass();
            ObjectVersion old = namespace.latest(BUCKET, new ObjectKey("ckpt/old")).orElseThrow();
            ObjectVersion other = namespace.latest(BUCKET, new ObjectKey("other/cold")).orElseThrow();
            for (int i = 0; i < 2; i++) {
                placement.observeRead(old);
                placement.observeRead(other);
            }
            // The control: two reads of a cold version no rule ranks out queue its promotion.
            assertTrue(placement.restoring(other));
            // The rule would send the old one cold again at its next pass: it stays cold, and is not re-copied.
            assertEquals(false, placement.restoring(old));
            assertEquals(List.of(), movedCold, "a version already cold is left alone");
        }
    }

    @Test
    void aKeepNewestPassStopsAfterThreeFailedMovesInARowAndTheNextOneTriesAgain() {
        for (int i = 0; i < 6; i++) putHot("v/" + i, T0.plusSeconds(i));
        try (PlacementService placement = placement(jobs, List.of(keepNewest("v/", 1, KeepNewestRule.GroupBy.VERSION,
                Optional.empty())), 1L << 30)) {
            coldTierDown = true;
            placement.keepNewestPass();
            KeepNewestStatus failed = placement.keepNewest().getFirst();
            assertEquals(KeepNewest.FAILURES_IN_A_ROW, failed.failures());
            assertEquals(0, failed.destagedVersions());
            assertEquals("tier COLD is down", failed.lastError());
            coldTierDown = false;
            placement.keepNewestPass();
            assertEquals(List.of("v/0->COLD", "v/1->COLD", "v/2->COLD", "v/3->COLD", "v/4->COLD"), movedCold);
            assertEquals(5, placement.keepNewest().getFirst().destagedVersions());
        }
    }
}
