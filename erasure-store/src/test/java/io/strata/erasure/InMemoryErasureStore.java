package io.strata.erasure;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An in-memory {@link ErasureStore} for tests of code above the seam (the object service, the
 * tiering mover): same contract as the drive store, checked by {@code ErasureStoreContract}, but
 * blobs live whole in a map. Holding whole blobs is fine in a test fake and nowhere else.
 * Thread-safe. Locations it returns decode with {@link BlobLocation#decode}; a deleted or unknown
 * blob reads as {@code READ_QUORUM_LOST}, the way the drive store reports every shard missing.
 */
public final class InMemoryErasureStore implements ErasureStore {
    private record Stored(byte[] bytes, ErasureBlobLocation location, BlobOwner owner, Instant written) {
    }

    private final ConcurrentHashMap<BlobId, Stored> blobs = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** An empty store. */
    public static InMemoryErasureStore create() {
        return new InMemoryErasureStore();
    }

    private InMemoryErasureStore() {
    }

    @Override
    public BlobLocation write(InputStream data, long length, BlobOwner owner) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(owner, "owner");
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        if (length > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too large for the in-memory store: " + length);
        checkOpen();
        byte[] bytes;
        try {
            bytes = data.readNBytes((int) length);
            if (bytes.length < length) {
                throw new ErasureException(ErasureException.Reason.INCOMPLETE_INPUT,
                        "source ended after " + bytes.length + " of " + length + " bytes");
            }
            if (data.read() != -1) {
                throw new ErasureException(ErasureException.Reason.EXCESS_INPUT, "source has more than " + length + " bytes");
            }
        } catch (IOException e) {
            throw new ErasureException(ErasureException.Reason.IO, "reading the source failed", e);
        }
        BlobId id = BlobId.random(random);
        ErasureBlobLocation location = new ErasureBlobLocation(id, length, 1, 0, ErasureConfig.DEFAULT_BLOCK_SIZE, new int[] {0});
        if (length > 0) blobs.put(id, new Stored(bytes, location, owner, Instant.now()));
        return location;
    }

    @Override
    public InputStream read(BlobLocation location, long offset, long length) {
        ErasureBlobLocation loc = location(location);
        if (offset < 0 || length < 0 || offset > loc.size() || length > loc.size() - offset) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") outside blob of " + loc.size());
        }
        checkOpen();
        if (length == 0) return InputStream.nullInputStream();
        Stored stored = blobs.get(loc.blobId());
        if (stored == null) {
            throw new ErasureException(ErasureException.Reason.READ_QUORUM_LOST, "blob " + loc.blobId() + " not found");
        }
        return new ByteArrayInputStream(stored.bytes(), (int) offset, (int) length);
    }

    @Override
    public void delete(BlobLocation location) {
        ErasureBlobLocation loc = location(location);
        checkOpen();
        blobs.remove(loc.blobId());
    }

    /** Reports every non-empty blob, like the drive store, with its write time as modification time. */
    @Override
    public void forEachBlob(Consumer<? super StoredBlob> action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        for (Stored stored : List.copyOf(blobs.values())) {
            action.accept(new StoredBlob(stored.location(), stored.owner(), stored.written(), 1));
        }
    }

    /** Nothing to repair in memory: HEALTHY for a stored blob, GONE for an unknown one. */
    @Override
    public HealResult heal(BlobLocation location, boolean verify) {
        ErasureBlobLocation loc = location(location);
        checkOpen();
        boolean present = loc.size() == 0 || blobs.containsKey(loc.blobId());
        return new HealResult(loc.id(), present ? HealResult.Outcome.HEALTHY : HealResult.Outcome.GONE, 0, 0, 0, 0);
    }

    /** One imaginary drive, always online. */
    @Override
    public List<DriveStatus> drives() {
        return List.of(new DriveStatus(0, Path.of("memory"), DriveStatus.State.ONLINE, ""));
    }

    @Override
    public void close() {
        closed.set(true);
    }

    /** Blobs currently stored, for tests asserting that nothing leaked. */
    public int blobCount() {
        return blobs.size();
    }

    private void checkOpen() {
        if (closed.get()) throw new IllegalStateException("erasure store is closed");
    }

    private static ErasureBlobLocation location(BlobLocation location) {
        Objects.requireNonNull(location, "location");
        if (location instanceof ErasureBlobLocation loc) return loc;
        throw new IllegalArgumentException("not an erasure store location: " + location.getClass().getName());
    }
}
