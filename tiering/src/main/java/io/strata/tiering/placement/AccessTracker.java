package io.strata.tiering.placement;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Remembers when versions were last read and counts reads of cold versions, to decide promotion on
 * access ({@code placement.promote-after-reads} reads within {@code placement.promote-window}) and
 * which hot versions were least recently used. Memory is bounded: at most {@code capacity} versions
 * are remembered, the least recently read forgotten first (a forgotten version falls back to its
 * modification time for eviction and starts a new count for promotion). Thread-safe; every call
 * is a short critical section with no I/O.
 */
public final class AccessTracker {
    private static final class Reads {
        Instant last;
        Instant windowStart;
        int coldReads;
    }

    private final Clock clock;
    private final int promoteAfterReads;
    private final Duration window;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<VersionRef, Reads> entries;

    public AccessTracker(Clock clock, int promoteAfterReads, Duration window, int capacity) {
        this.clock = clock;
        this.promoteAfterReads = promoteAfterReads;
        this.window = window;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<VersionRef, Reads> eldest) {
                return size() > capacity;
            }
        };
    }

    public AccessTracker(Clock clock, PlacementPolicy policy) {
        this(clock, policy.promoteAfterReads(), policy.promoteWindow(), policy.trackedVersions());
    }

    /**
     * Records a read of a version now.
     *
     * @param cold whether the version lives in a cold tier
     * @return true if this read is the one that makes the version due for promotion (the count
     *         then starts over, so one version is not queued twice for the same reads)
     */
    public boolean read(VersionRef v, boolean cold) {
        Instant now = clock.instant();
        lock.lock();
        try {
            Reads e = entries.computeIfAbsent(v, k -> new Reads());
            e.last = now;
            if (!cold || promoteAfterReads == 0) return false;
            if (e.windowStart == null || now.isAfter(e.windowStart.plus(window))) {
                e.windowStart = now;
                e.coldReads = 0;
            }
            if (++e.coldReads >= promoteAfterReads) {
                e.windowStart = null;
                e.coldReads = 0;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** When the version was last read, if it is still remembered. */
    public Optional<Instant> lastAccess(VersionRef v) {
        lock.lock();
        try {
            Reads e = entries.get(v);
            return e == null ? Optional.empty() : Optional.of(e.last);
        } finally {
            lock.unlock();
        }
    }

    /** Cold reads counted for the version in its current window (0 when none or the window passed). */
    public int coldReads(VersionRef v) {
        Instant now = clock.instant();
        lock.lock();
        try {
            Reads e = entries.get(v);
            if (e == null || e.windowStart == null || now.isAfter(e.windowStart.plus(window))) return 0;
            return e.coldReads;
        } finally {
            lock.unlock();
        }
    }

    /** Versions remembered now. */
    public int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    /** Versions with cold reads counting toward promotion in their current window. */
    public int counting() {
        Instant now = clock.instant();
        lock.lock();
        try {
            int n = 0;
            for (Reads e : entries.values()) {
                if (e.windowStart != null && !now.isAfter(e.windowStart.plus(window)) && e.coldReads > 0) n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }
}
