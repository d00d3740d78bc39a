package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.WorkItem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backlog's counts, bytes and oldest operations, kept without reading the queues and recounted at start. */
class BacklogTest {
    private static final String TARGET = "dr";
    private static final BucketName PHOTOS = new BucketName("photos");
    private static final BucketName LOGS = new BucketName("logs");
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;
    private Namespace namespace;
    /** Items read through visitWork, to see which calls read the queue. */
    private final AtomicInteger visited = new AtomicInteger();

    @BeforeEach
    void open() {
        namespace = Namespace.open(dir.resolve("meta"));
    }

    @AfterEach
    void close() {
        namespace.close();
    }

    private static ReplicationWork work(BucketName bucket, long sequence, long size) {
        return new ReplicationWork(ReplicationWork.Op.PUT_VERSION, bucket, new ObjectKey("k" + sequence), "v" + sequence,
                T, "etag", T.plusSeconds(sequence), Optional.empty(), sequence, size);
    }

    private WorkItem add(Backlog b, Backlog.Queue q, ReplicationWork w) {
        WorkItem item = namespace.addWork(Backlog.kind(TARGET, q), w.encode(), T);
        if (b != null) b.added(TARGET, q, item.id(), w);
        return item;
    }

    private Backlog backlog(int tracked) {
        Namespace counting = (Namespace) java.lang.reflect.Proxy.newProxyInstance(Namespace.class.getClassLoader(),
                new Class<?>[] {Namespace.class}, (proxy, method, args) -> {
                    if (method.getName().equals("visitWork")) {
                        @SuppressWarnings("unchecked")
                        java.util.function.Predicate<WorkItem> v = (java.util.function.Predicate<WorkItem>) args[1];
                        namespace.visitWork((String) args[0], item -> {
                            visited.incrementAndGet();
                            return v.test(item);
                        });
                        return null;
                    }
                    try {
                        return method.invoke(namespace, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Backlog b = new Backlog(counting, tracked);
        b.open(TARGET);
        return b;
    }

    private static Backlog.Share share(Backlog b, Backlog.Queue q, BucketName bucket) {
        return b.shares(TARGET, q).stream().filter(s -> s.bucket().equals(bucket)).findFirst().orElseThrow();
    }

    @Test
    void countsBytesAndTheOldestPerBucketFollowAddsAndRemovalsWithoutReadingTheQueue() {
        Backlog b = backlog(16);
        List<WorkItem> items = new ArrayList<>();
        List<ReplicationWork> works = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ReplicationWork w = work(i % 2 == 0 ? LOGS : PHOTOS, i, 100L * i);
            works.add(w);
            items.add(add(b, Backlog.Queue.WAITING, w));
        }
        visited.set(0);
        assertEquals(new Backlog.Share(PHOTOS, 3, 100 + 300 + 500, Optional.of(T.plusSeconds(1)), 1),
                share(b, Backlog.Queue.WAITING, PHOTOS));
        assertEquals(new Backlog.Share(LOGS, 2, 200 + 400, Optional.of(T.plusSeconds(2)), 2), share(b, Backlog.Queue.WAITING, LOGS));
        namespace.removeWork(items.getFirst().id());
        b.removed(TARGET, Backlog.Queue.WAITING, items.getFirst().id(), works.getFirst());
        assertEquals(new Backlog.Share(PHOTOS, 2, 300 + 500, Optional.of(T.plusSeconds(3)), 3),
                share(b, Backlog.Queue.WAITING, PHOTOS));
        assertEquals(0, visited.get(), "status and changes read no queue item");
    }

    @Test
    void aRestartRecountsExactlyWhatTheQueuesHoldWhateverTheBacklog() {
        for (int i = 1; i <= 40; i++) add(null, Backlog.Queue.WAITING, work(i % 4 == 0 ? LOGS : PHOTOS, 100 - i, 10));
        add(null, Backlog.Queue.FAILED, work(PHOTOS, 7, 5));
        Backlog b = backlog(4);
        assertEquals(new Backlog.Share(PHOTOS, 30, 300, Optional.of(T.plusSeconds(61)), 61), share(b, Backlog.Queue.WAITING, PHOTOS));
        assertEquals(new Backlog.Share(LOGS, 10, 100, Optional.of(T.plusSeconds(60)), 60), share(b, Backlog.Queue.WAITING, LOGS));
        assertEquals(new Backlog.Share(PHOTOS, 1, 5, Optional.of(T.plusSeconds(7)), 7), share(b, Backlog.Queue.FAILED, PHOTOS));
    }

    @Test
    void onceTheTrackedOldestAreDeliveredTheNextOldestAreFoundAgain() {
        Backlog b = backlog(2);
        List<WorkItem> items = new ArrayList<>();
        List<ReplicationWork> works = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            ReplicationWork w = work(PHOTOS, i, 1);
            works.add(w);
            items.add(add(b, Backlog.Queue.WAITING, w));
        }
        for (int i = 0; i < 5; i++) {
            namespace.removeWork(items.get(i).id());
            b.removed(TARGET, Backlog.Queue.WAITING, items.get(i).id(), works.get(i));
            assertEquals(i + 2, share(b, Backlog.Queue.WAITING, PHOTOS).oldestSequence(), "after removing " + (i + 1));
        }
        assertEquals(2, share(b, Backlog.Queue.WAITING, PHOTOS).count());
    }

    @Test
    void anOldOperationQueuedAgainBecomesTheOldestThoughItsItemIsNew() {
        Backlog b = backlog(2);
        for (int i = 10; i <= 14; i++) add(b, Backlog.Queue.WAITING, work(PHOTOS, i, 1));
        add(b, Backlog.Queue.WAITING, work(PHOTOS, 3, 1));   // retry --failed of a change of sequence 3
        assertEquals(3, share(b, Backlog.Queue.WAITING, PHOTOS).oldestSequence());
        assertEquals(6, share(b, Backlog.Queue.WAITING, PHOTOS).count());
    }
}
