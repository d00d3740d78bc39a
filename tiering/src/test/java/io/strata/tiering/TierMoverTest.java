package io.strata.tiering;

import io.strata.erasure.BlobLocation;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.cold.LocalDirectoryColdTier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Moves between a real erasure-coded hot store and a local-directory cold tier, crash included. */
class TierMoverTest {
    private static final BucketName BUCKET = new BucketName("photos");

    @TempDir
    Path dir;
    Namespace namespace;
    ErasureStore store;
    ColdTiers tiers;
    TierMover mover;
    Path coldRoot;

    /** The gateway's hot-data role, minus inline data. */
    final class Hot implements TierMover.HotData {
        @Override
        public InputStream open(ObjectVersion v, long offset, long length) {
            List<InputStream> parts = new ArrayList<>();
            long start = 0;
            for (Segment s : v.segments()) {
                long from = Math.max(offset, start), to = Math.min(offset + length, start + s.size());
                if (to > from) {
                    parts.add(store.read(((DataRef.Hot) DataRef.decode(s.ref())).location(), from - start, to - from));
                }
                start += s.size();
            }
            return new SequenceInputStream(java.util.Collections.enumeration(parts));
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
        store = ErasureStore.open(new ErasureConfig(List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 4096));
        coldRoot = dir.resolve("cold");
        tiers = new ColdTiers();
        tiers.add("COLD", "local " + coldRoot, LocalDirectoryColdTier.create(coldRoot));
        mover = new TierMover(namespace, tiers, new Hot());
    }

    @AfterEach
    void close() {
        tiers.close();
        store.close();
        namespace.close();
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    /** A committed version of {@code parts} (multipart when more than one). */
    private ObjectVersion put(String key, byte[]... parts) throws Exception {
        return put(key, Map.of(), parts);
    }

    /** As {@link #put(String, byte[]...)}, carrying the client's flexible checksums. */
    private ObjectVersion put(String key, Map<String, String> checksums, byte[]... parts) throws Exception {
        List<Segment> segments = new ArrayList<>();
        MessageDigest all = MessageDigest.getInstance("MD5");
        long size = 0;
        for (byte[] p : parts) {
            BlobLocation loc = store.write(new ByteArrayInputStream(p), p.length);
            segments.add(new Segment(p.length, loc.encode()));
            all.update(MessageDigest.getInstance("MD5").digest(p));
            size += p.length;
        }
        String etag = parts.length == 1 ? md5(parts[0]) : HexFormat.of().formatHex(all.digest()) + "-" + parts.length;
        ObjectVersion v = new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, size, etag,
                Instant.parse("2026-01-02T03:04:05.123456789Z"), "image/png", Map.of("x-strata-tagging", "a=1"),
                Map.of("camera", "x100"), checksums, parts.length == 1 ? 0 : parts.length, segments)
                .withAttributes(new ObjectAttributes(Map.of("team", "a b&c"), "public-read", ChecksumType.COMPOSITE));
        return namespace.putObject(v).version();
    }

