package io.strata.tiering.lifecycle;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.UploadPage;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Executes every bucket's lifecycle configuration: Expiration (Days, Date, ExpiredObjectDeleteMarker),
 * NoncurrentVersionExpiration, AbortIncompleteMultipartUpload, and Transition and
 * NoncurrentVersionTransition into the cold tier named by the rule's StorageClass. A version due for
 * expiration is expired, not moved; of a rule's transitions the latest one due applies, and a
 * version already in that tier is left alone.
 *
 * <p>A run walks each bucket that has a configuration with ListObjectVersions and ListMultipartUploads
 * pages of {@value #PAGE} entries, so memory is bounded by a page whatever the bucket's size. It keeps
 * no cursor: every action is decided from the namespace's current state and applied through
 * {@link LifecycleTarget}, which re-checks that state, so a run interrupted at any point (crash,
 * {@link #close()}) leaves a consistent namespace and the next run simply finds what is still due.
 *
 * <p>Days are counted as S3 does: the action is due at the first midnight UTC at or after the
 * version's creation time (for noncurrent versions: the time its successor was written) plus the
 * days ("Lifecycle configuration elements", AWS S3 User Guide).
 *
 * <p>Thread-safe; runs never overlap. The caller closes it, which stops the schedule and lets a run
 * in progress stop between two entries.
 */
public final class LifecycleWorker implements AutoCloseable {
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    static final int PAGE = 1000;
    static final Duration FIRST_RUN_DELAY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleWorker.class);

    /** What one run (or all runs so far) did. */
    public record Summary(long expired, long noncurrentExpired, long deleteMarkersRemoved, long uploadsAborted,
                          long transitioned, long transitionsFailed) {
        public static final Summary NONE = new Summary(0, 0, 0, 0, 0, 0);

        public Summary(long expired, long noncurrentExpired, long deleteMarkersRemoved, long uploadsAborted) {
            this(expired, noncurrentExpired, deleteMarkersRemoved, uploadsAborted, 0, 0);
        }
    }

    /**
     * What the last run saw of one rule's transitions, so that a transition that "does not happen"
     * can be explained: versions matched and due, moved, failed (with the last error), and the
     * earliest time a matched version not yet due becomes due.
     */
    public record RuleStatus(String bucket, String rule, String storageClass, long dueSeen, long dueBytes, long moved,
                             long movedBytes, long failed, String lastError, Instant lastRun,
                             Optional<Instant> nextDue) {
    }

    /** Transitions a run keeps in flight at once (each holds one part buffer of its tier). */
    static final int TRANSITION_CONCURRENCY = 4;

    private final Map<String, RuleStatus> ruleStatus = new java.util.concurrent.ConcurrentHashMap<>();

    private final Namespace namespace;
    private final LifecycleTarget target;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();
    private final LongAdder expired = new LongAdder();
    private final LongAdder noncurrentExpired = new LongAdder();
    private final LongAdder markersRemoved = new LongAdder();
    private final LongAdder uploadsAborted = new LongAdder();
    private final LongAdder transitioned = new LongAdder();
    private final LongAdder transitionsFailed = new LongAdder();
    private final LongAdder runs = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile boolean closed;
    private ScheduledExecutorService scheduler;

    public LifecycleWorker(Namespace namespace, LifecycleTarget target, Clock clock) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.target = Objects.requireNonNull(target, "target");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Runs every {@code interval} on a daemon thread until closed; the first run comes after a minute
     * at most, so that a gateway restarted more often than the interval still runs its lifecycle.
     */
    public synchronized void start(Duration interval) {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be > 0");
        if (scheduler != null || closed) throw new IllegalStateException("already started or closed");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifecycle-worker");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::scheduledRun, Math.min(millis, FIRST_RUN_DELAY.toMillis()), millis,
                TimeUnit.MILLISECONDS);
    }

    private void scheduledRun() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // The next run retries from the namespace's state; nothing is half-applied.
            failures.increment();
            LOG.warn("lifecycle run failed: {}", e.toString());
        }
    }

    /** One full pass over all buckets, now. Waits for a run in progress to end first. */
    public Summary runOnce() {
        running.lock();
        try {
            Counts c = new Counts();
            long start = System.nanoTime();
            try (c) {   // closing waits for any transition still running
                for (Bucket b : namespace.buckets()) {
                    if (closed) break;
                    try {
                        target.lifecycle(b.name()).ifPresent(config -> runBucket(b.name(), config, c));
                    } catch (NamespaceException e) {
                        if (e.reason() != NamespaceException.Reason.BUCKET_NOT_FOUND) throw e;   // deleted meanwhile
                    }
                }
            }
            runs.increment();
            Summary s = new Summary(c.expired, c.noncurrent, c.markers, c.aborted, c.moved, c.moveFailed);
            LOG.info("lifecycle run: {} objects expired, {} noncurrent versions expired, {} delete markers removed, "
                            + "{} uploads aborted, {} versions moved to cold tiers ({} failed) in {} ms", s.expired(),
                    s.noncurrentExpired(), s.deleteMarkersRemoved(), s.uploadsAborted(), s.transitioned(),
                    s.transitionsFailed(), (System.nanoTime() - start) / 1_000_000);
            return s;
        } finally {
            running.unlock();
        }
    }

    /** Totals over all runs since this worker was created. */
    public Summary totals() {
        return new Summary(expired.sum(), noncurrentExpired.sum(), markersRemoved.sum(), uploadsAborted.sum(),
                transitioned.sum(), transitionsFailed.sum());
    }

    /** Per rule with transitions: what its last run saw (see {@link RuleStatus}). */
    public List<RuleStatus> ruleStatus() {
        return ruleStatus.values().stream()
                .sorted(java.util.Comparator.comparing(RuleStatus::bucket).thenComparing(RuleStatus::rule)).toList();
    }

    public long runs() {
        return runs.sum();
    }

    public long failedRuns() {
        return failures.sum();
    }

    /** Stops the schedule; a run in progress stops before its next entry. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s == null) return;
        s.shutdownNow();
        try {
            if (!s.awaitTermination(30, TimeUnit.SECONDS)) LOG.warn("lifecycle worker did not stop within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first midnight UTC at or after {@code base} plus {@code days}: when S3 acts. */
    static Instant dueAt(Instant base, int days) {
        return LifecycleConfiguration.dueAt(base, days);
    }

    /**
     * One run's counts. The scan thread owns everything but the transition outcomes, which the
     * movers record under the Counts' lock; {@link #awaitMoves} makes them visible to the scan thread.
     * Nothing is kept per transition, so a run over millions of versions holds no more than four.
     */
    private final class Counts implements AutoCloseable {
        long expired, noncurrent, markers, aborted, moved, moveFailed;
        long transitionMinimumSize;
        final Map<Rule, RuleCounts> rules = new java.util.IdentityHashMap<>();
        /** At most {@link #TRANSITION_CONCURRENCY} transitions in flight; the scan waits for a slot. */
        final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(TRANSITION_CONCURRENCY);
        final java.util.concurrent.ExecutorService movers = Executors.newVirtualThreadPerTaskExecutor();

        RuleCounts of(Rule r) {
            return rules.computeIfAbsent(r, x -> new RuleCounts());
        }

        /**
         * Waits for every transition started so far (their failures are counted, never thrown): all
         * slots free means none is running, and taking them orders the movers' counts before what follows.
         */
        void awaitMoves() {
            slots.acquireUninterruptibly(TRANSITION_CONCURRENCY);
            slots.release(TRANSITION_CONCURRENCY);
        }

        /** Waits for the transitions still running and ends their threads. */
        @Override
        public void close() {
            movers.close();
        }
    }

    private static final class RuleCounts {
        long due, dueBytes, moved, movedBytes, failed;
        String lastError = "";
        Instant nextDue;
    }

    private void runBucket(BucketName bucket, LifecycleConfiguration config, Counts c) {
        List<Rule> rules = config.rules().stream().filter(Rule::enabled).toList();
        if (rules.isEmpty()) return;
        c.transitionMinimumSize = config.transitionMinimumSize();
        Instant now = clock.instant();
        List<Rule> expiring = rules.stream()
                .filter(r -> r.expiration().isPresent() || r.noncurrentExpiration().isPresent()
                        || !r.transitions().isEmpty() || !r.noncurrentTransitions().isEmpty()).toList();
        for (Rule r : expiring) {
            if (!r.transitions().isEmpty() || !r.noncurrentTransitions().isEmpty()) c.of(r);
        }
        try {
            for (String prefix : scanPrefixes(expiring)) {
                if (!closed) expireVersions(bucket, prefix, expiring, now, c);
            }
        } finally {
            c.awaitMoves();
        }
        for (var e : c.rules.entrySet()) {
            Rule r = e.getKey();
            RuleCounts rc = e.getValue();
            String storageClass = r.transitions().isEmpty() ? r.noncurrentTransitions().getFirst().storageClass()
                    : r.transitions().getLast().storageClass();
            ruleStatus.put(bucket.value() + "/" + r.id(), new RuleStatus(bucket.value(), r.id(), storageClass, rc.due,
                    rc.dueBytes, rc.moved, rc.movedBytes, rc.failed, rc.lastError, now, Optional.ofNullable(rc.nextDue)));
        }
        c.rules.clear();
        List<Rule> aborting = rules.stream().filter(r -> r.abortIncompleteMultipartUploadDays().isPresent()).toList();
        for (String prefix : scanPrefixes(aborting)) {
            if (!closed) abortUploads(bucket, prefix, aborting, now, c);
        }
    }

    /**
     * The key ranges to list so that every rule's prefix is covered once: the rules' prefixes minus
     * those inside another. A rule on "logs/" then costs a listing of "logs/", not of the bucket.
     */
    static List<String> scanPrefixes(List<Rule> rules) {
        List<String> prefixes = rules.stream().map(r -> r.filter().prefix()).distinct().sorted().toList();
        List<String> result = new java.util.ArrayList<>();
        for (String p : prefixes) {
            // Sorted order puts a prefix right after any shorter prefix of it among those kept.
            if (result.isEmpty() || !p.startsWith(result.getLast())) result.add(p);
        }
        return result;
    }

    /** The entries of one key seen so far, newest first; they may span pages. */
    private static final class KeyState {
        final ObjectVersion latest;
        ObjectVersion previous;
        int entries = 1;
        int noncurrentRank;

        KeyState(ObjectVersion latest) {
            this.latest = latest;
            this.previous = latest;
        }
    }

    private void expireVersions(BucketName bucket, String prefix, List<Rule> rules, Instant now, Counts c) {
        String keyMarker = "";
        String versionMarker = "";
        KeyState state = null;
        VersionPage page;
        do {
            page = namespace.listVersions(bucket, new VersionQuery(prefix, "", keyMarker, versionMarker, PAGE));
            for (VersionPage.Entry e : page.versions()) {
                if (closed) return;
                ObjectVersion v = e.version();
                // A latest entry always starts its key afresh, also when a page marker that was removed
                // meanwhile makes the listing repeat the key from its newest entry.
                if (e.latest() || state == null || !state.latest.key().equals(v.key())) {
                    if (state != null) finishKey(state, rules, c);
                    state = new KeyState(v);
                    if (!v.deleteMarker()) expireCurrent(v, rules, now, c);
                    continue;
                }
                state.entries++;
                state.noncurrentRank++;
                expireNoncurrent(v, state.previous.lastModified(), state.noncurrentRank, rules, now, c);
                state.previous = v;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        } while (page.truncated() && !closed);
        if (state != null && !closed) finishKey(state, rules, c);
    }

    private void expireCurrent(ObjectVersion v, List<Rule> rules, Instant now, Counts c) {
        Tags tags = new Tags(v);
        for (Rule r : rules) {
            if (r.expiration().isEmpty()) continue;
            LifecycleConfiguration.Expiration x = r.expiration().get();
            boolean due = x.days().isPresent() ? !now.isBefore(dueAt(v.lastModified(), x.days().getAsInt()))
                    : x.date().isPresent() && !now.isBefore(x.date().get());
            if (due && r.filter().matches(v.key().value(), v.size(), tags.get(r))) {
                if (target.expireCurrent(v)) {
                    c.expired++;
                    expired.increment();
                }
                return;
            }
        }
        for (Rule r : rules) {
            if (r.transitions().isEmpty() || !r.filter().matches(v.key().value(), v.size(), tags.get(r))) continue;
            String due = null;
            Instant next = null;
            for (LifecycleConfiguration.Transition t : r.transitions()) {
                Instant at = t.days().isPresent() ? dueAt(v.lastModified(), t.days().getAsInt()) : t.date().orElseThrow();
                if (!now.isBefore(at)) due = t.storageClass();
                else if (next == null || at.isBefore(next)) next = at;
            }
            if (transition(v, due, next, r, c)) return;
        }
    }

    /**
     * Moves {@code v} to tier {@code due} (if any and not there already) for rule {@code r}, or notes
     * when it will be due. Returns true when a transition was attempted, which ends the rules' turn.
     */
    private boolean transition(ObjectVersion v, String due, Instant next, Rule r, Counts c) {
        RuleCounts rc = c.of(r);
        // S3 leaves objects under 128 KiB where they are unless the rule asks for a size itself.
        if (r.filter().sizeGreaterThan().isEmpty() && v.size() < c.transitionMinimumSize) return false;
        String where = TierMover.storageClass(v);
        if (due == null || due.equals(where)) {
            if (next != null && !v.deleteMarker() && v.size() > 0 && (rc.nextDue == null || next.isBefore(rc.nextDue))) {
                rc.nextDue = next;
            }
            return false;
        }
        if (v.deleteMarker() || v.size() == 0) return false;
        rc.due++;
        rc.dueBytes += v.size();
        // Each move is durable on its own (TierMover); several run at once so that a remote tier's
        // round trips overlap. The scan goes on while they run, waiting only for a free slot.
        try {
            c.slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting to start a transition", e);
        }
        c.movers.execute(() -> {
            try {
                boolean moved = target.transition(v, due);
                synchronized (c) {
                    if (moved) {
                        rc.moved++;
                        rc.movedBytes += v.size();
                        c.moved++;
                        transitioned.increment();
                    }
                }
            } catch (RuntimeException e) {
                String error = e.getMessage() == null ? e.toString() : e.getMessage();
                synchronized (c) {
                    rc.failed++;
                    rc.lastError = error;
                    c.moveFailed++;
                    transitionsFailed.increment();
                }
                LOG.warn("transition of {}/{} version {} to {} failed (retried next run): {}", v.bucket(), v.key(),
                        v.versionId(), due, error);
            } finally {
                c.slots.release();
            }
        });
        return true;
    }

    private void expireNoncurrent(ObjectVersion v, Instant noncurrentSince, int rank, List<Rule> rules, Instant now,
                                  Counts c) {
        Tags tags = new Tags(v);
        for (Rule r : rules) {
            if (r.noncurrentExpiration().isEmpty()) continue;
            LifecycleConfiguration.NoncurrentExpiration x = r.noncurrentExpiration().get();
            if (rank <= x.newerNoncurrentVersions().orElse(0)) continue;
            if (now.isBefore(dueAt(noncurrentSince, x.noncurrentDays()))) continue;
            if (!r.filter().matches(v.key().value(), v.size(), tags.get(r))) continue;
            if (target.deleteVersion(v)) {
                c.noncurrent++;
                noncurrentExpired.increment();
            }
            return;
        }
        for (Rule r : rules) {
            if (r.noncurrentTransitions().isEmpty() || !r.filter().matches(v.key().value(), v.size(), tags.get(r))) {
                continue;
            }
            String due = null;
            Instant next = null;
            for (LifecycleConfiguration.NoncurrentTransition t : r.noncurrentTransitions()) {
                if (rank <= t.newerNoncurrentVersions().orElse(0)) continue;
                Instant at = dueAt(noncurrentSince, t.noncurrentDays());
                if (!now.isBefore(at)) due = t.storageClass();
                else if (next == null || at.isBefore(next)) next = at;
            }
            if (transition(v, due, next, r, c)) return;
        }
    }

    /** A delete marker that is its key's only entry is removed by ExpiredObjectDeleteMarker. */
    private void finishKey(KeyState state, List<Rule> rules, Counts c) {
        if (state.entries != 1 || !state.latest.deleteMarker()) return;
        ObjectVersion marker = state.latest;
        for (Rule r : rules) {
            if (r.expiration().isEmpty() || !r.expiration().get().expiredObjectDeleteMarker()) continue;
            if (!r.filter().matches(marker.key().value(), 0, Map.of())) continue;
            if (target.deleteVersion(marker)) {
                c.markers++;
                markersRemoved.increment();
            }
            return;
        }
    }

    private void abortUploads(BucketName bucket, String prefix, List<Rule> rules, Instant now, Counts c) {
        String keyMarker = "";
        String uploadMarker = "";
        UploadPage page;
        do {
            page = namespace.uploads(bucket, prefix, "", keyMarker, uploadMarker, PAGE);
            for (MultipartUpload u : page.uploads()) {
                if (closed) return;
                for (Rule r : rules) {
                    if (r.abortIncompleteMultipartUploadDays().isEmpty()) continue;
                    if (!u.key().value().startsWith(r.filter().prefix())) continue;
                    if (now.isBefore(dueAt(u.initiated(), r.abortIncompleteMultipartUploadDays().getAsInt()))) continue;
                    if (target.abortUpload(u)) {
                        c.aborted++;
                        uploadsAborted.increment();
                    }
                    break;
                }
            }
            keyMarker = page.nextKeyMarker();
            uploadMarker = page.nextUploadIdMarker();
        } while (page.truncated() && !closed);
    }

    /** The version's tags as a rule's filter needs them: none when the rule does not filter on tags. */
    private record Tags(ObjectVersion version) {
        Map<String, String> get(Rule r) {
            return r.filter().tags().isEmpty() ? Map.of() : version.tags();
        }
    }
}
