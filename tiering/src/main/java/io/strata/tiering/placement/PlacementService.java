package io.strata.tiering.placement;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.namespace.BulkJobRunner;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierMover;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Objective-based placement over the namespace and the cold tiers: RestoreObject and promotion on access (cold
 * versions moved hot in the background), pinned prefixes (kept hot: lifecycle transitions and
 * eviction skip them; stored durably as the bucket config document {@value #KIND}), prefetch jobs
 * (every cold version under a prefix moved hot: a durable bulk job, {@value #PREFETCH}, that resumes
 * after a restart), watermark eviction (the least
 * recently used hot versions moved to the eviction tier while the hot tier is above its high
 * watermark, until it is under the low one), and the keep-newest objectives ({@link KeepNewestRule}:
 * the newest N versions or directories under a prefix pinned hot, older ones destaged in the
 * background whatever the hot tier's fill).
 *
 * <p>Background moves run on a bounded pool ({@value #MOVERS} movers, {@value #QUEUE} waiting):
 * promotion drops work when it is full and never slows a GET; a restore then fails with
 * {@link PlacementException.Reason#SLOW_DOWN}. Versions move through {@link PlacementMoves}, the data
 * plane's own move paths. Counters are read with {@link #counters()} (the gateway writes them into
 * its metrics). Memory is bounded: access counters by {@link PlacementPolicy#trackedVersions()},
 * eviction candidates by {@value #EVICTION_BATCH} per pass. Thread-safe. {@link #close()} stops the workers; moves cut short leave the
 * version where it was (see {@link TierMover}).
 */
public final class PlacementService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);
    /** Bucket config document kind holding a bucket's pinned prefixes. */
    static final String KIND = "strata-placement";
    private static final String HEADER = "strata-placement 1";
    static final int MOVERS = 2;
    static final int QUEUE = 1024;
    static final int EVICTION_BATCH = 1000;
    /** The bulk job action of {@code strata prefetch}: every cold version under a prefix moved hot. */
    public static final String PREFETCH = "tier.prefetch";
    private static final int PAGE = 1000;

    /** What RestoreObject found. */
    public enum RestoreOutcome { STARTED, ONGOING, ALREADY_HOT }

    /** The hot tier's fill as the last eviction check measured it. */
    public record Usage(long used, long capacity, boolean configured, Instant measured) {
        public double fraction() {
            return capacity == 0 ? 0 : (double) used / capacity;
        }
    }

    /**
     * Placement's counters since start, read at one moment (each is exact; together they are not one
     * atomic snapshot).
     */
    public record Counters(long promotions, long promotionsDropped, long restores, long evictions, long evictedBytes,
                           long evictionPasses, long prefetchedObjects, long prefetchedBytes, long moveFailures) {
    }

    private final Namespace namespace;
    private final ColdTiers tiers;
    private final PlacementMoves moves;
    private final PlacementPolicy policy;
    private final Clock clock;
    private final List<Path> drives;
    private final double expansion;
    private final AccessTracker tracker;
    private final Set<VersionRef> moving = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor movers;
    private final ReentrantLock pinLock = new ReentrantLock();
    private volatile Pins pins;
    private final ReentrantLock evictLock = new ReentrantLock();
    private final Condition evictWake = evictLock.newCondition();
    private volatile boolean closing;
    private volatile Usage usage;
    private volatile boolean evicting;
    private Thread evictor;

    private final LongAdder promotions = new LongAdder();
    private final LongAdder promotionsDropped = new LongAdder();
    private final LongAdder restores = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder evictedBytes = new LongAdder();
    private final LongAdder evictionPasses = new LongAdder();
    private final LongAdder prefetchedObjects = new LongAdder();
    private final LongAdder prefetchedBytes = new LongAdder();
    private final LongAdder moveFailures = new LongAdder();
    private final KeepNewest keepNewest;

    /**
     * @param namespace where versions, buckets and the pin documents are
     * @param tiers     the cold tiers (the first one is the eviction tier unless the policy names one)
     * @param moves     how a version moves hot or cold (the data plane's move paths)
     * @param jobs      the bulk jobs, with which the {@value #PREFETCH} action is registered
     * @param drives    the hot tier's drive directories (their file stores measure its fill when no
     *                  {@code placement.hot-capacity} is configured)
     * @param expansion raw bytes written per byte of object data ((data + parity) / data)
     */
    public PlacementService(Namespace namespace, ColdTiers tiers, PlacementMoves moves, PlacementPolicy policy,
                            BulkJobs jobs, Clock clock, List<Path> drives, double expansion) {
        this(namespace, tiers, moves, policy, List.of(), jobs, clock, drives, expansion);
    }

    /**
     * As above, with keep-newest objectives (each rule's tier must be configured; an absent bucket is
     * waited for: its rule acts once the bucket exists).
     */
    public PlacementService(Namespace namespace, ColdTiers tiers, PlacementMoves moves, PlacementPolicy policy,
                            List<KeepNewestRule> keepNewest, BulkJobs jobs, Clock clock, List<Path> drives,
                            double expansion) {
        this.namespace = namespace;
        this.tiers = tiers;
        this.moves = moves;
        this.policy = policy;
        this.clock = clock;
        this.drives = List.copyOf(drives);
        this.expansion = expansion;
        this.tracker = new AccessTracker(clock, policy);
        this.movers = new ThreadPoolExecutor(MOVERS, MOVERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofVirtual().name("strata-placement-mover-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        this.pins = loadPins();
        this.keepNewest = new KeepNewest(namespace, moves, keepNewest, this::evictionTier, moving, clock);
        jobs.register(PREFETCH, this::prefetchOne, ended -> { });
    }

    /** Starts the watermark check every {@code interval}, and keep-newest passes every {@link KeepNewestRule#DEFAULT_INTERVAL}. */
    public void start(Duration interval) {
        start(interval, KeepNewestRule.DEFAULT_INTERVAL);
    }

    /**
     * Starts the watermark check every {@code interval} and the keep-newest passes every
     * {@code keepNewestInterval} (sooner after a write under a rule's prefix; none without rules).
     */
    public void start(Duration interval, Duration keepNewestInterval) {
        evictor = Thread.ofVirtual().name("strata-placement-evictor").start(() -> evictLoop(interval));
        keepNewest.start(keepNewestInterval, namespace.changeFeed());
    }

    public PlacementPolicy policy() {
        return policy;
    }

    /** @throws PlacementException NO_SUCH_BUCKET unless the bucket exists */
    public void requireBucket(BucketName bucket) {
        if (namespace.bucket(bucket).isEmpty()) throw PlacementException.noSuchBucket(bucket);
    }

    // ---- reads, promotion, restore

    /**
     * Called for every GET of a version: records the access and queues a promotion when the policy says
     * so. A version a keep-newest rule ranks beyond its newest N is not promoted: the rule's next pass
     * would send it cold again, each move a full copy (a pin keeps an old checkpoint hot on purpose).
     */
    public void observeRead(ObjectVersion v) {
        boolean cold = TierMover.coldName(v).isPresent();
        if (tracker.read(VersionRef.of(v), cold) && cold && !keepNewest.destages(v)) {
            if (submit(v, promotions)) {
                LOG.debug("promotion queued: bucket={} key={} version={}", v.bucket(), v.key(), v.versionId());
            } else {
                promotionsDropped.increment();
            }
        }
    }

    /**
     * True while a move of this version to the hot tier is queued or running. (A hot version a
     * keep-newest pass is moving cold is in the same set of versions being moved, but is not restoring.)
     */
    public boolean restoring(ObjectVersion v) {
        return TierMover.coldName(v).isPresent() && moving.contains(VersionRef.of(v));
    }

    /**
     * RestoreObject: starts moving a cold version hot.
     *
     * @throws PlacementException SLOW_DOWN when the move queue is full
     */
    public RestoreOutcome restore(ObjectVersion v) {
        if (TierMover.coldName(v).isEmpty()) return RestoreOutcome.ALREADY_HOT;
        if (restoring(v)) return RestoreOutcome.ONGOING;
        if (!submit(v, restores)) {
            if (restoring(v)) return RestoreOutcome.ONGOING;
            throw PlacementException.slowDown("restore of bucket=" + v.bucket() + " key=" + v.key() + " version="
                    + v.versionId() + " not queued: " + QUEUE + " moves are waiting");
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
            return now.isPresent() && moves.toHot(now.get());
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

    /**
     * A version under a prefix pinned hot, or ranked within a keep-newest rule's newest N, stays hot: the
     * data plane asks before every move cold (the wiring hands it this method), so lifecycle transitions
     * and eviction leave it alone.
     */
    public boolean keepsHot(ObjectVersion version) {
        return pinned(version) || keepNewest.keepsHot(version);
    }

    // ---- keep newest N hot

    /** The keep-newest rules with their counters, in configuration order. */
    public List<KeepNewestStatus> keepNewest() {
        return keepNewest.status();
    }

    /** One keep-newest pass over every rule, on the calling thread. */
    void keepNewestPass() {
        keepNewest.passNow();
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
     * One version of a {@value #PREFETCH} job: a cold version is moved hot (DONE), anything else is
     * SKIPPED, as is a version a restore or promotion is moving already. Idempotent, as a bulk job's
     * action must be. A version that stays cold counts as failed.
     */
    private BulkJobRunner.Outcome prefetchOne(BulkJob job, ObjectVersion v) {
        if (!isCold(v)) return BulkJobRunner.Outcome.SKIPPED;
        VersionRef ref = VersionRef.of(v);
        if (!moving.add(ref)) return BulkJobRunner.Outcome.SKIPPED;
        try {
            if (toHot(v)) {
                prefetchedObjects.increment();
                prefetchedBytes.add(v.size());
                return BulkJobRunner.Outcome.DONE;
            }
            if (namespace.version(v.bucket(), v.key(), v.versionId()).filter(this::isCold).isPresent()) {
                throw new IllegalStateException("could not move it hot (the move's failure is logged above)");
            }
            return BulkJobRunner.Outcome.SKIPPED;   // overwritten or deleted meanwhile
        } finally {
            moving.remove(ref);
        }
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
        List<ColdTiers.Tier> all = tiers.list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getFirst().name());
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
                if (moving.contains(VersionRef.of(v)) || keepsHot(v)) continue;
                try {
                    Optional<ObjectVersion> current = namespace.version(v.bucket(), v.key(), v.versionId());
                    // Changed meanwhile (overwritten, moved): the compare-and-set of the move catches the rest.
                    if (current.isEmpty() || TierMover.coldName(current.get()).isPresent()) continue;
                    if (moves.toCold(current.get(), tier.get())) {
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
        if (keepsHot(v)) return;
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

    /** The counters since start; cheap, never blocks (read by every metrics scrape). */
    public Counters counters() {
        return new Counters(promotions.sum(), promotionsDropped.sum(), restores.sum(), evictions.sum(),
                evictedBytes.sum(), evictionPasses.sum(), prefetchedObjects.sum(), prefetchedBytes.sum(),
                moveFailures.sum());
    }

    @Override
    public void close() {
        closing = true;
        keepNewest.close();
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
}
