package io.strata.tiering.snapshot;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceView;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.namespace.WorkItem;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot exports that survive {@code kill -9}. An export is durable state in the namespace's work
 * queues, written before anything it describes:
 * <ul>
 *   <li>one item of kind {@value #KIND}: the snapshot id, the repository's name (resolved by the
 *       caller, so no secret is stored), the buckets, the parent, the garbage mark
 *       ({@code snapshot:<id>}, stable) and the checkpoint directory;</li>
 *   <li>the cursor, kind {@code snapshot.range.<exportId>}: one item per range file once it is in
 *       the repository, with the place after its last entry and the counters there. Range cuts are
 *       content-defined, so a range boundary is where the export continues: the resumed export
 *       writes the same range files an uninterrupted one would;</li>
 *   <li>the journal, kind {@code snapshot.upload.<exportId>}: before the export creates objects
 *       (data, range files, the marker) it checks they are absent and records their paths in one
 *       synced write. It is how an abort, even after a kill, knows exactly what this export
 *       created and nothing else. (A diff against the parent's entries would not do: an object can
 *       be in the repository, absent from the parent, and held by another snapshot.)</li>
 * </ul>
 * {@link #start} records the export and takes the checkpoint (garbage mark first); {@link #resume}
 * runs it from its cursor to its root, then releases the mark, deletes the checkpoint and the
 * records. An object created by the attempt that was killed is found present on resume and counted
 * as {@code dataPresent}; every other counter is exactly that of an uninterrupted run.
 * {@link #abort} deletes what the journal names (never an object that existed before the export
 * checked), with whatever an unfinished create of it left (a multipart upload a kill cut off, a
 * temporary file), releases the mark, deletes the checkpoint and never writes a root.
 *
 * <p>Known limit: two exports of the same source into the same repository at once may share a data
 * object one of them created; aborting that one deletes it under the other. One export per
 * repository at a time is the intended use.
 *
 * <p>Thread-safe; an export runs in one thread at a time (a second {@link #resume} of a running
 * export, or an {@link #abort} of it, is refused).
 */
public final class SnapshotExports {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExports.class);
    /** The work kind of export records. */
    public static final String KIND = "snapshot.export";

    /**
     * The parent a new export of {@code buckets} is incremental from: of the snapshots whose root
     * covers every one of them, the newest as taken ({@link SnapshotRoot#TAKEN_ORDER}: the source's
     * change-log sequence, then time), the same order GC uses when it keeps the newest snapshot of a
     * bucket an export covers. Not the greatest id: an id starts with the wall-clock time, which can
     * go back (an NTP step, a VM restored), and two ids of one second sort by their random suffix.
     * Only roots under {@code snapshots/} count (an export in progress or aborted has none); a root
     * that a forget already copied to {@code forgotten/} (a forget stopped before it deleted the
     * root) is gone for readers, and a root that does not read is skipped, logged.
     *
     * @throws SnapshotException UNAVAILABLE when the repository cannot be listed
     */
    public static Optional<SnapshotRoot> newestCovering(SnapshotRepository repository, java.util.Collection<String> buckets) {
        Set<String> forgotten = new java.util.HashSet<>();
        repository.list(SnapshotGc.FORGOTTEN, p -> {
            if (p.endsWith(".json")) forgotten.add(p.substring(SnapshotGc.FORGOTTEN.length(), p.length() - ".json".length()));
        });
        List<String> ids = new ArrayList<>();
        repository.list(SnapshotFormat.SNAPSHOTS, p -> {
            if (p.endsWith(".json")) ids.add(p.substring(SnapshotFormat.SNAPSHOTS.length(), p.length() - ".json".length()));
        });
        SnapshotRoot newest = null;
        for (String id : ids) {
            if (forgotten.contains(id)) continue;
            try {
                SnapshotRoot root = SnapshotReader.readRoot(repository, id);
                if (!buckets.stream().allMatch(b -> root.bucket(b).isPresent())) continue;
                if (newest == null || SnapshotRoot.TAKEN_ORDER.compare(root, newest) > 0) newest = root;
            } catch (SnapshotException e) {
                LOG.warn("snapshot {} in {} is not a parent candidate: {}", id, repository.location(), e.getMessage());
            }
        }
        return Optional.ofNullable(newest);
    }
    /** The work kind of aborts in progress (payload: the export's id), finished by {@link #resumeAll}. */
    static final String ABORT_KIND = "snapshot.abort";
    /** A failed export is due again after this long, unless the constructor is told otherwise. */
    public static final Duration RETRY_AFTER = Duration.ofMinutes(1);
    /** Test-only fault: resume keeps the counters but forgets the cursor's place and ranges (a negative control). */
    static final String FAULT_IGNORE_CURSOR = "snapshot-resume-from-start-without-cursor";
    /**
     * Test-only fault: the export lists the live namespace instead of its checkpoint (what "reading a
     * live iterator for hours" would give), so the conformance test of a snapshot taken under load
     * must find writes that began after the checkpoint (its negative control).
     */
    static final String FAULT_EXPORT_LIVE = "snapshot-export-live-namespace";
    private static final int PAGE = 256;

    /**
     * Resolves the repository name an export records into the repository. The caller owns what it
     * returns (this service never closes it); secrets stay in the caller's configuration.
     */
    @FunctionalInterface
    public interface Repositories {
        /** @throws SnapshotException NOT_FOUND for an unknown name */
        SnapshotRepository repository(String name);
    }

    /**
     * An export as recorded.
     *
     * @param id         the export's id (its work item's)
     * @param snapshot   the snapshot id its root will have
     * @param repository the repository's name, as {@link Repositories} resolves it
     * @param buckets    the buckets exported (empty: all of the checkpoint's)
     * @param mark       the garbage mark holding the checkpoint's data
     * @param checkpoint the namespace checkpoint's directory
     * @param attempts   failed attempts so far
     * @param lastError  the last failure ("" if none)
     * @param selfContained cold-tier versions are copied into the repository, not referenced
     * @param cut        the replication cut the snapshot leaves later replicas out by, if any
     */
    public record Export(long id, String snapshot, String repository, List<BucketName> buckets, Optional<String> parent,
                         String mark, Path checkpoint, Instant started, int attempts, String lastError,
                         boolean selfContained, Optional<ConsistencyCut> cut) {
        public Export {
            buckets = List.copyOf(buckets);
        }
    }

    private final Namespace namespace;
    private final Repositories repositories;
    private final VersionData data;
    private final Path workDir;
    private final SnapshotExporter.Options options;
    private final Clock clock;
    private final Duration retryAfter;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();

    /**
     * @param workDir where each export keeps its checkpoint and spools its range files, in
     *                {@code snapshot-<id>/}; on the namespace's file system, so checkpoints are
     *                hard links (must exist)
     */
    public SnapshotExports(Namespace namespace, Repositories repositories, VersionData data, Path workDir,
                           SnapshotExporter.Options options, Clock clock) {
        this(namespace, repositories, data, workDir, options, clock, RETRY_AFTER);
    }

    /** As the constructor above, a failed export being due again after {@code retryAfter} (positive). */
    public SnapshotExports(Namespace namespace, Repositories repositories, VersionData data, Path workDir,
                           SnapshotExporter.Options options, Clock clock, Duration retryAfter) {
        if (retryAfter.isNegative() || retryAfter.isZero()) throw new IllegalArgumentException("retryAfter <= 0: " + retryAfter);
        this.retryAfter = retryAfter;
        this.namespace = namespace;
        this.repositories = repositories;
        this.data = data;
        this.workDir = workDir;
        this.options = options;
        this.clock = clock;
    }

    /** How long a failed export waits before it is due again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * The change log cursor of snapshot exports: at the sequence of the newest finished export, so
     * that the log keeps what changed since (within the log's own size and age bounds), for the
     * next incremental export to read instead of listing unchanged buckets.
     */
    public static final String CHANGE_CURSOR = "snapshot-exports";

    static String rangeKind(long exportId) {
        return "snapshot.range." + exportId;
    }

    static String uploadKind(long exportId) {
        return "snapshot.upload." + exportId;
    }

    /**
     * Records a new export of {@code buckets} (all when empty) into the repository named
     * {@code repository}, then takes its checkpoint (garbage mark first). Run it with {@link #resume}.
     *
     * @throws SnapshotException NOT_FOUND for an unknown repository name
     * @throws io.strata.namespace.NamespaceException UNAVAILABLE if the checkpoint cannot be taken
     *         (the export is recorded: resume retakes it, abort drops it)
     */
    public Export start(String repository, List<BucketName> buckets, Optional<String> parent) {
        return start(repository, buckets, parent, options.selfContained());
    }

    /**
     * As {@link #start(String, List, Optional)}, choosing for this export whether cold-tier versions
     * are copied into the repository ({@code selfContained}) whatever the service's options say; the
     * choice is recorded with the export, so a resumed export keeps it.
     */
    public Export start(String repository, List<BucketName> buckets, Optional<String> parent, boolean selfContained) {
        return start(repository, buckets, parent, selfContained, Optional.empty());
    }

    /**
     * As {@link #start(String, List, Optional, boolean)}, the snapshot consistent with a replicating site:
     * {@code cut}, read by the caller before this call takes the checkpoint (so every replica its points
     * cover is in the checkpoint), is recorded with the export, so a resumed export makes the same cut.
     */
    public Export start(String repository, List<BucketName> buckets, Optional<String> parent, boolean selfContained,
                        Optional<ConsistencyCut> cut) {
        repositories.repository(repository);
        Instant now = clock.instant();
        String snapshot = SnapshotExporter.newSnapshotId(now);
        ExportRecordCodec.Header h = new ExportRecordCodec.Header(snapshot, repository, buckets, parent,
                "snapshot:" + snapshot, workDir.resolve("snapshot-" + snapshot).resolve("checkpoint").toAbsolutePath(), now, selfContained, cut);
        WorkItem item = namespace.addWork(KIND, ExportRecordCodec.header(h), Instant.EPOCH);
        // After the record, so whatever ends the export (finish or abort, even after a kill) removes it.
        // A repository out of reach does not refuse the export: it is recorded and retried, and every
        // run writes this mark again before it uploads anything.
        try {
            markInProgress(export(item));
        } catch (SnapshotException e) {
            LOG.warn("snapshot export {}: cannot mark it in progress in repository {} yet ({}); its run will",
                    item.id(), repository, e.getMessage());
        }
        takeCheckpoint(h.mark(), h.checkpoint());
        LOG.info("snapshot export {} started: snapshot {} into repository {}", item.id(), snapshot, repository);
        return export(item);
    }

    /** The export recorded under {@code id}, if any. */
    public Optional<Export> export(long id) {
        return item(id).map(SnapshotExports::export);
    }

    /** Every export recorded (unfinished, failed or being aborted), in id order. */
    public List<Export> exports() {
        return namespace.work(KIND, Integer.MAX_VALUE).stream().map(SnapshotExports::export)
                .sorted(java.util.Comparator.comparingLong(Export::id)).toList();
    }

    private Optional<WorkItem> item(long id) {
        return namespace.work(KIND, Integer.MAX_VALUE).stream().filter(w -> w.id() == id).findFirst();
    }

    private static Export export(WorkItem item) {
        ExportRecordCodec.Header h = ExportRecordCodec.header(item.payload());
        return new Export(item.id(), h.snapshot(), h.repository(), h.buckets(), h.parent(), h.mark(), h.checkpoint(),
                h.started(), item.attempts(), item.lastError(), h.selfContained(), h.cut());
    }

    /** The counters at the export's cursor (zero before its first range file). */
    public SnapshotExporter.Counters progress(long id) {
        List<WorkItem> ranges = namespace.work(rangeKind(id), Integer.MAX_VALUE);
        return ranges.isEmpty() ? SnapshotExporter.Counters.ZERO
                : ExportRecordCodec.range(ranges.getLast().payload()).counters();
    }

    /** As {@link #resume(long, Consumer)} without a progress listener. */
    public SnapshotExporter.Result resume(long id) {
        return resume(id, c -> { });
    }

    /**
     * Runs the export from its cursor to its root, then releases its mark and deletes its
     * checkpoint and records. {@code onRange} is told the counters after each range file. A failure
     * is recorded on the export (attempts, last error; due again after {@link #retryAfter()}) and
     * thrown; the export stays, to be resumed or aborted.
     *
     * @throws SnapshotException NOT_FOUND if there is no such export, REJECTED if it is running or
     *         being aborted, CORRUPT if its checkpoint was lost after it wrote range files; else as
     *         {@link SnapshotExporter#export}
     */
    public SnapshotExporter.Result resume(long id, Consumer<SnapshotExporter.Counters> onRange) {
        WorkItem item = item(id).orElseThrow(() -> new SnapshotException(Reason.NOT_FOUND, "no snapshot export " + id));
        if (aborting(id)) throw new SnapshotException(Reason.REJECTED, "snapshot export " + id + " is being aborted");
        if (!running.add(id)) throw new SnapshotException(Reason.REJECTED, "snapshot export " + id + " is running");
        try {
            return run(export(item), onRange);
        } catch (RuntimeException e) {
            namespace.retryWork(item, clock.instant().plus(retryAfter), String.valueOf(e.getMessage()));
            throw e;
        } finally {
            running.remove(id);
        }
    }

    private SnapshotExporter.Result run(Export e, Consumer<SnapshotExporter.Counters> onRange) {
        SnapshotRepository repository = repositories.repository(e.repository());
        String rootPath = SnapshotFormat.rootPath(e.snapshot());
        if (repository.size(rootPath).isPresent()) {
            // It had written its root when it stopped: only the cleanup is left.
            byte[] bytes = SnapshotReader.readRootBytes(repository, e.snapshot());
            SnapshotRoot root = SnapshotRoot.decode(new String(bytes, StandardCharsets.UTF_8));
            cleanup(e);
            return SnapshotExporter.Result.ofRoot(new SnapshotLocator(repository.location(), e.snapshot(),
                    SnapshotFormat.sha256Hex(bytes)), root);
        }
        SnapshotExporter.Start start = cursor(e.id());
        if (!Files.isDirectory(e.checkpoint())) {
            if (!start.ranges().isEmpty()) {
                throw new SnapshotException(Reason.CORRUPT, "snapshot export " + e.id() + ": its checkpoint "
                        + e.checkpoint() + " is gone after range files were written; abort it");
            }
            // Killed while the checkpoint was being written: nothing exported yet, take it again.
            SnapshotExporter.deleteTree(e.checkpoint().resolveSibling(e.checkpoint().getFileName() + ".tmp"));
            takeCheckpoint(e.mark(), e.checkpoint());
        }
        // Range files are spooled beside the checkpoint, so the cleanup also takes what a killed run left there.
        SnapshotExporter.Options chosen = e.selfContained() == options.selfContained() ? options
                : new SnapshotExporter.Options(e.selfContained(), options.rangeKeyBits(), options.maxRangeEntries(),
                options.parallelUploads());
        SnapshotExporter exporter = new SnapshotExporter(repository, data, e.checkpoint().getParent(), chosen);
        markInProgress(e); // again: an export recorded by an earlier version has none yet
        SnapshotExporter.Result result;
        try (NamespaceView view = Namespace.openCheckpoint(e.checkpoint())) {
            NamespaceView source = view;
            if (FAULT_EXPORT_LIVE.equals(fault())) {
                LOG.warn("STRATA_TEST_FAULT={}: snapshot export {} lists the live namespace, not its checkpoint",
                        FAULT_EXPORT_LIVE, e.id());
                source = new LiveView(namespace, view);
            }
            result = exporter.run(source, e.snapshot(), e.buckets(), e.parent(), e.cut(), start,
                    new DurableJournal(e.id(), onRange));
        }
        cleanup(e);
        keepChangesAfter(result.root().sequence());
        LOG.info("snapshot export {} finished: {}", e.id(), result.locator());
        return result;
    }

    /**
     * Tells a GC of the repository, in any process, that this export is in progress
     * ({@code exports/<snapshotId>.json}, see {@link SnapshotGc}): it keeps the parent and what the
     * export may reference.
     */
    private void markInProgress(Export e) {
        SnapshotGc.exportStarted(repositories.repository(e.repository()), e.snapshot(), e.parent(),
                e.buckets().stream().map(BucketName::value).toList(), e.started());
    }

    private void takeCheckpoint(String mark, Path checkpoint) {
        try {
            Files.createDirectories(checkpoint.getParent());
        } catch (java.io.IOException ex) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot create " + checkpoint.getParent() + ": " + ex, ex);
        }
        // Before the checkpoint, so the log is kept from (at most) this export's sequence on.
        namespace.changeFeed().registerCursor(CHANGE_CURSOR);
        namespace.checkpoint(mark, checkpoint);
    }

    /**
     * Keeps the change log from the sequence of the newest finished export on: the next incremental
     * export reads it to learn that its buckets are unchanged without listing them. An export that
     * finished earlier never moves the cursor back.
     */
    private void keepChangesAfter(long sequence) {
        try {
            namespace.changeFeed().registerCursor(CHANGE_CURSOR);
            namespace.changeFeed().advanceCursor(CHANGE_CURSOR, sequence);
        } catch (io.strata.namespace.ChangeFeedException e) {
            // Only a speed-up for the next export: without the log it lists its buckets.
            LOG.warn("snapshot exports: cannot advance change log cursor {}: {}", CHANGE_CURSOR, e.getMessage());
        }
    }

    /** Where the export continues: after the last range file recorded. */
    private SnapshotExporter.Start cursor(long id) {
        List<WorkItem> items = namespace.work(rangeKind(id), Integer.MAX_VALUE);
        if (items.isEmpty()) return SnapshotExporter.Start.BEGINNING;
        List<List<SnapshotRoot.RangeRef>> ranges = new ArrayList<>();
        ExportRecordCodec.Range last = null;
        for (WorkItem w : items.stream().sorted(java.util.Comparator.comparingLong(WorkItem::id)).toList()) {
            last = ExportRecordCodec.range(w.payload());
            while (ranges.size() <= last.bucket()) ranges.add(new ArrayList<>());
            ranges.get(last.bucket()).add(last.range());
        }
        if (FAULT_IGNORE_CURSOR.equals(fault())) {
            return new SnapshotExporter.Start(0, "", "", List.of(), last.counters());
        }
        return new SnapshotExporter.Start(last.bucket(), last.keyMarker(), last.versionIdMarker(), ranges, last.counters());
    }

    private static String fault() {
        String f = System.getProperty("strata.test.fault");
        return f != null ? f : System.getenv("STRATA_TEST_FAULT");
    }

    /**
     * The test-only fault {@link #FAULT_EXPORT_LIVE}: buckets and versions from the live namespace,
     * the rest (sequence, time, configuration documents) from the checkpoint. Closing it closes nothing.
     */
    private record LiveView(Namespace live, NamespaceView checkpoint) implements NamespaceView {
        @Override
        public long sequence() {
            return checkpoint.sequence();
        }

        @Override
        public Instant takenAt() {
            return checkpoint.takenAt();
        }

        @Override
        public List<Bucket> buckets() {
            return live.buckets();
        }

        @Override
        public Optional<Bucket> bucket(BucketName name) {
            return live.bucket(name);
        }

        @Override
        public SortedMap<String, byte[]> bucketConfigs(BucketName bucket) {
            return checkpoint.bucketConfigs(bucket);
        }

        @Override
        public VersionPage listVersions(BucketName bucket, VersionQuery query) {
            return live.listVersions(bucket, query);
        }

        @Override
        public void close() {
        }
    }

    /** Records the export's creations and cursor in the namespace as it goes. */
    private final class DurableJournal implements SnapshotExporter.Journal {
        private final long id;
        private final Consumer<SnapshotExporter.Counters> onRange;

        DurableJournal(long id, Consumer<SnapshotExporter.Counters> onRange) {
            this.id = id;
            this.onRange = onRange;
        }

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public void creating(List<String> paths) {
            namespace.addWork(uploadKind(id), ExportRecordCodec.paths(paths), Instant.EPOCH);
        }

        @Override
        public void rangeDone(int bucket, SnapshotRoot.RangeRef range, String keyMarker, String versionIdMarker,
                              SnapshotExporter.Counters counters) {
            namespace.addWork(rangeKind(id), ExportRecordCodec.range(new ExportRecordCodec.Range(bucket, range, keyMarker,
                    versionIdMarker, counters)), Instant.EPOCH);
            onRange.accept(counters);
        }
    }

    /**
     * Aborts an export: deletes every object its journal names (data objects, range files, and the
     * marker when no snapshot is left in the repository), releases its mark, deletes its checkpoint
     * and its records; never writes a root. The abort is recorded first, so one stopped midway is
     * finished by {@link #resumeAll}. An export that had already written its root is finished, not
     * undone: only its local state is cleaned up.
     *
     * @return true if the export was undone, false if it had finished (its snapshot stays)
     * @throws SnapshotException NOT_FOUND if there is no such export, REJECTED if it is running,
     *         UNAVAILABLE from the repository (abort again)
     */
    public boolean abort(long id) {
        Export e = export(id).orElseThrow(() -> new SnapshotException(Reason.NOT_FOUND, "no snapshot export " + id));
        if (!running.add(id)) throw new SnapshotException(Reason.REJECTED, "snapshot export " + id + " is running");
        try {
            if (!aborting(id)) namespace.addWork(ABORT_KIND, ExportRecordCodec.abort(id), Instant.EPOCH);
            boolean undone = undo(e);
            for (WorkItem w : namespace.work(ABORT_KIND, Integer.MAX_VALUE)) {
                if (ExportRecordCodec.abort(w.payload()) == id) namespace.removeWork(w.id());
            }
            LOG.info("snapshot export {} aborted{}", id, undone ? "" : " after its root was written: snapshot kept");
            return undone;
        } finally {
            running.remove(id);
        }
    }

    private boolean aborting(long id) {
        return namespace.work(ABORT_KIND, Integer.MAX_VALUE).stream().anyMatch(w -> ExportRecordCodec.abort(w.payload()) == id);
    }

    private boolean undo(Export e) {
        SnapshotRepository repository = repositories.repository(e.repository());
        boolean finished = repository.size(SnapshotFormat.rootPath(e.snapshot())).isPresent();
        if (!finished) {
            String kind = uploadKind(e.id());
            for (List<WorkItem> page; !(page = namespace.work(kind, PAGE)).isEmpty(); ) {
                for (WorkItem w : page) {
                    for (String path : ExportRecordCodec.paths(w.payload())) {
                        if (!path.equals(SnapshotFormat.MARKER)) repository.abandon(path);
                    }
                }
                // Removed only once its objects are gone: an abort stopped here deletes them again.
                for (WorkItem w : page) {
                    if (ExportRecordCodec.paths(w.payload()).contains(SnapshotFormat.MARKER) && noSnapshots(repository)) {
                        repository.delete(SnapshotFormat.MARKER);
                    }
                    namespace.removeWork(w.id());
                }
            }
        }
        cleanup(e);
        return !finished;
    }

    private static boolean noSnapshots(SnapshotRepository repository) {
        boolean[] any = {false};
        repository.list(SnapshotFormat.SNAPSHOTS, p -> any[0] = true);
        return !any[0];
    }

    /**
     * Releases the mark, deletes the export's directory (checkpoint and spooled range files), then
     * the journal, the cursor and the record itself.
     */
    private void cleanup(Export e) {
        // First: once the records are gone nothing would remove it, and a GC would wait for this export forever.
        SnapshotGc.exportEnded(repositories.repository(e.repository()), e.snapshot());
        namespace.releaseGarbageMark(e.mark());
        SnapshotExporter.deleteTree(e.checkpoint().getParent());
        for (String kind : List.of(uploadKind(e.id()), rangeKind(e.id()))) {
            for (List<WorkItem> page; !(page = namespace.work(kind, PAGE)).isEmpty(); ) {
                for (WorkItem w : page) namespace.removeWork(w.id());
            }
        }
        namespace.removeWork(e.id());
    }

    /**
     * At startup: finishes the aborts a stop interrupted, then resumes every export that is due,
     * one after another. A failing export is logged, recorded (attempts, last error) and left for
     * the next call; the others go on.
     *
     * @return the exports that finished
     */
    public List<SnapshotExporter.Result> resumeAll() {
        for (WorkItem w : namespace.work(ABORT_KIND, Integer.MAX_VALUE)) {
            long id = ExportRecordCodec.abort(w.payload());
            try {
                if (export(id).isPresent()) abort(id);
                else namespace.removeWork(w.id());
            } catch (SnapshotException e) {
                LOG.warn("snapshot export {}: abort still incomplete: {}", id, e.getMessage());
            }
        }
        List<SnapshotExporter.Result> done = new ArrayList<>();
        for (WorkItem w : namespace.dueWork(KIND, clock.instant(), Integer.MAX_VALUE)) {
            if (aborting(w.id())) continue;
            try {
                done.add(resume(w.id()));
            } catch (RuntimeException e) {
                LOG.warn("snapshot export {} failed (attempt {}), retried after {}: {}", w.id(), w.attempts() + 1,
                        retryAfter, e.getMessage());
            }
        }
        return done;
    }
}
