package io.strata.gateway.attach;

import io.strata.gateway.config.SiteId;

import io.strata.gateway.config.DurableFiles;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.BulkJob;
import io.strata.namespace.BulkJobRunner;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.TierMover;
import io.strata.tiering.snapshot.AttachedSnapshot;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.snapshot.SnapshotHolds;
import io.strata.tiering.snapshot.SnapshotLocator;
import io.strata.tiering.snapshot.SnapshotRepository;
import io.strata.tiering.snapshot.SnapshotRoot;
import io.strata.tiering.snapshot.SnapshotSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot restores ({@code strata snapshot restore}): a snapshot's bucket loaded into a new,
 * ordinary bucket of this gateway, metadata first, then hydrated.
 *
 * <ol>
 *   <li><b>Metadata load.</b> The root is read and checked against the locator, a hold is placed in
 *       the repository ({@link SnapshotHolds}), the restore is registered durably, the bucket is
 *       created with the snapshot's versioning and configuration documents, then the range files are
 *       walked a page of {@value #PAGE} entries at a time (one range file in memory at most) and each
 *       page is written with {@link Namespace#importVersions}: every version and delete marker keeps
 *       its id, time, ETag, checksums, tags and ACL, and its bytes are referenced in the repository
 *       (segments of kind 0xF3, read through {@link SnapshotSources}, verified). After each page the
 *       registration records the ListObjectVersions markers reached: a restore cut short (kill -9)
 *       resumes from there at the next start, and the page it was writing is written again, a no-op.
 *       The bucket is visible, and shows what is loaded so far, while the load runs.</li>
 *   <li><b>Readable and writable.</b> The bucket is an ordinary bucket: reads of versions not yet
 *       hydrated fall through to the repository; writes and deletes work as anywhere (a deleted
 *       version's repository reference is dropped, never the repository's object).</li>
 *   <li><b>Hydration.</b> A durable bulk job ({@value #HYDRATE}) copies every version still held in
 *       the repository into the hot tier (or a cold tier), checked, with a compare-and-set
 *       ({@link TierMover#fromSnapshot}); it resumes after a restart like every bulk job. When it ends
 *       with no failure the hold is released; otherwise the hold stays and the hydration can be run
 *       again.</li>
 * </ol>
 *
 * Registrations live in {@code DATA_DIR/snapshot-restore/BUCKET.properties} (mode 0600: they may
 * hold an S3 repository's secret key). Thread-safe.
 */
public final class Restores implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Restores.class);
    public static final String DIR = "snapshot-restore";
    /** The bulk job action that hydrates a restored bucket. */
    public static final String HYDRATE = "snapshot.hydrate";
    /** Entries imported per synced write and recorded cursor step. */
    static final int PAGE = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a restore is. */
    public enum State {
        /** The metadata is being loaded (resumed at start). */
        LOADING,
        /** Every version is in the bucket; bytes not hydrated (a hydration may be started). */
        LOADED,
        /** The hydration job runs. */
        HYDRATING,
        /** Every version's bytes are local; the hold is released. */
        HYDRATED
    }

    /** A restore as registered. Mutable under the registry's lock; {@link #json} copies it out. */
    static final class Restore {
        String id;
        String bucket;
        String owner;
        String locator;
        String source;
        String prefix;
        String snapshot;
        Instant started;
        State state;
        String keyMarker = "";
        String versionMarker = "";
        long loaded;
        /** About how many entries the load reads (the range files that can hold the prefix); 0 until it runs. */
        long entries;
        long job = -1;
        String tier = "";
        boolean hydrate;
        Optional<String> accessKey = Optional.empty();
        Optional<String> secretKey = Optional.empty();
        String error = "";
        SnapshotRepository repository;

        @Override
        public String toString() {
            return "Restore[" + bucket + " from " + locator + "]";
        }
    }

    private final Path registry;
    private final Namespace namespace;
    private final SnapshotSources sources;
    private final BulkJobs jobs;
    private final TierMover mover;
    private final String site;
    private final String region;
    private final Clock clock;
    private final Map<String, Restore> restores = new TreeMap<>();
    private final List<Thread> loaders = new ArrayList<>();
    private final LongAdder hydratedVersions = new LongAdder();
    private final LongAdder hydratedBytes = new LongAdder();
    private volatile boolean closed;

    private Restores(Path registry, Namespace namespace, SnapshotSources sources, BulkJobs jobs, TierMover mover, String site,
                     String region, Clock clock) {
        this.registry = registry;
        this.namespace = namespace;
        this.sources = sources;
        this.jobs = jobs;
        this.mover = mover;
        this.site = site;
        this.region = region;
        this.clock = clock;
    }

    /**
     * Loads the registered restores and makes their versions readable (each repository registered
     * with {@code sources} under its bucket's name), and registers the hydration action with
     * {@code jobs} (before {@link BulkJobs#start}, which resumes interrupted hydrations).
     *
     * @param namespace   the stored namespace (not the view with attached snapshots)
     * @param parallelism versions one hydration copies at once ({@code snapshots.hydrate-parallelism})
     */
    public static Restores open(Path dataDir, Namespace namespace, SnapshotSources sources, BulkJobs jobs, TierMover mover,
                                String site, String region, Clock clock, int parallelism) {
        Path registry = dataDir.resolve(DIR);
        Restores r = new Restores(registry, namespace, sources, jobs, mover, site, region, clock);
        jobs.register(HYDRATE, parallelism, r::hydrateOne, r::hydrationEnded);
        try {
            Files.createDirectories(registry);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(registry, "*.properties")) {
                for (Path f : files) {
                    Restore restore = read(f);
                    restore.repository = Attachments.repository(SnapshotLocator.parse(restore.locator), restore.accessKey,
                            restore.secretKey, region);
                    sources.register(restore.bucket, restore.repository);
                    r.restores.put(restore.bucket, restore);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the snapshot restores in " + registry, e);
        }
        return r;
    }

    /**
     * Resumes what a restart cut short: metadata loads, and hydrations whose job ended while the
     * gateway was down. Call once, after {@link BulkJobs#start}.
     */
    public void start() {
        List<Restore> all;
        synchronized (this) {
            all = List.copyOf(restores.values());
        }
        for (Restore r : all) {
            if (r.state == State.LOADING) {
                LOG.info("snapshot restore {} of bucket {} resumes its metadata load after {} entries", r.id, r.bucket, r.loaded);
                launchLoad(r);
            } else if (r.state == State.HYDRATING) {
                jobs.job(r.job).filter(j -> j.state().ended()).ifPresent(this::hydrationEnded);
            }
        }
    }

    /** Whether {@code bucket} is a restore's. */
    public synchronized boolean isRestore(String bucket) {
        return restores.containsKey(bucket);
    }

    /** The bucket name is taken. */
    public static final class AlreadyExists extends RuntimeException {
        AlreadyExists(String bucket) {
            super("bucket " + bucket + " exists already; restore the snapshot under another name (--as)", null, false, false);
        }
    }

    /**
     * Starts restoring: checks the root against the locator, places the hold, registers the restore
     * and creates the bucket, then loads the metadata in the background (and hydrates after, if asked).
     *
     * @param taken whether a bucket of that name exists (stored or attached), checked under this registry's lock
     * @throws SnapshotException INVALID, NOT_FOUND, LOCATOR_MISMATCH, UNKNOWN_FORMAT, CORRUPT, UNAVAILABLE, REJECTED;
     *         nothing is changed then
     * @throws AlreadyExists when the bucket name is taken
     * @throws IllegalArgumentException for a bad bucket name or an unknown tier
     */
    public Map<String, Object> restore(String locatorText, Optional<String> source, String bucket, String prefix, String owner,
                                       Optional<String> accessKey, Optional<String> secretKey, boolean hydrate, String tier,
                                       Predicate<String> taken) {
        new BucketName(bucket);
        if (!tier.isEmpty()) mover.tiers().require(tier);
        SnapshotLocator locator = SnapshotLocator.parse(locatorText);
        synchronized (this) {
            if (restores.containsKey(bucket) || taken.test(bucket)) throw new AlreadyExists(bucket);
        }
        SnapshotRepository repository = Attachments.repository(locator, accessKey, secretKey, region);
        Restore r = new Restore();
        boolean registered = false;
        try {
            AttachedSnapshot snapshot = AttachedSnapshot.open(bucket, repository, locator, source, sources.cache());
            r.id = "restore-" + HexFormat.of().formatHex(randomBytes());
            r.bucket = bucket;
            r.owner = owner;
            r.locator = locator.toString();
            r.source = snapshot.source().name();
            r.prefix = prefix;
            r.snapshot = snapshot.root().snapshot();
            r.started = clock.instant();
            r.state = State.LOADING;
            r.hydrate = hydrate;
            r.tier = tier;
            r.accessKey = accessKey;
            r.secretKey = secretKey;
            r.repository = repository;
            // The hold goes first: the source's GC must not delete what this site is about to reference.
            SnapshotHolds.place(repository, site, r.id, r.snapshot, r.started, SnapshotHolds.Purpose.RESTORE);
            synchronized (this) {
                if (restores.containsKey(bucket) || taken.test(bucket)) throw new AlreadyExists(bucket);
                save(r);
                restores.put(bucket, r);
                registered = true;
            }
        } catch (RuntimeException e) {
            if (r.id != null && !registered) releaseQuietly(r);
            repository.close();
            throw e;
        }
        sources.register(bucket, repository);
        try {
            namespace.createBucket(new Bucket(new BucketName(bucket), r.started, region, owner, BucketVersioning.UNVERSIONED));
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_EXISTS) {
                // A client created it since the check: never load a snapshot into a bucket that is someone else's.
                forget(r);
                throw new AlreadyExists(bucket);
            }
            // Registered already: the load creates it when it runs (now, or at the next start).
            LOG.warn("snapshot restore {}: bucket {} not created yet: {}", r.id, bucket, e.toString());
        }
        LOG.info("snapshot restore {}: bucket {} of {} into bucket {} (prefix '{}')", r.id, r.source, r.locator, bucket, prefix);
        launchLoad(r);
        return json(r);
    }

    /**
     * Starts (or starts again) the hydration of a loaded restore.
     *
     * @throws IllegalStateException when the restore is still loading, hydrating or hydrated
     * @throws BulkJobs.BusyException when too many bulk jobs run
     * @return empty if {@code bucket} is not a restore
     */
    public Optional<Map<String, Object>> hydrate(String bucket, Optional<String> tier) {
        Restore r;
        synchronized (this) {
            r = restores.get(bucket);
            if (r == null) return Optional.empty();
            if (r.state != State.LOADED) {
                throw new IllegalStateException("restore of " + bucket + " is " + r.state.name().toLowerCase(java.util.Locale.ROOT)
                        + "; only a loaded restore can be hydrated");
            }
            tier.ifPresent(t -> {
                mover.tiers().require(t);
                r.tier = t;
            });
        }
        startHydration(r);
        return Optional.of(json(r));
    }

    /** One restore as JSON (with its hydration job's progress), or empty. */
    public Optional<Map<String, Object>> show(String bucket) {
        Restore r;
        synchronized (this) {
            r = restores.get(bucket);
        }
        return r == null ? Optional.empty() : Optional.of(json(r));
    }

    public List<Map<String, Object>> list() {
        List<Restore> all;
        synchronized (this) {
            all = List.copyOf(restores.values());
        }
        return all.stream().map(this::json).toList();
    }

    /** Versions and bytes hydrated by this process, for the metrics. */
    public long hydratedVersions() {
        return hydratedVersions.sum();
    }

    public long hydratedBytes() {
        return hydratedBytes.sum();
    }

    /** Versions still held in repositories by running or interrupted hydrations (their jobs' totals less what they visited). */
    public long remainingVersions() {
        long n = 0;
        for (Map<String, Object> m : list()) {
            if (m.get("remaining") instanceof Long l) n += l;
        }
        return n;
    }

    /** This site's id, as its holds name it (made once and kept in {@code DATA_DIR/site-id}: {@link SiteId}). */
    public static String siteId(Path dataDir) {
        try {
            return SiteId.loadOrCreate(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make this site's id in " + dataDir.resolve(SiteId.FILE), e);
        }
    }

    // ------------------------------------------------------------------ the metadata load

    private void launchLoad(Restore r) {
        Thread t = Thread.ofVirtual().name("strata-restore-" + r.bucket).unstarted(() -> {
            try {
                load(r);
            } catch (RuntimeException e) {
                // The repository or the store failed: the restore stays LOADING and resumes at the next start.
                if (!closed) {
                    LOG.warn("snapshot restore {} of bucket {} stopped after {} entries: {}; it resumes at the next start",
                            r.id, r.bucket, r.loaded, e.toString());
                    synchronized (this) {
                        r.error = e.getMessage() == null ? e.toString() : e.getMessage();
                        saveQuietly(r);
                    }
                }
            }
        });
        synchronized (loaders) {
            loaders.add(t);
        }
        t.start();
    }

    private AttachedSnapshot snapshot(Restore r) {
        return AttachedSnapshot.open(r.bucket, r.repository, SnapshotLocator.parse(r.locator), Optional.of(r.source), sources.cache());
    }

    private void load(Restore r) {
        AttachedSnapshot snapshot = snapshot(r);
        createBucket(r, snapshot);
        long entries = 0;
        for (SnapshotRoot.RangeRef range : snapshot.source().ranges()) {
            // Ranges are in key order: one can hold keys under the prefix unless it ends before the
            // prefix or starts after every key that has it.
            boolean endsBefore = range.last().compareTo(r.prefix) < 0;
            boolean startsAfter = range.first().compareTo(r.prefix) > 0 && !range.first().startsWith(r.prefix);
            if (!endsBefore && !startsAfter) entries += range.entries();
        }
        synchronized (this) {
            r.entries = entries;
        }
        String keyMarker;
        String versionMarker;
        synchronized (this) {
            keyMarker = r.keyMarker;
            versionMarker = r.versionMarker;
        }
        BucketName bucket = new BucketName(r.bucket);
        VersionPage page;
        do {
            if (closed || Thread.currentThread().isInterrupted()) return;
            page = snapshot.listVersions(new VersionQuery(r.prefix, "", keyMarker, versionMarker, PAGE));
            List<ObjectVersion> versions = page.versions().stream().map(VersionPage.Entry::version).toList();
            namespace.importVersions(bucket, versions);
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
            synchronized (this) {
                r.loaded += versions.size();
                r.keyMarker = keyMarker;
                r.versionMarker = versionMarker;
                r.error = "";
                if (!page.truncated()) r.state = State.LOADED;
                saveQuietly(r);
            }
        } while (page.truncated());
        LOG.info("snapshot restore {}: {} entries loaded into bucket {}", r.id, r.loaded, r.bucket);
        if (r.hydrate) startHydration(r);
    }

    /** Creates the bucket with the snapshot's versioning and configuration documents; on a resume, only what is missing. */
    private void createBucket(Restore r, AttachedSnapshot snapshot) {
        BucketName name = new BucketName(r.bucket);
        Bucket wanted = snapshot.bucketRecord();
        if (namespace.bucket(name).isEmpty()) {
            try {
                namespace.createBucket(new Bucket(name, r.started, region, r.owner, BucketVersioning.UNVERSIONED));
            } catch (NamespaceException e) {
                if (e.reason() != NamespaceException.Reason.BUCKET_EXISTS) throw e;
            }
        }
        if (wanted.versioning() != BucketVersioning.UNVERSIONED) namespace.setVersioning(name, wanted.versioning());
        for (Map.Entry<String, byte[]> c : snapshot.source().configs().entrySet()) {
            namespace.putBucketConfig(name, c.getKey(), c.getValue());
        }
    }

    // ------------------------------------------------------------------ hydration

    private void startHydration(Restore r) {
        try {
            BulkJob job = jobs.submit(HYDRATE, new BucketName(r.bucket), r.prefix, r.tier.getBytes(StandardCharsets.UTF_8));
            synchronized (this) {
                r.job = job.id();
                r.state = State.HYDRATING;
                r.error = "";
                saveQuietly(r);
            }
            LOG.info("snapshot restore {}: hydration of bucket {} started as bulk job {}", r.id, r.bucket, job.id());
        } catch (BulkJobs.BusyException e) {
            synchronized (this) {
                r.error = "hydration not started: " + e.getMessage();
                saveQuietly(r);
            }
            throw e;
        }
    }

    /** The bulk job's action: one version still held in the repository copied, checked and pointed at the copy. */
    private BulkJobRunner.Outcome hydrateOne(BulkJob job, ObjectVersion v) {
        if (!TierMover.snapshotHeld(v)) return BulkJobRunner.Outcome.SKIPPED;
        String tier = new String(job.parameters(), StandardCharsets.UTF_8);
        TierMover.Outcome o = tier.isEmpty() ? mover.fromSnapshot(v) : mover.toCold(v, tier);
        if (o != TierMover.Outcome.MOVED) return BulkJobRunner.Outcome.SKIPPED;
        hydratedVersions.increment();
        hydratedBytes.add(v.size());
        return BulkJobRunner.Outcome.DONE;
    }

    /** A hydration job ended: with no failure the restore is hydrated and its hold released; otherwise it can be run again. */
    private void hydrationEnded(BulkJob job) {
        Restore r;
        synchronized (this) {
            r = restores.values().stream().filter(x -> x.job == job.id()).findFirst().orElse(null);
            if (r == null || r.state != State.HYDRATING) return;
        }
        boolean complete = job.state() == BulkJob.State.DONE && job.counters().failed() == 0;
        if (complete) {
            try {
                SnapshotHolds.release(r.repository, site, r.id);
            } catch (SnapshotException e) {
                // Stay HYDRATING: the next start tries again, and a stale hold only keeps data longer.
                LOG.warn("snapshot restore {}: hydrated, but the hold cannot be released yet: {}", r.id, e.getMessage());
                return;
            }
        }
        synchronized (this) {
            if (complete) {
                r.state = State.HYDRATED;
                r.error = "";
            } else {
                r.state = State.LOADED;
                r.error = "hydration job " + job.id() + " ended " + job.state() + " with " + job.counters().failed()
                        + " versions failed; the hold stays; run strata snapshot hydrate " + r.bucket + " again";
            }
            saveQuietly(r);
        }
        LOG.info("snapshot restore {} of bucket {}: {}", r.id, r.bucket, complete ? "hydrated, hold released" : r.error);
    }

    // ------------------------------------------------------------------ registrations

    private Map<String, Object> json(Restore r) {
        Map<String, Object> m = new LinkedHashMap<>();
        synchronized (this) {
            m.put("id", r.id);
            m.put("bucket", r.bucket);
            m.put("locator", r.locator);
            m.put("source", r.source);
            m.put("prefix", r.prefix);
            m.put("snapshot", r.snapshot);
            m.put("started", r.started.toString());
            m.put("state", r.state.name());
            m.put("loaded", r.loaded);
            m.put("entries", r.state == State.LOADING ? r.entries : r.loaded);
            m.put("tier", r.tier.isEmpty() ? null : r.tier);
            m.put("hold", r.state == State.HYDRATED ? null : SnapshotHolds.path(site, r.id));
            m.put("job", r.job < 0 ? null : r.job);
            m.put("error", r.error.isEmpty() ? null : r.error);
        }
        if (m.get("job") instanceof Long id) {
            jobs.job(id).ifPresent(j -> {
                m.put("jobState", j.state().name());
                m.put("hydrated", j.counters().done());
                m.put("hydratedBytes", j.counters().bytes());
                m.put("visited", j.counters().visited());
                m.put("failed", j.counters().failed());
                m.put("total", j.total());
                if (j.state() == BulkJob.State.RUNNING && j.total() >= 0) m.put("remaining", Math.max(0, j.total() - j.counters().visited()));
            });
        }
        return m;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Undoes a restore refused after it was registered: registration, source, hold. */
    private void forget(Restore r) {
        synchronized (this) {
            restores.remove(r.bucket);
            try {
                Files.deleteIfExists(registry.resolve(r.bucket + ".properties"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unregister the restore of " + r.bucket, e);
            }
        }
        sources.unregister(r.bucket);
        releaseQuietly(r);
        r.repository.close();
    }

    private void releaseQuietly(Restore r) {
        try {
            SnapshotHolds.release(r.repository, site, r.id);
        } catch (RuntimeException e) {
            LOG.warn("snapshot restore {} was refused, and its hold cannot be released: {}", r.id, e.getMessage());
        }
    }

    private void saveQuietly(Restore r) {
        try {
            save(r);
        } catch (UncheckedIOException e) {
            LOG.error("cannot record snapshot restore {}: {}", r.id, e.getMessage());
        }
    }

    /** Writes the registration (fsynced, renamed); the caller holds this registry's lock. */
    private void save(Restore r) {
        Properties p = new Properties();
        p.setProperty("id", r.id);
        p.setProperty("bucket", r.bucket);
        p.setProperty("owner", r.owner);
        p.setProperty("locator", r.locator);
        p.setProperty("source", r.source);
        p.setProperty("prefix", r.prefix);
        p.setProperty("snapshot", r.snapshot);
        p.setProperty("started", r.started.toString());
        p.setProperty("state", r.state.name());
        p.setProperty("key-marker", r.keyMarker);
        p.setProperty("version-marker", r.versionMarker);
        p.setProperty("loaded", Long.toString(r.loaded));
        p.setProperty("job", Long.toString(r.job));
        p.setProperty("tier", r.tier);
        p.setProperty("hydrate", Boolean.toString(r.hydrate));
        p.setProperty("error", r.error);
        r.accessKey.ifPresent(k -> p.setProperty("access-key", k));
        r.secretKey.ifPresent(k -> p.setProperty("secret-key", k));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.store(out, "a snapshot restore (strata snapshot restore)");
            DurableFiles.write(registry.resolve(r.bucket + ".properties"), out.toByteArray(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the restore of " + r.bucket, e);
        }
    }

    private static Restore read(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
        }
        try {
            Restore r = new Restore();
            r.id = required(p, "id", file);
            r.bucket = required(p, "bucket", file);
            r.owner = required(p, "owner", file);
            r.locator = required(p, "locator", file);
            r.source = required(p, "source", file);
            r.prefix = p.getProperty("prefix", "");
            r.snapshot = required(p, "snapshot", file);
            r.started = Instant.parse(required(p, "started", file));
            r.state = State.valueOf(required(p, "state", file));
            r.keyMarker = p.getProperty("key-marker", "");
            r.versionMarker = p.getProperty("version-marker", "");
            r.loaded = Long.parseLong(p.getProperty("loaded", "0"));
            r.job = Long.parseLong(p.getProperty("job", "-1"));
            r.tier = p.getProperty("tier", "");
            r.hydrate = Boolean.parseBoolean(p.getProperty("hydrate", "true"));
            r.error = p.getProperty("error", "");
            r.accessKey = Optional.ofNullable(p.getProperty("access-key"));
            r.secretKey = Optional.ofNullable(p.getProperty("secret-key"));
            return r;
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IOException(file + " is not a valid restore registration: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String name, Path file) throws IOException {
        String v = p.getProperty(name);
        if (v == null) throw new IOException(file + " lacks " + name);
        return v;
    }

    /** Stops the metadata loads (they resume at the next start) and closes the repositories. */
    @Override
    public void close() {
        closed = true;
        List<Thread> running;
        synchronized (loaders) {
            running = List.copyOf(loaders);
        }
        running.forEach(Thread::interrupt);
        for (Thread t : running) {
            try {
                if (!t.join(java.time.Duration.ofSeconds(10))) LOG.warn("snapshot restore loader {} did not stop within 10 s", t.getName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<SnapshotRepository> open = new ArrayList<>();
        synchronized (this) {
            for (Restore r : restores.values()) if (r.repository != null) open.add(r.repository);
        }
        open.forEach(SnapshotRepository::close);
    }
}
