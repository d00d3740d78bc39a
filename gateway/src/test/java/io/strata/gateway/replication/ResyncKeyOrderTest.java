package io.strata.gateway.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A resync merges the target's listing by S3's key order: UTF-8 bytes, not Java's UTF-16 order. */
class ResyncKeyOrderTest {
    @Test
    void keysAboveTheBasicPlaneSortAfterTheRestAsS3ListsThem() {
        String replacement = "\uFFFD";        // U+FFFD: EF BF BD in UTF-8
        String emoji = "\uD83D\uDE00";        // U+1F600: F0 9F 98 80 in UTF-8, but a surrogate (D83D) in UTF-16
        assertTrue(emoji.compareTo(replacement) < 0, "Java's order, which a listing must not use");
        assertTrue(ReplicationResync.utf8Order(replacement, emoji) < 0);
        assertTrue(ReplicationResync.utf8Order("a", "b") < 0);
        assertTrue(ReplicationResync.utf8Order("ab", "a") > 0);
        assertEquals(0, ReplicationResync.utf8Order("é", "é"));
    }
}