    private byte[] readCold(ObjectVersion v, long offset, long length) throws IOException {
        byte[] out = new byte[(int) length];
        int at = 0;
        long start = 0;
        for (int i = 0; i < v.segments().size(); i++) {
            long size = v.segments().get(i).size();
            long from = Math.max(offset, start), to = Math.min(offset + length, start + size);
            if (to > from) {
                try (InputStream in = mover.openCold(v, i, from - start, to - from)) {
                    byte[] got = in.readAllBytes();
                    System.arraycopy(got, 0, out, at, got.length);
                    at += got.length;
                }
            }
            start += size;
        }
        assertEquals(length, at);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private int freeGarbage() {
        int n = 0;
        for (GarbageItem item : namespace.garbage(1000)) {
            if (!mover.freeIfCold(item)) store.delete(BlobLocation.decode(item.segment().ref()));
            n++;
        }
        namespace.removeGarbage(namespace.garbage(1000));
        return n;
    }

    private long coldFiles() throws IOException {
        if (!Files.exists(coldRoot)) return 0;
        try (var s = Files.walk(coldRoot)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aMultipartVersionMovesColdReadsBackInAnyRangeAndCarriesItsRecord() throws Exception {
        byte[] p1 = bytes(1, (5 << 20) + 17), p2 = bytes(2, (1 << 20) + 5);
        byte[] all = concat(p1, p2);
        ObjectVersion v = put("a/b.png", p1, p2);

        assertEquals(TierMover.Outcome.MOVED, mover.toCold(v, "COLD"));

        ObjectVersion cold = namespace.object(BUCKET, new ObjectKey("a/b.png")).orElseThrow();
        assertEquals("COLD", TierMover.storageClass(cold));
        assertEquals(v.etag(), cold.etag());
        assertEquals(v.attributes(), cold.attributes(), "the move keeps tags, canned ACL and checksum type");
        assertEquals(2, namespace.garbage(10).size(), "both hot blobs queued for freeing");
        assertEquals(2, freeGarbage());
        assertArrayEquals(all, readCold(cold, 0, all.length));
        for (long[] r : new long[][]{{0, 1}, {5 << 20, 100}, {(5 << 20) + 10, (1 << 20) + 12}, {all.length - 1, 1},
                {123_456, 4_000_000}}) {
            assertArrayEquals(Arrays.copyOfRange(all, (int) r[0], (int) (r[0] + r[1])), readCold(cold, r[0], r[1]));
        }
        DataRef.ColdName name = TierMover.coldName(cold).orElseThrow();
        ColdObjectInfo info = tiers.require("COLD").stat(name.id());
        ObjectVersion rebuilt = ColdRecord.toVersion(info.metadata(), info.size(), cold.segments());
        assertEquals(cold, rebuilt, "the sidecar alone rebuilds the record");
        assertTrue(namespace.work(TierMover.WORK_KIND, 10).isEmpty());
    }

    private static String checksum(io.strata.checksum.ChecksumAlgorithm a, byte[]... pieces) {
        io.strata.checksum.Checksummer c = a.newChecksummer();
        for (byte[] p : pieces) c.update(p, 0, p.length);
        return c.base64();
    }

    @Test
    void theClientsChecksumsAreVerifiedOnTheWayOutAndBackAndKept() throws Exception {
        byte[] one = bytes(7, 300_000);
        ObjectVersion single = put("single", Map.of("CRC32", checksum(io.strata.checksum.ChecksumAlgorithm.CRC32, one),
                "SHA256", checksum(io.strata.checksum.ChecksumAlgorithm.SHA256, one)), one);
        byte[] p1 = bytes(8, (5 << 20) + 3), p2 = bytes(9, 70_000);
        var crc32c = io.strata.checksum.ChecksumAlgorithm.CRC32C;
        String composite = crc32c.composite(List.of(checksum(crc32c, p1), checksum(crc32c, p2))) + "-2";
        ObjectVersion multi = put("composite", Map.of("CRC32C", composite), p1, p2);
        ObjectVersion full = put("full", Map.of("CRC64NVME", checksum(io.strata.checksum.ChecksumAlgorithm.CRC64NVME, p1, p2)), p1, p2);
        for (ObjectVersion v : List.of(single, multi, full)) {
            assertEquals(TierMover.Outcome.MOVED, mover.toCold(v, "COLD"), v.key().value());
            ObjectVersion cold = namespace.object(BUCKET, v.key()).orElseThrow();
            assertEquals(v.checksums(), cold.checksums());
            assertEquals(TierMover.Outcome.MOVED, mover.toHot(cold), v.key().value());
            ObjectVersion back = namespace.object(BUCKET, v.key()).orElseThrow();
            assertEquals("STANDARD", TierMover.storageClass(back));
            assertEquals(v.checksums(), back.checksums());
        }
    }

    @Test
    void bytesThatDoNotMakeTheClientsChecksumAreNotMoved() throws Exception {
        byte[] data = bytes(10, 200_000);
        ObjectVersion v = put("wrong", Map.of("CRC32", checksum(io.strata.checksum.ChecksumAlgorithm.CRC32, bytes(11, 200_000))), data);
        TierException e = assertThrows(TierException.class, () -> mover.toCold(v, "COLD"));
        assertTrue(e.getMessage().contains("CRC32"), e.getMessage());
        assertEquals("STANDARD", TierMover.storageClass(namespace.object(BUCKET, v.key()).orElseThrow()));
        freeGarbage();
        assertEquals(0, coldFiles(), "the unverified copy is freed");
    }

    @Test
    void aCorruptedColdBlockIsNeverServed() throws Exception {
        ObjectVersion v = put("k", bytes(3, 3 << 20));
        mover.toCold(v, "COLD");
        ObjectVersion cold = namespace.object(BUCKET, new ObjectKey("k")).orElseThrow();
        Path file;
        try (var s = Files.walk(coldRoot)) {
            file = s.filter(p -> p.getFileName().toString().startsWith("k~null.") && !p.toString().endsWith("~meta"))
                    .findFirst().orElseThrow();
        }
        byte[] raw = Files.readAllBytes(file);
        raw[(2 << 20) + 7] ^= 1;
        Files.write(file, raw);
        assertArrayEquals(Arrays.copyOfRange(bytes(3, 3 << 20), 0, 1 << 20), readCold(cold, 0, 1 << 20));
        // Found while reading: the stream fails when it reaches the bad block.
        CorruptColdDataException e = assertThrows(CorruptColdDataException.class, () -> readCold(cold, (2 << 20) - 10, 20));
        // Named well enough for an operator to find the copy: the tier and the object's key and version.
        assertEquals("COLD", e.tier());
        assertEquals("k", e.object().key());
        assertTrue(e.object().versionId().startsWith(cold.versionId()), e.object().versionId());
    }

    @Test
    void aReadStartingInACorruptedColdBlockFailsWhenOpenedBeforeAnyByteIsServed() throws Exception {
        ObjectVersion v = put("k", bytes(3, 3 << 20));
        mover.toCold(v, "COLD");
        ObjectVersion cold = namespace.object(BUCKET, new ObjectKey("k")).orElseThrow();
        Path file;
        try (var s = Files.walk(coldRoot)) {
            file = s.filter(p -> p.getFileName().toString().startsWith("k~null.") && !p.toString().endsWith("~meta"))
                    .findFirst().orElseThrow();
        }
        byte[] raw = Files.readAllBytes(file);
        raw[(2 << 20) + 7] ^= 1;
        Files.write(file, raw);
        // The first block of the range is checked by openCold itself, as the hot tier checks its first
        // stripe: a caller learns of the damage before it has answered anything.
        TierException t = assertThrows(TierException.class, () -> mover.openCold(cold, 0, 2 << 20, 10));
        assertEquals(TierException.Reason.CORRUPT, t.reason());
        CorruptColdDataException e = assertInstanceOf(CorruptColdDataException.class, t.getCause());
        assertEquals("COLD", e.tier());
        assertEquals("k", e.object().key());
    }

    @Test
    void movingBackHotFreesTheColdCopy() throws Exception {
        byte[] data = bytes(4, 200_000);
        mover.toCold(put("k", data), "COLD");
        freeGarbage();
        ObjectVersion cold = namespace.object(BUCKET, new ObjectKey("k")).orElseThrow();
        assertEquals(2, coldFiles());

        assertEquals(TierMover.Outcome.MOVED, mover.toHot(cold));
        ObjectVersion hot = namespace.object(BUCKET, new ObjectKey("k")).orElseThrow();
        assertEquals("STANDARD", TierMover.storageClass(hot));
        try (InputStream in = new Hot().open(hot, 0, hot.size())) {
            assertArrayEquals(data, in.readAllBytes());
        }
        freeGarbage();
        assertEquals(0, coldFiles(), "data and sidecar deleted");
    }

    @Test
    void aVersionOverwrittenDuringTheMoveStaysHotAndTheCopyIsFreed() throws Exception {
        ObjectVersion v = put("k", bytes(5, 1000));
        mover.afterUpload = () -> {
            try {
                put("k", bytes(6, 10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(TierMover.Outcome.CHANGED, mover.toCold(v, "COLD"));
        assertEquals(10, namespace.object(BUCKET, new ObjectKey("k")).orElseThrow().size());
        freeGarbage();
        assertEquals(0, coldFiles());
        assertTrue(namespace.work(TierMover.WORK_KIND, 10).isEmpty());
    }

    @Test
    void aCrashAfterTheUploadLeavesTheVersionHotAndRecoveryFreesTheCopy() throws Exception {
        byte[] data = bytes(7, 5000);
        ObjectVersion v = put("k", data);
        mover.afterUpload = () -> {
            throw new Error("simulated kill -9");
        };
        assertThrows(Error.class, () -> mover.toCold(v, "COLD"));
        assertEquals(v, namespace.object(BUCKET, new ObjectKey("k")).orElseThrow(), "still hot, unchanged");
        assertEquals(2, coldFiles());
        assertEquals(1, namespace.work(TierMover.WORK_KIND, 10).size());

        TierMover restarted = new TierMover(namespace, tiers, new Hot());
        assertEquals(1, restarted.recover());
        assertTrue(namespace.work(TierMover.WORK_KIND, 10).isEmpty());
        freeGarbage();
        assertEquals(0, coldFiles());
        assertEquals(TierMover.Outcome.MOVED, restarted.toCold(v, "COLD"));
        assertArrayEquals(data, readCold(namespace.object(BUCKET, new ObjectKey("k")).orElseThrow(), 0, data.length));
    }

    @Test
    void recoveryPagesThroughEveryInterruptedMoveOnBothQueuesAndLeavesOtherJobs() {
        int page = 3;
        List<byte[]> refs = new ArrayList<>();
        for (int i = 0; i < 2 * page + 1; i++) {
            refs.add(interruptedMove(TierMover.WORK_KIND, i));
        }
        // Untyped: a job of another format first, so that recovery has to read past one it leaves.
        long other = namespace.addWork(io.strata.namespace.WorkItem.UNTYPED, new byte[]{9, 9}, Instant.EPOCH).id();
        for (int i = 0; i < page + 1; i++) {
            refs.add(interruptedMove(io.strata.namespace.WorkItem.UNTYPED, 100 + i));
        }

        assertEquals(refs.size(), new TierMover(namespace, tiers, new Hot()).recover(page));

        assertTrue(namespace.work(TierMover.WORK_KIND, 100).isEmpty());
        assertEquals(List.of(other), namespace.work(io.strata.namespace.WorkItem.UNTYPED, 100).stream()
                .map(io.strata.namespace.WorkItem::id).toList());
        List<GarbageItem> garbage = namespace.garbage(100);
        assertEquals(refs.size(), garbage.size());
        for (byte[] ref : refs) {
            assertTrue(garbage.stream().anyMatch(g -> Arrays.equals(ref, g.segment().ref())), "every copy is freed");
        }
    }

    /** Records a move into COLD as toCold does before it uploads, and returns the cold reference it names. */
    private byte[] interruptedMove(String kind, int n) {
        ColdObjectId id = new ColdObjectId(BUCKET.value(), "k" + n, "v" + n);
        byte[] ref = new DataRef.Cold(java.util.Optional.of(new DataRef.ColdName("COLD", id, "COLD")), 0,
                TierMover.BLOCK_SIZE, new int[0]).encode();
        byte[] job = new byte[1 + ref.length];
        job[0] = 1;   // a move to cold
        System.arraycopy(ref, 0, job, 1, ref.length);
        namespace.addWork(kind, job, Instant.EPOCH);
        return ref;
    }

    @Test
    void anUnknownTierFailsAndChangesNothing() throws Exception {
        ObjectVersion v = put("k", bytes(8, 100));
        TierException e = assertThrows(TierException.class, () -> mover.toCold(v, "NOPE"));
        assertEquals(TierException.Reason.UNAVAILABLE, e.reason());
        assertEquals(v, namespace.object(BUCKET, new ObjectKey("k")).orElseThrow());
        assertTrue(namespace.work(TierMover.WORK_KIND, 10).isEmpty());
        assertFalse(namespace.garbage(10).stream().anyMatch(g -> true));
    }

    @Test
    void storageClassNamesThatClientsWouldSkipAreRefused() {
        for (String bad : List.of("GLACIER", "DEEP_ARCHIVE", "STANDARD", "lower", "", "A B")) {
            assertThrows(IllegalArgumentException.class, () -> ColdTiers.checkName(bad), bad);
        }
        assertEquals("ARCHIVE-1", ColdTiers.checkName("ARCHIVE-1"));
        assertInstanceOf(ColdTiers.class, tiers);
    }
}
