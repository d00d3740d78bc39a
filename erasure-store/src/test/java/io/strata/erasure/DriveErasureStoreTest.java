package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DriveErasureStoreTest {
    private static final int BLOCK = 4096;
    private static final int K = 4;
    private static final int M = 2;

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    private final List<ErasureStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(ErasureStore::close);
    }

    private ErasureConfig config(int drives, int k, int m, int blockSize) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < drives; i++) paths.add(dir.resolve("drive" + i));
        return new ErasureConfig(paths, k, m, blockSize);
    }

    private ErasureConfig config() {
        return config(K + M, K, M, BLOCK);
    }

    private DriveErasureStore open(ErasureConfig config) {
        DriveErasureStore store = (DriveErasureStore) ErasureStore.open(config);
        opened.add(store);
        return store;
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] readAll(ErasureStore store, BlobLocation location) throws IOException {
        try (InputStream in = store.read(location, 0, location.size())) {
            return in.readAllBytes();
        }
    }

    private static ErasureBlobLocation write(ErasureStore store, byte[] data) {
        return (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length);
    }

    /** Regular files under every drive's blobs/ and tmp/ (the format file is not data). */
    private List<Path> dataFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(Drive.FORMAT_FILE))
                    .toList();
        }
    }

    private static Path shardFile(ErasureConfig config, ErasureBlobLocation location, int shard) {
        return new Drive(location.drive(shard), config.drives().get(location.drive(shard)))
                .shardPath(location.blobId(), shard);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4095, BLOCK - 1, BLOCK, BLOCK + 1, K * BLOCK - 1, K * BLOCK, K * BLOCK + 1,
            3 * K * BLOCK + 777, 5 * K * BLOCK})
    void roundTripsBlobsOfEverySizeAroundBlockAndStripeEdges(int size) throws IOException {
        DriveErasureStore store = open(config());
        byte[] data = randomBytes(size);
        BlobLocation location = write(store, data);
        assertEquals(size, location.size());
        assertArrayEquals(data, readAll(store, location));
        assertArrayEquals(data, readAll(store, BlobLocation.decode(location.encode())));
        assertEquals(0, store.rebuiltShards());
    }

    @Test
    void zeroLengthBlobHasNoFilesAndReadsEmpty() throws IOException {
        DriveErasureStore store = open(config());
        BlobLocation location = store.write(InputStream.nullInputStream(), 0);
        assertTrue(dataFiles().isEmpty());
        assertEquals(0, readAll(store, location).length);
        store.delete(location);
    }

    @Test
    void writesShardFilesWithHeaderAndOneCheckedBlockPerStripe() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        ErasureBlobLocation location = write(store, randomBytes(2 * K * BLOCK + 10));
        for (int shard = 0; shard < K + M; shard++) {
            Path file = shardFile(config, location, shard);
            byte[] bytes = Files.readAllBytes(file);
            assertEquals(headerOf(location).length() + 2L * (BLOCK + 4) + 3 + 4, bytes.length, "3-byte last block");
            assertEquals(ShardHeader.of(location, shard, BlobOwner.UNKNOWN), ShardHeader.decode(bytes, bytes.length));
        }
        try (Stream<Path> tmp = Files.list(config.drives().get(0).resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void reusedStripeBuffersCarryNothingIntoTheNextBlob() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] first = randomBytes(2 * K * BLOCK);
        write(store, first);
        assertEquals(2 * (K + M), store.buffers().idle(), "both stripe buffer sets returned");
        // Full first stripe from pooled buffers, then a 9-byte last stripe: 3-byte blocks, the
        // last data block holding 0 bytes of data and 3 of padding that must be zeros.
        byte[] second = randomBytes(K * BLOCK + 9);
        ErasureBlobLocation location = write(store, second);
        assertArrayEquals(second, readAll(store, location));
        byte[] lastShard = Files.readAllBytes(shardFile(config, location, K - 1));
        int lastBlock = (int) headerOf(location).blockPosition(1);
        assertArrayEquals(new byte[3], Arrays.copyOfRange(lastShard, lastBlock, lastBlock + 3));
        assertEquals(2 * (K + M), store.buffers().idle());
    }

    @Test
    void readStreamsHandTheirBlockBuffersBackAndReusedOnesCarryNothingOver() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] big = randomBytes(2 * K * BLOCK);
        ErasureBlobLocation bigLocation = write(store, big);
        assertArrayEquals(big, readAll(store, bigLocation));
        assertEquals(K, store.readBuffers().idle(), "one buffer per data shard, back in the pool");
        // A blob of short blocks read from the same (dirty) buffers, then degraded: the rebuilt
        // block lands in a pooled buffer too.
        byte[] small = randomBytes(K * 3 + 2);
        ErasureBlobLocation smallLocation = write(store, small);
        assertArrayEquals(small, readAll(store, smallLocation));
        Files.delete(shardFile(config, smallLocation, 1));
        assertArrayEquals(small, readAll(store, smallLocation));
        Files.delete(shardFile(config, bigLocation, 2));
        assertArrayEquals(big, readAll(store, bigLocation));
        assertEquals(K + 1, store.readBuffers().idle(), "parity shard's buffer came back as well");
    }

    @Test
    void aStreamClosedFromAnotherThreadGivesItsBuffersBackOnceAndServesNoMore() throws Exception {
        DriveErasureStore store = open(config());
        byte[] data = randomBytes(3 * K * BLOCK);
        BlobLocation location = write(store, data);
        InputStream in = store.read(location, 0, data.length);
        byte[] head = new byte[BLOCK];
        assertEquals(BLOCK, in.read(head));
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        closer.join();
        assertThrows(IOException.class, () -> in.read(head));
        in.close();
        assertEquals(K, store.readBuffers().idle());
        // The pooled buffers now serve another stream, byte-identical.
        assertArrayEquals(data, readAll(store, location));
        assertEquals(K, store.readBuffers().idle());
    }

    @Test
    void rangeReadsReturnExactlyTheRequestedBytes() throws IOException {
        DriveErasureStore store = open(config());
        byte[] data = randomBytes(3 * K * BLOCK + 1234);
        BlobLocation location = write(store, data);
        for (int i = 0; i < 200; i++) {
            int offset = random.nextInt(data.length + 1);
            int length = random.nextInt(Math.min(data.length - offset, 3 * BLOCK) + 1);
            try (InputStream in = store.read(location, offset, length)) {
                assertArrayEquals(Arrays.copyOfRange(data, offset, offset + length), in.readAllBytes(),
                        "range " + offset + "+" + length);
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void singleByteReadsAndSkipsFollowTheRange() throws IOException {
        DriveErasureStore store = open(config());
        byte[] data = randomBytes(2 * K * BLOCK + 99);
        BlobLocation location = write(store, data);
        try (InputStream in = store.read(location, 100, data.length - 200)) {
            assertEquals(data[100] & 0xFF, in.read());
            assertEquals(K * BLOCK, in.skip(K * BLOCK));
            assertEquals(data[101 + K * BLOCK] & 0xFF, in.read());
            byte[] rest = in.readAllBytes();
            assertArrayEquals(Arrays.copyOfRange(data, 102 + K * BLOCK, data.length - 100), rest);
            assertEquals(0, in.skip(10));
        }
    }

    @Test
    void readRejectsRangesOutsideTheBlob() {
        DriveErasureStore store = open(config());
        BlobLocation location = write(store, randomBytes(100));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, 0, 101));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, 101, 0));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, 50, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, 0, -1));
    }

    @Test
    void readsEveryBlobByteIdenticalWithAnyTwoDriveDirectoriesDeleted() throws IOException {
        ErasureConfig config = config();
        List<byte[]> blobs = List.of(randomBytes(1), randomBytes(BLOCK + 3), randomBytes(3 * K * BLOCK + 5));
        List<BlobLocation> locations = new ArrayList<>();
        try (ErasureStore store = ErasureStore.open(config)) {
            for (byte[] blob : blobs) locations.add(write(store, blob));
        }
        Path parked = Files.createDirectory(dir.resolve("parked"));
        for (int a = 0; a < K + M; a++) {
            for (int b = a + 1; b < K + M; b++) {
                Path driveA = config.drives().get(a);
                Path driveB = config.drives().get(b);
                Files.move(driveA, parked.resolve("a"));
                Files.move(driveB, parked.resolve("b"));
                try (ErasureStore reopened = ErasureStore.open(config)) {
                    assertTrue(Files.isDirectory(driveA), "recreated on open");
                    for (int i = 0; i < blobs.size(); i++) {
                        assertArrayEquals(blobs.get(i), readAll(reopened, locations.get(i)), "drives " + a + "," + b);
                    }
                }
                deleteTree(driveA);
                deleteTree(driveB);
                Files.move(parked.resolve("a"), driveA);
                Files.move(parked.resolve("b"), driveB);
            }
        }
    }

    @Test
    void readsThroughAnOpenStoreWhileDriveDirectoriesVanish() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] data = randomBytes(2 * K * BLOCK + 17);
        ErasureBlobLocation location = write(store, data);
        deleteTree(config.drives().get(location.drive(0)));
        deleteTree(config.drives().get(location.drive(3)));
        assertArrayEquals(data, readAll(store, location));
        assertEquals(2, store.rebuiltShards());
        assertEquals(3, store.degradedReads());
    }

    @Test
    void sequentialReadsServeAndRebuildTheSameBytes() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        store.parallelReads(false);
        byte[] data = randomBytes(3 * K * BLOCK + 5);
        ErasureBlobLocation location = write(store, data);
        assertArrayEquals(data, readAll(store, location));
        Files.delete(shardFile(config, location, 0));
        flip(shardFile(config, location, 3), headerOf(location).blockPosition(1) + 1);
        assertArrayEquals(data, readAll(store, location));
        assertEquals(2, store.rebuiltShards());
    }

    @Test
    void detectsAndRebuildsAFlippedByteInAnyShard() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] data = randomBytes(2 * K * BLOCK + 4321);
        ErasureBlobLocation location = write(store, data);
        List<String> faults = new ArrayList<>();
        store.faultListener((loc, shard, drive, reason) -> faults.add(shard + ":" + reason));
        for (int shard = 0; shard < K + M; shard++) {
            Path file = shardFile(config, location, shard);
            long fileSize = Files.size(file);
            long[] positions = {3, headerOf(location).length() + 7, headerOf(location).length() + BLOCK + 1, fileSize - 6, fileSize - 1};
            for (long position : positions) {
                flip(file, position);
                faults.clear();
                assertArrayEquals(data, readAll(store, location), "shard " + shard + " byte " + position);
                if (shard < K) assertEquals(1, faults.size(), "shard " + shard + " byte " + position);
                flip(file, position);
            }
        }
    }

    /** The header this store writes for blobs without an owner (the {@code write} helper's). */
    private static ShardHeader headerOf(ErasureBlobLocation location) {
        return ShardHeader.of(location, 0, BlobOwner.UNKNOWN);
    }

    private static void flip(Path file, long position) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            channel.write(one, position);
        }
    }

    @Test
    void aShardFileOfAnotherBlobIsRejectedByItsHeaderAndRebuilt() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] data = randomBytes(K * BLOCK);
        ErasureBlobLocation location = write(store, data);
        ErasureBlobLocation other = write(store, randomBytes(K * BLOCK));
        Path victim = shardFile(config, location, 2);
        Files.copy(shardFile(config, other, 2), victim, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> reasons = new ArrayList<>();
        store.faultListener((loc, shard, drive, reason) -> reasons.add(reason));
        assertArrayEquals(data, readAll(store, location));
        assertEquals(List.of("bad shard header"), reasons);
    }

    @Test
    void interruptedWriteFailsWithIoAndLeavesNoFiles() throws IOException {
        DriveErasureStore store = open(config());
        InputStream interrupting = new InputStream() {
            private final InputStream data = new GeneratedInputStream(4L * K * BLOCK, 5);
            private int reads;

            @Override
            public int read() throws IOException {
                return data.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads == 6) Thread.currentThread().interrupt();
                return data.read(b, off, len);
            }
        };
        try {
            ErasureException e = assertThrows(ErasureException.class, () -> store.write(interrupting, 4L * K * BLOCK));
            assertEquals(ErasureException.Reason.IO, e.reason());
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of(), dataFiles());
    }

    @Test
    void logsEachBadShardOncePerStream() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] data = randomBytes(5 * K * BLOCK);
        ErasureBlobLocation location = write(store, data);
        Files.delete(shardFile(config, location, 1));
        assertArrayEquals(data, readAll(store, location));
        assertEquals(1, store.rebuiltShards());
        assertEquals(5, store.degradedReads());
    }

    @Test
    void threeMissingShardsIsReadQuorumLost() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        ErasureBlobLocation location = write(store, randomBytes(K * BLOCK * 2));
        for (int shard : new int[] {0, 2, 5}) Files.delete(shardFile(config, location, shard));
        ErasureException e = assertThrows(ErasureException.class, () -> store.read(location, 0, location.size()));
        assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason());
    }

    @Test
    void readQuorumLossInALaterStripeSurfacesFromRead() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        ErasureBlobLocation location = write(store, randomBytes(K * BLOCK * 3));
        for (int shard : new int[] {1, 2, 4}) {
            flip(shardFile(config, location, shard), headerOf(location).blockPosition(2) + 10);
        }
        try (InputStream in = store.read(location, 0, location.size())) {
            ErasureException e = assertThrows(ErasureException.class, in::readAllBytes);
            assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason());
        }
    }

    @Test
    void shortInputIsIncompleteInputAndLeavesNoFiles() throws IOException {
        DriveErasureStore store = open(config());
        for (int declared : new int[] {1, BLOCK, 3 * K * BLOCK}) {
            byte[] data = randomBytes(declared - 1);
            ErasureException e = assertThrows(ErasureException.class,
                    () -> store.write(new ByteArrayInputStream(data), declared));
            assertEquals(ErasureException.Reason.INCOMPLETE_INPUT, e.reason());
            assertEquals(List.of(), dataFiles());
        }
    }

    @Test
    void longInputIsExcessInputAndLeavesNoFiles() throws IOException {
        DriveErasureStore store = open(config());
        for (int declared : new int[] {0, 1, K * BLOCK, 2 * K * BLOCK + 3}) {
            byte[] data = randomBytes(declared + 1);
            ErasureException e = assertThrows(ErasureException.class,
                    () -> store.write(new ByteArrayInputStream(data), declared));
            assertEquals(ErasureException.Reason.EXCESS_INPUT, e.reason());
            assertEquals(List.of(), dataFiles());
        }
    }

    @Test
    void runtimeExceptionFromTheSourcePropagatesUnchangedAfterCleanup() throws IOException {
        DriveErasureStore store = open(config());
        SecurityException denied = new SecurityException("signature mismatch");
        InputStream failing = new InputStream() {
            private final InputStream data = new GeneratedInputStream(2L * K * BLOCK, 1);

            @Override
            public int read() throws IOException {
                return data.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = data.read(b, off, len);
                if (n < 0) throw denied;
                return n;
            }
        };
        SecurityException thrown = assertThrows(SecurityException.class, () -> store.write(failing, 3L * K * BLOCK));
        assertSame(denied, thrown);
        assertEquals(List.of(), dataFiles());
    }

    @Test
    void ioExceptionFromTheSourceIsIoReason() throws IOException {
        DriveErasureStore store = open(config());
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        ErasureException e = assertThrows(ErasureException.class, () -> store.write(broken, 10));
        assertEquals(ErasureException.Reason.IO, e.reason());
        assertEquals("connection reset", e.getCause().getMessage());
        assertEquals(List.of(), dataFiles());
    }

    @Test
    void writeToleratesOneDriveFailingMidWrite() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        store.blockWriteHook((drive, shard, stripe) -> {
            if (shard == 1 && stripe == 1) throw new IOException("injected: drive " + drive + " failed");
        });
        byte[] data = randomBytes(3 * K * BLOCK);
        ErasureBlobLocation location = write(store, data);
        assertArrayEquals(data, readAll(store, location));
        assertEquals(1, store.rebuiltShards());
        assertEquals((K + M - 1), dataFiles().size(), "failed shard's temp file removed");
    }

    @Test
    void twoDrivesFailingMidWriteIsWriteQuorumLostAndLeavesNoFiles() throws IOException {
        DriveErasureStore store = open(config());
        store.blockWriteHook((drive, shard, stripe) -> {
            if ((drive == 0 || drive == 4) && stripe == 2) throw new IOException("injected: drive " + drive + " failed");
        });
        ErasureException e = assertThrows(ErasureException.class,
                () -> store.write(new GeneratedInputStream(5L * K * BLOCK, 3), 5L * K * BLOCK));
        assertEquals(ErasureException.Reason.WRITE_QUORUM_LOST, e.reason());
        assertTrue(e.getCause() instanceof IOException);
        assertEquals(List.of(), dataFiles());
    }

    @Test
    void writeWithOneDriveDirectoryGoneLandsOnTheOthers() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        deleteTree(config.drives().get(3));
        byte[] data = randomBytes(K * BLOCK + 1);
        ErasureBlobLocation location = write(store, data);
        assertFalse(Files.exists(config.drives().get(3)), "a vanished drive is not recreated mid-run");
        assertArrayEquals(data, readAll(store, location));
        deleteTree(config.drives().get(1));
        ErasureException e = assertThrows(ErasureException.class, () -> write(store, data));
        assertEquals(ErasureException.Reason.WRITE_QUORUM_LOST, e.reason());
    }

    @Test
    void aSlowDriveDoesNotSerializeTheOthers() {
        DriveErasureStore store = open(config());
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        store.blockWriteHook((drive, shard, stripe) -> {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
        });
        write(store, randomBytes(K * BLOCK));
        assertEquals(K + M, maxConcurrent.get());
    }

    @Test
    void theNextStripeIsReadWhileThisOnesBlocksAreWrittenButNoFurther() throws IOException {
        DriveErasureStore store = open(config());
        int stripe = K * BLOCK;
        byte[] data = randomBytes(5 * stripe);
        AtomicLong read = new AtomicLong();
        CountDownLatch secondStripeRead = new CountDownLatch(1);
        InputStream source = new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0 && read.addAndGet(n) >= 2L * stripe) secondStripeRead.countDown();
                return n;
            }
        };
        List<String> violations = new CopyOnWriteArrayList<>();
        store.blockWriteHook((drive, shard, s) -> {
            // Two buffer sets: the stripe being written and at most the next one have been read.
            if (read.get() > (s + 2) * stripe) violations.add("stripe " + s + " written after " + read.get() + " bytes read");
            try {
                // Stripe 0's writes wait for stripe 1 to be read: a serial writer never gets there.
                if (s == 0 && !secondStripeRead.await(30, TimeUnit.SECONDS)) violations.add("stripe 1 not read during stripe 0's writes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        });
        BlobLocation location = store.write(source, data.length);
        assertEquals(List.of(), violations);
        assertArrayEquals(data, readAll(store, location));
    }

    @Test
    void concurrentLargeWritesReuseTheirBlockBuffersOnceWarm() throws Exception {
        DriveErasureStore store = open(config());
        int writers = 8;
        AtomicReference<CountDownLatch> allHoldTwoStripes = new AtomicReference<>();
        store.blockWriteHook((drive, shard, stripe) -> {
            // Every shard task of every writer meets here at stripe 1, when each write holds both
            // its stripes of buffers: each round then needs the same buffers at once.
            if (stripe != 1) return;
            CountDownLatch latch = allHoldTwoStripes.get();
            latch.countDown();
            try {
                if (!latch.await(30, TimeUnit.SECONDS)) throw new IOException("the writers never all held two stripes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        });
        List<byte[]> data = new ArrayList<>();
        for (int w = 0; w < writers; w++) data.add(randomBytes(3 * K * BLOCK));
        long[] allocated = new long[3];
        for (int round = 0; round < allocated.length; round++) {
            allHoldTwoStripes.set(new CountDownLatch(writers * (K + M)));
            long before = store.buffers().allocated();
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<BlobLocation>> writes = new ArrayList<>();
                for (byte[] d : data) writes.add(executor.submit(() -> store.write(new ByteArrayInputStream(d), d.length)));
                for (int w = 0; w < writers; w++) assertArrayEquals(data.get(w), readAll(store, writes.get(w).get()));
            }
            allocated[round] = store.buffers().allocated() - before;
        }
        assertEquals(writers * 2L * (K + M), allocated[0], "the first round allocates two stripes per write");
        assertEquals(0, allocated[1], "the second round reuses them");
        assertEquals(0, allocated[2], "and so does the third");
    }

    @Test
    void aLargeShardFileIsSyncedOncePerWriteBackUnitAndAtCommit() throws IOException {
        DriveErasureStore store = open(config());
        store.writeBackBytes(4L * BLOCK);
        long fsyncs = store.drives().stream().mapToLong(DriveStatus::fsyncs).sum();
        write(store, randomBytes(16 * K * BLOCK)); // 16 blocks per shard file
        long spent = store.drives().stream().mapToLong(DriveStatus::fsyncs).sum() - fsyncs;
        // Per shard: after blocks 4, 8 and 12 (4 blocks and their CRCs pass the unit; the last
        // block's pages are left to the commit), then the file and its directory at commit; and
        // each fan-out directory the blob created, in its parent.
        long directories = 0;
        for (int i = 0; i < K + M; i++) {
            try (Stream<Path> walk = Files.walk(store.drive(i).blobsDir())) {
                directories += walk.filter(Files::isDirectory).count() - 1;
            }
        }
        assertEquals(2L * (K + M), directories, "one two-level fan-out directory per drive");
        assertEquals((K + M) * (3 + 2) + directories, spent);
    }

    @Test
    void a64MiBBlobSyncsEachShardFileAFewTimesNotAfterEveryBlock() {
        DriveErasureStore store = open(config(K + M, K, M, 1 << 20));
        long fsyncs = store.drives().stream().mapToLong(DriveStatus::fsyncs).sum();
        store.write(new GeneratedInputStream(64L << 20, 5), 64L << 20);
        long spent = store.drives().stream().mapToLong(DriveStatus::fsyncs).sum() - fsyncs;
        // 16 MiB per shard file. Syncing each after every 1 MiB block but the last cost 15 + 2
        // at commit per file, 102 for the blob (plus its two new fan-out directories per drive).
        assertTrue(spent <= 3 * (K + M) + 2 * (K + M), "fsyncs for a 64 MiB blob: " + spent);
    }

    @Test
    void deleteRemovesEveryShardAndIsIdempotent() throws IOException {
        DriveErasureStore store = open(config());
        BlobLocation keep = write(store, randomBytes(777));
        BlobLocation location = write(store, randomBytes(K * BLOCK + 5));
        store.delete(location);
        store.delete(location);
        assertEquals(K + M, dataFiles().size());
        ErasureException e = assertThrows(ErasureException.class, () -> store.read(location, 0, 1));
        assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason());
        assertEquals(777, readAll(store, keep).length);
    }

    @Test
    void openFormatsEachDriveOnceAndKeepsItsIdentity() throws IOException {
        ErasureConfig config = config();
        open(config).close();
        Drive drive = new Drive(0, config.drives().get(0));
        BlobId id = drive.readFormat().id();
        open(config).close();
        assertEquals(id, drive.readFormat().id());
        assertNotEquals(id, new Drive(1, config.drives().get(1)).readFormat().id());
        Files.write(config.drives().get(1).resolve(Drive.FORMAT_FILE), new byte[] {1, 2, 3});
        open(config).close();
        assertTrue(new Drive(1, config.drives().get(1)).readFormat() != null, "garbled format file rewritten");
    }

    @Test
    void placementSpreadsParityEvenlyOverEveryDrive() {
        int[] parityPerDrive = new int[8];
        for (int i = 0; i < 8000; i++) {
            // The ids new blobs get: all from one window, so only their random bits differ.
            int[] placement = DriveErasureStore.placement(BlobId.clustered(random, 1_700_000_000L), 8, K + M);
            assertEquals(K + M, Arrays.stream(placement).distinct().count());
            for (int shard = K; shard < K + M; shard++) parityPerDrive[placement[shard]]++;
        }
        for (int count : parityPerDrive) assertTrue(count > 1700 && count < 2300, Arrays.toString(parityPerDrive));
    }

    @Test
    void blobsWrittenCloseTogetherShareTheirFanOutDirectories() throws IOException {
        java.time.Instant start = java.time.Instant.parse("2026-12-02T10:00:00Z");
        AtomicLong now = new AtomicLong(start.getEpochSecond());
        java.time.Clock clock = new java.time.Clock() {
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public java.time.Instant instant() {
                return java.time.Instant.ofEpochSecond(now.get());
            }
        };
        ErasureConfig config = config();
        DriveErasureStore store = DriveErasureStore.open(config, clock);
        opened.add(store);
        List<ErasureBlobLocation> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) first.add(write(store, randomBytes(100 + i)));
        assertEquals(50, first.stream().map(ErasureBlobLocation::blobId).distinct().count());
        for (Path drive : config.drives()) assertEquals(1, fanOutDirectories(drive).size(), drive.toString());

        now.addAndGet(BlobId.WINDOW_SECONDS);
        ErasureBlobLocation next = write(store, randomBytes(10));
        assertNotEquals(first.get(0).blobId().fanOut2(), next.blobId().fanOut2());
        for (Path drive : config.drives()) assertEquals(2, fanOutDirectories(drive).size(), drive.toString());
        for (ErasureBlobLocation location : first) assertEquals(100 + first.indexOf(location), readAll(store, location).length);
    }

    @Test
    void clusteredIdsCycleThroughEveryFanOutDirectory() {
        java.util.Set<String> dirs = new java.util.HashSet<>();
        long t0 = 1_700_000_000L;
        for (long w = 0; w < 65536 + 10; w++) {
            BlobId id = BlobId.clustered(random, t0 + w * BlobId.WINDOW_SECONDS);
            dirs.add(id.fanOut1() + "/" + id.fanOut2());
        }
        assertEquals(65536, dirs.size());
        // The cycle wraps: 2^16 windows later a blob lands in the same directory again.
        BlobId a = BlobId.clustered(random, t0);
        BlobId b = BlobId.clustered(random, t0 + 65536L * BlobId.WINDOW_SECONDS);
        assertEquals(a.fanOut1() + a.fanOut2(), b.fanOut1() + b.fanOut2());
        assertNotEquals(a, b);
    }

    /** The level-2 fan-out directories under a drive's blobs/. */
    private static List<Path> fanOutDirectories(Path drive) throws IOException {
        try (Stream<Path> dirs = Files.walk(drive.resolve("blobs"), 2)) {
            return dirs.filter(p -> drive.resolve("blobs").relativize(p).getNameCount() == 2).toList();
        }
    }

    @Test
    void writeRecordsThePlacementInTheLocation() {
        DriveErasureStore store = open(config(8, K, M, BLOCK));
        ErasureBlobLocation location = write(store, randomBytes(10));
        assertArrayEquals(DriveErasureStore.placement(location.blobId(), 8, K + M), location.drives());
    }

    @Test
    void blobsWrittenWithAnotherCodeStillRead() throws IOException {
        byte[] data = randomBytes(3 * 2 * BLOCK + 11);
        BlobLocation location;
        try (ErasureStore old = ErasureStore.open(config(6, 2, 1, BLOCK))) {
            location = write(old, data);
        }
        assertArrayEquals(data, readAll(open(config()), location));
    }

    @Test
    void blobsWrittenWithLargerBlocksReadThroughHeapBuffersEvenDegraded() throws IOException {
        ErasureConfig bigBlocks = config(K + M, K, M, 4 * BLOCK);
        byte[] data = randomBytes(2 * K * 4 * BLOCK + 7);
        ErasureBlobLocation location;
        try (ErasureStore old = ErasureStore.open(bigBlocks)) {
            location = write(old, data);
        }
        DriveErasureStore store = open(config());
        assertArrayEquals(data, readAll(store, location));
        Files.delete(shardFile(bigBlocks, location, 0));
        assertArrayEquals(data, readAll(store, location));
        assertEquals(0, store.readBuffers().idle(), "blocks larger than the pool's are not pooled");
    }

    @Test
    void codesWithoutParityAndWithOneDataShardRoundTrip() throws IOException {
        for (int[] code : new int[][] {{1, 0}, {3, 0}, {1, 2}, {8, 4}}) {
            try (ErasureStore store = ErasureStore.open(config(12, code[0], code[1], BLOCK))) {
                byte[] data = randomBytes(2 * code[0] * BLOCK + 123);
                assertArrayEquals(data, readAll(store, write(store, data)), Arrays.toString(code));
            }
        }
    }

    @Test
    void closedStoreRefusesNewCalls() {
        DriveErasureStore store = open(config());
        BlobLocation location = write(store, randomBytes(10));
        store.close();
        assertThrows(IllegalStateException.class, () -> write(store, new byte[1]));
        assertThrows(IllegalStateException.class, () -> store.read(location, 0, 1));
        assertThrows(IllegalStateException.class, () -> store.delete(location));
    }

    @Test
    void closedStreamRefusesReads() throws IOException {
        DriveErasureStore store = open(config());
        BlobLocation location = write(store, randomBytes(10));
        InputStream in = store.read(location, 0, 10);
        in.close();
        in.close();
        assertThrows(IOException.class, in::read);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentWritesAndReadsFromSeveralThreadsSeeTheirOwnBytes() throws Exception {
        DriveErasureStore store = open(config());
        byte[] shared = randomBytes(2 * K * BLOCK + 1);
        BlobLocation sharedLocation = write(store, shared);
        try (ExecutorService executor = Executors.newFixedThreadPool(8)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                futures.add(executor.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 6; i++) {
                        byte[] data = new byte[r.nextInt(3 * K * BLOCK)];
                        r.nextBytes(data);
                        BlobLocation location = write(store, data);
                        assertArrayEquals(shared, readAll(store, sharedLocation));
                        assertArrayEquals(data, readAll(store, location));
                        if (i % 2 == 0) store.delete(location);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void streams256MiBBlobThroughBoundedBuffersAndReadsItBackIdentical() throws Exception {
        // Default 4+2 at 1 MiB blocks; the source is generated and only digests are kept, so the
        // test heap (512 MiB) could not hold the blob even once.
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 6; i++) drives.add(dir.resolve("big" + i));
        ErasureStore store = open(new ErasureConfig(drives, ErasureConfig.DEFAULT_DATA_SHARDS,
                ErasureConfig.DEFAULT_PARITY_SHARDS, ErasureConfig.DEFAULT_BLOCK_SIZE));
        long size = 256L << 20;
        DigestInputStream source = new DigestInputStream(new GeneratedInputStream(size, 2024), sha256());
        BlobLocation location = store.write(source, size);
        byte[] written = source.getMessageDigest().digest();
        MessageDigest read = sha256();
        try (InputStream in = store.read(location, 0, size)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; total += n) read.update(buffer, 0, n);
            assertEquals(size, total);
        }
        assertArrayEquals(written, read.digest());
        store.delete(location);
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    @Test
    void reopeningRemovesShardFilesOfWritesACrashInterrupted() throws IOException {
        ErasureConfig config = config();
        DriveErasureStore store = open(config);
        byte[] data = randomBytes(3 * BLOCK + 5);
        ErasureBlobLocation kept = write(store, data);
        store.close();
        opened.remove(store);
        // What kill -9 leaves mid-write: shard files under tmp/ that were never renamed.
        for (Path drive : config.drives()) Files.write(drive.resolve("tmp").resolve("0123abcd.0"), new byte[100]);

        DriveErasureStore reopened = open(config);

        for (Path drive : config.drives()) {
            try (Stream<Path> left = Files.list(drive.resolve("tmp"))) {
                assertEquals(0, left.count(), "tmp/ of " + drive);
            }
        }
        assertArrayEquals(data, readAll(reopened, kept));
    }
}
