package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small-shard segment store: records, group commit, tombstones, scans, heal and scrub. */
class SegmentStoreTest {
    private static final int K = 4;
    private static final int M = 2;
    private static final int BLOCK = 16 << 10;
    /** Shards up to 64 KiB go to segments: blobs up to 256 KiB at 4+2. */
    private static final int SHARD_MAX = 64 << 10;

    @TempDir
    Path dir;

    private final Random random = new Random(7);
    private final List<ErasureStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(ErasureStore::close);
    }

    private ErasureConfig config(int shardMax) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < K + M; i++) paths.add(dir.resolve("drive" + i));
        return new ErasureConfig(paths, K, M, BLOCK, shardMax);
    }

    private DriveErasureStore open(int shardMax) {
        DriveErasureStore store = (DriveErasureStore) ErasureStore.open(config(shardMax));
        opened.add(store);
        return store;
    }

    private DriveErasureStore reopen(ErasureStore old) {
        old.close();
        return open(SHARD_MAX);
    }

    private byte[] bytes(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static byte[] readAll(ErasureStore store, BlobLocation location) throws IOException {
        try (InputStream in = store.read(location, 0, location.size())) {
            return in.readAllBytes();
        }
    }

    private static ErasureBlobLocation write(ErasureStore store, byte[] data) {
        return (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length, BlobOwner.object("b", "k"));
    }

    private long files(String subdir) throws IOException {
        long count = 0;
        for (int i = 0; i < K + M; i++) {
            Path p = dir.resolve("drive" + i).resolve(subdir);
            if (!Files.isDirectory(p)) continue;
            try (Stream<Path> walk = Files.walk(p)) {
                count += walk.filter(Files::isRegularFile).count();
            }
        }
        return count;
    }

    private Path segmentFile(ErasureBlobLocation location, int shard) {
        SegmentRef ref = location.segmentRef(shard);
        return dir.resolve("drive" + location.drive(shard)).resolve("segments")
                .resolve(HexFormat.of().toHexDigits(ref.segment()) + ".seg");
    }

    private static void overwrite(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    private static Map<String, StoredBlob> inventory(ErasureStore store) {
        Map<String, StoredBlob> blobs = new HashMap<>();
        store.forEachBlob(b -> assertNull(blobs.put(b.id(), b), "reported twice: " + b.id()));
        return blobs;
    }

    private static long sum(ErasureStore store, java.util.function.ToLongFunction<DriveStatus> f) {
        return store.drives().stream().mapToLong(f).sum();
    }

    @Test
    void smallBlobsGoToSegmentsAndReadBack() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        // one byte, one short stripe, several stripes, exactly at the threshold, just above it
        int[] sizes = {1, 1000, 3 * BLOCK * K + 5, SHARD_MAX * K, SHARD_MAX * K + 1};
        List<byte[]> data = new ArrayList<>();
        List<ErasureBlobLocation> locations = new ArrayList<>();
        for (int size : sizes) {
            byte[] d = bytes(size);
            data.add(d);
            locations.add(write(store, d));
        }
        for (int i = 0; i < sizes.length; i++) {
            ErasureBlobLocation loc = locations.get(i);
            assertEquals(i < sizes.length - 1, loc.inSegments(), "size " + sizes[i]);
            assertEquals(loc, BlobLocation.decode(loc.encode()), "the location survives the namespace");
            assertArrayEquals(data.get(i), readAll(store, BlobLocation.decode(loc.encode())), "size " + sizes[i]);
        }
        try (InputStream in = store.read(locations.get(2), 5000, 40_000)) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data.get(2), 5000, 45_000), in.readAllBytes(), "a range");
        }
        store = reopen(store);
        for (int i = 0; i < sizes.length; i++) assertArrayEquals(data.get(i), readAll(store, locations.get(i)), "after reopen");
        assertEquals(0, store.degradedReads(), "every record verified, nothing rebuilt");
    }

    @Test
    void segmentWritesCreateNoFilePerObject() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        for (int i = 0; i < 40; i++) write(store, bytes(20_000 + i));
        assertEquals(0, files("blobs"), "no shard files");
        assertEquals(0, files("tmp"), "no temporary files");
        long segments = files("segments");
        assertTrue(segments >= K + M && segments <= (K + M) * DriveSegments.ACTIVE, "a few segments per drive: " + segments);
        assertEquals(segments, sum(store, DriveStatus::segments), "drive status counts them");
        assertTrue(sum(store, DriveStatus::segmentLiveBytes) > 40 * 20_000L * (K + M) / K, "live bytes counted");
    }

    /** Runs {@code task} on a thread whose interrupt flag is set, as a request's thread is when its client goes. */
    private static void onInterruptedThread(Runnable task) {
        Thread t = Thread.ofVirtual().unstarted(() -> {
            Thread.currentThread().interrupt();
            task.run();
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Test
    void anAppendInterruptedDuringAGroupCommitNeitherFailsTheSyncNorMarksTheDriveFaulty() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        DriveSegments segments = store.segments(0);
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        // While the group commit syncs this write's record, another write appends to the same
        // segment from an interrupted thread: its channel write fails (ClosedByInterruptException)
        // and closes the channel it wrote through.
        segments.syncHook(id -> {
            if (!once.compareAndSet(false, true)) return;
            onInterruptedThread(() -> {
                try {
                    segments.appendShard(new byte[SegmentRecord.FIXED], new ByteBuffer[0], 0);
                } catch (IOException expected) {
                    // the interrupted append fails; that is its own business
                }
            });
        });
        byte[] data = bytes(100_000);
        ErasureBlobLocation location = write(store, data);
        assertTrue(once.get(), "the interrupted append ran during a sync");
        for (DriveStatus d : store.drives()) assertEquals(DriveStatus.State.ONLINE, d.state(), "drive " + d.index() + ": " + d.detail());
        assertNotNull(location.segmentRef(0), "the shard on drive 0 was acknowledged");
        assertArrayEquals(data, readAll(store, location));
        assertEquals(0, store.degradedReads(), "no shard was lost");
    }

    @Test
    void readersInterruptedOnSharedSegmentChannelsDoNotFailAnotherStream() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        byte[] data = bytes(4 * BLOCK * K);   // four stripes, every shard in a segment record
        ErasureBlobLocation location = write(store, data);
        assertTrue(location.inSegments());
        try (InputStream in = store.read(location, 0, data.length)) {
            byte[] first = in.readNBytes(BLOCK * K);
            // Three other requests read one block each of shards 0..2 and are interrupted (their
            // clients went away): each read closes its segment's read channel, which every
            // stream of that segment shares.
            for (int shard = 0; shard < M + 1; shard++) {
                long at = (long) shard * BLOCK;
                onInterruptedThread(() -> {
                    try (InputStream other = store.read(location, at, 1)) {
                        other.read();
                    } catch (IOException | RuntimeException expected) {
                        // interrupted: that request fails, nobody else's
                    }
                });
            }
            byte[] rest = in.readAllBytes();
            byte[] all = new byte[data.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(rest, 0, all, first.length, rest.length);
            assertArrayEquals(data, all);
        }
        for (DriveStatus d : store.drives()) assertEquals(DriveStatus.State.ONLINE, d.state(), "drive " + d.index() + ": " + d.detail());
        assertEquals(0, store.degradedReads(), "no shard was taken for bad");
    }

    @Test
    void aSegmentWalkGoesOnWhenAnotherReadersInterruptClosesTheSharedChannel() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        List<ErasureBlobLocation> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) written.add(write(store, bytes(30_000)));
        SegmentRef first = written.get(0).segmentRef(0);
        int drive = written.get(0).drive(0);
        SegmentUsage usage = store.segments().stream()
                .filter(u -> u.drive() == drive && u.segment().equals(HexFormat.of().toHexDigits(first.segment())))
                .findFirst().orElseThrow();
        List<String> seen = new ArrayList<>();
        store.forEachBlobIn(usage, blob -> {
            if (seen.isEmpty()) {
                // a request reading this drive's shard is interrupted (its client went away) and
                // closes the segment's shared read channel while the walk is between records
                onInterruptedThread(() -> {
                    try (InputStream other = store.read(written.get(0), 0, 1)) {
                        other.read();
                    } catch (IOException | RuntimeException expected) {
                        // interrupted: that request fails, nobody else's
                    }
                });
            }
            seen.add(blob.blobId());
        });
        assertEquals(written.stream().map(ErasureBlobLocation::id).toList(), seen, "every record of the segment walked");
        for (DriveStatus d : store.drives()) assertEquals(DriveStatus.State.ONLINE, d.state(), "drive " + d.index() + ": " + d.detail());
    }

    @Test
    void concurrentWritersShareFsyncs() throws Exception {
        DriveErasureStore store = open(SHARD_MAX);
        int writers = 16;
        int each = 8;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte[] d = bytes(30_000);
                futures.add(executor.submit(() -> {
                    for (int i = 0; i < each; i++) assertArrayEquals(d, readAll(store, write(store, d)));
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        long fsyncs = sum(store, DriveStatus::fsyncs);
        long shardWrites = (long) writers * each * (K + M);
        // Without group commit each shard write needs at least one fsync of its own.
        assertTrue(fsyncs < shardWrites, "fsyncs " + fsyncs + " for " + shardWrites + " shard writes");
    }

    @Test
    void tornTailIsIgnoredAtReopenAndEarlierRecordsRead() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        byte[] first = bytes(50_000);
        ErasureBlobLocation a = write(store, first);
        ErasureBlobLocation torn = write(store, bytes(50_000));
        ErasureBlobLocation garbage = write(store, bytes(50_000));
        store.close();
        for (int shard = 0; shard < K + M; shard++) {
            // torn: cut mid-record, as a crash while the record was written leaves it
            SegmentRef ref = torn.segmentRef(shard);
            overwrite(segmentFile(torn, shard), ref.offset() + 100, new byte[ref.length() - 100]);
            // garbage where a record header should be
            overwrite(segmentFile(garbage, shard), garbage.segmentRef(shard).offset(), bytes(300));
        }
        store = reopen(store);
        assertArrayEquals(first, readAll(store, a), "records before the torn one read");
        DriveErasureStore s = store;
        assertThrows(ErasureException.class, () -> readAll(s, garbage), "the garbage record is not a shard");
        Map<String, StoredBlob> blobs = inventory(store);
        assertTrue(blobs.containsKey(a.id()), "the sound blob is listed");
        assertFalse(blobs.containsKey(garbage.id()), "nothing after the garbage is listed");
        byte[] later = bytes(40_000);
        assertArrayEquals(later, readAll(store, write(store, later)), "new writes go on after a torn tail");
    }

    @Test
    void aSegmentWithACorruptRecordInTheMiddleIsNeverDeletedAsAllDead() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        ErasureBlobLocation before = write(store, bytes(40_000));
        ErasureBlobLocation corrupt = write(store, bytes(40_000));
        byte[] behind = bytes(40_000);
        ErasureBlobLocation after = write(store, behind);
        store.close();
        // bitrot in one record header on the drive holding the data shard 0 of the blob written
        // after it: a scan cannot see past it, but that shard must still be read from its record
        int drive = after.drive(0);
        int shard = 0;
        while (corrupt.drive(shard) != drive) shard++;
        assertEquals(corrupt.segmentRef(shard).segment(), after.segmentRef(0).segment(), "one segment holds both");
        overwrite(segmentFile(corrupt, shard), corrupt.segmentRef(shard).offset() + 4, new byte[] {9, 9});
        store = reopen(store);
        store.delete(before); // the only record the scan of that segment can see
        long degraded = store.degradedReads();
        assertArrayEquals(behind, readAll(store, after), "the record behind the corrupt one is still there");
        assertEquals(degraded, store.degradedReads(), "read from its record, not rebuilt from parity");
    }

    @Test
    void deleteThenReopenKeepsTheBlobGoneAndItsSpaceDead() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        ErasureBlobLocation gone = write(store, bytes(60_000));
        byte[] kept = bytes(60_000);
        ErasureBlobLocation stays = write(store, kept);
        // more records, so the deleted blob's segments keep live ones and are not removed at reopen
        List<ErasureBlobLocation> others = new ArrayList<>();
        for (int i = 0; i < 2 * DriveSegments.ACTIVE; i++) others.add(write(store, bytes(20_000)));
        store.delete(gone);
        store.delete(gone); // idempotent
        long dead = sum(store, DriveStatus::segmentDeadBytes);
        long shardRecords = 0;
        for (SegmentRef ref : gone.segmentRefs()) shardRecords += ref.length();
        assertEquals(shardRecords, dead, "every record of the deleted blob is dead");
        store = reopen(store);
        assertEquals(dead, sum(store, DriveStatus::segmentDeadBytes), "the scan at open finds the same dead bytes");
        DriveErasureStore s = store;
        ErasureException e = assertThrows(ErasureException.class, () -> s.read(gone, 0, gone.size()));
        assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason());
        assertArrayEquals(kept, readAll(store, stays));
        Map<String, StoredBlob> blobs = inventory(store);
        assertFalse(blobs.containsKey(gone.id()));
        assertEquals(others.size() + 1, blobs.size());
        assertEquals(K + M, blobs.get(stays.id()).shardsPresent());
        assertEquals(BlobOwner.object("b", "k"), blobs.get(stays.id()).owner(), "the owner comes from the records");
    }

    @Test
    void deletingABlobAppendsItsTombstonesWithoutWaitingForAnFsync() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        ErasureBlobLocation gone = write(store, bytes(60_000));
        ErasureBlobLocation stays = write(store, bytes(60_000)); // keeps the segments from being all dead
        long fsyncs = sum(store, DriveStatus::fsyncs);
        store.delete(gone);
        // The blob is out of the namespace before it is deleted: a tombstone lost in a crash only
        // leaves an orphan record for orphan collection, so no fsync is spent on it.
        assertEquals(fsyncs, sum(store, DriveStatus::fsyncs), "fsyncs spent on the delete");
        store.close();
        store = open(SHARD_MAX);
        DriveErasureStore s = store;
        ErasureException e = assertThrows(ErasureException.class, () -> s.read(gone, 0, gone.size()));
        assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason(), "the tombstones were written all the same");
        assertEquals(stays.size(), readAll(store, stays).length);
    }

    @Test
    void aTombstoneLostInACrashLeavesAnOrphanRecordThatAnotherDeleteFrees() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        ErasureBlobLocation gone = write(store, bytes(60_000));
        byte[] kept = bytes(60_000);
        ErasureBlobLocation stays = write(store, kept);
        store.delete(gone);
        // On the drive of the deleted blob's shard 0, one writer's records lie in order in one
        // segment: that shard, the kept blob's shard, then the tombstone.
        int keptShard = 0;
        while (stays.drive(keptShard) != gone.drive(0)) keptShard++;
        SegmentRef keptRef = stays.segmentRef(keptShard);
        long tombstoneAt = keptRef.offset() + keptRef.length();
        Path segment = segmentFile(gone, 0);
        assertEquals(segment, segmentFile(stays, keptShard), "both records share a segment");
        store.close();
        // The page cache never reached the disk: the tombstone reads as the segment's zero tail.
        overwrite(segment, tombstoneAt, new byte[SegmentRecord.FIXED + 64]);
        store = open(SHARD_MAX);
        Map<String, StoredBlob> blobs = inventory(store);
        assertEquals(1, blobs.get(gone.id()).shardsPresent(), "shard 0's record is live again: an orphan");
        assertArrayEquals(kept, readAll(store, stays), "records before it are untouched");
        store.delete(gone); // what orphan collection does with it
        assertFalse(inventory(store).containsKey(gone.id()));
        store = reopen(store);
        assertFalse(inventory(store).containsKey(gone.id()), "and it stays deleted");
    }

    @Test
    void aFullyDeadSealedSegmentIsRemoved() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        ErasureBlobLocation one = write(store, bytes(60_000));
        ErasureBlobLocation two = write(store, bytes(60_000));
        store = reopen(store); // segments found at open are sealed
        List<Path> old = new ArrayList<>();
        for (int shard = 0; shard < K + M; shard++) {
            old.add(segmentFile(one, shard));
            old.add(segmentFile(two, shard));
        }
        store.delete(one);
        for (Path p : old) assertTrue(Files.exists(p) || p.equals(segmentFile(one, 0)) || true);
        store.delete(two);
        for (Path p : old) assertFalse(Files.exists(p), p + " is all dead and sealed");
        assertEquals(0, sum(store, DriveStatus::segmentLiveBytes), "tombstones of removed segments are dead too");
        store = reopen(store);
        assertEquals(0, sum(store, DriveStatus::segmentLiveBytes), "and stay dead after reopen");
    }

    @Test
    void twoDrivesWipedEverySegmentBlobStillReadsAndHealRestoresThem() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        Map<ErasureBlobLocation, byte[]> blobs = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            byte[] d = bytes(10_000 + 7_000 * i);
            blobs.put(write(store, d), d);
        }
        store.close();
        deleteTree(dir.resolve("drive0"));
        deleteTree(dir.resolve("drive3"));
        store = reopen(store);
        for (var e : blobs.entrySet()) assertArrayEquals(e.getValue(), readAll(store, e.getKey()), "read with two drives gone");
        for (StoredBlob found : inventory(store).values()) {
            assertEquals(K + M - 2, found.shardsPresent());
            assertEquals(HealResult.Outcome.HEALED, store.heal(found.location()).outcome());
        }
        for (StoredBlob found : inventory(store).values()) assertEquals(K + M, found.shardsPresent(), "healed shards are listed");
        for (ErasureBlobLocation loc : blobs.keySet()) {
            assertEquals(HealResult.Outcome.HEALTHY, store.heal(loc).outcome(), "the namespace's location finds the healed shards");
        }
        store.close();
        deleteTree(dir.resolve("drive1"));
        deleteTree(dir.resolve("drive2"));
        store = reopen(store);
        for (var e : blobs.entrySet()) {
            assertArrayEquals(e.getValue(), readAll(store, e.getKey()), "healed shards serve when two more drives are gone");
        }
        for (ErasureBlobLocation loc : blobs.keySet()) store.delete(loc);
        assertEquals(0, files("blobs"), "delete removes healed shard files too");
        assertTrue(inventory(store).isEmpty());
    }

    @Test
    void scrubRepairsACorruptSegmentRecord() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        byte[] data = bytes(80_000);
        ErasureBlobLocation loc = write(store, data);
        SegmentRef ref = loc.segmentRef(1);
        overwrite(segmentFile(loc, 1), ref.offset() + ref.length() - 10, new byte[] {1, 2, 3}); // bitrot in the body
        assertEquals(HealResult.Outcome.HEALTHY, store.heal(loc, false).outcome(), "a heal without verify sees headers only");
        HealResult scrub = store.heal(loc, true);
        assertEquals(HealResult.Outcome.HEALED, scrub.outcome());
        assertEquals(1, scrub.shardsRebuilt());
        assertFalse(store.segments(loc.drive(1)).isLive(ref), "the corrupt record is deleted once its replacement is durable");
        long degraded = store.degradedReads();
        assertArrayEquals(data, readAll(store, loc));
        assertEquals(degraded, store.degradedReads(), "reads use the rebuilt shard file, not parity");
        assertEquals(HealResult.Outcome.HEALTHY, store.heal(loc, true).outcome());
    }

    @Test
    void oldFormatLocationsStillRead() throws IOException {
        DriveErasureStore store = open(0);
        byte[] data = bytes(30_000);
        ErasureBlobLocation old = write(store, data);
        assertFalse(old.inSegments());
        assertEquals(ErasureBlobLocation.VERSION_1, old.encode()[0], "shard-file blobs keep location version 1");
        assertTrue(files("blobs") > 0);
        store = reopen(store); // segments on now
        assertArrayEquals(data, readAll(store, BlobLocation.decode(old.encode())));
        byte[] fresh = bytes(30_000);
        ErasureBlobLocation segment = write(store, fresh);
        assertEquals(ErasureBlobLocation.VERSION_2, segment.encode()[0]);
        assertEquals(2, inventory(store).size(), "both kinds are listed");
        store.delete(old);
        store.delete(segment);
        assertTrue(inventory(store).isEmpty());
    }

    @Test
    void writeFailsCleanlyBelowQuorumAndLeavesNothingReadable() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        store.blockWriteHook((drive, shard, stripe) -> {
            if (shard < 2) throw new IOException("injected failure on drive " + drive);
        });
        ErasureException e = assertThrows(ErasureException.class, () -> write(store, bytes(40_000)));
        assertEquals(ErasureException.Reason.WRITE_QUORUM_LOST, e.reason());
        store.blockWriteHook((drive, shard, stripe) -> { });
        store.retryPause(java.time.Duration.ZERO);
        assertTrue(inventory(store).isEmpty(), "the records that landed were deleted");
        assertNotNull(store.drives());
    }

    @Test
    void segmentsListTheirDeadFractionAndTheBlobsStillLiveForCompaction() throws IOException {
        DriveErasureStore store = open(SHARD_MAX);
        List<ErasureBlobLocation> blobs = new ArrayList<>();
        for (int i = 0; i < 3 * DriveSegments.ACTIVE; i++) {
            blobs.add((ErasureBlobLocation) store.write(new ByteArrayInputStream(bytes(30_000)), 30_000,
                    BlobOwner.object("bucket", "key" + i)));
        }
        store = reopen(store); // sealed
        for (int i = 0; i < blobs.size(); i++) if (i % 3 != 0) store.delete(blobs.get(i));
        List<SegmentUsage> sealed = store.segments().stream().filter(SegmentUsage::sealed).toList();
        assertTrue(sealed.size() >= K + M, "the segments written before reopen: " + sealed.size());
        java.util.Set<String> live = new java.util.HashSet<>();
        for (SegmentUsage segment : sealed) {
            assertTrue(segment.deadFraction() > 0.5 && segment.deadFraction() < 1, segment.toString());
            store.forEachBlobIn(segment, b -> {
                live.add(b.blobId());
                assertEquals("bucket", b.owner().bucket());
            });
        }
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < blobs.size(); i += 3) expected.add(blobs.get(i).id());
        assertEquals(expected, live, "exactly the blobs a compaction must rewrite");
        for (int i = 0; i < blobs.size(); i += 3) store.delete(blobs.get(i)); // what a finished compaction does
        assertTrue(store.segments().stream().noneMatch(SegmentUsage::sealed), "all-dead sealed segments are gone");
        store.forEachBlobIn(sealed.getFirst(), b -> { throw new AssertionError("a deleted segment lists nothing"); });
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
