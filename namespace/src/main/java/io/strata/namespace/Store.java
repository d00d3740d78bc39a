package io.strata.namespace;

import io.strata.namespace.NamespaceException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
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
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every table of the namespace shares: the RocksDB database and its column family handles,
 * the {@link Gate} and {@link #call} that every public call runs in, the synced {@link #write} path
 * and its writer threads, the {@link Commit} (rows, garbage items and change log entries in one
 * batch), the garbage id sequence the commits draw from, scan helpers, and the striped locks with
 * the one place that takes them in order ({@link #inBucket}, {@link #withKey}). Thread-safe.
 *
 * <p>Owns every native handle; {@link #close()} drains the gate, then releases them. No RocksDB handle leaves the package.
 */
final class Store {
    private static final Logger log = LoggerFactory.getLogger(Store.class);

    /** Column families in the order RocksDB opens them (after its mandatory default one). */
    static final List<String> COLUMN_FAMILIES =
            List.of("meta", "buckets", "objects", "uploads", "upload-order", "parts", "garbage", "versions",
                    "null-versions", "bucket-config", "jobs", "changes", "change-cursors", "garbage-marks",
                    "work", "work-due", "bulk-jobs", "completed-uploads", "work-order");
    /** Garbage ids are reserved in blocks of this many, so allocating one rarely costs a write. */
    static final long GARBAGE_ID_LEASE = 4096;
    private static final byte[] META_GARBAGE_LEASE = Keys.utf8("garbage-id-lease");

    /**
     * Threads that perform synced writes for virtual-thread callers. A JNI call keeps its carrier
     * thread for its whole duration, fsync included, so on a 2-core machine two commits would stall
     * every other virtual thread; handing the write to a platform thread lets the caller park
     * instead, and lets RocksDB group concurrent commits into one WAL sync.
     */
    private static final int WRITER_THREADS = 8;

    final Path directory;
    final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache blockCache;
    private final WriteOptions writeOptions;
    private final List<ColumnFamilyHandle> handles;
    final ColumnFamilyHandle meta;
    final ColumnFamilyHandle buckets;
    final ColumnFamilyHandle objects;
    final ColumnFamilyHandle uploads;
    final ColumnFamilyHandle uploadOrder;
    final ColumnFamilyHandle parts;
    final ColumnFamilyHandle garbage;
    final ColumnFamilyHandle versions;
    final ColumnFamilyHandle nullVersions;
    final ColumnFamilyHandle bucketConfig;
    final ColumnFamilyHandle jobs;
    final ColumnFamilyHandle garbageMarks;
    final ColumnFamilyHandle work;
    final ColumnFamilyHandle workDue;
    final ColumnFamilyHandle bulkJobs;
    final ColumnFamilyHandle completedUploads;
    final ColumnFamilyHandle workOrder;
    /** Plain reads of the latest state (no snapshot, no bounds); shared, closed last. */
    final ReadOptions latestRead = new ReadOptions();
    /** Time of delete markers, change entries, marks and jobs. */
    final Clock clock;
    final ChangeLog changeLog;
    /**
     * This site's number ({@code site.number}), in the low bits of every version order written here
     * ({@link VersionIds#nextOrder(java.time.Instant, long, int)}); set once when the namespace opens.
     */
    volatile int siteNumber;
    /**
     * Which unreferenced segments a commit queues as garbage (set at open, before any call): those
     * whose bytes live outside the namespace. An inline segment's bytes are in the row the commit
     * replaces, so they go with it; queueing one cost a garbage row holding a copy of its bytes, a
     * cleaner pass and a synced delete of that row, for every overwrite of a small object.
     */
    volatile Predicate<Segment> needsFreeing = s -> true;

    private final Gate gate = new Gate();
    private final ExecutorService writers;
    /** Runs background trims of the change log (its thread starts on the first trim). */
    private final ExecutorService trimmer;
    private final AtomicBoolean trimQueued = new AtomicBoolean();

    private final StripedLocks bucketLocks = new StripedLocks(64, true);
    private final StripedLocks keyLocks = new StripedLocks(1024, false);
    private final StripedLocks uploadLocks = new StripedLocks(256, true);
    private final StripedLocks partLocks = new StripedLocks(1024, false);

    // Garbage ids: next id to hand out and the persisted lease bound, both guarded by garbageIdLock.
    private final ReentrantLock garbageIdLock = new ReentrantLock();
    private long nextGarbageId;
    private long garbageLease;
    /** First ids of garbage ranges handed out whose batch has not finished writing. */
    private final ConcurrentSkipListSet<Long> pendingGarbage = new ConcurrentSkipListSet<>();

    private Store(Path directory, RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, LRUCache blockCache,
                  WriteOptions writeOptions, List<ColumnFamilyHandle> handles, Clock clock,
                  ChangeLogLimits changeLimits) {
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
        this.bucketConfig = handles.get(10);
        this.jobs = handles.get(11);
        this.clock = clock;
        this.changeLog = new ChangeLog(db, handles.get(12), handles.get(13), meta, this::write, clock, changeLimits);
        this.garbageMarks = handles.get(14);
        this.work = handles.get(15);
        this.workDue = handles.get(16);
        this.bulkJobs = handles.get(17);
        this.completedUploads = handles.get(18);
        this.workOrder = handles.get(19);
        this.trimmer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("namespace-change-trim").unstarted(r));
        AtomicLong threadNumber = new AtomicLong();
        this.writers = Executors.newFixedThreadPool(WRITER_THREADS, r -> Thread.ofPlatform().daemon()
                .name("namespace-writer-" + threadNumber.incrementAndGet()).unstarted(r));
    }

    /**
     * Opens (creating if absent) the database in {@code directory} with every column family, a
     * block cache of {@code blockCacheBytes} and synced writes unless {@code syncWrites} is false
     * (tests only). The caller closes the store; nothing is read or checked yet.
     *
     * @throws NamespaceException UNAVAILABLE if the directory cannot be created or RocksDB cannot open it
     */
    static Store open(Path directory, long blockCacheBytes, boolean syncWrites, Clock clock,
                      ChangeLogLimits changeLimits) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "cannot create namespace directory " + directory, e);
        }
        return open(directory, blockCacheBytes, syncWrites, clock, changeLimits, false);
    }

    /**
     * Opens an existing database (a checkpoint) read-only: no write can reach it, and RocksDB neither
     * creates nor changes a file in it. The caller closes the store.
     *
     * @throws NamespaceException UNAVAILABLE if the directory is not a database RocksDB can open
     */
    static Store openReadOnly(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new NamespaceException(Reason.UNAVAILABLE, "no namespace checkpoint in " + directory);
        }
        addMissingColumnFamilies(directory);
        return open(directory, 8L << 20, true, Clock.systemUTC(), ChangeLogLimits.DEFAULT, true);
    }

    /**
     * A checkpoint taken by an older version lacks the column families added since (an export
     * interrupted by an upgrade resumes from it), and RocksDB opens no database read-only without
     * every family it is asked for. Such a checkpoint is opened once read-write to add them empty:
     * the checkpoint is this gateway's own copy, RocksDB never rewrites its table files (hard links
     * to the live ones), and with compactions off it only adds a manifest and empty families.
     */
    private static void addMissingColumnFamilies(Path directory) {
        RocksDB.loadLibrary();
        try (org.rocksdb.Options options = new org.rocksdb.Options()) {
            List<String> present = new ArrayList<>();
            for (byte[] name : RocksDB.listColumnFamilies(options, directory.toString())) {
                present.add(new String(name, StandardCharsets.UTF_8));
            }
            if (present.isEmpty() || present.containsAll(COLUMN_FAMILIES)) return;
            log.info("namespace checkpoint {} lacks column families {}: adding them empty", directory,
                    COLUMN_FAMILIES.stream().filter(n -> !present.contains(n)).toList());
            try (ColumnFamilyOptions cfo = new ColumnFamilyOptions().setDisableAutoCompactions(true);
                 DBOptions dbo = new DBOptions().setCreateMissingColumnFamilies(true)) {
                List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
                descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
                for (String name : COLUMN_FAMILIES) {
                    descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfo));
                }
                List<ColumnFamilyHandle> handles = new ArrayList<>();
                try (RocksDB db = RocksDB.open(dbo, directory.toString(), descriptors, handles)) {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        } catch (RocksDBException e) {
            throw new NamespaceException(Reason.UNAVAILABLE, "cannot open namespace checkpoint in " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    private static Store open(Path directory, long blockCacheBytes, boolean syncWrites, Clock clock,
                              ChangeLogLimits changeLimits, boolean readOnly) {
        RocksDB.loadLibrary();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            LRUCache cache = new LRUCache(blockCacheBytes);
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
            WriteOptions wo = new WriteOptions().setSync(syncWrites);
            opened.add(wo);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
            for (String name : COLUMN_FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfo));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = readOnly
                    ? RocksDB.openReadOnly(dbo, directory.toString(), descriptors, handles)
                    : RocksDB.open(dbo, directory.toString(), descriptors, handles);
            return new Store(directory, db, dbo, cfo, cache, wo, handles, clock, changeLimits);
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

    /** Refuses new calls, waits for calls in flight, then closes every RocksDB handle. @return false if already closed */
    boolean close() {
        if (!gate.closeAndDrain()) return false;
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
        return true;
    }

    /** Writes one meta row durably, outside any batch (format version, id leases). */
    void putMeta(byte[] key, byte[] value) throws RocksDBException {
        db.put(meta, writeOptions, key, value);
    }

    /**
     * Writes a RocksDB checkpoint of the whole database into {@code target} (which must not exist):
     * SST files hard-linked (copied across file systems), the memtables flushed first, so the
     * directory is a durable, consistent cut that a later {@link #openReadOnly} opens, whatever
     * happens to this store meanwhile.
     */
    void checkpoint(Path target) throws RocksDBException {
        try (org.rocksdb.Checkpoint checkpoint = org.rocksdb.Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        }
    }

    /** RocksDB's level statistics of a column family, for diagnostics. */
    String stats(ColumnFamilyHandle cf) throws RocksDBException {
        return db.getProperty(cf, "rocksdb.levelstats") + "\nmemtable bytes: "
                + db.getProperty(cf, "rocksdb.cur-size-all-mem-tables") + ", live sst bytes: "
                + db.getProperty(cf, "rocksdb.live-sst-files-size");
    }

    /** Compacts every column family fully. */
    void compactAll() throws RocksDBException {
        for (ColumnFamilyHandle h : handles) db.compactRange(h);
    }

    // ------------------------------------------------------------------ calls and locks

    /** A call's body: RocksDB's checked exception is mapped by {@link #call}. */
    @FunctionalInterface
    interface Body<T> {
        T run() throws RocksDBException;
    }

    /** Runs a call inside the gate, mapping storage failures to UNAVAILABLE. */
    <T> T call(Body<T> body) {
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

    /**
     * Runs {@code body} as a call holding the bucket's lock: exclusive for what changes the bucket
     * itself (create, delete, versioning, bulk loads), shared for every write inside it, so a bucket
     * cannot be deleted, nor its versioning changed, between a write's check and its commit.
     */
    <T> T inBucket(BucketName bucket, boolean exclusive, Body<T> body) {
        return call(() -> {
            ReentrantReadWriteLock rw = bucketLocks.readWrite(bucket.hashCode());
            Lock lock = exclusive ? rw.writeLock() : rw.readLock();
            lock.lock();
            try {
                return body.run();
            } finally {
                lock.unlock();
            }
        });
    }

    /** A key mutation's body: the bucket as read under its lock, and a fresh commit it writes (or not). */
    @FunctionalInterface
    interface KeyBody<T> {
        T run(Bucket bucket, Commit commit) throws RocksDBException;
    }

    /**
     * Runs {@code body} as a call with the bucket lock shared and the key's lock held, the bucket
     * read under them (BUCKET_NOT_FOUND if it is gone), and a fresh commit the body writes or not.
     * The lock sequence every key mutation follows; further locks (upload, work) come after it.
     */
    <T> T withKey(BucketName bucketName, ObjectKey key, KeyBody<T> body) {
        return inBucket(bucketName, false, () -> {
            Bucket bucket = readBucket(bucketName);
            ReentrantLock keyLock = keyLocks.lock(StripedLocks.hash(bucketName, key));
            keyLock.lock();
            try (Commit c = new Commit()) {
                return body.run(bucket, c);
            } finally {
                keyLock.unlock();
            }
        });
    }

    /** An upload's lock: exclusive for complete and abort, shared for putPart. Taken after the bucket and key locks. */
    Lock uploadLock(BucketName bucket, String uploadId, boolean exclusive) {
        ReentrantReadWriteLock rw = uploadLocks.readWrite(StripedLocks.hash(bucket, uploadId));
        return exclusive ? rw.writeLock() : rw.readLock();
    }

    /** A part number's lock within an upload, taken last. */
    ReentrantLock partLock(BucketName bucket, String uploadId, int partNumber) {
        return partLocks.lock(StripedLocks.hash(bucket, uploadId, partNumber));
    }

    static NamespaceException bucketNotFound(BucketName bucket) {
        return new NamespaceException(Reason.BUCKET_NOT_FOUND, "no such bucket: " + bucket);
    }

    /** @throws NamespaceException BUCKET_NOT_FOUND */
    void requireBucket(BucketName bucket) throws RocksDBException {
        if (db.get(buckets, Keys.bucket(bucket)) == null) throw bucketNotFound(bucket);
    }

    /** @throws NamespaceException BUCKET_NOT_FOUND */
    Bucket readBucket(BucketName name) throws RocksDBException {
        byte[] value = db.get(buckets, Keys.bucket(name));
        if (value == null) throw bucketNotFound(name);
        return BucketCodec.decode(name, value);
    }

    // ------------------------------------------------------------------ writes

    /**
     * Writes {@code batch} with the synced write options. A virtual-thread caller hands the write to
     * {@link #writers} and waits uninterruptibly: once submitted, the write's outcome must be what
     * the caller reports.
     */
    void write(WriteBatch batch) throws RocksDBException {
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

    /** A fresh commit; the caller closes it. */
    Commit commit() {
        return new Commit();
    }

    /**
     * One atomic, synced write: rows plus garbage items, whose ids are allocated only when the batch
     * is written, plus change log entries. Closes its native batch.
     */
    final class Commit implements AutoCloseable {
        private final WriteBatch batch = new WriteBatch();
        private final Set<Segment> garbageSegments = new LinkedHashSet<>();
        private final List<Change> changes = new ArrayList<>(1);
        private String origin = "";

        private Commit() {
        }

        Commit put(ColumnFamilyHandle cf, byte[] key, byte[] value) throws RocksDBException {
            batch.put(cf, key, value);
            return this;
        }

        Commit delete(ColumnFamilyHandle cf, byte[] key) throws RocksDBException {
            batch.delete(cf, key);
            return this;
        }

        /** Queues segments as garbage; each distinct segment once, and only those {@link #needsFreeing}. */
        Commit garbage(Collection<Segment> segments) {
            Predicate<Segment> freed = needsFreeing;
            for (Segment s : segments) {
                if (freed.test(s)) garbageSegments.add(s);
            }
            return this;
        }

        /** Logs a change of one version, written with this commit. */
        Commit change(ChangeEntry.Kind kind, ObjectVersion v) {
            changes.add(new Change(kind, v.bucket(), Optional.of(ChangeEntry.VersionRef.of(v)), origin));
            return this;
        }

        /** Marks the version changes logged from now on as made by {@code origin} (their entries' detail). */
        Commit origin(String origin) {
            this.origin = origin;
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
                Store.this.write(batch);
            } finally {
                if (firstGarbage != 0) pendingGarbage.remove(firstGarbage);
                if (firstChange != 0) changeLog.finished(firstChange);
            }
            if (firstChange != 0 && changeLog.appended(changes.size(), changeBytes)) scheduleTrim();
            if (firstChange != 0) changeLog.notifyAppended();
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

    // ------------------------------------------------------------------ garbage ids

    /** Recovers the garbage id sequence at open: above the lease and above every stored item. */
    void recoverGarbageIds() throws RocksDBException {
        byte[] lease = db.get(meta, META_GARBAGE_LEASE);
        long next = lease == null ? 1 : Keys.decodeLong(lease);
        try (RocksIterator it = db.newIterator(garbage)) {
            it.seekToLast();
            if (it.isValid()) next = Math.max(next, Keys.garbageId(it.key()) + 1);
            it.status();
        }
        // Ids below the lease may have been used before a crash: start above it, never reuse one.
        garbageIdLock.lock();
        try {
            nextGarbageId = next;
            garbageLease = next;
        } finally {
            garbageIdLock.unlock();
        }
    }

    /** Hands out {@code n} consecutive garbage ids, recording them as pending until the caller's write ends. */
    private long reserveGarbageIds(int n) throws RocksDBException {
        garbageIdLock.lock();
        try {
            long first = nextGarbageId;
            if (first + n > garbageLease) {
                long lease = first + n + GARBAGE_ID_LEASE;
                putMeta(META_GARBAGE_LEASE, Keys.encodeLong(lease));
                garbageLease = lease;
            }
            nextGarbageId = first + n;
            pendingGarbage.add(first);
            return first;
        } finally {
            garbageIdLock.unlock();
        }
    }

    /** Every garbage id below this is committed (its write ended) or will never be written. */
    long committedGarbageBelow() {
        garbageIdLock.lock();
        try {
            // ceiling() instead of isEmpty() + first(): a writer may finish (and remove its
            // entry) between the two calls, and first() then throws NoSuchElementException.
            Long oldestPending = pendingGarbage.ceiling(Long.MIN_VALUE);
            return oldestPending == null ? nextGarbageId : oldestPending;
        } finally {
            garbageIdLock.unlock();
        }
    }

    // ------------------------------------------------------------------ scans

    /** Visits a row; returns false to stop. */
    @FunctionalInterface
    interface RowVisitor {
        boolean visit(byte[] key, byte[] value) throws RocksDBException;
    }

    /** Visits rows in [from, to) in key order; {@code to} null means to the end of the column family. */
    void scan(ColumnFamilyHandle cf, byte[] from, byte[] to, RowVisitor visitor) throws RocksDBException {
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

    /** Visits every row of a column family. */
    @FunctionalInterface
    interface FullScanVisitor {
        void visit(byte[] key, byte[] value);
    }

    /** Visits every row of {@code cf} as {@code ro} sees it (e.g. under a snapshot). */
    void scan(ColumnFamilyHandle cf, ReadOptions ro, FullScanVisitor visitor) throws RocksDBException {
        try (RocksIterator it = db.newIterator(cf, ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.visit(it.key(), it.value());
            }
            it.status();
        }
    }
}
