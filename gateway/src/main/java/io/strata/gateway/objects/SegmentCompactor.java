package io.strata.gateway.objects;

import io.strata.erasure.BlobOwner;
import io.strata.erasure.ErasureStore;
import io.strata.erasure.RateLimiter;
import io.strata.erasure.SegmentUsage;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reclaims the space of deleted small shards: rewrites the live blobs of mostly dead segment files
 * elsewhere, so that each such segment ends all dead and the erasure store deletes it.
 *
 * <h2>One pass</h2>
 * Sealed segments ({@link ErasureStore#segments()}) whose dead fraction is at least the threshold are
 * taken most dead first. For each, the blobs still live in it ({@link ErasureStore#forEachBlobIn}) are
 * grouped by owning bucket and key; each key's versions are listed and every version naming one of
 * those blobs in a hot segment is rewritten by {@link TierMover#rewriteHot} (read through the GET path,
 * written through the PUT path, ETag and checksums checked, one compare-and-set). A part's blob keeps
 * its part owner after its upload completed, so parts are looked up under their key as well. Blobs
 * that no version names (parts of uploads in progress, orphans) and blobs of unknown owners are left
 * alone: completing or aborting the upload, or the orphan collector, deals with them. The rewritten old blobs wait on the
 * garbage queue, so the segment is freed only once the garbage cleaner deleted them.
 *
 * <h2>Why kill -9 at any point is safe</h2>
 * Nothing in place is ever changed: a rewrite appends new records elsewhere, and the version points at
 * them only through the namespace's atomic compare-and-set, which also queues the old blobs as garbage
 * in the same synced write. Killed before the commit, the version still names the old blobs, intact,
 * and the new copy is an unreferenced blob the orphan collector finds after its grace period. Killed
 * after it, the version names the new copy, fully written and synced before the commit, and the old
 * blobs are on the durable garbage queue. Old data is deleted only by the garbage cleaner, which waits
 * for reads in flight (read leases) and for snapshot exports and replication workers (garbage marks).
 * A version overwritten or deleted between the listing and the commit fails the compare-and-set, keeps
 * its new state, and the copy goes to garbage.
 *
 * <p>Up to {@value #PARALLEL_REWRITES} versions of one segment are rewritten at once, each with its
 * own compare-and-set, so their syncs are shared; the segment's rewrites all end before the next
 * segment is read. Throttled to a byte rate (what it reads; it writes as much again), one budget for
 * the whole pass. Thread-safe: passes are serialised. {@link #start} runs a pass every interval on a
 * virtual thread until {@link #close()}.
 */
public final class SegmentCompactor implements MetricsSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCompactor.class);
    /** Versions listed per page while looking for the versions of one key. */
    private static final int LIST_PAGE = 1000;
    /**
     * Rewrites of one segment's versions in flight at once. Each waits for a segment fsync (its copy)
     * and then a namespace sync (its compare-and-set); concurrent writers share both (the drives'
     * group commit, RocksDB's write group), where one at a time paid two syncs per version. Also the
     * bound on the pass's buffers: each rewrite streams through the PUT path's fixed-size buffers.
     */
    static final int PARALLEL_REWRITES = 8;
    private static final int REWRITTEN = 0;
    private static final int BYTES = 1;
    private static final int CHANGED = 2;
    private static final int FAILED = 3;

    /**
     * What one pass did.
     *
     * @param segments segments over the threshold that it worked on
     * @param rewritten versions it rewrote
     * @param bytes data bytes copied (of the rewritten blobs; a multipart object's other parts are not copied)
     * @param changed versions that changed during their rewrite (left as they were, the copy freed)
     * @param failed versions whose rewrite failed (left as they were; logged)
     */
    public record Pass(int segments, long rewritten, long bytes, long changed, long failed) {
    }

    private final Namespace namespace;
    private final ErasureStore store;
    private final TierMover mover;
    private final Runnable garbageQueued;
    private final double threshold;
    private final RateLimiter rate;
    private final int parallelRewrites;
    private final ReentrantLock passLock = new ReentrantLock();
    private final PeriodicWorker worker = new PeriodicWorker("strata-segment-compactor");
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong rewrittenVersions = new AtomicLong();
    private final AtomicLong rewrittenBytes = new AtomicLong();

    /**
     * @param garbageQueued called after a pass queued old blobs as garbage (wakes the garbage cleaner)
     * @param threshold     the dead fraction (more than 0, at most 1) from which a sealed segment is compacted
     * @param bytesPerSecond the most bytes read per second, 0 for no limit
     */
    public SegmentCompactor(Namespace namespace, ErasureStore store, TierMover mover, Runnable garbageQueued,
                            double threshold, long bytesPerSecond) {
        this(namespace, store, mover, garbageQueued, threshold, bytesPerSecond, PARALLEL_REWRITES);
    }

    /** As the public constructor, with another bound on the rewrites in flight (a test compares them). */
    SegmentCompactor(Namespace namespace, ErasureStore store, TierMover mover, Runnable garbageQueued,
                     double threshold, long bytesPerSecond, int parallelRewrites) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.store = Objects.requireNonNull(store, "store");
        this.mover = Objects.requireNonNull(mover, "mover");
        this.garbageQueued = Objects.requireNonNull(garbageQueued, "garbageQueued");
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        this.threshold = threshold;
        this.rate = new RateLimiter(bytesPerSecond);
        if (parallelRewrites < 1) throw new IllegalArgumentException("parallelRewrites < 1: " + parallelRewrites);
        this.parallelRewrites = parallelRewrites;
    }

    /** Runs one pass now (the background loop's step; tests call it directly). */
    public Pass runOnce() {
        passLock.lock();
        try {
            Pass pass = runPass();
            passes.incrementAndGet();
            if (pass.rewritten() > 0) garbageQueued.run();
            return pass;
        } finally {
            passLock.unlock();
        }
    }

    private Pass runPass() {
        List<SegmentUsage> sparse = store.segments().stream()
                .filter(s -> s.sealed() && s.liveBytes() + s.deadBytes() > 0 && s.deadFraction() >= threshold)
                .sorted(Comparator.comparingDouble(SegmentUsage::deadFraction).reversed())
                .toList();
        AtomicLongArray counts = new AtomicLongArray(4); // REWRITTEN, BYTES, CHANGED, FAILED
        // Versions whose rewrite failed in this pass: their blobs have a shard in each of k+m segments,
        // and each of those must not try (and log) the same failure again. Few, so held in memory.
        Set<String> failed = ConcurrentHashMap.newKeySet();
        int worked = 0;
        for (SegmentUsage segment : sparse) {
            if (worker.closing()) break;
            worked++;
            // Blob ids by owning key; a segment holds one shard per blob, a few thousand records at most.
            Map<BlobOwner, Set<String>> byOwner = new LinkedHashMap<>();
            try {
                store.forEachBlobIn(segment, blob -> {
                    if (blob.owner().bucket().isEmpty()) return;
                    BlobOwner key = BlobOwner.object(blob.owner().bucket(), blob.owner().key());
                    byOwner.computeIfAbsent(key, o -> new HashSet<>()).add(blob.blobId());
                });
            } catch (io.strata.erasure.ErasureException e) {
                // One unreadable segment (its drive failing) must not stop the others being compacted.
                LOG.warn("segment compaction cannot read segment {} on drive #{}: {}", segment.segment(), segment.drive(),
                        e.getMessage());
                continue;
            }
            // The segment's rewrites run concurrently and all end before the next segment is read: a
            // version has a shard in k+m segments, and the next one must see it relocated, not rewrite it again.
            Semaphore slots = new Semaphore(parallelRewrites);
            try {
                for (var e : byOwner.entrySet()) {
                    if (worker.closing()) break;
                    rewriteKey(e.getKey(), e.getValue(), slots, counts, failed);
                }
            } finally {
                slots.acquireUninterruptibly(parallelRewrites);
            }
        }
        return new Pass(worked, counts.get(REWRITTEN), counts.get(BYTES), counts.get(CHANGED), counts.get(FAILED));
    }

    /**
     * Starts a rewrite of every version of the owner's key that names one of {@code blobIds}, each on
     * its own virtual thread once one of the {@code slots} is free. The throttle is taken here, on the
     * pass's thread, so that {@link #close()} interrupts only a throttled wait, never a rewrite's file I/O.
     */
    private void rewriteKey(BlobOwner owner, Set<String> blobIds, Semaphore slots, AtomicLongArray counts,
                            Set<String> failed) {
        BucketName bucket;
        ObjectKey key;
        try {
            bucket = new BucketName(owner.bucket());
            key = new ObjectKey(owner.key());
        } catch (IllegalArgumentException notAnObjectOwner) {
            return;
        }
        for (ObjectVersion v : versionsNaming(bucket, key, blobIds)) {
            if (worker.closing()) return;
            String identity = bucket.value() + "/" + key.value() + "?versionId=" + v.versionId();
            if (failed.contains(identity)) continue;
            long bytes = bytesNaming(v, blobIds);
            try {
                rate.acquire(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                worker.stopSoon();
                return;
            }
            slots.acquireUninterruptibly();
            Thread.ofVirtual().name("strata-segment-compactor-rewrite").start(() -> {
                try {
                    rewrite(v, identity, blobIds, bytes, counts, failed);
                } finally {
                    slots.release();
                }
            });
        }
    }

    /** Rewrites one version (its own compare-and-set), counting the outcome. */
    private void rewrite(ObjectVersion v, String identity, Set<String> blobIds, long bytes, AtomicLongArray counts,
                         Set<String> failed) {
        try {
            switch (mover.rewriteHot(v, blobIds::contains)) {
                case MOVED -> {
                    counts.incrementAndGet(REWRITTEN);
                    counts.addAndGet(BYTES, bytes);
                    // Counted as they happen, so a long throttled pass shows its progress.
                    rewrittenVersions.incrementAndGet();
                    rewrittenBytes.addAndGet(bytes);
                }
                case CHANGED -> counts.incrementAndGet(CHANGED);
                case SKIPPED -> { }
            }
        } catch (RuntimeException e) {
            // Whatever one version does (damaged beyond its parity, a namespace error), the pass goes
            // on: otherwise the same version would stop every later pass at the same place.
            counts.incrementAndGet(FAILED);
            failed.add(identity);
            LOG.warn("segment compaction could not rewrite bucket={} key={} version={}: {}", v.bucket(), v.key(),
                    v.versionId(), e.toString());
        }
    }

    /** The versions of exactly {@code key} with a hot segment naming one of {@code blobIds}. */
    private List<ObjectVersion> versionsNaming(BucketName bucket, ObjectKey key, Set<String> blobIds) {
        List<ObjectVersion> out = new java.util.ArrayList<>();
        String keyMarker = "";
        String versionMarker = "";
        try {
            while (true) {
                VersionPage page = namespace.listVersions(bucket,
                        new VersionQuery(key.value(), "", keyMarker, versionMarker, LIST_PAGE));
                for (VersionPage.Entry entry : page.versions()) {
                    ObjectVersion v = entry.version();
                    // The prefix lists longer keys too, after this one in key order: past it, we are done.
                    if (!v.key().equals(key)) return out;
                    if (names(v, blobIds)) out.add(v);
                }
                if (!page.truncated()) return out;
                keyMarker = page.nextKeyMarker();
                versionMarker = page.nextVersionIdMarker();
            }
        } catch (NamespaceException bucketGone) {
            return out;
        }
    }

    private static boolean names(ObjectVersion v, Set<String> blobIds) {
        return bytesNaming(v, blobIds) > 0;
    }

    /** The data bytes of the version's segments that name one of {@code blobIds}: what a rewrite copies. */
    private static long bytesNaming(ObjectVersion v, Set<String> blobIds) {
        long bytes = 0;
        for (Segment s : v.segments()) {
            String id = OrphanCollector.erasureBlobId(s.ref());
            if (id != null && blobIds.contains(id)) bytes += s.size();
        }
        return bytes;
    }

    /** Starts the background loop: a pass every {@code interval}, the first one interval after start. Call once. */
    public void start(Duration interval) {
        worker.start(interval, false, () -> {
            Pass pass = runOnce();
            if (pass.rewritten() > 0 || pass.changed() > 0 || pass.failed() > 0) {
                LOG.info("segment compaction: segments={} rewritten={} bytes={} changed={} failed={}", pass.segments(),
                        pass.rewritten(), pass.bytes(), pass.changed(), pass.failed());
            }
        }, e -> LOG.warn("segment compaction failed, retrying in {}: {}", interval, e.toString()));
    }

    @Override
    public void appendTo(StringBuilder out) {
        Metrics.counter(out, "strata_erasure_compaction_passes_total", "Segment compaction passes run.", passes.get());
        Metrics.counter(out, "strata_erasure_compaction_rewritten_versions_total",
                "Object versions rewritten out of mostly dead segments.", rewrittenVersions.get());
        Metrics.counter(out, "strata_erasure_compaction_rewritten_bytes_total",
                "Data bytes of the object versions rewritten by segment compaction.", rewrittenBytes.get());
    }

    /**
     * Stops the loop; a pass under way stops at its next version. The thread is interrupted so that a
     * throttled wait ends at once. Idempotent.
     */
    @Override
    public void close() {
        worker.close(Duration.ofSeconds(5), true);
    }
}
