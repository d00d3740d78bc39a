package io.strata.erasure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the hot tier whole in the background. Two workers share one rate limit:
 * <ul>
 * <li>a <b>queue</b> of blobs a read had to rebuild (bounded; when full the blob is dropped and
 *     counted, the next pass finds it), healed as they come;</li>
 * <li>a <b>scanner</b> that walks every blob ({@link ErasureStore#forEachBlob}) every
 *     {@link HealConfig#interval()} and heals those missing shards, and every
 *     {@link HealConfig#scrubInterval()} runs a scrub pass that reads and verifies every block
 *     (bitrot) and repairs what it finds. A pass runs at once when the store opened with a drive
 *     out of service or replaced, and whenever {@link #requestPass} asks. A REPLACED drive becomes
 *     ONLINE after a complete pass that left nothing of it unhealed.</li>
 * </ul>
 * The scanner is the durable backstop: nothing of the queue needs to survive a restart, since the
 * drives themselves say what is missing.
 *
 * <p>Thread-safe. The creator closes it; {@link #close()} stops both workers (a blob being healed
 * finishes or is abandoned with its temporary files, which the next open removes).
 */
public final class Healer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Healer.class);
    /** Blobs a pass heals at the same time. */
    static final int PARALLEL_HEALS = 4;
    /** How soon a pass runs again when it could not finish rebuilding a replaced drive. */
    static final Duration RETRY_REPLACED = Duration.ofMinutes(1);

    private final ErasureStore store;
    private final DriveErasureStore drives; // null for stores without drives (the in-memory fake)
    private final HealConfig config;
    private final Clock clock;
    private final RateLimiter limiter;
    private final BlockingQueue<BlobLocation> queue;
    private final Set<String> queuedIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong queueDropped = new AtomicLong();
    private final Counters total = new Counters();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Thread scanner;
    private final Thread queueWorker;
    private volatile boolean closed;
    // guarded by lock
    private boolean requested;
    private boolean requestedScrub;
    private Instant nextPass;
    private Instant nextScrub;
    // the running pass, read without the lock by status()
    private volatile boolean running;
    private volatile boolean runningScrub;
    private volatile Instant passStarted;
    private volatile double progress;
    private volatile Counters pass = new Counters();
    private volatile Instant lastPassFinished;
    private volatile HealCounters lastPass = HealCounters.ZERO;
    private volatile boolean lastPassScrub;
    private final AtomicLong passes = new AtomicLong();

    /** Mutable counts of one pass or of everything; each field is atomic. */
    private static final class Counters {
        final AtomicLong scanned = new AtomicLong();
        final AtomicLong healed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong rebuilt = new AtomicLong();
        final AtomicLong corrupt = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong written = new AtomicLong();

        void add(HealResult r) {
            scanned.incrementAndGet();
            if (r.shardsRebuilt() > 0) healed.incrementAndGet();
            if (r.outcome() == HealResult.Outcome.LOST || r.outcome() == HealResult.Outcome.PARTIAL) failed.incrementAndGet();
            rebuilt.addAndGet(r.shardsRebuilt());
            corrupt.addAndGet(r.corruptBlocks());
            read.addAndGet(r.bytesRead());
            written.addAndGet(r.bytesWritten());
        }

        HealCounters snapshot() {
            return new HealCounters(scanned.get(), healed.get(), failed.get(), rebuilt.get(), corrupt.get(), read.get(),
                    written.get());
        }
    }

    private Healer(ErasureStore store, HealConfig config, Clock clock) {
        this.store = store;
        this.drives = store instanceof DriveErasureStore d ? d : null;
        this.config = config;
        this.clock = clock;
        this.limiter = new RateLimiter(config.rateBytesPerSecond());
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        Instant now = clock.instant();
        boolean degraded = store.drives().stream().anyMatch(d -> d.state() != DriveStatus.State.ONLINE);
        this.nextPass = degraded ? now : now.plus(config.interval());
        // The drives remember the last scrub, so restarts do not keep postponing it.
        Instant lastScrub = drives == null ? null : drives.lastScrub();
        this.nextScrub = config.scrubInterval().isZero() ? Instant.MAX
                : (lastScrub == null ? now : lastScrub).plus(config.scrubInterval());
        this.scanner = Thread.ofPlatform().daemon().name("strata-heal-scanner").unstarted(this::scanLoop);
        this.queueWorker = Thread.ofVirtual().name("strata-heal-queue").unstarted(this::queueLoop);
    }

    /**
     * Starts healing {@code store} in the background. A drive store also reports every shard its
     * reads had to rebuild to this healer's queue.
     */
    public static Healer start(ErasureStore store, HealConfig config) {
        return start(store, config, Clock.systemUTC());
    }

    static Healer start(ErasureStore store, HealConfig config, Clock clock) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(config, "config");
        Healer healer = new Healer(store, config, clock);
        if (healer.drives != null) {
            DriveErasureStore d = healer.drives;
            // A shard on a drive out of service cannot be rebuilt until the drive is back, and then
            // a pass (which runs when a probe brings a drive back replaced) finds it.
            d.faultListener((location, shard, drive, reason) -> {
                if (d.inService(location.drive(shard))) healer.enqueue(location);
            });
            d.serviceListener(healer::passSoon);
        }
        healer.scanner.start();
        healer.queueWorker.start();
        return healer;
    }

    /**
     * Asks for a pass now (a scrub pass with {@code scrub}). When a pass is running, another
     * follows it; asking twice before it starts is one request.
     *
     * @return false when the healer is closed
     */
    public boolean requestPass(boolean scrub) {
        if (closed) return false;
        lock.lock();
        try {
            requested = true;
            requestedScrub |= scrub;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** When the next scheduled scrub pass is due (tests). */
    Instant nextScrub() {
        lock.lock();
        try {
            return nextScrub;
        } finally {
            lock.unlock();
        }
    }

    /** A drive came back into service: a scheduled pass (young blobs left alone) runs now. */
    void passSoon() {
        lock.lock();
        try {
            nextPass = clock.instant();
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** What is going on now. Cheap: no I/O beyond {@link ErasureStore#drives()}. */
    public HealStatus status() {
        boolean isRunning = running;
        Instant started = passStarted;
        Instant finished = lastPassFinished;
        return new HealStatus(isRunning, isRunning ? runningScrub : lastPassScrub,
                Optional.ofNullable(isRunning ? started : null), isRunning ? progress : (finished == null ? 0 : 1),
                isRunning ? pass.snapshot() : HealCounters.ZERO, Optional.ofNullable(finished), lastPass,
                total.snapshot(), passes.get(), queue.size(), queueDropped.get(), limiter.rate(), store.drives());
    }

    /** Changes the rate limit while running (0 = unlimited). */
    public void rate(long bytesPerSecond) {
        limiter.rate(bytesPerSecond);
    }

    /** Queues a blob a read found damaged; false when it was already queued or the queue is full. */
    boolean enqueue(BlobLocation location) {
        if (closed || !queuedIds.add(location.id())) return false;
        if (!queue.offer(location)) {
            queuedIds.remove(location.id());
            queueDropped.incrementAndGet();
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        scanner.interrupt();
        queueWorker.interrupt();
        try {
            scanner.join(TimeUnit.SECONDS.toMillis(10));
            queueWorker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void queueLoop() {
        while (!closed) {
            BlobLocation location;
            try {
                location = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            queuedIds.remove(location.id());
            try {
                total.add(heal(location, false));
            } catch (ErasureException e) {
                total.failed.incrementAndGet();
                LOG.warn("queued heal of blob {} failed: {}", location.id(), e.toString());
            } catch (IllegalStateException e) {
                return; // store closed
            }
        }
    }

    private HealResult heal(BlobLocation location, boolean verify) {
        if (drives != null && location instanceof ErasureBlobLocation loc) return drives.heal(loc, verify, limiter);
        return store.heal(location, verify);
    }

    private void scanLoop() {
        while (!closed) {
            boolean scrub;
            boolean manual;
            lock.lock();
            try {
                while (true) {
                    if (closed) return;
                    Instant now = clock.instant();
                    if (requested || !now.isBefore(nextPass) || !now.isBefore(nextScrub)) break;
                    Instant next = nextPass.isBefore(nextScrub) ? nextPass : nextScrub;
                    long millis = Math.max(1, Duration.between(now, next).toMillis());
                    wake.await(Math.min(millis, TimeUnit.MINUTES.toMillis(1)), TimeUnit.MILLISECONDS);
                }
                Instant now = clock.instant();
                manual = requested;
                scrub = requestedScrub || !now.isBefore(nextScrub);
                requested = false;
                requestedScrub = false;
                nextPass = now.plus(config.interval());
                if (scrub && !config.scrubInterval().isZero()) nextScrub = now.plus(config.scrubInterval());
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                runPass(scrub, manual);
            } catch (PassInterrupted e) {
                return;
            } catch (RuntimeException e) {
                if (closed) return;
                LOG.error("heal pass failed: {}", e.toString());
            } finally {
                running = false;
            }
        }
    }

    /** Thrown through the inventory walk to stop it when the healer closes. */
    private static final class PassInterrupted extends RuntimeException {
        PassInterrupted() {
            super("heal pass interrupted", null, false, false);
        }
    }

    private void runPass(boolean scrub, boolean manual) {
        if (drives != null) drives.probeAll();
        List<Integer> replaced = new ArrayList<>();
        for (DriveStatus d : store.drives()) if (d.state() == DriveStatus.State.REPLACED) replaced.add(d.index());
        boolean[] unhealed = new boolean[store.drives().size()];
        Counters counters = new Counters();
        pass = counters;
        progress = 0;
        passStarted = clock.instant();
        runningScrub = scrub;
        running = true;
        Instant youngest = clock.instant().minus(config.minAge());
        LOG.info("{} pass started{}", scrub ? "scrub" : "heal", replaced.isEmpty() ? "" : ", rebuilding drives " + replaced);
        // A few blobs at a time, so one blob's fsyncs overlap another's reads and decoding; the
        // rate limit, not this number, decides the share of the drives heal takes.
        Semaphore slots = new Semaphore(PARALLEL_HEALS);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            store.forEachBlob(blob -> {
                if (closed || Thread.currentThread().isInterrupted()) throw new PassInterrupted();
                progress = Integer.parseInt(blob.id().substring(0, 4), 16) / 65536.0;
                BlobLocation location = blob.location();
                int shards = location instanceof ErasureBlobLocation loc ? loc.totalShards() : blob.shardsPresent();
                boolean complete = blob.shardsPresent() >= shards;
                if (!scrub && complete) {
                    counters.scanned.incrementAndGet();
                    total.scanned.incrementAndGet();
                    return; // every shard file is there; headers and blocks are the scrub's business
                }
                if (!scrub && !manual && blob.lastModified().isAfter(youngest)) {
                    counters.scanned.incrementAndGet();
                    total.scanned.incrementAndGet();
                    markUnhealed(location, unhealed);
                    return; // perhaps still being written
                }
                try {
                    slots.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PassInterrupted();
                }
                executor.submit(() -> {
                    try {
                        healOne(blob, scrub, counters, unhealed);
                    } finally {
                        slots.release();
                    }
                });
            });
        }
        if (closed) throw new PassInterrupted();
        HealCounters done = counters.snapshot();
        boolean retry = false;
        for (int index : replaced) {
            if (!unhealed[index] && drives != null) drives.driveRebuilt(index); else retry = true;
        }
        if (retry) {
            // A replaced drive is not whole yet (young blobs, a drive out of service): try again soon.
            lock.lock();
            try {
                Instant soon = clock.instant().plus(RETRY_REPLACED);
                if (soon.isBefore(nextPass)) nextPass = soon;
            } finally {
                lock.unlock();
            }
        }
        lastPass = done;
        lastPassScrub = scrub;
        lastPassFinished = clock.instant();
        if (scrub && drives != null) drives.recordScrub(lastPassFinished);
        passes.incrementAndGet();
        LOG.info("{} pass done: {} blobs scanned, {} healed ({} shards), {} failed, {} corrupt blocks, {} bytes read, {} written",
                scrub ? "scrub" : "heal", done.blobsScanned(), done.blobsHealed(), done.shardsRebuilt(), done.blobsFailed(),
                done.corruptBlocks(), done.bytesRead(), done.bytesWritten());
    }

    private void healOne(StoredBlob blob, boolean scrub, Counters counters, boolean[] unhealed) {
        BlobLocation location = blob.location();
        HealResult result;
        try {
            result = heal(location, scrub);
            // The queue may be healing the same blob right now; it takes milliseconds, and a pass
            // that skipped it could not vouch for a replaced drive.
            for (int attempt = 0; result.outcome() == HealResult.Outcome.BUSY && attempt < 200 && !closed; attempt++) {
                Thread.sleep(10);
                result = heal(location, scrub);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ErasureException e) {
            LOG.warn("heal of blob {} failed: {}", blob.id(), e.toString());
            counters.scanned.incrementAndGet();
            counters.failed.incrementAndGet();
            total.scanned.incrementAndGet();
            total.failed.incrementAndGet();
            markUnhealed(location, unhealed);
            return;
        } catch (IllegalStateException e) {
            return; // the store closed under the pass
        }
        switch (result.outcome()) {
            // BUSY: the queue is on it right now, so this pass cannot vouch for it
            case BUSY, PARTIAL, LOST -> markUnhealed(location, unhealed);
            default -> { }
        }
        counters.add(result);
        total.add(result);
    }

    private static void markUnhealed(BlobLocation location, boolean[] unhealed) {
        if (location instanceof ErasureBlobLocation loc) {
            synchronized (unhealed) { // written by the pass's heal threads; no I/O under it
                for (int drive : loc.drives()) if (drive < unhealed.length) unhealed[drive] = true;
            }
        }
    }
}
