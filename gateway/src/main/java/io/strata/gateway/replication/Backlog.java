package io.strata.gateway.replication;

import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replication backlog counted without reading it: per target, queue (waiting or FAILED) and source
 * bucket, the exact number of operations and their bytes, and the oldest of them. Reading the queues for
 * every status or scrape would cost heap and CPU in proportion to the backlog (a target down for a day
 * holds millions); instead the counts change as the worker adds and removes items, and are recounted once
 * per target and queue, at the first use after start, by a streaming scan ({@link Namespace#visitWork}),
 * so they are exact across restarts without a second durable record that could disagree with the queue.
 *
 * <p>The oldest operations are kept for {@code replicate wait} and the lag: at most {@value #TRACKED} per
 * bucket, the ones of lowest change log sequence. When they have all been delivered and more remain, the
 * next {@value #TRACKED} are found by one more streaming scan; so memory stays bounded whatever the
 * backlog, and a drain of n items scans the queue n / {@value #TRACKED} times.
 *
 * <p>Every queue change of the replication queues must go through {@link #added} and {@link #removed}
 * (after the namespace call succeeded); only the worker's thread and its operator calls make them.
 * Thread-safe: one lock, held for the recount scans too (they happen once per target at start and then
 * once per {@value #TRACKED} deliveries).
 */
final class Backlog {
    /** Operations of lowest sequence kept per target, queue and bucket. */
    static final int TRACKED = 4096;

    /** Which of a target's two queues. */
    enum Queue { WAITING, FAILED }

    /** Where an operation stands in the order {@code replicate wait} cares about: change log order, then queue order. */
    private record Mark(long sequence, long id) implements Comparable<Mark> {
        private static final Comparator<Mark> ORDER = Comparator.comparingLong(Mark::sequence).thenComparingLong(Mark::id);

        @Override
        public int compareTo(Mark o) {
            return ORDER.compare(this, o);
        }
    }

    private record Key(String target, Queue queue, BucketName bucket) {
    }

    /** One bucket's operations on one queue of one target. */
    private final class Counts {
        long count;
        long bytes;
        /** The {@value #TRACKED} operations of lowest mark (all of them while {@code complete}), with their commit times. */
        final TreeMap<Mark, Instant> oldest = new TreeMap<>();
        boolean complete = true;

        void track(Mark m, Instant committed) {
            if (!complete && m.compareTo(oldest.lastKey()) > 0) return;   // a later one than every tracked: found by the next refill
            oldest.put(m, committed);
            if (oldest.size() > tracked) {
                oldest.pollLastEntry();
                complete = false;
            }
        }
    }

    /**
     * One bucket's share of a queue.
     *
     * @param oldestCommitted when the source committed the oldest operation (lowest sequence), if any
     * @param oldestSequence  its change log sequence (0: queued by a gateway that did not record it), -1 if none
     */
    record Share(BucketName bucket, long count, long bytes, Optional<Instant> oldestCommitted, long oldestSequence) {
    }

    private final Namespace namespace;
    private final int tracked;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Key, Counts> counts = new HashMap<>();
    private final Set<String> counted = new HashSet<>();

    Backlog(Namespace namespace) {
        this(namespace, TRACKED);
    }

    /** @param tracked operations of lowest sequence kept per target, queue and bucket (tests use a few) */
    Backlog(Namespace namespace, int tracked) {
        if (tracked < 1) throw new IllegalArgumentException("tracked < 1: " + tracked);
        this.namespace = namespace;
        this.tracked = tracked;
    }

    static String kind(String target, Queue queue) {
        return (queue == Queue.WAITING ? ReplicationWorker.QUEUE_PREFIX : ReplicationWorker.FAILED_PREFIX) + target;
    }

    /**
     * Counts a target's queues now if they were not yet: call before the first change to its queues on any
     * thread, so no change can fall between the count and its own {@link #added} or {@link #removed}.
     */
    void open(String target) {
        lock.lock();
        try {
            ensureCounted(target);
        } finally {
            lock.unlock();
        }
    }

    /** An item was added to a queue. */
    void added(String target, Queue queue, long id, ReplicationWork w) {
        lock.lock();
        try {
            if (ensureCounted(target)) return;   // the count just taken saw it
            Counts c = counts.computeIfAbsent(new Key(target, queue, w.bucket()), k -> new Counts());
            c.count++;
            c.bytes += w.size();
            c.track(new Mark(w.sequence(), id), w.committed());
        } finally {
            lock.unlock();
        }
    }

    /** An item was removed from a queue (call only when the namespace says it existed). */
    void removed(String target, Queue queue, long id, ReplicationWork w) {
        lock.lock();
        try {
            if (ensureCounted(target)) return;
            Counts c = counts.get(new Key(target, queue, w.bucket()));
            if (c == null) return;
            c.count = Math.max(0, c.count - 1);
            c.bytes = Math.max(0, c.bytes - w.size());
            c.oldest.remove(new Mark(w.sequence(), id));
            if (c.count == 0) {
                c.bytes = 0;
                c.oldest.clear();
                c.complete = true;
            } else if (c.oldest.isEmpty()) {
                refill(new Key(target, queue, w.bucket()), c);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Each bucket's share of a target's queue, by bucket name (buckets seen since start, also when now empty). */
    List<Share> shares(String target, Queue queue) {
        lock.lock();
        try {
            ensureCounted(target);
            List<Share> out = new ArrayList<>();
            for (Map.Entry<Key, Counts> e : counts.entrySet()) {
                Key k = e.getKey();
                if (!k.target().equals(target) || k.queue() != queue) continue;
                Counts c = e.getValue();
                Map.Entry<Mark, Instant> first = c.oldest.firstEntry();
                out.add(new Share(k.bucket(), c.count, c.bytes, first == null ? Optional.empty() : Optional.of(first.getValue()),
                        first == null ? -1 : first.getKey().sequence()));
            }
            out.sort(Comparator.comparing(s -> s.bucket().value()));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts a target's queues from the store, the first time the target is seen; the caller holds the lock.
     *
     * @return whether it counted now
     */
    private boolean ensureCounted(String target) {
        if (!counted.add(target)) return false;
        for (Queue q : Queue.values()) {
            namespace.visitWork(kind(target, q), item -> {
                ReplicationWork w;
                try {
                    w = ReplicationWork.decode(item.payload());
                } catch (IllegalArgumentException e) {
                    return true;   // the worker drops it when it comes to it
                }
                Counts c = counts.computeIfAbsent(new Key(target, q, w.bucket()), k -> new Counts());
                c.count++;
                c.bytes += w.size();
                c.track(new Mark(w.sequence(), item.id()), w.committed());
                return true;
            });
        }
        return true;
    }

    /** Finds the next {@value #TRACKED} oldest operations of a bucket once the tracked ones are all gone. */
    private void refill(Key key, Counts c) {
        c.complete = true;
        namespace.visitWork(kind(key.target(), key.queue()), item -> {
            try {
                ReplicationWork w = ReplicationWork.decode(item.payload());
                if (w.bucket().equals(key.bucket())) c.track(new Mark(w.sequence(), item.id()), w.committed());
            } catch (IllegalArgumentException e) {
                // not counted: see ensureCounted
            }
            return true;
        });
    }
}
