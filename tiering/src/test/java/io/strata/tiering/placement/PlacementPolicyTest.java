package io.strata.tiering.placement;

import io.strata.tiering.MovableClock;


import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementPolicyTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final VersionRef A = new VersionRef("b", "a", "null");
    static final VersionRef B = new VersionRef("b", "b", "null");

    @Test
    void secondColdReadWithinTheWindowPromotes() {
        var clock = new MovableClock(T0);
        var t = new AccessTracker(clock, 2, Duration.ofHours(1), 100);
        assertFalse(t.read(A, true));
        clock.advance(Duration.ofMinutes(59));
        assertTrue(t.read(A, true));
        // The count starts over: the third read alone does not queue it again.
        assertFalse(t.read(A, true));
    }

    @Test
    void readsFurtherApartThanTheWindowDoNotPromote() {
        var clock = new MovableClock(T0);
        var t = new AccessTracker(clock, 2, Duration.ofHours(1), 100);
        assertFalse(t.read(A, true));
        clock.advance(Duration.ofMinutes(61));
        assertFalse(t.read(A, true));
        assertEquals(1, t.coldReads(A));
        clock.advance(Duration.ofMinutes(1));
        assertTrue(t.read(A, true));
    }

    @Test
    void hotReadsAndADisabledPolicyNeverPromoteButRecordAccess() {
        var clock = new MovableClock(T0);
        var off = new AccessTracker(clock, 0, Duration.ofHours(1), 100);
        for (int i = 0; i < 5; i++) assertFalse(off.read(A, true));
        var on = new AccessTracker(clock, 1, Duration.ofHours(1), 100);
        assertFalse(on.read(B, false));
        assertEquals(Optional.of(T0), on.lastAccess(B));
        assertTrue(on.read(A, true));
    }

    @Test
    void memoryIsBoundedLeastRecentlyReadForgottenFirst() {
        var clock = new MovableClock(T0);
        var t = new AccessTracker(clock, 2, Duration.ofHours(1), 3);
        for (int i = 0; i < 10; i++) t.read(new VersionRef("b", "k" + i, "null"), true);
        assertEquals(3, t.size());
        assertTrue(t.lastAccess(new VersionRef("b", "k9", "null")).isPresent());
        assertTrue(t.lastAccess(new VersionRef("b", "k0", "null")).isEmpty());
    }

    @Test
    void evictionKeepsOnlyTheOldestCandidates() {
        var c = new EvictionCandidates<String>(3);
        int[] minutes = {50, 10, 40, 30, 20, 60, 5};
        for (int m : minutes) c.offer("v" + m, T0.plus(Duration.ofMinutes(m)), 100);
        assertEquals(3, c.size());
        assertEquals(List.of("v5", "v10", "v20"), c.oldestFirst().stream().map(EvictionCandidates.Candidate::item).toList());
    }

    @Test
    void watermarks() {
        var p = new PlacementPolicy(2, Duration.ofHours(1), 0.9, 0.75, Duration.ofHours(1), OptionalLong.of(1000),
                Optional.empty(), 10);
        assertFalse(p.overHighWatermark(900, 1000));
        assertTrue(p.overHighWatermark(901, 1000));
        assertEquals(151, p.bytesToFree(901, 1000));
        assertEquals(0, p.bytesToFree(700, 1000));
    }

    @Test
    void badSettingsNameTheirKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> new PlacementPolicy(2, Duration.ofHours(1), 0.5,
                0.75, Duration.ofHours(1), OptionalLong.empty(), Optional.empty(), 10));
        assertTrue(e.getMessage().startsWith("placement.low-watermark"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PlacementPolicy(-1, Duration.ofHours(1), 0.9,
                0.75, Duration.ofHours(1), OptionalLong.empty(), Optional.empty(), 10));
    }

    @Test
    void pinsCoverTheirPrefixInTheirBucketOnly() {
        Pins p = Pins.none().with(new Pins.Pin("b", "train/")).with(new Pins.Pin("c", ""));
        assertTrue(p.covers("b", "train/x"));
        assertFalse(p.covers("b", "test/x"));
        assertFalse(p.covers("d", "train/x"));
        assertTrue(p.covers("c", "anything"));
        assertFalse(p.without(new Pins.Pin("c", "")).covers("c", "anything"));
        assertEquals(Set.of(new Pins.Pin("b", "train/"), new Pins.Pin("c", "")), p.pins());
    }
}
