package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot taken while writers PUT, overwrite and delete is one point in time: the checkpoint's.
 * Every write records when it started and when it was acknowledged (System.nanoTime) and the version
 * it made; the finished snapshot is read back through {@link SnapshotReader} and checked against that
 * log. The bucket is versioned and nothing is deleted permanently, so a write "is there" exactly when
 * its version id is in the snapshot (current or noncurrent), and a PUT's bytes must be the ones it wrote.
 */
class SnapshotPointInTimeTest {
    private static final BucketName B = new BucketName("bkt");
    private static final SnapshotExporter.Options OPTIONS = new SnapshotExporter.Options(false, 4, 65_536);
    private static final int WRITERS = 4;
    private static final int OPS_PER_WRITER = 300;
    /** Keys in two halves ("a.." and "b.."), so the negative control can list them apart. */
    private static final int KEYS_PER_HALF = 12;

    @TempDir
    Path dir;
    SnapshotFixture fx;
    SnapshotRepository repo;
    Path work;

    @BeforeEach
    void open() throws Exception {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = LocalDirectoryRepository.create(dir.resolve("repo"));
        work = Files.createDirectories(dir.resolve("work"));
        fx.bucket("bkt");
        fx.namespace.setVersioning(B, BucketVersioning.ENABLED);
    }

    @AfterEach
    void close() {
        repo.close();
        fx.close();
    }

    /** One acknowledged write: the version it made, what it wrote (null for a delete marker), and when. */
    record Op(String key, String versionId, String payload, long started, long acked) {
    }

    /** One version as a snapshot (or a stand-in for one) holds it; payload null for a delete marker. */
    record Seen(String key, String versionId, String payload) {
    }

    /** What the checker found, one list per property; all empty for a consistent cut. */
    record Violations(List<String> ackedBeforeButMissing, List<String> startedAfterButPresent,
                      List<String> presentWithoutAnEarlierAckedWrite, List<String> wrongContent) {
        boolean none() {
            return ackedBeforeButMissing.isEmpty() && startedAfterButPresent.isEmpty()
                    && presentWithoutAnEarlierAckedWrite.isEmpty() && wrongContent.isEmpty();
        }

        /** Counts and the first few of each, so a failure stays readable with hundreds of writes. */
        @Override
        public String toString() {
            return "acked before but missing " + brief(ackedBeforeButMissing) + "; started after but present "
                    + brief(startedAfterButPresent) + "; present without an earlier acknowledged write "
                    + brief(presentWithoutAnEarlierAckedWrite) + "; wrong content " + brief(wrongContent);
        }

        private static String brief(List<String> l) {
            return l.size() + " " + l.subList(0, Math.min(3, l.size()));
        }
    }

    /**
     * The three properties of a point-in-time cut, on {@code cut} (by version id), for a snapshot whose
     * start was called at {@code before} and returned at {@code after}.
     */
    static Violations check(List<Op> log, Map<String, Seen> cut, long before, long after) {
        List<String> missing = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> inconsistent = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Map<String, Op> byVersion = new HashMap<>();
        for (Op op : log) byVersion.put(op.versionId(), op);
        for (Seen s : cut.values()) {
            Op op = byVersion.get(s.versionId());
            if (op == null || !op.key().equals(s.key()) || !Objects.equals(op.payload(), s.payload())) {
                wrong.add(s + " is not what was written: " + op);
            }
        }
        for (Op op : log) {
            boolean present = cut.containsKey(op.versionId());
            if (op.acked() < before && !present) missing.add(op + " acknowledged before the snapshot began, missing");
            if (op.started() > after && present) late.add(op + " started after the snapshot was taken, present");
        }
        // If a write is there, every write acknowledged before it started is there: equivalently, no
        // write present started after the earliest acknowledgement among the writes left out.
        Optional<Op> firstAbsent = log.stream().filter(op -> !cut.containsKey(op.versionId()))
                .min(Comparator.comparingLong(Op::acked));
        firstAbsent.ifPresent(absent -> log.stream()
                .filter(op -> cut.containsKey(op.versionId()) && op.started() > absent.acked())
                .forEach(op -> inconsistent.add(op + " present, but " + absent + " was acknowledged before it started and is missing")));
        return new Violations(missing, late, inconsistent, wrong);
    }

    /** Writers that PUT, overwrite and delete keys in both halves, a fixed number of operations each. */
    final class Writers {
        final ConcurrentLinkedQueue<Op> log = new ConcurrentLinkedQueue<>();
        final AtomicInteger acked = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch third = new CountDownLatch(WRITERS * OPS_PER_WRITER / 3);
        /** Counted down by every acknowledgement once armed by {@link #awaitMoreAcks}. */
        volatile CountDownLatch more = new CountDownLatch(0);
        final List<Thread> threads = new ArrayList<>();

