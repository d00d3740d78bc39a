package io.strata.gateway.http;

import io.strata.gateway.config.ConnectionLimits;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Constructing the guard starts nothing: the wiring builds every component first and starts them
 * together, so a start-up that fails half-way leaves no thread behind a constructor's back.
 */
class ConnectionGuardLifecycleTest {
    private static final String SWEEPER = "strata-connection-guard";

    /** Live sweeper threads (other tests' guards may still be ending theirs: callers compare against a snapshot). */
    private static Set<Thread> sweepers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(SWEEPER) && t.isAlive())
                .collect(Collectors.toSet());
    }

    private static Set<Thread> startedSince(Set<Thread> before) {
        Set<Thread> now = new HashSet<>(sweepers());
        now.removeAll(before);
        return now;
    }

    @Test
    void theSweeperRunsFromStartUntilCloseAndNotFromTheConstructor() throws InterruptedException {
        Set<Thread> before = sweepers();
        ConnectionGuard guard = new ConnectionGuard(ConnectionLimits.DEFAULTS, (req, res, error, message, extra, id) -> { });
        try {
            assertEquals(Set.of(), startedSince(before), "the constructor started a thread");
            guard.start();
            Set<Thread> started = startedSince(before);
            assertEquals(1, started.size(), "start() runs one sweeper");
            guard.close();
            Thread sweeper = started.iterator().next();
            sweeper.join(10_000);
            assertFalse(sweeper.isAlive(), "close() stops the sweeper");
        } finally {
            guard.close();
        }
    }

    @Test
    void closingAGuardThatNeverStartedIsFine() {
        new ConnectionGuard(ConnectionLimits.DEFAULTS, (req, res, error, message, extra, id) -> { }).close();
    }
}
