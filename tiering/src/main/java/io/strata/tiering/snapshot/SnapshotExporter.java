package io.strata.tiering.snapshot;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceView;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierMover;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a snapshot of chosen buckets of a namespace checkpoint into a repository
 * (docs/snapshot-format.md): data objects first, then each bucket's range files, then the root,
 * which alone makes the snapshot exist. An export that dies leaves no root, hence no snapshot, and
 * its data objects and ranges are reused by the next export (their paths name their content).
 * {@link SnapshotExports} makes an export durable: it resumes from the last range file written.
 *
 * <p><b>Incremental.</b> Given a parent snapshot in the same repository, the parent's entries are
 * merge-joined with the checkpoint's, key by key in the same order (memory: one key's versions): a
 * version whose data id the parent already holds in the repository is referenced, not uploaded, and
 * a range whose entries did not change has the same bytes and name, so it is not uploaded either.
 *
 * <p><b>Cold data.</b> A version in a cold tier is referenced (tier, cold object), not copied,
 * unless the export is self-contained.
 *
 * <p><b>Checks.</b> Each data object goes up with the version's own part sizes, Content-MD5 (single
 * part) and checksums, and the ETag the repository answers must equal the version's: a mismatch
 * deletes the object and fails the export with CORRUPT.
 *
 * <p><b>Parallel uploads.</b> Versions are planned in order in batches (64 versions or 256 MiB of
 * new data), each batch's new data objects uploaded {@link Options#parallelUploads} at a time, then
 * its entries written in order: range files are the same whatever the parallelism. Memory: one
 * listing page of records, plus one repository buffer per upload in flight.
 *
 * <p>Not thread-safe: one export per instance at a time.
 */
