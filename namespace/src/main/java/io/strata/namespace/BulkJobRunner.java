package io.strata.namespace;

import java.util.Optional;
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

    public BulkJobRunner(Namespace namespace, int pageSize) {
        if (pageSize < 1) throw new IllegalArgumentException("pageSize < 1: " + pageSize);
        this.namespace = namespace;
        this.pageSize = pageSize;
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
            long done = 0;
            long skipped = 0;
            long failed = 0;
            long bytes = 0;
            for (VersionPage.Entry entry : page.versions()) {
                ObjectVersion v = entry.version();
                try {
                    switch (action.apply(job, v)) {
                        case DONE -> {
                            done++;
                            bytes += v.size();
                        }
                        case SKIPPED -> skipped++;
                    }
                } catch (RuntimeException e) {
                    failed++;
                    log.warn("bulk job {} ({}): {}/{} version {} failed: {}", job.id(), job.action(), v.bucket(), v.key(),
                            v.versionId(), e.toString());
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

    private BulkJob reread(long id) {
        return namespace.bulkJob(id).orElseThrow(() -> new IllegalArgumentException("no bulk job " + id));
    }
}
