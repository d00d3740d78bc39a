package io.strata.gateway.objects;

import io.strata.erasure.BlobLocation;
import io.strata.erasure.ErasureException;
import io.strata.erasure.ErasureStore;
import io.strata.erasure.StoredBlob;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Garbage-collects orphaned blobs: blobs whose shards a write renamed into place on the drives but
 * that no namespace record refers to, because the process died (kill -9, power loss) between the
 * shard rename and the namespace commit, or between a failed commit and queueing its data as
 * garbage. Nothing else can find them: the durable garbage queue only holds data the namespace
 * once referred to.
 *
 * <h2>One pass: list, then mark, then sweep</h2>
 * <ol>
 *   <li><b>List</b> ({@link ErasureStore#forEachBlob}): every blob on the drives whose newest shard
 *       file was last modified before {@code start - grace} is a candidate; younger ones are left
 *       alone.</li>
 *   <li><b>Pins</b>: candidates that a writer of this process still holds uncommitted (see
 *       {@link BlobPins}) are set aside; those the mark finds referenced have their pin released.</li>
 *   <li><b>Mark</b> ({@link Namespace#forEachSegment}): every candidate referenced by any object
 *       version (noncurrent ones included), any part of an upload in progress or any garbage-queue
 *       item, in one consistent snapshot of the namespace taken after the listing, is dropped. Only
 *       erasure references can name a blob: references of other kinds (inline data, cold objects)
 *       and anything {@link BlobLocation#decode} rejects are skipped.</li>
 *   <li><b>Sweep</b>: what is left is deleted ({@link ErasureStore#delete}, idempotent, so racing
 *       with the garbage cleaner over a blob it frees too is harmless).</li>
 * </ol>
 *
 * <h2>Why a write in flight is never collected</h2>
 * A write makes its blob visible in this order: shard data written (the file's mtime), fsync,
 * rename into {@code blobs/} (only now can a listing see it), {@code write()} returns, the object
 * service pins the blob, then the namespace commit, then the pin is released. Suppose a pass deletes
 * blob {@code b} that a writer later commits. The pass listed {@code b} at time {@code L} with an
 * mtime before {@code L - grace}; it read the pins at {@code Q > L} and did not find {@code b}; its
 * snapshot at {@code S > Q} did not refer to {@code b}, so the commit came after {@code S}, and so
 * did the unpin. Then the pin was not yet taken at {@code Q}: the writer's {@code write()} returned
 * after {@code L}, more than {@code grace} after its last data write. The grace period (default 15
 * minutes; the window it must cover is an fsync, a rename and a directory fsync) rules that out.
 * The order matters: reading the pins after the snapshot would let a commit and unpin fall between
 * the two; marking before listing would let a blob written and committed in between look orphaned.
 * Writers outside the object service that hold a blob uncommitted for long (a move from the cold
 * tier writing several segments before one commit) must pin it too, or finish within the grace
 * period. Wall-clock jumps shorten the effective grace; keep it generous.
 *
 * <p>Memory is bounded: at most {@link #MAX_CANDIDATES} candidates per pass. When a pass finds
 * more, later passes split the blob id space into 16, then 256 slices (by the id's last, random byte)
 * and take one slice each.
 *
 * <p>Thread-safe: passes are serialised. {@link #start} runs a pass at once and then every
 * interval on a virtual thread until {@link #close()}. A pass that fails (namespace or drives
 * unavailable) is logged and retried at the next interval; its deletes so far stand, each one
 * having been proven unreferenced.
 */
public final class OrphanCollector implements MetricsSection, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanCollector.class);

    /** Default {@code erasure.orphan-grace}. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(15);
    /** Default {@code erasure.orphan-interval}. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    /** Candidates held by one pass (a blob id and location each: roughly 200 bytes). */
    static final int MAX_CANDIDATES = 500_000;

    /**
     * What one pass did.
     *
     * @param listed     blobs seen on the drives (all slices)
     * @param young      blobs of this pass's slice left alone because they are younger than the grace period
     * @param pinned     candidates held uncommitted by a writer of this process
     * @param referenced candidates the namespace refers to
     * @param collected  orphans deleted
     * @param collectedBytes data bytes of the orphans deleted (the blobs' sizes, not their shard files)
     * @param failed     orphans whose deletion failed (retried by a later pass)
     * @param slices     how many slices the id space was cut into (1, 16 or 256)
     * @param truncated  whether candidates were left for later passes because of {@link #MAX_CANDIDATES}
     */
    record Pass(long listed, long young, long pinned, long referenced, long collected, long collectedBytes,
                long failed, int slices, boolean truncated, Duration took) {
    }

    private final Namespace namespace;
    private final ErasureStore store;
    private final Duration grace;
    private final Clock clock;
    private final BlobPins pins;
    private final int maxCandidates;
    private final ReentrantLock passLock = new ReentrantLock();
    private final PeriodicWorker worker = new PeriodicWorker("strata-orphan-collector");
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong failedPasses = new AtomicLong();
    private final AtomicLong collectedBlobs = new AtomicLong();
    private final AtomicLong collectedBytes = new AtomicLong();
    private volatile Pass lastPass;
    /** Slices of the id space and the next slice to take; guarded by passLock. */
    private int slices = 1;
    private long sliceCursor;

    /**
     * @param pins blobs held uncommitted by writers of this process; pins of blobs found referenced are released
     */
    public OrphanCollector(Namespace namespace, ErasureStore store, Duration grace, Clock clock, BlobPins pins) {
        this(namespace, store, grace, clock, pins, MAX_CANDIDATES);
    }

    OrphanCollector(Namespace namespace, ErasureStore store, Duration grace, Clock clock, BlobPins pins,
                    int maxCandidates) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.store = Objects.requireNonNull(store, "store");
        this.grace = Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) throw new IllegalArgumentException("grace < 0: " + grace);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pins = Objects.requireNonNull(pins, "pins");
        if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates < 1");
        this.maxCandidates = maxCandidates;
    }

    /**
     * Runs one pass now (waiting for one in progress to end first).
     *
     * @throws NamespaceException UNAVAILABLE when the namespace cannot be read; nothing more is deleted then
     * @throws IllegalStateException when the store or namespace is closed
     */
    Pass collect() {
        passLock.lock();
        try {
            Pass pass = runPass();
            passes.incrementAndGet();
            collectedBlobs.addAndGet(pass.collected());
            collectedBytes.addAndGet(pass.collectedBytes());
            lastPass = pass;
            return pass;
        } finally {
            passLock.unlock();
        }
    }

    private Pass runPass() {
        long began = System.nanoTime();
        int passSlices = slices;
        int slice = (int) (sliceCursor++ % passSlices);
        Instant cutoff = clock.instant().minus(grace);
        Map<String, StoredBlob> candidates = new HashMap<>();
        long[] counts = new long[2]; // listed, young
        boolean[] truncated = {false};
        // 1. List: taken before the mark, see the class comment.
        store.forEachBlob(blob -> {
            counts[0]++;
            if (passSlices > 1 && sliceOf(blob.id(), passSlices) != slice) return;
            if (!blob.lastModified().isBefore(cutoff)) {
                counts[1]++;
                return;
            }
            if (candidates.size() >= maxCandidates) {
                truncated[0] = true;
                return;
            }
            candidates.put(blob.id(), blob);
        });
        if (truncated[0] && slices < 256) {
            slices = slices * 16;
            sliceCursor = 0;
        }
        // 2. Pins, after the listing and before the snapshot.
        Set<String> pinned = new HashSet<>();
        for (var it = candidates.keySet().iterator(); it.hasNext(); ) {
            String id = it.next();
            if (pins.isPinned(id)) {
                it.remove();
                pinned.add(id);
            }
        }
        // 3. Mark, from one snapshot taken now. A pinned blob found referenced was committed: its pin
        // has done its job and is released (writers committing outside the object service never unpin).
        long[] referenced = {0};
        if (!candidates.isEmpty() || !pinned.isEmpty()) {
            namespace.forEachSegment(segment -> {
                String id = erasureBlobId(segment.ref());
                if (id == null) return;
                if (candidates.remove(id) != null) {
                    referenced[0]++;
                } else if (pinned.remove(id)) {
                    referenced[0]++;
                    pins.release(id);
                }
            });
        }
        long pinnedCount = pinned.size();
        // 4. Sweep.
        long collected = 0;
        long bytes = 0;
        long failed = 0;
        for (StoredBlob orphan : candidates.values()) {
            if (worker.closing()) break;
            try {
                store.delete(orphan.location());
                collected++;
                bytes += orphan.location().size();
                LOG.debug("orphan blob deleted: id={} size={} lastModified={}", orphan.id(), orphan.location().size(),
                        orphan.lastModified());
            } catch (ErasureException e) {
                failed++;
                LOG.warn("orphan blob {} could not be deleted: {}", orphan.id(), e.toString());
            }
        }
        return new Pass(counts[0], counts[1], pinnedCount, referenced[0], collected, bytes, failed, passSlices,
                truncated[0], Duration.ofNanos(System.nanoTime() - began));
    }

    /** The blob id an erasure reference names, or null for any other kind of reference. */
    static String erasureBlobId(byte[] ref) {
        // Cheap pre-check: empty references and tagged ones (inline 0xF1, cold 0xF2; tags are >= 0xF0)
        // are never erasure locations, whose first byte is their small format version.
        if (ref.length == 0 || (ref[0] & 0xFF) >= 0xF0) return null;
        try {
            return BlobLocation.decode(ref).id();
        } catch (IllegalArgumentException notAnErasureLocation) {
            return null;
        }
    }

    /**
     * The slice of a blob, from the last byte of its id: random in every id, where the first bytes
     * of a new blob's id are a time window that blobs written together share (BlobId.clustered).
     */
    private static int sliceOf(String id, int slices) {
        return Integer.parseInt(id, id.length() - 2, id.length(), 16) % slices;
    }

    /** Starts the background loop: a pass at once (start-up), then one every {@code interval}. Call once. */
    public void start(Duration interval) {
        worker.start(interval, true, () -> {
            Pass pass = collect();
            if (pass.collected() > 0 || pass.failed() > 0 || passes.get() == 1 || pass.truncated()) {
                LOG.info("orphan collection: listed={} young={} pinned={} referenced={} collected={} bytes={} failed={} "
                                + "slices={} truncated={} took={}ms", pass.listed(), pass.young(), pass.pinned(),
                        pass.referenced(), pass.collected(), pass.collectedBytes(), pass.failed(), pass.slices(),
                        pass.truncated(), pass.took().toMillis());
            }
        }, e -> {
            failedPasses.incrementAndGet();
            LOG.warn("orphan collection failed, retrying in {}: {}", interval, e.toString());
        });
    }

    long passes() {
        return passes.get();
    }

    long failedPasses() {
        return failedPasses.get();
    }

    long collectedBlobs() {
        return collectedBlobs.get();
    }

    long collectedBytes() {
        return collectedBytes.get();
    }

    /** The last completed pass, or null before the first. */
    Pass lastPass() {
        return lastPass;
    }

    /** Stops the loop, waiting (bounded) for a pass in progress; it stops sweeping at once. Idempotent. */
    @Override
    public void close() {
        worker.close(Duration.ofSeconds(10), false);
    }

    @Override
    public void appendTo(StringBuilder out) {
        out.append("# HELP strata_orphan_passes_total Orphan collection passes completed.\n# TYPE strata_orphan_passes_total counter\n");
        out.append("strata_orphan_passes_total ").append(passes()).append('\n');
        out.append("# HELP strata_orphan_failed_passes_total Orphan collection passes that failed.\n# TYPE strata_orphan_failed_passes_total counter\n");
        out.append("strata_orphan_failed_passes_total ").append(failedPasses()).append('\n');
        out.append("# HELP strata_orphan_blobs_collected_total Orphaned blobs deleted.\n# TYPE strata_orphan_blobs_collected_total counter\n");
        out.append("strata_orphan_blobs_collected_total ").append(collectedBlobs()).append('\n');
        out.append("# HELP strata_orphan_bytes_collected_total Data bytes of the orphaned blobs deleted.\n# TYPE strata_orphan_bytes_collected_total counter\n");
        out.append("strata_orphan_bytes_collected_total ").append(collectedBytes()).append('\n');
        Pass last = lastPass();
        if (last != null) {
            Metrics.gauge(out, "strata_orphan_last_pass_listed_blobs", "Blobs on the drives in the last orphan pass.", last.listed());
            Metrics.gauge(out, "strata_orphan_last_pass_young_blobs", "Blobs younger than the grace period in the last orphan pass.", last.young());
            Metrics.gauge(out, "strata_orphan_last_pass_pinned_blobs", "Blobs held by writes in flight in the last orphan pass.", last.pinned());
            Metrics.gauge(out, "strata_orphan_last_pass_referenced_blobs", "Blobs found referenced in the last orphan pass.", last.referenced());
            Metrics.gauge(out, "strata_orphan_last_pass_collected_blobs", "Orphans deleted by the last orphan pass.", last.collected());
        }
    }
}
