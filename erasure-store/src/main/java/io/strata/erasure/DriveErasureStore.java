package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasure store over local drive directories, one shard of each blob per drive.
 *
 * <p>Placement: shard {@code i} of a blob goes to drive {@code (r + i) mod D}, where {@code D} is
 * the number of drives and {@code r} is derived from the blob id, so parity spreads evenly. The
 * location records the drive of every shard, so reads never recompute placement.
 *
 * <p>A zero-length blob has no shard files at all: its location is the whole blob.
 *
 * <p>Thread-safe: every call works on its own buffers and files; the store itself holds only
 * configuration, the shared code and counters. {@link #close()} refuses new calls
 * ({@link IllegalStateException}); streams already returned by {@link #read} keep working until
 * their owner closes them.
 */
final class DriveErasureStore implements ErasureStore {
    private static final Logger LOG = LoggerFactory.getLogger(DriveErasureStore.class);
    static final long MAX_STRIPE_BYTES = 1L << 30;

    /** Told about every shard a read found missing or corrupt; the future heal queue hooks in here. */
    @FunctionalInterface
    interface ShardFaultListener {
        void shardFault(ErasureBlobLocation location, int shard, Path drive, String reason);
    }

    /**
     * Called before each shard block is written, on the writing thread; tests inject drive
     * failures and stalls here (the {@code FaultyDrive} of our style guide, without a wrapper).
     */
    @FunctionalInterface
    interface BlockWriteHook {
        void beforeBlockWrite(int drive, int shard, long stripe) throws IOException;
    }

    private final ErasureConfig config;
    private final List<Drive> drives;
    private final ReedSolomon code;
    private final BufferPool buffers;
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong degradedReads = new AtomicLong();
    private final AtomicLong rebuiltShards = new AtomicLong();
    private volatile ShardFaultListener faultListener = (location, shard, drive, reason) -> { };
    private volatile boolean parallelReads = true;
    private volatile BlockWriteHook blockWriteHook = (drive, shard, stripe) -> { };

    private DriveErasureStore(ErasureConfig config, List<Drive> drives) {
        this.config = config;
        this.drives = drives;
        this.code = ReedSolomon.of(config.dataShards(), config.parityShards());
        int shards = config.dataShards() + config.parityShards();
        // Room for a few idle stripes: enough to skip allocation under steady load, and a cap on
        // what an idle store keeps (24 MiB for the 4+2, 1 MiB default).
        int maxIdle = (int) Math.max(shards, Math.min(4L * shards, (64L << 20) / config.blockSize()));
        this.buffers = new BufferPool(config.blockSize() + ShardHeader.CRC_BYTES, maxIdle);
    }

    /**
     * Opens the drives, formatting those never used. A drive directory that vanished while others
     * are formatted is recreated empty with a WARN: its shards are missing and reads rebuild them.
     *
     * @throws ErasureException IO when a drive directory cannot be created or formatted
     */
    static ErasureStore open(ErasureConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.drives().size() > 0xFFFF) throw new IllegalArgumentException("at most 65535 drives");
        long stripeBytes = (long) (config.dataShards() + config.parityShards()) * config.blockSize();
        if (stripeBytes > MAX_STRIPE_BYTES) {
            // Every write and read holds one stripe of buffers; beyond this a few requests exhaust the heap.
            throw new IllegalArgumentException("(data-shards + parity-shards) x block-size must be <= 1GiB: " + stripeBytes);
        }
        List<Drive> drives = new ArrayList<>();
        for (int i = 0; i < config.drives().size(); i++) drives.add(new Drive(i, config.drives().get(i)));
        long formatted = drives.stream().filter(Drive::isFormatted).count();
        for (Drive drive : drives) {
            try {
                if (drive.isFormatted()) {
                    int leftovers = drive.ensureLayout();
                    if (leftovers > 0) LOG.info("removed {} unfinished shard files from {}", leftovers, drive.tmpDir());
                    continue;
                }
                if (formatted > 0) {
                    if (Files.isDirectory(drive.root())) {
                        LOG.warn("drive {} has no valid format file; formatting it, its shards will be rebuilt from parity", drive);
                    } else {
                        LOG.warn("drive directory {} is missing; recreated empty, its shards will be rebuilt from parity", drive);
                    }
                } else {
                    LOG.info("formatting new drive {}", drive);
                }
                SecureRandom random = new SecureRandom();
                drive.format(BlobId.random(random));
            } catch (IOException e) {
                throw new ErasureException(ErasureException.Reason.IO, "cannot open drive " + drive, e);
            }
        }
        return new DriveErasureStore(config, List.copyOf(drives));
    }

    @Override
    public BlobLocation write(InputStream data, long length, BlobOwner owner) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(owner, "owner");
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        checkOpen();
        BlobId id = BlobId.random(random);
        ErasureBlobLocation location = new ErasureBlobLocation(id, length, config.dataShards(),
                config.parityShards(), config.blockSize(), placement(id));
        return new BlobWriter(this, location, owner, data).write();
    }

    @Override
    public InputStream read(BlobLocation location, long offset, long length) {
        ErasureBlobLocation loc = erasureLocation(location);
        if (offset < 0 || length < 0 || offset > loc.size() || length > loc.size() - offset) {
            throw new IllegalArgumentException("range [" + offset + ", +" + length + ") outside blob of " + loc.size());
        }
        checkOpen();
        BlobReadStream stream = new BlobReadStream(this, loc, offset, length);
        try {
            stream.prefetch(); // a blob that cannot be read fails here, before a caller sends headers
            return stream;
        } catch (RuntimeException | Error e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public void delete(BlobLocation location) {
        ErasureBlobLocation loc = erasureLocation(location);
        checkOpen();
        IOException failure = null;
        for (int shard = 0; shard < loc.totalShards() && loc.size() > 0; shard++) {
            Drive drive = drive(loc.drive(shard));
            if (drive == null) continue;
            try {
                Files.deleteIfExists(drive.shardPath(loc.blobId(), shard));
            } catch (IOException e) {
                if (failure == null) failure = e; else failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw new ErasureException(ErasureException.Reason.IO, "cannot delete blob " + loc.blobId(), failure);
        }
    }

    @Override
    public void forEachBlob(Consumer<? super StoredBlob> action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        new BlobInventory(this, drives).walk(action);
    }

    @Override
    public List<DriveStatus> drives() {
        List<DriveStatus> statuses = new ArrayList<>(drives.size());
        for (Drive drive : drives) {
            boolean present = Files.isDirectory(drive.blobsDir());
            statuses.add(new DriveStatus(drive.index(), drive.root(),
                    present ? DriveStatus.State.ONLINE : DriveStatus.State.OFFLINE,
                    present ? "" : "drive layout missing"));
        }
        return List.copyOf(statuses);
    }

    /** Whether reads, writes and walks should use the drive at {@code index} now. */
    boolean usable(int index) {
        return index < drives.size();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) throw new IllegalStateException("erasure store is closed");
    }

    private static ErasureBlobLocation erasureLocation(BlobLocation location) {
        Objects.requireNonNull(location, "location");
        if (location instanceof ErasureBlobLocation loc) return loc;
        throw new IllegalArgumentException("not an erasure store location: " + location.getClass().getName());
    }

    private int[] placement(BlobId id) {
        return placement(id, drives.size(), config.dataShards() + config.parityShards());
    }

    /** Shard {@code i} on drive {@code (r + i) mod driveCount}, {@code r} taken from the blob id. */
    static int[] placement(BlobId id, int driveCount, int shards) {
        int rotation = (int) Long.remainderUnsigned(id.low() ^ id.high(), driveCount);
        int[] placement = new int[shards];
        for (int shard = 0; shard < shards; shard++) placement[shard] = (rotation + shard) % driveCount;
        return placement;
    }

    /** The drive at {@code index}, or null when the configuration no longer has it. */
    Drive drive(int index) {
        return index < drives.size() ? drives.get(index) : null;
    }

    ErasureConfig config() {
        return config;
    }

    BufferPool buffers() {
        return buffers;
    }

    /** Called once per shard per read stream that found the shard missing or corrupt. */
    void shardFault(ErasureBlobLocation location, int shard, Drive drive, String reason) {
        rebuiltShards.incrementAndGet();
        String where = drive == null ? "drive #" + location.drive(shard) : drive.toString();
        LOG.warn("shard rebuilt: blob {} shard {} on {}: {}", location.blobId(), shard, where, reason);
        faultListener.shardFault(location, shard, drive == null ? null : drive.root(), reason);
    }

    /** Called once per stripe served from a reconstruction instead of the data shards alone. */
    void degradedStripe() {
        degradedReads.incrementAndGet();
    }

    /** Whether a stripe's blocks are read on one virtual thread per drive (the default). */
    boolean parallelReads() {
        return parallelReads;
    }

    void parallelReads(boolean parallel) {
        this.parallelReads = parallel;
    }

    BlockWriteHook blockWriteHook() {
        return blockWriteHook;
    }

    void blockWriteHook(BlockWriteHook hook) {
        this.blockWriteHook = Objects.requireNonNull(hook);
    }

    void faultListener(ShardFaultListener listener) {
        this.faultListener = Objects.requireNonNull(listener);
    }

    /** Stripes served by reconstruction since open. */
    long degradedReads() {
        return degradedReads.get();
    }

    /** Shard faults seen by read streams since open (each counted once per stream). */
    long rebuiltShards() {
        return rebuiltShards.get();
    }
}
