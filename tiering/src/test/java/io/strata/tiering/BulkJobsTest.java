package io.strata.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.namespace.BulkJobRunner;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background bulk jobs: exact counters, resume after a restart, durable cancel, bounded concurrency. */
class BulkJobsTest {
    private static final BucketName BUCKET = new BucketName("photos");
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Namespace namespace;
    private BulkJobs jobs;

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
        namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
        for (int i = 0; i < 20; i++) put("k" + i);
    }

    @AfterEach
    void close() {
        if (jobs != null) jobs.close();
        if (namespace != null) namespace.close();
    }

    private void put(String key) {
        namespace.putObject(new ObjectVersion(BUCKET, new ObjectKey(key), ObjectVersion.NULL_VERSION, 0, "d41d8cd98f00b204e9800998ecf8427e",
                Instant.now(), "text/plain", Map.of(), Map.of(), Map.of(), 0, List.of()));
    }

    private BulkJob awaitEnd(long id) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            BulkJob j = jobs.job(id).orElseThrow();
            if (j.state().ended() && jobs.runningCount() == 0) return j;
            LockSupport.parkNanos(5_000_000);   // poll the stored job, bounded by the deadline
        }
        throw new AssertionError("job " + id + " did not end within " + DEADLINE + ": " + jobs.job(id));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + " within " + DEADLINE);
            LockSupport.parkNanos(5_000_000);
        }
    }

    @Test
    void aSubmittedJobVisitsEveryVersionOnceCountsItAndCallsItsEnd() throws Exception {
        jobs = new BulkJobs(namespace, 3, 2);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        LinkedBlockingQueue<BulkJob> ended = new LinkedBlockingQueue<>();
        jobs.register("test.visit", (j, v) -> {
            assertTrue(seen.add(v.key().value()), "visited twice: " + v.key());
            return v.key().value().startsWith("k1") ? BulkJobRunner.Outcome.SKIPPED : BulkJobRunner.Outcome.DONE;
        }, ended::add);
        jobs.start();
        BulkJob job = jobs.submit("test.visit", BUCKET, "", new byte[0]);
        assertEquals(20, job.total());
        BulkJob end = ended.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(job.id(), end.id());
        assertEquals(BulkJob.State.DONE, end.state());
        assertEquals(new BulkJob.Counters(9, 11, 0, 0), end.counters());   // k1, k10..k19 skipped
        assertEquals(20, seen.size());
        assertEquals(List.of(end), jobs.jobs());
    }

    @Test
    void anActionRegisteredWithItsOwnParallelismHasThatManyVersionsInFlight() throws Exception {
        jobs = new BulkJobs(namespace, 20, 1);
        CountDownLatch eight = new CountDownLatch(8);
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
        LinkedBlockingQueue<BulkJob> ended = new LinkedBlockingQueue<>();
        jobs.register("test.wide", 8, (j, v) -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            eight.countDown();
            try {
                // The first eight wait for each other (bounded): only eight at once get all through.
                eight.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return BulkJobRunner.Outcome.DONE;
        }, ended::add);
        jobs.start();
        BulkJob job = jobs.submit("test.wide", BUCKET, "", new byte[0]);
        BulkJob end = ended.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(job.id(), end.id());
        assertEquals(20, end.counters().done());
        assertEquals(8, peak.get(), "versions in flight at once");
    }

    @Test
    void aJobStoppedByARestartResumesAtStartAndCountsEachVersionOnce() {
        CountDownLatch firstPage = new CountDownLatch(3);
        CountDownLatch never = new CountDownLatch(1);
        jobs = new BulkJobs(namespace, 3, 1);
        jobs.register("test.visit", (j, v) -> {
            if (firstPage.getCount() == 0) {
                try {
                    never.await();   // the "crash" comes here, in the second page
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            firstPage.countDown();
            return BulkJobRunner.Outcome.DONE;
        }, j -> { });
        jobs.start();
        BulkJob job = jobs.submit("test.visit", BUCKET, "", new byte[0]);
        await(() -> jobs.job(job.id()).orElseThrow().counters().visited() == 3, "the first page recorded");
        jobs.close();   // interrupts the runner mid-page, as a shutdown does
        BulkJob stopped = namespace.bulkJob(job.id()).orElseThrow();
        assertEquals(BulkJob.State.RUNNING, stopped.state());
        assertEquals(3, stopped.counters().visited());

        namespace.close();
        namespace = Namespace.open(dir.resolve("meta"));
        Set<String> second = ConcurrentHashMap.newKeySet();
        jobs = new BulkJobs(namespace, 3, 1);
        jobs.register("test.visit", (j, v) -> {
            second.add(v.key().value());
            return BulkJobRunner.Outcome.DONE;
        }, j -> { });
        jobs.start();
        BulkJob end = awaitEnd(job.id());
        assertEquals(BulkJob.State.DONE, end.state());
        assertEquals(new BulkJob.Counters(20, 0, 0, 0), end.counters());
        assertEquals(17, second.size(), "the resumed job starts after the recorded page: " + second);
    }

    @Test
    void aCancelledJobStopsAfterItsPageAndStaysCancelled() throws Exception {
        CountDownLatch inPage = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        jobs = new BulkJobs(namespace, 2, 1);
        jobs.register("test.visit", (j, v) -> {
            inPage.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return BulkJobRunner.Outcome.DONE;
        }, j -> { });
        jobs.start();
        BulkJob job = jobs.submit("test.visit", BUCKET, "", new byte[0]);
        assertTrue(inPage.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(BulkJob.State.CANCELLED, jobs.cancel(job.id()).orElseThrow().state());
        release.countDown();
        BulkJob end = awaitEnd(job.id());
        assertEquals(BulkJob.State.CANCELLED, end.state());
        assertTrue(end.counters().visited() < 20, "stopped early: " + end);
        assertEquals(BulkJob.State.CANCELLED, jobs.cancel(job.id()).orElseThrow().state());
        assertTrue(jobs.cancel(job.id() + 100).isEmpty());
    }

    @Test
    void moreThanTheRunningLimitIsRefusedAndUnknownActionsAndBucketsAreErrors() {
        CountDownLatch release = new CountDownLatch(1);
        jobs = new BulkJobs(namespace, 1, 1);
        jobs.register("test.block", (j, v) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return BulkJobRunner.Outcome.DONE;
        }, j -> { });
        jobs.start();
        for (int i = 0; i < BulkJobs.MAX_RUNNING; i++) jobs.submit("test.block", BUCKET, "", new byte[0]);
        assertThrows(BulkJobs.BusyException.class, () -> jobs.submit("test.block", BUCKET, "", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> jobs.submit("test.other", BUCKET, "", new byte[0]));
        NamespaceException e = assertThrows(NamespaceException.class,
                () -> jobs.submit("test.block", new BucketName("absent"), "", new byte[0]));
        assertEquals(NamespaceException.Reason.BUCKET_NOT_FOUND, e.reason());
        release.countDown();
        await(() -> jobs.runningCount() == 0, "every job ended");
        assertEquals(BulkJobs.MAX_RUNNING, jobs.jobs().stream().filter(j -> j.state() == BulkJob.State.DONE).count());
    }
}
