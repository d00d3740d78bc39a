package io.strata.namespace;

import io.strata.namespace.Store.Commit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.rocksdb.RocksDBException;

/**
 * The {@code bulk-jobs} column family: id (8 bytes big-endian, from the work id lease) →
 * {@link BulkJobCodec}. Every change of a job is a compare-and-set on its whole record under one
 * lock, so a cancel and a runner's progress record cannot both win. Thread-safe.
 */
final class BulkJobTable {
    private final Store store;
    private final WorkTable work;
    /** Serialises the read-check-write of one bulk job. */
    private final ReentrantLock bulkLock = new ReentrantLock();

    BulkJobTable(Store store, WorkTable work) {
        this.store = store;
        this.work = work;
    }

    BulkJob create(String action, BucketName bucket, String prefix, byte[] parameters, long total) {
        BulkJob.checkAction(action);
        byte[] copy = parameters.clone();
        return store.call(() -> {
            store.requireBucket(bucket);
            Instant now = store.clock.instant();
            BulkJob job = new BulkJob(work.reserveId(), action, bucket, prefix, copy, BulkJob.State.RUNNING,
                    BulkJob.Position.START, BulkJob.Counters.ZERO, total, now, now, "");
            try (Commit c = store.commit()) {
                c.put(store.bulkJobs, Keys.garbage(job.id()), BulkJobCodec.encode(job)).write();
            }
            return job;
        });
    }

    Optional<BulkJob> job(long id) {
        return store.call(() -> read(id));
    }

    private Optional<BulkJob> read(long id) throws RocksDBException {
        byte[] value = store.db.get(store.bulkJobs, Keys.garbage(id));
        return value == null ? Optional.empty() : Optional.of(BulkJobCodec.decode(id, value));
    }

    List<BulkJob> jobs() {
        return store.call(() -> {
            List<BulkJob> out = new ArrayList<>();
            store.scan(store.bulkJobs, new byte[0], null, (k, v) -> out.add(BulkJobCodec.decode(Keys.garbageId(k), v)));
            return out;
        });
    }

    Optional<BulkJob> recordProgress(BulkJob expected, BulkJob.Position next, BulkJob.Counters added, boolean finished) {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(added, "added");
        return update(expected.id(), stored -> stored.equals(expected) && stored.state() == BulkJob.State.RUNNING
                ? stored.with(finished ? BulkJob.State.DONE : BulkJob.State.RUNNING, next, stored.counters().plus(added),
                store.clock.instant(), stored.lastError())
                : null);
    }

    Optional<BulkJob> cancel(long id) {
        AtomicReference<BulkJob> current = new AtomicReference<>();
        Optional<BulkJob> updated = update(id, stored -> {
            current.set(stored);
            return stored.state() == BulkJob.State.RUNNING
                    ? stored.with(BulkJob.State.CANCELLED, stored.position(), stored.counters(), store.clock.instant(), "")
                    : null;
        });
        return updated.isPresent() ? updated : Optional.ofNullable(current.get());
    }

    Optional<BulkJob> fail(BulkJob expected, String error) {
        return update(expected.id(), stored -> stored.equals(expected) && stored.state() == BulkJob.State.RUNNING
                ? stored.with(BulkJob.State.FAILED, stored.position(), stored.counters(), store.clock.instant(), error)
                : null);
    }

    /** Replaces a bulk job by {@code change}'s result (null: leave it) under bulkLock. @return the job written */
    private Optional<BulkJob> update(long id, UnaryOperator<BulkJob> change) {
        return store.call(() -> {
            bulkLock.lock();
            try (Commit c = store.commit()) {
                Optional<BulkJob> stored = read(id);
                if (stored.isEmpty()) return Optional.<BulkJob>empty();
                BulkJob next = change.apply(stored.get());
                if (next == null) return Optional.<BulkJob>empty();
                c.put(store.bulkJobs, Keys.garbage(id), BulkJobCodec.encode(next)).write();
                return Optional.of(next);
            } finally {
                bulkLock.unlock();
            }
        });
    }

    boolean remove(long id) {
        return store.call(() -> {
            bulkLock.lock();
            try (Commit c = store.commit()) {
                if (read(id).isEmpty()) return false;
                c.delete(store.bulkJobs, Keys.garbage(id)).write();
                return true;
            } finally {
                bulkLock.unlock();
            }
        });
    }
}
