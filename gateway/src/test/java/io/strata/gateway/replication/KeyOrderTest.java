package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Per-key order in a delivery pass ({@link KeyOrder}). */
class KeyOrderTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aKeysLaterOperationsWaitBehindOneNotDueYetWhileOtherKeysGoOn() {
        KeyOrder order = new KeyOrder(NOW);
        assertFalse(order.mayAttempt("b/k", NOW.plusSeconds(5)));   // backing off
        assertFalse(order.mayAttempt("b/k", NOW.minusSeconds(5)));  // due, but behind it
        assertTrue(order.mayAttempt("b/other", NOW));
        assertTrue(order.mayAttempt("b/other", NOW.minusSeconds(1)));
    }

    @Test
    void aKeysLaterOperationsWaitBehindOneThatJustFailed() {
        KeyOrder order = new KeyOrder(NOW);
        assertTrue(order.mayAttempt("b/k", NOW));
        order.hold("b/k");
        assertFalse(order.mayAttempt("b/k", NOW));
        assertTrue(order.mayAttempt("b/j", NOW));
    }
}
