package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable bulk job store and its runner: progress, cancel, failure, restarts. */
class BulkJobTest {
    private static final BucketName B = bucketName("bucket");
    private static final RocksDbNamespace.Settings FAST = new RocksDbNamespace.Settings(16L << 20, false);
    private static final Instant NOW = Instant.parse("2026-04-01T00:00:00Z");

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
    void aNewJobIsRunningAtTheStartAndSurvivesARestart() {
        open();
        ns.createBucket(bucket("bucket"));
        BulkJob job = ns.createBulkJob("tier.move", B, "logs/", new byte[] {1, 2}, 10);
        assertEquals(BulkJob.State.RUNNING, job.state());
        assertEquals(BulkJob.Position.START, job.position());
        assertEquals(BulkJob.Counters.ZERO, job.counters());
        assertEquals(0.0, job.progress().orElseThrow());
        reopen();
        assertEquals(Optional.of(job), ns.bulkJob(job.id()));
        assertArrayEquals(new byte[] {1, 2}, ns.bulkJobs().getFirst().parameters());
        assertTrue(ns.createBulkJob("tier.move", B, "", new byte[0], -1).id() > job.id());
        assertTrue(ns.bulkJobs().getLast().progress().isEmpty());
    }

    @Test
    void progressIsACompareAndSetThatAddsTheCountersAndMovesThePlaceTogether() {
        open();
        ns.createBucket(bucket("bucket"));
        BulkJob job = ns.createBulkJob("tier.move", B, "", new byte[0], 4);
        BulkJob.Position p = new BulkJob.Position("a", "null");
        BulkJob one = ns.recordBulkProgress(job, p, new BulkJob.Counters(1, 1, 0, 10), false).orElseThrow();
        assertEquals(p, one.position());
        assertEquals(new BulkJob.Counters(1, 1, 0, 10), one.counters());
        assertEquals(0.5, one.progress().orElseThrow());
        // The same page recorded again from a stale copy is refused: it counts once.
        assertEquals(Optional.empty(), ns.recordBulkProgress(job, p, new BulkJob.Counters(1, 1, 0, 10), false));
        BulkJob done = ns.recordBulkProgress(one, p, new BulkJob.Counters(2, 0, 0, 20), true).orElseThrow();
        assertEquals(BulkJob.State.DONE, done.state());
        assertEquals(new BulkJob.Counters(3, 1, 0, 30), done.counters());
        assertEquals(Optional.empty(), ns.recordBulkProgress(done, p, BulkJob.Counters.ZERO, false));
    }

    @Test
    void aCancelledJobStopsItsRunnerAtTheNextPageAndStaysCancelled() {
        open();
        ns.createBucket(bucket("bucket"));
        for (int i = 0; i < 10; i++) ns.putObject(version("bucket", "k" + i));
        BulkJob job = ns.createBulkJob("test.flag", B, "", new byte[0], 10);
        BulkJobFlagAction flag = new BulkJobFlagAction(ns);
        BulkJob ended = new BulkJobRunner(ns, 3).run(job.id(), (j, v) -> {
            if (v.key().value().equals("k4")) ns.cancelBulkJob(j.id());
            return flag.apply(j, v);
        });
        assertEquals(BulkJob.State.CANCELLED, ended.state());
        // Pages k0-k2 recorded; the page holding k4 was done but not recorded, and nothing after it ran.
        assertEquals(new BulkJob.Counters(3, 0, 0, 30), ended.counters());
        assertFalse(BulkJobFlagAction.flagged(ns.object(B, Fixtures.key("k6")).orElseThrow()));
        reopen();
        assertEquals(BulkJob.State.CANCELLED, ns.bulkJob(job.id()).orElseThrow().state());
        assertEquals(BulkJob.State.CANCELLED, ns.cancelBulkJob(job.id()).orElseThrow().state());
        assertEquals(ns.bulkJob(job.id()), ns.cancelBulkJob(job.id()));
        assertEquals(Optional.empty(), ns.cancelBulkJob(987654));
    }

    @Test
    void versionsTheActionFailsOnAreCountedAndTheWalkGoesOn() {
        open();
        ns.createBucket(bucket("bucket"));
        for (int i = 0; i < 5; i++) ns.putObject(version("bucket", "k" + i));
        BulkJob job = ns.createBulkJob("test.flag", B, "", new byte[0], 5);
        BulkJob ended = new BulkJobRunner(ns, 2).run(job.id(), (j, v) -> {
            if (v.key().value().equals("k2")) throw new IllegalStateException("tier down");
            return BulkJobRunner.Outcome.DONE;
        });
        assertEquals(BulkJob.State.DONE, ended.state());
        assertEquals(new BulkJob.Counters(4, 0, 1, 40), ended.counters());
    }

