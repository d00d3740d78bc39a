package io.strata.namespace;

import io.strata.namespace.Store.Commit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed work queues: {@code work} (id, 8 bytes big-endian → {@link WorkItemCodec}) and
 * {@code work-due} ({@code kind 0x00 notBefore-millis id} → empty, each queue in due order),
 * {@code work-order} ({@code kind 0x00 id} → empty, each queue in id order), the {@code meta} rows
 * {@code work-id-lease} and {@code work-order-built}, and {@code jobs}, the untyped queue of earlier
 * versions, emptied into {@code work} at open. Work ids (shared with bulk jobs, {@link #reserveId}) come from
 * a lease persisted before any id below it is handed out, so they are never reused.
 *
 * <p>Retries, removals and a relocation that finishes an item each read, check and write one item
 * under one lock ({@link #workLock}), taken after any key lock. Thread-safe.
 */
final class WorkTable {
    private static final Logger log = LoggerFactory.getLogger(WorkTable.class);

    /** Work ids are reserved in blocks of this many, as garbage ids are. */
    static final long WORK_ID_LEASE = 256;
    private static final byte[] META_WORK_LEASE = Keys.utf8("work-id-lease");
    /** Present once {@code work-order} indexes every item (databases before it had no such family). */
    private static final byte[] META_ORDER_BUILT = Keys.utf8("work-order-built");
    /** Rows per write while the id-order index of an older database is built at open. */
    private static final int ORDER_BUILD_BATCH = 10_000;

    private final Store store;
    /** Serialises the read-check-write of one work item (retry, remove, finish with a relocation). */
    private final ReentrantLock workLock = new ReentrantLock();
    /** Guards the next work id and its persisted lease bound. */
    private final ReentrantLock idLock = new ReentrantLock();
    private long nextWorkId;
    private long workLease;

    WorkTable(Store store) {
        this.store = store;
    }

    /**
     * Work ids continue above the lease, the highest stored item and the highest job of the old
     * untyped queue (whose ids restarted after a restart: it recovered them from its highest row
     * only, so removing the newest jobs handed their ids out again). The old queue's jobs then
     * move to {@code work} keeping their ids, in one write. Runs at open, before any call.
     */
    void recover() throws RocksDBException {
        byte[] lease = store.db.get(store.meta, META_WORK_LEASE);
        long next = lease == null ? 1 : Keys.decodeLong(lease);
        for (ColumnFamilyHandle cf : List.of(store.work, store.jobs)) {
            try (RocksIterator it = store.db.newIterator(cf)) {
                it.seekToLast();
                if (it.isValid()) next = Math.max(next, Keys.garbageId(it.key()) + 1);
                it.status();
            }
        }
        idLock.lock();
        try {
            nextWorkId = next;
            workLease = next;
        } finally {
            idLock.unlock();
        }
        int moved = 0;
        try (WriteBatch batch = new WriteBatch(); RocksIterator it = store.db.newIterator(store.jobs)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                WorkItem item = new WorkItem(Keys.garbageId(it.key()), WorkItem.UNTYPED, it.value(), Instant.EPOCH, 0, "");
                batch.put(store.work, it.key(), WorkItemCodec.encode(item));
                batch.put(store.workDue, WorkItemCodec.dueRow(item), new byte[0]);
                batch.put(store.workOrder, WorkItemCodec.orderRow(item), new byte[0]);
                batch.delete(store.jobs, it.key());
                moved++;
            }
            it.status();
            if (moved > 0) {
                batch.put(store.meta, META_WORK_LEASE, Keys.encodeLong(next));
                store.write(batch);
                log.info("namespace {}: {} jobs of the untyped queue moved to work kind {}", store.directory, moved,
                        WorkItem.UNTYPED);
            }
        }
        buildOrderIndex();
    }

    /**
     * Indexes every stored item in {@code work-order}, once: a database written before that family
     * existed has items only in {@code work} and {@code work-due}. Written in batches, then the
     * {@code work-order-built} row; a crash in between builds it again (the rows are idempotent).
     */
    private void buildOrderIndex() throws RocksDBException {
        if (store.db.get(store.meta, META_ORDER_BUILT) != null) return;
        long indexed = 0;
        WriteBatch batch = new WriteBatch();
        try (RocksIterator it = store.db.newIterator(store.work)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                batch.put(store.workOrder, WorkItemCodec.orderRow(WorkItemCodec.decode(Keys.garbageId(it.key()), it.value())),
                        new byte[0]);
                if (++indexed % ORDER_BUILD_BATCH == 0) {
                    store.write(batch);
                    batch.close();
                    batch = new WriteBatch();
                }
            }
            it.status();
            store.write(batch);
        } finally {
            batch.close();
        }
        store.putMeta(META_ORDER_BUILT, new byte[]{1});
        if (indexed > 0) log.info("namespace {}: {} work items indexed in id order", store.directory, indexed);
    }

    /** Hands out a work or bulk job id, never reused: the lease is persisted before any id below it is used. */
    long reserveId() throws RocksDBException {
        idLock.lock();
        try {
            long id = nextWorkId;
            if (id + 1 > workLease) {
                long lease = id + 1 + WORK_ID_LEASE;
                store.putMeta(META_WORK_LEASE, Keys.encodeLong(lease));
                workLease = lease;
            }
            nextWorkId = id + 1;
            return id;
        } finally {
            idLock.unlock();
        }
    }

    WorkItem add(String kind, byte[] payload, Instant notBefore) {
        WorkItem.checkKind(kind);
        Objects.requireNonNull(notBefore, "notBefore");
        byte[] copy = payload.clone();
        return store.call(() -> {
            WorkItem item = new WorkItem(reserveId(), kind, copy, notBefore, 0, "");
            try (Commit c = store.commit()) {
                c.put(store.work, Keys.garbage(item.id()), WorkItemCodec.encode(item))
                        .put(store.workDue, WorkItemCodec.dueRow(item), new byte[0])
                        .put(store.workOrder, WorkItemCodec.orderRow(item), new byte[0]).write();
            }
            return item;
        });
    }

    /** Items of {@code kind} due at {@code now} or earlier, in due order, at most {@code max}. */
    List<WorkItem> dueBefore(String kind, Instant now, int max) {
        WorkItem.checkKind(kind);
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> {
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
            store.scan(store.workDue, from, to, (row, ignored) -> {
                if (out.size() >= max) return false;
                byte[] value = store.db.get(store.work, Keys.garbage(WorkItemCodec.idOfDueRow(row)));
                if (value == null) return true; // removed since the scan began
                WorkItem item = WorkItemCodec.decode(WorkItemCodec.idOfDueRow(row), value);
                if (!item.notBefore().isAfter(now)) out.add(item);
                return true;
            });
            return out;
        });
    }

    /** Every item of {@code kind} in due order, one at a time, until {@code visitor} returns false. */
    void visit(String kind, java.util.function.Predicate<WorkItem> visitor) {
        WorkItem.checkKind(kind);
        Objects.requireNonNull(visitor, "visitor");
        store.call(() -> {
            byte[] from = WorkItemCodec.dueRow(kind, 0, 0);
            byte[] to = Arrays.copyOf(from, from.length - 16);   // "kind 0x00" ...
            to[to.length - 1] = 1;                               // ... ends before "kind 0x01"
            store.scan(store.workDue, from, to, (row, ignored) -> {
                byte[] value = store.db.get(store.work, Keys.garbage(WorkItemCodec.idOfDueRow(row)));
                if (value == null) return true; // removed since the scan began
                return visitor.test(WorkItemCodec.decode(WorkItemCodec.idOfDueRow(row), value));
            });
            return null;
        });
    }

    /** Items of {@code kind}, due or not, counted up to {@code max}; reads only the due index's keys. */
    long count(String kind, long max) {
        WorkItem.checkKind(kind);
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> {
            long[] n = {0};
            byte[] from = WorkItemCodec.dueRow(kind, 0, 0);
            byte[] to = Arrays.copyOf(from, from.length - 16);   // "kind 0x00" ...
            to[to.length - 1] = 1;                               // ... ends before "kind 0x01"
            store.scan(store.workDue, from, to, (row, ignored) -> {
                if (n[0] >= max) return false;
                n[0]++;
                return true;
            });
            return n[0];
        });
    }

    /**
     * Items of {@code kind} whose id is above {@code afterId}, in id order (due or not), at most {@code max}:
     * a queue in the order its items were added, whatever their due times.
     */
    List<WorkItem> after(String kind, long afterId, int max) {
        WorkItem.checkKind(kind);
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> {
            List<WorkItem> out = new ArrayList<>();
            if (max == 0 || afterId == Long.MAX_VALUE) return out;
            byte[] from = WorkItemCodec.orderRow(kind, Math.max(0, afterId + 1));
            byte[] to = WorkItemCodec.orderRow(kind, 0);
            to[to.length - 9] = 1;   // "kind 0x01": the end of this kind's rows
            store.scan(store.workOrder, from, to, (row, ignored) -> {
                long id = WorkItemCodec.idOfOrderRow(row);
                byte[] value = store.db.get(store.work, Keys.garbage(id));
                if (value == null) return true; // removed since the scan began
                out.add(WorkItemCodec.decode(id, value));
                return out.size() < max;
            });
            return out;
        });
    }

    Optional<WorkItem> retry(WorkItem item, Instant notBefore, String error) {
        return retry(item, notBefore, error, item.payload());
    }

    /** A failed attempt whose item also gets a new payload, in one write. */
    Optional<WorkItem> retry(WorkItem item, Instant notBefore, String error, byte[] payload) {
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(payload, "payload");
        return store.call(() -> {
            workLock.lock();
            try (Commit c = store.commit()) {
                byte[] value = store.db.get(store.work, Keys.garbage(item.id()));
                if (value == null || !WorkItemCodec.decode(item.id(), value).equals(item)) return Optional.empty();
                WorkItem next = item.failed(notBefore, error, payload);
                c.delete(store.workDue, WorkItemCodec.dueRow(item))
                        .put(store.work, Keys.garbage(next.id()), WorkItemCodec.encode(next))
                        .put(store.workDue, WorkItemCodec.dueRow(next), new byte[0]).write();
                return Optional.of(next);
            } finally {
                workLock.unlock();
            }
        });
    }

    boolean remove(long id) {
        return store.call(() -> {
            workLock.lock();
            try (Commit c = store.commit()) {
                if (!finish(c, id)) return false;
                c.write();
                return true;
            } finally {
                workLock.unlock();
            }
        });
    }

    /**
     * Adds the removal of work item {@code id} (if it still exists) to {@code c} and writes it,
     * under the work lock: a relocation and the item it completes go in one synced write.
     */
    void writeFinishing(Commit c, long id) throws RocksDBException {
        workLock.lock();
        try {
            finish(c, id);
            c.write();
        } finally {
            workLock.unlock();
        }
    }

    /** Adds the removal of work item {@code id} to {@code c}; the caller holds workLock. @return whether it existed */
    private boolean finish(Commit c, long id) throws RocksDBException {
        byte[] value = store.db.get(store.work, Keys.garbage(id));
        if (value == null) return false;
        WorkItem item = WorkItemCodec.decode(id, value);
        c.delete(store.work, Keys.garbage(id)).delete(store.workDue, WorkItemCodec.dueRow(item))
                .delete(store.workOrder, WorkItemCodec.orderRow(item));
        return true;
    }
}
