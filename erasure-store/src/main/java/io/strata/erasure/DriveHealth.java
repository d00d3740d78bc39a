package io.strata.erasure;

import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state of one drive as the store treats it, and when a drive out of service is probed again.
 * Thread-safe: the fields are read without locking by every request; transitions and probes take
 * the lock (a probe is I/O, hence a {@link ReentrantLock}, and only one thread probes at a time).
 */
final class DriveHealth {
    private final ReentrantLock lock = new ReentrantLock();
    private volatile DriveStatus.State state;
    private volatile String detail;
    private volatile Instant retryAt = Instant.MIN;

    DriveHealth(DriveStatus.State state, String detail) {
        this.state = state;
        this.detail = detail;
    }

    DriveStatus.State state() {
        return state;
    }

    String detail() {
        return detail;
    }

    /** ONLINE and REPLACED drives take reads and writes; the others are skipped. */
    boolean inService() {
        DriveStatus.State s = state;
        return s == DriveStatus.State.ONLINE || s == DriveStatus.State.REPLACED;
    }

    boolean dueForProbe(Instant now) {
        return !inService() && !now.isBefore(retryAt);
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Sets the state; returns whether it changed (the caller logs transitions, not repeats). */
    boolean set(DriveStatus.State newState, String newDetail, Instant newRetryAt) {
        lock.lock();
        try {
            boolean changed = state != newState;
            state = newState;
            detail = newDetail == null ? "" : newDetail;
            retryAt = newRetryAt;
            return changed;
        } finally {
            lock.unlock();
        }
    }
}