        Writers start(long deadline) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    Random r = new Random(writer);
                    try {
                        for (int n = 0; n < OPS_PER_WRITER && System.nanoTime() < deadline; n++) {
                            String key = (r.nextBoolean() ? "a" : "b") + String.format("%02d", r.nextInt(KEYS_PER_HALF));
                            boolean delete = r.nextInt(5) == 0;
                            String payload = delete ? null : "writer " + writer + " op " + n + " key " + key;
                            long started = System.nanoTime();
                            String versionId = delete
                                    ? fx.namespace.deleteObject(B, new ObjectKey(key)).marker().orElseThrow().versionId()
                                    : fx.put("bkt", key, new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, true,
                                            Instant.parse("2026-12-06T10:00:00Z")), payload.getBytes(StandardCharsets.UTF_8)).versionId();
                            log.add(new Op(key, versionId, payload, started, System.nanoTime()));
                            acked.incrementAndGet();
                            third.countDown();
                            more.countDown();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        // Never leave the test waiting on writers that stopped early.
                        while (third.getCount() > 0) third.countDown();
                        while (more.getCount() > 0) more.countDown();
                    }
                }));
            }
            return this;
        }

        /** Waits (bounded) until {@code n} more writes than now are acknowledged or the writers have ended. */
        void awaitMoreAcks(int n, long deadline) throws InterruptedException {
            more = new CountDownLatch(n);
            if (threads.stream().noneMatch(Thread::isAlive)) return;
            more.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        List<Op> join() throws Exception {
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(30));
            for (Thread t : threads) assertFalse(t.isAlive(), "writer did not end");
            if (failure.get() != null) throw new AssertionError("writer failed", failure.get());
            return List.copyOf(log);
        }
    }

    private SnapshotExports exports() {
        return new SnapshotExports(fx.namespace, name -> {
            if (!name.equals("repo")) throw new SnapshotException(SnapshotException.Reason.NOT_FOUND, "no repository " + name);
            return repo;
        }, fx.data, work, OPTIONS, Clock.systemUTC());
    }

    private static String text(InputStream in) throws Exception {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSnapshotExportedUnderConcurrentWritesHoldsExactlyTheWritesOfOneConsistentCut() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Writers writers = new Writers().start(deadline);
        assertTrue(writers.third.await(15, TimeUnit.SECONDS), "writers made no progress");

        SnapshotExports exports = exports();
        long before = System.nanoTime();
        SnapshotExports.Export e = exports.start("repo", List.of(B), Optional.empty());
        long after = System.nanoTime();
        int ackedAtCheckpoint = writers.acked.get();
        SnapshotExporter.Result result = exports.resume(e.id());
        long exported = System.nanoTime();
        List<Op> log = writers.join();

        Map<String, Seen> cut = new HashMap<>();
        SnapshotReader reader = SnapshotReader.open(repo, result.locator(), work);
        List<SnapshotEntry> entries = new ArrayList<>();
        reader.forEachEntry("bkt", entries::add);
        for (SnapshotEntry x : entries) {
            cut.put(x.versionId(), new Seen(x.key(), x.versionId(), x.deleteMarker() ? null : text(reader.open(x))));
        }

        // The fault happened: writes were in flight while the checkpoint was taken, and the live
        // namespace kept changing after it, while the export read.
        assertTrue(log.stream().anyMatch(op -> op.started() < after && op.acked() > before),
                "no write overlapped the checkpoint");
        assertTrue(log.stream().anyMatch(op -> op.started() > after && op.acked() < exported),
                "no write landed while the export ran");
        assertTrue(ackedAtCheckpoint < log.size(), "writers had ended before the checkpoint");
        // The checkpoint fell among the writes in flight while start() ran: some of them made it in, some did not.
        List<Op> inFlight = log.stream().filter(op -> op.started() < after && op.acked() > before).toList();
        assertTrue(inFlight.stream().anyMatch(op -> cut.containsKey(op.versionId()))
                && inFlight.stream().anyMatch(op -> !cut.containsKey(op.versionId())),
                "the cut did not split the writes in flight during start()");
        // The snapshot holds what the mix made: delete markers and keys overwritten (noncurrent versions).
        assertTrue(cut.values().stream().anyMatch(s -> s.payload() == null), "no delete marker in the snapshot");
        assertTrue(cut.values().stream().map(Seen::key).distinct().count() < cut.size(), "no overwritten key in the snapshot");

        Violations v = check(log, cut, before, after);
        assertTrue(v.none(), () -> "not a point-in-time cut: " + v);
        assertEquals(cut.size(), result.versions(), "every exported version read back once");
        assertTrue(cut.size() > 0 && cut.size() < log.size(), "the cut is strictly inside the log: " + cut.size());
    }

    /**
     * Negative control for the checker: a "snapshot" made by listing the live namespace in two halves
     * with writes in between is not one cut, and the same {@link #check} says so. Its window runs from
     * before the first half to after the second, so only the cross-key property can catch it.
     */
    @Test
    void theCheckerCatchesACutListedLiveInTwoHalvesWithWritesBetween() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Writers writers = new Writers().start(deadline);
        assertTrue(writers.third.await(15, TimeUnit.SECONDS), "writers made no progress");

        Map<String, Seen> cut = new HashMap<>();
        long before = System.nanoTime();
        listLive("a", cut);
        writers.awaitMoreAcks(100, deadline);
        listLive("b", cut);
        long after = System.nanoTime();
        List<Op> log = writers.join();

        Violations v = check(log, cut, before, after);
        assertFalse(v.presentWithoutAnEarlierAckedWrite().isEmpty(), "the checker missed a torn cut: " + v);
        assertTrue(v.ackedBeforeButMissing().isEmpty(), v::toString);
        assertTrue(v.startedAfterButPresent().isEmpty(), v::toString);
        assertTrue(v.wrongContent().isEmpty(), v::toString);
    }

    /** Every version under {@code prefix} in the live namespace, with its bytes. */
    private void listLive(String prefix, Map<String, Seen> into) throws Exception {
        String km = "";
        String vm = "";
        VersionPage page;
        do {
            page = fx.namespace.listVersions(B, new VersionQuery(prefix, "", km, vm, 1000));
            for (VersionPage.Entry x : page.versions()) {
                ObjectVersion v = x.version();
                String payload = v.deleteMarker() ? null : text(fx.data.open(v, 0, v.size()));
                into.put(v.versionId(), new Seen(v.key().value(), v.versionId(), payload));
            }
            km = page.nextKeyMarker();
            vm = page.nextVersionIdMarker();
        } while (page.truncated());
    }
}
