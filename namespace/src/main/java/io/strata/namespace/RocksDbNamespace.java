package io.strata.namespace;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Namespace} on one RocksDB database: a facade over one package-private class per table
 * (see the package documentation for which class owns which column family), all sharing one
 * {@link Store}.
 *
 * <h2>Concurrency</h2>
 * Every mutation is one {@link Store.Commit} written with {@code sync=true}. Read-modify-write
 * sequences hold striped locks, always taken in this order: bucket (read-write: bucket create and
 * delete take it exclusively, everything writing inside the bucket shares it), key (put, delete,
 * complete; {@link Store#withKey} is the one place that takes the two), upload (read-write:
 * complete and abort exclusive, putPart shared), part number; the work item lock comes after a key
 * lock. Reads take no locks. The store's gate counts calls in flight; {@link #close()} refuses new
 * calls ({@link NamespaceException.Reason#UNAVAILABLE}), waits for those in flight, then releases
 * every native handle. No RocksDB handle leaves the package.
 */
final class RocksDbNamespace implements Namespace {
    private static final Logger log = LoggerFactory.getLogger(RocksDbNamespace.class);

    static final int FORMAT_VERSION = Schema.FORMAT_VERSION;
    static final List<String> COLUMN_FAMILIES = Store.COLUMN_FAMILIES;

    /** Tuning, package-private: tests may turn sync off; production uses {@link #DEFAULT}. */
    record Settings(long blockCacheBytes, boolean syncWrites) {
        static final Settings DEFAULT = new Settings(64L << 20, true);
    }

    private final Store store;
    private final BucketTable buckets;
    private final VersionTable versions;
    private final ListingTable listings;
    private final UploadTable uploads;
    private final GarbageTable garbage;
    private final WorkTable work;
    private final BulkJobTable bulkJobs;
    private final ChangeFeed changeFeed;

    private RocksDbNamespace(Store store) {
        this.store = store;
        this.work = new WorkTable(store);
        this.versions = new VersionTable(store, work);
        this.listings = new ListingTable(store);
        this.uploads = new UploadTable(store, versions);
        this.buckets = new BucketTable(store, versions, uploads);
        this.garbage = new GarbageTable(store);
        this.bulkJobs = new BulkJobTable(store, work);
        this.changeFeed = new GatedChangeFeed(store);
    }

    /** Opens (creating if absent) the namespace in {@code directory} with default settings. The caller closes it. */
    static RocksDbNamespace open(Path directory) {
        return open(directory, Settings.DEFAULT);
    }

    /**
     * Opens (creating if absent) the namespace in {@code directory}. The caller closes it.
     *
     * @throws NamespaceException UNAVAILABLE if the directory cannot be created, RocksDB cannot open
     *                            it, or it holds a format this code does not know
     */
    static RocksDbNamespace open(Path directory, Settings settings) {
        return open(directory, settings, Clock.systemUTC());
    }

    /** As {@link #open(Path, Settings)}, with the clock that times delete markers. */
    static RocksDbNamespace open(Path directory, Settings settings, Clock clock) {
        return open(directory, settings, clock, ChangeLogLimits.DEFAULT);
    }

    /** As {@link #open(Path, Settings, Clock)}, with the change log's bounds. */
    static RocksDbNamespace open(Path directory, Settings settings, Clock clock, ChangeLogLimits changeLimits) {
        return open(directory, settings, clock, changeLimits, 0);
    }

    /** As {@link #open(Path, Settings, Clock, ChangeLogLimits)}, writing version orders as site {@code siteNumber}. */
    static RocksDbNamespace open(Path directory, Settings settings, Clock clock, ChangeLogLimits changeLimits,
                                 int siteNumber) {
        return open(directory, settings, clock, changeLimits, siteNumber, s -> true);
    }

    /**
     * As {@link #open(Path, Settings, Clock, ChangeLogLimits, int)}, queueing as garbage only the
     * unreferenced segments {@code needsFreeing} accepts (see {@link Namespace#open(Path, ChangeLogLimits,
     * Clock, int, java.util.function.Predicate)}).
     */
    static RocksDbNamespace open(Path directory, Settings settings, Clock clock, ChangeLogLimits changeLimits,
                                 int siteNumber, java.util.function.Predicate<Segment> needsFreeing) {
        java.util.Objects.requireNonNull(needsFreeing, "needsFreeing");
        if (siteNumber < 0 || siteNumber > VersionIds.MAX_SITE) {
            throw new IllegalArgumentException("site number out of 0.." + VersionIds.MAX_SITE + ": " + siteNumber);
        }
        RocksDbNamespace ns = new RocksDbNamespace(Store.open(directory, settings.blockCacheBytes(),
                settings.syncWrites(), clock, changeLimits));
        ns.store.siteNumber = siteNumber;
        ns.store.needsFreeing = needsFreeing;
        try {
            ns.recover();
        } catch (RocksDBException e) {
            ns.close();
            throw new NamespaceException(NamespaceException.Reason.UNAVAILABLE, "cannot open namespace in "
                    + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        log.info("namespace opened: {}", directory);
        return ns;
    }

    /** Checks or upgrades the format, then recovers each table's sequences and in-memory state. */
    private void recover() throws RocksDBException {
        Schema.checkOrUpgrade(store);
        store.recoverGarbageIds();
        store.changeLog.recover();
        garbage.recover();
        work.recover();
    }

    @Override
    public long checkpoint(String markName, Path directory) {
        if (java.nio.file.Files.exists(directory)) {
            throw new IllegalArgumentException("checkpoint directory exists: " + directory);
        }
        garbage.mark(markName);
        return store.call(() -> {
            // Every change up to head() is written (or abandoned) before the meta rows are, so a
            // checkpoint holding the rows holds those changes: head() is a true lower bound.
            long sequence = store.changeLog.head();
            Instant now = store.clock.instant();
            try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
                batch.put(store.meta, CheckpointView.META_SEQUENCE, Keys.encodeLong(sequence));
                batch.put(store.meta, CheckpointView.META_TAKEN_AT,
                        Keys.encodeLong(Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L),
                                now.getNano())));
                store.write(batch);
            }
            store.checkpoint(directory);
            // The rows describe the checkpoint, not the live namespace: a copy of the live directory
            // must not pass for a checkpoint.
            try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
                batch.delete(store.meta, CheckpointView.META_SEQUENCE);
                batch.delete(store.meta, CheckpointView.META_TAKEN_AT);
                store.write(batch);
            }
            log.info("namespace checkpoint at change sequence {} in {}", sequence, directory);
            return sequence;
        });
    }

    // ------------------------------------------------------------------ buckets

    @Override
    public void createBucket(Bucket bucket) {
        buckets.create(bucket);
    }

    @Override
    public Optional<Bucket> bucket(BucketName name) {
        return buckets.bucket(name);
    }

    @Override
    public List<Bucket> buckets() {
        return buckets.buckets();
    }

    @Override
    public void deleteBucket(BucketName name) {
        buckets.delete(name);
    }

    @Override
    public void setVersioning(BucketName name, BucketVersioning state) {
        buckets.setVersioning(name, state);
    }

    @Override
    public Optional<byte[]> bucketConfig(BucketName bucket, String kind) {
        return buckets.config(bucket, kind);
    }

    @Override
    public void putBucketConfig(BucketName bucket, String kind, byte[] document) {
        buckets.putConfig(bucket, kind, document);
    }

    @Override
    public boolean deleteBucketConfig(BucketName bucket, String kind) {
        return buckets.deleteConfig(bucket, kind);
    }

    // ------------------------------------------------------------------ versions

    @Override
    public Optional<ObjectVersion> object(BucketName bucket, ObjectKey key) {
        return versions.object(bucket, key);
    }

    @Override
    public Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key) {
        return versions.latest(bucket, key);
    }

    @Override
    public Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId) {
        return versions.version(bucket, key, versionId);
    }

    @Override
    public PutResult putObject(ObjectVersion version, WriteCondition condition) {
        return versions.put(version, Objects.requireNonNull(condition, "condition"));
    }

    @Override
    public int importVersions(BucketName bucket, List<ObjectVersion> versions) {
        return versions.isEmpty() ? 0 : this.versions.importAll(bucket, versions);
    }

    @Override
    public boolean replaceVersion(ObjectVersion expected, ObjectVersion replacement) {
        return versions.replace(expected, replacement);
    }

    @Override
    public boolean setReplicationStatus(ObjectVersion expected, ReplicationStatus status) {
        return versions.setReplicationStatus(expected, Objects.requireNonNull(status, "status"));
    }

    @Override
    public boolean setReplication(ObjectVersion expected, ReplicationStatus status, java.util.Collection<String> waiting) {
        return versions.setReplication(expected, Objects.requireNonNull(status, "status"), Objects.requireNonNull(waiting, "waiting"));
    }

    @Override
    public boolean relocateVersion(ObjectVersion expected, ObjectVersion replacement, OptionalLong finishedWork) {
        return versions.relocate(expected, replacement, finishedWork);
    }

    @Override
    public DeleteResult deleteObject(BucketName bucket, ObjectKey key, WriteCondition condition) {
        return versions.delete(bucket, key, Objects.requireNonNull(condition, "condition"));
    }

    @Override
    public Optional<DeleteResult> deleteObjectIf(ObjectVersion expected) {
        return versions.deleteIf(expected);
    }

    @Override
    public Optional<ObjectVersion> deleteVersion(BucketName bucket, ObjectKey key, String versionId) {
        return versions.deleteVersion(bucket, key, versionId);
    }

    @Override
    public Optional<ObjectVersion> deleteVersionIf(ObjectVersion expected, Standing standing) {
        return versions.deleteVersionIf(expected, Objects.requireNonNull(standing, "standing"));
    }

    /**
     * Commits {@code versions} as {@link #putObject} would, in batches of {@code batchSize}.
     * Package-private bulk path for tests and benchmarks (and a future restore): it holds the bucket
     * exclusively instead of taking key locks. Keys within one batch must be distinct.
     *
     * @throws IllegalArgumentException if a version belongs to another bucket or a key repeats in a batch
     */
    void putObjects(BucketName bucket, List<ObjectVersion> batch, int batchSize) {
        versions.putAll(bucket, batch, batchSize);
    }

    // ------------------------------------------------------------------ listings

    @Override
    public ListPage list(BucketName bucket, ListQuery query) {
        return listings.list(bucket, query);
    }

    @Override
    public VersionPage listVersions(BucketName bucket, VersionQuery query) {
        return listings.listVersions(bucket, query);
    }

    // ------------------------------------------------------------------ multipart uploads

    @Override
    public void createUpload(MultipartUpload upload) {
        uploads.create(upload);
    }

    @Override
    public Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId) {
        return uploads.upload(bucket, key, uploadId);
    }

    @Override
    public void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part) {
        uploads.putPart(bucket, key, uploadId, part);
    }

    @Override
    public List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max) {
        return uploads.parts(bucket, key, uploadId, afterPartNumber, max);
    }

    @Override
    public UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker,
                              String uploadIdMarker, int max) {
        return uploads.uploads(bucket, prefix, delimiter, keyMarker, uploadIdMarker, max);
    }

    @Override
    public PutResult completeUpload(String uploadId, ObjectVersion version, WriteCondition condition,
                                    String requestDigest) {
        return uploads.complete(uploadId, version, Objects.requireNonNull(condition, "condition"),
                Objects.requireNonNull(requestDigest, "requestDigest"));
    }

    @Override
    public Optional<CompletedUpload> completedUpload(BucketName bucket, ObjectKey key, String uploadId) {
        return uploads.completed(bucket, key, uploadId);
    }

    @Override
    public void abortUpload(BucketName bucket, ObjectKey key, String uploadId) {
        uploads.abort(bucket, key, uploadId);
    }

    /** Rows of the completed-uploads family (records and their time index), for tests of its bound. */
    long completedUploadRows() {
        return store.call(() -> {
            long[] rows = {0};
            store.scan(store.completedUploads, new byte[0], null, (k, v) -> {
                rows[0]++;
                return true;
            });
            return rows[0];
        });
    }

    // ------------------------------------------------------------------ garbage and data references

    @Override
    public List<GarbageItem> garbage(int max) {
        return garbage.items(max);
    }

    @Override
    public void removeGarbage(List<GarbageItem> items) {
        garbage.remove(items);
    }

    @Override
    public void addGarbage(List<Segment> segments) {
        garbage.add(segments);
    }

    @Override
    public GarbageMark markGarbage(String name) {
        return garbage.mark(name);
    }

    @Override
    public Optional<GarbageMark> garbageMark(String name) {
        return garbage.openMark(name);
    }

    @Override
    public List<GarbageMark> garbageMarks() {
        return garbage.openMarks();
    }

    @Override
    public boolean releaseGarbageMark(String name) {
        return garbage.release(name);
    }

    @Override
    public long forEachSegment(Consumer<Segment> visitor) {
        return garbage.forEachSegment(visitor);
    }

    // ------------------------------------------------------------------ work queues

    @Override
    public WorkItem addWork(String kind, byte[] payload, Instant notBefore) {
        return work.add(kind, payload, notBefore);
    }

    @Override
    public List<WorkItem> work(String kind, int max) {
        return work.dueBefore(kind, Instant.MAX, max);
    }

    @Override
    public long countWork(String kind, long max) {
        return work.count(kind, max);
    }

    @Override
    public List<WorkItem> dueWork(String kind, Instant now, int max) {
        return work.dueBefore(kind, now, max);
    }

    @Override
    public void visitWork(String kind, java.util.function.Predicate<WorkItem> visitor) {
        work.visit(kind, visitor);
    }

    @Override
    public List<WorkItem> workAfter(String kind, long afterId, int max) {
        return work.after(kind, afterId, max);
    }

    @Override
    public Optional<WorkItem> retryWork(WorkItem item, Instant notBefore, String error) {
        return work.retry(item, notBefore, error);
    }

    @Override
    public Optional<WorkItem> retryWork(WorkItem item, Instant notBefore, String error, byte[] payload) {
        return work.retry(item, notBefore, error, payload);
    }

    @Override
    public boolean removeWork(long id) {
        return work.remove(id);
    }

    // ------------------------------------------------------------------ bulk jobs

    @Override
    public BulkJob createBulkJob(String action, BucketName bucket, String prefix, byte[] parameters, long total) {
        return bulkJobs.create(action, bucket, prefix, parameters, total);
    }

    @Override
    public Optional<BulkJob> bulkJob(long id) {
        return bulkJobs.job(id);
    }

    @Override
    public List<BulkJob> bulkJobs() {
        return bulkJobs.jobs();
    }

    @Override
    public Optional<BulkJob> recordBulkProgress(BulkJob expected, BulkJob.Position next, BulkJob.Counters added,
                                                boolean finished) {
        return bulkJobs.recordProgress(expected, next, added, finished);
    }

    @Override
    public Optional<BulkJob> cancelBulkJob(long id) {
        return bulkJobs.cancel(id);
    }

    @Override
    public Optional<BulkJob> failBulkJob(BulkJob expected, String error) {
        return bulkJobs.fail(expected, error);
    }

    @Override
    public boolean removeBulkJob(long id) {
        return bulkJobs.remove(id);
    }

    // ------------------------------------------------------------------ change feed

    @Override
    public ChangeFeed changeFeed() {
        return changeFeed;
    }

    /** The change log itself, for tests of its bookkeeping. */
    ChangeLog changeLog() {
        return store.changeLog;
    }

    // ------------------------------------------------------------------ lifecycle

    /** RocksDB's level statistics of the objects column family, for diagnostics. */
    String objectStats() {
        return store.call(() -> store.stats(store.objects));
    }

    /** Compacts every column family fully (maintenance, and benchmarks wanting a steady-state LSM). */
    void compact() {
        store.call(() -> {
            store.compactAll();
            return null;
        });
    }

    /** Refuses new calls, waits for calls in flight, then closes every RocksDB handle. Idempotent. */
    @Override
    public void close() {
        if (store.close()) log.info("namespace closed: {}", store.directory);
    }
}
