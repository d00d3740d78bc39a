package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
    /** How long a faulty or offline drive is left alone before it is probed again. */
    static final Duration DEFAULT_RETRY_PAUSE = Duration.ofSeconds(30);
    /**
     * Bytes written to a shard file before its writer syncs it early ({@code fdatasync}, see
     * {@link BlobWriter}), {@code -Dstrata.erasure.write-back-bytes}. 8 MiB: a 64 MiB blob at 4+2
     * costs 18 fsyncs instead of 102 with 1 MiB (one per block), while the fsync at commit, in
     * series with the reply, still finds at most 8 MiB per shard file dirty.
     */
    static final long WRITE_BACK_BYTES = Long.getLong("strata.erasure.write-back-bytes", 8L << 20);

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
    private final DriveHealth[] health;
    private final Clock clock;
    private volatile Duration retryPause = DEFAULT_RETRY_PAUSE;
    private volatile long writeBackBytes = WRITE_BACK_BYTES;
    private final ReedSolomon code;
    private final BufferPool buffers;
    private final DirectBufferPool readBuffers;
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean closed = new AtomicBoolean();
    private static final RateLimiter UNLIMITED = new RateLimiter(0);
    private final java.util.Set<BlobId> healing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong degradedReads = new AtomicLong();
    private final AtomicLong rebuiltShards = new AtomicLong();
    private volatile Runnable serviceListener = () -> { };
    private volatile ShardFaultListener faultListener = (location, shard, drive, reason) -> { };
    private volatile boolean parallelReads = true;
    private volatile BlockWriteHook blockWriteHook = (drive, shard, stripe) -> { };
    /** Each drive's segments, opened on first use while the drive is in service; guarded by {@link #segmentsLock}. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<DriveSegments> segments;
    private final java.util.concurrent.locks.ReentrantLock segmentsLock = new java.util.concurrent.locks.ReentrantLock();

    private DriveErasureStore(ErasureConfig config, List<Drive> drives, DriveHealth[] health, Clock clock) {
        this.config = config;
        this.drives = drives;
        this.health = health;
        this.clock = clock;
        this.segments = new java.util.concurrent.atomic.AtomicReferenceArray<>(drives.size());
        this.code = ReedSolomon.of(config.dataShards(), config.parityShards());
        int shards = config.dataShards() + config.parityShards();
        // Two stripes for every write that may run at once, plus two writes for the background
        // writers (heal, compaction): with fewer, concurrent large writes kept allocating fresh
        // block buffers (humongous in G1) under steady load. Only buffers once in use together are
        // kept, so this bounds what an idle store holds by its busiest moment.
        int maxIdle = (int) Math.min(Integer.MAX_VALUE, (config.concurrentWrites() + 2L) * 2 * shards);
        this.buffers = new BufferPool(config.blockSize() + ShardHeader.CRC_BYTES, maxIdle);
        // Read streams hold k blocks each (k+m when degraded): 64 MiB of direct buffers serves 16
        // concurrent 4+2 streams of 1 MiB blocks; streams beyond that read through heap buffers.
        int blockBuffer = config.blockSize() + ShardHeader.CRC_BYTES;
        this.readBuffers = new DirectBufferPool(blockBuffer, (int) Math.max(2L * shards, (64L << 20) / blockBuffer));
    }

    /**
     * Opens the drives, formatting those never used. A drive directory that vanished (or lost its
     * format file) while others are formatted is recreated empty with a WARN and marked REPLACED:
     * its shards are missing, reads rebuild them and heal restores them. A drive whose format file
     * names another drive than the set recorded for its position is REPLACED as well. A drive that
     * cannot be read or formatted is OFFLINE (logged at ERROR) and probed again later.
     *
     * @throws ErasureException IO when fewer than {@code k} drives can be used
     */
    static ErasureStore open(ErasureConfig config) {
        return open(config, Clock.systemUTC());
    }

    static DriveErasureStore open(ErasureConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        if (config.drives().size() > 0xFFFF) throw new IllegalArgumentException("at most 65535 drives");
        long stripeBytes = (long) (config.dataShards() + config.parityShards()) * config.blockSize();
        if (stripeBytes > MAX_STRIPE_BYTES) {
            // Every write and read holds one stripe of buffers; beyond this a few requests exhaust the heap.
            throw new IllegalArgumentException("(data-shards + parity-shards) x block-size must be <= 1GiB: " + stripeBytes);
        }
        int count = config.drives().size();
        List<Drive> drives = new ArrayList<>();
        for (int i = 0; i < count; i++) drives.add(new Drive(i, config.drives().get(i)));
        Drive.Format[] formats = new Drive.Format[count];
        for (int i = 0; i < count; i++) formats[i] = drives.get(i).readFormat();
        BlobId[] expected = expectedMembers(formats);
        boolean anyFormatted = Arrays.stream(formats).anyMatch(Objects::nonNull);
        SecureRandom random = new SecureRandom();
        DriveHealth[] health = new DriveHealth[count];
        for (Drive drive : drives) {
            int i = drive.index();
            Drive.Format format = formats[i];
            try {
                if (format != null) {
                    int leftovers = drive.ensureLayout();
                    if (leftovers > 0) LOG.info("removed {} unfinished shard files from {}", leftovers, drive.tmpDir());
                    if (expected[i] != null && !expected[i].equals(format.id()) && !format.rebuilding()) {
                        LOG.warn("drive {} holds drive {} where {} was; treating it as replaced, its shards will be rebuilt",
                                drive, format.id(), expected[i]);
                        format = format.withRebuilding(true);
                        drive.writeFormat(format);
                    }
                } else {
                    if (anyFormatted) {
                        if (Files.isDirectory(drive.root())) {
                            LOG.warn("drive {} has no valid format file; formatting it, its shards will be rebuilt from parity", drive);
                        } else {
                            LOG.warn("drive directory {} is missing; recreated empty, its shards will be rebuilt from parity", drive);
                        }
                    } else {
                        LOG.info("formatting new drive {}", drive);
                    }
                    format = new Drive.Format(BlobId.random(random), anyFormatted, List.of());
                    drive.format(format);
                }
                formats[i] = format;
                health[i] = format.rebuilding()
                        ? new DriveHealth(DriveStatus.State.REPLACED, "awaiting a full rebuild by heal")
                        : new DriveHealth(DriveStatus.State.ONLINE, "");
            } catch (IOException | RuntimeException e) {
                LOG.error("drive {} is offline: {}", drive, e.toString());
                formats[i] = null;
                health[i] = new DriveHealth(DriveStatus.State.OFFLINE, "cannot open: " + e);
            }
        }
        long usable = Arrays.stream(health).filter(DriveHealth::inService).count();
        if (usable < config.dataShards()) {
            throw new ErasureException(ErasureException.Reason.IO, "only " + usable + " of " + count
                    + " drives can be opened, need at least " + config.dataShards());
        }
        DriveErasureStore store = new DriveErasureStore(config, List.copyOf(drives), health, clock);
        store.recordMembers(formats, expected);
        store.openSegments();
        warmUpInBackground(store.code);
        return store;
    }

    /** Codes already warmed up (or warming) in this JVM; compiled code serves every store after. */
    private static final java.util.Set<ReedSolomon> WARMED = ConcurrentHashMap.newKeySet();

    /**
     * Warms the coder up on a daemon thread, once per code and JVM, unless
     * {@code -Dstrata.erasure.warm-up=false}: the store is usable at once, and requests arriving
     * meanwhile only share the CPU with it (about 0.5-1 s of one core, compiling included).
     */
    private static void warmUpInBackground(ReedSolomon code) {
        if (!Boolean.parseBoolean(System.getProperty("strata.erasure.warm-up", "true")) || !WARMED.add(code)) return;
        Thread.ofPlatform().daemon().name("strata-coder-warm-up").start(() -> {
            long start = System.nanoTime();
            try {
                long coded = code.warmUp();
                LOG.info("erasure coder warmed up: {} MiB coded in {} ms", coded >> 20, (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException | Error e) {
                LOG.error("erasure coder warm-up failed", e);
            }
        });
    }

    /** For each position, the drive id most formats record there (null when none does). */
    private static BlobId[] expectedMembers(Drive.Format[] formats) {
        BlobId[] expected = new BlobId[formats.length];
        for (int i = 0; i < formats.length; i++) {
            Map<BlobId, Integer> votes = new HashMap<>();
            for (Drive.Format format : formats) {
                if (format != null && format.members().size() == formats.length) votes.merge(format.members().get(i), 1, Integer::sum);
            }
            int best = 0;
            for (Map.Entry<BlobId, Integer> vote : votes.entrySet()) {
                if (vote.getValue() > best) {
                    best = vote.getValue();
                    expected[i] = vote.getKey();
                }
            }
        }
        return expected;
    }

    /**
     * Writes the current set (each position's drive id; for an offline drive the id last
     * recorded) into every usable drive's format file that records something else, so a drive
     * put in later is recognised as a replacement. Failures only log: the next open retries.
     */
    private void recordMembers(Drive.Format[] formats, BlobId[] expected) {
        List<BlobId> members = new ArrayList<>(formats.length);
        for (int i = 0; i < formats.length; i++) {
            BlobId id = formats[i] != null ? formats[i].id() : expected[i];
            members.add(id == null ? new BlobId(0, 0) : id);
        }
        for (int i = 0; i < formats.length; i++) {
            if (formats[i] == null || formats[i].members().equals(members)) continue;
            try {
                drives.get(i).writeFormat(formats[i].withMembers(members));
            } catch (IOException e) {
                driveError(i, e);
            }
        }
    }

    @Override
    public BlobLocation write(InputStream data, long length, BlobOwner owner) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(owner, "owner");
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        checkOpen();
        BlobId id = BlobId.clustered(random, clock.instant().getEpochSecond());
        ErasureBlobLocation location = new ErasureBlobLocation(id, length, config.dataShards(),
                config.parityShards(), config.blockSize(), placement(id));
        long shardBytes = SegmentBlobWriter.shardDataBytes(location);
        if (shardBytes > 0 && shardBytes <= config.segmentShardMax()) {
            return new SegmentBlobWriter(this, location, owner, data).write();
        }
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
        if (loc.inSegments() && loc.size() > 0) {
            // One shard per virtual thread: a tombstone waits only for its segment's slot lock.
            List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
            try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int shard = 0; shard < loc.totalShards(); shard++) {
                    int i = shard;
                    pending.add(executor.submit(() -> {
                        deleteShard(loc, i);
                        return null;
                    }));
                }
                for (var future : pending) {
                    try {
                        future.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
                        if (failure == null) failure = io; else failure.addSuppressed(io);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ErasureException(ErasureException.Reason.IO, "interrupted deleting blob " + loc.blobId(), e);
                    }
                }
            }
        }
        for (int shard = 0; shard < loc.totalShards() && loc.size() > 0 && !loc.inSegments(); shard++) {
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

    /**
     * Deletes one shard of a segment blob: its record (a tombstone), and a shard file heal may
     * have written in its place. A drive out of service is skipped, as a shard file's would be.
     */
    private void deleteShard(ErasureBlobLocation loc, int shard) throws IOException {
        int index = loc.drive(shard);
        Drive drive = drive(index);
        if (drive == null || !inService(index)) return;
        SegmentRef ref = loc.segmentRef(shard);
        // A deleted blob is out of the namespace: its tombstones need not wait for an fsync.
        if (ref != null) segments(index).free(loc.blobId(), shard, ref);
        Files.deleteIfExists(drive.shardPath(loc.blobId(), shard));
    }

    /**
     * The segments of the drive at {@code index}, opened (scanned) on first use.
     *
     * @throws IOException when the drive is out of service or its segments cannot be opened
     */
    DriveSegments segments(int index) throws IOException {
        if (!inService(index)) throw new IOException("drive #" + index + " is out of service");
        DriveSegments open = segments.get(index);
        if (open != null) return open;
        segmentsLock.lock();
        try {
            if (segments.get(index) != null) return segments.get(index);
            checkOpen();
            segments.set(index, DriveSegments.open(drives.get(index), clock, random));
            return segments.get(index);
        } finally {
            segmentsLock.unlock();
        }
    }

    /**
     * Opens every in-service drive's segments now, so the scan at open happens before the first
     * request and the drive status counts their live and dead bytes from the start.
     */
    private void openSegments() {
        for (int i = 0; i < drives.size(); i++) {
            if (!inService(i)) continue;
            try {
                segments(i);
            } catch (IOException e) {
                driveError(i, e);
            }
        }
    }

    /** The drive's segments if they are open now (no I/O), else null. */
    DriveSegments openSegments(int index) {
        return index < segments.length() ? segments.get(index) : null;
    }

    /** Forgets the drive's segments (its directory was recreated): they are opened afresh on next use. */
    private void resetSegments(int index) {
        segmentsLock.lock();
        try {
            DriveSegments old = segments.getAndSet(index, null);
            if (old != null) old.close();
        } finally {
            segmentsLock.unlock();
        }
    }

    @Override
    public void forEachBlob(Consumer<? super StoredBlob> action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        new BlobInventory(this, drives).walk(action);
    }

    @Override
    public HealResult heal(BlobLocation location, boolean verify) {
        return heal(erasureLocation(location), verify, UNLIMITED);
    }

    /** A heal charged to {@code limiter}; see {@link ErasureStore#heal(BlobLocation, boolean)}. */
    HealResult heal(ErasureBlobLocation location, boolean verify, RateLimiter limiter) {
        checkOpen();
        if (!healing.add(location.blobId())) {
            return new HealResult(location.id(), HealResult.Outcome.BUSY, 0, 0, 0, 0);
        }
        try {
            return new BlobHealer(this, location, verify, limiter).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErasureException(ErasureException.Reason.IO, "heal of blob " + location.id() + " interrupted", e);
        } finally {
            healing.remove(location.blobId());
        }
    }

    @Override
    public List<SegmentUsage> segments() {
        checkOpen();
        List<SegmentUsage> out = new ArrayList<>();
        for (Drive drive : drives) {
            DriveSegments open = inService(drive.index()) ? segments.get(drive.index()) : null;
            if (open != null) out.addAll(open.usage(drive.index()));
        }
        return List.copyOf(out);
    }

    @Override
    public void forEachBlobIn(SegmentUsage segment, Consumer<? super SegmentBlob> action) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(action, "action");
        checkOpen();
        DriveSegments open = segment.drive() < drives.size() ? segments.get(segment.drive()) : null;
        if (open == null) return;
        long id;
        try {
            id = java.util.HexFormat.fromHexDigitsToLong(segment.segment());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a segment id: " + segment.segment(), e);
        }
        try {
            open.forEachLiveIn(id, record -> action.accept(new SegmentBlob(record.header().blobId().hex(),
                    record.header().owner(), Instant.ofEpochMilli(record.writeTimeMillis()))));
        } catch (IOException e) {
            driveError(segment.drive(), e);
            throw new ErasureException(ErasureException.Reason.IO, "cannot read segment " + segment.segment()
                    + " on drive #" + segment.drive(), e);
        }
    }

    @Override
    public List<DriveStatus> drives() {
        List<DriveStatus> statuses = new ArrayList<>(drives.size());
        for (Drive drive : drives) {
            DriveHealth h = health[drive.index()];
            DriveSegments open = segments.get(drive.index());
            DriveSegments.Stats stats = open == null ? new DriveSegments.Stats(0, 0, 0) : open.stats();
            statuses.add(new DriveStatus(drive.index(), drive.root(), h.state(), h.detail(), stats.segments(),
                    stats.liveBytes(), stats.deadBytes(), drive.fsyncs()));
        }
        return List.copyOf(statuses);
    }

    /**
     * Whether reads, writes and walks should use the drive at {@code index} now. A drive out of
     * service whose pause has passed is probed on the calling thread (one prober at a time; the
     * others treat it as unusable meanwhile).
     */
    boolean usable(int index) {
        if (index >= drives.size()) return false;
        DriveHealth h = health[index];
        if (h.inService()) return true;
        if (!h.dueForProbe(clock.instant()) || !h.lock().tryLock()) return false;
        try {
            return probe(index);
        } finally {
            h.lock().unlock();
        }
    }

    /** Whether the drive at {@code index} is in service now (no probe, no I/O). */
    boolean inService(int index) {
        return index < drives.size() && health[index].inService();
    }

    /**
     * Checks every drive in service for a vanished layout (taking it out of service), then probes
     * every drive out of service now, whatever its pause: a heal pass starting.
     */
    void probeAll() {
        for (int i = 0; i < drives.size(); i++) checkLayout(i);
        for (int i = 0; i < drives.size(); i++) {
            DriveHealth h = health[i];
            if (h.inService()) continue;
            h.lock().lock();
            try {
                probe(i);
            } finally {
                h.lock().unlock();
            }
        }
    }

    /**
     * Brings a drive back when it answers again: its format file names it (or it is recreated
     * empty when its directory vanished, which makes it REPLACED), and a write probe succeeds.
     * Called with the drive's lock held.
     */
    private boolean probe(int index) {
        Drive drive = drives.get(index);
        DriveHealth h = health[index];
        try {
            Drive.Format format = drive.readFormat();
            if (format == null) {
                if (Files.exists(drive.root().resolve(Drive.FORMAT_FILE))) {
                    throw new IOException("format file unreadable");
                }
                // The directory (or just its format file) vanished while we ran: start it over
                // empty, as open does; heal fills it.
                format = new Drive.Format(BlobId.random(random), true, List.of());
                resetSegments(index);
                drive.format(format);
                LOG.warn("drive {} was empty or missing; recreated empty, its shards will be rebuilt", drive);
            }
            drive.ensureDirectories();
            drive.probeWrite();
            DriveStatus.State state = format.rebuilding() ? DriveStatus.State.REPLACED : DriveStatus.State.ONLINE;
            h.set(state, format.rebuilding() ? "awaiting a full rebuild by heal" : "", Instant.MIN);
            LOG.info("drive {} is back in service as {}", drive, state);
            serviceListener.run(); // shards written meanwhile are missing there: time for a pass
            return true;
        } catch (IOException | RuntimeException e) {
            h.set(h.state(), h.detail().isEmpty() ? e.toString() : h.detail(), clock.instant().plus(retryPause));
            LOG.debug("drive {} still out of service: {}", drive, e.toString());
            return false;
        }
    }

    /**
     * Records an I/O error on the drive at {@code index}: OFFLINE when its layout is gone,
     * otherwise FAULTY; either way it is skipped until a probe after the pause finds it well.
     */
    void driveError(int index, IOException e) {
        if (index >= drives.size()) return;
        Drive drive = drives.get(index);
        boolean gone = !Files.isDirectory(drive.blobsDir());
        DriveStatus.State state = gone ? DriveStatus.State.OFFLINE : DriveStatus.State.FAULTY;
        String detail = gone ? "drive layout missing" : e.toString();
        if (health[index].set(state, detail, clock.instant().plus(retryPause))) {
            LOG.error("drive {} is {}: {}", drive, state, detail);
        }
    }

    /**
     * Called when a shard file was not found: if the whole drive layout is gone, the drive goes
     * OFFLINE (a missing file alone is just a missing shard).
     */
    void checkLayout(int index) {
        if (index < drives.size() && health[index].inService() && !Files.isDirectory(drives.get(index).blobsDir())) {
            driveError(index, new NoSuchFileException(drives.get(index).blobsDir().toString()));
        }
    }

    /** A REPLACED drive that heal has completely rebuilt: clears the flag in its format file. */
    void driveRebuilt(int index) {
        DriveHealth h = health[index];
        h.lock().lock();
        try {
            if (h.state() != DriveStatus.State.REPLACED) return;
            Drive drive = drives.get(index);
            Drive.Format format = drive.readFormat();
            if (format == null) throw new IOException("format file unreadable");
            drive.writeFormat(format.withRebuilding(false));
            h.set(DriveStatus.State.ONLINE, "", Instant.MIN);
            LOG.info("drive {} is fully rebuilt and online", drive);
        } catch (IOException e) {
            driveError(index, e);
        } finally {
            h.lock().unlock();
        }
    }

    /** The newest end of a complete scrub pass any drive in service records, or null. */
    Instant lastScrub() {
        Instant newest = null;
        for (Drive drive : drives) {
            if (!health[drive.index()].inService()) continue;
            Instant at = drive.readLastScrub();
            if (at != null && (newest == null || at.isAfter(newest))) newest = at;
        }
        return newest;
    }

    /** Records the end of a complete scrub pass on every drive in service (failures only log). */
    void recordScrub(Instant when) {
        for (Drive drive : drives) {
            if (!health[drive.index()].inService()) continue;
            try {
                drive.writeLastScrub(when);
            } catch (IOException e) {
                LOG.warn("cannot record the scrub time on {}: {}", drive, e.toString());
            }
        }
    }

    /** Bytes written to a shard file between two early write-backs ({@code fdatasync}) of it. */
    long writeBackBytes() {
        return writeBackBytes;
    }

    /** Sets {@link #writeBackBytes()} (tests). */
    void writeBackBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("write-back bytes must be >= 1: " + bytes);
        this.writeBackBytes = bytes;
    }

    /** The pause before a faulty or offline drive is probed again (tests shorten it). */
    void retryPause(Duration pause) {
        this.retryPause = Objects.requireNonNull(pause);
    }

    Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        segmentsLock.lock();
        try {
            for (int i = 0; i < segments.length(); i++) {
                DriveSegments old = segments.getAndSet(i, null);
                if (old != null) old.close();
            }
        } finally {
            segmentsLock.unlock();
        }
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

    DirectBufferPool readBuffers() {
        return readBuffers;
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

    /** Told (on the probing thread, without locks held by the caller's work) when a drive comes back into service. */
    void serviceListener(Runnable listener) {
        this.serviceListener = Objects.requireNonNull(listener);
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
