package io.strata.gateway.objects;

import io.strata.erasure.BlobLocation;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureException;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.Segment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The orphan collector over a real drive store and a real RocksDB namespace. */
class OrphanCollectorTest {
    private static final BucketName PLAIN = new BucketName("plain");
    private static final BucketName VERSIONED = new BucketName("versioned");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** An hour from now: with the default 15 minutes of grace every blob written by the test is old. */
    private static final Clock LATER = Clock.fixed(Instant.now().plus(Duration.ofHours(1)), ZoneOffset.UTC);

    @TempDir
    Path dir;
    private Namespace namespace;
    private ErasureStore store;
    private int sequence;

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 6; i++) drives.add(dir.resolve("drives/d" + i));
        store = ErasureStore.open(new ErasureConfig(drives, 4, 2, 64 * 1024));
        namespace.createBucket(new Bucket(PLAIN, T0, "us-east-1", "owner"));
        namespace.createBucket(new Bucket(VERSIONED, T0, "us-east-1", "owner"));
        namespace.setVersioning(VERSIONED, BucketVersioning.ENABLED);
    }

    @AfterEach
    void close() {
        store.close();
        namespace.close();
    }

    private Segment blob(int size) {
        byte[] data = bytes(size, ++sequence);
        BlobLocation location = store.write(new ByteArrayInputStream(data), size);
        return new Segment(size, location.encode());
    }

    private static byte[] bytes(int size, int seed) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = (byte) (i * 31 + seed);
        return data;
    }

    private static ObjectVersion version(BucketName bucket, String key, Segment... segments) {
        long size = 0;
        for (Segment s : segments) size += s.size();
        return new ObjectVersion(bucket, new ObjectKey(key), ObjectVersion.NULL_VERSION, size,
                "d41d8cd98f00b204e9800998ecf8427e", T0, "application/octet-stream", Map.of(), Map.of(), Map.of(),
                segments.length > 1 ? segments.length : 0, List.of(segments));
    }

    private boolean readable(Segment segment) {
        try (InputStream in = store.read(BlobLocation.decode(segment.ref()), 0, segment.size())) {
            in.readAllBytes(); // a few KiB of test data
            return true;
        } catch (ErasureException e) {
            return false;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Set<String> blobsOnDisk() {
        Set<String> ids = new HashSet<>();
        store.forEachBlob(b -> ids.add(b.id()));
        return ids;
    }

    private OrphanCollector collector(Clock clock) {
        return new OrphanCollector(namespace, store, OrphanCollector.DEFAULT_GRACE, clock, new BlobPins());
    }

    @Test
    void deletesOldUnreferencedBlobsAndKeepsEveryReferencedOne() {
        Segment current = blob(100_000);
        Segment noncurrent = blob(70_000);
        Segment part1 = blob(300_000);
        Segment part2 = blob(1000);
        Segment queued = blob(5000);
        Segment inProgressPart = blob(2000);
        Segment orphan1 = blob(123_456);
        Segment orphan2 = blob(10);
        namespace.putObject(version(VERSIONED, "k", noncurrent));
        namespace.putObject(version(VERSIONED, "k", current));
        MultipartUpload done = new MultipartUpload(PLAIN, new ObjectKey("multi"), "u1", T0, "owner", "", Map.of(), Map.of(), "");
        namespace.createUpload(done);
        namespace.putPart(PLAIN, done.key(), "u1", new Part(1, part1.size(), "e1", T0, Map.of(), part1));
        namespace.putPart(PLAIN, done.key(), "u1", new Part(2, part2.size(), "e2", T0, Map.of(), part2));
        namespace.completeUpload("u1", version(PLAIN, "multi", part1, part2));
        MultipartUpload open = new MultipartUpload(PLAIN, new ObjectKey("open"), "u2", T0, "owner", "", Map.of(), Map.of(), "");
        namespace.createUpload(open);
        namespace.putPart(PLAIN, open.key(), "u2", new Part(1, inProgressPart.size(), "e3", T0, Map.of(), inProgressPart));
        namespace.addGarbage(List.of(queued));

        OrphanCollector.Pass pass = collector(LATER).collect();

        assertEquals(8, pass.listed());
        assertEquals(6, pass.referenced());
        assertEquals(2, pass.collected());
        assertEquals(123_456 + 10, pass.collectedBytes());
        assertEquals(0, pass.failed());
        for (Segment kept : List.of(current, noncurrent, part1, part2, queued, inProgressPart)) {
            assertTrue(readable(kept), "referenced blob must survive");
        }
        assertFalse(readable(orphan1));
        assertFalse(readable(orphan2));
        assertEquals(6, blobsOnDisk().size());
        assertEquals(0, collector(LATER).collect().collected(), "a second pass finds nothing");
    }

    @Test
    void leavesBlobsYoungerThanTheGracePeriodAlone() {
        Segment orphan = blob(4096);
        OrphanCollector.Pass pass = collector(Clock.systemUTC()).collect();
        assertEquals(1, pass.young());
        assertEquals(0, pass.collected());
        assertTrue(readable(orphan));
        assertEquals(1, new OrphanCollector(namespace, store, Duration.ZERO, LATER, new BlobPins()).collect().collected());
        assertFalse(readable(orphan));
    }

    @Test
    void leavesBlobsPinnedByAWriteInFlightAlone() {
        BlobPins pins = new BlobPins();
        Segment inFlight = blob(4096);
        BlobLocation location = BlobLocation.decode(inFlight.ref());
        pins.pin(location);
        pins.pin(location);
        OrphanCollector collector = new OrphanCollector(namespace, store, Duration.ZERO, LATER, pins);
        assertEquals(1, collector.collect().pinned());
        pins.unpin(inFlight);
        assertEquals(1, collector.collect().pinned(), "pinned twice, unpinned once");
        assertTrue(readable(inFlight));
        pins.unpin(location);
        assertEquals(0, pins.size());
        assertEquals(1, collector.collect().collected());
        assertFalse(readable(inFlight));
    }

    @Test
    void aPinnedBlobFoundReferencedIsReleased() {
        BlobPins pins = new BlobPins();
        Segment recalled = blob(4096);
        pins.pin(BlobLocation.decode(recalled.ref())); // a writer that commits elsewhere and never unpins
        namespace.putObject(version(PLAIN, "recalled", recalled));
        OrphanCollector.Pass pass = new OrphanCollector(namespace, store, Duration.ZERO, LATER, pins).collect();
        assertEquals(1, pass.referenced());
        assertEquals(0, pass.pinned());
        assertEquals(0, pins.size());
        assertTrue(readable(recalled));
    }

    @Test
    void referencesThatAreNotErasureLocationsMarkNothing() {
        Segment orphan = blob(4096);
        byte[] inline = {(byte) 0xF1, 1, 'h', 'i'};
        namespace.putObject(version(PLAIN, "inline", new Segment(2, inline)));
        namespace.addGarbage(List.of(new Segment(3, new byte[] {1, 2, 3}), new Segment(0, new byte[0])));
        OrphanCollector.Pass pass = collector(LATER).collect();
        assertEquals(0, pass.referenced());
        assertEquals(1, pass.collected());
        assertFalse(readable(orphan));
    }

    @Test
    void erasureBlobIdDecodesOnlyErasureLocations() {
        Segment s = blob(10);
        assertEquals(BlobLocation.decode(s.ref()).id(), OrphanCollector.erasureBlobId(s.ref()));
        assertNull(OrphanCollector.erasureBlobId(new byte[0]));
        assertNull(OrphanCollector.erasureBlobId(new byte[] {(byte) 0xF2, 1, 0}));
        assertNull(OrphanCollector.erasureBlobId(new byte[] {1, 2, 3}));
        byte[] corrupt = s.ref();
        corrupt[5] ^= 1;
        assertNull(OrphanCollector.erasureBlobId(corrupt), "checksum mismatch");
    }

    @Test
    void manyOrphansAreCollectedInSlicesWithBoundedCandidates() {
        Segment kept = blob(100);
        namespace.putObject(version(PLAIN, "kept", kept));
        for (int i = 0; i < 12; i++) blob(100);
        OrphanCollector collector = new OrphanCollector(namespace, store, Duration.ZERO, LATER, new BlobPins(), 3);
        OrphanCollector.Pass first = collector.collect();
        assertTrue(first.truncated());
        assertTrue(first.collected() <= 3);
        int passes = 1;
        while (blobsOnDisk().size() > 1) {
            assertTrue(passes++ < 600, "slicing makes progress");
            collector.collect();
        }
        assertEquals(Set.of(BlobLocation.decode(kept.ref()).id()), blobsOnDisk());
        assertTrue(readable(kept));
        assertEquals(12, collector.collectedBlobs());
    }

    @Test
    void collectingAfterTheStoreIsClosedFailsWithoutDeleting() {
        Segment orphan = blob(100);
        store.close();
        assertThrows(IllegalStateException.class, () -> collector(LATER).collect());
        ErasureStore reopened = ErasureStore.open(new ErasureConfig(
                List.of(dir.resolve("drives/d1"), dir.resolve("drives/d2"), dir.resolve("drives/d3"),
                        dir.resolve("drives/d4"), dir.resolve("drives/d5"), dir.resolve("drives/d6")), 4, 2, 64 * 1024));
        try (InputStream in = reopened.read(BlobLocation.decode(orphan.ref()), 0, 100)) {
            assertArrayEquals(bytes(100, sequence), in.readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            reopened.close();
        }
    }
}
