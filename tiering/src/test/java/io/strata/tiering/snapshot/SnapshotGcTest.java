package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forget, diff, holds, ownership and GC of a local-directory repository (s3proxy in
 * {@link S3SnapshotGcTest}). Expected deletions are computed by an independent full scan: every
 * path the forgotten snapshot references minus every path a retained one does.
 */
class SnapshotGcTest {
    private static final BucketName B = new BucketName("bkt");
    /** About 16 keys per range: many range files, so most are shared between snapshots. */
    private static final SnapshotExporter.Options OPTIONS = new SnapshotExporter.Options(false, 4, 65_536);

    @TempDir
    Path dir;
    SnapshotFixture fx;
    SnapshotRepository repo;
    Path work;
    final AtomicInteger readsLeft = new AtomicInteger(-1);
    /** The three snapshots: s1 with k000..k099, s2 with new versions of k000..k009, s3 without them and with new k010..k019. */
    String s1;
    String s2;
    String s3;

    @BeforeEach
    void open() throws Exception {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = createRepository();
        work = Files.createDirectories(dir.resolve("work"));
        fx.bucket("bkt");
        fx.namespace.setVersioning(B, BucketVersioning.ENABLED);
    }

    @AfterEach
    void close() {
        System.clearProperty("strata.test.fault");
        repo.close();
        fx.close();
    }

    SnapshotRepository createRepository() throws Exception {
        return LocalDirectoryRepository.create(dir.resolve("repo"));
    }

    private SnapshotExports exports() {
        VersionData failing = (v, offset, length) -> {
            if (readsLeft.get() >= 0 && readsLeft.getAndDecrement() <= 0) {
                throw new IllegalStateException("source read refused by the test");
            }
            return fx.data.open(v, offset, length);
        };
        return new SnapshotExports(fx.namespace, name -> repo, failing, work, OPTIONS, Clock.systemUTC());
    }

    private SnapshotGc gc(String site) {
        return gc(repo, site);
    }

    private SnapshotGc gc(SnapshotRepository repository, String site) {
        return new SnapshotGc(repository, site, work, Clock.systemUTC());
    }