    @Test
    void aParallelRunnerActsOnSeveralVersionsOfAPageAtOnceAndCountsEachOnce() {
        open();
        ns.createBucket(bucket("bucket"));
        for (int i = 0; i < 12; i++) ns.putObject(version("bucket", "k" + i));
        BulkJob job = ns.createBulkJob("test.flag", B, "", new byte[0], 12);
        // Four actions must be in flight together to pass the barrier: a runner acting one at a
        // time would time out here and count every version as failed.
        CyclicBarrier together = new CyclicBarrier(4);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        BulkJob ended = new BulkJobRunner(ns, 4, 4).run(job.id(), (j, v) -> {
            try {
                together.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("actions did not overlap: " + e);
            }
            assertTrue(seen.add(v.key().value()), "acted on twice: " + v.key());
            return v.key().value().equals("k3") ? BulkJobRunner.Outcome.SKIPPED : BulkJobRunner.Outcome.DONE;
        });
        assertEquals(BulkJob.State.DONE, ended.state());
        assertEquals(new BulkJob.Counters(11, 1, 0, 110), ended.counters());
        assertEquals(12, seen.size());
    }

    @Test
    void anInterruptedRunnerLeavesItsPageToBeRedoneAndKeepsTheInterrupt() throws Exception {
        open();
        ns.createBucket(bucket("bucket"));
        for (int i = 0; i < 4; i++) ns.putObject(version("bucket", "k" + i));
        BulkJob job = ns.createBulkJob("test.flag", B, "", new byte[0], 4);
        boolean[] interruptedAfter = {false};
        Thread t = Thread.ofVirtual().start(() -> {
            new BulkJobRunner(ns, 10).run(job.id(), (j, v) -> {
                Thread.currentThread().interrupt();   // as a shutdown would, mid-page
                return BulkJobRunner.Outcome.DONE;
            });
            interruptedAfter[0] = Thread.currentThread().isInterrupted();
        });
        assertTrue(t.join(Duration.ofSeconds(30)));
        assertTrue(interruptedAfter[0]);
        BulkJob stored = ns.bulkJob(job.id()).orElseThrow();
        assertEquals(BulkJob.State.RUNNING, stored.state());
        assertEquals(BulkJob.Counters.ZERO, stored.counters());
        assertEquals(BulkJob.State.DONE, new BulkJobRunner(ns, 10).run(job.id(), (j, v) -> BulkJobRunner.Outcome.DONE).state());
        assertEquals(4, ns.bulkJob(job.id()).orElseThrow().counters().done());
    }

    @Test
    void aJobWhoseBucketIsDeletedFailsNamingIt() {
        open();
        ns.createBucket(bucket("bucket"));
        BulkJob job = ns.createBulkJob("tier.move", B, "", new byte[0], -1);
        ns.deleteBucket(B);
        BulkJob ended = new BulkJobRunner(ns, 10).run(job.id(), (j, v) -> BulkJobRunner.Outcome.DONE);
        assertEquals(BulkJob.State.FAILED, ended.state());
        assertEquals("bucket bucket no longer exists", ended.lastError());
        assertTrue(ns.removeBulkJob(job.id()));
        assertFalse(ns.removeBulkJob(job.id()));
        assertEquals(List.of(), ns.bulkJobs());
    }

    @Test
    void creationIsRefusedForAMissingBucketOrAMalformedAction() {
        open();
        assertEquals(NamespaceException.Reason.BUCKET_NOT_FOUND, assertThrows(NamespaceException.class,
                () -> ns.createBulkJob("tier.move", B, "", new byte[0], -1)).reason());
        ns.createBucket(bucket("bucket"));
        assertThrows(IllegalArgumentException.class, () -> ns.createBulkJob("Tier Move", B, "", new byte[0], -1));
        assertThrows(IllegalArgumentException.class, () -> ns.createBulkJob("tier.move", B, "", new byte[0], -2));
        assertEquals(List.of(), ns.bulkJobs());
    }

    @Test
    void bulkJobCodecRoundTrips() {
        BulkJob j = new BulkJob(9, "tier.prefetch", B, "a/é", new byte[] {5}, BulkJob.State.CANCELLED,
                new BulkJob.Position("a/é1", "null"), new BulkJob.Counters(1, 2, 3, 4), -1, NOW, NOW.plusSeconds(5), "boom");
        assertEquals(j, BulkJobCodec.decode(9, BulkJobCodec.encode(j)));
        BulkJob withPresent = new BulkJob(9, "replication.resync", B, "", new byte[] {5}, BulkJob.State.RUNNING,
                BulkJob.Position.START, new BulkJob.Counters(1, 2, 3, 4, 5), -1, NOW, NOW, "");
        assertEquals(withPresent, BulkJobCodec.decode(9, BulkJobCodec.encode(withPresent)));
    }

    @Test
    void aVersionOneBulkJobRecordDecodesWithNoPresentVersions() {
        // The bytes a gateway before the present counter wrote (format 1: no present after bytes).
        byte[] v1 = new RecordWriter(64).u8(1).string("tier.move").string("bucket").string("a/").bytes(new byte[] {7})
                .u8(BulkJob.State.DONE.ordinal()).string("a/k").string("v1").varint(1).varint(2).varint(3).varint(4)
                .varint(11).instant(NOW).instant(NOW.plusSeconds(5)).string("").toByteArray();
        BulkJob j = BulkJobCodec.decode(3, v1);
        assertEquals(new BulkJob.Counters(1, 2, 3, 4, 0), j.counters());
        assertEquals(10, j.total());
        assertEquals(new BulkJob.Position("a/k", "v1"), j.position());
    }
}
