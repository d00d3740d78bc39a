package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The {@code garbage-marks} column family: consumers' durable holds on the garbage queue (see
 * {@link GarbageMark}), with the open marks also kept in memory so the cleaner's every poll does not
 * read them.
 *
 * <p>One lock orders taking a mark and handing out garbage: a poll that reads the marks and then
 * scans the queue runs whole before or after a mark is taken. Otherwise a poll that read "no mark"
 * could hand out an item committed just after a mark was taken, whose data the mark's consumer may
 * still see.
 */
final class GarbageMarks {

    /** Where the garbage queue stands; both read under the caller's id lock. */
    interface Positions {
        /** Every garbage id below this is committed or will never be written. */
        long committedGarbageBelow();

        /** The change log's head. */
        long changeHead();
    }

    /** A scan of the queue that must hand out only ids below {@code heldFrom}. */
    @FunctionalInterface
    interface Scan<T> {
        T run(long heldFrom) throws RocksDBException;
    }

    private final RocksDB db;
    private final ColumnFamilyHandle marks;
    private final ChangeLog.BatchWriter writer;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** The open marks by name; guarded by lock. */
    private final TreeMap<String, GarbageMark> open = new TreeMap<>();

    GarbageMarks(RocksDB db, ColumnFamilyHandle marks, ChangeLog.BatchWriter writer, Clock clock) {
        this.db = db;
        this.marks = marks;
        this.writer = writer;
        this.clock = clock;
    }

    void recover() throws RocksDBException {
        lock.lock();
        try (RocksIterator it = db.newIterator(marks)) {
            open.clear();
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String name = new String(it.key(), StandardCharsets.UTF_8);
                open.put(name, GarbageMarkCodec.decode(name, it.value()));
            }
            it.status();
        } finally {
            lock.unlock();
        }
    }

    /** Takes a mark now, durably; an open mark of that name is returned unchanged. */
    GarbageMark take(String name, Positions positions) throws RocksDBException {
        GarbageMark.checkName(name);
        lock.lock();
        try {
            GarbageMark existing = open.get(name);
            if (existing != null) return existing;
            // The garbage position first: a commit landing between the two reads is then held
            // (its ids are at or above it) even if its change entry is at or below changeSequence.
            long garbageId = positions.committedGarbageBelow();
            GarbageMark mark = new GarbageMark(name, garbageId, positions.changeHead(), clock.instant());
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(marks, name.getBytes(StandardCharsets.UTF_8), GarbageMarkCodec.encode(mark));
                writer.write(batch);
            }
            open.put(name, mark);
            return mark;
        } finally {
            lock.unlock();
        }
    }

    /** Releases a mark, durably. Idempotent. @return whether it was open */
    boolean release(String name) throws RocksDBException {
        GarbageMark.checkName(name);
        lock.lock();
        try {
            if (!open.containsKey(name)) return false;
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(marks, name.getBytes(StandardCharsets.UTF_8));
                writer.write(batch);
            }
            open.remove(name);
            return true;
        } finally {
            lock.unlock();
        }
    }

    Optional<GarbageMark> mark(String name) {
        GarbageMark.checkName(name);
        lock.lock();
        try {
            return Optional.ofNullable(open.get(name));
        } finally {
            lock.unlock();
        }
    }

    List<GarbageMark> all() {
        lock.lock();
        try {
            return new ArrayList<>(open.values());
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code scan} with the oldest mark's garbage id ({@code Long.MAX_VALUE} when none), no mark taken meanwhile. */
    <T> T scan(Scan<T> scan) throws RocksDBException {
        lock.lock();
        try {
            long heldFrom = Long.MAX_VALUE;
            for (GarbageMark m : open.values()) heldFrom = Math.min(heldFrom, m.garbageId());
            return scan.run(heldFrom);
        } finally {
            lock.unlock();
        }
    }
}
