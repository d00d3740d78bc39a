package io.strata.gateway.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The point a target keeps per bucket and origin site: only forward, durable, read again at start. */
class ReceivedProgressTest {
    private static final Instant T1 = Instant.parse("2026-12-07T03:00:00.000001Z");
    private static final Instant T2 = Instant.parse("2026-12-07T03:00:01.5Z");
    private static final Instant NOW = Instant.parse("2026-12-07T03:00:02Z");

    @TempDir
    Path dataDir;

    @Test
    void aPointOnlyMovesForwardPerBucketAndOrigin() {
        ReceivedProgress p = new ReceivedProgress(dataDir);
        assertTrue(p.record("models", "site-a", T2, NOW));
        assertFalse(p.record("models", "site-a", T1, NOW), "a late report of an earlier point");
        assertFalse(p.record("models", "site-a", T2, NOW), "the same point again");
        assertTrue(p.record("models", "site-c", T1, NOW));
        assertTrue(p.record("logs", "site-a", T1, NOW));
        assertEquals(Optional.of(new ReceivedProgress.Point("models", "site-a", T2, NOW)), p.point("models", "site-a"));
        assertEquals(List.of("logs site-a", "models site-a", "models site-c"),
                p.points().stream().map(x -> x.bucket() + " " + x.origin()).toList());
    }

    @Test
    void pointsSurviveARestartAndAnUnreadableLineIsDropped() throws Exception {
        ReceivedProgress p = new ReceivedProgress(dataDir);
        p.record("models", "site-a", T1, NOW);
        p.record("logs", "site-b", T2, NOW);
        assertEquals(p.points(), new ReceivedProgress(dataDir).points());

        Path file = dataDir.resolve(ReceivedProgress.FILE);
        Files.writeString(file, Files.readString(file, StandardCharsets.UTF_8) + "bad\\ line=yesterday\n", StandardCharsets.UTF_8);
        assertEquals(p.points(), new ReceivedProgress(dataDir).points());
    }

    @Test
    void nothingReceivedIsNoPoint() {
        assertEquals(List.of(), new ReceivedProgress(dataDir).points());
        assertEquals(Optional.empty(), new ReceivedProgress(dataDir).point("models", "site-a"));
    }
}
