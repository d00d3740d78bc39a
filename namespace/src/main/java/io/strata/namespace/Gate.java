package io.strata.namespace;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts calls in flight so that closing waits for them and refuses new ones. Thread-safe.
 * {@link #enter()} throws {@link NamespaceException.Reason#UNAVAILABLE} once closing has begun;
 * every successful {@code enter()} must be paired with one {@link #exit()}.
 */
final class Gate {
    private final AtomicLong inFlight = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private volatile boolean closing;

    /** Whether closing has begun. */
    boolean isClosing() {
        return closing;
    }

    void enter() {
        inFlight.incrementAndGet();
        if (closing) {
            exit();
            throw new NamespaceException(NamespaceException.Reason.UNAVAILABLE, "namespace is closed");
        }
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && closing) {
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Refuses new calls and waits until the calls in flight have returned.
     *
     * @return false if closing had already begun (the caller must not close resources twice)
     */
    boolean closeAndDrain() {
        lock.lock();
        try {
            if (closing) return false;
            closing = true;
            boolean interrupted = false;
            while (inFlight.get() > 0) {
                try {
                    drained.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    // Resources cannot be released while calls still use them: keep waiting, restore the flag after.
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
