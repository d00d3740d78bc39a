package io.strata.erasure;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the {@link Healer} is doing and has done, as a snapshot for the admin API and metrics.
 * An immutable value.
 *
 * @param running whether a pass is running now
 * @param scrub whether the running (or, when idle, the last) pass verifies every block
 * @param passStarted when the running pass started (empty when idle)
 * @param progress the running pass's progress, 0..1 (blob ids are random, so the position of the
 *     walk in the id space is the fraction done)
 * @param pass the running pass's counts ({@link HealCounters#ZERO} when idle)
 * @param lastPassFinished when the last complete pass ended (empty before the first)
 * @param lastPass the last complete pass's counts
 * @param total everything since start: passes and read-triggered heals
 * @param passes passes completed since start
 * @param queued blobs waiting in the read-triggered queue
 * @param queueDropped blobs not queued because the queue was full (the next pass finds them)
 * @param rateBytesPerSecond the heal rate limit (0 = unlimited)
 * @param drives the state of every drive
 */
public record HealStatus(boolean running, boolean scrub, Optional<Instant> passStarted, double progress,
                         HealCounters pass, Optional<Instant> lastPassFinished, HealCounters lastPass,
                         HealCounters total, long passes, int queued, long queueDropped, long rateBytesPerSecond,
                         List<DriveStatus> drives) {
    public HealStatus {
        Objects.requireNonNull(passStarted, "passStarted");
        Objects.requireNonNull(lastPassFinished, "lastPassFinished");
        drives = List.copyOf(drives);
    }
}
