package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ErasureStore} promises, run against the drive store and the in-memory fake
 * so code tested against the fake meets the same behaviour in production.
 */
abstract class ErasureStoreContract {
    private final Random random = new Random(11);
    private ErasureStore store;

    /** A new, empty store; the contract closes it. */
    abstract ErasureStore createStore();

    @BeforeEach
    void open() {
        store = createStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] read(BlobLocation location, long offset, long length) throws IOException {
        try (InputStream in = store.read(location, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void writtenBytesReadBackWholeAndInRanges() throws IOException {
        byte[] data = randomBytes(50_000);
        BlobLocation location = store.write(new ByteArrayInputStream(data), data.length);
        assertEquals(data.length, location.size());
        assertArrayEquals(data, read(location, 0, data.length));
        assertArrayEquals(Arrays.copyOfRange(data, 12_345, 40_000), read(location, 12_345, 40_000 - 12_345));
        assertArrayEquals(new byte[0], read(location, data.length, 0));
    }

    @Test
    void encodedLocationReadsTheSameBlob() throws IOException {
        byte[] data = randomBytes(1000);
        BlobLocation location = store.write(new ByteArrayInputStream(data), data.length);
        assertArrayEquals(data, read(BlobLocation.decode(location.encode()), 0, data.length));
    }

    @Test
    void emptyBlobReadsEmpty() throws IOException {
        BlobLocation location = store.write(InputStream.nullInputStream(), 0);
        assertArrayEquals(new byte[0], read(location, 0, 0));
        store.delete(location);
    }

    @Test
    void shortSourceIsIncompleteInput() {
        ErasureException e = assertThrows(ErasureException.class,
                () -> store.write(new ByteArrayInputStream(new byte[10]), 11));
        assertEquals(ErasureException.Reason.INCOMPLETE_INPUT, e.reason());
    }

    @Test
    void longSourceIsExcessInput() {
        ErasureException e = assertThrows(ErasureException.class,
                () -> store.write(new ByteArrayInputStream(new byte[11]), 10));
        assertEquals(ErasureException.Reason.EXCESS_INPUT, e.reason());
    }

    @Test
    void uncheckedExceptionFromTheSourcePropagatesUnchanged() {
        IllegalStateException failure = new IllegalStateException("chunk signature mismatch");
        InputStream source = new InputStream() {
            @Override
            public int read() {
                throw failure;
            }
        };
        assertSame(failure, assertThrows(IllegalStateException.class, () -> store.write(source, 5)));
    }

    @Test
    void deletedBlobIsGoneAndDeleteIsIdempotent() {
        BlobLocation location = store.write(new ByteArrayInputStream(randomBytes(100)), 100);
        store.delete(location);
        store.delete(location);
        ErasureException e = assertThrows(ErasureException.class, () -> store.read(location, 0, 100));
        assertEquals(ErasureException.Reason.READ_QUORUM_LOST, e.reason());
    }

    @Test
    void rangesOutsideTheBlobAreRejected() {
        BlobLocation location = store.write(new ByteArrayInputStream(randomBytes(100)), 100);
        assertThrows(IllegalArgumentException.class, () -> store.read(location, 0, 101));
        assertThrows(IllegalArgumentException.class, () -> store.read(location, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> store.write(InputStream.nullInputStream(), -1));
    }

    @Test
    void forEachBlobReportsEveryNonEmptyBlobOnceWithItsLocation() {
        Map<String, BlobLocation> written = new HashMap<>();
        for (int size : new int[] {1, 5_000, 70_000}) {
            BlobLocation location = store.write(new ByteArrayInputStream(randomBytes(size)), size);
            written.put(location.id(), location);
        }
        store.write(InputStream.nullInputStream(), 0);
        BlobLocation deleted = store.write(new ByteArrayInputStream(randomBytes(10)), 10);
        store.delete(deleted);
        Map<String, StoredBlob> found = new HashMap<>();
        store.forEachBlob(blob -> assertNull(found.put(blob.id(), blob), "reported twice: " + blob.id()));
        assertEquals(written.keySet(), found.keySet());
        for (StoredBlob blob : found.values()) {
            assertEquals(written.get(blob.id()), blob.location());
            assertEquals(32, blob.id().length());
            assertTrue(blob.shardsPresent() >= 1);
        }
    }

    @Test
    void drivesAreReportedOnlineInConfigurationOrder() {
        var drives = store.drives();
        assertFalse(drives.isEmpty());
        for (int i = 0; i < drives.size(); i++) {
            assertEquals(i, drives.get(i).index());
            assertEquals(DriveStatus.State.ONLINE, drives.get(i).state());
        }
    }

    @Test
    void closedStoreRefusesNewCalls() {
        BlobLocation location = store.write(new ByteArrayInputStream(randomBytes(10)), 10);
        store.close();
        assertThrows(IllegalStateException.class, () -> store.write(InputStream.nullInputStream(), 0));
        assertThrows(IllegalStateException.class, () -> store.read(location, 0, 10));
        assertThrows(IllegalStateException.class, () -> store.delete(location));
        assertThrows(IllegalStateException.class, () -> store.forEachBlob(blob -> { }));
    }
}
