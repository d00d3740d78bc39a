package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChangePage;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceView;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incremental snapshot of buckets that did not change since its parent names the parent's range
 * files again without listing a single version (the check is the checkpoint's change log), and any
 * change that could alter a range (a version written, deleted, retagged or moved between tiers, or a
 * log that no longer reaches back) makes it list and export as before.
 */
class SnapshotUnchangedIncrementalTest {
    private static final BucketName PLAIN = new BucketName("plain");
    private static final int KEYS = 128;
    /** About 32 keys per range: several range files for {@value #KEYS} keys. */
    private static final SnapshotExporter.Options OPTIONS = new SnapshotExporter.Options(false, 5, 65_536);

    @TempDir
    Path dir;
    private SnapshotFixture fx;
    private SnapshotRepository repo;
    private Path work;

    @BeforeEach
    void open() throws Exception {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = LocalDirectoryRepository.create(dir.resolve("repo"));
        work = Files.createDirectories(dir.resolve("work"));
        fx.bucket("plain");
        fx.bucket("other");
        for (int i = 0; i < KEYS; i++) put("plain", String.format("k%04d", i), i);
    }

    @AfterEach
    void close() {
        repo.close();
        fx.close();
    }

    private ObjectVersion put(String bucket, String key, int seed) throws Exception {
        return fx.put(bucket, key, new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, true,
                Instant.parse("2026-12-06T10:00:00Z").plusSeconds(seed)), bytes(seed, 32));
    }

    /** A view that counts the versions listed from it. */
    private static final class CountingView implements NamespaceView {
        final NamespaceView inner;
        final AtomicInteger listed = new AtomicInteger();

        CountingView(NamespaceView inner) {
            this.inner = inner;
        }

        @Override
        public long sequence() {
            return inner.sequence();
        }

        @Override
        public Instant takenAt() {
            return inner.takenAt();
        }

        @Override
        public List<Bucket> buckets() {
            return inner.buckets();
        }

        @Override
        public Optional<Bucket> bucket(BucketName name) {
            return inner.bucket(name);
        }

        @Override
        public SortedMap<String, byte[]> bucketConfigs(BucketName bucket) {
            return inner.bucketConfigs(bucket);
        }

        @Override
        public VersionPage listVersions(BucketName bucket, VersionQuery query) {
            VersionPage page = inner.listVersions(bucket, query);
            listed.addAndGet(page.versions().size());
            return page;
        }

        @Override
        public ChangePage changes(long afterSequence, int limit) {
            return inner.changes(afterSequence, limit);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Exports {@code buckets} from a fresh checkpoint; {@code listed} gets the versions listed. */
    private SnapshotExporter.Result export(List<BucketName> buckets, Optional<String> parent, AtomicInteger listed) {
        Path checkpoint = work.resolve("checkpoint");
        fx.namespace.checkpoint("snapshot:test", checkpoint);
        try (CountingView view = new CountingView(Namespace.openCheckpoint(checkpoint))) {
            SnapshotExporter.Result r = new SnapshotExporter(repo, fx.data, work, OPTIONS).export(view, buckets, parent);
            listed.set(view.listed.get());
            return r;
        } finally {
            SnapshotExporter.deleteTree(checkpoint);
            fx.namespace.releaseGarbageMark("snapshot:test");
        }
    }

    private List<SnapshotEntry> entries(SnapshotExporter.Result r) {
        SnapshotReader reader = SnapshotReader.open(repo, SnapshotLocator.parse(r.locator().toString()), work);
        List<SnapshotEntry> out = new ArrayList<>();
        reader.forEachEntry("plain", out::add);
        return out;
    }

    @Test
    void aNoChangeIncrementalNamesTheParentsRangesWithoutListingAnyVersion() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        SnapshotExporter.Result first = export(List.of(PLAIN), Optional.empty(), listed);
        assertEquals(KEYS, listed.get());
        List<SnapshotRoot.RangeRef> ranges = first.root().bucket("plain").orElseThrow().ranges();
        assertTrue(ranges.size() >= 3, "ranges: " + ranges.size());
        // Writes to a bucket the snapshot does not cover change nothing in it.
        put("other", "elsewhere", 9999);

        SnapshotExporter.Result second = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(0, listed.get(), "no version listed");
        assertEquals(ranges, second.root().bucket("plain").orElseThrow().ranges());
        assertEquals(Optional.of(first.root().snapshot()), second.root().parent());
        assertEquals(KEYS, second.versions());
        assertEquals(0, second.dataUploaded());
        assertEquals(KEYS, second.dataReused());
        assertEquals(0, second.rangesUploaded());
        assertEquals(ranges.size(), second.rangesReused());
        assertTrue(second.root().sequence() > first.root().sequence());

        List<SnapshotEntry> got = entries(second);
        assertEquals(KEYS, got.size());
        SnapshotReader reader = SnapshotReader.open(repo, SnapshotLocator.parse(second.locator().toString()), work);
        try (InputStream in = reader.open(got.get(123 % KEYS))) {
            assertArrayEquals(bytes(123 % KEYS, 32), in.readAllBytes());
        }
    }

    @Test
    void aVersionWrittenAfterTheParentIsListedAndExported() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        SnapshotExporter.Result first = export(List.of(PLAIN), Optional.empty(), listed);
        put("plain", "k0007", 5000);

        SnapshotExporter.Result second = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(KEYS, listed.get());
        assertEquals(1, second.dataUploaded());
        SnapshotReader reader = SnapshotReader.open(repo, SnapshotLocator.parse(second.locator().toString()), work);
        try (InputStream in = reader.open(entries(second).get(7))) {
            assertArrayEquals(bytes(5000, 32), in.readAllBytes());
        }
    }

    @Test
    void aRetaggedOrDeletedVersionIsListedAndExported() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        SnapshotExporter.Result first = export(List.of(PLAIN), Optional.empty(), listed);
        ObjectVersion v = fx.namespace.latest(PLAIN, new ObjectKey("k0003")).orElseThrow();
        fx.namespace.replaceVersion(v, new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified(), v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(), v.segments(),
                false, v.partChecksums(), v.attributes().withTags(Map.of("team", "blue"))));
        SnapshotExporter.Result retagged = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(KEYS, listed.get());
        assertEquals(Map.of("team", "blue"), entries(retagged).get(3).attributes().tags());

        fx.namespace.deleteObject(PLAIN, new ObjectKey("k0004"));
        SnapshotExporter.Result deleted = export(List.of(PLAIN), Optional.of(retagged.root().snapshot()), listed);
        assertEquals(KEYS - 1, listed.get());
        assertEquals(KEYS - 1, deleted.versions());
    }

    @Test
    void aVersionMovedToAColdTierAfterTheParentIsReferencedThere() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        SnapshotExporter.Result first = export(List.of(PLAIN), Optional.empty(), listed);
        ObjectVersion v = fx.namespace.latest(PLAIN, new ObjectKey("k0010")).orElseThrow();
        assertEquals(TierMover.Outcome.MOVED, fx.mover.toCold(v, "COLD"));

        SnapshotExporter.Result second = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(KEYS, listed.get());
        assertEquals(1, second.coldReferenced());
        assertInstanceOf(SnapshotEntry.InColdTier.class, entries(second).get(10).data().orElseThrow());
    }

    @Test
    void aChangeLogTrimmedPastTheParentMakesTheExportListTheBucket() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        SnapshotExporter.Result first = export(List.of(PLAIN), Optional.empty(), listed);
        put("other", "elsewhere", 9999);
        fx.namespace.changeFeed().trim();   // no cursor: every entry goes, the parent's sequence with them

        SnapshotExporter.Result second = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(KEYS, listed.get(), "listed, since the log cannot tell");
        assertEquals(first.root().bucket("plain").orElseThrow().ranges(), second.root().bucket("plain").orElseThrow().ranges());
        assertEquals(0, second.dataUploaded());
    }

    @Test
    void aParentCoveringOtherBucketsIsNotNamedAgainWhole() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        put("other", "o1", 7000);
        SnapshotExporter.Result first = export(List.of(), Optional.empty(), listed);   // plain and other
        SnapshotExporter.Result second = export(List.of(PLAIN), Optional.of(first.root().snapshot()), listed);
        assertEquals(KEYS, listed.get());
        assertEquals(List.of("plain"), second.root().buckets().stream().map(SnapshotRoot.BucketRoot::name).toList());
        assertEquals(KEYS, second.versions());
    }
}
