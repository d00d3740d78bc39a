package io.strata.namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a {@link BulkJob} to its end: pages of its bucket's versions under its prefix in
 * ListObjectVersions order, the action applied to each, then the page's place and counters recorded
 * in one write ({@link Namespace#recordBulkProgress}). Stopped at any point (a crash, {@code kill -9},
 * an interrupt), {@link #run} called again on the same job continues after the last recorded page;
 * the page in flight is redone, so the action must be idempotent, and counted once.
 *
 * <p>Known limit: if the version-id marker's key loses that version between two pages (its
 * {@code null} version overwritten), the walk relists that key from its newest version (S3's
 * marker rule), so those versions are visited, and counted, again.
 *
 * <p>Within a page, up to {@code parallelism} versions are acted on at once (on virtual threads):
 * a tier move or a restore waits mostly on fsyncs and a remote tier, and concurrent namespace
 * commits share one WAL sync. The page is recorded only once every action of it has returned.
 *
 * <p>Thread-safe; one runner per job at a time is the intent. Two runners on one job do no harm
 * beyond doubled work: only the one whose record succeeds counts its page, and the other continues
 * from the recorded place.
 */
public final class BulkJobRunner {
    private static final Logger log = LoggerFactory.getLogger(BulkJobRunner.class);

    /** Versions per page: one page's work is what a crash redoes. */
    public static final int DEFAULT_PAGE_SIZE = 256;

    /** What the action did to one version. */
    public enum Outcome {
        /** Applied, or found already applied (a redone page). */
        DONE,
        /** Not its concern (a delete marker, a version already where it should be). */
        SKIPPED
    }

    /**
     * The work done to each version; idempotent. A RuntimeException counts the version as failed
     * and the walk goes on.
     */
    @FunctionalInterface
    public interface Action {
        Outcome apply(BulkJob job, ObjectVersion version);
    }

    private final Namespace namespace;
    private final int pageSize;
    private final int parallelism;

    /** A runner acting on one version at a time. */
    public BulkJobRunner(Namespace namespace, int pageSize) {
        this(namespace, pageSize, 1);
    }

    /** A runner acting on up to {@code parallelism} versions of a page at once. */
    public BulkJobRunner(Namespace namespace, int pageSize, int parallelism) {
        if (pageSize < 1) throw new IllegalArgumentException("pageSize < 1: " + pageSize);
        if (parallelism < 1) throw new IllegalArgumentException("parallelism < 1: " + parallelism);
        this.namespace = namespace;
        this.pageSize = pageSize;
        this.parallelism = parallelism;
    }

    /**
     * Runs the job until it ends, is cancelled or the thread is interrupted (the interrupt stays set).
     *
     * @return the job as last stored
     * @throws IllegalArgumentException if there is no such job
     * @throws NamespaceException UNAVAILABLE when the store fails (run again to resume)
     */
    public BulkJob run(long id, Action action) {
        BulkJob job = reread(id);
        while (job.state() == BulkJob.State.RUNNING && !Thread.currentThread().isInterrupted()) {
            VersionPage page;
            try {
                page = namespace.listVersions(job.bucket(), new VersionQuery(job.prefix(), "",
                        job.position().keyMarker(), job.position().versionIdMarker(), pageSize));
            } catch (NamespaceException e) {
                if (e.reason() != NamespaceException.Reason.BUCKET_NOT_FOUND) throw e;
                job = namespace.failBulkJob(job, "bucket " + job.bucket() + " no longer exists").orElseGet(() -> reread(id));
                continue;
            }
            List<Outcome> outcomes = applyAll(job, page.versions(), action);
            if (outcomes == null) break;   // interrupted mid-page: the page is redone on resume
            long done = 0;
            long skipped = 0;
            long failed = 0;
            long bytes = 0;
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome o = outcomes.get(i);
                if (o == null) {
                    failed++;
                } else if (o == Outcome.DONE) {
                    done++;
                    bytes += page.versions().get(i).version().size();
                } else {
                    skipped++;
                }
            }
            BulkJob.Position next = page.truncated()
                    ? new BulkJob.Position(page.nextKeyMarker(), page.nextVersionIdMarker())
                    : job.position();
            Optional<BulkJob> recorded = namespace.recordBulkProgress(job, next,
                    new BulkJob.Counters(done, skipped, failed, bytes), !page.truncated());
            // Not recorded: cancelled, or another runner moved it on; carry on from what is stored.
            job = recorded.orElseGet(() -> reread(id));
        }
        if (job.state().ended()) {
            log.info("bulk job {} ({} on {}/{}) {}: {} done, {} skipped, {} failed, {} bytes", job.id(), job.action(),
                    job.bucket(), job.prefix(), job.state(), job.counters().done(), job.counters().skipped(),
                    job.counters().failed(), job.counters().bytes());
        }
        return job;
    }

    /**
     * The action applied to every version of a page, {@code parallelism} at a time; an entry is null
     * where the action failed (logged here). Null when the thread was interrupted before the page ended.
     */
    private List<Outcome> applyAll(BulkJob job, List<VersionPage.Entry> entries, Action action) {
        List<Outcome> out = new ArrayList<>(entries.size());
        if (parallelism == 1 || entries.size() < 2) {
            for (VersionPage.Entry e : entries) {
                if (Thread.currentThread().isInterrupted()) return null;
                out.add(applyOne(job, e.version(), action));
            }
            return out;
        }
        // A fixed pool per page bounds the actions in flight without a semaphore; close() waits for them.
        List<Future<Outcome>> futures = new ArrayList<>(entries.size());
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofVirtual().name("strata-bulk-" + job.id() + "-", 0).factory());
        try (pool) {
            for (VersionPage.Entry e : entries) futures.add(pool.submit(() -> applyOne(job, e.version(), action)));
            for (Future<Outcome> f : futures) out.add(f.get());
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("applyOne does not throw", e);
        }
        return out;
    }

    private static Outcome applyOne(BulkJob job, ObjectVersion v, Action action) {
        try {
            return action.apply(job, v);
        } catch (RuntimeException e) {
            log.warn("bulk job {} ({}): {}/{} version {} failed: {}", job.id(), job.action(), v.bucket(), v.key(),
                    v.versionId(), e.toString());
            return null;
        }
    }

    private BulkJob reread(long id) {
        return namespace.bulkJob(id).orElseThrow(() -> new IllegalArgumentException("no bulk job " + id));
    }
}
