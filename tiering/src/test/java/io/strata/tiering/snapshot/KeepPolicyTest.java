package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** restic's keep rules as a table: snapshot times (ids are the times) and policy, the set kept. */
class KeepPolicyTest {
    private static final KeepPolicy.Within NONE = KeepPolicy.Within.NONE;

    private static List<KeepPolicy.Snapshot> at(String... times) {
        return Arrays.stream(times).map(t -> new KeepPolicy.Snapshot(t, Instant.parse(t))).toList();
    }

    static Stream<Arguments> cases() {
        List<KeepPolicy.Snapshot> twoADay = at("2026-12-01T10:00:00Z", "2026-12-01T20:00:00Z", "2026-12-02T10:00:00Z",
                "2026-12-02T20:00:00Z", "2026-12-03T10:00:00Z", "2026-12-03T20:00:00Z", "2026-12-04T10:00:00Z",
                "2026-12-04T20:00:00Z");
        return Stream.of(
                Arguments.of("keep-last 3 keeps the newest three", new KeepPolicy(3, 0, 0, 0, 0, NONE), twoADay,
                        Set.of("2026-12-04T20:00:00Z", "2026-12-04T10:00:00Z", "2026-12-03T20:00:00Z")),
                Arguments.of("keep-daily 3 keeps the newest of each of the three newest days", new KeepPolicy(0, 0, 3, 0, 0, NONE),
                        twoADay, Set.of("2026-12-04T20:00:00Z", "2026-12-03T20:00:00Z", "2026-12-02T20:00:00Z")),
                Arguments.of("keep-daily 5 over four days also keeps the oldest", new KeepPolicy(0, 0, 5, 0, 0, NONE), twoADay,
                        Set.of("2026-12-04T20:00:00Z", "2026-12-03T20:00:00Z", "2026-12-02T20:00:00Z", "2026-12-01T20:00:00Z",
                                "2026-12-01T10:00:00Z")),
                Arguments.of("keep-weekly 2 counts ISO weeks (Monday to Sunday)", new KeepPolicy(0, 0, 0, 2, 0, NONE),
                        at("2026-11-23T08:00:00Z", "2026-11-28T08:00:00Z", "2026-11-29T08:00:00Z", "2026-11-30T08:00:00Z"),
                        Set.of("2026-11-30T08:00:00Z", "2026-11-29T08:00:00Z")),
                Arguments.of("keep-monthly 2", new KeepPolicy(0, 0, 0, 0, 2, NONE),
                        at("2026-10-15T00:00:00Z", "2026-11-30T23:59:59Z", "2026-12-01T00:00:00Z", "2026-12-05T00:00:00Z"),
                        Set.of("2026-12-05T00:00:00Z", "2026-11-30T23:59:59Z")),
                Arguments.of("keep-within 2d is relative to the newest snapshot, not to now", new KeepPolicy(0, 0, 0, 0, 0,
                        KeepPolicy.Within.parse("2d")),
                        at("2020-01-04T11:00:00Z", "2020-01-04T12:00:00Z", "2020-01-05T00:00:00Z", "2020-01-06T12:00:00Z"),
                        Set.of("2020-01-06T12:00:00Z", "2020-01-05T00:00:00Z")),
                Arguments.of("rules add up: keep-last 1 and keep-hourly 2", new KeepPolicy(1, 2, 0, 0, 0, NONE),
                        at("2026-12-06T10:05:00Z", "2026-12-06T10:40:00Z", "2026-12-06T11:10:00Z", "2026-12-06T11:50:00Z",
                                "2026-12-06T12:30:00Z"),
                        Set.of("2026-12-06T12:30:00Z", "2026-12-06T11:50:00Z")),
                Arguments.of("an empty policy keeps everything", new KeepPolicy(0, 0, 0, 0, 0, NONE),
                        at("2026-12-06T10:05:00Z", "2026-12-06T10:40:00Z"), Set.of("2026-12-06T10:05:00Z", "2026-12-06T10:40:00Z")),
                Arguments.of("no snapshots, nothing kept", new KeepPolicy(5, 0, 0, 0, 0, NONE), at(), Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void keepsWhatResticKeeps(String name, KeepPolicy policy, List<KeepPolicy.Snapshot> snapshots, Set<String> kept) {
        assertEquals(new TreeSet<>(kept), new TreeSet<>(policy.keep(snapshots)));
    }

    @Test
    void withinParsesResticDurationsAndRefusesOthers() {
        assertEquals(new KeepPolicy.Within(1, 5, 7, 2), KeepPolicy.Within.parse("1y5m7d2h"));
        assertEquals(new KeepPolicy.Within(0, 0, 30, 0), KeepPolicy.Within.parse("30d"));
        assertEquals("1y5m7d2h", KeepPolicy.Within.parse("1y5m7d2h").toString());
        for (String bad : List.of("", "30", "1w", "-1d", "2d1y", "99999999999d")) {
            assertThrows(IllegalArgumentException.class, () -> KeepPolicy.Within.parse(bad), bad);
        }
    }
}
