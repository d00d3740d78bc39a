package io.strata.gateway.replication;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One target's sends in flight, kept across delivery passes: at most {@code parallelism} at once, never
 * two of one key, so a key's operations still reach the target in log order while other keys' go in
 * parallel, and at most {@code maxBytes} of objects at once unless a single one is larger (it then goes
 * alone): concurrent sends share the link and the CPU, and four 256 MiB PUTs at once each got a quarter,
 * too little to finish within the sender's per-attempt timeout, so they were retried forever. An item that finished since the current pass began counts as busy too: the pass may have read
 * it before it was removed or retried, and must neither send it again nor let the key's next one pass it.
 * Thread-safe.
 */
final class Delivery {
    private final int parallelism;
    private final long maxBytes;
    private long bytesInFlight;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final java.util.Map<Long, Long> inFlight = new java.util.HashMap<>();
    private final Set<String> keys = new HashSet<>();
    private final Set<Long> finished = new HashSet<>();

    Delivery(int parallelism, long maxBytes) {
        if (parallelism < 1) throw new IllegalArgumentException("parallelism < 1: " + parallelism);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes < 1: " + maxBytes);
        this.parallelism = parallelism;
        this.maxBytes = maxBytes;
    }

    /** A pass begins: what finished before it is gone from (or retried in) the queue it now reads. */
    void startPass() {
        lock.lock();
        try {
            finished.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Whether item {@code id} or another operation of {@code key} is in flight, or {@code id} just finished. */
    boolean busy(long id, String key) {
        lock.lock();
        try {
            return inFlight.containsKey(id) || finished.contains(id) || keys.contains(key);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a slot for item {@code id} of {@code key}, an object of {@code bytes}.
     *
     * @return false, taking nothing, if every slot is busy or the object does not fit beside those in flight
     */
    boolean begin(long id, String key, long bytes) {
        lock.lock();
        try {
            if (inFlight.size() >= parallelism || keys.contains(key)) return false;
            if (!inFlight.isEmpty() && bytesInFlight + bytes > maxBytes) return false;
            inFlight.put(id, bytes);
            bytesInFlight += bytes;
            keys.add(key);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Item {@code id} of {@code key} is done (sent, retried later, failed or left queued): its slot is free. */
    void finish(long id, String key) {
        lock.lock();
        try {
            Long bytes = inFlight.remove(id);
            if (bytes != null) {
                keys.remove(key);
                bytesInFlight -= bytes;
            }
            finished.add(id);
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Sends in flight now. */
    int inFlight() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is in flight or {@code System.nanoTime()} passes {@code deadlineNanos}. */
    boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!inFlight.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) return false;
                idle.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
