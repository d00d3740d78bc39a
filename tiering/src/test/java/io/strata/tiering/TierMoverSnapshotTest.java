package io.strata.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TierMover#fromSnapshot}: hydrating restored versions whose bytes a snapshot repository holds. */
class TierMoverSnapshotTest {
    private static final BucketName BUCKET = new BucketName("restored");
    private static final String ID = "fff99e029c39a9f915ef427127fa9ec6";

    @TempDir
    Path dir;
    Namespace namespace;
    ErasureStore store;
    TierMover mover;
    /** What the repository serves, by data path; a test may damage it. */
    final Map<String, byte[]> repository = new java.util.HashMap<>();

    /** Reads of snapshot-held versions through the checked path, which caches a copy of each. */
    final java.util.concurrent.atomic.AtomicInteger cachedReads = new java.util.concurrent.atomic.AtomicInteger();

    /** The gateway's read path: snapshot-held versions from {@link #repository}, the rest from the erasure store. */
    final class Data implements TierMover.HotData {
        @Override
        public InputStream openSnapshotHeld(ObjectVersion v, long offset, long length) {
            DataRef.Snapshot s = (DataRef.Snapshot) DataRef.decode(v.segments().getFirst().ref());
            return new ByteArrayInputStream(repository.get(s.head().orElseThrow().path()), (int) offset, (int) length);
        }

        @Override
        public InputStream open(ObjectVersion v, long offset, long length) {
            if (TierMover.snapshotHeld(v)) {
                cachedReads.incrementAndGet();
                return openSnapshotHeld(v, offset, length);
            }
            List<InputStream> parts = new ArrayList<>();
            long start = 0;
            for (Segment s : v.segments()) {
                long from = Math.max(offset, start);
                long to = Math.min(offset + length, start + s.size());
                if (to > from) parts.add(store.read(((DataRef.Hot) DataRef.decode(s.ref())).location(), from - start, to - from));
                start += s.size();
            }
            return new SequenceInputStream(Collections.enumeration(parts));
        }

        @Override
        public Segment write(ObjectVersion version, InputStream data, long length) {
            return new Segment(length, store.write(data, length).encode());
        }
    }

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        store = ErasureStore.open(new ErasureConfig(List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 4096));
        mover = new TierMover(namespace, new ColdTiers(), new Data());
    }

    @AfterEach
    void close() {
        store.close();
        namespace.close();
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A two-part version as a restore imports it: original id, its bytes in the repository at {@code path}. */
    private ObjectVersion restored(String key, String path, byte[] part1, byte[] part2) throws Exception {
        byte[] whole = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, whole, 0, part1.length);
        System.arraycopy(part2, 0, whole, part1.length, part2.length);
        repository.put(path, whole);
        MessageDigest all = MessageDigest.getInstance("MD5");
        all.update(MessageDigest.getInstance("MD5").digest(part1));
        all.update(MessageDigest.getInstance("MD5").digest(part2));
        byte[] head = new DataRef.Snapshot(Optional.of(new DataRef.SnapshotName("restored", path, Optional.empty()))).encode();
        byte[] next = new DataRef.Snapshot(Optional.empty()).encode();
        ObjectVersion v = new ObjectVersion(BUCKET, new ObjectKey(key), ID, whole.length, HexFormat.of().formatHex(all.digest()) + "-2",
                Instant.parse("2026-01-02T03:04:05.123456789Z"), "application/x-big", Map.of(), Map.of("m", "1"), Map.of(), 2,
                List.of(new Segment(part1.length, head), new Segment(part2.length, next)));
        assertEquals(1, namespace.importVersions(BUCKET, List.of(v)));
        return namespace.version(BUCKET, v.key(), ID).orElseThrow();
    }

    @Test
    void hydrationCopiesTheBytesChecksThemAndPointsTheSameVersionAtTheHotCopy() throws Exception {
        byte[] p1 = bytes(1, 10_000);
        byte[] p2 = bytes(2, 3_000);
        ObjectVersion v = restored("k", "data/src/k/@" + ID, p1, p2);
        assertEquals(TierMover.Outcome.MOVED, mover.fromSnapshot(v));
        ObjectVersion now = namespace.version(BUCKET, v.key(), ID).orElseThrow();
        assertTrue(!TierMover.snapshotHeld(now));
        assertEquals(List.of(10_000L, 3_000L), now.segments().stream().map(Segment::size).toList());
        assertEquals(v.etag(), now.etag());
        assertEquals(v.lastModified(), now.lastModified());
        try (InputStream in = new Data().open(now, 0, now.size())) {
            assertArrayEquals(repository.get("data/src/k/@" + ID), in.readAllBytes());
        }
        // What the version dropped are references into the repository, queued only to be dropped.
        for (GarbageItem g : namespace.garbage(10)) assertTrue(DataRef.decode(g.segment().ref()) instanceof DataRef.Snapshot);
        assertEquals(TierMover.Outcome.SKIPPED, mover.fromSnapshot(now), "hydrated already");
    }

    @Test
    void aVersionDeletedMeanwhileIsLeftAloneAndTheCopyGoesToGarbage() throws Exception {
        ObjectVersion v = restored("k", "data/src/k/@" + ID, bytes(3, 5_000), bytes(4, 100));
        namespace.deleteVersion(BUCKET, v.key(), ID);
        int before = namespace.garbage(100).size();
        assertEquals(TierMover.Outcome.CHANGED, mover.fromSnapshot(v));
        List<GarbageItem> garbage = namespace.garbage(100);
        assertEquals(before + 2, garbage.size(), "the two hot segments written");
        assertEquals(Optional.empty(), namespace.version(BUCKET, v.key(), ID));
    }

    @Test
    void hydrationReadsTheRepositoryStraightWithoutACachedCopyFirst() throws Exception {
        // A cached copy per version is a second disk pass and, for 10^6 tiny versions, 10^6 cache
        // entries; the move's own ETag and checksum checks make it unnecessary (see the next test).
        ObjectVersion v = restored("k", "data/src/k/@" + ID, bytes(3, 7_000), bytes(4, 10));
        assertEquals(TierMover.Outcome.MOVED, mover.fromSnapshot(v));
        assertEquals(0, cachedReads.get(), "reads through the checked, cached path");
    }

    @Test
    void bytesThatDifferFromTheRecordAreRefusedAndTheVersionStaysInTheSnapshot() throws Exception {
        ObjectVersion v = restored("k", "data/src/k/@" + ID, bytes(5, 5_000), bytes(6, 100));
        repository.get("data/src/k/@" + ID)[4_000] ^= 1;
        TierException e = assertThrows(TierException.class, () -> mover.fromSnapshot(v));
        assertEquals(TierException.Reason.CORRUPT, e.reason());
        assertEquals(v, namespace.version(BUCKET, v.key(), ID).orElseThrow());
    }
}
