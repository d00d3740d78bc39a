package io.strata.tiering.placement;

import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keep-newest ranking: which versions rank beyond a rule's newest N, by version and by directory. */
class NewestRankingTest {
    private static final BucketName BUCKET = new BucketName("train");
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    private static KeepNewestRule rule(String prefix, int n, KeepNewestRule.GroupBy groupBy) {
        return new KeepNewestRule("ckpt", BUCKET.value(), prefix, n, Optional.empty(), groupBy);
    }

    private static ObjectVersion version(String key, String id, int second) {
        return new ObjectVersion(BUCKET, new ObjectKey(key), id, 100, "etag", T0.plusSeconds(second), "application/octet-stream",
                Map.of(), Map.of(), Map.of(), 0, List.of(new Segment(100, new byte[1])));
    }

    private static ObjectVersion marker(String key, String id, int second) {
        return ObjectVersion.deleteMarker(BUCKET, new ObjectKey(key), id, T0.plusSeconds(second));
    }

    /** Offers the versions in listing order (keys ascending, each key's versions newest first), as a pass does. */
    private static NewestRanking rank(KeepNewestRule rule, List<ObjectVersion> versions) {
        List<ObjectVersion> listing = new ArrayList<>(versions);
        listing.sort(Comparator.comparing((ObjectVersion v) -> v.key().value())
                .thenComparing(ObjectVersion::lastModified, Comparator.reverseOrder()));
        NewestRanking.Builder b = NewestRanking.builder(rule);
        listing.forEach(b::offer);
        return b.build();
    }

    private static List<String> rankedOut(NewestRanking r, List<ObjectVersion> versions) {
        return versions.stream().filter(r::rankedOut).map(v -> v.key().value() + "@" + v.versionId()).sorted().toList();
    }

