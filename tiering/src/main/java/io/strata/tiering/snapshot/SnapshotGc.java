package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Retention of one repository (docs/snapshot-format.md §9): forgetting snapshots, comparing two,
 * holds, ownership and garbage collection.
 * <ul>
 *   <li>{@link #forget} moves a root from {@code snapshots/} to {@code forgotten/}: the snapshot is
 *       gone for readers, and the tombstone tells GC what to look at, so GC never lists
 *       {@code data/}. Nothing else is deleted.</li>
 *   <li>{@link #gc} compares each forgotten snapshot, bucket by bucket, with its neighbouring
 *       retained snapshots (the nearest older and newer root covering that bucket), reading only the
 *       range files whose hashes differ: a version's life is one interval of time and snapshots are
 *       cuts in time order, so a version the forgotten one shares with any retained snapshot is in a
 *       neighbour too. A range file is kept while any retained root names it (content can repeat
 *       after a version is deleted). Cold-tier references ({@code data.tier}) have no path here and
 *       are never touched.</li>
 *   <li>It writes its plan (pages {@code gc/<id>/*.ndjson.gz} of every path it will delete, then the
 *       header {@code gc/<id>.json}) before deleting, then drops the tombstones, deletes, and drops
 *       the plan. Candidates are found by merging key-sorted range files, so memory holds one page
 *       of paths and one key's versions per range stream, whatever the repository's size. A GC killed midway finds its plan at the
 *       next run and replays it (deletes are idempotent), so no object is orphaned.</li>
 *   <li>No repository lock: a snapshot named by a hold ({@code holds/*.json}), or by an export in
 *       progress ({@code exports/<snapshotId>.json}: as a parent, or for a bucket no newer retained
 *       snapshot covers), is deferred with its tombstone kept, and collected by a later GC.</li>
 *   <li>Only the site in {@code owner.json} collects; a repository without one is claimed explicitly.</li>
 * </ul>
 * Thread-safe for distinct repositories; one GC per repository at a time is the owner's to ensure
 * (only one site collects). The repository stays the caller's.
 */
public final class SnapshotGc {
    static final String FORGOTTEN = "forgotten/";
    static final String HOLDS = "holds/";
    static final String EXPORTS = "exports/";
    static final String PLANS = "gc/";
    static final String OWNER = "owner.json";
    /** Test-only fault: GC ignores the plans a killed GC left (a negative control: their objects are orphaned). */
    static final String FAULT_SKIP_REPLAY = "snapshot-gc-skip-replay";
    private static final Pattern SITE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern ID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_-]{0,63}");
    private static final DateTimeFormatter PLAN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Snapshots in the order they were taken (not by id). */
    static final Comparator<SnapshotRoot> ORDER = SnapshotRoot.TAKEN_ORDER;

    private final SnapshotRepository repository;
    private final String site;
    private final Path workDir;
    private final Clock clock;
    private final Progress progress = new Progress();
    /** Paths in memory at once while planning: the bound a test checks. */
    private final GcCandidates.Held pathsHeld = new GcCandidates.Held();
    private int pageSize = GcPlan.DEFAULT_PAGE_SIZE;
    /** The most data and range paths a {@link Result} lists; its counts say how many there were. */
    public static final int RESULT_SAMPLE = 1_000;

    /**
     * How far this GC has got, for a progress bar: read by other threads while {@link #gc} runs.
     * Phases in order: {@code replaying} (plans a stopped GC left), {@code comparing} (each forgotten
     * snapshot with its neighbours), {@code sweeping} (a full sweep reading every root's range
     * files), {@code deleting} (a written plan carried out), {@code done}. Thread-safe.
     */
    public static final class Progress {
        private volatile String phase = "starting";
        private final AtomicLong snapshots = new AtomicLong();
        private final AtomicLong snapshotsDone = new AtomicLong();
        private final AtomicLong rangesRead = new AtomicLong();
        private final AtomicLong objectsPlanned = new AtomicLong();
        private final AtomicLong objectsDeleted = new AtomicLong();

        /**
         * The counters now: the phase; the snapshots the phase works through ({@code comparing}: the
         * forgotten ones to collect; {@code sweeping}: every root) and how many are done; range files
         * read so far; objects (tombstones, data objects, range files) planned for deletion and deleted.
         */
        public record View(String phase, long snapshots, long snapshotsDone, long rangesRead, long objectsPlanned,
                           long objectsDeleted) {
        }

        public View view() {
            return new View(phase, snapshots.get(), snapshotsDone.get(), rangesRead.get(), objectsPlanned.get(), objectsDeleted.get());
        }

        void phase(String name, long snapshotsInPhase) {
            snapshots.set(snapshotsInPhase);
            snapshotsDone.set(0);
            phase = name;
        }
    }

    /**
     * @param site    this gateway's site id (letters, digits, {@code -}, {@code _})
     * @param workDir where range files are checked before use (must exist)
     */
    public SnapshotGc(SnapshotRepository repository, String site, Path workDir, Clock clock) {
        if (!SITE.matcher(site).matches()) throw new IllegalArgumentException("not a site id: " + site);
        this.repository = repository;
        this.site = site;
        this.workDir = workDir;
        this.clock = clock;
    }

    /** Sets how many paths a plan's page holds (and so GC holds in memory at once, besides one key's versions). */
    SnapshotGc pageSize(int paths) {
        if (paths < 1) throw new IllegalArgumentException("page size < 1: " + paths);
        this.pageSize = paths;
        return this;
    }

    /** The most paths this GC held in memory at once while planning (for tests of the bound). */
    long peakPathsHeld() {
        return pathsHeld.peak();
    }

    /** This GC's progress (one GC per instance gives one meaningful progress). */
    public Progress progress() {
        return progress;
    }

    // ------------------------------------------------------------------ forget

    /**
     * Forgets snapshots: each root is copied to {@code forgotten/ID.json}, then deleted. Data and range
     * files stay for {@link #gc}. Checks every id first, so a bad one forgets nothing.
     *
     * @return the ids forgotten (an id forgotten already counts)
     * @throws SnapshotException NOT_FOUND for an id with neither root nor tombstone, REJECTED for a held
     *         snapshot or the parent of an export in progress
     */
    public List<String> forget(List<String> ids) {
        Map<String, List<Hold>> held = holdsBySnapshot();
        List<InProgress> exports = exportsInProgress();
        for (String id : ids) {
            checkId(id);
            for (InProgress e : exports) {
                // The export reads its parent's root to reuse its data: forgetting it would fail the export.
                if (e.parent().equals(Optional.of(id))) {
                    throw new SnapshotException(Reason.REJECTED, "snapshot " + id + " is the parent of export " + e.snapshot()
                            + ", in progress; forget it once that export has ended");
                }
            }
            if (held.containsKey(id)) {
                Hold h = held.get(id).getFirst();
                throw new SnapshotException(Reason.REJECTED, "snapshot " + id + " is held by site " + h.site() + " ("
                        + h.purpose() + ", " + h.path() + "); release the hold first");
            }
            if (repository.size(SnapshotFormat.rootPath(id)).isEmpty() && repository.size(FORGOTTEN + id + ".json").isEmpty()) {
                throw new SnapshotException(Reason.NOT_FOUND, "no snapshot " + id + " in " + repository.location());
            }
        }
        for (String id : ids) {
            if (repository.size(SnapshotFormat.rootPath(id)).isEmpty()) continue;
            byte[] root = SnapshotReader.readRootBytes(repository, id);
            putDocument(FORGOTTEN + id + ".json", root);
            repository.delete(SnapshotFormat.rootPath(id));
        }
        return List.copyOf(ids);
    }

    // ------------------------------------------------------------------ diff

    /** A version in a diff: bucket, key, version id, and whether it is a delete marker. */
    public record Change(String bucket, String key, String versionId, boolean deleteMarker) {
    }

    /**
     * What changed from snapshot {@code a} to snapshot {@code b}.
     *
     * @param changed versions in both whose record differs (tags, ACL, metadata, a move to a cold tier)
     * @param rangesRead range files read: those whose hash is in only one of the two
     */
    public record Diff(List<Change> added, List<Change> removed, List<Change> changed, long rangesRead) {
        public Diff {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }
    }

    /**
     * Compares two snapshots of this repository by their range files: a range whose hash both have is
     * skipped unread, so the cost follows what changed. Memory holds the entries of the differing
     * ranges of one bucket at a time.
     *
     * @throws SnapshotException NOT_FOUND for an unknown snapshot, CORRUPT for a bad range file
     */
    public Diff diff(String a, String b) {
        SnapshotRoot ra = root(a);
        SnapshotRoot rb = root(b);
        List<Change> added = new ArrayList<>();
        List<Change> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        long[] read = {0};
        Set<String> buckets = new TreeSet<>();
        ra.buckets().forEach(x -> buckets.add(x.name()));
        rb.buckets().forEach(x -> buckets.add(x.name()));
        for (String bucket : buckets) {
            List<SnapshotRoot.RangeRef> left = ra.bucket(bucket).map(SnapshotRoot.BucketRoot::ranges).orElse(List.of());
            List<SnapshotRoot.RangeRef> right = rb.bucket(bucket).map(SnapshotRoot.BucketRoot::ranges).orElse(List.of());
            Map<List<String>, SnapshotEntry> before = entries(only(left, right), read);
            Map<List<String>, SnapshotEntry> after = entries(only(right, left), read);
            for (var e : before.entrySet()) {
                SnapshotEntry other = after.get(e.getKey());
                if (other == null) removed.add(change(bucket, e.getValue()));
                else if (!other.equals(e.getValue())) changed.add(change(bucket, other));
            }
            for (var e : after.entrySet()) {
                if (!before.containsKey(e.getKey())) added.add(change(bucket, e.getValue()));
            }
        }
        Comparator<Change> order = Comparator.comparing(Change::bucket).thenComparing(Change::key).thenComparing(Change::versionId);
        added.sort(order);
        removed.sort(order);
        changed.sort(order);
        return new Diff(added, removed, changed, read[0]);
    }

    private static Change change(String bucket, SnapshotEntry e) {
        return new Change(bucket, e.key(), e.versionId(), e.deleteMarker());
    }

    /** The ranges of {@code mine} whose hash {@code theirs} lacks. */
    private static List<SnapshotRoot.RangeRef> only(List<SnapshotRoot.RangeRef> mine, List<SnapshotRoot.RangeRef> theirs) {
        Set<String> other = new HashSet<>();
        theirs.forEach(r -> other.add(r.sha256()));
        return mine.stream().filter(r -> !other.contains(r.sha256())).toList();
    }

    private Map<List<String>, SnapshotEntry> entries(List<SnapshotRoot.RangeRef> ranges, long[] read) {
        Map<List<String>, SnapshotEntry> out = new LinkedHashMap<>();
        for (SnapshotRoot.RangeRef ref : ranges) {
            read[0]++;
            try (RangeReader r = RangeReader.open(repository, ref, workDir)) {
                while (r.hasNext()) {
                    SnapshotEntry e = r.next();
                    out.put(List.of(e.key(), e.versionId()), e);
                }
            }
        }
        return out;
    }

    private SnapshotRoot root(String id) {
        checkId(id);
        if (repository.size(SnapshotFormat.rootPath(id)).isEmpty()) {
            throw new SnapshotException(Reason.NOT_FOUND, "no snapshot " + id + " in " + repository.location());
        }
        return SnapshotReader.readRoot(repository, id);
    }

    // ------------------------------------------------------------------ holds

    /**
     * A hold: {@code holds/<site>-<id>.json} keeps {@code snapshot} and its data from GC. Its
     * {@code purpose} is {@code attach} or {@code restore} for a hold an attach or a restore placed
     * (released by detach, or when hydration ends), otherwise the operator's reason.
     */
    public record Hold(String path, String site, String snapshot, Instant created, String purpose) {
        /** The hold's name, as the operator gives it to release one hold: the path without {@code holds/} and {@code .json}. */
        public String id() {
            return path.substring(HOLDS.length(), path.length() - ".json".length());
        }

        /** Whether an operator placed it (not an attach or a restore, whose holds their own ends release). */
        public boolean explicit() {
            return SnapshotHolds.Purpose.of(purpose).isEmpty();
        }
    }

    /** Every hold in the repository, whichever site placed it. @throws SnapshotException CORRUPT for one that does not parse */
    public List<Hold> holds() {
        List<Hold> out = new ArrayList<>();
        for (String path : paths(HOLDS)) {
            if (!path.endsWith(".json")) continue;
            Map<String, Object> m = document(path);
            try {
                out.add(new Hold(path, SnapshotFormat.string(m, "site"), SnapshotFormat.string(m, "snapshot"),
                        Instant.parse(SnapshotFormat.string(m, "created")),
                        m.get("purpose") instanceof String p ? p : ""));
            } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
                // A hold that cannot be read might still protect something: GC stops rather than guess.
                throw new SnapshotException(Reason.CORRUPT, "hold " + path + " is not valid: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Places an operator's hold of this site on {@code snapshot} (which must exist), named
     * {@code holds/<site>-hold-<16 hex>.json}.
     *
     * @param reason the hold's purpose; {@code attach} and {@code restore} are refused, as they mark
     *               the holds of attaches and restores, which {@link #release} leaves alone
     * @return the hold
     * @throws SnapshotException NOT_FOUND for an unknown snapshot, INVALID for a reserved reason
     */
    public Hold hold(String snapshot, String reason) {
        checkId(snapshot);
        if (SnapshotHolds.Purpose.of(reason).isPresent()) {
            throw new SnapshotException(Reason.INVALID, "a hold's reason cannot be '" + reason
                    + "': attach and restore mark the holds that attaches and restores place");
        }
        if (repository.size(SnapshotFormat.rootPath(snapshot)).isEmpty()) {
            throw new SnapshotException(Reason.NOT_FOUND, "no snapshot " + snapshot + " in " + repository.location());
        }
        String path = HOLDS + site + "-hold-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".json";
        Instant now = clock.instant();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", site);
        m.put("snapshot", snapshot);
        m.put("created", now.toString());
        m.put("purpose", reason);
        putDocument(path, Json.write(m).getBytes(StandardCharsets.UTF_8));
        return new Hold(path, site, snapshot, now, reason);
    }

    /**
     * Releases this site's operator holds on {@code snapshot}. The holds this site's attaches and
     * restores placed stay: they still read the snapshot, and detach, or the end of hydration,
     * releases them. Another site's holds are never released.
     *
     * @return the holds released (empty: this site held nothing there explicitly)
     */
    public List<Hold> release(String snapshot) {
        checkId(snapshot);
        List<Hold> released = new ArrayList<>();
        for (Hold h : holds()) {
            if (h.snapshot().equals(snapshot) && mine(h) && h.explicit()) {
                repository.delete(h.path());
                released.add(h);
            }
        }
        return released;
    }

    /**
     * Releases one operator hold of this site, named by its {@link Hold#id()}.
     *
     * @return the hold released
     * @throws SnapshotException NOT_FOUND for no such hold; INVALID when it holds another snapshot;
     *         REJECTED for another site's hold or one an attach or a restore placed
     */
    public Hold release(String snapshot, String holdId) {
        checkId(snapshot);
        Hold h = holds().stream().filter(x -> x.id().equals(holdId)).findFirst().orElseThrow(() ->
                new SnapshotException(Reason.NOT_FOUND, "no hold " + holdId + " in " + repository.location()));
        if (!h.snapshot().equals(snapshot)) {
            throw new SnapshotException(Reason.INVALID, "hold " + holdId + " holds snapshot " + h.snapshot() + ", not " + snapshot);
        }
        if (!mine(h)) {
            throw new SnapshotException(Reason.REJECTED, "hold " + holdId + " was placed by site " + h.site()
                    + "; only that site releases it");
        }
        if (!h.explicit()) {
            throw new SnapshotException(Reason.REJECTED, "hold " + holdId + " was placed by this site's " + h.purpose()
                    + ", which still reads the snapshot; "
                    + (h.purpose().equals("attach") ? "detach the bucket to release it" : "it is released when the restore's hydration completes"));
        }
        repository.delete(h.path());
        return h;
    }

    /** A hold this site placed: its document and its name both say so. */
    private boolean mine(Hold h) {
        return h.site().equals(site) && h.path().startsWith(HOLDS + site + "-");
    }

    private Map<String, List<Hold>> holdsBySnapshot() {
        Map<String, List<Hold>> m = new TreeMap<>();
        for (Hold h : holds()) m.computeIfAbsent(h.snapshot(), k -> new ArrayList<>()).add(h);
        return m;
    }

    // ------------------------------------------------------------------ ownership

    /** The site that owns (collects) the repository, if one claimed it. */
    public Optional<String> owner() {
        if (repository.size(OWNER).isEmpty()) return Optional.empty();
        try {
            return Optional.of(SnapshotFormat.string(document(OWNER), "site"));
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(Reason.CORRUPT, OWNER + " is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * Makes this site the owner if none is recorded (a first export does this). Conditional: of two
     * sites claiming at once, one wins and the other sees it.
     *
     * @return the owner now recorded
     */
    public String claimIfUnowned() {
        Optional<String> owner = owner();
        if (owner.isPresent()) return owner.get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", site);
        m.put("claimed", clock.instant().toString());
        putDocument(OWNER, Json.write(m).getBytes(StandardCharsets.UTF_8));
        return owner().orElse(site);
    }

    private void checkOwner(boolean claim) {
        Optional<String> owner = owner();
        if (owner.isEmpty()) {
            if (!claim) {
                throw new SnapshotException(Reason.REJECTED, "repository " + repository.location() + " records no owner; "
                        + "run gc with --claim to make this site (" + site + ") its owner and collector");
            }
            owner = Optional.of(claimIfUnowned());
        }
        if (!owner.get().equals(site)) {
            throw new SnapshotException(Reason.REJECTED, "repository " + repository.location() + " is owned by site "
                    + owner.get() + "; only the owner collects it (this site is " + site + ")");
        }
    }

    // ------------------------------------------------------------------ exports in progress

    /** An export in progress as the repository records it. */
    record InProgress(String snapshot, Optional<String> parent, Set<String> buckets) {
    }

    /** Records in the repository that an export of {@code snapshot} is in progress; idempotent. */
    public static void exportStarted(SnapshotRepository repository, String snapshot, Optional<String> parent, List<String> buckets,
                                     Instant started) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", snapshot);
        m.put("parent", parent.orElse(null));
        m.put("buckets", List.copyOf(buckets));
        m.put("started", started.toString());
        putDocument(repository, EXPORTS + snapshot + ".json", Json.write(m).getBytes(StandardCharsets.UTF_8));
    }

    /** Removes that record, once the export wrote its root or was undone. Idempotent. */
    public static void exportEnded(SnapshotRepository repository, String snapshot) {
        repository.delete(EXPORTS + snapshot + ".json");
    }

    private List<InProgress> exportsInProgress() {
        List<InProgress> out = new ArrayList<>();
        for (String path : paths(EXPORTS)) {
            if (!path.endsWith(".json")) continue;
            Map<String, Object> m = document(path);
            Set<String> buckets = new TreeSet<>();
            if (m.get("buckets") instanceof List<?> l) for (Object o : l) buckets.add(String.valueOf(o));
            out.add(new InProgress(SnapshotFormat.string(m, "snapshot"),
                    m.get("parent") instanceof String p ? Optional.of(p) : Optional.empty(), buckets));
        }
        return out;
    }

    // ------------------------------------------------------------------ gc

    /**
     * What a GC did or, dry, would do.
     *
     * @param replayed plans left by a stopped GC that this one finished
     * @param collected forgotten snapshots whose objects were (or would be) deleted
     * @param deferred  forgotten snapshots kept for a later GC, with why
     * @param data       the first {@value #RESULT_SAMPLE} data paths deleted (or that would be): a
     *                   report, not the plan, so that a GC of 10^6 versions returns a bounded result
     * @param ranges     the first {@value #RESULT_SAMPLE} range files deleted (or that would be)
     * @param dataCount  every data path planned (one that several forgotten snapshots share counts once)
     * @param rangeCount every range file planned
     */
    public record Result(List<String> replayed, List<String> collected, Map<String, String> deferred, List<String> data,
                         List<String> ranges, long dataCount, long rangeCount, long rangesRead, boolean dryRun) {
        public Result {
            replayed = List.copyOf(replayed);
            collected = List.copyOf(collected);
            deferred = Map.copyOf(deferred);
            data = List.copyOf(data);
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * Collects the repository: finishes the plans of a stopped GC, then plans, records and deletes
     * the data objects and range files that only forgotten snapshots referenced.
     *
     * @param claim  make this site the owner of a repository that has none
     * @param dryRun plan only: nothing is written or deleted
     * @throws SnapshotException REJECTED when another site owns the repository or none does and
     *         {@code claim} is false; CORRUPT for a hold, tombstone or range file that does not read
     */
    public Result gc(boolean claim, boolean dryRun) {
        return gc(claim, dryRun, false);
    }

    /**
     * As {@link #gc(boolean, boolean)}; with {@code full}, then also sweeps orphans: lists
     * {@code data/} and {@code ranges/} whole and deletes what no root (retained, or forgotten and
     * deferred) names, such as what an export left that died and was never resumed or aborted. Costs
     * a read of every range file of every snapshot.
     *
     * @throws SnapshotException REJECTED for a full sweep while an export is in progress (its
     *         uploads are named by no root yet)
     */
    public Result gc(boolean claim, boolean dryRun, boolean full) {
        Result r = collect(claim, dryRun);
        r = full ? sweep(r) : r;
        progress.phase("done", 0);
        return r;
    }

    private Result sweep(Result collected) {
        List<InProgress> exports = exportsInProgress();
        if (!exports.isEmpty()) {
            throw new SnapshotException(Reason.REJECTED, "export " + exports.getFirst().snapshot() + " into "
                    + repository.location() + " is in progress: a full sweep would take its uploads; run it when none is");
        }
        // Every path some root names, in memory: the sweep's known limit (issue #13); the plan is paged.
        Set<String> named = new HashSet<>();
        long[] read = {collected.rangesRead()};
        List<SnapshotRoot> roots = new ArrayList<>();
        for (String path : paths(SnapshotFormat.SNAPSHOTS)) {
            if (!path.endsWith(".json")) continue;
            roots.add(SnapshotReader.readRoot(repository, path.substring(SnapshotFormat.SNAPSHOTS.length(), path.length() - 5)));
        }
        for (String path : paths(FORGOTTEN)) {
            if (!path.endsWith(".json")) continue;
            roots.add(SnapshotRoot.decode(new String(SnapshotReader.readSmall(repository, path), StandardCharsets.UTF_8)));
        }
        progress.phase("sweeping", roots.size());
        for (SnapshotRoot root : roots) {
            for (SnapshotRoot.BucketRoot b : root.buckets()) {
                b.ranges().forEach(r -> named.add(r.path()));
                named.addAll(dataPaths(b.ranges(), read));
            }
            progress.snapshotsDone.incrementAndGet();
        }
        Instant created = clock.instant();
        String planPath = planPath(created);
        GcPlan.PageWriter data = pageWriter(planPath, GcPlan.DATA_PAGE, collected.dryRun());
        GcPlan.PageWriter ranges = pageWriter(planPath, GcPlan.RANGES_PAGE, collected.dryRun());
        repository.list(SnapshotFormat.DATA, p -> {
            if (!named.contains(p)) data.accept(p);
        });
        data.finish();
        repository.list(SnapshotFormat.RANGES, p -> {
            if (!named.contains(p)) ranges.accept(p);
        });
        ranges.finish();
        Result result = new Result(collected.replayed(), collected.collected(), collected.deferred(),
                sample(collected.data(), data.sample()), sample(collected.ranges(), ranges.sample()),
                collected.dataCount() + data.count(), collected.rangeCount() + ranges.count(), read[0], collected.dryRun());
        if (collected.dryRun() || (data.count() == 0 && ranges.count() == 0)) return result;
        GcPlan.Header plan = new GcPlan.Header(site, created, List.of(), data.count(), data.pages(), ranges.count(), ranges.pages());
        putDocument(planPath, plan.encode());
        executePaged(planPath, plan);
        return result;
    }

    private static List<String> sample(List<String> first, List<String> then) {
        List<String> out = new ArrayList<>(first);
        for (String p : then) if (out.size() < RESULT_SAMPLE) out.add(p);
        return out;
    }

    private GcPlan.PageWriter pageWriter(String planPath, String kind, boolean dryRun) {
        return new GcPlan.PageWriter(repository, planPath, kind, pageSize, RESULT_SAMPLE, pathsHeld, !dryRun);
    }

    private static String planPath(Instant created) {
        return PLANS + PLAN_TIME.format(created) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                + ".json";
    }

    private Result collect(boolean claim, boolean dryRun) {
        if (dryRun) {
            Optional<String> owner = owner();
            if (owner.isPresent() && !owner.get().equals(site)) checkOwner(false);
        } else {
            checkOwner(claim);
        }
        List<String> replayed = new ArrayList<>();
        progress.phase("replaying", 0);
        if (!dryRun && !FAULT_SKIP_REPLAY.equals(fault())) replay(replayed);
        List<String> forgotten = new ArrayList<>();
        for (String path : paths(FORGOTTEN)) {
            if (path.endsWith(".json")) forgotten.add(path.substring(FORGOTTEN.length(), path.length() - ".json".length()));
        }
        if (forgotten.isEmpty()) return new Result(replayed, List.of(), Map.of(), List.of(), List.of(), 0, 0, 0, dryRun);

        List<SnapshotRoot> retained = new ArrayList<>();
        for (String path : paths(SnapshotFormat.SNAPSHOTS)) {
            if (!path.endsWith(".json")) continue;
            String id = path.substring(SnapshotFormat.SNAPSHOTS.length(), path.length() - ".json".length());
            retained.add(SnapshotReader.readRoot(repository, id));
        }
        retained.sort(ORDER);
        Set<String> retainedRanges = new HashSet<>();
        for (SnapshotRoot r : retained) for (SnapshotRoot.BucketRoot b : r.buckets()) b.ranges().forEach(x -> retainedRanges.add(x.path()));
        Map<String, List<Hold>> held = holdsBySnapshot();
        List<InProgress> exports = exportsInProgress();

        Map<String, SnapshotRoot> tombstones = new TreeMap<>();
        for (String id : forgotten) {
            tombstones.put(id, SnapshotRoot.decode(new String(SnapshotReader.readSmall(repository, FORGOTTEN + id + ".json"),
                    StandardCharsets.UTF_8)));
        }
        // A deferred snapshot keeps its objects, so it counts as retained for the others. Newest
        // first: deferring one can only give an older one a newer neighbour, never the reverse.
        Map<String, String> deferred = new TreeMap<>();
        for (SnapshotRoot f : tombstones.values().stream().sorted(ORDER).toList().reversed()) {
            Optional<String> why = deferral(f, held, exports, retained);
            if (why.isEmpty()) continue;
            deferred.put(f.snapshot(), why.get());
            retained.add(f);
            retained.sort(ORDER);
            for (SnapshotRoot.BucketRoot b : f.buckets()) b.ranges().forEach(x -> retainedRanges.add(x.path()));
        }
        List<SnapshotRoot> collectable = tombstones.values().stream().filter(f -> !deferred.containsKey(f.snapshot())).toList();
        List<String> collected = collectable.stream().map(SnapshotRoot::snapshot).toList();
        if (collected.isEmpty()) return new Result(replayed, List.of(), deferred, List.of(), List.of(), 0, 0, 0, dryRun);
        // Range paths stay in memory: as many as the roots name, and those are in memory already.
        Set<String> ranges = new TreeSet<>();
        TreeMap<String, List<SnapshotRoot>> byBucket = new TreeMap<>();
        for (SnapshotRoot f : collectable) {
            for (SnapshotRoot.BucketRoot b : f.buckets()) {
                for (SnapshotRoot.RangeRef r : b.ranges()) if (!retainedRanges.contains(r.path())) ranges.add(r.path());
                byBucket.computeIfAbsent(b.name(), x -> new ArrayList<>()).add(f);
            }
        }
        long[] read = {0};
        progress.phase("comparing", collectable.size());
        Instant created = clock.instant();
        String planPath = planPath(created);
        GcPlan.PageWriter data = pageWriter(planPath, GcPlan.DATA_PAGE, dryRun);
        // Bucket by bucket, the candidates of every forgotten snapshot merged by key: a path two of
        // them share is planned once, and memory holds a key's paths per stream plus one page.
        for (var bucket : byBucket.entrySet()) {
            List<GcCandidates.KeyStream> streams = new ArrayList<>();
            for (SnapshotRoot f : bucket.getValue()) streams.add(candidates(f, f.bucket(bucket.getKey()).orElseThrow(), retained, read));
            try (GcCandidates.KeyStream all = GcCandidates.union(streams, pathsHeld)) {
                GcCandidates.drain(all, pathsHeld, data);
            }
            for (SnapshotRoot f : bucket.getValue()) {
                if (f.buckets().stream().map(SnapshotRoot.BucketRoot::name).max(String::compareTo).orElseThrow().equals(bucket.getKey())) {
                    progress.snapshotsDone.incrementAndGet();
                }
            }
        }
        for (SnapshotRoot f : collectable) if (f.buckets().isEmpty()) progress.snapshotsDone.incrementAndGet();
        data.finish();
        GcPlan.PageWriter rangePages = pageWriter(planPath, GcPlan.RANGES_PAGE, dryRun);
        ranges.forEach(rangePages);
        rangePages.finish();
        Result result = new Result(replayed, collected, deferred, data.sample(), rangePages.sample(), data.count(),
                rangePages.count(), read[0], dryRun);
        if (dryRun) return result;
        // Pages first, the header last: the plan exists once whole, before anything is deleted.
        GcPlan.Header plan = new GcPlan.Header(site, created, collected, data.count(), data.pages(), rangePages.count(),
                rangePages.pages());
        putDocument(planPath, plan.encode());
        executePaged(planPath, plan);
        return result;
    }

    /**
     * Finishes every plan a stopped GC left: paged ones, and the single documents older gateways
     * wrote. Pages that no header names are a GC stopped while writing its plan (nothing of it was
     * deleted yet) or after it dropped the header (everything was): either way they go.
     */
    private void replay(List<String> replayed) {
        List<String> headers = new ArrayList<>();
        List<String> pages = new ArrayList<>();
        repository.list(PLANS, p -> {
            if (p.endsWith(".json") && p.indexOf('/', PLANS.length()) < 0) headers.add(p);
            else pages.add(p);
        });
        for (String header : headers) {
            Map<String, Object> doc = document(header);
            if (GcPlan.Header.isPaged(doc)) {
                List<String> forgotten;
                try {
                    forgotten = Plan.strings(doc.get("forgotten"), FORGOTTEN);
                } catch (IllegalArgumentException e) {
                    throw new SnapshotException(Reason.CORRUPT, "GC plan is not valid: " + e.getMessage(), e);
                }
                executePaged(header, GcPlan.Header.decode(doc, forgotten));
            } else {
                execute(header, Plan.decode(doc));
            }
            replayed.add(header);
        }
        for (String page : pages) {
            if (!headers.contains(page.substring(0, page.lastIndexOf('/')) + ".json")) repository.delete(page);
        }
    }

    /** Why a forgotten snapshot must wait, if it must. */
    private static Optional<String> deferral(SnapshotRoot f, Map<String, List<Hold>> held, List<InProgress> exports,
                                             List<SnapshotRoot> retained) {
        if (held.containsKey(f.snapshot())) {
            return Optional.of("held by site " + held.get(f.snapshot()).getFirst().site());
        }
        for (InProgress e : exports) {
            if (e.parent().equals(Optional.of(f.snapshot()))) {
                return Optional.of("parent of export in progress " + e.snapshot());
            }
            for (SnapshotRoot.BucketRoot b : f.buckets()) {
                boolean covered = e.buckets().isEmpty() || e.buckets().contains(b.name());
                // The export may find this snapshot's objects present and reference them, unless a
                // newer retained snapshot covers the bucket (then the export would see those first).
                if (covered && neighbour(retained, f, b.name(), false).isEmpty()) {
                    return Optional.of("newest snapshot of bucket " + b.name() + " while export " + e.snapshot() + " runs");
                }
            }
        }
        return Optional.empty();
    }

    /** The nearest retained root older ({@code older}) or newer than {@code id} that covers {@code bucket}. */
    private static Optional<SnapshotRoot.BucketRoot> neighbour(List<SnapshotRoot> retained, SnapshotRoot f, String bucket, boolean older) {
        List<SnapshotRoot> side = retained.stream().filter(r -> older == (ORDER.compare(r, f) < 0)).toList();
        if (older) side = side.reversed();
        for (SnapshotRoot r : side) {
            Optional<SnapshotRoot.BucketRoot> b = r.bucket(bucket);
            if (b.isPresent()) return b;
        }
        return Optional.empty();
    }

    /** The data paths of bucket {@code b} of {@code f} that neither neighbour references, by key. */
    private GcCandidates.KeyStream candidates(SnapshotRoot f, SnapshotRoot.BucketRoot b, List<SnapshotRoot> retained, long[] read) {
        List<SnapshotRoot.RangeRef> older = neighbour(retained, f, b.name(), true).map(SnapshotRoot.BucketRoot::ranges).orElse(List.of());
        List<SnapshotRoot.RangeRef> newer = neighbour(retained, f, b.name(), false).map(SnapshotRoot.BucketRoot::ranges).orElse(List.of());
        List<SnapshotRoot.RangeRef> neighbours = new ArrayList<>(older);
        neighbours.addAll(newer);
        Runnable opened = () -> {
            read[0]++;
            progress.rangesRead.incrementAndGet();
        };
        GcCandidates.KeyStream mine = GcCandidates.ranges(repository, GcCandidates.only(b.ranges(), neighbours), workDir, pathsHeld, opened);
        // An entry of a range the forgotten snapshot shares is not a candidate, so only the neighbours'
        // ranges it lacks can still reference one; a range both neighbours have is read once. Each
        // list keeps its root's key order, so each stream is sorted.
        List<SnapshotRoot.RangeRef> olderOnly = GcCandidates.only(older, b.ranges());
        List<SnapshotRoot.RangeRef> newerOnly = GcCandidates.only(GcCandidates.only(newer, b.ranges()), olderOnly);
        return GcCandidates.difference(mine, List.of(
                GcCandidates.ranges(repository, olderOnly, workDir, pathsHeld, opened),
                GcCandidates.ranges(repository, newerOnly, workDir, pathsHeld, opened)), pathsHeld);
    }

    private Set<String> dataPaths(List<SnapshotRoot.RangeRef> ranges, long[] read) {
        Set<String> out = new HashSet<>();
        for (SnapshotRoot.RangeRef ref : ranges) {
            read[0]++;
            progress.rangesRead.incrementAndGet();
            try (RangeReader r = RangeReader.open(repository, ref, workDir)) {
                while (r.hasNext()) {
                    // Cold-tier references have no path: the tier's objects are never GC's to delete.
                    if (r.next().data().orElse(null) instanceof SnapshotEntry.InRepository in) out.add(in.path());
                }
            }
        }
        return out;
    }

    /** Drops the plan's tombstones, deletes its objects (data first, then range files), then the plan. */
    private void execute(String planPath, Plan plan) {
        String was = progress.phase;
        progress.phase = "deleting";
        progress.objectsPlanned.addAndGet(plan.forgotten().size() + plan.data().size() + plan.ranges().size());
        for (String id : plan.forgotten()) deleteCounted(FORGOTTEN + id + ".json");
        for (String path : plan.data()) deleteCounted(path);
        for (String path : plan.ranges()) deleteCounted(path);
        repository.delete(planPath);
        progress.phase = was;
    }

    /** As {@link #execute} for a paged plan, one page of paths in memory at a time. */
    private void executePaged(String planPath, GcPlan.Header plan) {
        String was = progress.phase;
        progress.phase = "deleting";
        progress.objectsPlanned.addAndGet(plan.forgotten().size() + plan.data() + plan.ranges());
        // A plan missing a page is not the one its GC wrote: refuse it before deleting anything.
        for (int i = 0; i < plan.dataPages(); i++) GcPlan.checkPage(repository, planPath, GcPlan.DATA_PAGE, i);
        for (int i = 0; i < plan.rangePages(); i++) GcPlan.checkPage(repository, planPath, GcPlan.RANGES_PAGE, i);
        for (String id : plan.forgotten()) deleteCounted(FORGOTTEN + id + ".json");
        GcPlan.read(repository, planPath, GcPlan.DATA_PAGE, plan.dataPages(), SnapshotFormat.DATA, this::deleteCounted);
        GcPlan.read(repository, planPath, GcPlan.RANGES_PAGE, plan.rangePages(), SnapshotFormat.RANGES, this::deleteCounted);
        // The header before its pages: a plan never names a page that is gone, and pages left
        // without a header are dropped by the next GC.
        repository.delete(planPath);
        for (int i = 0; i < plan.dataPages(); i++) repository.delete(GcPlan.page(planPath, GcPlan.DATA_PAGE, i));
        for (int i = 0; i < plan.rangePages(); i++) repository.delete(GcPlan.page(planPath, GcPlan.RANGES_PAGE, i));
        progress.phase = was;
    }

    private void deleteCounted(String path) {
        repository.delete(path);
        progress.objectsDeleted.incrementAndGet();
    }

    /**
     * A GC's plan as gateways before format 1.3 wrote it, one document {@code gc/<time>-<hex>.json}
     * listing every path: still replayed, no longer written ({@link GcPlan} is).
     */
    record Plan(String site, Instant created, List<String> forgotten, List<String> data, List<String> ranges) {
        byte[] encode() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", site);
            m.put("created", created.toString());
            m.put("forgotten", forgotten);
            m.put("data", data);
            m.put("ranges", ranges);
            return Json.write(m).getBytes(StandardCharsets.UTF_8);
        }

        static Plan decode(Map<String, Object> m) {
            try {
                return new Plan(SnapshotFormat.string(m, "site"), Instant.parse(SnapshotFormat.string(m, "created")),
                        strings(m.get("forgotten"), FORGOTTEN), strings(m.get("data"), SnapshotFormat.DATA),
                        strings(m.get("ranges"), SnapshotFormat.RANGES));
            } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
                throw new SnapshotException(Reason.CORRUPT, "GC plan is not valid: " + e.getMessage(), e);
            }
        }

        /** Paths are checked as a reader checks a root's: a plan never deletes outside its directory. */
        static List<String> strings(Object o, String dir) {
            List<String> out = new ArrayList<>();
            for (Object x : SnapshotFormat.list(o, dir)) {
                if (!(x instanceof String s)) throw new IllegalArgumentException(dir + " holds a non-string");
                if (!dir.equals(FORGOTTEN)) SnapshotFormat.relativePath(s, dir);
                else checkId(s);
                out.add(s);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void checkId(String id) {
        if (!ID.matcher(id).matches()) throw new SnapshotException(Reason.INVALID, "not a snapshot id: " + id);
    }

    private List<String> paths(String prefix) {
        List<String> out = new ArrayList<>();
        repository.list(prefix, out::add);
        return out;
    }

    private Map<String, Object> document(String path) {
        String text = new String(SnapshotReader.readSmall(repository, path), StandardCharsets.UTF_8);
        try {
            return SnapshotFormat.object(Json.parse(text), path);
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(Reason.CORRUPT, path + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    private void putDocument(String path, byte[] bytes) {
        putDocument(repository, path, bytes);
    }

    private static void putDocument(SnapshotRepository repository, String path, byte[] bytes) {
        putBytes(repository, path, bytes, "application/json");
    }

    static void putBytes(SnapshotRepository repository, String path, byte[] bytes, String contentType) {
        repository.putIfAbsent(path, (offset, length) -> new ByteArrayInputStream(bytes, (int) offset, (int) length),
                SnapshotRepository.Spec.document(bytes.length, contentType, SnapshotExporter.md5Hex(bytes)));
    }

    private static String fault() {
        String f = System.getProperty("strata.test.fault");
        return f != null ? f : System.getenv("STRATA_TEST_FAULT");
    }
}
