package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drive states: detected at open and during operation, and what reads and writes do about them. */
class DriveStateTest {
    @TempDir
    Path dir;

    private final Random random = new Random(5);
    private final List<ErasureStore> opened = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ErasureStore::close);
    }

    private ErasureConfig config() {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < 6; i++) paths.add(dir.resolve("d" + i));
        return new ErasureConfig(paths, 4, 2, 4096);
    }

    private DriveErasureStore open() {
        DriveErasureStore store = DriveErasureStore.open(config(), clock);
        opened.add(store);
        return store;
    }

    private byte[] randomBytes(int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static DriveStatus.State state(ErasureStore store, int drive) {
        return store.drives().get(drive).state();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private List<Path> shardFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(Drive.FORMAT_FILE)).toList();
        }
    }

    @Test
    void aMissingDriveAtOpenIsRecreatedAsReplacedUntilRebuilt() throws IOException {
        open().close();
        deleteTree(dir.resolve("d2"));
        DriveErasureStore store = open();
        assertEquals(DriveStatus.State.REPLACED, state(store, 2));
        assertEquals(DriveStatus.State.ONLINE, state(store, 1));
        store.close();
        store = open();
        assertEquals(DriveStatus.State.REPLACED, state(store, 2), "the rebuild flag survives a restart");
        store.driveRebuilt(2);
        assertEquals(DriveStatus.State.ONLINE, state(store, 2));
        store.close();
        assertEquals(DriveStatus.State.ONLINE, state(open(), 2));
    }

    @Test
    void aDriveFromAnotherSetIsReplaced() throws IOException {
        open().close();
        // put drive 3 of another installation in the place of drive 3
        Path other = dir.resolve("other");
        List<Path> otherPaths = new ArrayList<>();
        for (int i = 0; i < 6; i++) otherPaths.add(other.resolve("d" + i));
        ErasureStore.open(new ErasureConfig(otherPaths, 4, 2, 4096)).close();
        Files.copy(otherPaths.get(3).resolve(Drive.FORMAT_FILE), dir.resolve("d3").resolve(Drive.FORMAT_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        DriveErasureStore store = open();
        assertEquals(DriveStatus.State.REPLACED, state(store, 3));
        for (int i : new int[] {0, 1, 2, 4, 5}) assertEquals(DriveStatus.State.ONLINE, state(store, i));
    }

    @Test
    void anUnusableDriveAtOpenIsOfflineAndTheStoreStillServes() throws IOException {
        open().close();
        deleteTree(dir.resolve("d4"));
        Files.writeString(dir.resolve("d4"), "not a directory");
        DriveErasureStore store = open();
        assertEquals(DriveStatus.State.OFFLINE, state(store, 4));
        byte[] data = randomBytes(30_000);
        BlobLocation location = store.write(new ByteArrayInputStream(data), data.length);
        try (InputStream in = store.read(location, 0, data.length)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void fewerThanKUsableDrivesAtOpenIsIo() throws IOException {
        open().close();
        for (int i = 0; i < 3; i++) {
            deleteTree(dir.resolve("d" + i));
            Files.writeString(dir.resolve("d" + i), "not a directory");
        }
        ErasureException e = assertThrows(ErasureException.class, this::open);
        assertEquals(ErasureException.Reason.IO, e.reason());
    }

    @Test
    void aDriveVanishingWhileRunningGoesOfflineOnReadAndComesBackEmptyAfterThePause() throws IOException {
        DriveErasureStore store = open();
        byte[] data = randomBytes(50_000);
        ErasureBlobLocation location = (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length);
        int lost = location.drive(0);
        deleteTree(dir.resolve("d" + lost));
        try (InputStream in = store.read(location, 0, data.length)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(DriveStatus.State.OFFLINE, state(store, lost));
        assertFalse(Files.exists(dir.resolve("d" + lost)), "not recreated before the pause");
        clock.advance(DriveErasureStore.DEFAULT_RETRY_PAUSE);
        assertTrue(store.usable(lost));
        assertEquals(DriveStatus.State.REPLACED, state(store, lost));
        assertTrue(Files.isDirectory(dir.resolve("d" + lost).resolve("blobs")));
    }

    @Test
    void anIoErrorMakesADriveFaultyAndWritesSkipItUntilAProbeFindsItWell() throws IOException {
        DriveErasureStore store = open();
        int[] failingDrive = {-1};
        store.blockWriteHook((drive, shard, stripe) -> {
            if (drive == failingDrive[0]) throw new IOException("injected EIO");
        });
        failingDrive[0] = 1;
        byte[] data = randomBytes(20_000);
        BlobLocation first = store.write(new ByteArrayInputStream(data), data.length);
        assertEquals(DriveStatus.State.FAULTY, state(store, 1));
        assertTrue(store.drives().get(1).detail().contains("injected EIO"));
        failingDrive[0] = -1;
        int before = filesOn(1);
        for (int i = 0; i < 5; i++) store.write(new ByteArrayInputStream(data), data.length);
        assertEquals(before, filesOn(1), "a faulty drive is skipped");
        clock.advance(DriveErasureStore.DEFAULT_RETRY_PAUSE);
        store.write(new ByteArrayInputStream(data), data.length);
        assertEquals(DriveStatus.State.ONLINE, state(store, 1));
        assertEquals(before + 1, filesOn(1));
        try (InputStream in = store.read(first, 0, data.length)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    private int filesOn(int drive) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("d" + drive).resolve("blobs"))) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void belowWriteQuorumAWriteFailsCleanlyWithoutReadingOrLeavingAnything() throws IOException {
        DriveErasureStore store = open();
        Set<Integer> failing = Set.of(0, 3);
        store.blockWriteHook((drive, shard, stripe) -> {
            if (failing.contains(drive)) throw new IOException("injected EIO");
        });
        ErasureException first = assertThrows(ErasureException.class,
                () -> store.write(new ByteArrayInputStream(randomBytes(40_000)), 40_000));
        assertEquals(ErasureException.Reason.WRITE_QUORUM_LOST, first.reason());
        assertEquals(List.of(), shardFiles());
        // both drives are now faulty: the next write fails before it consumes its source
        ByteArrayInputStream source = new ByteArrayInputStream(randomBytes(1000));
        ErasureException second = assertThrows(ErasureException.class, () -> store.write(source, 1000));
        assertEquals(ErasureException.Reason.WRITE_QUORUM_LOST, second.reason());
        assertEquals(1000, source.available());
        assertEquals(List.of(), shardFiles());
    }

    @Test
    void aReadIoErrorMakesTheDriveFaultyTheReadStillServesAndHealWaitsForTheDrive() throws IOException {
        DriveErasureStore store = open();
        byte[] data = randomBytes(30_000);
        ErasureBlobLocation location = (ErasureBlobLocation) store.write(new ByteArrayInputStream(data), data.length);
        int drive = location.drive(2);
        Path file = store.drive(drive).shardPath(location.blobId(), 2);
        // a directory where the shard file was: opening works, reading fails with a real EISDIR
        Files.delete(file);
        Files.createDirectory(file);
        try (InputStream in = store.read(location, 0, data.length)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertEquals(DriveStatus.State.FAULTY, state(store, drive));
        assertEquals(HealResult.Outcome.PARTIAL, store.heal(location).outcome(), "the shard's drive is out of service");
        Files.delete(file);
        clock.advance(DriveErasureStore.DEFAULT_RETRY_PAUSE);
        assertEquals(HealResult.Outcome.HEALED, store.heal(location).outcome());
        assertEquals(DriveStatus.State.ONLINE, state(store, drive));
        try (InputStream in = store.read(location, 0, data.length)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }
}
