package io.strata.tiering;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.namespace.WorkItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Moves versions between the hot tier and the cold tiers, and reads versions that live cold.
 *
 * <p>A move to cold: (1) a durable job records the cold object about to be written; (2) the
 * version's bytes stream from the hot tier into the cold tier, its record in the sidecar beside
 * them, while the MD5s (the ETag) and a CRC32C per {@value #BLOCK_SIZE}-byte block are computed;
 * (3) the ETag is checked and the cold copy's size and record are read back; (4) one namespace
 * compare-and-set points the version at the cold copy, queues the hot shards as garbage and ends
 * the job. A crash before (4) leaves the version hot and readable and the job behind: {@link
 * #recover()} turns it into garbage for the cold copy, and the next lifecycle run moves the version
 * again under a fresh cold name (names are never reused, so a late delete of an abandoned copy can
 * never hit a live one). A version overwritten or deleted meanwhile fails the compare-and-set and
 * its new cold copy goes the same way. A move back to hot is the mirror image, checked the same way.
 *
 * <p>Thread-safe: concurrent moves of different versions are independent; two moves of the same
 * version race on the compare-and-set and the loser's copy is freed.
 */
public final class TierMover {
    private static final Logger LOG = LoggerFactory.getLogger(TierMover.class);

    /** Bytes per checksummed block of a cold copy. */
    public static final int BLOCK_SIZE = 1 << 20;
    private static final byte JOB_TO_COLD = 1;
    /**
     * The work queue of moves into a cold tier under way: each item names the cold copy being
     * written, to be freed if a crash interrupts the move (payload: JOB_TO_COLD, the copy's ref).
     */
    public static final String WORK_KIND = "tier.to-cold";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    /** How the mover reads and writes the hot tier (implemented by the gateway's object service). */
    public interface HotData {
        /** Streams verified bytes of a version held in the hot tier (or inline); the caller closes it. */
        InputStream open(ObjectVersion version, long offset, long length);

        /** Stores exactly {@code length} bytes of {@code version} as a new hot segment, durable when this returns. */
        Segment write(ObjectVersion version, InputStream data, long length);

        /**
         * Streams bytes of a version whose data is still in a snapshot repository straight from
         * there, unchecked and uncached: only for a caller that checks every byte itself before
         * anything points at them, as a hydration does (ETag and checksums). {@link #open} would
         * first write a checked copy of the whole object into the local cache: a second disk pass
         * per version, and one cache entry per version. By default the checked {@link #open}.
         */
        default InputStream openSnapshotHeld(ObjectVersion version, long offset, long length) {
            return open(version, offset, length);
        }
    }

    /** What a move did. */
    public enum Outcome {
        /** The version now lives in the requested place. */
        MOVED,
        /** Nothing to do: already there, a delete marker, or empty. */
        SKIPPED,
        /** The version changed or vanished during the move; its copy was freed. */
        CHANGED
    }

    /** Counters of one tier, for status and metrics. */
    public static final class TierStats {
        public final LongAdder inFlight = new LongAdder();
        public final LongAdder inFlightBytes = new LongAdder();
        public final LongAdder movedObjects = new LongAdder();
        public final LongAdder movedBytes = new LongAdder();
        public final LongAdder failedObjects = new LongAdder();
        public final LongAdder failedBytes = new LongAdder();
        public final LongAdder recalledObjects = new LongAdder();
        public final LongAdder recalledBytes = new LongAdder();
        public final LongAdder coldReads = new LongAdder();
        public volatile String lastError = "";
    }

    private final Namespace namespace;
    private final ColdTiers tiers;
    private final HotData hot;
    private final Map<String, TierStats> stats = new ConcurrentHashMap<>();

    public TierMover(Namespace namespace, ColdTiers tiers, HotData hot) {
        this.namespace = namespace;
        this.tiers = tiers;
        this.hot = hot;
    }

    public ColdTiers tiers() {
        return tiers;
    }

    /** The counters of tier {@code name} (created on first use). */
    public TierStats stats(String name) {
        return stats.computeIfAbsent(name, n -> new TierStats());
    }

    // ---- where a version lives

    /** The cold object a version lives in, if it lives in a cold tier. */
    public static Optional<DataRef.ColdName> coldName(ObjectVersion v) {
        if (v.segments().isEmpty()) return Optional.empty();
        try {
            return DataRef.decode(v.segments().getFirst().ref()) instanceof DataRef.Cold c ? c.head() : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The storage class to report for a version: STANDARD when hot, the tier's name when cold. */
    public static String storageClass(ObjectVersion v) {
        if (v.segments().isEmpty()) return "STANDARD";
        try {
            // A snapshot-held version reports where its bytes are (a cold reference keeps its class).
            return DataRef.storageClassOf(v.segments().getFirst().ref());
        } catch (IllegalArgumentException e) {
            return "STANDARD";
        }
    }

    // ---- reads

    /**
     * Streams {@code length} bytes from {@code from} of segment {@code index} of a cold version,
     * every block checked against its CRC32C. The first block is read and checked before this
     * returns, so an unreachable tier or a copy damaged from its start fails here, before a caller
     * has answered anything; a later block that fails its check throws {@link CorruptColdDataException}
     * from {@code read}.
     *
     * @throws TierException UNAVAILABLE (tier not configured or down), NOT_FOUND, CORRUPT (the cause is
     *         the {@link CorruptColdDataException} naming the tier and the cold object)
     */
    public InputStream openCold(ObjectVersion v, int index, long from, long length) {
        DataRef.ColdName head = coldName(v).orElseThrow(() -> new IllegalArgumentException("not a cold version"));
        if (!(DataRef.decode(v.segments().get(index).ref()) instanceof DataRef.Cold ref)) {
            throw new IllegalArgumentException("segment " + index + " is not cold");
        }
        ColdTier tier = tiers.require(head.tier());
        stats(head.tier()).coldReads.increment();
        return ColdSegmentStream.open(tier, head, ref, v.segments().get(index).size(), from, length);
    }

    // ---- moves

    /**
     * Moves a hot version into tier {@code tierName}.
     *
     * @throws TierException when the tier is not configured, unreachable or refuses the data, or the
     *         copy does not check out; the version stays hot and readable, and the copy is freed
     */
    public Outcome toCold(ObjectVersion v, String tierName) {
        if (v.deleteMarker() || v.size() == 0 || coldName(v).isPresent()) return Outcome.SKIPPED;
        ColdTier tier = tiers.require(tierName);
        TierStats s = stats(tierName);
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        ColdObjectId id = new ColdObjectId(v.bucket().value(), v.key().value(),
                v.versionId() + "." + HexFormat.of().formatHex(suffix));
        DataRef.ColdName name = new DataRef.ColdName(tierName, id, tierName);
        Segment abandoned = new Segment(v.segments().getFirst().size(),
                new DataRef.Cold(Optional.of(name), 0, BLOCK_SIZE, new int[0]).encode());
        byte[] job = new byte[1 + abandoned.ref().length];
        job[0] = JOB_TO_COLD;
        System.arraycopy(abandoned.ref(), 0, job, 1, job.length - 1);
        // Due at once: only recover() reads the queue, after a crash.
        long jobId = namespace.addWork(WORK_KIND, job, java.time.Instant.EPOCH).id();
        s.inFlight.increment();
        s.inFlightBytes.add(v.size());
        try {
            List<Long> sizes = v.segments().stream().map(Segment::size).toList();
            Digests digests = new Digests(sizes, v.checksums());
            try (InputStream in = new DigestingStream(source(v, 0, v.size()), digests)) {
                tier.put(id, ColdRecord.of(v), in, v.size());
            } catch (IOException e) {
                throw new TierException(TierException.Reason.UNAVAILABLE, "reading " + v.key() + " from the hot tier failed", e);
            }
            afterUpload.run();
            checkEtag(v, digests);
            checkChecksums(v, digests);
            ColdObjectInfo info = tier.stat(id);
            if (info.size() != v.size() || !v.etag().equals(info.metadata().record().get("etag"))) {
                throw new TierException(TierException.Reason.CORRUPT, id + ": the cold copy does not read back as written");
            }
            List<Segment> segments = new ArrayList<>(sizes.size());
            long offset = 0;
            for (int i = 0; i < sizes.size(); i++) {
                segments.add(new Segment(sizes.get(i), new DataRef.Cold(i == 0 ? Optional.of(name) : Optional.empty(),
                        offset, BLOCK_SIZE, digests.crcs(i)).encode()));
                offset += sizes.get(i);
            }
            if (namespace.relocateVersion(v, withSegments(v, segments), OptionalLong.of(jobId))) {
                s.movedObjects.increment();
                s.movedBytes.add(v.size());
                LOG.info("moved to tier {}: bucket={} key={} version={} bytes={}", tierName, v.bucket(), v.key(),
                        v.versionId(), v.size());
                return Outcome.MOVED;
            }
            abandon(abandoned, jobId);
            return Outcome.CHANGED;
        } catch (RuntimeException e) {
            // An Error (the process is going down) skips this: the job stays and recover() frees the copy.
            s.failedObjects.increment();
            s.failedBytes.add(v.size());
            s.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            abandon(abandoned, jobId);
            throw e;
        } finally {
            s.inFlight.decrement();
            s.inFlightBytes.add(-v.size());
        }
    }

    /**
     * The environment variable naming a fault the packaged gateway injects into itself, for a test
     * to prove it notices that fault (a negative control). Only tests set it.
     */
    static final String TEST_FAULT_VARIABLE = "STRATA_TEST_FAULT";
    /**
     * The fault that makes {@link #recover()} leave interrupted moves alone: the kill-during-move
     * conformance test must then fail, because the killed move's partial copy is never freed.
     */
    static final String SKIP_RECOVERY_FAULT = "skip-move-recovery";

    /** Test seam: runs between the upload and its verification (a test may throw an Error here to act as a crash). */
    volatile Runnable afterUpload = () -> { };

    /**
     * Brings a cold version back into the hot tier (promotion, prefetch, RestoreObject); the cold
     * copy is freed once the version points at the new hot copy.
     *
     * @throws TierException when the cold tier cannot serve the data; the version stays cold
     */
    public Outcome toHot(ObjectVersion v) {
        Optional<DataRef.ColdName> head = coldName(v);
        if (v.deleteMarker() || head.isEmpty()) return Outcome.SKIPPED;
        TierStats s = stats(head.get().tier());
        List<Segment> written = new ArrayList<>();
        boolean moved = false;
        try {
            Digests digests = new Digests(v.segments().stream().map(Segment::size).toList(), v.checksums());
            for (int i = 0; i < v.segments().size(); i++) {
                long size = v.segments().get(i).size();
                try (InputStream in = new DigestingStream(openCold(v, i, 0, size), digests)) {
                    written.add(hot.write(v, in, size));
                } catch (IOException e) {
                    throw new TierException(TierException.Reason.CORRUPT, "reading " + v.key() + " from tier "
                            + head.get().tier() + " failed: " + e.getMessage(), e);
                }
            }
            checkEtag(v, digests);
            checkChecksums(v, digests);
            if (namespace.relocateVersion(v, withSegments(v, written), OptionalLong.empty())) {
                moved = true;
                s.recalledObjects.increment();
                s.recalledBytes.add(v.size());
                LOG.info("moved to the hot tier from {}: bucket={} key={} version={} bytes={}", head.get().tier(),
                        v.bucket(), v.key(), v.versionId(), v.size());
                return Outcome.MOVED;
            }
            return Outcome.CHANGED;
        } finally {
            if (!moved && !written.isEmpty()) namespace.addGarbage(written);
        }
    }

    /**
     * Rewrites a hot version's blobs into new hot blobs (segment compaction): the blobs {@code rewrite}
     * selects are read through {@link HotData#open} (the GET path: every block checked against its
     * CRC32C, the old blobs leased while read) and written anew through {@link HotData#write}; then one
     * {@code relocateVersion} compare-and-set points the version at the new blobs. The old blobs go onto
     * the garbage queue in the same write, so a GET, a snapshot export or a replication worker still
     * reading them keeps them (read leases, garbage marks). A version overwritten, deleted or moved
     * meanwhile fails the compare-and-set: it is left as it is and the new blobs go to garbage.
     * Segments of other kinds (inline, cold, snapshot-held) keep their references.
     *
     * <p>The copy is checked before the commit. When every segment is rewritten, the bytes read must
     * make the version's ETag and flexible checksums, as in a tier move. When only some are (the small
     * last part of a multipart object, the one of its parts in a segment file), the other parts are not
     * read: reading a 1 GiB object to move its 3 MiB last part would cost the throttle 300 times the
     * work. Each copy is read back instead and must have the MD5 of the bytes it was written from.
     *
     * @param rewrite which blobs to rewrite, by {@link io.strata.erasure.BlobLocation#id()}
     * @return MOVED, SKIPPED (a delete marker, or no hot blob selected) or CHANGED
     * @throws TierException CORRUPT when the copy does not check out and the version is still as it was;
     *         nothing changes and the new blobs are freed
     */
    public Outcome rewriteHot(ObjectVersion v, java.util.function.Predicate<String> rewrite) {
        if (v.deleteMarker() || snapshotHeld(v) || coldName(v).isPresent()) return Outcome.SKIPPED;
        boolean[] selected = new boolean[v.segments().size()];
        int count = 0;
        for (int i = 0; i < selected.length; i++) {
            selected[i] = DataRef.decode(v.segments().get(i).ref()) instanceof DataRef.Hot h && rewrite.test(h.location().id());
            if (selected[i]) count++;
        }
        if (count == 0) return Outcome.SKIPPED;
        boolean whole = count == selected.length;
        List<Segment> segments = new ArrayList<>(v.segments());
        List<Segment> written = new ArrayList<>();
        boolean moved = false;
        try {
            Digests digests = new Digests(v.segments().stream().map(Segment::size).toList(), v.checksums());
            List<byte[]> copyMd5s = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < selected.length; i++) {
                long size = v.segments().get(i).size();
                if (whole || selected[i]) {
                    MessageDigest md5 = newMd5();
                    try (InputStream in = new java.security.DigestInputStream(
                            whole ? new DigestingStream(hot.open(v, offset, size), digests) : hot.open(v, offset, size), md5)) {
                        Segment copy = hot.write(v, in, size);
                        written.add(copy);
                        segments.set(i, copy);
                    } catch (IOException e) {
                        throw new TierException(TierException.Reason.CORRUPT, "reading " + v.key() + " from the hot tier failed: "
                                + e.getMessage(), e);
                    }
                    copyMd5s.add(md5.digest());
                }
                offset += size;
            }
            try {
                if (whole) {
                    checkEtag(v, digests);
                    checkChecksums(v, digests);
                } else {
                    checkCopies(v, withSegments(v, segments), selected, copyMd5s);
                }
            } catch (TierException e) {
                // A read racing an overwrite of the same version id (the null version) reads the new bytes:
                // that is a changed version, not a damaged one.
                if (!namespace.version(v.bucket(), v.key(), v.versionId()).map(v::equals).orElse(false)) {
                    return Outcome.CHANGED;
                }
                throw e;
            }
            if (namespace.relocateVersion(v, withSegments(v, segments), OptionalLong.empty())) {
                moved = true;
                return Outcome.MOVED;
            }
            return Outcome.CHANGED;
        } finally {
            if (!moved && !written.isEmpty()) namespace.addGarbage(written);
        }
    }

    /** Reads back each new copy of {@code copy}'s selected segments: it must have the MD5 of the bytes copied. */
    private void checkCopies(ObjectVersion v, ObjectVersion copy, boolean[] selected, List<byte[]> md5s) {
        long offset = 0;
        int n = 0;
        for (int i = 0; i < selected.length; i++) {
            long size = copy.segments().get(i).size();
            if (selected[i]) {
                MessageDigest md5 = newMd5();
                try (InputStream in = new java.security.DigestInputStream(hot.open(copy, offset, size), md5)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new TierException(TierException.Reason.CORRUPT, "reading back the copy of " + v.key() + " failed: "
                            + e.getMessage(), e);
                }
                if (!java.util.Arrays.equals(md5.digest(), md5s.get(n++))) {
                    throw new TierException(TierException.Reason.CORRUPT, v.bucket() + "/" + v.key() + " version "
                            + v.versionId() + ": the copy of segment " + i + " does not read back as written");
                }
            }
            offset += size;
        }
    }

    /** Whether a version's bytes are held in a snapshot repository (attached or restored, not yet hydrated). */
    public static boolean snapshotHeld(ObjectVersion v) {
        if (v.segments().isEmpty()) return false;
        try {
            return DataRef.decode(v.segments().getFirst().ref()) instanceof DataRef.Snapshot;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Hydrates a restored version: copies its bytes from the snapshot repository that holds them
     * (read straight from there through {@link HotData#openSnapshotHeld}: the checks below are the ones
     * a cached read would make, so no cached copy is written first) into the
     * hot tier, segment by segment with the version's own sizes, checks the copy's ETag and
     * checksums, then points the version at it with one compare-and-set: only if the version still
     * references the repository's data (one overwritten, deleted or hydrated meanwhile is left as it
     * is and the copy goes to garbage). Nothing in the repository is ever deleted: the references
     * the version drops are freed as no-ops.
     *
     * @return MOVED, SKIPPED (not snapshot-held: a delete marker, hydrated already) or CHANGED
     * @throws TierException CORRUPT when the copy differs from the version's record; the version stays as it was
     */
    public Outcome fromSnapshot(ObjectVersion v) {
        if (v.deleteMarker() || !snapshotHeld(v)) return Outcome.SKIPPED;
        List<Segment> written = new ArrayList<>();
        boolean moved = false;
        try {
            Digests digests = new Digests(v.segments().stream().map(Segment::size).toList(), v.checksums());
            long offset = 0;
            for (Segment segment : v.segments()) {
                try (InputStream in = new DigestingStream(source(v, offset, segment.size()), digests)) {
                    written.add(hot.write(v, in, segment.size()));
                } catch (IOException e) {
                    throw new TierException(TierException.Reason.CORRUPT, "reading " + v.key() + " from its snapshot failed: "
                            + e.getMessage(), e);
                }
                offset += segment.size();
            }
            checkEtag(v, digests);
            checkChecksums(v, digests);
            if (namespace.relocateVersion(v, withSegments(v, written), OptionalLong.empty())) {
                moved = true;
                return Outcome.MOVED;
            }
            return Outcome.CHANGED;
        } finally {
            if (!moved && !written.isEmpty()) namespace.addGarbage(written);
        }
    }

    /**
     * The bytes a move copies. A snapshot-held version's come straight from its repository: every
     * move checks the ETag and checksums of what it copied before the version points at the copy.
     */
    private InputStream source(ObjectVersion v, long offset, long length) {
        return snapshotHeld(v) ? hot.openSnapshotHeld(v, offset, length) : hot.open(v, offset, length);
    }

    /**
     * Frees the cold copies of moves that a crash interrupted (their jobs are still recorded). Call
     * once at start-up, before any move starts.
     *
     * @return the number of interrupted moves cleaned up
     */
    public int recover() {
        return recover(RECOVERY_PAGE);
    }

    /** Jobs read per page by {@link #recover()}: its memory, whatever the number of interrupted moves. */
    static final int RECOVERY_PAGE = 1000;

    /** {@link #recover()} reading {@code pageSize} jobs at a time (tests use small pages). */
    int recover(int pageSize) {
        if (SKIP_RECOVERY_FAULT.equals(System.getenv(TEST_FAULT_VARIABLE))) {
            LOG.warn("test fault {}={}: interrupted moves are left as they are", TEST_FAULT_VARIABLE, SKIP_RECOVERY_FAULT);
            return 0;
        }
        // Moves recorded before queues were typed are on the untyped queue, in the same format.
        int n = recoverQueue(WORK_KIND, pageSize) + recoverQueue(WorkItem.UNTYPED, pageSize);
        if (n > 0) LOG.info("freed the cold copies of {} interrupted moves", n);
        return n;
    }

    /**
     * Abandons every interrupted move on one queue, a page at a time. The namespace lists a queue from its
     * start and has no cursor, but each job handled leaves the queue, so the next page starts with the jobs
     * left in place: those of another format (skipped, and counted so that the next page reads past them).
     * Nothing else adds jobs meanwhile (recovery runs before any move). Stops at the first job the namespace
     * fails to end (logged): the rest waits for the next start. Returns the jobs handled.
     */
    private int recoverQueue(String kind, int pageSize) {
        int handled = 0;
        int left = 0;
        while (true) {
            List<WorkItem> page = namespace.work(kind, left + pageSize);
            boolean full = page.size() == left + pageSize;
            if (page.size() <= left) return handled;
            for (WorkItem job : page.subList(left, page.size())) {
                byte[] p = job.payload();
                if (p.length == 0 || p[0] != JOB_TO_COLD) {
                    left++;
                    continue;
                }
                byte[] ref = java.util.Arrays.copyOfRange(p, 1, p.length);
                if (!abandon(new Segment(0, ref), job.id())) return handled;
                handled++;
            }
            if (!full) return handled;
        }
    }

    /** Whether a garbage item names a cold object, and if so deletes it (idempotent). */
    public boolean freeIfCold(GarbageItem item) {
        DataRef ref;
        try {
            ref = DataRef.decode(item.segment().ref());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!(ref instanceof DataRef.Cold cold)) return false;
        if (cold.head().isPresent()) {
            tiers.require(cold.head().get().tier()).delete(cold.head().get().id());
        }
        return true;
    }

    /** Queues the copy as garbage and ends its job; false (logged) if the namespace failed, the job staying. */
    private boolean abandon(Segment coldHead, long jobId) {
        try {
            namespace.addGarbage(List.of(coldHead));
            namespace.removeWork(jobId);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not queue an abandoned cold copy for deletion (retried at next start): {}", e.toString());
            return false;
        }
    }

    private static ObjectVersion withSegments(ObjectVersion v, List<Segment> segments) {
        return new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(), segments, false,
                v.partChecksums(), v.attributes());
    }

    /** The bytes streamed must make the version's ETag: MD5 for one part, MD5 of the parts' MD5s for multipart. */
    private static void checkEtag(ObjectVersion v, Digests d) {
        String expected = v.etag();
        String actual;
        if (v.partCount() == 0) {
            actual = HexFormat.of().formatHex(d.md5(0));
        } else {
            List<byte[]> md5s = new ArrayList<>();
            for (int i = 0; i < v.segments().size(); i++) md5s.add(d.md5(i));
            // Empty parts have no segment; S3 allows only the last part to be that small.
            while (md5s.size() < v.partCount()) md5s.add(HexFormat.of().parseHex(EMPTY_MD5));
            MessageDigest all = newMd5();
            for (byte[] m : md5s) all.update(m);
            actual = HexFormat.of().formatHex(all.digest()) + "-" + v.partCount();
        }
        if (!expected.equalsIgnoreCase(actual)) {
            throw new TierException(TierException.Reason.CORRUPT, v.bucket() + "/" + v.key() + " version "
                    + v.versionId() + ": the bytes moved make ETag " + actual + ", the version's is " + expected);
        }
    }

    /**
     * The bytes streamed must also make the client's flexible checksums the version carries
     * ({@code x-amz-checksum-*}, returned unchanged wherever the version lives): over the whole
     * object, or for a COMPOSITE multipart checksum ({@code value-N}) the checksum of the parts'
     * checksums. Algorithms this build does not know are left to the ETag and block checks.
     */
    private static void checkChecksums(ObjectVersion v, Digests d) {
        for (var e : v.checksums().entrySet()) {
            Optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithm.parse(e.getKey());
            if (algorithm.isEmpty()) continue;
            ChecksumAlgorithm a = algorithm.get();
            String expected = e.getValue();
            String actual;
            if (expected.contains("-")) {
                List<String> parts = new ArrayList<>(d.partChecksums(a));
                String empty = a.newChecksummer().base64();
                while (parts.size() < v.partCount()) parts.add(empty);   // an empty last part has no segment
                actual = a.composite(parts) + "-" + parts.size();
            } else {
                actual = d.wholeChecksum(a);
            }
            if (!expected.equals(actual)) {
                throw new TierException(TierException.Reason.CORRUPT, v.bucket() + "/" + v.key() + " version "
                        + v.versionId() + ": the bytes moved make " + a + " " + actual + ", the version's is " + expected);
            }
        }
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Per-segment MD5 and per-block CRC32C of bytes fed in order across the segments. */
    private static final class Digests {
        private final List<Long> sizes;
        private final byte[][] md5s;
        private final List<int[]> crcs = new ArrayList<>();
        private int segment;
        private long inSegment;
        private long inBlock;
        private MessageDigest md5 = newMd5();
        private final CRC32C crc = new CRC32C();
        private final List<Integer> blockCrcs = new ArrayList<>();
        /** The version's whole-object flexible checksums, computed over every byte. */
        private final Map<ChecksumAlgorithm, Checksummer> whole = new EnumMap<>(ChecksumAlgorithm.class);
        /** COMPOSITE ones: the running checksum of the current segment (part), and those of the parts done. */
        private final Map<ChecksumAlgorithm, Checksummer> part = new EnumMap<>(ChecksumAlgorithm.class);
        private final Map<ChecksumAlgorithm, List<String>> parts = new EnumMap<>(ChecksumAlgorithm.class);

        Digests(List<Long> sizes, Map<String, String> checksums) {
            this.sizes = sizes;
            this.md5s = new byte[sizes.size()][];
            checksums.forEach((name, value) -> ChecksumAlgorithm.parse(name).ifPresent(a -> {
                if (value.contains("-")) {
                    part.put(a, a.newChecksummer());
                    parts.put(a, new ArrayList<>());
                } else {
                    whole.put(a, a.newChecksummer());
                }
            }));
            skipEmpty();
        }

        String wholeChecksum(ChecksumAlgorithm a) {
            return whole.get(a).base64();
        }

        List<String> partChecksums(ChecksumAlgorithm a) {
            return parts.get(a);
        }

        private void endPart() {
            for (var e : part.entrySet()) {
                parts.get(e.getKey()).add(e.getValue().base64());
                e.setValue(e.getKey().newChecksummer());
            }
        }

        void update(byte[] b, int off, int len) {
            while (len > 0) {
                long segLeft = sizes.get(segment) - inSegment;
                int n = (int) Math.min(len, Math.min(segLeft, BLOCK_SIZE - inBlock));
                md5.update(b, off, n);
                crc.update(b, off, n);
                for (Checksummer c : whole.values()) c.update(b, off, n);
                for (Checksummer c : part.values()) c.update(b, off, n);
                off += n;
                len -= n;
                inSegment += n;
                inBlock += n;
                if (inBlock == BLOCK_SIZE || inSegment == sizes.get(segment)) {
                    blockCrcs.add((int) crc.getValue());
                    crc.reset();
                    inBlock = 0;
                }
                if (inSegment == sizes.get(segment)) {
                    md5s[segment] = md5.digest();
                    endPart();
                    crcs.add(blockCrcs.stream().mapToInt(Integer::intValue).toArray());
                    blockCrcs.clear();
                    md5 = newMd5();
                    segment++;
                    inSegment = 0;
                    skipEmpty();
                }
            }
        }

        private void skipEmpty() {
            while (segment < sizes.size() && sizes.get(segment) == 0) {
                md5s[segment] = md5.digest();
                endPart();
                crcs.add(new int[0]);
                segment++;
            }
        }

        byte[] md5(int i) {
            if (md5s[i] == null) throw new TierException(TierException.Reason.LENGTH_MISMATCH, "segment " + i + " incomplete");
            return md5s[i];
        }

        int[] crcs(int i) {
            return crcs.get(i);
        }
    }

    /** Feeds every byte read through {@link Digests}. */
    private static final class DigestingStream extends FilterInputStream {
        private final Digests digests;

        DigestingStream(InputStream in, Digests digests) {
            super(in);
            this.digests = digests;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) digests.update(new byte[]{(byte) b}, 0, 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) digests.update(b, off, n);
            return n;
        }

        @Override
        public long skip(long n) {
            throw new UnsupportedOperationException("digesting streams are read, not skipped");
        }
    }
}