    private ObjectVersion put(String key, int seed) throws Exception {
        return fx.put("bkt", key, new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, seed % 3 != 0,
                Instant.parse("2026-12-06T10:00:00Z").plusSeconds(seed)), bytes(seed, 100 + seed % 300));
    }

    private String snapshot(Optional<String> parent) {
        SnapshotExports exports = exports();
        SnapshotExports.Export e = exports.start("repo", List.of(), parent);
        return exports.resume(e.id()).root().snapshot();
    }

    /** s1, s2, s3 as the fields say; the versions only s2 has are written and then deleted for good. */
    private void threeSnapshots() throws Exception {
        for (int i = 0; i < 100; i++) put(String.format("k%03d", i), i);
        s1 = snapshot(Optional.empty());
        List<ObjectVersion> onlyInS2 = new ArrayList<>();
        for (int i = 0; i < 10; i++) onlyInS2.add(put(String.format("k%03d", i), 1000 + i));
        s2 = snapshot(Optional.of(s1));
        for (ObjectVersion v : onlyInS2) fx.namespace.deleteVersion(B, v.key(), v.versionId());
        for (int i = 10; i < 20; i++) put(String.format("k%03d", i), 2000 + i);
        s3 = snapshot(Optional.of(s2));
    }

    private Set<String> paths() {
        Set<String> out = new TreeSet<>();
        repo.list("", out::add);
        return out;
    }

    /** Every range file and data path a snapshot's root names, read in full. */
    private Set<String> referenced(String id) {
        Set<String> out = new TreeSet<>();
        SnapshotRoot root = SnapshotReader.readRoot(repo, id);
        for (SnapshotRoot.BucketRoot b : root.buckets()) {
            for (SnapshotRoot.RangeRef r : b.ranges()) {
                out.add(r.path());
                try (RangeReader rr = RangeReader.open(repo, r, work)) {
                    while (rr.hasNext()) {
                        if (rr.next().data().orElse(null) instanceof SnapshotEntry.InRepository in) out.add(in.path());
                    }
                }
            }
        }
        return out;
    }

    /** Data objects and range files no root references: what a GC must never leave behind. */
    private Set<String> orphans() {
        Set<String> out = new TreeSet<>();
        for (String p : paths()) if (p.startsWith("data/") || p.startsWith("ranges/")) out.add(p);
        repo.list("snapshots/", p -> out.removeAll(referenced(p.substring("snapshots/".length(), p.length() - 5))));
        return out;
    }

    private Set<String> onlyInS2() {
        Set<String> expected = new TreeSet<>(referenced(s2));
        expected.removeAll(referenced(s1));
        expected.removeAll(referenced(s3));
        return expected;
    }

    @Test
    void gcAfterForgettingTheMiddleOfThreeSnapshotsDeletesExactlyWhatOnlyItReferenced() throws Exception {
        threeSnapshots();
        Set<String> expected = onlyInS2();
        assertTrue(expected.stream().filter(p -> p.startsWith("data/")).count() >= 10, "fixture: s2's own versions " + expected);
        long s2Ranges = SnapshotReader.readRoot(repo, s2).buckets().getFirst().ranges().size();
        SnapshotGc gc = gc("site-a");
        assertEquals("site-a", gc.claimIfUnowned());

        assertEquals(List.of(s2), gc.forget(List.of(s2)));
        Set<String> before = paths();
        assertFalse(before.contains("snapshots/" + s2 + ".json"));
        assertTrue(before.containsAll(expected), "forget deletes no data and no range");
        SnapshotGc.Result r = gc.gc(false, false);

        Set<String> deleted = new TreeSet<>(before);
        deleted.removeAll(paths());
        deleted.remove("forgotten/" + s2 + ".json");
        assertEquals(expected, deleted);
        assertEquals(List.of(s2), r.collected());
        assertEquals(Set.of(), orphans());
        for (String id : List.of(s1, s3)) {
            assertTrue(SnapshotReader.open(repo, locator(id), work).verify(1.0, 1).ok(), id);
        }
        assertTrue(r.rangesRead() < s2Ranges,
                "GC reads only the ranges that differ: " + r.rangesRead());

        SnapshotGc.Result again = gc.gc(false, false);
        assertEquals(List.of(), again.collected());
        assertEquals(List.of(), again.data());
    }

    @Test
    void gcReportsItsProgressAsItComparesAndDeletes() throws Exception {
        threeSnapshots();
        SnapshotGc owner = gc("site-a");
        owner.claimIfUnowned();
        owner.forget(List.of(s1, s2));
        // Each delete sees how far the GC has got, as another thread asking for its progress would.
        List<SnapshotGc.Progress.View> seen = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<SnapshotGc> running = new java.util.concurrent.atomic.AtomicReference<>();
        SnapshotRepository watched = new SnapshotRepository() {
            public Stored putIfAbsent(String path, Source source, Spec spec) {
                return repo.putIfAbsent(path, source, spec);
            }

            public InputStream get(String path, long offset, long length) {
                return repo.get(path, offset, length);
            }

            public Optional<Long> size(String path) {
                return repo.size(path);
            }

            public void list(String prefix, Consumer<String> visitor) {
                repo.list(prefix, visitor);
            }

            public void delete(String path) {
                if (!path.startsWith("gc/")) seen.add(running.get().progress().view());
                repo.delete(path);
            }

            public String location() {
                return repo.location();
            }

            public void close() {
            }
        };
        SnapshotGc gc = gc(watched, "site-a");
        running.set(gc);
        assertEquals("starting", gc.progress().view().phase());

        SnapshotGc.Result r = gc.gc(false, false);

        long planned = r.collected().size() + r.data().size() + r.ranges().size();
        assertEquals(planned, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            SnapshotGc.Progress.View v = seen.get(i);
            assertEquals("deleting", v.phase());
            assertEquals(planned, v.objectsPlanned(), "the whole plan is known before the first delete");
            assertEquals(i, v.objectsDeleted());
            assertEquals(2, v.snapshotsDone(), "both forgotten snapshots were compared before deleting");
        }
        assertEquals(new SnapshotGc.Progress.View("done", 0, 0, r.rangesRead(), planned, planned), gc.progress().view());
    }

    private SnapshotLocator locator(String id) {
        byte[] bytes = SnapshotReader.readRootBytes(repo, id);
        return new SnapshotLocator(repo.location(), id, SnapshotFormat.sha256Hex(bytes));
    }

    @Test
    void diffListsTheVersionsAddedRemovedAndChangedReadingOnlyDifferingRanges() throws Exception {
        threeSnapshots();
        SnapshotGc gc = gc("site-a");

        SnapshotGc.Diff d = gc.diff(s2, s3);

        assertEquals(10, d.added().size());
        assertEquals(10, d.removed().size());
        assertEquals(List.of(), d.changed());
        assertTrue(d.added().stream().allMatch(c -> c.key().compareTo("k010") >= 0 && c.key().compareTo("k020") < 0));
        assertTrue(d.removed().stream().allMatch(c -> c.key().compareTo("k010") < 0));
        long all = SnapshotReader.readRoot(repo, s2).buckets().getFirst().ranges().size()
                + SnapshotReader.readRoot(repo, s3).buckets().getFirst().ranges().size();
        assertTrue(d.rangesRead() < all, d.rangesRead() + " of " + all);
        assertEquals(new SnapshotGc.Diff(List.of(), List.of(), List.of(), 0), gc.diff(s3, s3));
    }

    @Test
    void releasingASnapshotsHoldsLeavesTheHoldsOfThisSitesAttachesAndRestores() throws Exception {
        threeSnapshots();
        SnapshotGc gc = gc("site-a");
        String attach = SnapshotHolds.place(repo, "site-a", "attach-0a1b2c3d4e5f", s2, Instant.now(), SnapshotHolds.Purpose.ATTACH);
        String restore = SnapshotHolds.place(repo, "site-a", "restore-5e0c9a1b2f44", s2, Instant.now(), SnapshotHolds.Purpose.RESTORE);
        SnapshotGc.Hold audit = gc.hold(s2, "audit");
        SnapshotGc.Hold legal = gc.hold(s2, "legal");

        // The operator's release drops the operator's holds; the attach and the restore still read s2.
        assertEquals(Set.of(audit.path(), legal.path()), Set.copyOf(gc.release(s2).stream().map(SnapshotGc.Hold::path).toList()));
        assertTrue(repo.size(attach).isPresent(), "the attach's hold stays until detach");
        assertTrue(repo.size(restore).isPresent(), "the restore's hold stays until hydration ends");
        assertThrows(SnapshotException.class, () -> gc.forget(List.of(s2)));
        assertEquals(List.of(), gc.release(s2));
    }

    @Test
    void oneHoldIsReleasedByItsIdAndOnlyIfItIsThisSitesOperatorHold() throws Exception {
        threeSnapshots();
        SnapshotGc gc = gc("site-a");
        String attach = SnapshotHolds.place(repo, "site-a", "attach-0a1b2c3d4e5f", s2, Instant.now(), SnapshotHolds.Purpose.ATTACH);
        SnapshotGc.Hold audit = gc.hold(s2, "audit");
        SnapshotGc.Hold legal = gc.hold(s2, "legal");
        SnapshotGc.Hold other = gc("site-b").hold(s2, "audit");
        assertTrue(audit.explicit());
        assertTrue(audit.id().startsWith("site-a-hold-"), audit.id());
        assertEquals("holds/" + audit.id() + ".json", audit.path());

        assertEquals(audit, gc.release(s2, audit.id()));
        assertTrue(repo.size(legal.path()).isPresent(), "only the hold named is released");

        SnapshotException byAttach = assertThrows(SnapshotException.class, () -> gc.release(s2, "site-a-attach-0a1b2c3d4e5f"));
        assertEquals(SnapshotException.Reason.REJECTED, byAttach.reason());
        assertTrue(byAttach.getMessage().contains("detach"), byAttach.getMessage());
        SnapshotException bySite = assertThrows(SnapshotException.class, () -> gc.release(s2, other.id()));
        assertEquals(SnapshotException.Reason.REJECTED, bySite.reason());
        assertTrue(bySite.getMessage().contains("site-b"), bySite.getMessage());
        assertEquals(SnapshotException.Reason.NOT_FOUND,
                assertThrows(SnapshotException.class, () -> gc.release(s2, "site-a-hold-0000")).reason());
        assertEquals(SnapshotException.Reason.INVALID,
                assertThrows(SnapshotException.class, () -> gc.release(s3, legal.id())).reason());
        assertTrue(repo.size(attach).isPresent());
        assertTrue(repo.size(other.path()).isPresent());
        // An operator's reason cannot pass for an attach or a restore, which rm would then never release.
        for (String reserved : new String[] {"attach", "restore", "Restore"}) {
            assertEquals(SnapshotException.Reason.INVALID,
                    assertThrows(SnapshotException.class, () -> gc.hold(s2, reserved), reserved).reason());
        }
    }

    @Test
    void aHeldSnapshotIsNotForgottenAndAForgottenOneHeldMeanwhileKeepsItsData() throws Exception {
        threeSnapshots();
        SnapshotGc.Hold other = gc("site-b").hold(s2, "audit");
        SnapshotGc gc = gc("site-a");
        SnapshotException refused = assertThrows(SnapshotException.class, () -> gc.forget(List.of(s2)));
        assertTrue(refused.getMessage().contains("site-b"), refused.getMessage());
        assertEquals(List.of(), gc.release(s2), "a site releases only its own holds");
        assertTrue(repo.size(other.path()).isPresent());
        assertEquals(1, gc("site-b").release(s2).size());

        gc.forget(List.of(s2));
        // A hold placed by another site as the forget ran (it checked the root before it went).
        byte[] hold = ("{\"site\":\"site-c\",\"snapshot\":\"" + s2 + "\",\"created\":\"2026-12-06T10:00:00Z\","
                + "\"purpose\":\"restore\"}").getBytes(StandardCharsets.UTF_8);
        repo.putIfAbsent("holds/site-c-0001.json", (o, l) -> new ByteArrayInputStream(hold, (int) o, (int) l),
                SnapshotRepository.Spec.document(hold.length, "application/json", SnapshotExporter.md5Hex(hold)));
        gc.claimIfUnowned();
        Set<String> before = paths();
        SnapshotGc.Result r = gc.gc(false, false);
        assertEquals(List.of(), r.collected());
        assertTrue(r.deferred().get(s2).contains("site-c"), r.deferred().toString());
        assertEquals(before, paths());

        repo.delete("holds/site-c-0001.json");
        assertEquals(List.of(s2), gc.gc(false, false).collected());
        assertEquals(Set.of(), orphans());
    }

    @Test
    void onlyTheOwnerCollectsAndAnUnownedRepositoryIsClaimedOnlyOnRequest() throws Exception {
        threeSnapshots();
        SnapshotGc a = gc("site-a");
        SnapshotException unowned = assertThrows(SnapshotException.class, () -> a.gc(false, false));
        assertTrue(unowned.getMessage().contains("--claim"), unowned.getMessage());
        a.gc(true, false);
        assertEquals(Optional.of("site-a"), a.owner());

        gc("site-b").forget(List.of(s2));
        Set<String> before = paths();
        SnapshotException refused = assertThrows(SnapshotException.class, () -> gc("site-b").gc(true, false));
        assertEquals(SnapshotException.Reason.REJECTED, refused.reason());
        assertTrue(refused.getMessage().contains("owned by site site-a"), refused.getMessage());
        assertEquals(before, paths());
    }

    @Test
    void anExportInProgressIsUntouchedAndWhatItMayReferenceIsKept() throws Exception {
        threeSnapshots();
        put("k500", 5000);
        put("k000", 5001);
        SnapshotExports exports = exports();
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.of(s2));
        readsLeft.set(1);
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        assertTrue(repo.size("exports/" + e.snapshot() + ".json").isPresent());
        Set<String> uploaded = new TreeSet<>(paths());
        uploaded.removeIf(p -> !p.startsWith("data/") && !p.startsWith("ranges/"));
        for (String id : List.of(s1, s2, s3)) uploaded.removeAll(referenced(id));
        assertFalse(uploaded.isEmpty(), "fixture: the export uploaded something");
        Set<String> ofS3 = referenced(s3);

        SnapshotGc gc = gc("site-a");
        SnapshotException parent = assertThrows(SnapshotException.class, () -> gc.forget(List.of(s2)));
        assertTrue(parent.getMessage().contains("parent of export " + e.snapshot()), parent.getMessage());
        gc.forget(List.of(s1, s3));
        SnapshotGc.Result r = gc.gc(true, false);

        assertEquals(List.of(s1), r.collected(), "s1 has a retained newer neighbour: " + r.deferred());
        assertTrue(r.deferred().get(s3).contains("while export " + e.snapshot()), r.deferred().toString());
        Set<String> now = paths();
        assertTrue(now.containsAll(uploaded), "the export's uploads stay");
        assertTrue(now.containsAll(ofS3), "the export may find the newest snapshot's objects present and use them");

        readsLeft.set(-1);
        String s4 = exports.resume(e.id()).root().snapshot();
        assertFalse(repo.size("exports/" + s4 + ".json").isPresent(), "a finished export removes its record");
        assertEquals(List.of(s3), gc.gc(false, false).collected());
        assertEquals(Set.of(), orphans());
        for (String id : List.of(s2, s4)) {
            assertTrue(SnapshotReader.open(repo, locator(id), work).verify(1.0, 1).ok(), id);
        }
    }

    /** The repository as a GC killed after {@code deletes} deletions sees it: the next delete never happens. */
    private static SnapshotRepository dyingAfter(SnapshotRepository real, int deletes) {
        AtomicInteger left = new AtomicInteger(deletes);
        return new SnapshotRepository() {
            @Override
            public Stored putIfAbsent(String path, Source source, Spec spec) {
                return real.putIfAbsent(path, source, spec);
            }

            @Override
            public InputStream get(String path, long offset, long length) {
                return real.get(path, offset, length);
            }

            @Override
            public Optional<Long> size(String path) {
                return real.size(path);
            }

            @Override
            public void list(String prefix, Consumer<String> visitor) {
                real.list(prefix, visitor);
            }

            @Override
            public void delete(String path) {
                if (left.getAndDecrement() <= 0) throw new IllegalStateException("killed by the test");
                real.delete(path);
            }

            @Override
            public String location() {
                return real.location();
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aGcKilledMidwayIsFinishedByTheNextFromItsPlanWithNoOrphans() throws Exception {
        threeSnapshots();
        Set<String> expected = onlyInS2();
        gc("site-a").forget(List.of(s2));
        Set<String> before = paths();

        // Killed after the tombstone and three data objects went: the plan is all that says what is left.
        assertThrows(IllegalStateException.class, () -> gc(dyingAfter(repo, 4), "site-a").gc(true, false));
        assertFalse(paths().contains("forgotten/" + s2 + ".json"));
        assertTrue(paths().stream().anyMatch(p -> p.startsWith("gc/")), "the plan stays");

        SnapshotGc.Result r = gc("site-a").gc(false, false);

        assertEquals(1, r.replayed().size());
        Set<String> deleted = new TreeSet<>(before);
        deleted.removeAll(paths());
        deleted.remove("forgotten/" + s2 + ".json");
        assertEquals(expected, deleted);
        assertEquals(Set.of(), orphans());
        assertFalse(paths().stream().anyMatch(p -> p.startsWith("gc/")));
    }

    @Test
    void negativeControlAGcThatSkipsTheKilledPlanLeavesOrphans() throws Exception {
        threeSnapshots();
        gc("site-a").forget(List.of(s2));
        assertThrows(IllegalStateException.class, () -> gc(dyingAfter(repo, 4), "site-a").gc(true, false));

        System.setProperty("strata.test.fault", SnapshotGc.FAULT_SKIP_REPLAY);
        gc("site-a").gc(false, false);

        assertFalse(orphans().isEmpty(), "without the plan's replay its objects are orphaned");

        // The full sweep finds them by listing the repository whole, even with the plan skipped.
        Set<String> orphans = orphans();
        SnapshotGc.Result swept = gc("site-a").gc(false, false, true);
        assertEquals(Set.of(), orphans());
        Set<String> deleted = new TreeSet<>(swept.data());
        deleted.addAll(swept.ranges());
        assertEquals(orphans, deleted);
        System.clearProperty("strata.test.fault");
        for (String id : List.of(s1, s3)) {
            assertTrue(SnapshotReader.open(repo, locator(id), work).verify(1.0, 1).ok(), id);
        }
        assertEquals(List.of(), gc("site-a").gc(false, false, true).data(), "a second sweep finds nothing");
    }

    @Test
    void aFullSweepIsRefusedWhileAnExportIsInProgress() throws Exception {
        threeSnapshots();
        put("k900", 9000);
        SnapshotExports exports = exports();
        SnapshotExports.Export e = exports.start("repo", List.of(), Optional.of(s3));
        readsLeft.set(0);
        assertThrows(IllegalStateException.class, () -> exports.resume(e.id()));
        Set<String> before = paths();
        SnapshotException refused = assertThrows(SnapshotException.class, () -> gc("site-a").gc(true, false, true));
        assertTrue(refused.getMessage().contains(e.snapshot()), refused.getMessage());
        Set<String> after = paths();
        after.remove("owner.json");
        assertEquals(before, after);
    }

    // ------------------------------------------------------------------ bounded memory (#13)

    /** A repository that records the objects written under gc/ in order, and can refuse the plan's header. */
    private static SnapshotRepository recordingPlans(SnapshotRepository real, List<String> written, boolean refuseHeader) {
        return new SnapshotRepository() {
            @Override
            public Stored putIfAbsent(String path, Source source, Spec spec) {
                if (path.startsWith("gc/")) {
                    if (refuseHeader && path.endsWith(".json")) throw new IllegalStateException("killed by the test");
                    written.add(path);
                }
                return real.putIfAbsent(path, source, spec);
            }

            @Override
            public InputStream get(String path, long offset, long length) {
                return real.get(path, offset, length);
            }

            @Override
            public Optional<Long> size(String path) {
                return real.size(path);
            }

            @Override
            public void list(String prefix, Consumer<String> visitor) {
                real.list(prefix, visitor);
            }

            @Override
            public void delete(String path) {
                real.delete(path);
            }

            @Override
            public String location() {
                return real.location();
            }

            @Override
            public void close() {
            }
        };
    }

    /** One snapshot of {@code keys} keys, one version each; returns its id. */
    private String oneSnapshotOf(int keys) throws Exception {
        for (int i = 0; i < keys; i++) put(String.format("m%04d", i), i);
        return snapshot(Optional.empty());
    }

    private Set<String> dataAndRanges() {
        Set<String> out = new TreeSet<>();
        for (String p : paths()) if (p.startsWith("data/") || p.startsWith("ranges/")) out.add(p);
        return out;
    }

    @Test
    void gcOfASnapshotWithNoNeighbourHoldsAtMostOnePageOfPathsAndWritesThePlanAsPagesThenItsHeader() throws Exception {
        String only = oneSnapshotOf(300);
        Set<String> expected = referenced(only);
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(only));
        List<String> written = new ArrayList<>();
        SnapshotGc gc = gc(recordingPlans(repo, written, false), "site-a").pageSize(25);

        SnapshotGc.Result r = gc.gc(false, false);

        assertEquals(300, r.dataCount());
        assertEquals(300, expected.stream().filter(p -> p.startsWith("data/")).count(), "fixture: " + expected.size());
        assertEquals(Set.of(), dataAndRanges(), "every object of the snapshot is gone");
        assertEquals(12, written.stream().filter(p -> p.contains("/data-")).count(), "300 paths in pages of 25: " + written);
        assertTrue(written.getLast().endsWith(".json") && written.stream().filter(p -> p.endsWith(".json")).count() == 1,
                "the header is written once, after every page: " + written);
        // Three streams (the snapshot and its two absent neighbours) hold one key's single version each.
        assertTrue(gc.peakPathsHeld() <= 25 + 3, "paths held at once: " + gc.peakPathsHeld());
        assertFalse(paths().stream().anyMatch(p -> p.startsWith("gc/")), "the plan and its pages are dropped");
    }

    @Test
    void aPlanOfTinyPagesDeletesExactlyWhatOnlyTheForgottenSnapshotReferencedBetweenTwoNeighbours() throws Exception {
        threeSnapshots();
        Set<String> expected = onlyInS2();
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(s2));
        Set<String> before = paths();
        List<String> written = new ArrayList<>();
        SnapshotGc gc = gc(recordingPlans(repo, written, false), "site-a").pageSize(2);

        SnapshotGc.Result r = gc.gc(false, false);

        Set<String> deleted = new TreeSet<>(before);
        deleted.removeAll(paths());
        deleted.remove("forgotten/" + s2 + ".json");
        assertEquals(expected, deleted);
        assertEquals(Set.of(), orphans());
        assertTrue(written.stream().filter(p -> p.contains("/data-")).count() > 1, written.toString());
        assertEquals(expected.stream().filter(p -> p.startsWith("data/")).count(), r.dataCount());
        // A page of 2, plus one key's versions (at most 2 here) in each of the three streams.
        assertTrue(gc.peakPathsHeld() <= 2 + 3 * 2, "paths held at once: " + gc.peakPathsHeld());
        for (String id : List.of(s1, s3)) {
            assertTrue(SnapshotReader.open(repo, locator(id), work).verify(1.0, 1).ok(), id);
        }
    }

    @Test
    void aGcKilledHalfwayThroughAPagedPlanIsFinishedByTheNextWithNoOrphans() throws Exception {
        String only = oneSnapshotOf(200);
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(only));

        // Killed after the tombstone and 45 data objects: in the third of ten pages of 20.
        assertThrows(IllegalStateException.class, () -> gc(dyingAfter(repo, 46), "site-a").pageSize(20).gc(false, false));
        assertEquals(200 - 45, paths().stream().filter(p -> p.startsWith("data/")).count());
        assertTrue(paths().stream().anyMatch(p -> p.startsWith("gc/") && p.contains("/data-00009")), "the plan stays whole");

        SnapshotGc.Result r = gc("site-a").gc(false, false);

        assertEquals(1, r.replayed().size());
        assertEquals(Set.of(), dataAndRanges());
        assertEquals(Set.of(), paths().stream().filter(p -> p.startsWith("gc/") || p.startsWith("forgotten/"))
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void pagesWrittenByAGcKilledBeforeItsHeaderDeleteNothingAndAreDroppedByTheNext() throws Exception {
        String only = oneSnapshotOf(60);
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(only));
        Set<String> before = paths();
        List<String> written = new ArrayList<>();

        assertThrows(IllegalStateException.class, () -> gc(recordingPlans(repo, written, true), "site-a").pageSize(10).gc(false, false));
        Set<String> after = paths();
        after.removeIf(p -> p.startsWith("gc/"));
        assertEquals(before, after, "no header, nothing deleted");
        assertEquals(6, written.stream().filter(p -> p.contains("/data-")).count(), "six pages of ten, no header: " + written);

        SnapshotGc.Result r = gc("site-a").gc(false, false);

        assertEquals(List.of(), r.replayed(), "pages without a header are no plan");
        assertEquals(List.of(only), r.collected());
        assertEquals(Set.of(), dataAndRanges());
        assertFalse(paths().stream().anyMatch(p -> p.startsWith("gc/")), "the headerless pages are dropped");
    }

    @Test
    void aSingleDocumentPlanAnOlderGatewayLeftIsStillReplayed() throws Exception {
        threeSnapshots();
        Set<String> expected = onlyInS2();
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(s2));
        // The form gateways before format 1.3 wrote: every path in one document.
        List<String> data = expected.stream().filter(p -> p.startsWith("data/")).toList();
        List<String> ranges = expected.stream().filter(p -> p.startsWith("ranges/")).toList();
        Map<String, Object> old = new java.util.LinkedHashMap<>();
        old.put("site", "site-a");
        old.put("created", "2026-12-06T10:00:00Z");
        old.put("forgotten", List.of(s2));
        old.put("data", data);
        old.put("ranges", ranges);
        byte[] bytes = Json.write(old).getBytes(StandardCharsets.UTF_8);
        repo.putIfAbsent("gc/20261206T100000Z-0badcafe.json", (o, n) -> new ByteArrayInputStream(bytes, (int) o, (int) n),
                SnapshotRepository.Spec.document(bytes.length, "application/json", SnapshotExporter.md5Hex(bytes)));
        Set<String> before = paths();

        SnapshotGc.Result r = gc("site-a").gc(false, false);

        assertEquals(List.of("gc/20261206T100000Z-0badcafe.json"), r.replayed());
        Set<String> deleted = new TreeSet<>(before);
        deleted.removeAll(paths());
        deleted.remove("forgotten/" + s2 + ".json");
        deleted.remove("gc/20261206T100000Z-0badcafe.json");
        assertEquals(expected, deleted);
        assertEquals(List.of(), r.collected(), "the replayed plan had collected it");
        assertEquals(Set.of(), orphans());
    }

    @Test
    void aPagedPlanWhoseHeaderNamesAnAbsentPageIsRefusedAsCorruptAndDeletesNothing() throws Exception {
        String only = oneSnapshotOf(20);
        gc("site-a").claimIfUnowned();
        gc("site-a").forget(List.of(only));
        byte[] header = ("{\"site\":\"site-a\",\"created\":\"2026-12-06T10:00:00Z\",\"forgotten\":[\"" + only
                + "\"],\"pages\":{\"data\":1,\"dataPaths\":20,\"ranges\":0,\"rangePaths\":0}}").getBytes(StandardCharsets.UTF_8);
        repo.putIfAbsent("gc/20261206T100000Z-0badcafe.json", (o, n) -> new ByteArrayInputStream(header, (int) o, (int) n),
                SnapshotRepository.Spec.document(header.length, "application/json", SnapshotExporter.md5Hex(header)));
        Set<String> before = paths();

        SnapshotException e = assertThrows(SnapshotException.class, () -> gc("site-a").gc(false, false));

        assertEquals(SnapshotException.Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("data-00000"), e.getMessage());
        assertEquals(before, paths(), "nothing is deleted, not even the tombstone");
    }
}
