package io.strata.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.tiering.snapshot.KeepPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy file and the --every syntax: what a restart reads back is what was set. */
class SnapshotSchedulesTest {
    @Test
    void aPolicyFileRoundTrips() {
        SnapshotSchedules.Policy p = new SnapshotSchedules.Policy("offsite", List.of("a", "b"), Duration.ofHours(1),
                new KeepPolicy(2, 24, 7, 4, 12, KeepPolicy.Within.parse("1y2m3d4h")));
        assertEquals(p, SnapshotSchedules.decode(SnapshotSchedules.encode(p)));
        SnapshotSchedules.Policy all = new SnapshotSchedules.Policy("local", List.of(), Duration.ZERO,
                new KeepPolicy(0, 0, 0, 0, 0, KeepPolicy.Within.NONE));
        assertEquals(all, SnapshotSchedules.decode(SnapshotSchedules.encode(all)));
    }

    @Test
    void everyTakesSecondsMinutesHoursOrDaysAndNothingElse() {
        assertEquals(Duration.ofSeconds(90), SnapshotSchedules.parseEvery("90s"));
        assertEquals(Duration.ofMinutes(15), SnapshotSchedules.parseEvery("15m"));
        assertEquals(Duration.ofHours(1), SnapshotSchedules.parseEvery("1h"));
        assertEquals(Duration.ofDays(2), SnapshotSchedules.parseEvery("2d"));
        for (String bad : List.of("", "0s", "1", "1w", "-1h", "1h30m", "9999999h")) {
            assertThrows(IllegalArgumentException.class, () -> SnapshotSchedules.parseEvery(bad), bad);
        }
    }
}
