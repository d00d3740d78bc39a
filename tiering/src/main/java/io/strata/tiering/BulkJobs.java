package io.strata.tiering;

import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.namespace.BulkJobRunner;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable bulk jobs ("do X to every version under bucket/prefix") run in the background: owners
 * register an action under a name ({@code tier.move}, {@code tier.prefetch}), {@link #submit}
 * stores a job in the namespace and walks it with a {@link BulkJobRunner} on a virtual thread, and
 * {@link #start} resumes every job a restart (or {@code kill -9}) left RUNNING from its last recorded
 * page. Counters are exact across restarts: a page is counted once, when it is recorded.
 *
 * <p>Cancel is durable and takes effect at the runner's next page. Ended jobs are kept for
 * {@code strata jobs list} until {@value #KEPT_ENDED} newer ones have ended.
 *
 * <p>Thread-safe. Register every action before {@link #start}.
 */
public final class BulkJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkJobs.class);

    /** Jobs running at once; one more is refused ({@link BusyException}) rather than queued unseen. */
    public static final int MAX_RUNNING = 8;
    /** Ended jobs kept for listing. */
    public static final int KEPT_ENDED = 100;
    /** Versions per recorded page: what a crash redoes, and how long a cancel may take to be seen. */
    public static final int PAGE_SIZE = 64;
    /** Versions of one job acted on at once. */
    public static final int PARALLELISM = 4;
    private static final int COUNT_PAGE = 1000;
    /**
     * The fault a packaged gateway injects into itself when the environment variable
     * {@code STRATA_TEST_FAULT} names it: {@link #start} resumes nothing, so the kill-during-a-job
     * conformance test must fail (its negative control). Only tests set it.
     */
    static final String SKIP_RESUME_FAULT = "skip-job-resume";

    /** Refused because {@value #MAX_RUNNING} jobs are running. */
    public static final class BusyException extends RuntimeException {
        BusyException(String message) {
            super(message);
        }
    }

    private record Registered(BulkJobRunner.Action action, Consumer<BulkJob> onEnd, BulkJobRunner runner) {
    }

    private final Namespace namespace;
    private final int pageSize;
    private final BulkJobRunner runner;
    private final Map<String, Registered> actions = new ConcurrentHashMap<>();
    private final Map<Long, Thread> running = new ConcurrentHashMap<>();
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public BulkJobs(Namespace namespace) {
        this(namespace, PAGE_SIZE, PARALLELISM);
    }

    public BulkJobs(Namespace namespace, int pageSize, int parallelism) {
        this.namespace = namespace;
        this.pageSize = pageSize;
        this.runner = new BulkJobRunner(namespace, pageSize, parallelism);
    }

    /**
     * Registers what jobs named {@code name} do to each version, and what to do once one has ended
     * (DONE, CANCELLED or FAILED; called on the runner's thread).
     */
    public void register(String name, BulkJobRunner.Action action, Consumer<BulkJob> onEnd) {
        register(name, action, onEnd, runner);
    }

    /**
     * As {@link #register(String, BulkJobRunner.Action, Consumer)}, acting on up to
     * {@code parallelism} versions of a job at once instead of this instance's default: an action
     * whose cost is mostly waiting (a snapshot repository's latency, a synced commit per version)
     * keeps more in flight than a tier move of large objects should.
     */
    public void register(String name, int parallelism, BulkJobRunner.Action action, Consumer<BulkJob> onEnd) {
        register(name, action, onEnd, new BulkJobRunner(namespace, pageSize, parallelism));
    }

    /**
     * Names an action whose jobs their owner walks itself (a replication resync, which compares pages
     * with a remote target on the replication worker's thread): {@link #start} leaves them to it
     * instead of logging them as waiting for a runner.
     */
    public void registerOwned(String name) {
        owned.add(java.util.Objects.requireNonNull(name, "name"));
    }

    private void register(String name, BulkJobRunner.Action action, Consumer<BulkJob> onEnd, BulkJobRunner runner) {
        if (actions.putIfAbsent(name, new Registered(action, onEnd, runner)) != null) {
            throw new IllegalStateException("bulk job action " + name + " is registered already");
        }
    }

    /** Resumes every stored RUNNING job whose action is registered; the others wait, logged. */
    public synchronized void start() {
        if (SKIP_RESUME_FAULT.equals(System.getenv("STRATA_TEST_FAULT"))) {
            LOG.warn("STRATA_TEST_FAULT={}: interrupted bulk jobs are not resumed", SKIP_RESUME_FAULT);
            return;
        }
        for (BulkJob job : namespace.bulkJobs()) {
            if (job.state() != BulkJob.State.RUNNING || owned.contains(job.action())) continue;
            if (!actions.containsKey(job.action())) {
                LOG.warn("bulk job {} ({}) is running but nothing here runs {} jobs; it waits", job.id(), job.action(),
                        job.action());
                continue;
            }
            LOG.info("bulk job {} ({} on {}/{}) resumes after {} versions", job.id(), job.action(), job.bucket(),
                    job.prefix(), job.counters().visited());
            launch(job);
        }
    }

    /**
     * Stores a new job, counting the versions under the prefix for its progress, and starts it.
     *
     * @throws IllegalArgumentException when no action of that name is registered
     * @throws BusyException when {@value #MAX_RUNNING} jobs are running
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    public BulkJob submit(String action, BucketName bucket, String prefix, byte[] parameters) {
        if (!actions.containsKey(action)) throw new IllegalArgumentException("no bulk job action " + action);
        long total = count(bucket, prefix);
        BulkJob job;
        synchronized (this) {   // the check and the launch together, so MAX_RUNNING holds
            if (closed) throw new IllegalStateException("closed");
            if (running.size() >= MAX_RUNNING) {
                throw new BusyException(MAX_RUNNING + " bulk jobs are running; wait for one to end or cancel one.");
            }
            job = namespace.createBulkJob(action, bucket, prefix, parameters, total);
            launch(job);
        }
        LOG.info("bulk job {} ({} on {}/{}) started: {} versions", job.id(), action, bucket, prefix, total);
        forgetOldJobs();
        return job;
    }

    public Optional<BulkJob> job(long id) {
        return namespace.bulkJob(id);
    }

    /** Every kept job, oldest first. */
    public List<BulkJob> jobs() {
        return namespace.bulkJobs().stream().sorted(Comparator.comparingLong(BulkJob::id)).toList();
    }

    /** Jobs whose runner is working now. */
    public int runningCount() {
        return running.size();
    }

    /**
     * Cancels a running job (durably: it stays cancelled across restarts); its runner stops after the
     * page in flight. An ended job is returned unchanged.
     *
     * @return the job as stored after the cancel, or empty if there is no such job
     */
    public Optional<BulkJob> cancel(long id) {
        Optional<BulkJob> job = namespace.cancelBulkJob(id);
        job.filter(j -> j.state() == BulkJob.State.CANCELLED)
                .ifPresent(j -> LOG.info("bulk job {} ({} on {}/{}) cancelled after {} versions", j.id(), j.action(),
                        j.bucket(), j.prefix(), j.counters().visited()));
        return job;
    }

    /** Stops the runners (their pages in flight are redone at the next start) and waits for them, bounded. */
    @Override
    public void close() {
        closed = true;
        List<Thread> threads = List.copyOf(running.values());
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                if (!t.join(Duration.ofSeconds(10))) LOG.warn("bulk job runner {} did not stop within 10 s", t.getName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void launch(BulkJob job) {
        Registered r = actions.get(job.action());
        // The thread is entered before it runs so that a job cannot end before it is counted.
        Thread t = Thread.ofVirtual().name("strata-bulk-job-" + job.id()).unstarted(() -> {
            try {
                BulkJob ended = r.runner().run(job.id(), r.action());
                if (ended.state().ended()) r.onEnd().accept(ended);
            } catch (RuntimeException e) {
                // The store failed (or is closing): the job stays RUNNING and resumes at the next start.
                if (!closed) LOG.warn("bulk job {} ({}) stopped: {}; it resumes at the next start", job.id(), job.action(),
                        e.toString());
            } finally {
                running.remove(job.id());
            }
        });
        running.put(job.id(), t);
        t.start();
    }

    /** Versions (delete markers included, as the runner visits them) under the prefix. */
    private long count(BucketName bucket, String prefix) {
        long n = 0;
        String keyMarker = "";
        String versionMarker = "";
        VersionPage page;
        do {
            page = namespace.listVersions(bucket, new VersionQuery(prefix, "", keyMarker, versionMarker, COUNT_PAGE));
            n += page.versions().size();
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        } while (page.truncated());
        return n;
    }

    /** Removes the oldest ended jobs beyond {@value #KEPT_ENDED}. */
    private void forgetOldJobs() {
        List<BulkJob> ended = jobs().stream().filter(j -> j.state().ended()).toList();
        for (int i = 0; i < ended.size() - KEPT_ENDED; i++) namespace.removeBulkJob(ended.get(i).id());
    }
}