public final class SnapshotExporter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExporter.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: the first data object an export would
     * upload is skipped while its entry is still written, as a lost upload would leave it. The
     * disaster-recovery drill's negative control: a repository missing one object must fail it.
     */
    static final String FAULT_DROP_ONE_DATA_OBJECT = "snapshot-drop-one-data-object";
    /**
     * Test-only fault, named by {@code STRATA_TEST_FAULT}: an export taken with a replication cut keeps
     * every version, as if it had none (the root still records the cut). The negative control of the
     * conformance test of a snapshot consistent with a replicating site.
     */
    static final String FAULT_IGNORE_CUT = "snapshot-ignore-consistency-cut";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int PAGE = 1000;
    /** Change log entries read per page when checking that the buckets are unchanged since the parent. */
    private static final int CHANGE_PAGE = 1000;
    /**
     * Change log entries read at most for that check: past this many changes since the parent (in
     * any bucket), listing the buckets costs about as much as reading the log.
     */
    static final long MAX_SCANNED_CHANGES = 1_000_000;
    /**
     * Versions uploaded as one batch before their entries are written. A batch is what a stopped
     * export may redo beyond its last range file, and one journal write: small enough to resume
     * close to where it stopped, large enough to keep every upload slot busy.
     */
    private static final int BATCH_VERSIONS = 64;
    /** A batch also ends once its new data reaches this many bytes. */
    private static final long BATCH_BYTES = 256L << 20;

    /**
     * @param selfContained   copy cold-tier versions into the repository instead of referencing them
     * @param rangeKeyBits    a range may end after a key whose hash has this many low bits zero (about 2^bits keys per range)
     * @param maxRangeEntries a range ends at this many entries whatever the keys
     * @param parallelUploads data objects uploaded at once (1 to {@value #MAX_PARALLEL_UPLOADS})
     */
    public record Options(boolean selfContained, int rangeKeyBits, int maxRangeEntries, int parallelUploads) {
        public static final int DEFAULT_PARALLEL_UPLOADS = 4;
        public static final int MAX_PARALLEL_UPLOADS = 256;
        public static final Options DEFAULT = new Options(false, 12, 65_536, DEFAULT_PARALLEL_UPLOADS);

        public Options {
            if (rangeKeyBits < 0 || rangeKeyBits > 30) throw new IllegalArgumentException("rangeKeyBits out of range");
            if (maxRangeEntries < 1) throw new IllegalArgumentException("maxRangeEntries < 1");
            if (parallelUploads < 1 || parallelUploads > MAX_PARALLEL_UPLOADS) {
                throw new IllegalArgumentException("parallelUploads must be 1 to " + MAX_PARALLEL_UPLOADS);
            }
        }

        /** With the default parallelism. */
        public Options(boolean selfContained, int rangeKeyBits, int maxRangeEntries) {
            this(selfContained, rangeKeyBits, maxRangeEntries, DEFAULT_PARALLEL_UPLOADS);
        }

        public Options withParallelUploads(int n) {
            return new Options(selfContained, rangeKeyBits, maxRangeEntries, n);
        }
    }

    /** What an export did: the locator to hand out, the root, and what was uploaded versus reused. */
    public record Result(SnapshotLocator locator, SnapshotRoot root, long versions, long dataUploaded,
                         long dataUploadedBytes, long dataReused, long dataAlreadyPresent, long coldReferenced,
                         int rangesUploaded, int rangesReused) {

        static Result of(SnapshotLocator locator, SnapshotRoot root, Counters c) {
            return new Result(locator, root, c.versions(), c.dataUploaded(), c.dataUploadedBytes(), c.dataReused(),
                    c.dataPresent(), c.coldReferenced(), (int) c.rangesUploaded(), (int) c.rangesReused());
        }

        /** The result as the root's stats recorded it (an export that had written its root before it stopped). */
        static Result ofRoot(SnapshotLocator locator, SnapshotRoot root) {
            return of(locator, root, Counters.ofStats(root.stats()));
        }
    }

    /**
     * An export's counters. While it runs, they count exactly the entries of the range files written
     * so far (and those range files), so persisted with its cursor they stay exact across a resume.
     *
     * @param dataPresent data objects found in the repository already, not uploaded by this attempt
     *                    (written by an earlier export that did not finish, or by this export before
     *                    it was stopped)
     */
    public record Counters(long versions, long bytes, long dataUploaded, long dataUploadedBytes, long dataReused,
                    long dataPresent, long coldReferenced, long rangesUploaded, long rangesReused) {
        static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0, 0);

        Counters plus(Counters o) {
            return new Counters(versions + o.versions, bytes + o.bytes, dataUploaded + o.dataUploaded,
                    dataUploadedBytes + o.dataUploadedBytes, dataReused + o.dataReused, dataPresent + o.dataPresent,
                    coldReferenced + o.coldReferenced, rangesUploaded + o.rangesUploaded, rangesReused + o.rangesReused);
        }

        /** The root's stats (docs/snapshot-format.md §3): every counter by name. */
        Map<String, Long> stats() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("versions", versions);
            m.put("bytes", bytes);
            m.put("newData", dataUploaded);
            m.put("newDataBytes", dataUploadedBytes);
            m.put("reusedData", dataReused);
            m.put("presentData", dataPresent);
            m.put("coldReferences", coldReferenced);
            m.put("newRanges", rangesUploaded);
            m.put("reusedRanges", rangesReused);
            return m;
        }

        static Counters ofStats(Map<String, Long> s) {
            return new Counters(s.getOrDefault("versions", 0L), s.getOrDefault("bytes", 0L), s.getOrDefault("newData", 0L),
                    s.getOrDefault("newDataBytes", 0L), s.getOrDefault("reusedData", 0L), s.getOrDefault("presentData", 0L),
                    s.getOrDefault("coldReferences", 0L), s.getOrDefault("newRanges", 0L), s.getOrDefault("reusedRanges", 0L));
        }
    }

    /**
     * Where an export continues: the bucket (index into the chosen buckets, in name order), the
     * ListObjectVersions markers after the last entry of the last range file written, the range
     * files written so far for each bucket up to that one, and the counters at that point.
     */
    record Start(int bucket, String keyMarker, String versionIdMarker, List<List<SnapshotRoot.RangeRef>> ranges,
                 Counters counters) {
        static final Start BEGINNING = new Start(0, "", "", List.of(), Counters.ZERO);

        Start {
            ranges = ranges.stream().<List<SnapshotRoot.RangeRef>>map(List::copyOf).toList();
        }
    }

    /** What an export tells the one who makes it durable ({@link SnapshotExports}). */
    interface Journal {
        /** Nothing recorded: objects already in the repository are found by the create itself. */
        Journal NONE = new Journal() {
            @Override
            public boolean durable() {
                return false;
            }

            @Override
            public void creating(List<String> paths) {
            }

            @Override
            public void rangeDone(int bucket, SnapshotRoot.RangeRef range, String keyMarker, String versionIdMarker,
                                  Counters counters) {
            }
        };

        /**
         * Whether objects are first checked absent and announced with {@link #creating}, so that an
         * abort knows exactly what this export created.
         */
        boolean durable();

        /** The export is about to create these paths, absent from the repository; durable on return. */
        void creating(List<String> paths);

        /**
         * A range file is in the repository and everything it names too; the export continues after
         * (keyMarker, versionIdMarker) of bucket {@code bucket} with {@code counters}.
         */
        void rangeDone(int bucket, SnapshotRoot.RangeRef range, String keyMarker, String versionIdMarker, Counters counters);
    }

    private final SnapshotRepository repository;
    private final VersionData data;
    private final Path workDir;
    private final Options options;
    /** Whether this export skipped its one data object under the test fault. */
    private final java.util.concurrent.atomic.AtomicBoolean droppedByFault = new java.util.concurrent.atomic.AtomicBoolean();

    /** @param workDir where range files are spooled while written and read (must exist) */
    public SnapshotExporter(SnapshotRepository repository, VersionData data, Path workDir, Options options) {
        this.repository = repository;
        this.data = data;
        this.workDir = workDir;
        this.options = options;
    }

    /**
     * Takes a point-in-time checkpoint of {@code namespace} (garbage mark first, so data of versions
     * in it that die meanwhile stays readable), exports {@code buckets} from it, then drops the
     * checkpoint and releases the mark, whether the export succeeded or not. Not durable: a process
     * killed meanwhile leaves the mark and the checkpoint ({@link SnapshotExports} is the durable way).
     */
    public Result snapshot(Namespace namespace, List<BucketName> buckets, Optional<String> parent) {
        String mark = "snapshot:" + HexFormat.of().formatHex(randomBytes(6));
        Path checkpoint = workDir.resolve("checkpoint-" + mark.substring(9));
        try {
            namespace.checkpoint(mark, checkpoint);
            try (NamespaceView view = Namespace.openCheckpoint(checkpoint)) {
                return export(view, buckets, parent);
            }
        } finally {
            deleteTree(checkpoint);
            namespace.releaseGarbageMark(mark);
        }
    }

    /**
     * Exports {@code buckets} (all when empty) as they are in {@code view}, incrementally from
     * {@code parent} when given.
     *
     * @throws SnapshotException INVALID for an unknown bucket or parent, CORRUPT when data read or
     *         stored fails its check, UNAVAILABLE or REJECTED from the repository
     */
    public Result export(NamespaceView view, List<BucketName> buckets, Optional<String> parent) {
        return run(view, newSnapshotId(view.takenAt()), buckets, parent, Optional.empty(), Start.BEGINNING, Journal.NONE);
    }

    /** A fresh snapshot id for a snapshot taken at {@code time} (docs/snapshot-format.md §3). */
    static String newSnapshotId(java.time.Instant time) {
        return ID_TIME.format(time) + "-" + HexFormat.of().formatHex(randomBytes(4));
    }

    /**
     * Exports {@code buckets} of {@code view} as snapshot {@code id}, continuing at {@code start},
     * telling {@code journal} what it creates and each range file it completes. A root already
     * written with the same bytes (the export had finished) is success. With a {@code cut}, the
     * replicas it excludes are left out; the parent's ranges are then never named again unchanged
     * without listing (the change log says nothing of which replicas the cut leaves out).
     *
     * @throws SnapshotException INVALID when the cut has no point for a chosen bucket
     */
    Result run(NamespaceView view, String id, List<BucketName> buckets, Optional<String> parent,
               Optional<ConsistencyCut> cut, Start start, Journal journal) {
        List<Bucket> chosen = chosenBuckets(view, buckets);
        for (Bucket b : chosen) {
            if (cut.isPresent() && !cut.get().until().containsKey(b.name().value())) {
                throw new SnapshotException(Reason.INVALID, "bucket " + b.name() + " has no point received from site "
                        + cut.get().site() + " to cut at");
            }
        }
        Optional<SnapshotRoot> parentRoot = parent.map(this::readParent);
        writeMarker(journal);
        Optional<SnapshotRoot> same = parentRoot.filter(p -> cut.isEmpty() && start.equals(Start.BEGINNING)
                && unchangedSince(p, view, chosen));
        if (same.isPresent()) return sameAsParent(view, id, chosen, same.get());
        Counters counters = start.counters();
        List<SnapshotRoot.BucketRoot> bucketRoots = new ArrayList<>();
        try {
            for (int i = 0; i < chosen.size(); i++) {
                Bucket b = chosen.get(i);
                List<SnapshotRoot.RangeRef> written = i < start.ranges().size() ? start.ranges().get(i) : List.of();
                if (i < start.bucket()) {
                    bucketRoots.add(bucketRoot(view, b, written));
                    continue;
                }
                boolean here = i == start.bucket();
                Optional<SnapshotRoot.BucketRoot> parentBucket = parentRoot.flatMap(r -> r.bucket(b.name().value()));
                BucketRun run = new BucketRun(i, counters, journal, written, cut);
                bucketRoots.add(run.export(view, b, parentBucket, here ? start.keyMarker() : "",
                        here ? start.versionIdMarker() : ""));
                counters = run.committed;
            }
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot spool range files in " + workDir + ": " + e, e);
        }
        SnapshotRoot root = new SnapshotRoot(SnapshotFormat.MAJOR, SnapshotFormat.MINOR, id, parent, view.sequence(),
                view.takenAt(), options.selfContained() || counters.coldReferenced() == 0, bucketRoots, counters.stats(), cut);
        SnapshotLocator locator = writeRoot(id, root);
        LOG.info("snapshot {} written to {}: {} versions, {} data objects uploaded ({} bytes), {} reused, "
                        + "{} cold references, {} range files uploaded, {} reused", id, repository.location(),
                counters.versions(), counters.dataUploaded(), counters.dataUploadedBytes(),
                counters.dataReused() + counters.dataPresent(), counters.coldReferenced(), counters.rangesUploaded(),
                counters.rangesReused());
        return Result.of(locator, root, counters);
    }

    /**
     * Whether every chosen bucket holds exactly what {@code parent} holds of it, known without
     * listing it: the parent covers exactly these buckets (created at the same instants, so not a
     * namespace started afresh), no less self-contained than asked, and the view's change log holds
     * no version change and no bucket re-creation of them after the parent's sequence. The view
     * holds a mutation exactly when it holds its entry (one write batch), and the parent holds
     * every mutation up to its sequence, so such a view differs from the parent at most in bucket
     * settings, which come from the view anyway. A log trimmed past the parent's sequence, or more
     * than {@value #MAX_SCANNED_CHANGES} entries to read, answers false: the buckets are then walked.
     */
    private boolean unchangedSince(SnapshotRoot parent, NamespaceView view, List<Bucket> chosen) {
        if (options.selfContained() && !parent.selfContained()) return false;
        if (parent.sequence() > view.sequence() || parent.buckets().size() != chosen.size()) return false;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Bucket b : chosen) {
            Optional<SnapshotRoot.BucketRoot> pb = parent.bucket(b.name().value());
            if (pb.isEmpty() || !pb.get().created().equals(b.created())) return false;
            names.add(b.name().value());
        }
        long after = parent.sequence();
        try {
            for (long read = 0; read < MAX_SCANNED_CHANGES; ) {
                io.strata.namespace.ChangePage page = view.changes(after, CHANGE_PAGE);
                for (io.strata.namespace.ChangeEntry e : page.entries()) {
                    boolean versions = e.kind().aboutVersion() || e.kind() == io.strata.namespace.ChangeEntry.Kind.BUCKET_CREATED
                            || e.kind() == io.strata.namespace.ChangeEntry.Kind.BUCKET_DELETED;
                    if (versions && names.contains(e.bucket().value())) return false;
                }
                if (!page.more()) return true;
                read += page.entries().size();
                after = page.nextAfter();
            }
            return false;
        } catch (io.strata.namespace.ChangeFeedException e) {
            LOG.info("snapshot of {}: the change log no longer reaches back to parent {} ({}); listing every version",
                    names, parent.snapshot(), e.getMessage());
            return false;
        }
    }

    /**
     * The snapshot of buckets unchanged since {@code parent}: its range files (and through them its
     * data objects) named again, nothing uploaded; the bucket settings are the view's. Its stats are
     * the parent's totals, every data object and range file counted as reused.
     */
    private Result sameAsParent(NamespaceView view, String id, List<Bucket> chosen, SnapshotRoot parent) {
        Counters p = Counters.ofStats(parent.stats());
        Counters counters = new Counters(p.versions(), p.bytes(), 0, 0, p.dataUploaded() + p.dataReused() + p.dataPresent(),
                0, p.coldReferenced(), 0, p.rangesUploaded() + p.rangesReused());
        List<SnapshotRoot.BucketRoot> bucketRoots = chosen.stream()
                .map(b -> bucketRoot(view, b, parent.bucket(b.name().value()).orElseThrow().ranges())).toList();
        SnapshotRoot root = new SnapshotRoot(SnapshotFormat.MAJOR, SnapshotFormat.MINOR, id, Optional.of(parent.snapshot()),
                view.sequence(), view.takenAt(), parent.selfContained(), bucketRoots, counters.stats());
        SnapshotLocator locator = writeRoot(id, root);
        LOG.info("snapshot {} written to {}: its {} buckets are unchanged since snapshot {} (change log from sequence {}), "
                        + "{} versions and {} range files named again, nothing uploaded", id, repository.location(),
                chosen.size(), parent.snapshot(), parent.sequence(), counters.versions(), counters.rangesReused());
        return Result.of(locator, root, counters);
    }

    private List<Bucket> chosenBuckets(NamespaceView view, List<BucketName> buckets) {
        List<Bucket> chosen = new ArrayList<>();
        if (buckets.isEmpty()) {
            chosen.addAll(view.buckets());
        } else {
            for (BucketName b : buckets) {
                chosen.add(view.bucket(b).orElseThrow(() -> new SnapshotException(Reason.INVALID,
                        "no bucket " + b + " in the namespace checkpoint")));
            }
        }
        chosen.sort(Comparator.comparing(b -> b.name().value()));
        return chosen;
    }

    private SnapshotLocator writeRoot(String id, SnapshotRoot root) {
        byte[] rootBytes = root.encode().getBytes(StandardCharsets.UTF_8);
        String sha = SnapshotFormat.sha256Hex(rootBytes);
        SnapshotRepository.Stored stored = repository.putIfAbsent(SnapshotFormat.rootPath(id),
                (offset, length) -> new java.io.ByteArrayInputStream(rootBytes, (int) offset, (int) length),
                SnapshotRepository.Spec.document(rootBytes.length, "application/json", md5Hex(rootBytes)));
        // An export stopped after its root was written writes the same bytes again on resume.
        if (!stored.created() && !sha.equals(SnapshotFormat.sha256Hex(SnapshotReader.readRootBytes(repository, id)))) {
            throw new SnapshotException(Reason.REJECTED, "snapshot " + id + " already exists in " + repository.location());
        }
        return new SnapshotLocator(repository.location(), id, sha);
    }

    private SnapshotRoot readParent(String parentId) {
        try {
            return SnapshotReader.readRoot(repository, parentId);
        } catch (SnapshotException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                throw new SnapshotException(Reason.INVALID, "no parent snapshot " + parentId + " in " + repository.location(), e);
            }
            throw e;
        }
    }

    private void writeMarker(Journal journal) {
        Optional<Long> size = repository.size(SnapshotFormat.MARKER);
        if (size.isPresent()) {
            SnapshotReader.checkMarker(repository);
            return;
        }
        if (journal.durable()) journal.creating(List.of(SnapshotFormat.MARKER));
        byte[] marker = (SnapshotFormat.marker() + "\n").getBytes(StandardCharsets.UTF_8);
        repository.putIfAbsent(SnapshotFormat.MARKER,
                (offset, length) -> new java.io.ByteArrayInputStream(marker, (int) offset, (int) length),
                SnapshotRepository.Spec.document(marker.length, "application/json", md5Hex(marker)));
    }

    private static SnapshotRoot.BucketRoot bucketRoot(NamespaceView view, Bucket bucket, List<SnapshotRoot.RangeRef> refs) {
        return new SnapshotRoot.BucketRoot(bucket.name().value(), bucket.created(), bucket.region(), bucket.owner(),
                bucket.versioning().name(), view.bucketConfigs(bucket.name()), refs);
    }

    /**
     * One bucket's walk. Counters of entries not yet in a finished range file are pending; a range
     * file's completion commits them, so what the journal records always matches the range files.
     */
    private final class BucketRun implements RangeWriter.Listener {
        private final int index;
        private final Journal journal;
        private final List<SnapshotRoot.RangeRef> written;
        private Counters committed;
        private Counters pending = Counters.ZERO;
        /** The cut to apply, empty when none (or under {@link #FAULT_IGNORE_CUT}). */
        private final Optional<ConsistencyCut> cut;

        BucketRun(int index, Counters committed, Journal journal, List<SnapshotRoot.RangeRef> written,
                  Optional<ConsistencyCut> cut) {
            this.index = index;
            this.committed = committed;
            this.journal = journal;
            this.written = written;
            if (cut.isPresent() && FAULT_IGNORE_CUT.equals(fault())) {
                LOG.warn("STRATA_TEST_FAULT={}: the export keeps the replicas from site {} after its cut", FAULT_IGNORE_CUT,
                        cut.get().site());
                cut = Optional.empty();
            }
            this.cut = cut;
        }

        @Override
        public boolean creating(String path) {
            if (!journal.durable()) return true;
            if (repository.size(path).isPresent()) return false;
            journal.creating(List.of(path));
            return true;
        }

        @Override
        public void finished(SnapshotRoot.RangeRef range, boolean created, String lastKey, String lastVersionId) {
            committed = committed.plus(pending).plus(new Counters(0, 0, 0, 0, 0, 0, 0, created ? 1 : 0, created ? 0 : 1));
            pending = Counters.ZERO;
            journal.rangeDone(index, range, lastKey, lastVersionId, committed);
        }

        SnapshotRoot.BucketRoot export(NamespaceView view, Bucket bucket, Optional<SnapshotRoot.BucketRoot> parent,
                                       String keyMarker, String versionIdMarker) throws IOException {
            String name = bucket.name().value();
            // The parent's ranges wholly before the place we continue from are not read again.
            byte[] from = keyMarker.getBytes(StandardCharsets.UTF_8);
            List<SnapshotRoot.RangeRef> parentRanges = parent.map(SnapshotRoot.BucketRoot::ranges).orElse(List.of()).stream()
                    .filter(r -> Arrays.compareUnsigned(r.last().getBytes(StandardCharsets.UTF_8), from) >= 0).toList();
            try (RangeWriter ranges = new RangeWriter(repository, workDir, options.rangeKeyBits(), options.maxRangeEntries(),
                    written, this);
                 BucketEntries parentEntries = new BucketEntries(repository, parentRanges, workDir)) {
                String km = keyMarker;
                String vm = versionIdMarker;
                String parentKey = null;
                Map<String, SnapshotEntry> parentVersions = new HashMap<>();
                while (true) {
                    VersionPage page = view.listVersions(bucket.name(), new VersionQuery("", "", km, vm, PAGE));
                    List<Planned> batch = new ArrayList<>();
                    long batchBytes = 0;
                    for (VersionPage.Entry listed : page.versions()) {
                        ObjectVersion v = listed.version();
                        // A replica past the cut is not part of the origin's history up to the point: left
                        // out, as if it had not arrived yet. The listing's markers still move past it.
                        if (cut.isPresent() && cut.get().excludes(name, v)) continue;
                        String key = v.key().value();
                        if (!key.equals(parentKey)) {
                            parentKey = key;
                            parentVersions = parentVersionsOf(parentEntries, key);
                        }
                        Planned p = plan(name, v, parentVersions);
                        batch.add(p);
                        if (p.path != null) batchBytes += v.size();
                        if (batch.size() >= BATCH_VERSIONS || batchBytes >= BATCH_BYTES) {
                            write(name, batch, ranges);
                            batch.clear();
                            batchBytes = 0;
                        }
                    }
                    write(name, batch, ranges);
                    if (!page.truncated()) break;
                    km = page.nextKeyMarker();
                    vm = page.nextVersionIdMarker();
                }
                ranges.finish();
                return bucketRoot(view, bucket, ranges.ranges());
            }
        }

        /** Uploads a batch's new data objects, then writes its entries in order. */
        private void write(String bucket, List<Planned> batch, RangeWriter ranges) throws IOException {
            upload(bucket, batch, journal);
            for (Planned p : batch) {
                ranges.add(p.entry());
                pending = pending.plus(p.delta);
            }
        }
    }

    /** The parent's entries of {@code key} by data id, skipping the parent's earlier keys. */
    private static Map<String, SnapshotEntry> parentVersionsOf(BucketEntries parent, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        while (parent.peek() != null && Arrays.compareUnsigned(parent.peek().key().getBytes(StandardCharsets.UTF_8), k) < 0) {
            parent.next();
        }
        Map<String, SnapshotEntry> out = new HashMap<>();
        while (parent.peek() != null && parent.peek().key().equals(key)) {
            SnapshotEntry e = parent.next();
            e.data().ifPresent(d -> out.put(d.id(), e));
        }
        return out;
    }

    /** One version of a page: where its bytes go, and what it adds to the counters once written. */
    private static final class Planned {
        final ObjectVersion version;
        /** The data object to create, or null when the version needs none. */
        final String path;
        SnapshotEntry.Data data;
        Counters delta;

        Planned(ObjectVersion version, String path, SnapshotEntry.Data data, Counters delta) {
            this.version = version;
            this.path = path;
            this.data = data;
            this.delta = delta;
        }

        SnapshotEntry entry() {
            ObjectVersion v = version;
            if (v.deleteMarker()) {
                return new SnapshotEntry(v.key().value(), v.versionId(), true, v.lastModified(), 0, "", "", Map.of(),
                        Map.of(), Map.of(), List.of(), List.of(), Optional.empty());
            }
            return new SnapshotEntry(v.key().value(), v.versionId(), false, v.lastModified(), v.size(), v.etag(),
                    v.contentType(), v.headers(), v.userMetadata(), v.checksums(), SnapshotFormat.partSizes(v),
                    v.partChecksums(), Optional.of(data), v.attributes());
        }

        /** The counters of this version once its data object is in the repository. */
        void stored(boolean created) {
            long size = version.size();
            data = new SnapshotEntry.InRepository(SnapshotFormat.dataId(version), path, TierMover.storageClass(version));
            delta = created ? new Counters(1, size, 1, size, 0, 0, 0, 0, 0) : new Counters(1, size, 0, 0, 0, 1, 0, 0, 0);
        }
    }

    private Planned plan(String bucket, ObjectVersion v, Map<String, SnapshotEntry> parentVersions) {
        if (v.deleteMarker()) return new Planned(v, null, null, new Counters(1, 0, 0, 0, 0, 0, 0, 0, 0));
        long size = v.size();
        String id = SnapshotFormat.dataId(v);
        Optional<DataRef.ColdName> cold = TierMover.coldName(v);
        if (cold.isPresent() && !options.selfContained()) {
            DataRef.ColdName c = cold.get();
            return new Planned(v, null, new SnapshotEntry.InColdTier(id, c.tier(), c.id().bucket(), c.id().key(),
                    c.id().versionId(), c.storageClass()), new Counters(1, size, 0, 0, 0, 0, 1, 0, 0));
        }
        SnapshotEntry parentEntry = parentVersions.get(id);
        if (parentEntry != null && parentEntry.data().orElseThrow() instanceof SnapshotEntry.InRepository r) {
            // The class is the version's now (it may have moved to a cold tier since the parent).
            return new Planned(v, null, new SnapshotEntry.InRepository(r.id(), r.path(), TierMover.storageClass(v)),
                    new Counters(1, size, 0, 0, 1, 0, 0, 0, 0));
        }
        return new Planned(v, SnapshotFormat.dataPath(bucket, v.key().value(), id), null, null);
    }

    /**
     * Creates the data objects the page's versions need, {@link Options#parallelUploads} at a time.
     * With a durable journal, objects already present are found first and the rest announced in one
     * journal record before any is created.
     */
    private void upload(String bucket, List<Planned> plans, Journal journal) {
        List<Planned> todo = plans.stream().filter(p -> p.path != null).toList();
        if (todo.isEmpty()) return;
        if (journal.durable()) {
            parallel(todo, p -> {
                if (repository.size(p.path).isPresent()) p.stored(false);
            });
            todo = todo.stream().filter(p -> p.delta == null).toList();
            if (todo.isEmpty()) return;
            journal.creating(todo.stream().map(p -> p.path).toList());
        }
        boolean checked = journal.durable();
        if (FAULT_DROP_ONE_DATA_OBJECT.equals(fault()) && droppedByFault.compareAndSet(false, true)) {
            Planned dropped = todo.getFirst();
            LOG.warn("STRATA_TEST_FAULT={}: the data object of {}/{} version {} is not uploaded, its entry is written",
                    FAULT_DROP_ONE_DATA_OBJECT, bucket, dropped.version.key(), dropped.version.versionId());
            dropped.stored(true);
            todo = todo.subList(1, todo.size());
        }
        parallel(todo, p -> p.stored(put(bucket, p.version, p.path, checked)));
    }

    private static String fault() {
        String f = System.getProperty("strata.test.fault");
        return f != null ? f : System.getenv("STRATA_TEST_FAULT");
    }

    /**
     * Stores one version's bytes at {@code path}; whether this call created the object.
     * {@code checked}: the path was just found absent.
     */
    private boolean put(String bucket, ObjectVersion v, String path, boolean checked) {
        List<Long> parts = SnapshotFormat.partSizes(v);
        boolean singleMd5 = parts.isEmpty() && v.etag().matches("[0-9a-fA-F]{32}");
        SnapshotRepository.Spec spec = new SnapshotRepository.Spec(v.size(), parts, v.contentType(), v.userMetadata(),
                singleMd5 ? Optional.of(v.etag().toLowerCase(java.util.Locale.ROOT)) : Optional.empty(),
                v.checksums(), v.partChecksums());
        SnapshotRepository.Source source = (offset, length) -> data.open(v, offset, length);
        SnapshotRepository.Stored stored = checked ? repository.putIfAbsentChecked(path, source, spec)
                : repository.putIfAbsent(path, source, spec);
        // Not created: written by an earlier export that did not finish (or a parent not given): same id, same bytes.
        if (stored.created() && !stored.etag().isEmpty() && !stored.etag().equalsIgnoreCase(v.etag())) {
            repository.delete(path);
            throw new SnapshotException(Reason.CORRUPT, bucket + "/" + v.key() + " version " + v.versionId()
                    + ": the repository computed ETag " + stored.etag() + ", the version has " + v.etag());
        }
        return stored.created();
    }

    /**
     * Runs {@code action} on every item, at most {@link Options#parallelUploads} at once, and returns
     * when all have ended; the first failure is thrown, later ones suppressed into it.
     */
    private <T> void parallel(List<T> items, java.util.function.Consumer<T> action) {
        if (options.parallelUploads() == 1 || items.size() == 1) {
            items.forEach(action);
            return;
        }
        Semaphore slots = new Semaphore(options.parallelUploads());
        List<Future<?>> futures = new ArrayList<>(items.size());
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (T item : items) {
                futures.add(executor.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        action.accept(item);
                    } finally {
                        slots.release();
                    }
                }));
            }
        }
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                RuntimeException r = e.getCause() instanceof RuntimeException re ? re
                        : new SnapshotException(Reason.UNAVAILABLE, "upload failed: " + e.getCause(), e.getCause());
                if (first == null) first = r;
                else if (first != r) first.addSuppressed(r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotException(Reason.UNAVAILABLE, "interrupted while uploading", e);
            }
        }
        if (first != null) throw first;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String md5Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
