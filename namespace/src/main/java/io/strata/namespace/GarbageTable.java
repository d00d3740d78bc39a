package io.strata.namespace;

import io.strata.namespace.Store.Commit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * The garbage queue, {@code garbage} (id, 8 bytes big-endian → {@link SegmentCodec}; FIFO by id),
 * and its readers' holds, {@code garbage-marks} ({@link GarbageMarks}). Commits add items through
 * {@link Store.Commit#garbage}, which draws ids from the store's sequence; this class hands them
 * out below the oldest open mark, removes them, and walks every segment a record refers to for the
 * orphan collector. Thread-safe.
 */
final class GarbageTable {
    private final Store store;
    private final GarbageMarks marks;
    /**
     * Every garbage id below this is removed or will never be written, so {@link #items(int)}
     * seeks here instead of scanning the head of the queue's delete tombstones.
     */
    private final AtomicLong scanFrom = new AtomicLong();

    GarbageTable(Store store) {
        this.store = store;
        this.marks = new GarbageMarks(store.db, store.garbageMarks, store::write, store.clock);
    }

    /** Reads the open marks at open, before any call. */
    void recover() throws RocksDBException {
        marks.recover();
    }

    List<GarbageItem> items(int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> marks.scan(heldFrom -> {
            long committedBelow = store.committedGarbageBelow();
            long from = scanFrom.get();
            List<GarbageItem> out = new ArrayList<>();
            long[] firstLive = {Long.MAX_VALUE};
            // Items at or above the oldest mark died after it was taken: its consumer may still read them.
            store.scan(store.garbage, Keys.garbage(from), heldFrom == Long.MAX_VALUE ? null : Keys.garbage(heldFrom),
                    (k, v) -> {
                        long id = Keys.garbageId(k);
                        if (firstLive[0] == Long.MAX_VALUE) firstLive[0] = id;
                        if (out.size() >= max) return false;
                        out.add(new GarbageItem(id, SegmentCodec.decode(v)));
                        return true;
                    });
            // Ids in [from, min(firstLive, committedBelow, heldFrom)) were absent although their writes
            // had ended: they never come back, so later scans may start past their tombstones. The
            // scan stopped at heldFrom, so it says nothing of the ids above.
            scanFrom.accumulateAndGet(Math.min(Math.min(firstLive[0], committedBelow), heldFrom), Math::max);
            return out;
        }));
    }

    GarbageMark mark(String name) {
        GarbageMark.checkName(name);
        return store.call(() -> marks.take(name, new GarbageMarks.Positions() {
            @Override
            public long committedGarbageBelow() {
                return store.committedGarbageBelow();
            }

            @Override
            public long changeHead() {
                return store.changeLog.head();
            }
        }));
    }

    Optional<GarbageMark> openMark(String name) {
        GarbageMark.checkName(name);
        return store.call(() -> marks.mark(name));
    }

    List<GarbageMark> openMarks() {
        return store.call(marks::all);
    }

    boolean release(String name) {
        GarbageMark.checkName(name);
        return store.call(() -> marks.release(name));
    }

    void remove(List<GarbageItem> items) {
        if (items.isEmpty()) return;
        store.call(() -> {
            try (Commit c = store.commit()) {
                for (GarbageItem item : items) c.delete(store.garbage, Keys.garbage(item.id()));
                c.write();
            }
            return null;
        });
    }

    void add(List<Segment> segments) {
        if (segments.isEmpty()) return;
        store.call(() -> {
            try (Commit c = store.commit()) {
                c.garbage(segments).write();
            }
            return null;
        });
    }

    /** Every segment that a version, a part or a garbage item names, as of one moment. */
    long forEachSegment(Consumer<Segment> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        return store.call(() -> {
            // One snapshot for the three column families: completeUpload moves segments from parts to
            // versions, and deletes move them from versions to garbage, each in one batch; scanning
            // them at different moments could miss a segment in flight between two of them.
            Snapshot snapshot = store.db.getSnapshot();
            long[] visited = {0};
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                store.scan(store.versions, ro, (row, value) -> {
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
                store.scan(store.parts, ro, (row, value) -> {
                    visitor.accept(PartCodec.decode(value).segment());
                    visited[0]++;
                });
                store.scan(store.garbage, ro, (row, value) -> {
                    visitor.accept(SegmentCodec.decode(value));
                    visited[0]++;
                });
            } finally {
                store.db.releaseSnapshot(snapshot);
            }
            return visited[0];
        });
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) return i;
        }
        return -1;
    }
}
