package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change log's tables and bookkeeping: {@link Store.Commit} appends entries to each mutation's
 * own write batch ({@link #reserve}, {@link #finished}, {@link #appended}) and
 * {@link GatedChangeFeed} serves {@link ChangeFeed} by calling the rest inside the store's gate.
 * Thread-safe.
 *
 * <p>Tables: {@code changes} (sequence, 8 bytes big-endian → {@link ChangeEntryCodec}),
 * {@code change-cursors} (name, UTF-8 → position, 8 bytes) and the {@code meta} row
 * {@code change-trimmed-through} (8 bytes: every sequence up to it is trimmed, written in the same
 * batch as the range deletion, so a restart after a full trim still continues above it).
 *
 * <p>Sequences are handed out under {@link #sequenceLock} while the committing mutation holds its
 * locks, and stay pending until the batch is written: readers see only sequences below the oldest
 * pending one, so a slow commit with a smaller sequence can never be skipped by a reader that
 * already saw a larger one. A failed write leaves a gap, never a reused number seen by anyone.
 */
final class ChangeLog {
    private static final Logger log = LoggerFactory.getLogger(ChangeLog.class);
    /** A background trim is started after this many appended entries. */
    static final int TRIM_EVERY = 4096;
    private static final byte[] META_TRIMMED = Keys.utf8("change-trimmed-through");
    private static final int MAX_CURSOR_NAME = 255;

    /** Writes a batch durably (the namespace's synced write path). */
    @FunctionalInterface
    interface BatchWriter {
        void write(WriteBatch batch) throws RocksDBException;
    }

    /** Called after each commit with entries; see {@link ChangeFeed#onAppend}. */
    private final java.util.List<Runnable> appendListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle changes;
    private final ColumnFamilyHandle cursors;
    private final ColumnFamilyHandle meta;
    private final BatchWriter writer;
    private final Clock clock;
    private final ChangeLogLimits limits;

    private final ReentrantLock sequenceLock = new ReentrantLock();
    /** Next sequence to hand out; guarded by sequenceLock. */
    private long nextSequence = 1;
    /** First sequences of batches handed out whose write has not ended. */
    private final ConcurrentSkipListSet<Long> pending = new ConcurrentSkipListSet<>();
    /** Bytes (row key + value) of the entries stored and not trimmed. */
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong appendedSinceTrim = new AtomicLong();
    /** Cursor changes and trims, one at a time: a trim must see every cursor registered before it. */
    private final ReentrantLock feedLock = new ReentrantLock();
    private volatile long trimmedThrough;

    ChangeLog(RocksDB db, ColumnFamilyHandle changes, ColumnFamilyHandle cursors, ColumnFamilyHandle meta,
              BatchWriter writer, Clock clock, ChangeLogLimits limits) {
        this.db = db;
        this.changes = changes;
        this.cursors = cursors;
        this.meta = meta;
        this.writer = writer;
        this.clock = clock;
        this.limits = limits;
    }

    /**
     * Recovers the sequence and the retained bytes; reads every retained entry's size once, which
     * the byte bound keeps small. The sequence continues above the highest stored entry, the trim
     * mark and every cursor: a sequence whose write failed was abandoned, so {@link #head()} may have
     * counted it and a cursor may stand on it; handing it out again would put an entry under that
     * cursor, never to be read.
     */
    void recover() throws RocksDBException {
        byte[] mark = db.get(meta, META_TRIMMED);
        trimmedThrough = mark == null ? 0 : Keys.decodeLong(mark);
        long last = trimmedThrough;
        for (ChangeCursor c : cursors()) last = Math.max(last, c.position());
        long bytes = 0;
        try (RocksIterator it = db.newIterator(changes)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                last = Math.max(last, Keys.garbageId(it.key()));
                bytes += it.key().length + it.value().length;
            }
            it.status();
        }
        nextSequence = last + 1;
        retainedBytes.set(bytes);
    }

    // ------------------------------------------------------------------ appending (inside a Commit)

    /** Hands out {@code n} consecutive sequences, pending until {@link #finished} with the first. */
    long reserve(int n) {
        sequenceLock.lock();
        try {
            long first = nextSequence;
            nextSequence += n;
            pending.add(first);
            return first;
        } finally {
            sequenceLock.unlock();
        }
    }

    /** Adds the entry with {@code sequence} to {@code batch}; returns the bytes it stores. */
    long put(WriteBatch batch, long sequence, Instant committed, ChangeEntry.Kind kind, BucketName bucket,
             Optional<ChangeEntry.VersionRef> version, String detail) throws RocksDBException {
        byte[] row = Keys.garbage(sequence);
        byte[] value = ChangeEntryCodec.encode(new ChangeEntry(sequence, committed, kind, bucket, version, detail));
        batch.put(changes, row, value);
        return row.length + value.length;
    }

    /** The write of the batch starting at {@code first} has ended (written or failed). */
    void finished(long first) {
        pending.remove(first);
    }

    /** Adds a listener called after each commit that logged entries ({@link ChangeFeed#onAppend}). */
    void onAppend(Runnable listener) {
        appendListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Tells the listeners that entries were written and are visible (or will be once older commits finish). */
    void notifyAppended() {
        for (Runnable listener : appendListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                // A listener's failure is not the commit's: it is written, and its caller must hear so.
                log.warn("change log listener failed: {}", e.toString());
            }
        }
    }

    /** Records written entries; returns true when a background trim is due. */
    boolean appended(int entries, long bytes) {
        long retained = retainedBytes.addAndGet(bytes);
        return appendedSinceTrim.addAndGet(entries) >= TRIM_EVERY || retained > limits.maxBytes();
    }

    /** Sequences below this are written or abandoned: readers may see them. */
    private long visibleBelow() {
        sequenceLock.lock();
        try {
            Long oldestPending = pending.ceiling(Long.MIN_VALUE);
            return oldestPending == null ? nextSequence : oldestPending;
        } finally {
            sequenceLock.unlock();
        }
    }

    // ------------------------------------------------------------------ reading

    long head() {
        return visibleBelow() - 1;
    }

    long trimmedThrough() {
        return trimmedThrough;
    }

    ChangePage changes(long after, int limit) throws RocksDBException {
        return read(after, limit, visibleBelow());
    }

    /**
     * Every stored entry after {@code after}, visible or not: for a checkpoint, which is frozen, so an
     * entry it holds is one whose mutation it holds (they were written in one batch).
     */
    ChangePage stored(long after, int limit) throws RocksDBException {
        return read(after, limit, Long.MAX_VALUE);
    }

    private ChangePage read(long after, int limit, long below) throws RocksDBException {
        if (after < 0) throw new IllegalArgumentException("afterSequence < 0: " + after);
        if (limit < 0) throw new IllegalArgumentException("limit < 0: " + limit);
        // The trim mark and the entries from one snapshot: a trim between two reads cannot hide entries.
        Snapshot snapshot = db.getSnapshot();
        try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
            byte[] mark = db.get(meta, ro, META_TRIMMED);
            long trimmed = mark == null ? 0 : Keys.decodeLong(mark);
            if (after < trimmed) throw trimmedError("entries after " + after, trimmed);
            List<ChangeEntry> out = new ArrayList<>();
            boolean more = false;
            try (RocksIterator it = db.newIterator(changes, ro)) {
                for (it.seek(Keys.garbage(after + 1)); it.isValid(); it.next()) {
                    long sequence = Keys.garbageId(it.key());
                    if (sequence >= below) break;
                    if (out.size() >= limit) {
                        more = true;
                        break;
                    }
                    out.add(ChangeEntryCodec.decode(sequence, it.value()));
                }
                it.status();
            }
            long nextAfter = out.isEmpty() ? after : out.getLast().sequence();
            return new ChangePage(out, nextAfter, more);
        } finally {
            db.releaseSnapshot(snapshot);
        }
    }

    private static ChangeFeedException trimmedError(String what, long trimmed) {
        return new ChangeFeedException(ChangeFeedException.Reason.TRIMMED, what + " were trimmed from the change log"
                + " (through sequence " + trimmed + "): resynchronise", trimmed);
    }

    // ------------------------------------------------------------------ cursors

    private static byte[] cursorRow(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_CURSOR_NAME || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("cursor name must be 1 to " + MAX_CURSOR_NAME
                    + " characters without NUL");
        }
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private ChangeCursor cursorOf(String name, long position) {
        return new ChangeCursor(name, position, position < trimmedThrough);
    }

    ChangeCursor registerCursor(String name) throws RocksDBException {
        byte[] row = cursorRow(name);
        feedLock.lock();
        try {
            byte[] stored = db.get(cursors, row);
            if (stored != null) return cursorOf(name, Keys.decodeLong(stored));
            long position = head();
            writeCursor(row, position);
            return cursorOf(name, position);
        } finally {
            feedLock.unlock();
        }
    }

    Optional<ChangeCursor> cursor(String name) throws RocksDBException {
        byte[] stored = db.get(cursors, cursorRow(name));
        return stored == null ? Optional.empty() : Optional.of(cursorOf(name, Keys.decodeLong(stored)));
    }

    List<ChangeCursor> cursors() throws RocksDBException {
        List<ChangeCursor> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(cursors)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.add(cursorOf(new String(it.key(), StandardCharsets.UTF_8), Keys.decodeLong(it.value())));
            }
            it.status();
        }
        return out;
    }

    ChangeCursor advanceCursor(String name, long sequence) throws RocksDBException {
        byte[] row = cursorRow(name);
        feedLock.lock();
        try {
            byte[] stored = db.get(cursors, row);
            if (stored == null) {
                throw new ChangeFeedException(ChangeFeedException.Reason.NO_SUCH_CURSOR, "no change cursor " + name, 0);
            }
            long position = Keys.decodeLong(stored);
            if (sequence <= position) return cursorOf(name, position);
            long head = head();
            if (sequence > head) {
                throw new IllegalArgumentException("cursor " + name + " cannot pass the change log's head " + head
                        + ": " + sequence);
            }
            writeCursor(row, sequence);
            return cursorOf(name, sequence);
        } finally {
            feedLock.unlock();
        }
    }

    boolean removeCursor(String name) throws RocksDBException {
        byte[] row = cursorRow(name);
        feedLock.lock();
        try {
            if (db.get(cursors, row) == null) return false;
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(cursors, row);
                writer.write(batch);
            }
            return true;
        } finally {
            feedLock.unlock();
        }
    }

    private void writeCursor(byte[] row, long position) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(cursors, row, Keys.encodeLong(position));
            writer.write(batch);
        }
    }

    // ------------------------------------------------------------------ trimming

    /**
     * Removes the entries every cursor has passed (every visible entry when there is no cursor),
     * then the oldest beyond the byte and age bounds, in one synced write; logs each cursor that the
     * bounds overtook.
     */
    long trim() throws RocksDBException {
        feedLock.lock();
        try {
            appendedSinceTrim.set(0);
            long below = visibleBelow();
            long slowest = below - 1;
            List<ChangeCursor> all = cursors();
            for (ChangeCursor c : all) slowest = Math.min(slowest, c.position());
            Instant cutoff = clock.instant().minus(limits.maxAge());
            long retained = retainedBytes.get();
            long through = trimmedThrough;
            long removedBytes = 0;
            try (RocksIterator it = db.newIterator(changes)) {
                for (it.seek(Keys.garbage(trimmedThrough + 1)); it.isValid(); it.next()) {
                    long sequence = Keys.garbageId(it.key());
                    if (sequence >= below) break;
                    long bytes = it.key().length + it.value().length;
                    boolean passed = sequence <= slowest;
                    if (!passed && retained - removedBytes <= limits.maxBytes()
                            && !ChangeEntryCodec.decode(sequence, it.value()).committed().isBefore(cutoff)) {
                        break;
                    }
                    through = sequence;
                    removedBytes += bytes;
                }
                it.status();
            }
            // Sequences up to the slowest cursor that hold no entry (failed writes) count as trimmed too.
            through = Math.max(through, Math.min(slowest, below - 1));
            if (through <= trimmedThrough) return trimmedThrough;
            try (WriteBatch batch = new WriteBatch()) {
                batch.deleteRange(changes, Keys.garbage(0), Keys.garbage(through + 1));
                batch.put(meta, META_TRIMMED, Keys.encodeLong(through));
                writer.write(batch);
            }
            retainedBytes.addAndGet(-removedBytes);
            long before = trimmedThrough;
            trimmedThrough = through;
            for (ChangeCursor c : all) {
                if (c.position() < through && c.position() >= before) {
                    log.warn("change log trimmed through sequence {} past cursor {} at {} (limits: {} bytes, {}):"
                            + " its consumer must resynchronise", through, c.name(), c.position(), limits.maxBytes(),
                            limits.maxAge());
                }
            }
            return through;
        } finally {
            feedLock.unlock();
        }
    }
}
