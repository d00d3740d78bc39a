package io.strata.gateway.replication;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Per-key order within one delivery pass over a target's queue, taken in log (id) order from its first
 * item: once a key's operation is not due yet, in flight or has just been started, every later operation of
 * that key waits for a later pass,
 * so a target never receives a key's changes out of order; other keys go on. Not thread-safe: one per pass.
 */
final class KeyOrder {
    private final Instant now;
    private final Set<String> held = new HashSet<>();

    KeyOrder(Instant now) {
        this.now = now;
    }

    /** Whether the next operation of {@code key}, due at {@code notBefore}, may be attempted now. */
    boolean mayAttempt(String key, Instant notBefore) {
        if (held.contains(key)) return false;
        if (notBefore.isAfter(now)) {
            held.add(key);
            return false;
        }
        return true;
    }

    /** An operation of {@code key} is under way or failed and will be retried: its later operations wait. */
    void hold(String key) {
        held.add(key);
    }

    /** Keys held back so far in this pass. */
    int held() {
        return held.size();
    }
}
