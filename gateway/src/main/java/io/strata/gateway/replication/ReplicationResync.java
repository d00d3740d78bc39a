package io.strata.gateway.replication;

import io.strata.gateway.config.ReplicationSettings;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.namespace.ChangeCursor;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.ReplicationStatus;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.namespace.WorkItem;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import io.strata.tiering.replication.ReplicationException;
import io.strata.tiering.replication.ReplicationTarget;
import io.strata.tiering.replication.S3ReplicaSender;
import io.strata.tiering.replication.TargetListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Resync (backfill) of one bucket to one target, and the RESYNC_REQUIRED state of targets.
 *
 * <p><b>The job.</b> {@code strata replicate resync start BUCKET --target T} stores a durable bulk job
 * (action {@value #ACTION}, the target's name as its parameters; one running per bucket and target). The
 * replication worker walks it on its own thread, page by page in ListObjectVersions order: of each page,
 * the <em>current</em> live versions that the bucket's rules select for the target are compared with the
 * target's current objects (ListObjectsV2 from the page's first key, merge-joined by key); a version whose
 * key the target lacks, or holds with another ETag or size, is queued in the target's normal queue as a
 * {@link ReplicationWork.Op#RESYNC_CURRENT} operation, so delivery, retries, FAILED and per-key order stay
 * one code path. Noncurrent versions and delete markers are never sent: at a generic S3 target the last
 * write wins, so an older version sent would become current there. A resync never deletes at the target.
 *
 * <p><b>Replicas go to a Strata target.</b> A current version that is itself a replica (written at another
 * site) is sent to a {@code strata} target too, marked as a backfill, which that site keeps even if it is
 * the version's origin: a site that lost its disk and comes back empty gets every current object from its
 * peer, the ones it wrote itself included (live replication never sends replicas, so this is no loop). A
 * generic S3 target still gets only this site's own versions, as from live replication.
 *
 * <p><b>Nothing deleted comes back.</b> The check that matters is at delivery ({@link #toSend}): the
 * operation sends the key's version that is current <em>then</em>, and nothing if the key's newest entry
 * is a delete marker or the key is gone, whatever the listing saw. A version deleted or overwritten after
 * the comparison is thus never sent (a newer one is sent instead, or its own queued change is).
 *
 * <p><b>Exact counters.</b> A page's operations are queued first, then the page's place and counters are
 * recorded in one synced write ({@link Namespace#recordBulkProgress}, a compare-and-set on the job as
 * read). A crash between the two redoes the page from its recorded place and counts it once, from the
 * redo: counts are only ever added with the place they belong to, so none can be counted twice. What the
 * lost attempt queued stays queued and is delivered once more (idempotent, checked again at delivery);
 * if it reached the target before the redo compared, the redo counts it as present rather than queued.
 * Scanned = queued + present + skipped + errors: every source version the walk met, once (a page is seen as
 * it was when it was listed). A cancel during a page leaves that page's operations queued but uncounted.
 *
 * <p><b>RESYNC_REQUIRED.</b> A target is RESYNC_REQUIRED when the change log was trimmed past its cursor
 * (its bounds overtook a slow target), or when its queue reached {@code replication.backlog-budget}
 * operations; the latter is kept durably (a work item of kind {@value #REQUIRED_PREFIX}NAME) until a
 * resync starts. Either is logged at ERROR once per gateway run and shown by the metrics and status. While
 * it lasts the target takes nothing from the log; its queued operations stay and are still delivered (none
 * is dropped), and the changes after its cursor stay in the log within its bounds. Starting a resync of
 * any of its buckets clears it: a job is started for every bucket whose configuration sends to the target
 * (the one named and the others), then the cursor is moved to the log's head (the log keeps nothing older
 * for it), then the operations queued at that moment are noted (kind {@value #BASE_PREFIX}NAME) so that the
 * budget counts on top of them while they drain, then the budget mark is removed; the jobs cover what the
 * log no longer holds. The queue's size is counted from its index keys ({@link Namespace#countWork}), never
 * read into memory.
 *
 * <p>Thread-safe: operator calls come from admin threads, {@link #step} runs on the worker's thread, and
 * jobs are changed only by compare-and-set.
 */
public final class ReplicationResync {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationResync.class);
    /** The bulk job action of a resync. */
    public static final String ACTION = "replication.resync";
    /** The work queue kind whose one item marks a target RESYNC_REQUIRED by its backlog budget. */
    static final String REQUIRED_PREFIX = "replication-resync-required.";
    /**
     * The work queue kind whose one item holds the operations a target's queue held when a resync cleared its
     * RESYNC_REQUIRED: they are still delivered, and the budget counts on top of them.
     */
    static final String BASE_PREFIX = "replication-resync-base.";
    /** How long one pass walks pages of a target's jobs before the worker delivers. */
    static final Duration STEP_FOR = Duration.ofSeconds(1);
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: delivery sends the version the resync listed if it
     * still exists, without checking that it is still current, so the resync-safety test must see a deleted
     * object come back at the target.
     */
    public static final String NO_RECHECK_FAULT = "resync-no-recheck";

    /**
     * A resync job as {@code strata replicate resync status} shows it.
     *
     * @param state   RUNNING, DONE, CANCELLED or FAILED
     * @param total   the bucket's versions when the job started, for progress (-1 unknown)
     * @param scanned source versions visited (recorded pages)
     * @param queued  current versions the target lacked, queued for it
     * @param present current versions the target had (same ETag and size)
     * @param skipped versions not to send: noncurrent versions, delete markers, replicas, keys no rule selects
     * @param errors  versions that could not be compared or queued
     * @param bytes   bytes of the versions queued
     */
    public record Job(long id, String bucket, String target, String state, long total, long scanned, long queued,
                      long present, long skipped, long errors, long bytes, Instant created, Instant updated,
                      String lastError) {
    }

    private final Namespace namespace;
    private final ReplicationTargets targets;
    private final Clock clock;
    private final ReplicationSettings settings;
    /** The worker's counts of its queues, told of every operation a resync queues. */
    private final Backlog counts;
    private final boolean noRecheck;
    private final ReentrantLock startLock = new ReentrantLock();
    /** Targets whose RESYNC_REQUIRED was logged in this run: the alert is said once, not every pass. */
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();
    /**
     * Per target: the queue's size when last counted, operations queued since (together an upper bound, as
     * deliveries only shrink it), and the limit. Its arrays are read and written only on the worker's thread
     * ({@link #mayTakeIn}, {@link #queued}); {@link #start} only drops an entry, to be counted afresh.
     */
    private final Map<String, long[]> backlog = new ConcurrentHashMap<>();

    ReplicationResync(Namespace namespace, ReplicationTargets targets, Clock clock, ReplicationSettings settings,
                      Backlog counts) {
        this.namespace = namespace;
        this.counts = counts;
        this.targets = targets;
        this.clock = clock;
        this.settings = settings;
        this.noRecheck = NO_RECHECK_FAULT.equals(System.getenv("STRATA_TEST_FAULT"));
        if (noRecheck) LOG.warn("STRATA_TEST_FAULT={}: resync operations are sent without checking they are current", NO_RECHECK_FAULT);
    }

    // ------------------------------------------------------------------ operator

    /**
     * Starts a resync of {@code bucket} to {@code target}; if the target is RESYNC_REQUIRED, also of every
     * other bucket sending to it, and clears that state (see the class comment).
     *
     * @return the job of {@code bucket}
     * @throws NoSuchElementException   for an unknown target
     * @throws IllegalArgumentException when the bucket's configuration has no enabled rule sending to the target
     * @throws IllegalStateException    when a resync of that bucket to that target is running already
     * @throws NamespaceException       BUCKET_NOT_FOUND
     */
    public Job start(BucketName bucket, String target) {
        ReplicationTarget t = targets.get(target).orElseThrow(() -> new NoSuchElementException(
                "No replication target named " + target + " (strata replicate target list)."));
        startLock.lock();
        try {
            if (!sendsTo(bucket, t)) {
                throw new IllegalArgumentException("The replication configuration of bucket " + bucket.value()
                        + " has no enabled rule whose destination is target " + target + " (" + t.arn() + ").");
            }
            Optional<BulkJob> running = job(bucket, target).filter(j -> j.state() == BulkJob.State.RUNNING);
            boolean required = requiredReason(t).isPresent();
            if (running.isPresent() && !required) {
                throw new IllegalStateException("A resync of bucket " + bucket.value() + " to target " + target
                        + " is running already (job " + running.get().id() + "); see strata replicate resync status.");
            }
            BulkJob job = running.orElseGet(() -> create(bucket, target));
            if (required) {
                // The log no longer holds (or will not be read for) what the target missed: every bucket that
                // sends to it is walked again, before the cursor skips to the head.
                for (Bucket b : namespace.buckets()) {
                    try {
                        if (b.name().equals(bucket) || !sendsTo(b.name(), t)) continue;
                        if (job(b.name(), target).filter(j -> j.state() == BulkJob.State.RUNNING).isEmpty()) {
                            create(b.name(), target);
                        }
                    } catch (NamespaceException e) {
                        if (e.reason() != NamespaceException.Reason.BUCKET_NOT_FOUND) throw e;   // deleted meanwhile
                    }
                }
                ChangeFeed feed = namespace.changeFeed();
                String cursor = ReplicationTargets.cursorName(target);
                feed.removeCursor(cursor);
                feed.registerCursor(cursor);
                // The operations queued now stay and are delivered; the budget counts on top of them, or
                // the target would be RESYNC_REQUIRED again at once while they drain.
                long queued = namespace.countWork(ReplicationWorker.QUEUE_PREFIX + target, Long.MAX_VALUE);
                for (WorkItem old : namespace.work(BASE_PREFIX + target, 16)) namespace.removeWork(old.id());
                if (queued > 0) {
                    namespace.addWork(BASE_PREFIX + target, Long.toString(queued).getBytes(StandardCharsets.UTF_8),
                            clock.instant());
                }
                for (WorkItem mark : namespace.work(REQUIRED_PREFIX + target, 16)) namespace.removeWork(mark.id());
                backlog.remove(target);
                alerted.remove(target);
                LOG.info("replication target {}: RESYNC_REQUIRED cleared by a resync; its change log cursor moved to the head",
                        target);
            }
            return view(job);
        } finally {
            startLock.unlock();
        }
    }

    private BulkJob create(BucketName bucket, String target) {
        // Ended jobs of this pair are forgotten: status shows the latest one.
        for (BulkJob old : jobs(Optional.of(bucket))) {
            if (old.state().ended() && targetOf(old).equals(target)) namespace.removeBulkJob(old.id());
        }
        BulkJob job = namespace.createBulkJob(ACTION, bucket, "", target.getBytes(StandardCharsets.UTF_8), count(bucket));
        LOG.info("replication resync {} of bucket {} to target {} started: {} versions", job.id(), bucket, target,
                job.total());
        return job;
    }

    /** The bucket's versions and delete markers now, for the progress shown (a walk may see more or fewer). */
    private long count(BucketName bucket) {
        long n = 0;
        VersionPage page;
        VersionQuery q = new VersionQuery("", "", "", "", 1000);
        do {
            page = namespace.listVersions(bucket, q);
            n += page.versions().size();
            q = new VersionQuery("", "", page.nextKeyMarker(), page.nextVersionIdMarker(), 1000);
        } while (page.truncated());
        return n;
    }

    /**
     * Cancels the running resync of {@code bucket} to {@code target}; what it queued stays queued.
     *
     * @return the job as stored, or empty when there is none
     */
    public Optional<Job> cancel(BucketName bucket, String target) {
        Optional<BulkJob> job = job(bucket, target);
        if (job.isEmpty()) return Optional.empty();
        Optional<BulkJob> stored = namespace.cancelBulkJob(job.get().id());
        stored.ifPresent(j -> LOG.info("replication resync {} of bucket {} to target {}: {} after {} versions", j.id(),
                bucket, target, j.state(), j.counters().visited()));
        return stored.map(this::view);
    }

    /** The latest resync of each bucket (or of {@code bucket}) and target, oldest first. */
    public List<Job> status(Optional<BucketName> bucket) {
        return jobs(bucket).stream().map(this::view).toList();
    }

    private List<BulkJob> jobs(Optional<BucketName> bucket) {
        List<BulkJob> out = new ArrayList<>();
        for (BulkJob j : namespace.bulkJobs()) {
            if (j.action().equals(ACTION) && (bucket.isEmpty() || bucket.get().equals(j.bucket()))) out.add(j);
        }
        return out;
    }

    private Optional<BulkJob> job(BucketName bucket, String target) {
        BulkJob latest = null;
        for (BulkJob j : jobs(Optional.of(bucket))) {
            if (targetOf(j).equals(target) && (latest == null || j.id() > latest.id())) latest = j;
        }
        return Optional.ofNullable(latest);
    }

    private static String targetOf(BulkJob j) {
        return new String(j.parameters(), StandardCharsets.UTF_8);
    }

    private Job view(BulkJob j) {
        BulkJob.Counters c = j.counters();
        return new Job(j.id(), j.bucket().value(), targetOf(j), j.state().name(), j.total(), c.visited(), c.done(), c.present(),
                c.skipped(), c.failed(), c.bytes(), j.created(), j.updated(), j.lastError());
    }

    private boolean sendsTo(BucketName bucket, ReplicationTarget t) {
        Optional<ReplicationConfiguration> config = configuration(bucket);
        if (config.isEmpty()) return false;
        List<ReplicationTarget> all = targets.list();
        return config.get().rules().stream().filter(ReplicationConfiguration.Rule::enabled).anyMatch(r -> {
            List<ReplicationTarget> resolved = ReplicationTarget.matching(r.destination().bucketArn(), all);
            return resolved.size() == 1 && resolved.getFirst().name().equals(t.name());
        });
    }

    private Optional<ReplicationConfiguration> configuration(BucketName bucket) {
        return namespace.bucketConfig(bucket, ReplicationConfigurationCodec.KIND).map(ReplicationConfigurationCodec::decode);
    }

    // ------------------------------------------------------------------ RESYNC_REQUIRED

    /** Why {@code target} is RESYNC_REQUIRED, if it is. */
    Optional<String> requiredReason(ReplicationTarget target) {
        Optional<ChangeCursor> cursor = namespace.changeFeed().cursor(ReplicationTargets.cursorName(target.name()));
        if (cursor.isPresent() && cursor.get().trimmedPast()) {
            return Optional.of("the change log was trimmed past its cursor (namespace.change-log.max-bytes/max-age)");
        }
        List<WorkItem> mark = namespace.work(REQUIRED_PREFIX + target.name(), 1);
        return mark.isEmpty() ? Optional.empty() : Optional.of(new String(mark.getFirst().payload(), StandardCharsets.UTF_8));
    }

    /**
     * Whether intake may queue more for {@code target}: not while it is RESYNC_REQUIRED, which this marks
     * (durably, with the ERROR alert) once its queue holds {@code replication.backlog-budget} operations.
     * Cheap: the queue is counted again only when the last count plus what was queued since reaches the
     * budget (deliveries only shrink it).
     */
    boolean mayTakeIn(ReplicationTarget target) {
        Optional<String> reason = requiredReason(target);
        if (reason.isEmpty()) {
            // {count when last counted, queued since, limit}; the limit is the budget on top of what the queue
            // held when a resync last cleared the state (BASE_PREFIX).
            long[] b = backlog.computeIfAbsent(target.name(), n -> new long[] {-1, 0, settings.backlogBudget() + base(n)});
            if (b[0] >= 0 && b[0] + b[1] < b[2]) return true;
            b[0] = namespace.countWork(ReplicationWorker.QUEUE_PREFIX + target.name(), b[2]);
            b[1] = 0;
            if (b[0] < b[2]) return true;
            String why = "its queue reached replication.backlog-budget (" + settings.backlogBudget() + " operations"
                    + (b[2] > settings.backlogBudget() ? " more than the " + (b[2] - settings.backlogBudget())
                    + " queued when a resync last started" : "") + ")";
            namespace.addWork(REQUIRED_PREFIX + target.name(), why.getBytes(StandardCharsets.UTF_8), clock.instant());
            reason = Optional.of(why);
        }
        if (alerted.add(target.name())) {
            LOG.error("replication target {} is RESYNC_REQUIRED: {}; it takes no more changes from the log, its queued "
                    + "operations are still delivered; run strata replicate resync start BUCKET --target {}",
                    target.name(), reason.get(), target.name());
        }
        return false;
    }

    private long base(String target) {
        List<WorkItem> base = namespace.work(BASE_PREFIX + target, 1);
        if (base.isEmpty()) return 0;
        try {
            return Math.max(0, Long.parseLong(new String(base.getFirst().payload(), StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Intake queued one operation for {@code target}. */
    void queued(String target) {
        long[] b = backlog.get(target);
        if (b != null) b[1]++;
    }

    // ------------------------------------------------------------------ the walk

    /**
     * Walks the running resyncs to {@code target} for about {@link #STEP_FOR}, page by page. A target that
     * cannot be listed now (down, timing out) leaves the job where it was, for the next pass; one that
     * refuses the listing for good (403, NoSuchBucket) ends it FAILED with the reason.
     */
    void step(ReplicationTarget target, S3ReplicaSender sender) {
        Instant until = clock.instant().plus(STEP_FOR);
        for (BulkJob job : jobs(Optional.empty())) {
            if (job.state() != BulkJob.State.RUNNING || !targetOf(job).equals(target.name())) continue;
            BulkJob j = job;
            while (j != null && j.state() == BulkJob.State.RUNNING && clock.instant().isBefore(until)) {
                try {
                    j = page(j, target, sender);
                } catch (NamespaceException e) {
                    throw e;   // the store failed or is closing: the job stays where it was recorded
                } catch (IllegalArgumentException e) {
                    // A stored configuration that no longer reads: this job cannot go on, the others can, and
                    // the target's deliveries must not wait for it.
                    namespace.failBulkJob(j, e.getMessage());
                    LOG.warn("replication resync {} of bucket {} to target {} FAILED: {}", j.id(), j.bucket(),
                            target.name(), e.getMessage());
                    break;
                } catch (ReplicationException e) {
                    if (e.reason() == ReplicationException.Reason.PERMANENT) {
                        namespace.failBulkJob(j, "listing the target: " + e.getMessage());
                        LOG.warn("replication resync {} of bucket {} to target {} FAILED: {}", j.id(), j.bucket(),
                                target.name(), e.getMessage());
                    } else {
                        LOG.debug("replication resync {}: target {} not listed now: {}", j.id(), target.name(), e.getMessage());
                    }
                    return;
                }
            }
        }
    }

    /** One page: compare, queue, then record place and counters together. @return the job as stored, or null */
    private BulkJob page(BulkJob job, ReplicationTarget target, S3ReplicaSender sender) {
        VersionPage page;
        Optional<ReplicationConfiguration> config;
        try {
            page = namespace.listVersions(job.bucket(), new VersionQuery("", "", job.position().keyMarker(),
                    job.position().versionIdMarker(), settings.resyncPageSize()));
            config = configuration(job.bucket());
        } catch (NamespaceException e) {
            if (e.reason() != NamespaceException.Reason.BUCKET_NOT_FOUND) throw e;
            return namespace.failBulkJob(job, "bucket " + job.bucket() + " no longer exists").orElse(null);
        }
        if (config.isEmpty()) {
            return namespace.failBulkJob(job, "bucket " + job.bucket() + " has no replication configuration any more")
                    .orElse(null);
        }
        List<ObjectVersion> candidates = new ArrayList<>();
        Map<ObjectVersion, Optional<String>> storageClass = new HashMap<>();
        long skipped = 0;
        for (VersionPage.Entry e : page.versions()) {
            ObjectVersion v = e.version();
            boolean replicaSkipped = v.attributes().replicationStatus() == ReplicationStatus.REPLICA
                    && target.kind() != ReplicationTarget.Kind.STRATA;
            Optional<ReplicationConfiguration.Rule> rule = !e.latest() || v.deleteMarker() || replicaSkipped ? Optional.empty()
                    : ReplicationWorker.rule(config.get(), target.name(), targets.list(), v.key().value(), v.tags());
            if (rule.isPresent()) {
                candidates.add(v);
                storageClass.put(v, rule.get().destination().storageClass());
            } else {
                skipped++;
            }
        }
        Map<String, TargetListing.Entry> there = candidates.isEmpty() ? Map.of()
                : listTarget(sender, job.position().keyMarker(), candidates.getLast().key().value());
        long queued = 0;
        long present = 0;
        long errors = 0;
        long bytes = 0;
        for (ObjectVersion v : candidates) {
            TargetListing.Entry at = there.get(v.key().value());
            if (at != null && at.size() == v.size() && at.etag().equals(v.etag())) {
                present++;
                continue;
            }
            try {
                // Sequence 0: a wait begun before the resync queued it waits for it too.
                ReplicationWork work = new ReplicationWork(ReplicationWork.Op.RESYNC_CURRENT, v.bucket(), v.key(),
                        v.versionId(), v.lastModified(), v.etag(), clock.instant(), storageClass.get(v), 0, v.size());
                WorkItem item = namespace.addWork(ReplicationWorker.QUEUE_PREFIX + target.name(), work.encode(), clock.instant());
                counts.added(target.name(), Backlog.Queue.WAITING, item.id(), work);
                queued(target.name());
                queued++;
                bytes += v.size();
            } catch (IllegalArgumentException e) {
                LOG.warn("replication resync {}: {}/{} not queued: {}", job.id(), v.bucket(), v.key(), e.getMessage());
                errors++;
            }
        }
        BulkJob.Position next = page.truncated()
                ? new BulkJob.Position(page.nextKeyMarker(), page.nextVersionIdMarker()) : job.position();
        Optional<BulkJob> recorded = namespace.recordBulkProgress(job, next,
                new BulkJob.Counters(queued, skipped, errors, bytes, present), !page.truncated());
        if (recorded.isEmpty()) return namespace.bulkJob(job.id()).orElse(null);   // cancelled meanwhile
        BulkJob j = recorded.get();
        if (j.state().ended()) {
            LOG.info("replication resync {} of bucket {} to target {} {}: {} scanned, {} queued, {} present, {} skipped, "
                    + "{} errors", j.id(), j.bucket(), target.name(), j.state(), j.counters().visited(), j.counters().done(),
                    j.counters().present(), j.counters().skipped(), j.counters().failed());
        }
        return j;
    }

    /**
     * The target's current objects with keys after {@code after} up to {@code last}, by key: ListObjectsV2
     * pages from {@code after} until one passes {@code last}. Memory: the target's keys in that range.
     */
    private Map<String, TargetListing.Entry> listTarget(S3ReplicaSender sender, String after, String last) {
        Map<String, TargetListing.Entry> out = new HashMap<>();
        String from = after;
        while (true) {
            TargetListing page = sender.list(from, 1000);
            for (TargetListing.Entry e : page.objects()) {
                if (utf8Order(e.key(), last) > 0) return out;
                out.put(e.key(), e);
            }
            if (!page.truncated() || page.objects().isEmpty()) return out;
            from = page.objects().getLast().key();
        }
    }

    /** S3 lists keys in the order of their UTF-8 bytes, which String's UTF-16 order differs from above U+FFFF. */
    static int utf8Order(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ delivery

    /**
     * What a {@link ReplicationWork.Op#RESYNC_CURRENT} operation sends now: the key's current version if the
     * key's newest entry is a live version (a replica only to a Strata target, see the class comment); empty
     * (nothing is sent) when the key is gone or its newest entry is a delete marker.
     */
    Optional<ObjectVersion> toSend(ReplicationWork work, ReplicationTarget.Kind kind) {
        try {
            if (noRecheck) {
                return namespace.version(work.bucket(), work.key(), work.versionId())
                        .filter(v -> !v.deleteMarker() && v.lastModified().equals(work.lastModified()));
            }
            return namespace.latest(work.bucket(), work.key())
                    .filter(v -> !v.deleteMarker() && (kind == ReplicationTarget.Kind.STRATA
                            || v.attributes().replicationStatus() != ReplicationStatus.REPLICA));
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return Optional.empty();
            throw e;
        }
    }
}
