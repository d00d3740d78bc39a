package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A target's sends in flight across passes ({@link Delivery}). */
class DeliveryTest {
    @Test
    void slotsAreBoundedByTheParallelismAndAKeyHasOneSendAtATime() {
        Delivery d = new Delivery(2, 100);
        assertTrue(d.begin(1, "b/a", 10));
        assertFalse(d.begin(2, "b/a", 10), "a second send of one key");
        assertTrue(d.busy(2, "b/a"));
        assertTrue(d.begin(3, "b/c", 10));
        assertFalse(d.begin(4, "b/d", 10), "a third send with parallelism 2");
        assertEquals(2, d.inFlight());
        d.finish(1, "b/a");
        assertTrue(d.begin(4, "b/d", 10));
    }

    @Test
    void objectsInFlightStayWithinTheByteBudgetAndALargerOneGoesAlone() {
        Delivery d = new Delivery(8, 100);
        assertTrue(d.begin(1, "b/a", 60));
        assertFalse(d.begin(2, "b/big", 500), "a large object waits for the others");
        assertTrue(d.begin(3, "b/c", 40));
        assertFalse(d.begin(4, "b/d", 1), "the budget is spent");
        d.finish(1, "b/a");
        d.finish(3, "b/c");
        assertTrue(d.begin(2, "b/big", 500), "alone, it goes");
        assertFalse(d.begin(5, "b/e", 1));
        d.finish(2, "b/big");
        assertTrue(d.begin(5, "b/e", 1));
    }

    @Test
    void anItemThatFinishedDuringAPassStaysBusyUntilTheNextPass() {
        Delivery d = new Delivery(4, 100);
        d.startPass();
        assertTrue(d.begin(7, "b/k", 10));
        d.finish(7, "b/k");
        // The pass may have read item 7 before it was removed: neither it nor its key may be sent again now.
        assertTrue(d.busy(7, "b/k"));
        assertFalse(d.busy(8, "b/k"), "the key's next item, read after the removal, may go");
        d.startPass();
        assertFalse(d.busy(7, "b/k"));
    }
}