    @Test
    void byVersionTheNewestNAcrossKeysStayAndOlderOnesRankOut() {
        List<ObjectVersion> all = List.of(version("ckpt/a", "1", 1), version("ckpt/a", "4", 4), version("ckpt/b", "2", 2),
                version("ckpt/c", "3", 3), version("ckpt/c", "5", 5));
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.VERSION), all);
        // Noncurrent versions count: a@4 and c@5 are the two newest; a@1, b@2, c@3 go.
        assertEquals(List.of("ckpt/a@1", "ckpt/b@2", "ckpt/c@3"), rankedOut(r, all));
        assertEquals(5, r.groups());
        assertTrue(r.keepsHot(all.get(1)));
        assertFalse(r.keepsHot(all.get(0)));
    }

    @Test
    void deleteMarkersNeitherCountNorRankOut() {
        List<ObjectVersion> all = List.of(version("ckpt/a", "1", 1), version("ckpt/b", "2", 2), marker("ckpt/b", "3", 3),
                version("ckpt/c", "4", 4), marker("ckpt/d", "9", 9));
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.VERSION), all);
        assertEquals(List.of("ckpt/a@1"), rankedOut(r, all));
        assertEquals(3, r.groups());
        assertFalse(r.keepsHot(all.get(2)), "a delete marker is not pinned hot");
    }

    @Test
    void fewerThanNGroupsRankNothingOut() {
        List<ObjectVersion> all = List.of(version("ckpt/a", "1", 1), version("ckpt/b", "2", 2));
        assertEquals(List.of(), rankedOut(rank(rule("ckpt/", 3, KeepNewestRule.GroupBy.VERSION), all), all));
        assertEquals(List.of(), rankedOut(rank(rule("ckpt/", 3, KeepNewestRule.GroupBy.DIRECTORY), List.of()), all));
    }

    @Test
    void beforeAnyListingEverythingUnderTheRuleIsKeptHot() {
        NewestRanking r = NewestRanking.unknown(rule("ckpt/", 1, KeepNewestRule.GroupBy.VERSION));
        assertFalse(r.rankedOut(version("ckpt/old", "1", 1)));
        assertTrue(r.keepsHot(version("ckpt/old", "1", 1)));
        assertFalse(r.keepsHot(version("other/x", "1", 1)), "outside the prefix the rule has no opinion");
    }

    @Test
    void equalTimesAreBrokenByKeyThenVersionIdTheSameWayEveryPass() {
        List<ObjectVersion> all = List.of(version("ckpt/s0", "1", 7), version("ckpt/s1", "1", 7), version("ckpt/s2", "1", 7),
                version("ckpt/s2", "0", 7));
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.VERSION), all);
        assertEquals(List.of("ckpt/s0@1", "ckpt/s1@1"), rankedOut(r, all));
        assertEquals(rankedOut(r, all), rankedOut(rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.VERSION), all.reversed()), all));
    }

    @Test
    void aVersionWrittenAfterTheListingRanksIn() {
        List<ObjectVersion> all = List.of(version("ckpt/a", "1", 1), version("ckpt/b", "2", 2));
        NewestRanking r = rank(rule("ckpt/", 1, KeepNewestRule.GroupBy.VERSION), all);
        assertEquals(List.of("ckpt/a@1"), rankedOut(r, all));
        assertFalse(r.rankedOut(version("ckpt/0-new", "3", 3)));
        assertTrue(r.keepsHot(version("ckpt/0-new", "3", 3)));
    }

    @Test
    void keysOutsideThePrefixOrBucketAreNotCovered() {
        List<ObjectVersion> all = List.of(version("ckpt/a", "1", 1), version("ckpt/b", "2", 2), version("logs/x", "0", 0));
        NewestRanking r = rank(rule("ckpt/", 1, KeepNewestRule.GroupBy.VERSION), all);
        assertEquals(List.of("ckpt/a@1"), rankedOut(r, all));
        ObjectVersion elsewhere = new ObjectVersion(new BucketName("other"), new ObjectKey("ckpt/a"), "1", 0, "e", T0,
                "", Map.of(), Map.of(), Map.of(), 0, List.of());
        assertFalse(r.rankedOut(elsewhere));
    }

    /** Five checkpoint directories of three shards each, written one after another. */
    private static List<ObjectVersion> checkpoints() {
        List<ObjectVersion> all = new ArrayList<>();
        for (int step = 1; step <= 5; step++) {
            for (int shard = 0; shard < 3; shard++) {
                all.add(version("ckpt/step-" + step + "/shard-" + shard, "v", step * 10 + shard));
            }
        }
        return all;
    }

    @Test
    void byDirectoryEveryShardOfTheOlderDirectoriesRanksOut() {
        List<ObjectVersion> all = checkpoints();
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.DIRECTORY), all);
        List<String> out = rankedOut(r, all);
        assertEquals(9, out.size(), out.toString());
        assertTrue(out.stream().allMatch(k -> k.startsWith("ckpt/step-1/") || k.startsWith("ckpt/step-2/")
                || k.startsWith("ckpt/step-3/")), out.toString());
        assertEquals(5, r.groups());
        assertTrue(r.keepsHot(version("ckpt/step-4/shard-0", "v", 40)));
    }

    @Test
    void aDirectoryRanksByItsNewestWriteNotItsFirst() {
        List<ObjectVersion> all = new ArrayList<>(checkpoints());
        // step-1 was started first but one of its files was rewritten last: it is the newest directory.
        all.add(version("ckpt/step-1/shard-9", "v", 99));
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.DIRECTORY), all);
        List<String> out = rankedOut(r, all);
        assertTrue(out.stream().noneMatch(k -> k.startsWith("ckpt/step-1/") || k.startsWith("ckpt/step-5/")), out.toString());
        assertEquals(9, out.size(), out.toString());
    }

    @Test
    void byDirectoryKeysDirectlyUnderThePrefixAreLeftAlone() {
        List<ObjectVersion> all = new ArrayList<>(checkpoints());
        ObjectVersion latest = version("ckpt/latest", "v", 100);
        ObjectVersion ancient = version("ckpt/README", "v", 0);
        all.add(latest);
        all.add(ancient);
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.DIRECTORY), all);
        // Loose keys neither push a checkpoint out nor go cold, nor are they pinned hot.
        assertEquals(9, rankedOut(r, all).size());
        assertFalse(r.rankedOut(ancient));
        assertFalse(r.keepsHot(ancient));
        assertFalse(r.keepsHot(latest));
    }

    @Test
    void aDirectoryStartedAfterTheListingStaysHot() {
        NewestRanking r = rank(rule("ckpt/", 2, KeepNewestRule.GroupBy.DIRECTORY), checkpoints());
        ObjectVersion next = version("ckpt/step-6/shard-0", "v", 60);
        assertFalse(r.rankedOut(next));
        assertTrue(r.keepsHot(next));
        // A directory that ranked out and is written again: the new write is newer than the cut-off.
        assertFalse(r.rankedOut(version("ckpt/step-1/shard-7", "v", 61)));
    }

    @Test
    void theRuleNamesTheKeyAtFault() {
        var versions = assertThrows(IllegalArgumentException.class,
                () -> new KeepNewestRule("ckpt", "b", "", 0, Optional.empty(), KeepNewestRule.GroupBy.VERSION));
        assertTrue(versions.getMessage().startsWith("placement.keep-newest.ckpt.versions "), versions.getMessage());
        var bucket = assertThrows(IllegalArgumentException.class,
                () -> new KeepNewestRule("ckpt", "", "", 1, Optional.empty(), KeepNewestRule.GroupBy.VERSION));
        assertTrue(bucket.getMessage().startsWith("placement.keep-newest.ckpt.bucket "), bucket.getMessage());
        var groupBy = assertThrows(IllegalArgumentException.class, () -> KeepNewestRule.GroupBy.parse("file"));
        assertTrue(groupBy.getMessage().contains("version or directory"), groupBy.getMessage());
    }
}
