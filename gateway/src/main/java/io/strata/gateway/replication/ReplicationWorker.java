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
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.ReplicationStatus;
import io.strata.namespace.WorkItem;
import io.strata.tiering.replication.Replica;
import io.strata.tiering.replication.ReplicaIdentity;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import io.strata.tiering.replication.ReplicationException;
import io.strata.tiering.replication.ReplicationTarget;
import io.strata.tiering.replication.S3ReplicaSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
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
 * versions and delete markers that are themselves replicas (status REPLICA: sending them on would loop
 * between sites), and changes made before a rule existed (a resync, {@link ReplicationResync}, sends
 * those).
 *
 * <p><b>Strata targets</b> ({@link ReplicationTarget.Kind#STRATA}) get replica writes that keep the version's
 * identity ({@link S3ReplicaSender#putReplica}): versions and delete markers with their version ids, this site
 * ({@code site.name}) as their origin unless they came from another, and tag changes of versions sent there
 * (PutObjectTagging with the same version id). A generic S3 target gets plain writes and no tag changes:
 * it gave the version its own id, so a later change has no version to name there.
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
    /** FAILED operations listed at most per answer of {@code replicate status} and {@code replicate wait}. */
    static final int LIST_LIMIT = 100;
    /** Applied operations whose time {@code replicate why} remembers (a restart forgets them; the status stays). */
    static final int RECENT = 4096;
    /** Queued items read from a queue's head for its first waiting operation's last error. */
    static final int HEAD_LIMIT = 64;
    /**
     * Queue items read per pass and target at most: a pass starts again from the queue's first item, so
     * a backlog of changes waiting for retries is not read whole every pass.
     */
    static final int SCAN_LIMIT = 100_000;
    /** Bytes of objects being sent to one target at once, unless a single larger one goes alone ({@link Delivery}). */
    static final long MAX_BYTES_IN_FLIGHT = 64L << 20;
    /** Keys held back in one pass at most (their names are kept in memory for the pass). */
    static final int HELD_LIMIT = 10_000;
    /** The first retry of a transient failure; it doubles per attempt. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** The least time between two progress reports to one Strata target. */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    /** Due time of a FAILED item: it waits for {@link #retryFailed}, never for the clock. */
    private static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: the first version the worker sends is not sent
     * but reported COMPLETED, so the convergence test must see the replica missing at the target.
     */
    public static final String DROP_ONE_FAULT = "replication-drop-one";
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: source changes are refused while a target is not OK,
     * as if they were replicated inline (the failure of sources that block on a down target), so the outage
     * isolation test must see a PUT or DELETE fail.
     */
    public static final String INLINE_FAULT = "replication-inline";

    /**
     * One target as {@code strata replicate status} and the metrics show it.
     *
     * @param state            OK, BACKOFF (the last call failed), OPEN (circuit open), RESYNC_REQUIRED
     *                         (the log was trimmed past its cursor, or its queue reached the backlog budget;
     *                         see {@link ReplicationResync})
     * @param pending          operations waiting (exact, see {@link Backlog})
     * @param pendingBytes     their bytes
     * @param oldestPending    when the oldest waiting change was committed, if any
     * @param completed        operations done since the gateway started
     * @param failed           operations FAILED and kept for {@code strata replicate retry --failed}
     * @param lastError        the error of the first waiting operation that failed, "" if none
     * @param nextAttempt      when that operation is tried again
     * @param failures         FAILED operations with their reasons, the first {@value #LIST_LIMIT}
     * @param buckets          each source bucket's share of the backlog
     * @param completeUntil    the source time up to which the target has every change (nothing committed
     *                         before it waits or FAILED), once a pass has run
     */
    public record TargetStatus(String target, String state, long pending, long pendingBytes, Optional<Instant> oldestPending,
                               long completed, long failed, String lastError, Optional<Instant> nextAttempt,
                               List<FailedOperation> failures, List<BucketBacklog> buckets, Optional<Instant> completeUntil) {
    }

    /** One source bucket's operations for a target: waiting (count, bytes, oldest commit) and FAILED. */
    public record BucketBacklog(String bucket, long pending, long pendingBytes, Optional<Instant> oldestPending, long failed) {
    }

    /** A FAILED operation and its reason. */
    public record FailedOperation(String bucket, String key, String versionId, String error) {
    }

    private final String site;
    private final Namespace namespace;
    private final ObjectService objects;
    private final ReplicationTargets targets;
    private final Clock clock;
    private final ReplicationSettings settings;
    private final ReplicationResync resync;
    private final Map<String, S3ReplicaSender> senders = new ConcurrentHashMap<>();
    private final Map<String, ReplicationTarget> senderTargets = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> completed = new ConcurrentHashMap<>();
    private final Backlog backlog;
    private final LatencyHistograms latency = new LatencyHistograms();
    /** Per target: the source time up to which it has every change, as of its last pass. */
    private final Map<String, Instant> completeUntil = new ConcurrentHashMap<>();
    /** Per Strata target, the complete-until last reported to it and when (worker thread only). */
    private final Map<String, Instant> reported = new HashMap<>();
    private final Map<String, Instant> reportedAt = new HashMap<>();
    /** When recent operations were applied, for {@code replicate why}: the last {@value #RECENT} only. */
    private final Map<String, Instant> recentlyDone = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                    return size() > RECENT;
                }
            });
    private final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();
    /**
     * Runs the sends. Unbounded itself; each target's {@link Delivery} permits bound what it is given to
     * {@link ReplicationSettings#parallelism}. Platform threads: a send holds a blocking HTTP client call and
     * RocksDB (JNI) reads, which would pin a virtual thread's carrier.
     */
    private final ExecutorService sends;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Signalled after every pass, for {@link #await}. */
    private final Condition passed = lock.newCondition();
    private volatile List<TargetStatus> lastStatus = List.of();
    /** Guarded by {@link #lock}: a wake-up asked for while a pass ran, so the loop does not wait the interval. */
    private boolean wakeAsked;
    private volatile boolean dropOne;
    private volatile boolean closed;
    private Thread thread;

    public ReplicationWorker(Namespace namespace, ObjectService objects, ReplicationTargets targets, Clock clock,
                             ReplicationSettings settings) {
        this(namespace, objects, targets, clock, settings, "local");
    }

    /** @param site this site's name ({@code site.name}): the origin of the versions written here */
    public ReplicationWorker(Namespace namespace, ObjectService objects, ReplicationTargets targets, Clock clock,
                             ReplicationSettings settings, String site) {
        this.site = site;
        this.namespace = namespace;
        this.objects = objects;
        this.targets = targets;
        this.clock = clock;
        this.settings = settings;
        this.backlog = new Backlog(namespace);
        this.resync = new ReplicationResync(namespace, targets, clock, settings, backlog);
        AtomicLong threadNumber = new AtomicLong();
        this.sends = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon()
                .name("replication-send-" + threadNumber.incrementAndGet()).unstarted(r));
        this.dropOne = DROP_ONE_FAULT.equals(System.getenv("STRATA_TEST_FAULT"));
        if (dropOne) LOG.warn("STRATA_TEST_FAULT={}: the first replica is not sent but reported COMPLETED", DROP_ONE_FAULT);
    }

    /** Resync jobs and the RESYNC_REQUIRED state of this worker's targets. */
    public ReplicationResync resync() {
        return resync;
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
                passed.signalAll();
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
                backlog.open(target.name());
                // Every change committed before this instant is read by intake below (or the cursor is trimmed).
                Instant passStart = clock.instant();
                boolean read = intake(target);
                resync.step(target, sender(target));
                deliver(target);
                if (read) {
                    heartbeat(target.name(), passStart);
                    reportProgress(target);
                }
            } catch (NamespaceException e) {
                if (closed) return;
                throw e;
            }
        }
        // Kept for the scrape, which must not read the queues on its own thread. Cheap: the counts are kept
        // (see Backlog), and only a waiting queue's first few items are read for its last error.
        List<TargetStatus> all = new ArrayList<>();
        for (ReplicationTarget t : targets.list()) all.add(status(t, Optional.empty(), false));
        lastStatus = all;
    }

    /**
     * The targets' lines in the Prometheus scrape, as of the last pass. Per target, and per source bucket
     * and target (the line without a {@code bucket} label is the target's total, as before buckets were
     * shown): {@code strata_replication_pending}, {@code strata_replication_pending_bytes},
     * {@code strata_replication_oldest_pending_seconds} (the lag), {@code strata_replication_failed}. Per
     * target: {@code strata_replication_completed_total}, {@code strata_replication_state} (1 for the
     * target's current state), {@code strata_replication_complete_until_seconds} (the source time, in Unix
     * seconds, up to which the target has every change). Per bucket and target: the histogram
     * {@code strata_replication_latency_seconds}, from the source's commit to the target's acknowledgement.
     */
    public void appendMetrics(StringBuilder out) {
        List<TargetStatus> all = lastStatus;
        Instant now = clock.instant();
        gauge(out, "strata_replication_pending", "Operations waiting for a replication target.", all,
                t -> (double) t.pending(), b -> (double) b.pending());
        gauge(out, "strata_replication_pending_bytes", "Bytes of the operations waiting for a replication target.", all,
                t -> (double) t.pendingBytes(), b -> (double) b.pendingBytes());
        gauge(out, "strata_replication_oldest_pending_seconds", "Age of the oldest change a target has not received.", all,
                t -> age(t.oldestPending(), now), b -> age(b.oldestPending(), now));
        out.append("# HELP strata_replication_completed_total Operations a target took since the gateway started.\n")
                .append("# TYPE strata_replication_completed_total counter\n");
        for (TargetStatus t : all) {
            out.append("strata_replication_completed_total{target=\"").append(t.target()).append("\"} ").append(t.completed())
                    .append('\n');
        }
        gauge(out, "strata_replication_failed", "Operations a target refused for good (FAILED), kept for retry.", all,
                t -> (double) t.failed(), b -> (double) b.failed());
        out.append("# HELP strata_replication_state A target's state: ok, backoff, open or resync_required.\n")
                .append("# TYPE strata_replication_state gauge\n");
        for (TargetStatus t : all) {
            for (String state : List.of("OK", "BACKOFF", "OPEN", "RESYNC_REQUIRED")) {
                out.append("strata_replication_state{target=\"").append(t.target()).append("\",state=\"")
                        .append(state.toLowerCase(java.util.Locale.ROOT)).append("\"} ").append(state.equals(t.state()) ? 1 : 0)
                        .append('\n');
            }
        }
        out.append("# HELP strata_replication_complete_until_seconds Source time (Unix seconds) up to which a target has "
                        + "every change; idle, it follows the clock one pass behind.\n")
                .append("# TYPE strata_replication_complete_until_seconds gauge\n");
        for (TargetStatus t : all) {
            if (t.completeUntil().isEmpty()) continue;
            out.append("strata_replication_complete_until_seconds{target=\"").append(t.target()).append("\"} ")
                    .append(t.completeUntil().get().toEpochMilli() / 1000.0).append('\n');
        }
        out.append("# HELP strata_replication_received_until_seconds Origin site's time (Unix seconds) up to which this "
                        + "bucket holds every change from that site, as the origin last reported it.\n")
                .append("# TYPE strata_replication_received_until_seconds gauge\n");
        for (ReceivedProgress.Point p : targets.received().points()) {
            out.append("strata_replication_received_until_seconds{bucket=\"").append(p.bucket()).append("\",origin=\"")
                    .append(p.origin()).append("\"} ").append(p.until().toEpochMilli() / 1000.0).append('\n');
        }
        latency.append(out);
    }

    private static double age(Optional<Instant> oldest, Instant now) {
        return oldest.map(o -> Math.max(0, Duration.between(o, now).toMillis()) / 1000.0).orElse(0.0);
    }

    private static void gauge(StringBuilder out, String name, String help, List<TargetStatus> all,
                              java.util.function.ToDoubleFunction<TargetStatus> total,
                              java.util.function.ToDoubleFunction<BucketBacklog> perBucket) {
        out.append("# HELP ").append(name).append(' ').append(help).append(" Without a bucket label: the target's total.\n")
                .append("# TYPE ").append(name).append(" gauge\n");
        for (TargetStatus t : all) {
            out.append(name).append("{target=\"").append(t.target()).append("\"} ").append(number(total.applyAsDouble(t))).append('\n');
            for (BucketBacklog b : t.buckets()) {
                out.append(name).append("{bucket=\"").append(b.bucket()).append("\",target=\"").append(t.target()).append("\"} ")
                        .append(number(perBucket.applyAsDouble(b))).append('\n');
            }
        }
    }

    /** Whole numbers as before ("12"), fractions as Java prints them. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ------------------------------------------------------------------ intake

    /** @return whether it read the log to its end (false: no cursor, trimmed past it, or closing) */
    private boolean intake(ReplicationTarget target) {
        ChangeFeed feed = namespace.changeFeed();
        String cursorName = ReplicationTargets.cursorName(target.name());
        if (!resync.mayTakeIn(target)) return false;
        Optional<ChangeCursor> cursor = feed.cursor(cursorName);
        if (cursor.isEmpty() || cursor.get().trimmedPast()) return false;
        long after = cursor.get().position();
        Map<BucketName, Optional<ReplicationConfiguration>> configs = new HashMap<>();
        ChangePage page;
        do {
            try {
                page = feed.changes(after, PAGE);
            } catch (ChangeFeedException e) {
                LOG.error("replication target {}: the change log was trimmed past its cursor; a resync is required",
                        target.name());
                return false;
            }
            for (ChangeEntry e : page.entries()) {
                Optional<ReplicationConfiguration> config = configs.computeIfAbsent(e.bucket(), this::configuration);
                if (config.isPresent()) intake(target, e, config.get());
            }
            if (page.nextAfter() > after) feed.advanceCursor(cursorName, page.nextAfter());
            after = page.nextAfter();
        } while (page.more() && !closed && resync.mayTakeIn(target));
        return !closed && !page.more();
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
                // Replicas are not sent on to a Strata (see sendCurrent). The status is the version's, not this
                // target's: COMPLETED or FAILED may be another target's outcome (a bucket with two targets), so
                // it never means this target has the version. Taking an entry in twice (a crash before the
                // cursor moved) sends it twice, which a target takes as one more write of the same bytes.
                Optional<ReplicationConfiguration.Rule> rule = rule(config, target, ref.key().value(), v.tags());
                if (rule.isEmpty()) return;
                if (v.attributes().replicationStatus() == ReplicationStatus.REPLICA) {
                    sendCurrent(target, e, ref, rule.get());
                    return;
                }
                enqueue(target, new ReplicationWork(ReplicationWork.Op.PUT_VERSION, e.bucket(), ref.key(), ref.versionId(),
                        ref.lastModified(), ref.etag(), e.committed(), rule.get().destination().storageClass(), e.sequence(),
                        v.size()));
                // As S3 aggregates several destinations: PENDING while one still waits, FAILED kept once any failed.
                track(v, target.name(), Step.QUEUED);
            }
            case DELETE_MARKER_PUT -> {
                // S3 does not replicate the delete markers lifecycle expiration makes.
                if (ChangeEntry.LIFECYCLE.equals(e.detail())) return;
                // A marker has no tags: S3 refuses DeleteMarkerReplication in rules with tag filters, and a
                // tag condition cannot hold for a marker.
                Optional<ReplicationConfiguration.Rule> rule = rule(config, target, ref.key().value(), null);
                if (rule.isEmpty() || !rule.get().deleteMarkerReplication().enabled()) return;
                // Nor markers that are themselves replicas, to a Strata: sending them on would loop between sites.
                if (isReplica(e.bucket(), ref)) {
                    sendCurrent(target, e, ref, rule.get());
                    return;
                }
                enqueue(target, new ReplicationWork(ReplicationWork.Op.PUT_DELETE_MARKER, e.bucket(), ref.key(),
                        ref.versionId(), ref.lastModified(), "", e.committed(), Optional.empty(), e.sequence(), 0));
            }
            case VERSION_METADATA -> {
                // A tag change (the only metadata S3 changes in place) goes to a target that keeps version
                // ids, another Strata. A generic S3 target gave the version its own id, so the change has no
                // version to name there: not sent. Nor are changes of replicas (status REPLICA), which would
                // go back to the site that made them, or of versions no rule selected (status NONE).
                if (target.kind() != ReplicationTarget.Kind.STRATA) return;
                Optional<ObjectVersion> found = sameVersion(e.bucket(), ref);
                if (found.isEmpty() || found.get().deleteMarker()) return;
                ReplicationStatus status = found.get().attributes().replicationStatus();
                if (status == ReplicationStatus.NONE || status == ReplicationStatus.REPLICA) return;
                if (rule(config, target, ref.key().value(), found.get().tags()).isEmpty()) return;
                enqueue(target, new ReplicationWork(ReplicationWork.Op.PUT_TAGS, e.bucket(), ref.key(), ref.versionId(),
                        ref.lastModified(), ref.etag(), e.committed(), Optional.empty(), e.sequence(), 0));
            }
            default -> {
                // Deletes of a specific version are not replicated (as S3); relocations change no byte.
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

    /**
     * A replica taken in from another site. A Strata target gets nothing: its origin sends it there itself,
     * and sending it on would loop. A generic S3 target is fed by this site alone, and keeps no version
     * order of its own (the last write wins there), so it gets the key's version that is current when the
     * operation is delivered: a replica that arrived late but is older than what this site holds (the
     * conflict rule) re-sends the current one instead of overwriting it, and the target ends with this
     * site's current version of every key, whoever wrote it.
     */
    private void sendCurrent(ReplicationTarget target, ChangeEntry e, ChangeEntry.VersionRef ref,
                             ReplicationConfiguration.Rule rule) {
        if (target.kind() == ReplicationTarget.Kind.STRATA) return;
        enqueue(target, new ReplicationWork(ReplicationWork.Op.SEND_CURRENT, e.bucket(), ref.key(), ref.versionId(),
                ref.lastModified(), ref.etag(), e.committed(), rule.destination().storageClass(), e.sequence(), ref.size()));
    }

    /** Whether the entry's version (a delete marker too) is a replica from another site, or is gone. */
    private boolean isReplica(BucketName bucket, ChangeEntry.VersionRef ref) {
        try {
            return namespace.version(bucket, ref.key(), ref.versionId())
                    .map(v -> v.attributes().replicationStatus() == ReplicationStatus.REPLICA).orElse(false);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return true;
            throw e;
        }
    }

    private void enqueue(ReplicationTarget target, ReplicationWork work) {
        WorkItem item = namespace.addWork(QUEUE_PREFIX + target.name(), work.encode(), clock.instant());
        backlog.added(target.name(), Backlog.Queue.WAITING, item.id(), work);
        resync.queued(target.name());
    }

    /** Bookkeeping of an operation the target took: its latency, and its time for {@code replicate why}. */
    private void applied(String target, ReplicationWork work) {
        Instant now = clock.instant();
        latency.observe(work.bucket().value(), target, Duration.between(work.committed(), now));
        recentlyDone.put(doneKey(target, work.bucket(), work.key().value(), work.versionId()), now);
    }

    private static String doneKey(String target, BucketName bucket, String key, String versionId) {
        return target + '\n' + bucket.value() + '\n' + key + '\n' + versionId;
    }

    /**
     * After a pass that read the log to its end: the target has every change committed before the pass
     * began except those still waiting or FAILED, so it is complete up to the oldest of those, or, idle, up
     * to the pass's start (now minus one pass).
     */
    private void heartbeat(String target, Instant passStart) {
        Instant until = passStart;
        for (Backlog.Queue q : Backlog.Queue.values()) {
            for (Backlog.Share share : backlog.shares(target, q)) {
                if (share.count() > 0 && share.oldestCommitted().isPresent() && share.oldestCommitted().get().isBefore(until)) {
                    until = share.oldestCommitted().get();
                }
            }
        }
        completeUntil.put(target, until);
    }

    /**
     * Tells a Strata target how far it is complete ({@link S3ReplicaSender#reportProgress}) when the point
     * moved, at most once per {@link #PROGRESS_INTERVAL}: after deliveries, and while idle as the point
     * follows the clock, so the target knows its consistent failover point even when nothing changes. A
     * report that fails is not retried on its own: the next pass sends a later point.
     */
    private void reportProgress(ReplicationTarget target) {
        if (target.kind() != ReplicationTarget.Kind.STRATA) return;
        Instant until = completeUntil.get(target.name());
        Instant last = reported.get(target.name());
        Instant lastAt = reportedAt.get(target.name());
        Instant now = clock.instant();
        if (until == null || last != null && !until.isAfter(last)
                || lastAt != null && Duration.between(lastAt, now).compareTo(PROGRESS_INTERVAL) < 0) {
            return;
        }
        reportedAt.put(target.name(), now);
        try {
            sender(target).reportProgress(site, until);
            reported.put(target.name(), until);
        } catch (ReplicationException e) {
            LOG.debug("replication target {}: progress {} not reported: {}", target.name(), until, e.getMessage());
        }
    }

    /** What this site received from others, per bucket and origin ({@code strata replicate status} at a target). */
    public List<ReceivedProgress.Point> received() {
        return targets.received().points();
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
                if (!sender.permitsCalls()) return;
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

    /**
     * The bytes a send of {@code work} carries: its version's size as queued (read again for an item queued
     * before sizes were kept), 0 for a marker or a tag change.
     */
    private long size(ReplicationWork work) {
        if (work.op() == ReplicationWork.Op.PUT_DELETE_MARKER || work.op() == ReplicationWork.Op.PUT_TAGS) return 0;
        if (work.size() > 0) return work.size();
        return namespace.version(work.bucket(), work.key(), work.versionId()).map(ObjectVersion::size).orElse(0L);
    }

    /** One send on a {@link #sends} thread: its outcome is written as the one-thread delivery wrote it. */
    private void attempt(ReplicationTarget target, S3ReplicaSender sender, Delivery delivery, WorkItem item,
                         ReplicationWork work) {
        try {
            send(sender, target, work);
            if (namespace.removeWork(item.id())) backlog.removed(target.name(), Backlog.Queue.WAITING, item.id(), work);
            completed.computeIfAbsent(target.name(), n -> new AtomicLong()).incrementAndGet();
            applied(target.name(), work);
        } catch (ReplicationException e) {
            if (e.reason() == ReplicationException.Reason.PERMANENT) {
                fail(target, item, work, e.getMessage());
            } else {
                Duration backoff = backoff(item.attempts());
                Instant now = clock.instant();
                namespace.retryWork(item, now.plus(backoff), e.getMessage(), work.attempted(now, true, e.getMessage()).encode());
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

    private void send(S3ReplicaSender sender, ReplicationTarget target, ReplicationWork work) {
        ReplicationTarget.Kind kind = target.kind();
        switch (work.op()) {
            case PUT_VERSION -> {
                Optional<ObjectVersion> found = namespace.version(work.bucket(), work.key(), work.versionId())
                        .filter(v -> v.lastModified().equals(work.lastModified()) && v.etag().equals(work.etag()));
                if (found.isEmpty()) return;   // deleted or overwritten since it was queued: nothing to send
                ObjectVersion v = found.get();
                // No shortcut on COMPLETED: with several targets it may be another target's success.
                if (dropOne) {
                    dropOne = false;
                    LOG.warn("STRATA_TEST_FAULT={}: {} not sent", DROP_ONE_FAULT, work.orderKey());
                } else if (kind == ReplicationTarget.Kind.STRATA) {
                    sender.putReplica(replica(v, work), identity(v), (offset, length) -> objects.open(v, offset, length));
                } else {
                    sender.put(replica(v, work), (offset, length) -> objects.open(v, offset, length));
                }
                track(v, target.name(), Step.DONE);
            }
            case PUT_DELETE_MARKER -> {
                if (kind != ReplicationTarget.Kind.STRATA) {
                    sender.deleteMarker(work.key().value());
                    return;
                }
                // To a Strata, the marker itself with its version id and time, so both sites list the same.
                Optional<ObjectVersion> marker = namespace.version(work.bucket(), work.key(), work.versionId())
                        .filter(ObjectVersion::deleteMarker);
                if (marker.isEmpty()) return;   // removed since (a delete of that version): nothing to send
                sender.putReplica(replica(marker.get(), work), identity(marker.get()), (offset, length) -> InputStream.nullInputStream());
            }
            case PUT_TAGS -> {
                // The tags as they are now: a later change sends its own, in order.
                Optional<ObjectVersion> found = namespace.version(work.bucket(), work.key(), work.versionId())
                        .filter(v -> v.lastModified().equals(work.lastModified()) && v.etag().equals(work.etag()));
                if (found.isEmpty()) return;   // gone since: nothing to tag
                sender.putTags(work.key().value(), work.versionId(), found.get().tags());
            }
            case SEND_CURRENT -> {
                Optional<ObjectVersion> current = namespace.latest(work.bucket(), work.key());
                if (current.isEmpty()) return;   // every version deleted since: nothing to send
                ObjectVersion v = current.get();
                if (!v.deleteMarker()) {
                    sender.put(replica(v, work), (offset, length) -> objects.open(v, offset, length));
                    return;
                }
                // A current marker goes as a marker only where the rule replicates markers.
                Optional<ReplicationConfiguration.Rule> rule = configuration(work.bucket())
                        .flatMap(c -> rule(c, target, work.key().value(), null));
                if (rule.isPresent() && rule.get().deleteMarkerReplication().enabled()) sender.deleteMarker(work.key().value());
            }
            // The version current now, never the one the resync listed (see ReplicationResync). Its status is
            // left alone: a later change of the key still has its own operation queued, which must be sent.
            case RESYNC_CURRENT -> resync.toSend(work, kind).ifPresent(v -> {
                if (kind == ReplicationTarget.Kind.STRATA) {
                    sender.putReplica(replica(v, work), identity(v).asBackfill(), (offset, length) -> objects.open(v, offset, length));
                } else {
                    sender.put(replica(v, work), (offset, length) -> objects.open(v, offset, length));
                }
            });
        }
    }

    /** What a Strata target keeps of {@code v}'s identity; this site is its origin unless it came from another. */
    private ReplicaIdentity identity(ObjectVersion v) {
        String origin = v.attributes().originSite().isEmpty() ? site : v.attributes().originSite();
        List<String> sites = new ArrayList<>(v.attributes().sites());
        sites.add(origin);
        sites.add(site);
        return new ReplicaIdentity(v.deleteMarker(), v.attributes().checksumType().name(), v.attributes().cannedAcl(),
                origin, sites.stream().distinct().toList());
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
                    .ifPresent(v -> track(v, target.name(), Step.FAILED));
        }
        // Kept with its reason until strata replicate retry --failed: first added, then removed from the
        // queue, so a crash in between leaves it in both (sent once more), never in neither.
        ReplicationWork attempted = work.attempted(clock.instant(), false, error);
        WorkItem failed = namespace.addWork(FAILED_PREFIX + target.name(), attempted.encode(), NEVER);
        backlog.added(target.name(), Backlog.Queue.FAILED, failed.id(), attempted);
        namespace.retryWork(failed, NEVER, error);
        if (namespace.removeWork(item.id())) backlog.removed(target.name(), Backlog.Queue.WAITING, item.id(), work);
    }

    /** One target's step with a version, as {@link #track} aggregates it. */
    private enum Step { QUEUED, DONE, FAILED, RETRIED }

    /**
     * Moves the version's status for one target's step, as S3 aggregates several destinations: the
     * record keeps the targets still waiting ({@link ObjectAttributes#replicationWaiting}); the status is
     * PENDING while one waits, COMPLETED once none does, FAILED once any refused it for good (until an
     * operator's retry). Written on the current record of {@code v}, read again when another target's send
     * or a tag change raced.
     */
    private void track(ObjectVersion v, String target, Step step) {
        ObjectVersion current = v;
        for (int attempt = 0; attempt < 8; attempt++) {
            ObjectAttributes a = current.attributes();
            java.util.TreeSet<String> waiting = new java.util.TreeSet<>(a.replicationWaiting());
            boolean failed = a.replicationStatus() == ReplicationStatus.FAILED;
            ReplicationStatus status = switch (step) {
                case QUEUED -> {
                    waiting.add(target);
                    yield failed ? ReplicationStatus.FAILED : ReplicationStatus.PENDING;
                }
                case RETRIED -> {
                    waiting.add(target);
                    yield ReplicationStatus.PENDING;
                }
                case DONE -> {
                    waiting.remove(target);
                    yield failed ? ReplicationStatus.FAILED : waiting.isEmpty() ? ReplicationStatus.COMPLETED
                            : ReplicationStatus.PENDING;
                }
                case FAILED -> {
                    waiting.remove(target);
                    yield ReplicationStatus.FAILED;
                }
            };
            if (status == a.replicationStatus() && waiting.equals(new java.util.TreeSet<>(a.replicationWaiting()))) return;
            if (namespace.setReplication(current, status, waiting)) return;
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
            backlog.open(t.name());
            List<WorkItem> failed;
            while (!(failed = namespace.work(FAILED_PREFIX + t.name(), BATCH)).isEmpty()) {
                for (WorkItem item : failed) {
                    ReplicationWork work = ReplicationWork.decode(item.payload());
                    WorkItem again = namespace.addWork(QUEUE_PREFIX + t.name(), item.payload(), clock.instant());
                    backlog.added(t.name(), Backlog.Queue.WAITING, again.id(), work);
                    if (namespace.removeWork(item.id())) backlog.removed(t.name(), Backlog.Queue.FAILED, item.id(), work);
                    // Only a version's own send moves its status; a tag change leaves it as it is.
                    if (work.op() == ReplicationWork.Op.PUT_VERSION) {
                        namespace.version(work.bucket(), work.key(), work.versionId())
                                .ifPresent(v -> {
                                    if (!v.deleteMarker()) track(v, t.name(), Step.RETRIED);
                                });
                    }
                    n++;
                }
            }
        }
        wakeUp();
        return n;
    }

    /**
     * Every target's state; {@code bucket} narrows the counts to one source bucket. Reads no more of the
     * queues than their heads (the counts are kept as items come and go, see {@link Backlog}), and up to
     * {@value #LIST_LIMIT} FAILED operations.
     */
    public List<TargetStatus> status(Optional<BucketName> bucket) {
        List<TargetStatus> out = new ArrayList<>();
        for (ReplicationTarget t : targets.list()) out.add(status(t, bucket, true));
        return out;
    }

    private TargetStatus status(ReplicationTarget t, Optional<BucketName> bucket, boolean listFailures) {
        Instant now = clock.instant();
        Map<String, long[]> counts = new java.util.TreeMap<>();   // bucket -> pending, bytes, failed
        Map<String, Instant> oldestOf = new HashMap<>();
        long pending = 0;
        long bytes = 0;
        long failedCount = 0;
        Instant oldest = null;
        for (Backlog.Queue q : Backlog.Queue.values()) {
            for (Backlog.Share share : backlog.shares(t.name(), q)) {
                if (bucket.isPresent() && !bucket.get().equals(share.bucket())) continue;
                long[] c = counts.computeIfAbsent(share.bucket().value(), b -> new long[3]);
                if (q == Backlog.Queue.FAILED) {
                    c[2] += share.count();
                    failedCount += share.count();
                    continue;
                }
                c[0] += share.count();
                c[1] += share.bytes();
                pending += share.count();
                bytes += share.bytes();
                if (share.count() > 0 && share.oldestCommitted().isPresent()) {
                    Instant o = share.oldestCommitted().get();
                    oldestOf.put(share.bucket().value(), o);
                    if (oldest == null || o.isBefore(oldest)) oldest = o;
                }
            }
        }
        List<BucketBacklog> buckets = new ArrayList<>();
        counts.forEach((b, c) -> buckets.add(new BucketBacklog(b, c[0], c[1], Optional.ofNullable(oldestOf.get(b)), c[2])));
        // The last error and next attempt of the first waiting operation that failed, from the queue's head.
        String lastError = "";
        Instant next = null;
        if (pending > 0) {
            for (WorkItem item : namespace.work(QUEUE_PREFIX + t.name(), HEAD_LIMIT)) {
                if (item.lastError().isEmpty()) continue;
                ReplicationWork w = decodeOrNull(item);
                if (bucket.isPresent() && (w == null || !bucket.get().equals(w.bucket()))) continue;
                lastError = item.lastError();
                next = item.notBefore().isBefore(now) ? now : item.notBefore();
                break;
            }
        }
        List<FailedOperation> failures = new ArrayList<>();
        if (listFailures && failedCount > 0) {
            namespace.visitWork(FAILED_PREFIX + t.name(), item -> {
                ReplicationWork w = decodeOrNull(item);
                if (w != null && (bucket.isEmpty() || bucket.get().equals(w.bucket()))) {
                    failures.add(new FailedOperation(w.bucket().value(), w.key().value(), w.versionId(), item.lastError()));
                }
                return failures.size() < LIST_LIMIT;
            });
        }
        return new TargetStatus(t.name(), state(t), pending, bytes, Optional.ofNullable(oldest),
                completed.getOrDefault(t.name(), new AtomicLong()).get(), failedCount, lastError,
                Optional.ofNullable(next), failures, buckets, Optional.ofNullable(completeUntil.get(t.name())));
    }

    private String state(ReplicationTarget t) {
        Optional<ChangeCursor> cursor = namespace.changeFeed().cursor(ReplicationTargets.cursorName(t.name()));
        S3ReplicaSender sender = senders.get(t.name());
        return resync.requiredReason(t).isPresent() || cursor.isPresent() && cursor.get().trimmedPast() ? "RESYNC_REQUIRED"
                : sender == null ? "OK" : sender.state().name();
    }

    private static ReplicationWork decodeOrNull(WorkItem item) {
        try {
            return ReplicationWork.decode(item.payload());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Where {@code strata replicate wait} stands: whether every change of {@code bucket} committed up to log
     * sequence {@code head} has been applied at the target.
     *
     * @param head          the change log's head when the wait began
     * @param cursor        how far the target's intake has read the log
     * @param pending       operations of the bucket waiting for the target (any sequence)
     * @param oldestPending when the oldest of them was committed
     * @param failed        the bucket's FAILED operations at or before {@code head} (the first {@value #LIST_LIMIT}):
     *                      not applied, so the wait cannot succeed until they are retried
     * @param done          the target's cursor has passed {@code head} and no waiting or FAILED operation of the
     *                      bucket is at or before it
     */
    public record WaitProgress(String target, String bucket, long head, long cursor, String state, long pending,
                               Optional<Instant> oldestPending, String lastError, List<FailedOperation> failed, boolean done) {
    }

    /** The change log's head: the sequence {@code replicate wait} waits for. */
    public long logHead() {
        return namespace.changeFeed().head();
    }

    /**
     * Waits up to {@code timeout} (checking after each pass) until every change of {@code bucket} up to log
     * sequence {@code head} is applied at {@code target}, or one of them is FAILED, or the target needs a resync.
     *
     * @throws java.util.NoSuchElementException if there is no such target
     */
    public WaitProgress await(String target, BucketName bucket, long head, Duration timeout) throws InterruptedException {
        ReplicationTarget t = targets.get(target).orElseThrow(() -> new java.util.NoSuchElementException(
                "There is no replication target named " + target + " (see strata replicate target list)."));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            WaitProgress p = progress(t, bucket, head);
            long left = deadline - System.nanoTime();
            if (p.done() || !p.failed().isEmpty() || "RESYNC_REQUIRED".equals(p.state()) || left <= 0 || closed) return p;
            wakeUp();
            lock.lock();
            try {
                passed.awaitNanos(Math.min(left, settings.interval().toNanos() * 4));
            } finally {
                lock.unlock();
            }
        }
    }

    private WaitProgress progress(ReplicationTarget t, BucketName bucket, long head) {
        backlog.open(t.name());
        long cursor = namespace.changeFeed().cursor(ReplicationTargets.cursorName(t.name())).map(ChangeCursor::position).orElse(0L);
        TargetStatus status = status(t, Optional.of(bucket), false);
        boolean waitingBefore = false;
        boolean failedBefore = false;
        for (Backlog.Queue q : Backlog.Queue.values()) {
            for (Backlog.Share share : backlog.shares(t.name(), q)) {
                if (!share.bucket().equals(bucket) || share.count() == 0 || share.oldestSequence() > head) continue;
                if (q == Backlog.Queue.WAITING) waitingBefore = true;
                else failedBefore = true;
            }
        }
        List<FailedOperation> failed = new ArrayList<>();
        if (failedBefore) {
            namespace.visitWork(FAILED_PREFIX + t.name(), item -> {
                ReplicationWork w = decodeOrNull(item);
                if (w != null && w.bucket().equals(bucket) && w.sequence() <= head) {
                    failed.add(new FailedOperation(w.bucket().value(), w.key().value(), w.versionId(), item.lastError()));
                }
                return failed.size() < LIST_LIMIT;
            });
        }
        boolean done = cursor >= head && !waitingBefore && !failedBefore && !"RESYNC_REQUIRED".equals(status.state());
        return new WaitProgress(t.name(), bucket.value(), head, cursor, status.state(), status.pending(), status.oldestPending(),
                status.lastError(), failed, done);
    }

    /** The {@link #INLINE_FAULT}: refuses a change of any bucket while a target is not OK. */
    public void inlineFault(String bucket) {
        for (ReplicationTarget t : targets.list()) {
            String state = state(t);
            if (!"OK".equals(state)) {
                throw new IllegalStateException("STRATA_TEST_FAULT=" + INLINE_FAULT + ": a change of " + bucket
                        + " waits for replication target " + t.name() + ", which is " + state);
            }
        }
    }

    /** A failed attempt, as {@code replicate why} shows it. */
    public record Attempt(Instant at, String target, String outcome, String error) {
    }

    /**
     * One target's view of a version, for {@code replicate why}.
     *
     * @param rule      the id of the rule that selects the version for this target, if one does
     * @param where     QUEUED, FAILED, COMPLETED or NOT_QUEUED (no rule, a replica, a change made before the
     *                  rule, or not yet read from the log)
     * @param dueAt     when a queued operation is tried next
     * @param reason    the last error of a queued or FAILED operation, "" if none
     * @param appliedAt when the target took it, if this gateway remembers (the last {@value #RECENT} operations)
     */
    public record TargetView(String target, Optional<String> rule, String where, Optional<Instant> dueAt, int attempts,
                             String reason, Optional<Instant> appliedAt, List<Attempt> history) {
    }

    /** What {@code strata replicate why BUCKET/KEY} shows: the version, its status, and each target's view of it. */
    public record Why(String bucket, String key, String versionId, boolean deleteMarker, String status,
                      List<TargetView> targets) {
    }

    /**
     * Why a version is (or is not) replicated: its status, each target (whether a rule selects it, and which),
     * where its operation is (queued and due when, FAILED with the reason, applied when) and its last
     * {@value ReplicationWork#HISTORY} failed attempts. Reads each target's queues item by item until it finds the
     * version: time in proportion to the backlog, memory of one item.
     *
     * @param versionId the version; empty for the key's newest entry (a delete marker included)
     * @return empty if the bucket has no such key or version
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    public Optional<Why> why(BucketName bucket, io.strata.namespace.ObjectKey key, Optional<String> versionId) {
        Optional<ObjectVersion> found = versionId.isPresent() ? namespace.version(bucket, key, versionId.get())
                : namespace.latest(bucket, key);
        if (found.isEmpty()) return Optional.empty();
        ObjectVersion v = found.get();
        Optional<ReplicationConfiguration> config = configuration(bucket);
        List<TargetView> views = new ArrayList<>();
        for (ReplicationTarget t : targets.list()) {
            Optional<ReplicationConfiguration.Rule> rule = config.flatMap(c -> rule(c, t, key.value(), v.deleteMarker() ? null : v.tags()));
            if (v.deleteMarker() && rule.isPresent() && !rule.get().deleteMarkerReplication().enabled()) rule = Optional.empty();
            TargetView view = null;
            for (Backlog.Queue q : Backlog.Queue.values()) {
                WorkItem[] hit = new WorkItem[1];
                ReplicationWork[] work = new ReplicationWork[1];
                namespace.visitWork(Backlog.kind(t.name(), q), item -> {
                    ReplicationWork w = decodeOrNull(item);
                    if (w != null && w.bucket().equals(bucket) && w.key().equals(key) && w.versionId().equals(v.versionId())) {
                        hit[0] = item;
                        work[0] = w;
                        return false;
                    }
                    return true;
                });
                if (hit[0] == null) continue;
                List<Attempt> history = new ArrayList<>();
                for (ReplicationWork.Attempt a : work[0].history()) {
                    history.add(new Attempt(a.at(), t.name(), a.retried() ? "RETRY" : "FAILED", a.error()));
                }
                view = new TargetView(t.name(), rule.map(ReplicationConfiguration.Rule::id), q == Backlog.Queue.WAITING ? "QUEUED" : "FAILED",
                        q == Backlog.Queue.WAITING ? Optional.of(hit[0].notBefore()) : Optional.empty(), hit[0].attempts(),
                        hit[0].lastError(), Optional.empty(), history);
                break;
            }
            if (view == null) {
                Optional<Instant> at = Optional.ofNullable(recentlyDone.get(doneKey(t.name(), bucket, key.value(), v.versionId())));
                // Not queued here: done if the version is COMPLETED, or if other targets still wait for it but
                // this one is no longer among them.
                List<String> waiting = v.attributes().replicationWaiting();
                boolean done = at.isPresent() || (!v.deleteMarker() && rule.isPresent()
                        && (v.attributes().replicationStatus() == ReplicationStatus.COMPLETED
                        || !waiting.isEmpty() && !waiting.contains(t.name())));
                view = new TargetView(t.name(), rule.map(ReplicationConfiguration.Rule::id), done ? "COMPLETED" : "NOT_QUEUED",
                        Optional.empty(), 0, "", at, List.of());
            }
            views.add(view);
        }
        String status = v.deleteMarker() ? "-" : v.attributes().replicationStatus().name();
        return Optional.of(new Why(bucket.value(), key.value(), v.versionId(), v.deleteMarker(), status, views));
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
