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
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Throttled to a byte rate (what it reads; it writes as much again). Thread-safe: passes are
 * serialised. {@link #start} runs a pass every interval on a virtual thread until {@link #close()}.
 */
public final class SegmentCompactor implements MetricsSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentCompactor.class);
    /** Versions listed per page while looking for the versions of one key. */
    private static final int LIST_PAGE = 1000;

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
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.store = Objects.requireNonNull(store, "store");
        this.mover = Objects.requireNonNull(mover, "mover");
        this.garbageQueued = Objects.requireNonNull(garbageQueued, "garbageQueued");
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        this.threshold = threshold;
        this.rate = new RateLimiter(bytesPerSecond);
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
        long[] counts = new long[4]; // rewritten, bytes, changed, failed
        // Versions whose rewrite failed in this pass: their blobs have a shard in each of k+m segments,
        // and each of those must not try (and log) the same failure again. Few, so held in memory.
        Set<String> failed = new HashSet<>();
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
            for (var e : byOwner.entrySet()) {
                if (worker.closing()) break;
                rewriteKey(e.getKey(), e.getValue(), counts, failed);
            }
        }
        return new Pass(worked, counts[0], counts[1], counts[2], counts[3]);
    }

    /** Rewrites every version of the owner's key that names one of {@code blobIds}. */
    private void rewriteKey(BlobOwner owner, Set<String> blobIds, long[] counts, Set<String> failed) {
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
            try {
                long bytes = bytesNaming(v, blobIds);
                rate.acquire(bytes);
                switch (mover.rewriteHot(v, blobIds::contains)) {
                    case MOVED -> {
                        counts[0]++;
                        counts[1] += bytes;
                        // Counted as they happen, so a long throttled pass shows its progress.
                        rewrittenVersions.incrementAndGet();
                        rewrittenBytes.addAndGet(bytes);
                    }
                    case CHANGED -> counts[2]++;
                    case SKIPPED -> { }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                worker.stopSoon();
                return;
            } catch (RuntimeException e) {
                // Whatever one version does (damaged beyond its parity, a namespace error), the pass goes
                // on: otherwise the same version would stop every later pass at the same place.
                counts[3]++;
                failed.add(identity);
                LOG.warn("segment compaction could not rewrite bucket={} key={} version={}: {}", bucket, key,
                        v.versionId(), e.toString());
            }
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
