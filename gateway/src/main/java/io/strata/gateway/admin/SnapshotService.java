package io.strata.gateway.admin;

import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.namespace.WorkItem;
import io.strata.tiering.snapshot.ConsistencyCut;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.snapshot.SnapshotExporter;
import io.strata.tiering.snapshot.SnapshotExports;
import io.strata.tiering.snapshot.SnapshotGc;
import io.strata.tiering.snapshot.SnapshotLocator;
import io.strata.tiering.snapshot.SnapshotReader;
import io.strata.tiering.snapshot.SnapshotRepository;
import io.strata.tiering.snapshot.SnapshotRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the gateway's snapshot exports ({@link SnapshotExports}) and verifications, and counts them.
 * <ul>
 *   <li>An export runs on a bounded pool ({@code snapshots.max-running-exports} threads); a create
 *       beyond it is refused, never queued out of sight.</li>
 *   <li>At {@link #start}, {@link SnapshotExports#resumeAll} finishes the aborts a stop interrupted
 *       and resumes the exports a stop or a crash interrupted, so an export killed with
 *       {@code kill -9} ends by itself after the restart; the exports it leaves (failed shortly
 *       before, or stopped by a graceful shutdown) go on right after it, a start being a natural
 *       retry. A failed export is due again after {@link SnapshotExports#retryAfter()}
 *       ({@code snapshots.export-retry-after}); a periodic check resumes due exports, and until then it is listed
 *       with its attempts and last error, never dropped.</li>
 *   <li>An abort of a running export stops it after its current range file, then undoes it.</li>
 * </ul>
 * Each export logs one line when it starts and one when it ends (id, repository, counts,
 * duration). Thread-safe; threads start in {@link #start}, never in the constructor.
 */
public final class SnapshotService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);
    /** How often due exports (failed ones whose wait is over) are looked for, at most: more often if their wait is shorter. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(10);
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: exports interrupted by a stop are not
     * resumed at start, so the kill-during-an-export conformance test must fail (its negative control).
     */
    static final String SKIP_RESUME_FAULT = "skip-snapshot-resume";
    /** Verifications running at once; more are refused with SlowDown. */
    static final int MAX_VERIFICATIONS = 4;
    /** Finished exports and verifications remembered for status queries, newest kept. */
    private static final int KEEP_ENDED = 100;
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What this process knows of an export beyond its durable record. */
    static final class Tracked {
        final long id;
        final String snapshot;
        final String repository;
        /** The export's record as last read: what it covers, for after the record is gone. */
        volatile SnapshotExports.Export record;
        volatile String state;
        volatile SnapshotExporter.Counters counters;
        volatile long totalVersions = -1;
        volatile SnapshotExporter.Result result;
        volatile String error = "";
        volatile Instant started;
        /**
         * When this process had taken the export's checkpoint (its create returned): no write that
         * began after it is in the snapshot. The root's {@code takenAt} is when the checkpoint began,
         * so the cut lies between the two. Unknown (null) for an export this process did not create.
         */
        volatile Instant checkpointed;
        volatile Instant ended;
        volatile boolean abortRequested;
        /** The thread running the export, interrupted by an abort so that it stops mid-upload. */
        volatile Thread thread;

        Tracked(SnapshotExports.Export record, String state) {
            this.id = record.id();
            this.snapshot = record.snapshot();
            this.repository = record.repository();
            this.record = record;
            this.state = state;
        }
    }

    /** A verification: running until {@code report} or {@code error} is set. */
    static final class Verification {
        final long id;
        final String locator;
        final double fraction;
        final Instant started;
        volatile String state = "running";
        volatile SnapshotReader.VerifyReport report;
        /** The counts so far while it runs; with the totals, what a progress bar shows. */
        volatile SnapshotReader.VerifyReport sofar;
        volatile long rangesTotal;
        volatile long entriesTotal;
        volatile String error = "";
        volatile Instant ended;

        Verification(long id, String locator, double fraction, Instant started) {
            this.id = id;
            this.locator = locator;
            this.fraction = fraction;
            this.started = started;
        }
    }

    /** Thrown from the progress listener to stop a running export at a range boundary. */
    private static final class Stopped extends RuntimeException {
        Stopped(String why) {
            super(why, null, false, false);
        }
    }

    private final String site;
    /** Held while a create records and tracks an export, and while the retry check looks for due ones. */
    private final Object startLock = new Object();
    private final Map<String, java.util.concurrent.locks.ReentrantLock> gcLocks = new ConcurrentHashMap<>();
    /** The GC running per repository (at most one: {@link #gcLocks}), so its progress can be asked for. */
    private final Map<String, SnapshotGc> runningGcs = new ConcurrentHashMap<>();
    private final LongAdder gcRuns = new LongAdder();
    private final LongAdder gcDeleted = new LongAdder();
    private final Namespace namespace;
    private final SnapshotRepositories repositories;
    private final SnapshotExports exports;
    private final Path workDir;
    private final Clock clock;
    private final int maxRunning;
    private final Map<Long, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<Long, Verification> verifications = new ConcurrentHashMap<>();
    private final AtomicLong verificationIds = new AtomicLong();
    private final AtomicInteger runningVerifications = new AtomicInteger();
    private final Map<String, Instant> lastSuccess = new ConcurrentHashMap<>();
    private final LongAdder finished = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder versions = new LongAdder();
    private final LongAdder newObjects = new LongAdder();
    private final LongAdder newBytes = new LongAdder();
    private final LongAdder notUploadedBytes = new LongAdder();
    private final LongAdder reusedObjects = new LongAdder();
    private final LongAdder presentObjects = new LongAdder();
    private final LongAdder coldReferences = new LongAdder();
    private volatile boolean closing;
    private ThreadPoolExecutor executor;
    private ScheduledExecutorService scheduler;
    private ExecutorService verifiers;

    /**
     * @param workDir where exports keep checkpoints and spooled range files, and verifications check
     *                range files: on the namespace's file system (checkpoints are hard links)
     */
    public SnapshotService(Namespace namespace, SnapshotRepositories repositories, SnapshotExports exports, Path workDir,
                           int maxRunning, String site, Clock clock) {
        this.site = site;
        this.namespace = namespace;
        this.repositories = repositories;
        this.exports = exports;
        this.workDir = workDir;
        this.maxRunning = maxRunning;
        this.clock = clock;
    }

    public SnapshotRepositories repositories() {
        return repositories;
    }

    /**
     * Where a snapshot consistent with a replicating site reads, per bucket, the source time up to which
     * this site holds every change from that site (the replication target's received point).
     */
    @FunctionalInterface
    public interface ReceivedPoints {
        ReceivedPoints NONE = (bucket, site) -> Optional.empty();

        Optional<Instant> point(String bucket, String site);
    }

    private volatile ReceivedPoints received = ReceivedPoints.NONE;

    /** The received points {@code --consistent-with} reads (none until set: such a create is then refused). */
    public void receivedPoints(ReceivedPoints points) {
        this.received = points;
    }

    /** A create refused because of what it asked for (a 400, nothing recorded). */
    public static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    /** Starts the pools, resumes interrupted exports and aborts in the background, and the check for due ones. */
    public void start() {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the snapshot work directory " + workDir, e);
        }
        executor = new ThreadPoolExecutor(maxRunning, maxRunning, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("snapshot-export-", 1).daemon(true).factory());
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("snapshot-scheduler").daemon(true)
                .factory());
        verifiers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("snapshot-verify-", 1).factory());
        scheduler.execute(this::loadLastSuccess);
        if (SKIP_RESUME_FAULT.equals(System.getenv("STRATA_TEST_FAULT"))) {
            LOG.warn("STRATA_TEST_FAULT={}: interrupted snapshot exports are not resumed", SKIP_RESUME_FAULT);
        } else {
            scheduler.execute(this::resumeInterrupted);
            long every = Math.min(CHECK_EVERY.toMillis(), exports.retryAfter().toMillis());
            scheduler.scheduleWithFixedDelay(this::resumeDue, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** The newest snapshot of each repository, from its id (which starts with its UTC time): the metric starts there. */
    private void loadLastSuccess() {
        for (SnapshotRepositories.Entry e : repositories.list()) {
            try {
                List<String> ids = snapshotIds(e.repository());
                if (ids.isEmpty()) continue;
                String newest = ids.getLast();
                Instant at = Instant.from(ID_TIME.parse(newest.substring(0, 16)));
                lastSuccess.merge(e.spec().name(), at, (a, b) -> a.isAfter(b) ? a : b);
            } catch (RuntimeException ex) {
                LOG.warn("snapshot repository {} cannot be listed: {}", e.spec().name(), ex.getMessage());
            }
        }
    }

    /** {@link SnapshotExports#resumeAll}, with what it finished logged and counted. */
    private void resumeInterrupted() {
        // resumeAll runs the exports that are due; one that failed shortly before the stop waits for its retry time.
        java.util.Set<Long> due = new java.util.HashSet<>();
        for (WorkItem w : namespace.dueWork(SnapshotExports.KIND, clock.instant(), Integer.MAX_VALUE)) due.add(w.id());
        List<SnapshotExports.Export> recorded = exports.exports();
        // Every recorded export is tracked before resumeAll, not only those due now: resumeAll reads the
        // clock again, and an export whose retry time falls in between is run too. Untracked, it would
        // vanish from the status (404) and the counters once its record is removed at its end.
        for (SnapshotExports.Export e : recorded) {
            boolean resuming = due.contains(e.id());
            tracked.computeIfAbsent(e.id(), id -> new Tracked(e, resuming ? "resuming" : "waiting"));
            if (resuming) {
                LOG.info("snapshot export resuming after restart: export={} snapshot={} repository={} attempts={}", e.id(),
                        e.snapshot(), e.repository(), e.attempts());
            }
        }
        long t0 = System.nanoTime();
        List<SnapshotExporter.Result> done = exports.resumeAll();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        for (SnapshotExports.Export e : recorded) {
            Tracked t = tracked.get(e.id());
            Optional<SnapshotExporter.Result> r = done.stream().filter(x -> x.root().snapshot().equals(e.snapshot())).findFirst();
            if (r.isPresent()) {
                succeeded(t, r.get(), millis);
            } else if (!due.contains(e.id())) {
                continue;   // not run: the loop below starts it
            } else if (exports.export(e.id()).isPresent()) {
                SnapshotExports.Export now = exports.export(e.id()).get();
                if (!now.lastError().isEmpty()) {
                    failures.increment();
                    t.state = "failed";
                    t.error = now.lastError();
                } else {
                    t.state = "waiting";
                }
            } else {
                t.state = "aborted";
                t.ended = clock.instant();
            }
        }
        // A start is a natural time to retry: the exports resumeAll left (failed shortly before the stop,
        // or stopped by a graceful shutdown, which records itself as a failure) go on now, as slots
        // allow, instead of waiting out the retry delay (resume runs an export whatever its due time).
        for (SnapshotExports.Export e : exports.exports()) {
            Tracked t = tracked.get(e.id());
            if (closing || running() >= maxRunning) break;
            if (t != null && ("running".equals(t.state) || "queued".equals(t.state) || "aborting".equals(t.state))) continue;
            Tracked fresh = new Tracked(e, "queued");
            if (t != null) fresh.checkpointed = t.checkpointed;   // a retry keeps what the create saw
            tracked.put(e.id(), fresh);
            executor.execute(() -> run(fresh, e));
        }
    }

    /** Resumes the exports whose retry time has come, as slots allow. */
    private void resumeDue() {
        synchronized (startLock) {
            resumeDueLocked();
        }
    }

    private void resumeDueLocked() {
        try {
            for (WorkItem w : namespace.dueWork(SnapshotExports.KIND, clock.instant(), maxRunning)) {
                if (closing || running() >= maxRunning) return;
                Tracked t = tracked.get(w.id());
                if (t != null && ("running".equals(t.state) || "queued".equals(t.state) || "resuming".equals(t.state))) continue;
                Optional<SnapshotExports.Export> e = exports.export(w.id());
                if (e.isEmpty()) continue;
                Tracked fresh = new Tracked(e.get(), "queued");
                if (t != null) fresh.checkpointed = t.checkpointed;
                tracked.put(w.id(), fresh);
                executor.execute(() -> run(fresh, e.get()));
            }
        } catch (RuntimeException e) {
            LOG.warn("looking for snapshot exports to retry failed: {}", e.toString());
        }
    }

    private long running() {
        return tracked.values().stream().filter(t -> "running".equals(t.state) || "queued".equals(t.state)).count();
    }

    /**
     * What a create asks for.
     *
     * @param consistentWith the site whose replicas the snapshot cuts at this site's received point (issue #14)
     */
    public record Request(String repository, List<BucketName> buckets, boolean selfContained, boolean full,
                          Optional<String> consistentWith) {
        public Request {
            buckets = List.copyOf(buckets);
            consistentWith = java.util.Objects.requireNonNull(consistentWith, "consistentWith");
        }

        public Request(String repository, List<BucketName> buckets, boolean selfContained, boolean full) {
            this(repository, buckets, selfContained, full, Optional.empty());
        }
    }

    /**
     * Starts an export: incremental from the newest snapshot in the repository that covers the same
     * buckets unless {@code full}.
     *
     * @throws SnapshotException NOT_FOUND for an unknown repository, INVALID for an unknown bucket
     * @throws IllegalStateException when an export into that repository is unfinished (one at a time:
     *         two exports into one repository could share a data object that aborting one deletes), or
     *         while a GC of that repository runs
     * @throws java.util.concurrent.RejectedExecutionException when {@code maxRunning} exports run
     * @throws BadRequest when {@code consistentWith} names a site a chosen bucket has received no point from
     */
    public Tracked create(Request request) {
        if (closing) throw new java.util.concurrent.RejectedExecutionException("the gateway is stopping");
        SnapshotRepository repository = repositories.repository(request.repository());
        for (BucketName b : request.buckets()) {
            if (namespace.bucket(b).isEmpty()) {
                throw new SnapshotException(SnapshotException.Reason.INVALID, "No bucket " + b.value() + ".");
            }
        }
        Optional<SnapshotExports.Export> busy = exports.exports().stream()
                .filter(e -> e.repository().equals(request.repository())).findFirst();
        if (busy.isPresent()) {
            throw new IllegalStateException("Snapshot export " + busy.get().id() + " into repository " + request.repository()
                    + " is unfinished (" + stateOf(busy.get()) + "); wait for it or abort it.");
        }
        // Held while the export is recorded (in the repository too): a GC reads the exports in progress
        // under it, so it either sees this one or has finished its deletes before the export looks
        // for objects already present (it could otherwise delete one the export then references).
        java.util.concurrent.locks.ReentrantLock gcLock = gcLocks.computeIfAbsent(request.repository(),
                k -> new java.util.concurrent.locks.ReentrantLock());
        if (!gcLock.tryLock()) {
            throw new IllegalStateException("A GC of repository " + request.repository() + " is running; retry when it has ended.");
        }
        try {
            if (running() >= maxRunning) {
                throw new java.util.concurrent.RejectedExecutionException(maxRunning
                        + " snapshot exports are running (snapshots.max-running-exports); retry when one has ended.");
            }
            List<String> covered = request.buckets().isEmpty()
                    ? namespace.buckets().stream().map(b -> b.name().value()).toList()
                    : request.buckets().stream().map(BucketName::value).toList();
            Optional<String> parent = request.full() ? Optional.empty() : newestCovering(repository, covered);
            // Read before start takes the checkpoint: every replica a point covers was committed before
            // the point was recorded, so it is in the checkpoint.
            Optional<ConsistencyCut> cut = request.consistentWith().map(site -> cut(site, covered));
            // Recorded and tracked in one step: the retry check (resumeDue) must not find the new
            // record before this create tracks it, or it would run the export a second time.
            synchronized (startLock) {
                SnapshotExports.Export e = exports.start(request.repository(), request.buckets(), parent, request.selfContained(),
                        cut);
                Instant checkpointed = clock.instant();   // start returns once the checkpoint is written
                Tracked t = new Tracked(e, "queued");
                t.checkpointed = checkpointed;
                tracked.put(e.id(), t);
                executor.execute(() -> run(t, e));
                return t;
            }
        } finally {
            gcLock.unlock();
        }
    }

    /** Each bucket's received point from {@code site}; a bucket without one refuses the create, naming it. */
    private ConsistencyCut cut(String site, List<String> buckets) {
        if (buckets.isEmpty()) throw new BadRequest("There is no bucket to take a snapshot consistent with site " + site + " of.");
        Map<String, Instant> until = new java.util.TreeMap<>();
        for (String b : buckets) {
            until.put(b, received.point(b, site).orElseThrow(() -> new BadRequest("Bucket " + b
                    + " has received no replication point from site " + site
                    + " (see strata replicate status): a snapshot consistent with it cannot be taken.")));
        }
        return new ConsistencyCut(site, until);
    }

    /** The newest snapshot as taken (not by id) whose root holds every bucket of {@code buckets}. */
    private static Optional<String> newestCovering(SnapshotRepository repository, List<String> buckets) {
        return SnapshotExports.newestCovering(repository, buckets).map(SnapshotRoot::snapshot);
    }

    private void run(Tracked t, SnapshotExports.Export e) {
        if (t.abortRequested) {
            abortNow(t);   // aborted while it waited for a slot
            return;
        }
        if (closing) {
            t.state = "waiting";
            return;
        }
        t.state = "running";
        t.thread = Thread.currentThread();
        t.record = e;
        t.started = clock.instant();
        t.counters = exports.progress(t.id);
        LOG.info("snapshot export started: export={} snapshot={} repository={} buckets={} parent={} selfContained={} "
                        + "attempt={}", t.id, t.snapshot, t.repository,
                e.buckets().isEmpty() ? "all" : e.buckets().stream().map(BucketName::value).toList(),
                e.parent().orElse("none"), e.selfContained(), e.attempts() + 1);
        long t0 = System.nanoTime();
        try {
            t.totalVersions = countVersions(e.buckets());
            SnapshotExporter.Result r = exports.resume(t.id, c -> {
                t.counters = c;
                if (t.abortRequested) throw new Stopped("stopped: abort requested");
                if (closing) throw new Stopped("stopped: the gateway is stopping");
            });
            succeeded(t, r, (System.nanoTime() - t0) / 1_000_000);
        } catch (Stopped s) {
            Thread.interrupted();
            if (t.abortRequested) {
                abortNow(t);
            } else {
                t.state = "waiting";
                LOG.info("snapshot export stopped with the gateway: export={} snapshot={} repository={}; it resumes at the "
                        + "next start", t.id, t.snapshot, t.repository);
            }
        } catch (RuntimeException ex) {
            if (t.abortRequested) {
                // Interrupted by the abort (or failed meanwhile): undo it, as asked.
                Thread.interrupted();
                abortNow(t);
                return;
            }
            if (closing) {
                t.state = "waiting";
                LOG.info("snapshot export stopped with the gateway: export={} snapshot={} repository={}; it resumes at the "
                        + "next start", t.id, t.snapshot, t.repository);
                return;
            }
            failures.increment();
            t.state = "failed";
            t.error = String.valueOf(ex.getMessage());
            t.ended = clock.instant();
            LOG.warn("snapshot export failed: export={} snapshot={} repository={} durationMs={} error={}; retried after {}",
                    t.id, t.snapshot, t.repository, (System.nanoTime() - t0) / 1_000_000, ex.getMessage(), exports.retryAfter());
        } finally {
            t.thread = null;
            // An abort's interrupt must not outlive this export on the pool's thread.
            Thread.interrupted();
        }
    }

    private void succeeded(Tracked t, SnapshotExporter.Result r, long millis) {
        // The site that writes a repository's snapshots owns it and is the one that collects it. Claimed
        // once a snapshot exists (before it is reported done, so a scheduled GC finds the claim), never
        // by an export that is then aborted: that leaves the repository exactly as it was.
        try {
            retention(repositories.repository(t.repository)).claimIfUnowned();
        } catch (SnapshotException e) {
            LOG.warn("snapshot repository {}: cannot record this site ({}) as its owner: {}", t.repository, site, e.getMessage());
        }
        t.result = r;
        t.state = "done";
        t.ended = clock.instant();
        t.error = "";
        finished.increment();
        versions.add(r.versions());
        newObjects.add(r.dataUploaded());
        newBytes.add(r.dataUploadedBytes());
        long bytes = r.root().stats().getOrDefault("bytes", 0L);
        notUploadedBytes.add(Math.max(0, bytes - r.dataUploadedBytes()));
        reusedObjects.add(r.dataReused());
        presentObjects.add(r.dataAlreadyPresent());
        coldReferences.add(r.coldReferenced());
        lastSuccess.merge(t.repository, t.ended, (a, b) -> a.isAfter(b) ? a : b);
        LOG.info("snapshot export finished: export={} snapshot={} repository={} versions={} newData={} newDataBytes={} "
                        + "reusedData={} presentData={} coldReferences={} newRanges={} reusedRanges={} durationMs={} locator={}",
                t.id, t.snapshot, t.repository, r.versions(), r.dataUploaded(), r.dataUploadedBytes(), r.dataReused(),
                r.dataAlreadyPresent(), r.coldReferenced(), r.rangesUploaded(), r.rangesReused(), millis, r.locator());
        forgetOld(tracked);
    }

    private void abortNow(Tracked t) {
        try {
            boolean undone = exports.abort(t.id);
            t.state = undone ? "aborted" : "done";
            t.ended = clock.instant();
            LOG.info("snapshot export aborted: export={} snapshot={} repository={}{}", t.id, t.snapshot, t.repository,
                    undone ? "" : " (its root was written: the snapshot stays)");
        } catch (RuntimeException ex) {
            t.state = "failed";
            t.error = "abort incomplete: " + ex.getMessage();
            LOG.warn("snapshot export {}: abort incomplete, finished at the next start: {}", t.id, ex.getMessage());
        }
    }

    /** Versions in the buckets now: an estimate of the checkpoint's, for the progress bar. */
    private long countVersions(List<BucketName> buckets) {
        List<BucketName> names = buckets.isEmpty() ? namespace.buckets().stream().map(b -> b.name()).toList() : buckets;
        long n = 0;
        for (BucketName b : names) {
            String km = "";
            String vm = "";
            VersionPage page;
            do {
                page = namespace.listVersions(b, new VersionQuery("", "", km, vm, 1000));
                n += page.versions().size();
                km = page.nextKeyMarker();
                vm = page.nextVersionIdMarker();
            } while (page.truncated() && !closing);
        }
        return n;
    }

    /**
     * Aborts an export: at once when it is not running; a running one stops after its current range
     * file and is then undone.
     *
     * @return the export's state afterwards ({@code aborted}, {@code aborting}, or {@code done} when
     *         its root had been written)
     * @throws SnapshotException NOT_FOUND if there is no such unfinished export
     */
    public String abort(long id) {
        Tracked t = tracked.get(id);
        if (t != null && ("running".equals(t.state) || "queued".equals(t.state))) {
            t.abortRequested = true;
            t.state = "aborting";
            // Stops it mid-upload rather than after its current range file: an abort deletes all it wrote anyway.
            Thread running = t.thread;
            if (running != null) running.interrupt();
            return "aborting";
        }
        SnapshotExports.Export e = exports.export(id).orElseThrow(() ->
                new SnapshotException(SnapshotException.Reason.NOT_FOUND, "No unfinished snapshot export " + id + "."));
        Tracked now = t != null ? t : new Tracked(e, "aborting");
        tracked.put(id, now);
        abortNow(now);
        return now.state;
    }

    /** An export, as this process and its durable record know it. */
    public Optional<Map<String, Object>> export(long id) {
        Optional<SnapshotExports.Export> e = exports.export(id);
        Tracked t = tracked.get(id);
        if (e.isEmpty() && t == null) return Optional.empty();
        return Optional.of(json(e, t));
    }

    /** Unfinished exports (running, waiting, failed) and those this process saw end, oldest first. */
    public List<Map<String, Object>> exportsJson() {
        Map<Long, Map<String, Object>> out = new java.util.TreeMap<>();
        for (SnapshotExports.Export e : exports.exports()) out.put(e.id(), json(Optional.of(e), tracked.get(e.id())));
        for (Tracked t : tracked.values()) out.putIfAbsent(t.id, json(Optional.empty(), t));
        return new ArrayList<>(out.values());
    }

    private String stateOf(SnapshotExports.Export e) {
        Tracked t = tracked.get(e.id());
        if (t != null && !"done".equals(t.state) && !"aborted".equals(t.state)) {
            if (("failed".equals(t.state) || "waiting".equals(t.state)) && !e.lastError().isEmpty()) return "failed";
            return t.state;
        }
        return e.lastError().isEmpty() ? "waiting" : "failed";
    }

    private Map<String, Object> json(Optional<SnapshotExports.Export> current, Tracked t) {
        // Once an export ended its record is gone: what it covered is what this process last read.
        Optional<SnapshotExports.Export> record = current.isPresent() || t == null ? current : Optional.ofNullable(t.record);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", record.map(SnapshotExports.Export::id).orElse(t == null ? 0 : t.id));
        m.put("snapshot", record.map(SnapshotExports.Export::snapshot).orElse(t == null ? "" : t.snapshot));
        m.put("repository", record.map(SnapshotExports.Export::repository).orElse(t == null ? "" : t.repository));
        m.put("state", current.isPresent() ? stateOf(current.get()) : t.state);
        record.ifPresent(e -> {
            m.put("buckets", e.buckets().stream().map(BucketName::value).toList());
            m.put("parent", e.parent().orElse(null));
            m.put("selfContained", e.selfContained());
            e.cut().ifPresent(c -> m.put("consistentWith", cutJson(c)));
            m.put("created", e.started().toString());
        });
        if (current.isPresent()) {
            m.put("attempts", current.get().attempts());
            m.put("lastError", current.get().lastError());
            if (!current.get().lastError().isEmpty()) m.put("retryAfterSeconds", exports.retryAfter().toSeconds());
        } else {
            m.put("attempts", record.map(SnapshotExports.Export::attempts).orElse(0));
            m.put("lastError", t.error);
        }
        SnapshotExporter.Counters c = t != null && t.counters != null ? t.counters
                : current.isPresent() ? exports.progress(current.get().id()) : null;
        if (t != null && t.result != null) {
            SnapshotExporter.Result r = t.result;
            m.put("counters", counters(r.versions(), r.root().stats().getOrDefault("bytes", 0L), r.dataUploaded(),
                    r.dataUploadedBytes(), r.dataReused(), r.dataAlreadyPresent(), r.coldReferenced(), r.rangesUploaded(),
                    r.rangesReused()));
            m.put("locator", r.locator().toString());
        } else if (c != null) {
            m.put("counters", counters(c.versions(), c.bytes(), c.dataUploaded(), c.dataUploadedBytes(), c.dataReused(),
                    c.dataPresent(), c.coldReferenced(), c.rangesUploaded(), c.rangesReused()));
        }
        long total = t == null ? -1 : t.totalVersions;
        m.put("totalVersions", total);
        m.put("checkpointed", t == null || t.checkpointed == null ? null : t.checkpointed.toString());
        m.put("started", t == null || t.started == null ? null : t.started.toString());
        m.put("ended", t == null || t.ended == null ? null : t.ended.toString());
        if (t != null && t.started != null) {
            Instant end = t.ended != null ? t.ended : clock.instant();
            m.put("durationMillis", Duration.between(t.started, end).toMillis());
        }
        return m;
    }

    private static Map<String, Object> counters(long versions, long bytes, long newData, long newDataBytes, long reusedData,
                                                long presentData, long coldReferences, long newRanges, long reusedRanges) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("versions", versions);
        m.put("bytes", bytes);
        m.put("newData", newData);
        m.put("newDataBytes", newDataBytes);
        m.put("reusedData", reusedData);
        m.put("presentData", presentData);
        m.put("coldReferences", coldReferences);
        m.put("notUploadedBytes", Math.max(0, bytes - newDataBytes));
        m.put("newRanges", newRanges);
        m.put("reusedRanges", reusedRanges);
        return m;
    }

    // ---- snapshots in the repositories

    /** Snapshot ids of a repository, oldest first (ids start with their UTC time). */
    static List<String> snapshotIds(SnapshotRepository repository) {
        List<String> ids = new ArrayList<>();
        // docs/snapshot-format.md: one root per snapshot at snapshots/ID.json.
        repository.list("snapshots/", p -> {
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (name.endsWith(".json")) ids.add(name.substring(0, name.length() - ".json".length()));
        });
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /** A snapshot opened, with the locator that names it. */
    record Opened(SnapshotReader reader, SnapshotLocator locator) {
        SnapshotRoot root() {
            return reader.root();
        }
    }

    /** A root read by id, pinned by the SHA-256 of the bytes just read, and opened (marker and root checked). */
    Opened readRoot(SnapshotRepository repository, String id) {
        byte[] bytes;
        try (InputStream in = repository.get("snapshots/" + id + ".json", 0, -1)) {
            bytes = in.readNBytes(64 << 20);
        } catch (IOException e) {
            throw new SnapshotException(SnapshotException.Reason.UNAVAILABLE, "snapshots/" + id + ".json: " + e.getMessage(), e);
        }
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SnapshotLocator locator = new SnapshotLocator(repository.location(), id, sha);
        return new Opened(SnapshotReader.open(repository, locator, workDir), locator);
    }

    /** Every snapshot of the repositories named (all when empty), each as {@link #summary}. */
    public List<Map<String, Object>> snapshots(Optional<String> repository) {
        List<SnapshotRepositories.Entry> entries = repository.isPresent()
                ? List.of(repositories.entry(repository.get())) : repositories.list();
        List<Map<String, Object>> out = new ArrayList<>();
        for (SnapshotRepositories.Entry e : entries) {
            List<String> ids;
            try {
                ids = snapshotIds(e.repository());
            } catch (SnapshotException ex) {
                // One repository out of reach hides neither the others nor the exports.
                Map<String, Object> bad = new LinkedHashMap<>();
                bad.put("repository", e.spec().name());
                bad.put("error", ex.getMessage());
                out.add(bad);
                continue;
            }
            for (String id : ids) {
                try {
                    out.add(summary(e.spec().name(), readRoot(e.repository(), id), false));
                } catch (SnapshotException ex) {
                    Map<String, Object> bad = new LinkedHashMap<>();
                    bad.put("id", id);
                    bad.put("repository", e.spec().name());
                    bad.put("error", ex.getMessage());
                    out.add(bad);
                }
            }
        }
        return out;
    }

    /** Finds a snapshot by id in the repository named, or in every repository. */
    public Map<String, Object> show(String id, Optional<String> repository) {
        if (!id.matches("[0-9A-Za-z][0-9A-Za-z_-]{0,63}")) {
            throw new SnapshotException(SnapshotException.Reason.INVALID, "not a snapshot id or locator: " + id);
        }
        List<SnapshotRepositories.Entry> entries = repository.isPresent()
                ? List.of(repositories.entry(repository.get())) : repositories.list();
        for (SnapshotRepositories.Entry e : entries) {
            if (e.repository().size("snapshots/" + id + ".json").isPresent()) {
                return summary(e.spec().name(), readRoot(e.repository(), id), true);
            }
        }
        throw new SnapshotException(SnapshotException.Reason.NOT_FOUND, "No snapshot " + id
                + (repository.isPresent() ? " in repository " + repository.get() : " in any repository") + ".");
    }

    /** A snapshot by its locator (the root's hash checked). */
    public Map<String, Object> show(SnapshotLocator locator, Optional<String> repository) {
        SnapshotRepositories.Entry e = resolve(locator, repository);
        return summary(e.spec().name(), new Opened(SnapshotReader.open(e.repository(), locator, workDir), locator), true);
    }

    /** The repository a locator names, or the one named (a copy of it). */
    private SnapshotRepositories.Entry resolve(SnapshotLocator locator, Optional<String> repository) {
        if (repository.isPresent()) return repositories.entry(repository.get());
        return repositories.at(locator.repository()).orElseThrow(() -> new SnapshotException(
                SnapshotException.Reason.NOT_FOUND, "No snapshot repository at " + locator.repository()
                + " is known here: add it with strata snapshot repo add, or name a copy of it with --repo NAME."));
    }

    /** A cut as JSON: the site and, per bucket, the point (ISO-8601). */
    private static Map<String, Object> cutJson(ConsistencyCut c) {
        Map<String, Object> until = new java.util.TreeMap<>();
        c.until().forEach((b, t) -> until.put(b, t.toString()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", c.site());
        m.put("until", until);
        return m;
    }

    private Map<String, Object> summary(String repositoryName, Opened opened, boolean perBucket) {
        SnapshotRoot root = opened.root();
        Map<String, Long> s = root.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", root.snapshot());
        m.put("repository", repositoryName);
        m.put("takenAt", root.takenAt().toString());
        m.put("parent", root.parent().orElse(null));
        m.put("sequence", root.sequence());
        m.put("selfContained", root.selfContained());
        root.consistentWith().ifPresent(c -> m.put("consistentWith", cutJson(c)));
        m.put("buckets", root.buckets().stream().map(SnapshotRoot.BucketRoot::name).toList());
        long bytes = s.getOrDefault("bytes", 0L);
        long newBytes = s.getOrDefault("newDataBytes", 0L);
        m.put("versions", s.getOrDefault("versions", 0L));
        m.put("bytes", bytes);
        m.put("newDataBytes", newBytes);
        m.put("notUploadedBytes", Math.max(0, bytes - newBytes));
        m.put("stats", new java.util.TreeMap<>(s));
        m.put("locator", opened.locator().toString());
        if (perBucket) {
            List<Object> buckets = new ArrayList<>();
            for (SnapshotRoot.BucketRoot b : root.buckets()) {
                Map<String, Object> bm = new LinkedHashMap<>();
                bm.put("name", b.name());
                bm.put("versioning", b.versioning());
                bm.put("region", b.region());
                bm.put("entries", b.ranges().stream().mapToLong(SnapshotRoot.RangeRef::entries).sum());
                bm.put("ranges", b.ranges().size());
                bm.put("rangeBytes", b.ranges().stream().mapToLong(SnapshotRoot.RangeRef::bytes).sum());
                bm.put("configs", new ArrayList<>(new java.util.TreeSet<>(b.configs().keySet())));
                buckets.add(bm);
            }
            m.put("bucketDetails", buckets);
        }
        return m;
    }

    // ---- retention: forget, diff, holds, gc (docs/snapshot-format.md §9)

    /** This gateway's site id, as recorded in the repositories it owns and the holds it places. */
    public String site() {
        return site;
    }

    private SnapshotGc retention(SnapshotRepository repository) {
        return new SnapshotGc(repository, site, workDir, clock);
    }

    /**
     * Forgets snapshots of the repository named: their roots go, their data stays until {@link #gc}.
     *
     * @throws SnapshotException NOT_FOUND for an unknown repository or snapshot (then none is
     *         forgotten), REJECTED for a held snapshot or the parent of an export in progress
     */
    public Map<String, Object> forget(String repository, List<String> ids) {
        List<String> forgotten = retention(repositories.repository(repository)).forget(ids);
        LOG.info("snapshots forgotten in repository {}: {}", repository, forgotten);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository);
        m.put("forgotten", forgotten);
        return m;
    }

    /** The versions added, removed and changed from snapshot {@code a} to {@code b} of the repository named. */
    public Map<String, Object> diff(String repository, String a, String b) {
        SnapshotGc.Diff d = retention(repositories.repository(repository)).diff(a, b);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository);
        m.put("from", a);
        m.put("to", b);
        m.put("added", changes(d.added()));
        m.put("removed", changes(d.removed()));
        m.put("changed", changes(d.changed()));
        m.put("rangesRead", d.rangesRead());
        return m;
    }

    private static List<Object> changes(List<SnapshotGc.Change> changes) {
        List<Object> out = new ArrayList<>();
        for (SnapshotGc.Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bucket", c.bucket());
            m.put("key", c.key());
            m.put("versionId", c.versionId());
            m.put("deleteMarker", c.deleteMarker());
            out.add(m);
        }
        return out;
    }

    /**
     * Collects the repository named (see {@link SnapshotGc#gc}), with {@code full} also sweeping
     * orphans by listing it whole; one GC per repository at a time in
     * this process. Logs and counts what it deleted.
     *
     * @throws SnapshotException REJECTED when another site owns it, or none does and not {@code claim}
     * @throws IllegalStateException when a GC of that repository is running
     */
    public Map<String, Object> gc(String repository, boolean claim, boolean dryRun, boolean full) {
        SnapshotRepository repo = repositories.repository(repository);
        java.util.concurrent.locks.ReentrantLock lock = gcLocks.computeIfAbsent(repository,
                k -> new java.util.concurrent.locks.ReentrantLock());
        if (!lock.tryLock()) throw new IllegalStateException("A GC of repository " + repository + " is running.");
        SnapshotGc gc = retention(repo);
        runningGcs.put(repository, gc);
        try {
            long t0 = System.nanoTime();
            SnapshotGc.Result r = gc.gc(claim, dryRun, full);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (!dryRun) {
                gcRuns.increment();
                gcDeleted.add(r.dataCount() + r.rangeCount());
            }
            LOG.info("snapshot gc of repository {}{}: collected {}, deferred {}, {} data objects and {} range files, "
                    + "{} range files read, {} plans replayed, {} ms", repository, dryRun ? " (dry run)" : "", r.collected(),
                    r.deferred(), r.dataCount(), r.rangeCount(), r.rangesRead(), r.replayed().size(), millis);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("repository", repository);
            m.put("dryRun", dryRun);
            m.put("full", full);
            m.put("collected", r.collected());
            m.put("deferred", new java.util.TreeMap<>(r.deferred()));
            m.put("replayedPlans", r.replayed());
            m.put("dataDeleted", r.dataCount());
            m.put("rangesDeleted", r.rangeCount());
            m.put("rangesRead", r.rangesRead());
            // At most SnapshotGc.RESULT_SAMPLE paths each: a GC of 10^6 versions answers in bounded size.
            m.put("data", r.data());
            m.put("ranges", r.ranges());
            return m;
        } finally {
            runningGcs.remove(repository, gc);
            lock.unlock();
        }
    }

    /**
     * How far the GC of the repository named has got, for the CLI's progress bar: {@code running}
     * false when none runs; else its phase and counters ({@link SnapshotGc.Progress.View}).
     */
    public Map<String, Object> gcProgress(String repository) {
        repositories.repository(repository);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository);
        SnapshotGc gc = runningGcs.get(repository);
        m.put("running", gc != null);
        if (gc != null) {
            SnapshotGc.Progress.View v = gc.progress().view();
            m.put("phase", v.phase());
            m.put("snapshots", v.snapshots());
            m.put("snapshotsDone", v.snapshotsDone());
            m.put("rangesRead", v.rangesRead());
            m.put("objectsPlanned", v.objectsPlanned());
            m.put("objectsDeleted", v.objectsDeleted());
        }
        return m;
    }

    /** Places this site's hold on a snapshot of the repository named. */
    public Map<String, Object> hold(String repository, String snapshot, String reason) {
        SnapshotGc.Hold h = retention(repositories.repository(repository)).hold(snapshot, reason);
        LOG.info("snapshot {} in repository {} held: {} ({})", snapshot, repository, h.path(), reason);
        return json(repository, h);
    }

    /**
     * Releases this site's operator holds on a snapshot, or only the one named {@code hold}. The holds
     * this site's attaches and restores placed are kept (and listed as {@code kept}): they are
     * released by detach and by the end of hydration, never by an operator's release.
     */
    public Map<String, Object> release(String repository, String snapshot, Optional<String> hold) {
        SnapshotGc gc = retention(repositories.repository(repository));
        List<SnapshotGc.Hold> released = hold.isPresent() ? List.of(gc.release(snapshot, hold.get())) : gc.release(snapshot);
        LOG.info("snapshot {} in repository {}: {} holds released", snapshot, repository, released.size());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository);
        m.put("snapshot", snapshot);
        m.put("released", released.stream().map(h -> json(repository, h)).toList());
        m.put("kept", gc.holds().stream().filter(h -> h.snapshot().equals(snapshot) && h.site().equals(site) && !h.explicit())
                .map(h -> json(repository, h)).toList());
        return m;
    }

    /** Every hold in the repository named, whichever site placed it. */
    public List<Map<String, Object>> holds(String repository) {
        return retention(repositories.repository(repository)).holds().stream().map(h -> json(repository, h)).toList();
    }

    private Map<String, Object> json(String repository, SnapshotGc.Hold h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", repository);
        m.put("snapshot", h.snapshot());
        m.put("site", h.site());
        m.put("mine", h.site().equals(site));
        m.put("created", h.created().toString());
        m.put("purpose", h.purpose());
        m.put("id", h.id());
        m.put("explicit", h.explicit());
        m.put("path", h.path());
        return m;
    }

    // ---- verification

    /**
     * Starts verifying the snapshot {@code locator} names: every range file, and the data of
     * {@code fraction} of the versions held in the repository.
     *
     * @throws SnapshotException NOT_FOUND when no known repository is at the locator's location
     * @throws java.util.concurrent.RejectedExecutionException when {@value #MAX_VERIFICATIONS} run
     */
    public Verification verify(SnapshotLocator locator, double fraction, Optional<String> repository) {
        SnapshotRepositories.Entry e = resolve(locator, repository);
        if (runningVerifications.incrementAndGet() > MAX_VERIFICATIONS) {
            runningVerifications.decrementAndGet();
            throw new java.util.concurrent.RejectedExecutionException(MAX_VERIFICATIONS
                    + " verifications are running; retry when one has ended.");
        }
        Verification v = new Verification(verificationIds.incrementAndGet(), locator.toString(), fraction, clock.instant());
        verifications.put(v.id, v);
        forgetOld(verifications);
        verifiers.execute(() -> {
            try {
                SnapshotReader reader = SnapshotReader.open(e.repository(), locator, workDir);
                long ranges = 0;
                long entries = 0;
                for (SnapshotRoot.BucketRoot b : reader.root().buckets()) {
                    ranges += b.ranges().size();
                    for (SnapshotRoot.RangeRef r : b.ranges()) entries += r.entries();
                }
                v.rangesTotal = ranges;
                v.entriesTotal = entries;
                v.report = reader.verify(fraction, System.nanoTime(), sofar -> v.sofar = sofar);
                v.state = v.report.ok() ? "ok" : "failed";
            } catch (SnapshotException ex) {
                // The locator's snapshot cannot even be opened (no root, wrong hash, unknown format).
                v.error = ex.getMessage();
                v.state = "failed";
            } catch (RuntimeException ex) {
                v.error = ex.toString();
                v.state = "failed";
            } finally {
                v.ended = clock.instant();
                runningVerifications.decrementAndGet();
                LOG.info("snapshot verification {} of {}: {} ({} problems)", v.id, v.locator, v.state,
                        v.report == null ? 1 : v.report.problems().size());
            }
        });
        return v;
    }

    public Optional<Verification> verification(long id) {
        return Optional.ofNullable(verifications.get(id));
    }

    static Map<String, Object> json(Verification v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id);
        m.put("locator", v.locator);
        m.put("fraction", v.fraction);
        m.put("state", v.state);
        m.put("started", v.started.toString());
        m.put("ended", v.ended == null ? null : v.ended.toString());
        SnapshotReader.VerifyReport r = v.report != null ? v.report : v.sofar;
        m.put("rangesTotal", v.rangesTotal);
        m.put("entriesTotal", v.entriesTotal);
        m.put("rangesChecked", r == null ? 0 : r.rangesChecked());
        m.put("entriesChecked", r == null ? 0 : r.entriesChecked());
        m.put("dataChecked", r == null ? 0 : r.dataChecked());
        List<String> problems = new ArrayList<>(r == null ? List.of() : r.problems());
        if (!v.error.isEmpty()) problems.add(v.error);
        m.put("problems", problems);
        m.put("ok", "ok".equals(v.state));
        return m;
    }

    private static <T> void forgetOld(Map<Long, T> map) {
        if (map.size() <= KEEP_ENDED) return;
        List<Long> ids = new ArrayList<>(map.keySet());
        ids.sort(Comparator.naturalOrder());
        for (Long id : ids.subList(0, ids.size() - KEEP_ENDED)) {
            T value = map.get(id);
            boolean ended = value instanceof Tracked t ? "done".equals(t.state) || "aborted".equals(t.state)
                    : value instanceof Verification v && v.ended != null;
            if (ended) map.remove(id);
        }
    }

    // ---- metrics

    /** The snapshot lines of the Prometheus scrape. */
    public MetricsSection metrics() {
        return out -> {
            out.append("# HELP strata_snapshot_last_success_timestamp_seconds When the newest snapshot of each repository "
                    + "was finished (from its id after a restart).\n");
            out.append("# TYPE strata_snapshot_last_success_timestamp_seconds gauge\n");
            lastSuccess.forEach((repo, at) -> out.append("strata_snapshot_last_success_timestamp_seconds{repository=\"")
                    .append(repo).append("\"} ").append(at.getEpochSecond()).append('\n'));
            out.append("# HELP strata_snapshot_age_seconds How old the newest snapshot of each repository is.\n");
            out.append("# TYPE strata_snapshot_age_seconds gauge\n");
            Instant now = clock.instant();
            lastSuccess.forEach((repo, at) -> out.append("strata_snapshot_age_seconds{repository=\"").append(repo)
                    .append("\"} ").append(Math.max(0, Duration.between(at, now).toSeconds())).append('\n'));
            long[] byState = new long[3];
            try {
                for (SnapshotExports.Export e : exports.exports()) {
                    String s = stateOf(e);
                    if (s.equals("running") || s.equals("queued") || s.equals("resuming") || s.equals("aborting")) byState[0]++;
                    else if (s.equals("failed")) byState[1]++;
                    else byState[2]++;
                }
            } catch (RuntimeException closingNamespace) {
                return; // a scrape racing shutdown leaves the section incomplete rather than failing
            }
            out.append("# HELP strata_snapshot_exports Unfinished snapshot exports by state (failed ones are retried).\n");
            out.append("# TYPE strata_snapshot_exports gauge\n");
            out.append("strata_snapshot_exports{state=\"running\"} ").append(byState[0]).append('\n');
            out.append("strata_snapshot_exports{state=\"failed\"} ").append(byState[1]).append('\n');
            out.append("strata_snapshot_exports{state=\"waiting\"} ").append(byState[2]).append('\n');
            Metrics.counter(out, "strata_snapshot_exports_finished_total", "Snapshot exports finished by this process.",
                    finished.sum());
            Metrics.counter(out, "strata_snapshot_export_failures_total", "Snapshot export attempts that failed.",
                    failures.sum());
            Metrics.counter(out, "strata_snapshot_gc_runs_total", "Snapshot repository GCs finished by this process.",
                    gcRuns.sum());
            Metrics.counter(out, "strata_snapshot_gc_deleted_objects_total", "Data objects and range files deleted by GC.",
                    gcDeleted.sum());
            Metrics.counter(out, "strata_snapshot_versions_total", "Versions in the snapshots finished.", versions.sum());
            out.append("# HELP strata_snapshot_data_bytes_total Bytes of the versions in finished snapshots: uploaded "
                    + "as new data objects, or not uploaded (reused from an earlier snapshot, already present, or a "
                    + "cold-tier reference).\n");
            out.append("# TYPE strata_snapshot_data_bytes_total counter\n");
            out.append("strata_snapshot_data_bytes_total{kind=\"new\"} ").append(newBytes.sum()).append('\n');
            out.append("strata_snapshot_data_bytes_total{kind=\"not_uploaded\"} ").append(notUploadedBytes.sum()).append('\n');
            out.append("# HELP strata_snapshot_data_objects_total Versions' data in finished snapshots: new, reused from "
                    + "the parent, present already, referenced in a cold tier.\n");
            out.append("# TYPE strata_snapshot_data_objects_total counter\n");
            out.append("strata_snapshot_data_objects_total{kind=\"new\"} ").append(newObjects.sum()).append('\n');
            out.append("strata_snapshot_data_objects_total{kind=\"reused\"} ").append(reusedObjects.sum()).append('\n');
            out.append("strata_snapshot_data_objects_total{kind=\"present\"} ").append(presentObjects.sum()).append('\n');
            out.append("strata_snapshot_data_objects_total{kind=\"cold_reference\"} ").append(coldReferences.sum()).append('\n');
        };
    }

    /**
     * Stops the pools: running exports and verifications are interrupted (an export keeps its
     * durable cursor and goes on at the next start, as after a kill); waits up to 10 s for them.
     */
    @Override
    public void close() {
        closing = true;
        if (scheduler != null) scheduler.shutdownNow();
        if (verifiers != null) verifiers.shutdownNow();
        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("snapshot exports still running 10 s after the stop began; they resume at the next start");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
