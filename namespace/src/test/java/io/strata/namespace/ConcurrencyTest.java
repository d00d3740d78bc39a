package io.strata.namespace;

import static io.strata.namespace.Fixtures.T0;
import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Read-modify-write under concurrent writers on virtual threads: nothing leaks, nothing is freed twice. */
@Timeout(60)
class ConcurrencyTest {
    private static final BucketName B = new BucketName("bucket");

    @TempDir
    Path dir;
    private Namespace ns;

    @BeforeEach
    void open() {
        ns = Namespace.open(dir.resolve("ns"));
        ns.createBucket(bucket("bucket"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private List<Segment> garbageSegments() {
        List<Segment> out = new ArrayList<>();
        for (GarbageItem g : ns.garbage(1_000_000)) out.add(g.segment());
        return out;
    }

    private static void runAll(int threads, Runnable task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(executor.submit(() -> {
                    start.await();
                    task.run();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get();
        }
    }

    @Test
    void concurrentPutsToOneKeyLeaveOneVersionAndEveryOtherSegmentInGarbageOnce() throws Exception {
        Set<Segment> written = ConcurrentHashMap.newKeySet();
        runAll(8, () -> {
            for (int i = 0; i < 20; i++) {
                Segment s = segment(1);
                written.add(s);
                ns.putObject(Fixtures.version("bucket", "hot", s));
            }
        });
        Segment current = ns.object(B, key("hot")).orElseThrow().segments().get(0);
        List<Segment> garbage = garbageSegments();
        assertEquals(written.size() - 1, garbage.size());
        assertEquals(garbage.size(), new HashSet<>(garbage).size(), "a segment queued twice");
        Set<Segment> accounted = new HashSet<>(garbage);
        accounted.add(current);
        assertEquals(written, accounted);
    }

    @Test
    void partsRacingWithCompleteEndInTheObjectOrInGarbageExactlyOnce() throws Exception {
        ns.createUpload(Fixtures.upload("bucket", "big", "u1", T0));
        Set<Segment> written = ConcurrentHashMap.newKeySet();
        AtomicBoolean completed = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch someParts = new CountDownLatch(10);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    for (int i = 0; ; i++) {
                        // Each thread keeps going until it has put one part after seeing the upload complete.
                        boolean afterComplete = completed.get();
                        Part p = Fixtures.part(1 + (thread * 7 + i) % 6); // numbers 1..6, replaced often
                        written.add(p.segment());
                        try {
                            ns.putPart(B, key("big"), "u1", p);
                        } catch (NamespaceException e) {
                            assertEquals(Reason.UPLOAD_NOT_FOUND, e.reason());
                            refused.incrementAndGet();
                        }
                        someParts.countDown();
                        if (afterComplete) return null;
                    }
                }));
            }
            futures.add(executor.submit(() -> {
                someParts.await();
                while (true) {
                    List<Part> parts = ns.parts(B, key("big"), "u1", 0, 10_000);
                    List<Segment> chosen = parts.stream().map(Part::segment).toList();
                    long size = chosen.stream().mapToLong(Segment::size).sum();
                    ObjectVersion v = new ObjectVersion(B, key("big"), "null", size, "x-" + parts.size(), T0,
                            "binary/octet-stream", Map.of(), Map.of(), Map.of(), parts.size(), chosen);
                    try {
                        ns.completeUpload("u1", v);
                        completed.set(true);
                        return null;
                    } catch (IllegalArgumentException replacedMeanwhile) {
                        // a part was replaced between listing and completing: list again
                    }
                }
            }));
            for (Future<?> f : futures) f.get();
        }
        assertTrue(refused.get() > 0, "no putPart ran after complete");
        List<Segment> object = ns.object(B, key("big")).orElseThrow().segments();
        List<Segment> garbage = garbageSegments();
        List<Segment> all = new ArrayList<>(garbage);
        all.addAll(object);
        assertEquals(all.size(), new HashSet<>(all).size(), "a segment is both live and garbage, or queued twice");
        assertEquals(written, new HashSet<>(all));
    }

    @Test
    void deleteBucketNeverRacesWithPutsIntoIt() throws Exception {
        AtomicBoolean deleted = new AtomicBoolean();
        Set<Segment> committed = ConcurrentHashMap.newKeySet();
        AtomicInteger counter = new AtomicInteger();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(executor.submit(() -> {
                    while (true) {
                        String k = "k" + counter.incrementAndGet();
                        ObjectVersion v = Fixtures.version("bucket", k);
                        try {
                            ns.putObject(v);
                        } catch (NamespaceException e) {
                            assertEquals(Reason.BUCKET_NOT_FOUND, e.reason());
                            return null;
                        }
                        committed.add(v.segments().get(0));
                        ns.deleteObject(B, key(k));
                    }
                }));
            }
            futures.add(executor.submit(() -> {
                while (!deleted.get()) {
                    try {
                        ns.deleteBucket(B);
                        deleted.set(true);
                    } catch (NamespaceException e) {
                        assertEquals(Reason.BUCKET_NOT_EMPTY, e.reason());
                        Thread.sleep(1);
                    }
                }
                return null;
            }));
            for (Future<?> f : futures) f.get();
        }
        ns.createBucket(bucket("bucket"));
        assertTrue(ns.list(B, new ListQuery("", "", "", 10)).objects().isEmpty(), "object row outlived its bucket");
        assertEquals(committed, new HashSet<>(garbageSegments()));
    }

    @Test
    void aConsumerDrainingTheGarbageQueueWhileProducersAddSeesEveryItemExactlyOnce() throws Exception {
        Set<Segment> added = ConcurrentHashMap.newKeySet();
        List<Segment> consumed = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean producing = new AtomicBoolean(true);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> producers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                producers.add(executor.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        List<Segment> batch = List.of(segment(1), segment(2));
                        ns.addGarbage(batch);
                        added.addAll(batch);
                    }
                    return null;
                }));
            }
            Future<?> consumer = executor.submit(() -> {
                while (true) {
                    boolean last = !producing.get();
                    List<GarbageItem> items = ns.garbage(7);
                    for (GarbageItem g : items) consumed.add(g.segment());
                    ns.removeGarbage(items);
                    if (last && items.isEmpty()) return null;
                }
            });
            for (Future<?> f : producers) f.get();
            producing.set(false);
            consumer.get();
        }
        assertEquals(added.size(), consumed.size(), "an item was skipped or seen twice");
        assertEquals(added, new HashSet<>(consumed));
    }

    @Test
    void closeWaitsForCallsInFlightAndThenRefusesNewOnes() throws Exception {
        List<Reason> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(4);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                executor.submit(() -> {
                    running.countDown();
                    for (int i = 0; ; i++) {
                        try {
                            ns.putObject(Fixtures.version("bucket", "t" + thread + "-" + i));
                            ns.list(B, new ListQuery("", "/", "", 100));
                            done.incrementAndGet();
                        } catch (NamespaceException e) {
                            failures.add(e.reason());
                            return null;
                        }
                    }
                });
            }
            running.await();
            // Close once calls have completed (not after a fixed sleep: under load none may have yet).
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (done.get() < 4 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            ns.close();
        }
        assertTrue(done.get() > 0);
        assertEquals(List.of(Reason.UNAVAILABLE, Reason.UNAVAILABLE, Reason.UNAVAILABLE, Reason.UNAVAILABLE), failures);
    }
}
