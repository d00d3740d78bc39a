package io.strata.namespace;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a bulk job in its own JVM for {@link BulkJobCrashTest}: after {@code stopAfter} actions it
 * prints "parked" and waits for ever, mid-page, for the test to kill it with SIGKILL.
 * Arguments: namespace directory, job id, page size, stopAfter.
 */
public final class BulkJobCrashChild {
    private BulkJobCrashChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        Namespace ns = RocksDbNamespace.open(Path.of(args[0]));
        long id = Long.parseLong(args[1]);
        int pageSize = Integer.parseInt(args[2]);
        int stopAfter = Integer.parseInt(args[3]);
        BulkJobFlagAction flag = new BulkJobFlagAction(ns);
        AtomicInteger applied = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        new BulkJobRunner(ns, pageSize).run(id, (job, v) -> {
            BulkJobRunner.Outcome o = flag.apply(job, v);
            if (applied.incrementAndGet() == stopAfter) {
                System.out.println("parked");
                System.out.flush();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return o;
        });
        System.out.println("finished");
    }
}
