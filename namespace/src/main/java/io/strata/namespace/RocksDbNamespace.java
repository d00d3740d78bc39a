package io.strata.namespace;

import io.strata.namespace.NamespaceException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Namespace} on one RocksDB database.
 *
 * <h2>Layout</h2>
 * Column families (row keys per {@link Keys}; values per the codec named, each starting with its
 * format version byte):
 * <ul>
 *   <li>{@code meta}: {@code format-version} (one byte, {@value #FORMAT_VERSION}) and
 *       {@code garbage-id-lease} (8 bytes: garbage ids below it may have been handed out).</li>
 *   <li>{@code buckets}: bucket name → {@link BucketCodec}.</li>
 *   <li>{@code objects}: {@code bucket 0x00 key} → {@link ObjectVersionCodec}, the <em>current</em>
 *       version of each key only, and only when it is not a delete marker: the index that plain
 *       listings seek in, as fast as before versioning.</li>
 *   <li>{@code versions}: {@code bucket 0x00 esc(key) ~order} → {@link ObjectVersionCodec}, every
 *       version and delete marker, newest first within a key (ListObjectVersions and look-ups by
 *       id; see {@link VersionIds}). Invariant: a key's {@code objects} row exists exactly when its
 *       newest {@code versions} row is not a delete marker, and then holds the same record.</li>
 *   <li>{@code null-versions}: {@code bucket 0x00 key} → the order (8 bytes) of the key's
 *       {@code null} version, when it has one.</li>
 *   <li>{@code uploads}: {@code bucket 0x00 esc(key) esc(uploadId)} → {@link MultipartUploadCodec}
 *       (point look-ups).</li>
 *   <li>{@code upload-order}: {@code bucket 0x00 esc(key) initiated esc(uploadId)} → the same
 *       record (ListMultipartUploads order: key, initiation time, upload id).</li>
 *   <li>{@code parts}: the {@code uploads} row key + part number (4 bytes) → {@link PartCodec}.</li>
 *   <li>{@code garbage}: id (8 bytes big-endian) → {@link SegmentCodec}; FIFO by id.</li>
 *   <li>{@code jobs}: the untyped job queue of earlier versions, emptied at open into {@code work}
 *       as kind {@link WorkItem#UNTYPED} (kept so RocksDB opens those databases).</li>
 *   <li>{@code work}: id (8 bytes big-endian) → {@link WorkItemCodec}, the typed work queues; ids
 *       come from the {@code work-id-lease} in {@code meta} like garbage ids, so they are never
 *       reused. {@code work-due}: {@code kind 0x00 notBefore-millis id} → empty, each queue in due order.</li>
 *   <li>{@code bulk-jobs}: id (8 bytes big-endian, from the work id lease) → {@link BulkJobCodec}.</li>
 *   <li>{@code changes}: sequence (8 bytes big-endian) → {@link ChangeEntryCodec}, the change log,
 *       written in each mutation's own batch; {@code change-cursors}: consumer name → position. See
 *       {@link ChangeLog}.</li>
 *   <li>{@code garbage-marks}: mark name → {@link GarbageMarkCodec}; garbage at or above the oldest
 *       mark's id is not handed out ({@link GarbageMarks}).</li>
 * </ul>
 *
 * Format 1 (before versioning) had no {@code versions}: opening it adds each object's row there as
 * its {@code null} version (in batches; rerun whole if interrupted), then records format 2.
 *
 * <h2>Concurrency</h2>
 * Every mutation is one {@link WriteBatch} written with {@code sync=true}. Read-modify-write
 * sequences hold striped locks, always taken in this order: bucket (read-write: bucket create and
 * delete take it exclusively, everything writing inside the bucket shares it), key (put, delete,
 * complete), upload (read-write: complete and abort exclusive, putPart shared), part number.
 * Reads take no locks. A {@link Gate} counts calls in flight; {@link #close()} refuses new calls
 * ({@link Reason#UNAVAILABLE}), waits for those in flight, then releases every native handle.
 * No RocksDB handle leaves this class.
 */
final class RocksDbNamespace implements Namespace {
    private static final Logger log = LoggerFactory.getLogger(RocksDbNamespace.class);

    static final int FORMAT_VERSION = 2;
    /** Rows per batch while upgrading a format 1 namespace. */
    private static final int MIGRATION_BATCH = 10_000;
    /** Garbage ids are reserved in blocks of this many, so allocating one rarely costs a write. */
    static final long GARBAGE_ID_LEASE = 4096;
    static final List<String> COLUMN_FAMILIES =
            List.of("meta", "buckets", "objects", "uploads", "upload-order", "parts", "garbage", "versions",
                    "null-versions", "bucket-config", "jobs", "changes", "change-cursors", "garbage-marks",
                    "work", "work-due", "bulk-jobs");
    private static final byte[] META_FORMAT = Keys.utf8("format-version");
    private static final byte[] META_GARBAGE_LEASE = Keys.utf8("garbage-id-lease");
    private static final byte[] META_WORK_LEASE = Keys.utf8("work-id-lease");
    /** Work ids are reserved in blocks of this many, as garbage ids are. */
    static final long WORK_ID_LEASE = 256;
    /** Row key buffer for listings: a bucket name (63), its separator and a key (1024) always fit. */
    private static final int KEY_BUFFER = 2048;

    /** Tuning, package-private: tests may turn sync off; production uses {@link #DEFAULT}. */
    record Settings(long blockCacheBytes, boolean syncWrites) {
        static final Settings DEFAULT = new Settings(64L << 20, true);
    }

    /**
     * Threads that perform synced writes for virtual-thread callers. A JNI call keeps its carrier
     * thread for its whole duration, fsync included, so on a 2-core machine two commits would stall
     * every other virtual thread; handing the write to a platform thread lets the caller park
     * instead, and lets RocksDB group concurrent commits into one WAL sync.
     */
    private static final int WRITER_THREADS = 8;

    private final Path directory;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache blockCache;
    private final WriteOptions writeOptions;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle buckets;
    private final ColumnFamilyHandle objects;
    private final ColumnFamilyHandle uploads;
    private final ColumnFamilyHandle uploadOrder;
    private final ColumnFamilyHandle parts;
    private final ColumnFamilyHandle garbage;
    private final ColumnFamilyHandle versions;
    private final ColumnFamilyHandle nullVersions;
    /** Plain reads of the latest state (no snapshot, no bounds); shared, closed last. */
    private final ReadOptions latestRead = new ReadOptions();
    /** Time of delete markers. */
    private final Clock clock;
    private final ColumnFamilyHandle bucketConfig;
    private final ColumnFamilyHandle jobs;
    private final ChangeLog changeLog;
    private final GarbageMarks garbageMarks;
    private final ChangeFeed changeFeed = new Feed();
    /** Runs background trims of the change log (its thread starts on the first trim). */
    private final ExecutorService trimmer;
    private final AtomicBoolean trimQueued = new AtomicBoolean();
    private final ColumnFamilyHandle work;
    private final ColumnFamilyHandle workDue;
    private final ColumnFamilyHandle bulkJobs;
    /** Serialises the read-check-write of one bulk job. */
    private final ReentrantLock bulkLock = new ReentrantLock();
    /** Next work id and its persisted lease bound, guarded by idLock. */
    private long nextWorkId;
    private long workLease;
    /** Serialises the read-check-write of one work item (retry, remove, finish with a relocation). */
    private final ReentrantLock workLock = new ReentrantLock();

    private final ExecutorService writers;
    private final Gate gate = new Gate();
    private final StripedLocks bucketLocks = new StripedLocks(64, true);
    private final StripedLocks keyLocks = new StripedLocks(1024, false);
    private final StripedLocks uploadLocks = new StripedLocks(256, true);
    private final StripedLocks partLocks = new StripedLocks(1024, false);

    // Garbage ids: next id to hand out and the persisted lease bound, both guarded by idLock.
    private final ReentrantLock idLock = new ReentrantLock();
    private long nextGarbageId;
    private long garbageLease;
    /** First ids of garbage ranges handed out whose batch has not finished writing. */
    private final ConcurrentSkipListSet<Long> pendingGarbage = new ConcurrentSkipListSet<>();
    /**
     * Every garbage id below this is removed or will never be written, so {@link #garbage(int)}
     * seeks here instead of scanning the head of the queue's delete tombstones.
     */
    private final AtomicLong garbageScanFrom = new AtomicLong();

    private RocksDbNamespace(Path directory, RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                             LRUCache blockCache, WriteOptions writeOptions, List<ColumnFamilyHandle> handles,
                             Clock clock, ChangeLogLimits changeLimits) {
        this.directory = directory;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.blockCache = blockCache;
        this.writeOptions = writeOptions;
        this.handles = handles;
        // handles.get(0) is RocksDB's mandatory default column family, unused.
        this.meta = handles.get(1);
        this.buckets = handles.get(2);
        this.objects = handles.get(3);
        this.uploads = handles.get(4);
        this.uploadOrder = handles.get(5);
        this.parts = handles.get(6);
        this.garbage = handles.get(7);
        this.versions = handles.get(8);
        this.nullVersions = handles.get(9);
        this.clock = clock;
        this.bucketConfig = handles.get(10);
        this.jobs = handles.get(11);
        this.changeLog = new ChangeLog(db, handles.get(12), handles.get(13), meta, this::write, clock, changeLimits);
        this.garbageMarks = new GarbageMarks(db, handles.get(14), this::write, clock);
        this.work = handles.get(15);
        this.workDue = handles.get(16);
        this.bulkJobs = handles.get(17);
        this.trimmer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("namespace-change-trim").unstarted(r));
        AtomicLong threadNumber = new AtomicLong();
        this.writers = Executors.newFixedThreadPool(WRITER_THREADS, r -> Thread.ofPlatform().daemon()
                .name("namespace-writer-" + threadNumber.incrementAndGet()).unstarted(r));
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
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "cannot create namespace directory " + directory, e);
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            LRUCache cache = new LRUCache(settings.blockCacheBytes());
            opened.add(cache);
            // Level compaction with RocksDB's defaults; LZ4 is cheap on this CPU and metadata compresses well.
            // No bloom filters: reads are dominated by seeks (listings) and by gets of keys that exist.
            ColumnFamilyOptions cfo = new ColumnFamilyOptions()
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setBlockSize(16 * 1024))
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true);
            opened.add(cfo);
            DBOptions dbo = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(2)
                    .setKeepLogFileNum(4)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
            opened.add(dbo);
            WriteOptions wo = new WriteOptions().setSync(settings.syncWrites());
            opened.add(wo);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
            for (String name : COLUMN_FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfo));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbo, directory.toString(), descriptors, handles);
            RocksDbNamespace ns = new RocksDbNamespace(directory, db, dbo, cfo, cache, wo, handles, clock,
                    changeLimits);
            opened.clear(); // from here on the namespace owns the options and closes them
            try {
                ns.initialise();
            } catch (RuntimeException | RocksDBException e) {
                ns.close();
                throw e;
            }
            log.info("namespace opened: {}", directory);
            return ns;
        } catch (RocksDBException e) {
            closeAll(opened);
            throw new NamespaceException(Reason.UNAVAILABLE, "cannot open namespace in " + directory + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", resources.get(i), e);
            }
        }
    }

    /** Checks or writes the format version and recovers the garbage id sequence. */
    private void initialise() throws RocksDBException {
        byte[] format = db.get(meta, META_FORMAT);
        if (format == null) {
            db.put(meta, writeOptions, META_FORMAT, new byte[] {FORMAT_VERSION});
        } else if (format.length == 1 && format[0] == 1) {
            migrateToVersions();
            db.put(meta, writeOptions, META_FORMAT, new byte[] {FORMAT_VERSION});
        } else if (format.length != 1 || format[0] != FORMAT_VERSION) {
            throw new NamespaceException(Reason.UNAVAILABLE, "namespace in " + directory + " has format "
                    + Arrays.toString(format) + "; this version reads formats 1 and " + FORMAT_VERSION);
        }
        byte[] lease = db.get(meta, META_GARBAGE_LEASE);
        long next = lease == null ? 1 : Keys.decodeLong(lease);
        try (RocksIterator it = db.newIterator(garbage)) {
            it.seekToLast();
            if (it.isValid()) next = Math.max(next, Keys.garbageId(it.key()) + 1);
            it.status();
        }
        // Ids below the lease may have been used before a crash: start above it, never reuse one.
        nextGarbageId = next;
        garbageLease = next;
        changeLog.recover();
        garbageMarks.recover();
        recoverWork();
    }

    /**
     * Work ids continue above the lease, the highest stored item and the highest job of the old
     * untyped queue (whose ids restarted after a restart: it recovered them from its highest row
     * only, so removing the newest jobs handed their ids out again). The old queue's jobs then
     * move to {@code work} keeping their ids, in one write.
     */
    private void recoverWork() throws RocksDBException {
        byte[] lease = db.get(meta, META_WORK_LEASE);
        long next = lease == null ? 1 : Keys.decodeLong(lease);
        for (ColumnFamilyHandle cf : List.of(work, jobs)) {
            try (RocksIterator it = db.newIterator(cf)) {
                it.seekToLast();
                if (it.isValid()) next = Math.max(next, Keys.garbageId(it.key()) + 1);
                it.status();
            }
        }
        nextWorkId = next;
        workLease = next;
        int moved = 0;
        try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator(jobs)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                WorkItem item = new WorkItem(Keys.garbageId(it.key()), WorkItem.UNTYPED, it.value(), Instant.EPOCH, 0, "");
                batch.put(work, it.key(), WorkItemCodec.encode(item));
                batch.put(workDue, WorkItemCodec.dueRow(item), new byte[0]);
                batch.delete(jobs, it.key());
                moved++;
            }
            it.status();
            if (moved > 0) {
                batch.put(meta, META_WORK_LEASE, Keys.encodeLong(next));
                write(batch);
                log.info("namespace {}: {} jobs of the untyped queue moved to work kind {}", directory, moved,
                        WorkItem.UNTYPED);
            }
        }
    }

    /**
     * Format 1 → 2: every current object becomes its key's {@code null} version. Rows are derived
     * from the objects alone, so rerunning after a crash rewrites the same rows.
     */
    private void migrateToVersions() throws RocksDBException {
        long[] migrated = {0};
        WriteBatch[] batch = {new WriteBatch()};
        try {
            scan(objects, new byte[0], null, (k, v) -> {
                int sep = 0;
                while (sep < k.length && k[sep] != Keys.SEPARATOR) sep++;
                if (sep == k.length) throw new RecordFormatException("object row without bucket separator");
                BucketName bucket = new BucketName(new String(k, 0, sep, StandardCharsets.UTF_8));
                byte[] keyUtf8 = Arrays.copyOfRange(k, sep + 1, k.length);
                ObjectKey key = new ObjectKey(new String(keyUtf8, StandardCharsets.UTF_8));
                ObjectVersion version = ObjectVersionCodec.decode(bucket, key, v);
                long order = VersionIds.nextOrder(version.lastModified(), 0);
                batch[0].put(versions, Keys.version(Keys.versionKeyPrefix(bucket, keyUtf8), order), v);
                batch[0].put(nullVersions, k, Keys.encodeLong(order));
                if (++migrated[0] % MIGRATION_BATCH == 0) {
                    write(batch[0]);
                    batch[0].close();
                    batch[0] = new WriteBatch();
                }
                return true;
            });
            write(batch[0]);
        } finally {
            batch[0].close();
        }
        log.info("namespace {} upgraded to format {}: {} objects became null versions", directory, FORMAT_VERSION,
                migrated[0]);
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Body<T> {
        T run() throws RocksDBException;
    }

    /** Runs a call inside the gate, mapping storage failures to UNAVAILABLE. */
    private <T> T call(Body<T> body) {
        gate.enter();
        try {
            return body.run();
        } catch (RocksDBException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "rocksdb: " + e.getMessage(), e);
        } catch (RecordFormatException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "unreadable namespace record: " + e.getMessage(), e);
        } finally {
            gate.exit();
        }
    }

    private Lock bucketLock(BucketName bucket, boolean exclusive) {
        ReentrantReadWriteLock rw = bucketLocks.readWrite(bucket.hashCode());
        return exclusive ? rw.writeLock() : rw.readLock();
    }

    private ReentrantLock keyLock(BucketName bucket, ObjectKey key) {
        return keyLocks.lock(StripedLocks.hash(bucket, key));
    }

    private Lock uploadLock(BucketName bucket, String uploadId, boolean exclusive) {
        ReentrantReadWriteLock rw = uploadLocks.readWrite(StripedLocks.hash(bucket, uploadId));
        return exclusive ? rw.writeLock() : rw.readLock();
    }

    private ReentrantLock partLock(BucketName bucket, String uploadId, int partNumber) {
        return partLocks.lock(StripedLocks.hash(bucket, uploadId, partNumber));
    }

    private static NamespaceException bucketNotFound(BucketName bucket) {
        return new NamespaceException(Reason.BUCKET_NOT_FOUND, "no such bucket: " + bucket);
    }

    private static NamespaceException uploadNotFound(ObjectKey key, String uploadId) {
        return new NamespaceException(Reason.UPLOAD_NOT_FOUND, "no such upload: " + uploadId + " for key " + key);
    }

    private void requireBucket(BucketName bucket) throws RocksDBException {
        if (db.get(buckets, Keys.bucket(bucket)) == null) throw bucketNotFound(bucket);
    }

    /**
     * Writes {@code batch} with the synced write options. A virtual-thread caller hands the write to
     * {@link #writers} and waits uninterruptibly: once submitted, the write's outcome must be what
     * the caller reports.
     */
    private void write(WriteBatch batch) throws RocksDBException {
        if (!Thread.currentThread().isVirtual()) {
            db.write(writeOptions, batch);
            return;
        }
        Future<?> done = writers.submit(() -> {
            db.write(writeOptions, batch);
            return null;
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    done.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case RocksDBException r -> throw r;
                        case RuntimeException r -> throw r;
                        case Error r -> throw r;
                        default -> throw new IllegalStateException(e.getCause());
                    }
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * One atomic, synced write: rows plus garbage items, whose ids are allocated only when the batch
     * is written. Closes its native batch.
     */
    private final class Commit implements AutoCloseable {
        private final WriteBatch batch = new WriteBatch();
        private final Set<Segment> garbageSegments = new LinkedHashSet<>();
        private final List<Change> changes = new ArrayList<>(1);

        Commit put(ColumnFamilyHandle cf, byte[] key, byte[] value) throws RocksDBException {
            batch.put(cf, key, value);
            return this;
        }

        Commit delete(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
            batch.delete(cf, key);
            return this;
        }

        /** Queues segments as garbage; each distinct segment once. */
        Commit garbage(Collection<Segment> segments) {
            garbageSegments.addAll(segments);
            return this;
        }

        /** Logs a change of one version, written with this commit. */
        Commit change(ChangeEntry.Kind kind, ObjectVersion v) {
            changes.add(new Change(kind, v.bucket(), Optional.of(ChangeEntry.VersionRef.of(v)), ""));
            return this;
        }

        /** Logs a change of a bucket, written with this commit. */
        Commit change(ChangeEntry.Kind kind, BucketName bucket, String detail) {
            changes.add(new Change(kind, bucket, Optional.empty(), detail));
            return this;
        }

        /**
         * Writes the batch with its garbage rows and change log entries. Both get their ids here,
         * while the caller still holds its locks, so sequences follow commit order.
         */
        void write() throws RocksDBException {
            long firstChange = 0;
            long changeBytes = 0;
            long firstGarbage = 0;
            try {
                if (!changes.isEmpty()) {
                    firstChange = changeLog.reserve(changes.size());
                    Instant now = clock.instant();
                    long sequence = firstChange;
                    for (Change ch : changes) {
                        changeBytes += changeLog.put(batch, sequence++, now, ch.kind(), ch.bucket(), ch.version(),
                                ch.detail());
                    }
                }
                if (!garbageSegments.isEmpty()) {
                    firstGarbage = reserveGarbageIds(garbageSegments.size());
                    long id = firstGarbage;
                    for (Segment s : garbageSegments) {
                        batch.put(garbage, Keys.garbage(id++), SegmentCodec.encode(s));
                    }
                }
                RocksDbNamespace.this.write(batch);
            } finally {
                if (firstGarbage != 0) pendingGarbage.remove(firstGarbage);
                if (firstChange != 0) changeLog.finished(firstChange);
            }
            if (firstChange != 0 && changeLog.appended(changes.size(), changeBytes)) scheduleTrim();
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    /** A change log entry waiting for its commit's sequence. */
    private record Change(ChangeEntry.Kind kind, BucketName bucket, Optional<ChangeEntry.VersionRef> version,
                          String detail) {
    }

    /** Starts a background trim of the change log unless one is already queued. */
    private void scheduleTrim() {
        if (!trimQueued.compareAndSet(false, true)) return;
        try {
            trimmer.execute(() -> {
                trimQueued.set(false);
                try {
                    call(changeLog::trim);
                } catch (NamespaceException e) {
                    // Closing: the next open's first trim catches up. Anything else is worth a look, not a crash.
                    if (!gate.isClosing()) log.warn("change log trim failed: {}", e.getMessage(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            trimQueued.set(false); // closing
        }
    }

    /** Hands out {@code n} consecutive garbage ids, recording them as pending until the caller's write ends. */
    private long reserveGarbageIds(int n) throws RocksDBException {
        idLock.lock();
        try {
            long first = nextGarbageId;
            if (first + n > garbageLease) {
                long lease = first + n + GARBAGE_ID_LEASE;
                db.put(meta, writeOptions, META_GARBAGE_LEASE, Keys.encodeLong(lease));
                garbageLease = lease;
            }
            nextGarbageId = first + n;
            pendingGarbage.add(first);
            return first;
        } finally {
            idLock.unlock();
        }
    }

    /** Segments of {@code old} that {@code replacement} does not reuse. */
    private static List<Segment> unreferenced(List<Segment> old, List<Segment> replacement) {
        Set<Segment> kept = new HashSet<>(replacement);
        List<Segment> out = new ArrayList<>();
        for (Segment s : old) {
            if (!kept.contains(s)) out.add(s);
        }
        return out;
    }

    private Optional<ObjectVersion> readObject(BucketName bucket, ObjectKey key, byte[] row) throws RocksDBException {
        byte[] value = db.get(objects, row);
        return value == null ? Optional.empty() : Optional.of(ObjectVersionCodec.decode(bucket, key, value));
    }

    private Optional<MultipartUpload> readUpload(BucketName bucket, byte[] row) throws RocksDBException {
        byte[] value = db.get(uploads, row);
        return value == null ? Optional.empty() : Optional.of(MultipartUploadCodec.decode(bucket, value));
    }

    @FunctionalInterface
    private interface RowVisitor {
        /** @return false to stop */
        boolean visit(byte[] key, byte[] value) throws RocksDBException;
    }

    /** Visits rows in [from, to) in key order; {@code to} null means to the end of the column family. */
    private void scan(ColumnFamilyHandle cf, byte[] from, byte[] to, RowVisitor visitor) throws RocksDBException {
        try (Slice upper = to == null ? null : new Slice(to); ReadOptions ro = new ReadOptions()) {
            if (upper != null) ro.setIterateUpperBound(upper);
            try (RocksIterator it = db.newIterator(cf, ro)) {
                for (it.seek(from); it.isValid(); it.next()) {
                    if (!visitor.visit(it.key(), it.value())) break;
                }
                it.status();
            }
        }
    }

    // ------------------------------------------------------------------ buckets

    @Override
    public void createBucket(Bucket bucket) {
        call(() -> {
            Lock lock = bucketLock(bucket.name(), true);
            lock.lock();
            try {
                byte[] row = Keys.bucket(bucket.name());
                if (db.get(buckets, row) != null) {
                    throw new NamespaceException(Reason.BUCKET_EXISTS, "bucket exists: " + bucket.name());
                }
                try (Commit c = new Commit()) {
                    c.put(buckets, row, BucketCodec.encode(bucket))
                            .change(ChangeEntry.Kind.BUCKET_CREATED, bucket.name(), "").write();
                }
                return null;
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public Optional<Bucket> bucket(BucketName name) {
        return call(() -> {
            byte[] value = db.get(buckets, Keys.bucket(name));
            return value == null ? Optional.empty() : Optional.of(BucketCodec.decode(name, value));
        });
    }

    @Override
    public List<Bucket> buckets() {
        return call(() -> {
            List<Bucket> out = new ArrayList<>();
            scan(buckets, new byte[0], null, (k, v) -> {
                out.add(BucketCodec.decode(new BucketName(new String(k, StandardCharsets.UTF_8)), v));
                return true;
            });
            return out;
        });
    }

    @Override
    public void deleteBucket(BucketName name) {
        call(() -> {
            Lock lock = bucketLock(name, true);
            lock.lock();
            try {
                requireBucket(name);
                byte[] from = Keys.bucketPrefix(name);
                byte[] to = Keys.successor(from);
                boolean[] hasObjects = {false};
                // Every version and delete marker has a versions row, current objects included.
                scan(versions, from, to, (k, v) -> {
                    hasObjects[0] = true;
                    return false;
                });
                if (hasObjects[0]) {
                    throw new NamespaceException(Reason.BUCKET_NOT_EMPTY, "bucket not empty: " + name);
                }
                // Uploads in progress go with the bucket; their parts' data becomes garbage.
                try (Commit c = new Commit()) {
                    List<Segment> partSegments = new ArrayList<>();
                    scan(parts, from, to, (k, v) -> {
                        partSegments.add(PartCodec.decode(v).segment());
                        c.delete(parts, k);
                        return true;
                    });
                    scan(uploads, from, to, (k, v) -> {
                        c.delete(uploads, k);
                        return true;
                    });
                    scan(uploadOrder, from, to, (k, v) -> {
                        c.delete(uploadOrder, k);
                        return true;
                    });
                    scan(bucketConfig, from, to, (k, v) -> {
                        c.delete(bucketConfig, k);
                        return true;
                    });
                    c.garbage(partSegments).delete(buckets, Keys.bucket(name))
                            .change(ChangeEntry.Kind.BUCKET_DELETED, name, "").write();
                }
                return null;
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public Optional<byte[]> bucketConfig(BucketName bucket, String kind) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        return call(() -> {
            requireBucket(bucket);
            return Optional.ofNullable(db.get(bucketConfig, row));
        });
    }

    @Override
    public void putBucketConfig(BucketName bucket, String kind, byte[] document) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        byte[] value = document.clone();
        call(() -> {
            // Shared bucket lock: deleteBucket (exclusive) cannot remove the bucket between check and write.
            Lock lock = bucketLock(bucket, false);
            lock.lock();
            try {
                requireBucket(bucket);
                try (Commit c = new Commit()) {
                    c.put(bucketConfig, row, value).change(ChangeEntry.Kind.BUCKET_CONFIG_PUT, bucket, kind).write();
                }
                return null;
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public boolean deleteBucketConfig(BucketName bucket, String kind) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        return call(() -> {
            Lock lock = bucketLock(bucket, false);
            lock.lock();
            try {
                requireBucket(bucket);
                if (db.get(bucketConfig, row) == null) return false;
                try (Commit c = new Commit()) {
                    c.delete(bucketConfig, row).change(ChangeEntry.Kind.BUCKET_CONFIG_DELETED, bucket, kind).write();
                }
                return true;
            } finally {
                lock.unlock();
            }
        });
    }

    // ------------------------------------------------------------------ objects

    /** One row of the {@code versions} column family: row key, stored value, decoded record. */
    private record VersionRow(byte[] row, byte[] value, ObjectVersion version) {
    }

    private Bucket readBucket(BucketName name) throws RocksDBException {
        byte[] value = db.get(buckets, Keys.bucket(name));
        if (value == null) throw bucketNotFound(name);
        return BucketCodec.decode(name, value);
    }

    /** Up to {@code max} newest versions of a key, newest first, read with {@code base}'s snapshot if any. */
    private List<VersionRow> newestVersions(ReadOptions base, BucketName bucket, ObjectKey key, byte[] keyPrefix,
                                            int max) throws RocksDBException {
        List<VersionRow> out = new ArrayList<>(max);
        try (Slice upper = new Slice(Keys.successor(keyPrefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper)) {
            if (base.snapshot() != null) ro.setSnapshot(base.snapshot());
            try (RocksIterator it = db.newIterator(versions, ro)) {
                for (it.seek(keyPrefix); it.isValid() && out.size() < max; it.next()) {
                    byte[] value = it.value();
                    out.add(new VersionRow(it.key(), value, ObjectVersionCodec.decode(bucket, key, value)));
                }
                it.status();
            }
        }
        return out;
    }

    /** The key's version with {@code versionId}, looked up by the order its id encodes or by the null index. */
    private Optional<VersionRow> versionRow(ReadOptions ro, BucketName bucket, ObjectKey key, byte[] keyPrefix,
                                            String versionId) throws RocksDBException {
        byte[] row;
        if (versionId.equals(ObjectVersion.NULL_VERSION)) {
            byte[] order = db.get(nullVersions, ro, Keys.object(bucket, key));
            if (order == null) return Optional.empty();
            row = Keys.version(keyPrefix, Keys.decodeLong(order));
        } else if (VersionIds.isAssigned(versionId)) {
            row = Keys.version(keyPrefix, VersionIds.order(versionId));
        } else {
            return Optional.empty();
        }
        byte[] value = db.get(versions, ro, row);
        if (value == null) {
            if (versionId.equals(ObjectVersion.NULL_VERSION)) {
                throw new RecordFormatException("null-version index of " + key + " points at no version");
            }
            return Optional.empty();
        }
        ObjectVersion v = ObjectVersionCodec.decode(bucket, key, value);
        // An order can be reused after its version was deleted for good; the random half of the id tells them apart.
        return v.versionId().equals(versionId) ? Optional.of(new VersionRow(row, value, v)) : Optional.empty();
    }

    /**
     * Adds {@code version} as the newest entry of its key under {@code state}, replacing the null
     * version unless versioning is enabled; keeps {@code objects} in step. Caller holds the key lock.
     */
    private PutResult addVersion(Commit c, BucketVersioning state, ObjectVersion version) throws RocksDBException {
        BucketName bucket = version.bucket();
        ObjectKey key = version.key();
        byte[] keyPrefix = Keys.versionKeyPrefix(bucket, Keys.utf8(key.value()));
        List<VersionRow> newest = newestVersions(latestRead, bucket, key, keyPrefix, 1);
        long order = VersionIds.nextOrder(version.lastModified(),
                newest.isEmpty() ? 0 : Keys.versionOrder(newest.getFirst().row()));
        Optional<ObjectVersion> replaced = Optional.empty();
        ObjectVersion committed;
        byte[] objectRow = Keys.object(bucket, key);
        if (state == BucketVersioning.ENABLED) {
            committed = version.withVersionId(VersionIds.assign(order));
        } else {
            committed = version.withVersionId(ObjectVersion.NULL_VERSION);
            Optional<VersionRow> old = versionRow(latestRead, bucket, key, keyPrefix, ObjectVersion.NULL_VERSION);
            if (old.isPresent()) {
                c.delete(versions, old.get().row());
                replaced = Optional.of(old.get().version());
                c.garbage(unreferenced(old.get().version().segments(), committed.segments()));
            }
            c.put(nullVersions, objectRow, Keys.encodeLong(order));
        }
        byte[] value = ObjectVersionCodec.encode(committed);
        c.put(versions, Keys.version(keyPrefix, order), value);
        c.change(committed.deleteMarker() ? ChangeEntry.Kind.DELETE_MARKER_PUT : ChangeEntry.Kind.VERSION_PUT, committed);
        if (committed.deleteMarker()) {
            c.delete(objects, objectRow);
        } else {
            c.put(objects, objectRow, value);
        }
        return new PutResult(committed, replaced);
    }

    /** Removes one version row for good; if it was the newest, the next newest becomes current. Caller holds the key lock. */
    private void removeVersion(Commit c, BucketName bucket, ObjectKey key, byte[] keyPrefix, VersionRow target)
            throws RocksDBException {
        List<VersionRow> top = newestVersions(latestRead, bucket, key, keyPrefix, 2);
        c.delete(versions, target.row());
        if (target.version().versionId().equals(ObjectVersion.NULL_VERSION)) {
            c.delete(nullVersions, Keys.object(bucket, key));
        }
        c.garbage(target.version().segments());
        c.change(ChangeEntry.Kind.VERSION_DELETED, target.version());
        if (!top.isEmpty() && Arrays.equals(top.getFirst().row(), target.row())) {
            byte[] objectRow = Keys.object(bucket, key);
            if (top.size() > 1 && !top.get(1).version().deleteMarker()) {
                c.put(objects, objectRow, top.get(1).value());
            } else {
                c.delete(objects, objectRow);
            }
        }
    }

    @Override
    public void setVersioning(BucketName name, BucketVersioning state) {
        call(() -> {
            // Exclusive: writes in flight (which read the state under the shared lock) finish first.
            Lock lock = bucketLock(name, true);
            lock.lock();
            try {
                Bucket b = readBucket(name);
                if (b.versioning() == state) return null;
                if (state == BucketVersioning.UNVERSIONED) {
                    throw new IllegalArgumentException("a versioned bucket cannot become unversioned: " + name);
                }
                try (Commit c = new Commit()) {
                    c.put(buckets, Keys.bucket(name), BucketCodec.encode(b.withVersioning(state)))
                            .change(ChangeEntry.Kind.BUCKET_VERSIONING, name, state.name()).write();
                }
                return null;
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public Optional<ObjectVersion> object(BucketName bucket, ObjectKey key) {
        return call(() -> {
            Optional<ObjectVersion> v = readObject(bucket, key, Keys.object(bucket, key));
            // A key row implies its bucket exists (deleteBucket requires no objects), so only a miss needs the check.
            if (v.isEmpty()) requireBucket(bucket);
            return v;
        });
    }

    @Override
    public Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key) {
        return call(() -> {
            Optional<ObjectVersion> v = readObject(bucket, key, Keys.object(bucket, key));
            if (v.isPresent()) return v;
            // No current object: the newest entry, if any, is a delete marker (or a put landed meanwhile).
            List<VersionRow> newest = newestVersions(latestRead, bucket, key,
                    Keys.versionKeyPrefix(bucket, Keys.utf8(key.value())), 1);
            if (newest.isEmpty()) {
                requireBucket(bucket);
                return Optional.empty();
            }
            return Optional.of(newest.getFirst().version());
        });
    }

    @Override
    public Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId) {
        return call(() -> {
            Optional<VersionRow> row;
            // Two reads (null index, then the row): one snapshot so a concurrent replace cannot split them.
            Snapshot snapshot = db.getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                row = versionRow(ro, bucket, key, Keys.versionKeyPrefix(bucket, Keys.utf8(key.value())), versionId);
            } finally {
                db.releaseSnapshot(snapshot);
            }
            if (row.isEmpty()) requireBucket(bucket);
            return row.map(VersionRow::version);
        });
    }

    @Override
    public PutResult putObject(ObjectVersion version) {
        return call(() -> {
            Lock bucketLock = bucketLock(version.bucket(), false);
            bucketLock.lock();
            try {
                Bucket bucket = readBucket(version.bucket());
                ReentrantLock keyLock = keyLock(version.bucket(), version.key());
                keyLock.lock();
                try (Commit c = new Commit()) {
                    PutResult result = addVersion(c, bucket.versioning(), version);
                    c.write();
                    return result;
                } finally {
                    keyLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    @Override
    public boolean replaceVersion(ObjectVersion expected, ObjectVersion replacement) {
        if (expected.deleteMarker()) throw new IllegalArgumentException("a delete marker has no metadata to rewrite");
        if (!expected.bucket().equals(replacement.bucket()) || !expected.key().equals(replacement.key())
                || !expected.versionId().equals(replacement.versionId()) || expected.size() != replacement.size()
                || !expected.etag().equals(replacement.etag()) || !expected.segments().equals(replacement.segments())
                || expected.deleteMarker() != replacement.deleteMarker()) {
            throw new IllegalArgumentException("only a version's metadata can be rewritten in place");
        }
        BucketName bucket = expected.bucket();
        ObjectKey key = expected.key();
        return call(() -> {
            Lock bucketLock = bucketLock(bucket, false);
            bucketLock.lock();
            try {
                requireBucket(bucket);
                ReentrantLock keyLock = keyLock(bucket, key);
                keyLock.lock();
                try (Commit c = new Commit()) {
                    byte[] keyPrefix = Keys.versionKeyPrefix(bucket, Keys.utf8(key.value()));
                    Optional<VersionRow> target = versionRow(latestRead, bucket, key, keyPrefix, expected.versionId());
                    if (target.isEmpty() || !target.get().version().equals(expected)) return false;
                    byte[] value = ObjectVersionCodec.encode(replacement);
                    c.put(versions, target.get().row(), value);
                    // Invariant: the objects row holds the newest version's record; keep it in step.
                    List<VersionRow> newest = newestVersions(latestRead, bucket, key, keyPrefix, 1);
                    if (!newest.isEmpty() && Arrays.equals(newest.getFirst().row(), target.get().row())) {
                        c.put(objects, Keys.object(bucket, key), value);
                    }
                    c.change(ChangeEntry.Kind.VERSION_METADATA, replacement).write();
                    return true;
                } finally {
                    keyLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    @Override
    public DeleteResult deleteObject(BucketName bucketName, ObjectKey key) {
        return withKeyLock(bucketName, key, (bucket, c) -> deleteCurrent(c, bucket, key));
    }

    @Override
    public Optional<DeleteResult> deleteObjectIf(ObjectVersion expected) {
        ObjectKey key = expected.key();
        return withKeyLock(expected.bucket(), key, (bucket, c) -> {
            byte[] keyPrefix = Keys.versionKeyPrefix(bucket.name(), Keys.utf8(key.value()));
            List<VersionRow> newest = newestVersions(latestRead, bucket.name(), key, keyPrefix, 1);
            if (newest.isEmpty() || !newest.getFirst().version().equals(expected)) return Optional.empty();
            return Optional.of(deleteCurrent(c, bucket, key));
        });
    }

    /** S3's DELETE without a version id under the bucket's state; writes {@code c}. Caller holds the key lock. */
    private DeleteResult deleteCurrent(Commit c, Bucket bucket, ObjectKey key) throws RocksDBException {
        BucketName bucketName = bucket.name();
        if (bucket.versioning() == BucketVersioning.UNVERSIONED) {
            byte[] keyPrefix = Keys.versionKeyPrefix(bucketName, Keys.utf8(key.value()));
            Optional<VersionRow> old = versionRow(latestRead, bucketName, key, keyPrefix, ObjectVersion.NULL_VERSION);
            if (old.isPresent()) {
                removeVersion(c, bucketName, key, keyPrefix, old.get());
                c.write();
            }
            return new DeleteResult(old.map(VersionRow::version), Optional.empty());
        }
        ObjectVersion marker = ObjectVersion.deleteMarker(bucketName, key, ObjectVersion.NULL_VERSION, clock.instant());
        PutResult added = addVersion(c, bucket.versioning(), marker);
        c.write();
        return new DeleteResult(added.replaced(), Optional.of(added.version()));
    }

    @Override
    public Optional<ObjectVersion> deleteVersion(BucketName bucket, ObjectKey key, String versionId) {
        return withKeyLock(bucket, key, (b, c) -> removeVersionIf(c, b.name(), key, versionId, v -> true,
                Standing.ANY));
    }

    @Override
    public Optional<ObjectVersion> deleteVersionIf(ObjectVersion expected, Standing standing) {
        Objects.requireNonNull(standing, "standing");
        return withKeyLock(expected.bucket(), expected.key(), (b, c) -> removeVersionIf(c, b.name(), expected.key(),
                expected.versionId(), expected::equals, standing));
    }

    /**
     * Removes the key's entry {@code versionId} if {@code matches} accepts its stored record and it
     * stands where {@code standing} requires; writes {@code c}. Caller holds the key lock.
     */
    private Optional<ObjectVersion> removeVersionIf(Commit c, BucketName bucket, ObjectKey key, String versionId,
                                                    Predicate<ObjectVersion> matches,
                                                    Standing standing) throws RocksDBException {
        byte[] keyPrefix = Keys.versionKeyPrefix(bucket, Keys.utf8(key.value()));
        Optional<VersionRow> target = versionRow(latestRead, bucket, key, keyPrefix, versionId);
        if (target.isEmpty() || !matches.test(target.get().version())) return Optional.empty();
        if (standing != Standing.ANY) {
            List<VersionRow> top = newestVersions(latestRead, bucket, key, keyPrefix, 2);
            boolean newest = !top.isEmpty() && Arrays.equals(top.getFirst().row(), target.get().row());
            boolean stands = switch (standing) {
                case ANY -> true;
                case NONCURRENT -> !newest;
                case ONLY_ENTRY -> newest && top.size() == 1;
            };
            if (!stands) return Optional.empty();
        }
        removeVersion(c, bucket, key, keyPrefix, target.get());
        c.write();
        return Optional.of(target.get().version());
    }

    @FunctionalInterface
    private interface KeyBody<T> {
        T run(Bucket bucket, Commit commit) throws RocksDBException;
    }

    /**
     * Runs {@code body} with the bucket lock shared and the key's lock held, the bucket read under
     * them, and a fresh commit the body writes (or not). The lock order every key mutation follows.
     */
    private <T> T withKeyLock(BucketName bucketName, ObjectKey key, KeyBody<T> body) {
        return call(() -> {
            Lock bucketLock = bucketLock(bucketName, false);
            bucketLock.lock();
            try {
                Bucket bucket = readBucket(bucketName);
                ReentrantLock keyLock = keyLock(bucketName, key);
                keyLock.lock();
                try (Commit c = new Commit()) {
                    return body.run(bucket, c);
                } finally {
                    keyLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    /**
     * Commits {@code versions} as {@link #putObject} would, in batches of {@code batchSize}.
     * Package-private bulk path for tests and benchmarks (and a future restore): it holds the bucket
     * exclusively instead of taking key locks. Keys within one batch must be distinct (each commit
     * reads the key's stack as stored, before its own batch).
     *
     * @throws IllegalArgumentException if a version belongs to another bucket or a key repeats in a batch
     */
    void putObjects(BucketName bucket, List<ObjectVersion> versions, int batchSize) {
        call(() -> {
            Lock lock = bucketLock(bucket, true);
            lock.lock();
            try {
                BucketVersioning state = readBucket(bucket).versioning();
                for (int from = 0; from < versions.size(); from += batchSize) {
                    List<ObjectVersion> batch = versions.subList(from, Math.min(versions.size(), from + batchSize));
                    Set<ObjectKey> keys = new HashSet<>();
                    try (Commit c = new Commit()) {
                        for (ObjectVersion v : batch) {
                            if (!v.bucket().equals(bucket)) throw new IllegalArgumentException("version of another bucket");
                            if (!keys.add(v.key())) throw new IllegalArgumentException("key repeats in a batch: " + v.key());
                            addVersion(c, state, v);
                        }
                        c.write();
                    }
                }
                return null;
            } finally {
                lock.unlock();
            }
        });
    }

    @Override
    public VersionPage listVersions(BucketName bucket, VersionQuery query) {
        return call(() -> {
            requireBucket(bucket);
            if (query.maxKeys() == 0) return new VersionPage(List.of(), List.of(), false, "", "");
            byte[] prefix = Keys.utf8(query.prefix());
            byte[] keyMarker = Keys.utf8(query.keyMarker());
            byte[] base = Keys.escapedPrefix(bucket, prefix);
            byte[] start = base;
            boolean midKey = false;
            if (!query.keyMarker().isEmpty()) {
                byte[] markerRows = Keys.versionKeyPrefix(bucket, keyMarker);
                byte[] markerStart;
                String idMarker = query.versionIdMarker();
                if (idMarker.isEmpty()) {
                    markerStart = Keys.successor(markerRows);   // after every version of keyMarker
                } else if (idMarker.equals(ObjectVersion.NULL_VERSION)) {
                    byte[] order = isValidKey(query.keyMarker())
                            ? db.get(nullVersions, Keys.object(bucket, new ObjectKey(query.keyMarker()))) : null;
                    // Marker null version gone: list the key marker's versions from its newest (repeat, never drop).
                    markerStart = order == null ? markerRows : Keys.after(Keys.version(markerRows, Keys.decodeLong(order)));
                    midKey = order != null;
                } else {
                    // The id encodes its place: continue after it even if that version is gone meanwhile.
                    markerStart = Keys.after(Keys.version(markerRows, VersionIds.order(idMarker)));
                    midKey = true;
                }
                if (Arrays.compareUnsigned(markerStart, start) > 0) start = markerStart;
            }
            try (Slice upperSlice = new Slice(Keys.successor(base));
                 ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = db.newIterator(versions, ro)) {
                it.seek(start);
                return Listing.versions(it, bucket, prefix, Keys.utf8(query.delimiter()), keyMarker,
                        query.maxKeys(), midKey, this::isNewestRow);
            }
        });
    }

    /** Whether {@code row} is the first row of its key in {@code versions}. */
    private boolean isNewestRow(byte[] row) throws RocksDBException {
        byte[] keyPrefix = Arrays.copyOf(row, row.length - 8);
        try (Slice upper = new Slice(Keys.successor(keyPrefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(versions, ro)) {
            it.seek(keyPrefix);
            boolean newest = it.isValid() && Arrays.equals(it.key(), row);
            it.status();
            return newest;
        }
    }

    @Override
    public ListPage list(BucketName bucket, ListQuery query) {
        return call(() -> {
            requireBucket(bucket);
            if (query.maxKeys() == 0) return new ListPage(List.of(), List.of(), false, "");
            byte[] bucketPrefix = Keys.bucketPrefix(bucket);
            byte[] prefix = Keys.utf8(query.prefix());
            byte[] after = Keys.utf8(query.after());
            byte[] delimiter = Keys.utf8(query.delimiter());
            // Start at max(prefix, successor of after); the upper bound ends the scan when keys leave the prefix.
            byte[] start = after.length > 0 && Arrays.compareUnsigned(Keys.after(after), prefix) > 0
                    ? Keys.after(after) : prefix;
            byte[] lower = Keys.concat(bucketPrefix, start);
            byte[] upper = Keys.successor(Keys.concat(bucketPrefix, prefix));
            try (Slice upperSlice = new Slice(upper); ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = db.newIterator(objects, ro)) {
                it.seek(lower);
                return Listing.objects(it, bucket, bucketPrefix.length, prefix, delimiter, after, query.maxKeys());
            }
        });
    }

    // ------------------------------------------------------------------ multipart uploads

    @Override
    public void createUpload(MultipartUpload upload) {
        call(() -> {
            Lock bucketLock = bucketLock(upload.bucket(), false);
            bucketLock.lock();
            try {
                requireBucket(upload.bucket());
                Lock uploadLock = uploadLock(upload.bucket(), upload.uploadId(), true);
                uploadLock.lock();
                try {
                    byte[] row = Keys.upload(upload.bucket(), upload.key(), upload.uploadId());
                    if (db.get(uploads, row) != null) {
                        // Upload ids are unique by construction; a repeat is a caller bug, not a client error.
                        throw new IllegalStateException("upload id already exists: " + upload.uploadId());
                    }
                    byte[] value = MultipartUploadCodec.encode(upload);
                    try (Commit c = new Commit()) {
                        c.put(uploads, row, value).put(uploadOrder, Keys.uploadOrder(upload), value).write();
                    }
                    return null;
                } finally {
                    uploadLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    @Override
    public Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId) {
        return call(() -> {
            Optional<MultipartUpload> u = readUpload(bucket, Keys.upload(bucket, key, uploadId));
            if (u.isEmpty()) requireBucket(bucket);
            return u;
        });
    }

    @Override
    public void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part) {
        call(() -> {
            Lock bucketLock = bucketLock(bucket, false);
            bucketLock.lock();
            try {
                Lock uploadLock = uploadLock(bucket, uploadId, false);
                uploadLock.lock();
                try {
                    byte[] uploadRow = Keys.upload(bucket, key, uploadId);
                    if (db.get(uploads, uploadRow) == null) {
                        // The data was written for nothing: queue it so it does not leak, then report.
                        try (Commit c = new Commit()) {
                            c.garbage(List.of(part.segment())).write();
                        }
                        requireBucket(bucket);
                        throw uploadNotFound(key, uploadId);
                    }
                    ReentrantLock partLock = partLock(bucket, uploadId, part.partNumber());
                    partLock.lock();
                    try {
                        byte[] row = Keys.part(uploadRow, part.partNumber());
                        byte[] oldValue = db.get(parts, row);
                        try (Commit c = new Commit()) {
                            c.put(parts, row, PartCodec.encode(part));
                            if (oldValue != null) {
                                c.garbage(unreferenced(List.of(PartCodec.decode(oldValue).segment()), List.of(part.segment())));
                            }
                            c.write();
                        }
                        return null;
                    } finally {
                        partLock.unlock();
                    }
                } finally {
                    uploadLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    @Override
    public List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return call(() -> {
            byte[] uploadRow = Keys.upload(bucket, key, uploadId);
            if (db.get(uploads, uploadRow) == null) {
                requireBucket(bucket);
                throw uploadNotFound(key, uploadId);
            }
            List<Part> out = new ArrayList<>();
            if (max == 0 || afterPartNumber >= Part.MAX_NUMBER) return out;
            byte[] from = Keys.part(uploadRow, Math.max(0, afterPartNumber + 1));
            scan(parts, from, Keys.successor(uploadRow), (k, v) -> {
                out.add(PartCodec.decode(v));
                return out.size() < max;
            });
            return out;
        });
    }

    @Override
    public UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker,
                              String uploadIdMarker, int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return call(() -> {
            requireBucket(bucket);
            if (max == 0) return new UploadPage(List.of(), List.of(), false, "", "");
            byte[] prefixBytes = Keys.utf8(prefix);
            byte[] markerBytes = Keys.utf8(keyMarker);
            byte[] base = Keys.escapedPrefix(bucket, prefixBytes);
            byte[] start = base;
            byte[] filterIdAbove = null;
            if (!keyMarker.isEmpty()) {
                byte[] markerKeyRows = Keys.uploadOrderKeyPrefix(bucket, markerBytes);
                byte[] markerStart;
                if (uploadIdMarker.isEmpty()) {
                    markerStart = Keys.successor(markerKeyRows);   // after every upload of keyMarker
                } else {
                    Optional<MultipartUpload> marker = isValidKey(keyMarker)
                            ? readUpload(bucket, Keys.upload(bucket, new ObjectKey(keyMarker), uploadIdMarker))
                            : Optional.empty();
                    if (marker.isPresent()) {
                        // Continue exactly after the marker upload in listing order (key, initiated, id).
                        markerStart = Keys.after(Keys.uploadOrder(marker.get()));
                    } else {
                        // Marker upload gone: S3's documented rule, uploads of keyMarker with a greater upload id.
                        markerStart = markerKeyRows;
                        filterIdAbove = Keys.utf8(uploadIdMarker);
                    }
                }
                if (Arrays.compareUnsigned(markerStart, start) > 0) start = markerStart;
            }
            try (Slice upperSlice = new Slice(Keys.successor(base));
                 ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = db.newIterator(uploadOrder, ro)) {
                it.seek(start);
                return Listing.uploads(it, bucket, prefixBytes, Keys.utf8(delimiter), markerBytes, filterIdAbove, max);
            }
        });
    }

    private static boolean isValidKey(String key) {
        try {
            new ObjectKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public PutResult completeUpload(String uploadId, ObjectVersion version) {
        BucketName bucket = version.bucket();
        ObjectKey key = version.key();
        return call(() -> {
            Lock bucketLock = bucketLock(bucket, false);
            bucketLock.lock();
            try {
                requireBucket(bucket);
                ReentrantLock keyLock = keyLock(bucket, key);
                keyLock.lock();
                try {
                    Lock uploadLock = uploadLock(bucket, uploadId, true);
                    uploadLock.lock();
                    try {
                        byte[] uploadRow = Keys.upload(bucket, key, uploadId);
                        MultipartUpload upload = readUpload(bucket, uploadRow)
                                .orElseThrow(() -> uploadNotFound(key, uploadId));
                        try (Commit c = new Commit()) {
                            Set<Segment> partSegments = new HashSet<>();
                            List<Segment> unused = new ArrayList<>();
                            Set<Segment> chosen = new HashSet<>(version.segments());
                            scan(parts, uploadRow, Keys.successor(uploadRow), (k, v) -> {
                                Segment s = PartCodec.decode(v).segment();
                                partSegments.add(s);
                                if (!chosen.contains(s)) unused.add(s);
                                c.delete(parts, k);
                                return true;
                            });
                            if (!partSegments.containsAll(chosen)) {
                                // Committing data no part holds would leak it or free it twice later.
                                throw new IllegalArgumentException("version segments are not parts of upload " + uploadId);
                            }
                            c.delete(uploads, uploadRow)
                                    .delete(uploadOrder, Keys.uploadOrder(upload))
                                    .garbage(unused);
                            PutResult result = addVersion(c, readBucket(bucket).versioning(), version);
                            c.write();
                            return result;
                        }
                    } finally {
                        uploadLock.unlock();
                    }
                } finally {
                    keyLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    @Override
    public void abortUpload(BucketName bucket, ObjectKey key, String uploadId) {
        call(() -> {
            Lock bucketLock = bucketLock(bucket, false);
            bucketLock.lock();
            try {
                requireBucket(bucket);
                Lock uploadLock = uploadLock(bucket, uploadId, true);
                uploadLock.lock();
                try {
                    byte[] uploadRow = Keys.upload(bucket, key, uploadId);
                    MultipartUpload upload = readUpload(bucket, uploadRow).orElseThrow(() -> uploadNotFound(key, uploadId));
                    try (Commit c = new Commit()) {
                        List<Segment> segments = new ArrayList<>();
                        scan(parts, uploadRow, Keys.successor(uploadRow), (k, v) -> {
                            segments.add(PartCodec.decode(v).segment());
                            c.delete(parts, k);
                            return true;
                        });
                        c.delete(uploads, uploadRow).delete(uploadOrder, Keys.uploadOrder(upload)).garbage(segments).write();
                    }
                    return null;
                } finally {
                    uploadLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    // ------------------------------------------------------------------ garbage

    /** Every garbage id below this is committed (its write ended) or will never be written. */
    private long committedGarbageBelow() {
        idLock.lock();
        try {
            // ceiling() instead of isEmpty() + first(): a writer may finish (and remove its
            // entry) between the two calls, and first() then throws NoSuchElementException.
            Long oldestPending = pendingGarbage.ceiling(Long.MIN_VALUE);
            return oldestPending == null ? nextGarbageId : oldestPending;
        } finally {
            idLock.unlock();
        }
    }

    @Override
    public List<GarbageItem> garbage(int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return call(() -> garbageMarks.scan(heldFrom -> {
            long committedBelow = committedGarbageBelow();
            long from = garbageScanFrom.get();
            List<GarbageItem> out = new ArrayList<>();
            long[] firstLive = {Long.MAX_VALUE};
            // Items at or above the oldest mark died after it was taken: its consumer may still read them.
            scan(garbage, Keys.garbage(from), heldFrom == Long.MAX_VALUE ? null : Keys.garbage(heldFrom), (k, v) -> {
                long id = Keys.garbageId(k);
                if (firstLive[0] == Long.MAX_VALUE) firstLive[0] = id;
                if (out.size() >= max) return false;
                out.add(new GarbageItem(id, SegmentCodec.decode(v)));
                return true;
            });
            // Ids in [from, min(firstLive, committedBelow, heldFrom)) were absent although their writes
            // had ended: they never come back, so later scans may start past their tombstones. The
            // scan stopped at heldFrom, so it says nothing of the ids above.
            garbageScanFrom.accumulateAndGet(Math.min(Math.min(firstLive[0], committedBelow), heldFrom), Math::max);
            return out;
        }));
    }

    @Override
    public GarbageMark markGarbage(String name) {
        GarbageMark.checkName(name);
        return call(() -> garbageMarks.take(name, new GarbageMarks.Positions() {
            @Override
            public long committedGarbageBelow() {
                return RocksDbNamespace.this.committedGarbageBelow();
            }

            @Override
            public long changeHead() {
                return changeLog.head();
            }
        }));
    }

    @Override
    public Optional<GarbageMark> garbageMark(String name) {
        GarbageMark.checkName(name);
        return call(() -> garbageMarks.mark(name));
    }

    @Override
    public List<GarbageMark> garbageMarks() {
        return call(garbageMarks::all);
    }

    @Override
    public boolean releaseGarbageMark(String name) {
        GarbageMark.checkName(name);
        return call(() -> garbageMarks.release(name));
    }

    @Override
    public void removeGarbage(List<GarbageItem> items) {
        if (items.isEmpty()) return;
        call(() -> {
            try (Commit c = new Commit()) {
                for (GarbageItem item : items) c.delete(garbage, Keys.garbage(item.id()));
                c.write();
            }
            return null;
        });
    }

    @Override
    public void addGarbage(List<Segment> segments) {
        if (segments.isEmpty()) return;
        call(() -> {
            try (Commit c = new Commit()) {
                c.garbage(segments).write();
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ jobs and relocation

    /** Hands out a work id, never reused: the lease is persisted before any id below it is used. */
    private long reserveWorkId() throws RocksDBException {
        idLock.lock();
        try {
            long id = nextWorkId;
            if (id + 1 > workLease) {
                long lease = id + 1 + WORK_ID_LEASE;
                db.put(meta, writeOptions, META_WORK_LEASE, Keys.encodeLong(lease));
                workLease = lease;
            }
            nextWorkId = id + 1;
            return id;
        } finally {
            idLock.unlock();
        }
    }

    @Override
    public WorkItem addWork(String kind, byte[] payload, Instant notBefore) {
        WorkItem.checkKind(kind);
        java.util.Objects.requireNonNull(notBefore, "notBefore");
        byte[] copy = payload.clone();
        return call(() -> {
            WorkItem item = new WorkItem(reserveWorkId(), kind, copy, notBefore, 0, "");
            try (Commit c = new Commit()) {
                c.put(work, Keys.garbage(item.id()), WorkItemCodec.encode(item))
                        .put(workDue, WorkItemCodec.dueRow(item), new byte[0]).write();
            }
            return item;
        });
    }

    @Override
    public List<WorkItem> work(String kind, int max) {
        return workDueBefore(kind, Instant.MAX, max);
    }

    @Override
    public List<WorkItem> dueWork(String kind, Instant now, int max) {
        return workDueBefore(kind, now, max);
    }

    /** Items of {@code kind} due at {@code now} or earlier, in due order, at most {@code max}. */
    private List<WorkItem> workDueBefore(String kind, Instant now, int max) {
        WorkItem.checkKind(kind);
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return call(() -> {
            List<WorkItem> out = new ArrayList<>();
            long millis = now.equals(Instant.MAX) ? Long.MAX_VALUE : Math.max(0, now.toEpochMilli());
            byte[] from = WorkItemCodec.dueRow(kind, 0, 0);
            // Rows of this kind up to the end of the millisecond of now; the exact instant is checked below.
            byte[] to;
            if (millis == Long.MAX_VALUE) {
                to = Arrays.copyOf(from, from.length - 16);   // "kind 0x00" ...
                to[to.length - 1] = 1;                        // ... ends before "kind 0x01"
            } else {
                to = WorkItemCodec.dueRow(kind, millis + 1, 0);
            }
            scan(workDue, from, to, (row, ignored) -> {
                if (out.size() >= max) return false;
                byte[] value = db.get(work, Keys.garbage(WorkItemCodec.idOfDueRow(row)));
                if (value == null) return true; // removed since the scan began
                WorkItem item = WorkItemCodec.decode(WorkItemCodec.idOfDueRow(row), value);
                if (!item.notBefore().isAfter(now)) out.add(item);
                return true;
            });
            return out;
        });
    }

    @Override
    public Optional<WorkItem> retryWork(WorkItem item, Instant notBefore, String error) {
        java.util.Objects.requireNonNull(notBefore, "notBefore");
        return call(() -> {
            workLock.lock();
            try (Commit c = new Commit()) {
                byte[] value = db.get(work, Keys.garbage(item.id()));
                if (value == null || !WorkItemCodec.decode(item.id(), value).equals(item)) return Optional.empty();
                WorkItem next = item.failed(notBefore, error);
                c.delete(workDue, WorkItemCodec.dueRow(item))
                        .put(work, Keys.garbage(next.id()), WorkItemCodec.encode(next))
                        .put(workDue, WorkItemCodec.dueRow(next), new byte[0]).write();
                return Optional.of(next);
            } finally {
                workLock.unlock();
            }
        });
    }

    @Override
    public boolean removeWork(long id) {
        return call(() -> {
            workLock.lock();
            try (Commit c = new Commit()) {
                if (!finishWork(c, id)) return false;
                c.write();
                return true;
            } finally {
                workLock.unlock();
            }
        });
    }

    /** Adds the removal of work item {@code id} to {@code c}; the caller holds workLock. @return whether it existed */
    private boolean finishWork(Commit c, long id) throws RocksDBException {
        byte[] value = db.get(work, Keys.garbage(id));
        if (value == null) return false;
        c.delete(work, Keys.garbage(id)).delete(workDue, WorkItemCodec.dueRow(WorkItemCodec.decode(id, value)));
        return true;
    }

    // ------------------------------------------------------------------ bulk jobs

    @Override
    public BulkJob createBulkJob(String action, BucketName bucket, String prefix, byte[] parameters, long total) {
        BulkJob.checkAction(action);
        byte[] copy = parameters.clone();
        return call(() -> {
            requireBucket(bucket);
            Instant now = clock.instant();
            BulkJob job = new BulkJob(reserveWorkId(), action, bucket, prefix, copy, BulkJob.State.RUNNING,
                    BulkJob.Position.START, BulkJob.Counters.ZERO, total, now, now, "");
            try (Commit c = new Commit()) {
                c.put(bulkJobs, Keys.garbage(job.id()), BulkJobCodec.encode(job)).write();
            }
            return job;
        });
    }

    @Override
    public Optional<BulkJob> bulkJob(long id) {
        return call(() -> readBulkJob(id));
    }

    private Optional<BulkJob> readBulkJob(long id) throws RocksDBException {
        byte[] value = db.get(bulkJobs, Keys.garbage(id));
        return value == null ? Optional.empty() : Optional.of(BulkJobCodec.decode(id, value));
    }

    @Override
    public List<BulkJob> bulkJobs() {
        return call(() -> {
            List<BulkJob> out = new ArrayList<>();
            scan(bulkJobs, new byte[0], null, (k, v) -> out.add(BulkJobCodec.decode(Keys.garbageId(k), v)));
            return out;
        });
    }

    @Override
    public Optional<BulkJob> recordBulkProgress(BulkJob expected, BulkJob.Position next, BulkJob.Counters added,
                                                boolean finished) {
        java.util.Objects.requireNonNull(next, "next");
        java.util.Objects.requireNonNull(added, "added");
        return updateBulkJob(expected.id(), stored -> stored.equals(expected) && stored.state() == BulkJob.State.RUNNING
                ? stored.with(finished ? BulkJob.State.DONE : BulkJob.State.RUNNING, next, stored.counters().plus(added),
                clock.instant(), stored.lastError())
                : null);
    }

    @Override
    public Optional<BulkJob> cancelBulkJob(long id) {
        java.util.concurrent.atomic.AtomicReference<BulkJob> current = new java.util.concurrent.atomic.AtomicReference<>();
        Optional<BulkJob> updated = updateBulkJob(id, stored -> {
            current.set(stored);
            return stored.state() == BulkJob.State.RUNNING
                    ? stored.with(BulkJob.State.CANCELLED, stored.position(), stored.counters(), clock.instant(), "")
                    : null;
        });
        return updated.isPresent() ? updated : Optional.ofNullable(current.get());
    }

    @Override
    public Optional<BulkJob> failBulkJob(BulkJob expected, String error) {
        return updateBulkJob(expected.id(), stored -> stored.equals(expected) && stored.state() == BulkJob.State.RUNNING
                ? stored.with(BulkJob.State.FAILED, stored.position(), stored.counters(), clock.instant(), error)
                : null);
    }

    /** Replaces a bulk job by {@code change}'s result (null: leave it) under bulkLock. @return the job written */
    private Optional<BulkJob> updateBulkJob(long id, java.util.function.UnaryOperator<BulkJob> change) {
        return call(() -> {
            bulkLock.lock();
            try (Commit c = new Commit()) {
                Optional<BulkJob> stored = readBulkJob(id);
                if (stored.isEmpty()) return Optional.<BulkJob>empty();
                BulkJob next = change.apply(stored.get());
                if (next == null) return Optional.<BulkJob>empty();
                c.put(bulkJobs, Keys.garbage(id), BulkJobCodec.encode(next)).write();
                return Optional.of(next);
            } finally {
                bulkLock.unlock();
            }
        });
    }

    @Override
    public boolean removeBulkJob(long id) {
        return call(() -> {
            bulkLock.lock();
            try (Commit c = new Commit()) {
                if (readBulkJob(id).isEmpty()) return false;
                c.delete(bulkJobs, Keys.garbage(id)).write();
                return true;
            } finally {
                bulkLock.unlock();
            }
        });
    }

    @Override
    public boolean relocateVersion(ObjectVersion expected, ObjectVersion replacement, java.util.OptionalLong finishedWork) {
        if (expected.deleteMarker()) throw new IllegalArgumentException("a delete marker has no data to relocate");
        if (!expected.bucket().equals(replacement.bucket()) || !expected.key().equals(replacement.key())
                || !expected.versionId().equals(replacement.versionId()) || expected.size() != replacement.size()
                || !expected.etag().equals(replacement.etag()) || replacement.deleteMarker()
                || expected.segments().size() != replacement.segments().size()) {
            throw new IllegalArgumentException("a relocation keeps the version and its segment sizes");
        }
        for (int i = 0; i < expected.segments().size(); i++) {
            if (expected.segments().get(i).size() != replacement.segments().get(i).size()) {
                throw new IllegalArgumentException("a relocation keeps the version and its segment sizes");
            }
        }
        BucketName bucket = expected.bucket();
        ObjectKey key = expected.key();
        return call(() -> {
            Lock bucketLock = bucketLock(bucket, false);
            bucketLock.lock();
            try {
                requireBucket(bucket);
                ReentrantLock keyLock = keyLock(bucket, key);
                keyLock.lock();
                try (Commit c = new Commit()) {
                    byte[] keyPrefix = Keys.versionKeyPrefix(bucket, Keys.utf8(key.value()));
                    Optional<VersionRow> target = versionRow(latestRead, bucket, key, keyPrefix, expected.versionId());
                    if (target.isEmpty() || !target.get().version().equals(expected)) return false;
                    byte[] value = ObjectVersionCodec.encode(replacement);
                    c.put(versions, target.get().row(), value);
                    List<VersionRow> newest = newestVersions(latestRead, bucket, key, keyPrefix, 1);
                    if (!newest.isEmpty() && Arrays.equals(newest.getFirst().row(), target.get().row())) {
                        c.put(objects, Keys.object(bucket, key), value);
                    }
                    List<Segment> freed = new ArrayList<>(expected.segments());
                    freed.removeAll(replacement.segments());
                    c.garbage(freed).change(ChangeEntry.Kind.VERSION_RELOCATED, replacement);
                    if (finishedWork.isEmpty()) {
                        c.write();
                        return true;
                    }
                    workLock.lock();
                    try {
                        finishWork(c, finishedWork.getAsLong());
                        c.write();
                    } finally {
                        workLock.unlock();
                    }
                    return true;
                } finally {
                    keyLock.unlock();
                }
            } finally {
                bucketLock.unlock();
            }
        });
    }

    // ------------------------------------------------------------------ data references

    @Override
    public long forEachSegment(Consumer<Segment> visitor) {
        java.util.Objects.requireNonNull(visitor, "visitor");
        return call(() -> {
            // One snapshot for the three column families: completeUpload moves segments from parts to
            // versions, and deletes move them from versions to garbage, each in one batch; scanning
            // them at different moments could miss a segment in flight between two of them.
            Snapshot snapshot = db.getSnapshot();
            long[] visited = {0};
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                scan(versions, ro, (row, value) -> {
                    int separator = indexOf(row, Keys.SEPARATOR);
                    if (separator < 0) throw new RecordFormatException("version row without bucket separator");
                    BucketName bucket = new BucketName(new String(row, 0, separator, StandardCharsets.UTF_8));
                    ObjectKey key = new ObjectKey(new String(Keys.unescape(row, separator + 1, new int[1]),
                            StandardCharsets.UTF_8));
                    for (Segment s : ObjectVersionCodec.decode(bucket, key, value).segments()) {
                        visitor.accept(s);
                        visited[0]++;
                    }
                });
                scan(parts, ro, (row, value) -> {
                    visitor.accept(PartCodec.decode(value).segment());
                    visited[0]++;
                });
                scan(garbage, ro, (row, value) -> {
                    visitor.accept(SegmentCodec.decode(value));
                    visited[0]++;
                });
            } finally {
                db.releaseSnapshot(snapshot);
            }
            return visited[0];
        });
    }

    @FunctionalInterface
    private interface FullScanVisitor {
        void visit(byte[] key, byte[] value);
    }

    /** Visits every row of {@code cf} as {@code ro} sees it. */
    private void scan(ColumnFamilyHandle cf, ReadOptions ro, FullScanVisitor visitor) throws RocksDBException {
        try (RocksIterator it = db.newIterator(cf, ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.visit(it.key(), it.value());
            }
            it.status();
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ change feed

    /** The change log itself, for tests of its bookkeeping. */
    ChangeLog changeLog() {
        return changeLog;
    }

    @Override
    public ChangeFeed changeFeed() {
        return changeFeed;
    }

    /** The {@link ChangeFeed} over {@link #changeLog}, each call inside the gate. */
    private final class Feed implements ChangeFeed {
        @Override
        public long head() {
            return call(changeLog::head);
        }

        @Override
        public long trimmedThrough() {
            return call(changeLog::trimmedThrough);
        }

        @Override
        public ChangePage changes(long afterSequence, int limit) {
            return call(() -> changeLog.changes(afterSequence, limit));
        }

        @Override
        public ChangeCursor registerCursor(String name) {
            return call(() -> changeLog.registerCursor(name));
        }

        @Override
        public Optional<ChangeCursor> cursor(String name) {
            return call(() -> changeLog.cursor(name));
        }

        @Override
        public List<ChangeCursor> cursors() {
            return call(changeLog::cursors);
        }

        @Override
        public ChangeCursor advanceCursor(String name, long sequence) {
            return call(() -> changeLog.advanceCursor(name, sequence));
        }

        @Override
        public boolean removeCursor(String name) {
            return call(() -> changeLog.removeCursor(name));
        }

        @Override
        public long trim() {
            return call(changeLog::trim);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** RocksDB's level statistics of the objects column family, for diagnostics. */
    String objectStats() {
        return call(() -> db.getProperty(objects, "rocksdb.levelstats") + "\nmemtable bytes: "
                + db.getProperty(objects, "rocksdb.cur-size-all-mem-tables") + ", live sst bytes: "
                + db.getProperty(objects, "rocksdb.live-sst-files-size"));
    }

    /** Compacts every column family fully (maintenance, and benchmarks wanting a steady-state LSM). */
    void compact() {
        call(() -> {
            for (ColumnFamilyHandle h : handles) db.compactRange(h);
            return null;
        });
    }

    /** Refuses new calls, waits for calls in flight, then closes every RocksDB handle. Idempotent. */
    @Override
    public void close() {
        if (!gate.closeAndDrain()) return;
        trimmer.shutdown();
        writers.shutdown();
        for (ColumnFamilyHandle h : handles) h.close();
        try {
            db.closeE();
        } catch (RocksDBException e) {
            log.warn("closing namespace {} failed", directory, e);
        }
        writeOptions.close();
        dbOptions.close();
        cfOptions.close();
        blockCache.close();
        latestRead.close();
        log.info("namespace closed: {}", directory);
    }
}
