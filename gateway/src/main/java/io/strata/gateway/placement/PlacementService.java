package io.strata.gateway.placement;

import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import io.strata.gateway.objects.ObjectException;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.objects.PlacementHook;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.placement.AccessTracker;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import io.strata.tiering.placement.EvictionCandidates;
import io.strata.tiering.placement.Pins;
import io.strata.tiering.placement.PlacementPolicy;
import io.strata.tiering.TierMover;
import io.strata.tiering.placement.VersionRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Objective-based placement over the object service: RestoreObject and promotion on access (cold
 * versions moved hot in the background), pinned prefixes (kept hot: lifecycle transitions and
 * eviction skip them; stored durably as the bucket config document {@value #KIND}), prefetch jobs
 * (every cold version under a prefix moved hot, with progress), and watermark eviction (the least
 * recently used hot versions moved to the eviction tier while the hot tier is above its high
 * watermark, until it is under the low one).
 *
 * <p>Background moves run on a bounded pool ({@value #MOVERS} movers, {@value #QUEUE} waiting):
 * promotion drops work when it is full and never slows a GET; RestoreObject answers
 * {@code 503 SlowDown}. A prefetch job moves {@value #PREFETCH_PARALLEL} versions at once. Memory is bounded: access counters by {@link PlacementPolicy#trackedVersions()},
 * eviction candidates by {@value #EVICTION_BATCH} per pass, finished prefetch jobs by
 * {@value #KEPT_JOBS}. Thread-safe. {@link #close()} stops the workers; moves cut short leave the
 * version where it was (see {@link TierMover}).
 */
public final class PlacementService implements PlacementHook, MetricsSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);
    /** Bucket config document kind holding a bucket's pinned prefixes. */
    static final String KIND = "strata-placement";
    private static final String HEADER = "strata-placement 1";
    static final int MOVERS = 2;
    static final int QUEUE = 1024;
    static final int EVICTION_BATCH = 1000;
    static final int KEPT_JOBS = 16;
    static final int MAX_RUNNING_PREFETCHES = 4;
    static final int PREFETCH_PARALLEL = 4;
    private static final int PAGE = 1000;

    /** What RestoreObject found. */
    public enum RestoreOutcome { STARTED, ONGOING, ALREADY_HOT }

    /** One prefetch job and its progress. Counters are updated while it runs. */
    public static final class PrefetchJob {
        final long id;
        final String bucket;
        final String prefix;
        final Instant started;
        volatile String state = "counting";
        volatile Instant finished;
        volatile String error = "";
        final AtomicLong objectsTotal = new AtomicLong();
        final AtomicLong bytesTotal = new AtomicLong();
        final AtomicLong objectsDone = new AtomicLong();
        final AtomicLong bytesDone = new AtomicLong();
        final AtomicLong objectsFailed = new AtomicLong();

        PrefetchJob(long id, String bucket, String prefix, Instant started) {
            this.id = id;
            this.bucket = bucket;
            this.prefix = prefix;
            this.started = started;
        }

        public boolean done() {
            return finished != null;
        }

        /**
         * The job as the admin API shows it, read field by field while the job runs (each value is
         * current, the set is not one instant).
         */
        public View view() {
            return new View(id, bucket, prefix, state, done(), objectsDone.get(), objectsTotal.get(), bytesDone.get(),
                    bytesTotal.get(), objectsFailed.get(), error, started, Optional.ofNullable(finished));
        }
    }

    /** What a prefetch job has done so far ({@link PrefetchJob#view()}). */
    public record View(long id, String bucket, String prefix, String state, boolean done, long objectsDone,
                       long objectsTotal, long bytesDone, long bytesTotal, long objectsFailed, String error,
                       Instant started, Optional<Instant> finished) {
    }

    /** The hot tier's fill as the last eviction check measured it. */
    public record Usage(long used, long capacity, boolean configured, Instant measured) {
        public double fraction() {
            return capacity == 0 ? 0 : (double) used / capacity;
        }
    }

    private final ObjectService service;
    private final Namespace namespace;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final List<Path> drives;
    private final double expansion;
    private final AccessTracker tracker;
    private final Set<VersionRef> moving = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor movers;
    private final ReentrantLock pinLock = new ReentrantLock();
    private volatile Pins pins;
    private final Map<Long, PrefetchJob> jobs = new ConcurrentHashMap<>();
    private final AtomicLong jobIds = new AtomicLong();
    private final ReentrantLock evictLock = new ReentrantLock();
    private final Condition evictWake = evictLock.newCondition();
    private volatile boolean closing;
    private volatile Usage usage;
    private volatile boolean evicting;
    private Thread evictor;

    final LongAdder promotions = new LongAdder();
    final LongAdder promotionsDropped = new LongAdder();
    final LongAdder restores = new LongAdder();
    public final LongAdder evictions = new LongAdder();
    public final LongAdder evictedBytes = new LongAdder();
    public final LongAdder evictionPasses = new LongAdder();
    final LongAdder prefetchedObjects = new LongAdder();
    final LongAdder prefetchedBytes = new LongAdder();
    final LongAdder moveFailures = new LongAdder();

    /**
     * @param drives    the hot tier's drive directories (their file stores measure its fill when no
     *                  {@code placement.hot-capacity} is configured)
     * @param expansion raw bytes written per byte of object data ((data + parity) / data)
     */
    public PlacementService(ObjectService service, PlacementPolicy policy, Clock clock, List<Path> drives, double expansion) {
        this.service = service;
        this.namespace = service.namespace();
        this.policy = policy;
        this.clock = clock;
        this.drives = List.copyOf(drives);
        this.expansion = expansion;
        this.tracker = new AccessTracker(clock, policy);
        this.movers = new ThreadPoolExecutor(MOVERS, MOVERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofVirtual().name("strata-placement-mover-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        this.pins = loadPins();
    }

    /** Starts the watermark check every {@code interval}. */
    public void start(Duration interval) {
        evictor = Thread.ofVirtual().name("strata-placement-evictor").start(() -> evictLoop(interval));
    }

    public PlacementPolicy policy() {
        return policy;
    }

    /** @throws ObjectException NO_SUCH_BUCKET */
    public void requireBucket(BucketName bucket) {
        service.requireBucket(bucket);
    }

    // ---- reads, promotion, restore

    /** Called for every GET of a version: records the access and queues a promotion when the policy says so. */
    public void observeRead(ObjectVersion v) {
        boolean cold = TierMover.coldName(v).isPresent();
        if (tracker.read(VersionRef.of(v), cold) && cold) {
            if (submit(v, promotions)) {
                LOG.debug("promotion queued: bucket={} key={} version={}", v.bucket(), v.key(), v.versionId());
            } else {
                promotionsDropped.increment();
            }
        }
    }

    /** True while a move of this version to the hot tier is queued or running. */
    public boolean restoring(ObjectVersion v) {
        return moving.contains(VersionRef.of(v));
    }

    /**
     * RestoreObject: starts moving a cold version hot.
     *
     * @throws ObjectException SLOW_DOWN when the move queue is full
     */
    public RestoreOutcome restore(ObjectVersion v) {
        if (TierMover.coldName(v).isEmpty()) return RestoreOutcome.ALREADY_HOT;
        if (restoring(v)) return RestoreOutcome.ONGOING;
        if (!submit(v, restores)) {
            if (restoring(v)) return RestoreOutcome.ONGOING;
            throw new ObjectException(ObjectException.Reason.SLOW_DOWN, "Too many restores in progress; retry later.");
        }
        return RestoreOutcome.STARTED;
    }

    /** Queues a move hot of {@code v} unless one is queued already; false if the queue is full. */
    private boolean submit(ObjectVersion v, LongAdder counter) {
        VersionRef ref = VersionRef.of(v);
        if (!moving.add(ref)) return true;
        try {
            movers.execute(() -> {
                try {
                    if (toHot(v)) counter.increment();
                } finally {
                    moving.remove(ref);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            moving.remove(ref);
            return false;
        }
    }

    /** Moves the current state of {@code v} hot; true if it moved. Failures are logged and counted. */
    private boolean toHot(ObjectVersion v) {
        try {
            Optional<ObjectVersion> now = namespace.version(v.bucket(), v.key(), v.versionId());
            return now.isPresent() && service.promote(now.get());
        } catch (RuntimeException e) {
            if (closing) return false;
            moveFailures.increment();
            LOG.warn("moving bucket={} key={} version={} to the hot tier failed: {}", v.bucket(), v.key(),
                    v.versionId(), e.toString());
            return false;
        }
    }

    // ---- pins

    public Pins pins() {
        return pins;
    }

    /** A version under a prefix pinned hot stays hot: the object service asks before every move cold. */
    @Override
    public boolean keepsHot(ObjectVersion version) {
        return pinned(version);
    }

    /** True if a pinned prefix covers the version (transitions and eviction leave it alone). */
    boolean pinned(ObjectVersion v) {
        return pins.covers(v.bucket().value(), v.key().value());
    }

    /** Pins {@code prefix} of {@code bucket} hot, durably. @throws NamespaceException BUCKET_NOT_FOUND */
    public void pin(BucketName bucket, String prefix) {
        changePins(bucket, prefix, true);
    }

    /** Removes a pin; false if there was none. */
    public boolean unpin(BucketName bucket, String prefix) {
        return changePins(bucket, prefix, false);
    }

    private boolean changePins(BucketName bucket, String prefix, boolean add) {
        pinLock.lock();
        try {
            Pins.Pin pin = new Pins.Pin(bucket.value(), prefix);
            boolean present = pins.pins().contains(pin);
            if (present == add) return false;
            Pins next = add ? pins.with(pin) : pins.without(pin);
            List<String> prefixes = next.prefixes(bucket.value());
            if (prefixes.isEmpty()) {
                namespace.deleteBucketConfig(bucket, KIND);
            } else {
                namespace.putBucketConfig(bucket, KIND, encodePins(prefixes));
            }
            pins = next;
            LOG.info("{} bucket={} prefix={}", add ? "pinned hot" : "unpinned", bucket, prefix);
            return true;
        } finally {
            pinLock.unlock();
        }
    }

    private Pins loadPins() {
        Pins p = Pins.none();
        for (Bucket b : namespace.buckets()) {
            Optional<byte[]> doc;
            try {
                doc = namespace.bucketConfig(b.name(), KIND);
            } catch (NamespaceException e) {
                continue;   // deleted meanwhile
            }
            if (doc.isEmpty()) continue;
            try {
                for (String prefix : decodePins(doc.get())) p = p.with(new Pins.Pin(b.name().value(), prefix));
            } catch (IllegalArgumentException e) {
                LOG.warn("bucket {}: stored placement document is unreadable, no pins loaded: {}", b.name(), e.getMessage());
            }
        }
        return p;
    }

    /** "strata-placement 1", then one "pin PREFIX" line per pinned prefix (URL-encoded, so any key works). */
    static byte[] encodePins(List<String> prefixes) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (String p : prefixes) b.append("pin ").append(URLEncoder.encode(p, StandardCharsets.UTF_8)).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the document is not one {@link #encodePins} wrote */
    static List<String> decodePins(byte[] doc) {
        String[] lines = new String(doc, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) throw new IllegalArgumentException("unknown format");
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            if (!lines[i].startsWith("pin ")) throw new IllegalArgumentException("unknown line " + i);
            out.add(URLDecoder.decode(lines[i].substring(4), StandardCharsets.UTF_8));
        }
        return out;
    }

    // ---- prefetch

    /**
     * Starts a job moving every cold version under {@code prefix} of {@code bucket} hot.
     *
     * @throws ObjectException SLOW_DOWN when {@value #MAX_RUNNING_PREFETCHES} jobs are running
     */
    public PrefetchJob prefetch(BucketName bucket, String prefix) {
        service.requireBucket(bucket);
        if (jobs.values().stream().filter(j -> !j.done()).count() >= MAX_RUNNING_PREFETCHES) {
            throw new ObjectException(ObjectException.Reason.SLOW_DOWN, "Too many prefetch jobs running; retry later.");
        }
        PrefetchJob job = new PrefetchJob(jobIds.incrementAndGet(), bucket.value(), prefix, clock.instant());
        jobs.put(job.id, job);
        trimJobs();
        Thread.ofVirtual().name("strata-prefetch-" + job.id).start(() -> runPrefetch(job, bucket));
        return job;
    }

    public Optional<PrefetchJob> job(long id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public List<PrefetchJob> jobs() {
        return jobs.values().stream().sorted(java.util.Comparator.comparingLong(j -> j.id)).toList();
    }

    private void trimJobs() {
        List<PrefetchJob> finished = jobs().stream().filter(PrefetchJob::done).toList();
        for (int i = 0; i < finished.size() - KEPT_JOBS; i++) jobs.remove(finished.get(i).id);
    }

    private void runPrefetch(PrefetchJob job, BucketName bucket) {
        try {
            // Two passes over the (metadata-only) listing: the first gives the totals progress is measured against.
            forEachVersion(bucket, job.prefix, v -> {
                if (isCold(v)) {
                    job.objectsTotal.incrementAndGet();
                    job.bytesTotal.addAndGet(v.size());
                }
            });
            job.state = "running";
            // Up to PREFETCH_PARALLEL moves at once (cold reads are latency-bound); the listing waits for a free slot.
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PREFETCH_PARALLEL);
            try (var parallel = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                forEachVersion(bucket, job.prefix, v -> {
                    if (!isCold(v)) return;
                    slots.acquireUninterruptibly();
                    try {
                        parallel.execute(() -> {
                            try {
                                prefetchOne(job, v);
                            } finally {
                                slots.release();
                            }
                        });
                    } catch (RuntimeException e) {
                        slots.release();
                        throw e;
                    }
                });
            }
            job.state = closing ? "cancelled" : job.objectsFailed.get() > 0 ? "failed" : "done";
        } catch (RuntimeException e) {
            job.state = "failed";
            job.error = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("prefetch {} of bucket={} prefix={} failed: {}", job.id, job.bucket, job.prefix, job.error);
        } finally {
            job.finished = clock.instant();
            LOG.info("prefetch {} bucket={} prefix={} {}: {} of {} objects, {} bytes", job.id, job.bucket, job.prefix,
                    job.state, job.objectsDone.get(), job.objectsTotal.get(), job.bytesDone.get());
        }
    }

    /** Moves one version of a prefetch job hot and counts it. */
    private void prefetchOne(PrefetchJob job, ObjectVersion v) {
        VersionRef ref = VersionRef.of(v);
        if (!moving.add(ref)) {
            job.objectsDone.incrementAndGet();   // a restore or promotion is moving it already
            job.bytesDone.addAndGet(v.size());
            return;
        }
        try {
            if (toHot(v)) {
                prefetchedObjects.increment();
                prefetchedBytes.add(v.size());
            } else if (namespace.version(v.bucket(), v.key(), v.versionId()).filter(this::isCold).isPresent()) {
                job.objectsFailed.incrementAndGet();
            }
        } finally {
            moving.remove(ref);
        }
        job.objectsDone.incrementAndGet();
        job.bytesDone.addAndGet(v.size());
    }

    private boolean isCold(ObjectVersion v) {
        return !v.deleteMarker() && TierMover.coldName(v).isPresent();
    }

    /** Every version and delete marker under the prefix, page by page (memory: one page). */
    private void forEachVersion(BucketName bucket, String prefix, Consumer<ObjectVersion> visitor) {
        String keyMarker = "";
        String versionMarker = "";
        VersionPage page;
        do {
            page = namespace.listVersions(bucket, new VersionQuery(prefix, "", keyMarker, versionMarker, PAGE));
            for (VersionPage.Entry e : page.versions()) {
                if (closing) return;
                visitor.accept(e.version());
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        } while (page.truncated() && !closing);
    }

    // ---- watermark eviction

    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    public boolean evicting() {
        return evicting;
    }

    /** The tier evicted versions go to: {@code placement.eviction-tier} or the first configured one. */
    public Optional<String> evictionTier() {
        if (policy.evictionTier().isPresent()) return policy.evictionTier();
        List<ColdTiers.Tier> tiers = service.tiers().list();
        return tiers.isEmpty() ? Optional.empty() : Optional.of(tiers.getFirst().name());
    }

    /** Wakes the evictor for a check now. */
    void checkNow() {
        evictLock.lock();
        try {
            evictWake.signalAll();
        } finally {
            evictLock.unlock();
        }
    }

    private void evictLoop(Duration interval) {
        while (!closing) {
            try {
                evictionPass();
            } catch (RuntimeException e) {
                if (closing) return;
                LOG.warn("eviction pass failed: {}", e.toString());
            }
            evictLock.lock();
            try {
                if (!closing) evictWake.await(interval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            } finally {
                evictLock.unlock();
            }
        }
    }

    /**
     * One check: measures the hot tier and, above the high watermark, moves the least recently used
     * eligible hot versions (not pinned, not read within the keep-hot window) to the eviction tier
     * until the low watermark is reached or this pass's {@value #EVICTION_BATCH} candidates are used up.
     */
    void evictionPass() {
        Instant now = clock.instant();
        Instant keepAfter = now.minus(policy.keepHotWindow());
        EvictionCandidates<ObjectVersion> candidates = new EvictionCandidates<>(EVICTION_BATCH);
        long used;
        long capacity;
        boolean configured = policy.hotCapacity().isPresent();
        if (configured) {
            capacity = policy.hotCapacity().getAsLong();
            long[] hot = {0};
            scanHot(v -> {
                hot[0] += v.size();
                offer(candidates, v, keepAfter);
            });
            used = hot[0];
        } else {
            long[] m = measureDrives();
            used = m[0];
            capacity = m[1];
            if (policy.overHighWatermark(used, capacity)) scanHot(v -> offer(candidates, v, keepAfter));
        }
        usage = new Usage(used, capacity, configured, now);
        evictionPasses.increment();
        if (!policy.overHighWatermark(used, capacity)) return;
        Optional<String> tier = evictionTier();
        if (tier.isEmpty()) {
            LOG.warn("hot tier at {} of capacity, above the high watermark, but no cold tier to evict to",
                    String.format(java.util.Locale.ROOT, "%.3f", (double) used / capacity));
            return;
        }
        // Raw drive bytes become object bytes through the erasure code's expansion.
        long toFree = configured ? policy.bytesToFree(used, capacity)
                : (long) Math.ceil(policy.bytesToFree(used, capacity) / expansion);
        LOG.info("hot tier above the high watermark ({} of {} bytes): evicting about {} bytes to {}", used, capacity,
                toFree, tier.get());
        evicting = true;
        long freed = 0;
        try {
            for (EvictionCandidates.Candidate<ObjectVersion> c : candidates.oldestFirst()) {
                if (freed >= toFree || closing) break;
                ObjectVersion v = c.item();
                if (moving.contains(VersionRef.of(v)) || pinned(v)) continue;
                try {
                    Optional<ObjectVersion> current = namespace.version(v.bucket(), v.key(), v.versionId());
                    // Changed meanwhile (overwritten, moved): the compare-and-set of the move catches the rest.
                    if (current.isEmpty() || TierMover.coldName(current.get()).isPresent()) continue;
                    if (service.transition(current.get(), tier.get())) {
                        freed += v.size();
                        evictions.increment();
                        evictedBytes.add(v.size());
                    }
                } catch (RuntimeException e) {
                    moveFailures.increment();
                    LOG.warn("evicting bucket={} key={} version={} to {} failed: {}", v.bucket(), v.key(), v.versionId(),
                            tier.get(), e.toString());
                }
            }
        } finally {
            evicting = false;
        }
        usage = new Usage(Math.max(0, used - (configured ? freed : (long) (freed * expansion))), capacity, configured,
                clock.instant());
    }

    private void offer(EvictionCandidates<ObjectVersion> candidates, ObjectVersion v, Instant keepAfter) {
        if (pinned(v)) return;
        Instant last = tracker.lastAccess(VersionRef.of(v)).orElse(v.lastModified());
        if (!last.isBefore(keepAfter) && !policy.keepHotWindow().isZero()) return;
        candidates.offer(v, last, v.size());
    }

    /** Every version whose data is on the drives, bucket by bucket (inline and cold ones take no drive space). */
    private void scanHot(Consumer<ObjectVersion> visitor) {
        for (Bucket b : namespace.buckets()) {
            try {
                forEachVersion(b.name(), "", v -> {
                    if (!v.deleteMarker() && v.size() > 0 && onDrives(v)) visitor.accept(v);
                });
            } catch (NamespaceException e) {
                if (e.reason() != NamespaceException.Reason.BUCKET_NOT_FOUND) throw e;
            }
        }
    }

    /** True if the version's data is in erasure-coded shard files (not cold, not inline in its record). */
    private static boolean onDrives(ObjectVersion v) {
        try {
            return !v.segments().isEmpty() && DataRef.decode(v.segments().getFirst().ref()) instanceof DataRef.Hot;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {used, total} raw bytes over the distinct file stores holding the drives. */
    private long[] measureDrives() {
        long used = 0;
        long total = 0;
        Set<FileStore> seen = new HashSet<>();
        for (Path d : drives) {
            try {
                FileStore fs = Files.getFileStore(d);
                if (!seen.add(fs)) continue;
                total += fs.getTotalSpace();
                used += fs.getTotalSpace() - fs.getUsableSpace();
            } catch (IOException e) {
                LOG.debug("drive {} not measured: {}", d, e.toString());
            }
        }
        return new long[]{used, total};
    }

    /** Promotion counters for status: versions remembered, versions with reads counting, totals. */
    public Map<String, Long> promotionCounters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("tracked", (long) tracker.size());
        m.put("counting", (long) tracker.counting());
        m.put("queued", (long) movers.getQueue().size());
        m.put("moving", (long) moving.size());
        m.put("promoted", promotions.sum());
        m.put("dropped", promotionsDropped.sum());
        m.put("restored", restores.sum());
        m.put("failed", moveFailures.sum());
        return m;
    }

    @Override
    public void close() {
        closing = true;
        checkNow();
        if (evictor != null) evictor.interrupt();
        movers.shutdownNow();
        try {
            movers.awaitTermination(5, TimeUnit.SECONDS);
            if (evictor != null) evictor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void appendTo(StringBuilder out) {
        Metrics.counter(out, "strata_placement_promotions_total", "Cold versions moved hot after repeated reads.", promotions.sum());
        Metrics.counter(out, "strata_placement_promotions_dropped_total", "Promotions not queued because the move queue was full.", promotionsDropped.sum());
        Metrics.counter(out, "strata_placement_restores_total", "Cold versions moved hot by RestoreObject.", restores.sum());
        Metrics.counter(out, "strata_placement_evictions_total", "Hot versions moved cold by watermark eviction.", evictions.sum());
        Metrics.counter(out, "strata_placement_evicted_bytes_total", "Bytes moved cold by watermark eviction.", evictedBytes.sum());
        Metrics.counter(out, "strata_placement_prefetched_objects_total", "Cold versions moved hot by prefetch jobs.", prefetchedObjects.sum());
        Metrics.counter(out, "strata_placement_prefetched_bytes_total", "Bytes moved hot by prefetch jobs.", prefetchedBytes.sum());
        Metrics.counter(out, "strata_placement_move_failures_total", "Placement moves that failed (the version stayed where it was).", moveFailures.sum());
        usage().ifPresent(u -> Metrics.gauge(out, "strata_placement_hot_used_fraction", "Hot tier fill at the last watermark check.", u.fraction()));
    }
}
