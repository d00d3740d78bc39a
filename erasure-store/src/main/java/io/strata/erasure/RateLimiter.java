package io.strata.erasure;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking byte-rate limit for background work (heal, scrub here; segment compaction in the
 * gateway), so foreground requests keep the drives: callers ask for bytes and sleep until the rate
 * allows them. A rate of 0 means unlimited. Thread-safe; callers share one budget. Bursts up to one
 * second's worth.
 */
public final class RateLimiter {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long bytesPerSecond;
    private long nextFreeNanos = System.nanoTime();

    /** @throws IllegalArgumentException when the rate is negative */
    public RateLimiter(long bytesPerSecond) {
        rate(bytesPerSecond);
    }

    /** Changes the rate for the next acquisitions; 0 means unlimited. */
    public void rate(long value) {
        if (value < 0) throw new IllegalArgumentException("rate < 0: " + value);
        this.bytesPerSecond = value;
    }

    /** The bytes per second allowed, 0 for unlimited. */
    public long rate() {
        return bytesPerSecond;
    }

    /**
     * Takes {@code bytes} from the budget, sleeping as long as the rate requires.
     *
     * @throws InterruptedException when interrupted while waiting (the bytes stay taken)
     */
    public void acquire(long bytes) throws InterruptedException {
        long rate = bytesPerSecond;
        if (rate <= 0 || bytes <= 0) return;
        long wait;
        lock.lock();
        try {
            long now = System.nanoTime();
            // Unused budget of at most one second carries over.
            long start = Math.max(nextFreeNanos, now - TimeUnit.SECONDS.toNanos(1));
            nextFreeNanos = start + (long) (bytes * 1e9 / rate);
            wait = nextFreeNanos - now;
        } finally {
            lock.unlock();
        }
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }
}
