package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.segments;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage marks: data that died after the oldest open mark waits for its release, across restarts. */
class GarbageMarkTest {
    private static final BucketName B = bucketName("bucket");
    private static final RocksDbNamespace.Settings FAST = new RocksDbNamespace.Settings(16L << 20, false);
    private static final Instant NOW = Instant.parse("2026-02-01T00:00:00Z");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    private void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"), FAST, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private void reopen() {
        ns.close();
        open();
    }

    @AfterEach
    void close() {
        if (ns != null) ns.close();
    }

    @Test
    void aVersionDeletedWhileAMarkIsHeldKeepsItsDataUntilTheMarkIsReleasedAcrossARestart() {
        open();
        ns.createBucket(bucket("bucket"));
        ObjectVersion before = ns.putObject(version("bucket", "before")).version();
        ObjectVersion during = ns.putObject(version("bucket", "during")).version();
        ns.deleteObject(B, key("before"));   // died before the mark: free to go

        GarbageMark mark = ns.markGarbage("snapshot:nightly");
        assertEquals(ns.changeFeed().head(), mark.changeSequence());
        assertEquals(NOW, mark.taken());
        ns.deleteObject(B, key("during"));   // died while the mark is held: the snapshot may read it

        assertEquals(before.segments(), segments(ns.garbage(10)));
        ns.removeGarbage(ns.garbage(10));
        assertEquals(List.of(), ns.garbage(10));

        reopen();
        assertEquals(List.of(mark), ns.garbageMarks());
        assertEquals(List.of(), ns.garbage(10));

        assertTrue(ns.releaseGarbageMark("snapshot:nightly"));
        assertEquals(during.segments(), segments(ns.garbage(10)));
        reopen();
        assertEquals(List.of(), ns.garbageMarks());
        assertEquals(during.segments(), segments(ns.garbage(10)));
    }

    @Test
    void theOldestMarkHoldsAndReleasingAYoungerOneFreesNothingItHolds() {
        open();
        ns.createBucket(bucket("bucket"));
        ns.markGarbage("old");
        Segment first = segment(1);
        ns.addGarbage(List.of(first));
        ns.markGarbage("young");
        Segment second = segment(2);
        ns.addGarbage(List.of(second));

        assertTrue(ns.releaseGarbageMark("young"));
        assertEquals(List.of(), ns.garbage(10));
        assertTrue(ns.releaseGarbageMark("old"));
        assertEquals(List.of(first, second), segments(ns.garbage(10)));
    }

    @Test
    void itemsQueuedBeforeTheMarkAreHandedOutWhileItIsHeldAndTheCleanersRequeuesWaitBehindIt() {
        open();
        Segment early = segment(1);
        ns.addGarbage(List.of(early));
        ns.markGarbage("replication:west");
        Segment late = segment(2);
        ns.addGarbage(List.of(late));

        List<GarbageItem> items = ns.garbage(10);
        assertEquals(List.of(early), segments(items));
        // The cleaner could not free it (a cold tier down): requeued, it now stands behind the mark.
        ns.addGarbage(segments(items));
        ns.removeGarbage(items);
        assertEquals(List.of(), ns.garbage(10));
        ns.releaseGarbageMark("replication:west");
        assertEquals(List.of(late, early), segments(ns.garbage(10)));
    }

    @Test
    void takingAMarkTwiceKeepsTheFirstAndReleasingAnAbsentOneIsANoOp() {
        open();
        GarbageMark first = ns.markGarbage("export");
        ns.addGarbage(List.of(segment(1)));
        assertEquals(first, ns.markGarbage("export"));
        assertEquals(first, ns.garbageMark("export").orElseThrow());
        assertTrue(ns.releaseGarbageMark("export"));
        assertFalse(ns.releaseGarbageMark("export"));
        assertTrue(ns.garbageMark("export").isEmpty());
        for (String bad : new String[] {"", "a\0b", "x".repeat(GarbageMark.MAX_NAME + 1)}) {
            assertThrows(IllegalArgumentException.class, () -> ns.markGarbage(bad));
        }
    }

    /**
     * Overwrites race with the cleaner while marks are taken: whatever a reader sees after taking a
     * mark must not be handed out while the mark is open, including an overwrite that had its
     * garbage id before the mark but committed after it.
     */
    @Test
    void nothingReadAfterTakingAMarkIsHandedOutWhileItIsOpenUnderConcurrentOverwritesAndCleaning() throws Exception {
        open();
        ns.createBucket(bucket("bucket"));
        int keys = 16;
        for (int i = 0; i < keys; i++) ns.putObject(version("bucket", "k" + i));
        Set<Segment> handedOut = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong polls = new AtomicLong();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 4; w++) {
                int seed = w;
                executor.submit(() -> {
                    for (int n = seed; !stop.get(); n++) ns.putObject(version("bucket", "k" + (n % keys)));
                    return null;
                });
            }
            executor.submit(() -> {
                while (!stop.get()) {
                    List<GarbageItem> items = ns.garbage(64);
                    handedOut.addAll(segments(items));
                    ns.removeGarbage(items);
                    polls.incrementAndGet();
                }
                return null;
            });
            try {
                for (int round = 0; round < 30; round++) {
                    ns.markGarbage("reader");
                    Set<Segment> seen = new HashSet<>();
                    for (int i = 0; i < keys; i++) seen.addAll(ns.object(B, key("k" + i)).orElseThrow().segments());
                    // Let the cleaner poll a few times while the overwrites go on.
                    long target = polls.get() + 3;
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (polls.get() < target && System.nanoTime() < deadline) Thread.onSpinWait();
                    Set<Segment> freedWhileHeld = new HashSet<>(seen);
                    freedWhileHeld.retainAll(handedOut);
                    assertEquals(Set.of(), freedWhileHeld, "round " + round);
                    ns.releaseGarbageMark("reader");
                }
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void markCodecRoundTrips() {
        GarbageMark m = new GarbageMark("snapshot", 4097, 12, NOW);
        assertEquals(m, GarbageMarkCodec.decode("snapshot", GarbageMarkCodec.encode(m)));
    }
}
