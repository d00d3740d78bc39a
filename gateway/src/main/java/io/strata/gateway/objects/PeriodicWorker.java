package io.strata.gateway.objects;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The background loop of a periodic job (orphan collection, segment compaction): one virtual thread
 * that runs a step every interval until {@link #close}, which wakes it from its wait at once. A
 * step that throws is handed to the job's failure handler (to count and log it) and the loop goes
 * on at the next interval, so one failing pass never stops the job for good.
 *
 * <p>The job checks {@link #closing()} inside a long step to stop early. Thread-safe.
 */
final class PeriodicWorker {
    private final String threadName;
    private final ReentrantLock sleepLock = new ReentrantLock();
    private final Condition wake = sleepLock.newCondition();
    private volatile boolean closing;
    private volatile Thread thread;

    PeriodicWorker(String threadName) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
    }

    /**
     * Starts the loop. Call once.
     *
     * @param atOnce  whether the first step runs at start (else one interval after it)
     * @param failed  gets what a step threw, unless the worker is closing by then
     * @throws IllegalArgumentException when the interval is not positive
     */
    void start(Duration interval, boolean atOnce, Runnable step, Consumer<RuntimeException> failed) {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (thread != null) throw new IllegalStateException("already started");
        thread = Thread.ofVirtual().name(threadName).start(() -> loop(interval, atOnce, step, failed));
    }

    private void loop(Duration interval, boolean atOnce, Runnable step, Consumer<RuntimeException> failed) {
        boolean wait = !atOnce;
        while (!closing) {
            if (wait) {
                sleepLock.lock();
                try {
                    if (!closing) wake.await(interval.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    sleepLock.unlock();
                }
                if (closing) return;
            }
            wait = true;
            try {
                step.run();
            } catch (RuntimeException e) {
                if (closing) return;
                failed.accept(e);
            }
        }
    }

    /** Whether {@link #close} was called (or {@link #stopSoon}): a step under way should stop at its next item. */
    boolean closing() {
        return closing;
    }

    /** Asks the job to stop without waiting for it (a step that was interrupted calls this). */
    void stopSoon() {
        closing = true;
    }

    /**
     * Stops the loop: wakes it from its wait and waits up to {@code join} for a step under way.
     * With {@code interrupt}, the thread is interrupted too, to cut a throttled wait short. Idempotent.
     */
    void close(Duration join, boolean interrupt) {
        closing = true;
        sleepLock.lock();
        try {
            wake.signalAll();
        } finally {
            sleepLock.unlock();
        }
        Thread t = thread;
        if (t == null) return;
        if (interrupt) t.interrupt();
        try {
            t.join(join.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
