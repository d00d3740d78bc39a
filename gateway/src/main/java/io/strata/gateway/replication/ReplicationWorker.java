package io.strata.gateway.replication;

import io.strata.gateway.config.ReplicationSettings;
import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChangeCursor;
import io.strata.namespace.ChangeEntry;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.ChangeFeedException;
import io.strata.namespace.ChangePage;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.ReplicationStatus;
import io.strata.namespace.WorkItem;
import io.strata.tiering.replication.Replica;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import io.strata.tiering.replication.ReplicationException;
import io.strata.tiering.replication.ReplicationTarget;
import io.strata.tiering.replication.S3ReplicaSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends the changes of buckets with a replication configuration to their targets, from the change log.
 *
 * <p><b>Two steps per target, both durable.</b> Intake reads the log after the target's cursor
 * ({@code replication:NAME}), matches each new version and client delete marker against the bucket's
 * enabled rules whose destination is this target (the highest priority wins, as in S3), queues the
 * operation in the namespace's work queue {@code replication.NAME}, sets the version's status PENDING,
 * and only then moves the cursor on: a crash in between reads the entries again, and every operation is
 * idempotent. Delivery takes the queue in id order, up to {@link ReplicationSettings#parallelism} sends
 * in flight per target. A version that is gone or was overwritten (a {@code null}
 * version) is dropped, never FAILED. Success sets COMPLETED; a permanent refusal (403, NoSuchBucket, ...)
 * sets FAILED and keeps the operation in {@code replication-failed.NAME} with its reason, for
 * {@link #retryFailed}; a transient one (connection refused, timeout, 5xx, SlowDown, open circuit) leaves
 * it PENDING and due again after a growing backoff (capped at {@link ReplicationSettings#maxBackoff}), forever.
 *
 * <p><b>Per-key order.</b> A key's operations reach the target in log order, at any backlog: while one is
 * in flight or waits for a retry, the later ones of that key wait too; other keys go on. Status writes log no change entry
 * ({@link Namespace#setReplicationStatus}), so the worker never reads its own bookkeeping back.
 *
 * <p><b>Not replicated</b>, as in S3: delete markers made by lifecycle, deletes of a specific version,
 * versions that are themselves replicas (status REPLICA), and changes made before a rule existed.
 *
 * <p><b>PENDING is set at intake,</b> not in the PUT's commit batch: the PUT path stays free of rule
 * lookups, and a target that is down cannot slow it. The status therefore appears once the worker has
 * seen the entry (each commit that logs a change wakes it; {@link ReplicationSettings#interval} bounds the
 * wait otherwise) rather than in the PUT's own answer.
 *
 * <p>One daemon thread runs intake and starts the sends of every target in turn, on a pool of send
 * threads; nothing a client request does waits for either. Thread-safe.
 * The creator closes it, which stops the thread and closes the senders.
 */
public final class ReplicationWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationWorker.class);
    /** The work queue kind of a target's pending operations. */
    static final String QUEUE_PREFIX = "replication.";
    /** The work queue kind of a target's FAILED operations. */
    static final String FAILED_PREFIX = "replication-failed.";
    /** Log entries read per page. */
    static final int PAGE = 256;
    /** Queue items read per page. */
    static final int BATCH = 512;
    /**
     * Queue items read per pass and target at most: a pass starts again from the queue's first item, so
     * a backlog of changes waiting for retries is not read whole every pass.
     */
    static final int SCAN_LIMIT = 100_000;
    /** Bytes of objects being sent to one target at once, unless a single larger one goes alone ({@link Delivery}). */
    static final long MAX_BYTES_IN_FLIGHT = 64L << 20;
    /** Keys held back in one pass at most (their names are kept in memory for the pass). */
    static final int HELD_LIMIT = 10_000;
    /** Pending items counted at most for the metrics (counting more would read the whole backlog). */
    static final int COUNT_LIMIT = 100_000;
    /** The first retry of a transient failure; it doubles per attempt. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** How often the metrics' view of the queues is refreshed. */
    static final Duration STATUS_EVERY = Duration.ofSeconds(1);
    /** Due time of a FAILED item: it waits for {@link #retryFailed}, never for the clock. */
    private static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: the first version the worker sends is not sent
     * but reported COMPLETED, so the convergence test must see the replica missing at the target.
     */
    public static final String DROP_ONE_FAULT = "replication-drop-one";

    /**
     * One target as {@code strata replicate status} and the metrics show it.
     *
     * @param state            OK, BACKOFF (the last call failed), OPEN (circuit open), RESYNC_REQUIRED
     *                         (the log was trimmed past its cursor)
     * @param pending          operations waiting (counted up to {@value #COUNT_LIMIT})
     * @param oldestPending    when the oldest waiting change was committed, if any
     * @param completed        operations done since the gateway started
     * @param failed           operations FAILED and kept for {@code strata replicate retry --failed}
     * @param lastError        the error of the first waiting operation that failed, "" if none
     * @param nextAttempt      when that operation is tried again
     */
    public record TargetStatus(String target, String state, long pending, Optional<Instant> oldestPending,
                               long completed, long failed, String lastError, Optional<Instant> nextAttempt,
                               List<FailedOperation> failures) {
    }

    /** A FAILED operation and its reason. */
    public record FailedOperation(String bucket, String key, String versionId, String error) {
    }

    private final Namespace namespace;
    private final ObjectService objects;
    private final ReplicationTargets targets;
    private final Clock clock;
    private final ReplicationSettings settings;
    private final Map<String, S3ReplicaSender> senders = new ConcurrentHashMap<>();
    private final Map<String, ReplicationTarget> senderTargets = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> completed = new ConcurrentHashMap<>();
    private final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();
    /**
     * Runs the sends. Unbounded itself; each target's {@link Delivery} permits bound what it is given to
     * {@link ReplicationSettings#parallelism}. Platform threads: a send holds a blocking HTTP client call and
     * RocksDB (JNI) reads, which would pin a virtual thread's carrier.
     */
    private final ExecutorService sends;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile List<TargetStatus> lastStatus = List.of();
    private Instant statusTaken;
    /** A send ended since the last status was taken. */
    private volatile boolean sentSinceStatus;
    /** Guarded by {@link #lock}: a wake-up asked for while a pass ran, so the loop does not wait the interval. */
    private boolean wakeAsked;
    private volatile boolean dropOne;
    private volatile boolean closed;
    private Thread thread;

    public ReplicationWorker(Namespace namespace, ObjectService objects, ReplicationTargets targets, Clock clock,
                             ReplicationSettings settings) {
        this.namespace = namespace;
        this.objects = objects;
        this.targets = targets;
        this.clock = clock;
        this.settings = settings;
        AtomicLong threadNumber = new AtomicLong();
        this.sends = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon()
                .name("replication-send-" + threadNumber.incrementAndGet()).unstarted(r));
        this.dropOne = DROP_ONE_FAULT.equals(System.getenv("STRATA_TEST_FAULT"));
        if (dropOne) LOG.warn("STRATA_TEST_FAULT={}: the first replica is not sent but reported COMPLETED", DROP_ONE_FAULT);
    }

    /** Starts the worker's thread, woken by every commit that logs a change. */
    public void start() {
        lock.lock();
        try {
            if (thread != null) return;
            // A new version is taken in and sent at once rather than at the next interval: the interval
            // dominated a single PUT's lag (benchmarks/replication.sh: a median of 0.5 s before, 0.08 s after).
            // Commits during a pass ask for one more pass, not one each.
            namespace.changeFeed().onAppend(this::wakeUp);
            thread = Thread.ofPlatform().daemon().name("replication-worker").start(this::loop);
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                if (closed) return;
                LOG.error("replication pass failed: {}", e.toString());
            }
            lock.lock();
            try {
                if (!closed && !wakeAsked) wake.await(settings.interval().toMillis(), TimeUnit.MILLISECONDS);
                wakeAsked = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** One pass over every target: intake of new log entries, then delivery of what is due. */
    public void runOnce() {
        for (ReplicationTarget target : targets.list()) {
            if (closed) return;
            try {
                intake(target);
                deliver(target);
            } catch (NamespaceException e) {
                if (closed) return;
                throw e;
            }
        }
        // Kept for the scrape, which must not read the queues on its own thread; at most once a second,
        // as it reads every queued item (up to COUNT_LIMIT per target), and also once the sends finished
        // since the last one have all ended, so a drained queue shows as drained (sends end after the pass
        // that started them, and a scrape right after the last replica must not see it pending).
        Instant now = clock.instant();
        boolean drained = sentSinceStatus && deliveries.values().stream().allMatch(d -> d.inFlight() == 0);
        if (statusTaken == null || drained || !now.isBefore(statusTaken.plus(STATUS_EVERY))) {
            sentSinceStatus = false;
            lastStatus = status(Optional.empty());
            statusTaken = now;
        }
    }

    /**
     * The targets' lines in the Prometheus scrape, as of the last pass: {@code strata_replication_pending},
     * {@code strata_replication_oldest_pending_seconds}, {@code strata_replication_completed_total},
     * {@code strata_replication_failed}, {@code strata_replication_state} (1 for the target's current state).
     */
    public void appendMetrics(StringBuilder out) {
        List<TargetStatus> all = lastStatus;
        Instant now = clock.instant();
        out.append("# HELP strata_replication_pending Operations waiting for a replication target.\n")
                .append("# TYPE strata_replication_pending gauge\n");
        for (TargetStatus t : all) {
            out.append("strata_replication_pending{target=\"").append(t.target()).append("\"} ").append(t.pending()).append('\n');
        }
        out.append("# HELP strata_replication_oldest_pending_seconds Age of the oldest change a target has not received.\n")
                .append("# TYPE strata_replication_oldest_pending_seconds gauge\n");
        for (TargetStatus t : all) {
            double age = t.oldestPending().map(o -> Math.max(0, Duration.between(o, now).toMillis()) / 1000.0).orElse(0.0);
            out.append("strata_replication_oldest_pending_seconds{target=\"").append(t.target()).append("\"} ").append(age)
                    .append('\n');
        }
        out.append("# HELP strata_replication_completed_total Operations a target took since the gateway started.\n")
                .append("# TYPE strata_replication_completed_total counter\n");
        for (TargetStatus t : all) {
            out.append("strata_replication_completed_total{target=\"").append(t.target()).append("\"} ").append(t.completed())
                    .append('\n');
        }
        out.append("# HELP strata_replication_failed Operations a target refused for good (FAILED), kept for retry.\n")
                .append("# TYPE strata_replication_failed gauge\n");
        for (TargetStatus t : all) {
            out.append("strata_replication_failed{target=\"").append(t.target()).append("\"} ").append(t.failed()).append('\n');
        }
        out.append("# HELP strata_replication_state A target's state: ok, backoff, open or resync_required.\n")
                .append("# TYPE strata_replication_state gauge\n");
        for (TargetStatus t : all) {
            for (String state : List.of("OK", "BACKOFF", "OPEN", "RESYNC_REQUIRED")) {
                out.append("strata_replication_state{target=\"").append(t.target()).append("\",state=\"")
                        .append(state.toLowerCase(java.util.Locale.ROOT)).append("\"} ").append(state.equals(t.state()) ? 1 : 0)
                        .append('\n');
            }
        }
    }

    // ------------------------------------------------------------------ intake

    private void intake(ReplicationTarget target) {
        ChangeFeed feed = namespace.changeFeed();
        String cursorName = ReplicationTargets.cursorName(target.name());
        Optional<ChangeCursor> cursor = feed.cursor(cursorName);
        if (cursor.isEmpty() || cursor.get().trimmedPast()) return;
        long after = cursor.get().position();
        Map<BucketName, Optional<ReplicationConfiguration>> configs = new HashMap<>();
        ChangePage page;
        do {
            try {
                page = feed.changes(after, PAGE);
            } catch (ChangeFeedException e) {
                LOG.error("replication target {}: the change log was trimmed past its cursor; a resync is required",
                        target.name());
                return;
            }
            for (ChangeEntry e : page.entries()) {
                Optional<ReplicationConfiguration> config = configs.computeIfAbsent(e.bucket(), this::configuration);
                if (config.isPresent()) intake(target, e, config.get());
            }
            if (page.nextAfter() > after) feed.advanceCursor(cursorName, page.nextAfter());
            after = page.nextAfter();
        } while (page.more() && !closed);
    }

    private Optional<ReplicationConfiguration> configuration(BucketName bucket) {
        try {
            return namespace.bucketConfig(bucket, ReplicationConfigurationCodec.KIND).map(ReplicationConfigurationCodec::decode);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    private void intake(ReplicationTarget target, ChangeEntry e, ReplicationConfiguration config) {
        ChangeEntry.VersionRef ref = e.version().orElse(null);
        if (ref == null) return;
        switch (e.kind()) {
            case VERSION_PUT -> {
                Optional<ObjectVersion> found = sameVersion(e.bucket(), ref);
                if (found.isEmpty()) return;   // gone or overwritten since: nothing to send, never FAILED
                ObjectVersion v = found.get();
                // Replicas are not sent on; a version already COMPLETED or FAILED was taken in before a crash.
                if (v.attributes().replicationStatus() != ReplicationStatus.NONE
                        && v.attributes().replicationStatus() != ReplicationStatus.PENDING) return;
                Optional<ReplicationConfiguration.Rule> rule = rule(config, target, ref.key().value(), v.tags());
                if (rule.isEmpty()) return;
                enqueue(target, new ReplicationWork(ReplicationWork.Op.PUT_VERSION, e.bucket(), ref.key(), ref.versionId(),
                        ref.lastModified(), ref.etag(), e.committed(), rule.get().destination().storageClass()));
                setStatus(v, ReplicationStatus.PENDING);
            }
            case DELETE_MARKER_PUT -> {
                // S3 does not replicate the delete markers lifecycle expiration makes.
                if (ChangeEntry.LIFECYCLE.equals(e.detail())) return;
                // A marker has no tags: S3 refuses DeleteMarkerReplication in rules with tag filters, and a
                // tag condition cannot hold for a marker.
                Optional<ReplicationConfiguration.Rule> rule = rule(config, target, ref.key().value(), null);
                if (rule.isEmpty() || !rule.get().deleteMarkerReplication().enabled()) return;
                enqueue(target, new ReplicationWork(ReplicationWork.Op.PUT_DELETE_MARKER, e.bucket(), ref.key(),
                        ref.versionId(), ref.lastModified(), "", e.committed(), Optional.empty()));
            }
            default -> {
                // Deletes of a specific version are not replicated (as S3); tag and metadata changes are
                // not yet (issue #14); relocations change no byte.
            }
        }
    }

    /**
     * The rule that decides for this target: among the enabled rules whose destination resolves to it and
     * whose filter selects the object, the one of highest priority (S3: "if an object matches several
     * rules for the same destination, the rule with the highest priority wins"). {@code tags} null: a
     * delete marker, which only tag-free filters select.
     */
    private Optional<ReplicationConfiguration.Rule> rule(ReplicationConfiguration config, ReplicationTarget target,
                                                         String key, Map<String, String> tags) {
        return rule(config, target.name(), targets.list(), key, tags);
    }

    /** The decision of {@link #rule(ReplicationConfiguration, ReplicationTarget, String, Map)}, free of state. */
    static Optional<ReplicationConfiguration.Rule> rule(ReplicationConfiguration config, String target,
                                                        List<ReplicationTarget> all, String key, Map<String, String> tags) {
        return config.rules().stream()
                .filter(ReplicationConfiguration.Rule::enabled)
                .filter(r -> {
                    // A destination resolves only to exactly one target (two with its bucket: to none).
                    List<ReplicationTarget> resolved = ReplicationTarget.matching(r.destination().bucketArn(), all);
                    return resolved.size() == 1 && resolved.getFirst().name().equals(target);
                })
                .filter(r -> tags == null ? r.filter().tags().isEmpty() && key.startsWith(r.filter().prefix())
                        : r.filter().matches(key, tags))
                .max(Comparator.comparingInt(r -> r.priority().orElse(0)));
    }

    private void enqueue(ReplicationTarget target, ReplicationWork work) {
        namespace.addWork(QUEUE_PREFIX + target.name(), work.encode(), clock.instant());
    }

    // ------------------------------------------------------------------ delivery

    /**
     * Starts the sends of what is due, in log order. The queue is read in id order from its first item
     * ({@link Namespace#workAfter}), whatever the due times, so a key's operation waiting for a retry is seen
     * before its later ones, at any backlog: a page chosen by due time could hold a key's later change and
     * not the earlier one that was retried, and send them out of order. Sends run on {@link #sends}, at most
     * {@link ReplicationSettings#parallelism} per target and never two of one key; a key whose operation is
     * in flight, waits for a retry or just failed holds its later ones back, and other keys go on. Each
     * finished send wakes the worker for the next pass.
     */
    private void deliver(ReplicationTarget target) {
        S3ReplicaSender sender = sender(target);
        Delivery delivery = deliveries.computeIfAbsent(target.name(), n -> new Delivery(settings.parallelism(),
                MAX_BYTES_IN_FLIGHT));
        delivery.startPass();
        String kind = QUEUE_PREFIX + target.name();
        KeyOrder order = new KeyOrder(clock.instant());
        long after = 0;
        int read = 0;
        List<WorkItem> page;
        while (read < SCAN_LIMIT && !(page = namespace.workAfter(kind, after, BATCH)).isEmpty()) {
            for (WorkItem item : page) {
                if (closed) return;
                after = item.id();
                read++;
                ReplicationWork work;
                try {
                    work = ReplicationWork.decode(item.payload());
                } catch (IllegalArgumentException e) {
                    LOG.error("replication target {}: dropping unreadable work item {}: {}", target.name(), item.id(),
                            e.getMessage());
                    namespace.removeWork(item.id());
                    continue;
                }
                String key = work.orderKey();
                // Per-key FIFO: a key's later changes wait for its earlier one, in flight or due later.
                if (delivery.busy(item.id(), key)) {
                    order.hold(key);
                    continue;
                }
                if (!order.mayAttempt(key, item.notBefore())) continue;
                // An open circuit refuses every call: the rest waits for it to half-open.
                if (sender.state() == S3ReplicaSender.State.OPEN) return;
                // Every slot busy, or too many bytes on their way for this object: a finished send wakes the
                // worker, which takes it up from here (later keys wait too, so a large object is not starved).
                if (!delivery.begin(item.id(), key, size(work))) return;
                order.hold(key);
                try {
                    sends.execute(() -> attempt(target, sender, delivery, item, work));
                } catch (RejectedExecutionException e) {
                    delivery.finish(item.id(), key);   // closing: the item stays queued for the next start
                    return;
                }
            }
            // Keys held back are remembered for the pass only; past a bound, the rest waits for the next one.
            if (order.held() >= HELD_LIMIT) return;
        }
    }

    /** The bytes a send of {@code work} carries: its version's size (0 for a marker, or a version gone since). */
    private long size(ReplicationWork work) {
        if (work.op() != ReplicationWork.Op.PUT_VERSION) return 0;
        return namespace.version(work.bucket(), work.key(), work.versionId()).map(ObjectVersion::size).orElse(0L);
    }

    /** One send on a {@link #sends} thread: its outcome is written as the one-thread delivery wrote it. */
    private void attempt(ReplicationTarget target, S3ReplicaSender sender, Delivery delivery, WorkItem item,
                         ReplicationWork work) {
        try {
            send(sender, work);
            namespace.removeWork(item.id());
            completed.computeIfAbsent(target.name(), n -> new AtomicLong()).incrementAndGet();
        } catch (ReplicationException e) {
            if (e.reason() == ReplicationException.Reason.PERMANENT) {
                fail(target, item, work, e.getMessage());
            } else {
                Duration backoff = backoff(item.attempts());
                namespace.retryWork(item, clock.instant().plus(backoff), e.getMessage());
                LOG.debug("replication target {}: {} retried in {}: {}", target.name(), work.orderKey(), backoff,
                        e.getMessage());
            }
        } catch (RuntimeException e) {
            // The item stays queued as it was and is taken again by a later pass; closing ends calls quietly.
            if (!closed) {
                LOG.error("replication target {}: sending {} version {} failed: {}", target.name(), work.orderKey(),
                        work.versionId(), e.toString());
            }
        } finally {
            delivery.finish(item.id(), work.orderKey());
            sentSinceStatus = true;
            wakeUp();
        }
    }

    /**
     * Test hook: waits until no send is in flight, at most {@code timeout}.
     *
     * @return whether every send finished
     */
    boolean awaitSends(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Delivery d : deliveries.values()) {
            if (!d.awaitIdle(deadline)) return false;
        }
        return true;
    }

    private Duration backoff(int attempts) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempts, 20));
        return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
    }

    private void send(S3ReplicaSender sender, ReplicationWork work) {
        switch (work.op()) {
            case PUT_VERSION -> {
                Optional<ObjectVersion> found = namespace.version(work.bucket(), work.key(), work.versionId())
                        .filter(v -> v.lastModified().equals(work.lastModified()) && v.etag().equals(work.etag()));
                if (found.isEmpty()) return;   // deleted or overwritten since it was queued: nothing to send
                ObjectVersion v = found.get();
                if (v.attributes().replicationStatus() == ReplicationStatus.COMPLETED) return;   // read again after a crash
                if (dropOne) {
                    dropOne = false;
                    LOG.warn("STRATA_TEST_FAULT={}: {} not sent", DROP_ONE_FAULT, work.orderKey());
                } else {
                    sender.put(replica(v, work), (offset, length) -> objects.open(v, offset, length));
                }
                setStatus(v, ReplicationStatus.COMPLETED);
            }
            case PUT_DELETE_MARKER -> sender.deleteMarker(work.key().value());
        }
    }

    private static Replica replica(ObjectVersion v, ReplicationWork work) {
        List<Long> parts = v.partCount() == 0 ? List.of()
                : v.segments().stream().map(s -> s.size()).toList();
        return new Replica(v.key().value(), v.versionId(), v.lastModified(), v.size(), v.etag(), v.contentType(),
                v.headers(), v.userMetadata(), v.checksums(), v.tags(), parts, v.partChecksums(), work.storageClass());
    }

    private void fail(ReplicationTarget target, WorkItem item, ReplicationWork work, String error) {
        LOG.warn("replication target {}: {} version {} FAILED: {}", target.name(), work.orderKey(), work.versionId(), error);
        if (work.op() == ReplicationWork.Op.PUT_VERSION) {
            namespace.version(work.bucket(), work.key(), work.versionId())
                    .filter(v -> v.lastModified().equals(work.lastModified()) && v.etag().equals(work.etag()))
                    .ifPresent(v -> setStatus(v, ReplicationStatus.FAILED));
        }
        // Kept with its reason until strata replicate retry --failed: first added, then removed from the
        // queue, so a crash in between leaves it in both (sent once more), never in neither.
        WorkItem failed = namespace.addWork(FAILED_PREFIX + target.name(), item.payload(), NEVER);
        namespace.retryWork(failed, NEVER, error);
        namespace.removeWork(item.id());
    }

    /** Sets the status on the current record of {@code v}, reading it again if a tag change raced. */
    private void setStatus(ObjectVersion v, ReplicationStatus status) {
        ObjectVersion current = v;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (current.attributes().replicationStatus() == status) return;
            if (namespace.setReplicationStatus(current, status)) return;
            Optional<ObjectVersion> again = namespace.version(v.bucket(), v.key(), v.versionId())
                    .filter(x -> x.lastModified().equals(v.lastModified()) && x.etag().equals(v.etag()));
            if (again.isEmpty()) return;
            current = again.get();
        }
    }

    private S3ReplicaSender sender(ReplicationTarget target) {
        ReplicationTarget known = senderTargets.get(target.name());
        if (known != null && !known.equals(target)) {
            S3ReplicaSender old = senders.remove(target.name());
            if (old != null) old.close();
        }
        senderTargets.put(target.name(), target);
        return senders.computeIfAbsent(target.name(), n -> S3ReplicaSender.create(target));
    }

    // ------------------------------------------------------------------ operator

    /**
     * Queues every FAILED operation again (of every target, or only {@code target}) and sets their versions
     * PENDING: {@code strata replicate retry --failed}.
     *
     * @return how many were queued again
     */
    public int retryFailed(Optional<String> target) {
        int n = 0;
        for (ReplicationTarget t : targets.list()) {
            if (target.isPresent() && !target.get().equals(t.name())) continue;
            List<WorkItem> failed;
            while (!(failed = namespace.work(FAILED_PREFIX + t.name(), BATCH)).isEmpty()) {
                for (WorkItem item : failed) {
                    namespace.addWork(QUEUE_PREFIX + t.name(), item.payload(), clock.instant());
                    namespace.removeWork(item.id());
                    ReplicationWork work = ReplicationWork.decode(item.payload());
                    namespace.version(work.bucket(), work.key(), work.versionId())
                            .ifPresent(v -> {
                                if (!v.deleteMarker()) setStatus(v, ReplicationStatus.PENDING);
                            });
                    n++;
                }
            }
        }
        wakeUp();
        return n;
    }

    /** Every target's state; {@code bucket} narrows the counts to one source bucket. */
    public List<TargetStatus> status(Optional<BucketName> bucket) {
        List<TargetStatus> out = new ArrayList<>();
        Instant now = clock.instant();
        for (ReplicationTarget t : targets.list()) {
            long pending = 0;
            Instant oldest = null;
            String lastError = "";
            Instant next = null;
            List<WorkItem> queued = new ArrayList<>(namespace.work(QUEUE_PREFIX + t.name(), COUNT_LIMIT));
            queued.sort(Comparator.comparingLong(WorkItem::id));
            for (WorkItem item : queued) {
                ReplicationWork w = ReplicationWork.decode(item.payload());
                if (bucket.isPresent() && !bucket.get().equals(w.bucket())) continue;
                pending++;
                if (oldest == null || w.committed().isBefore(oldest)) oldest = w.committed();
                if (lastError.isEmpty() && !item.lastError().isEmpty()) {
                    lastError = item.lastError();
                    next = item.notBefore().isBefore(now) ? now : item.notBefore();
                }
            }
            List<FailedOperation> failures = new ArrayList<>();
            for (WorkItem item : namespace.work(FAILED_PREFIX + t.name(), COUNT_LIMIT)) {
                ReplicationWork w = ReplicationWork.decode(item.payload());
                if (bucket.isPresent() && !bucket.get().equals(w.bucket())) continue;
                failures.add(new FailedOperation(w.bucket().value(), w.key().value(), w.versionId(), item.lastError()));
            }
            Optional<ChangeCursor> cursor = namespace.changeFeed().cursor(ReplicationTargets.cursorName(t.name()));
            S3ReplicaSender sender = senders.get(t.name());
            String state = cursor.isPresent() && cursor.get().trimmedPast() ? "RESYNC_REQUIRED"
                    : sender == null ? "OK" : sender.state().name();
            out.add(new TargetStatus(t.name(), state, pending, Optional.ofNullable(oldest),
                    completed.getOrDefault(t.name(), new AtomicLong()).get(), failures.size(), lastError,
                    Optional.ofNullable(next), failures));
        }
        return out;
    }

    /** Runs a pass soon instead of at the next interval. */
    public void wakeUp() {
        lock.lock();
        try {
            wakeAsked = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        wakeUp();
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        try {
            if (t != null) t.join(Duration.ofSeconds(30));
            // Sends under way finish (or fail on the closing namespace, their items staying queued) first.
            sends.shutdown();
            if (!sends.awaitTermination(30, TimeUnit.SECONDS)) LOG.warn("replication sends still running at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.values().forEach(S3ReplicaSender::close);
        senders.clear();
    }

    private Optional<ObjectVersion> sameVersion(BucketName bucket, ChangeEntry.VersionRef ref) {
        try {
            return namespace.version(bucket, ref.key(), ref.versionId())
                    .filter(v -> v.lastModified().equals(ref.lastModified()) && v.etag().equals(ref.etag()));
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }
}
