package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;

/**
 * A snapshot taken through the gateway while writers PUT, overwrite and delete is one point in time,
 * end to end: gateway A takes it ({@code POST /_strata/admin/snapshots}) into its local repository
 * while four writers run; gateway B attaches it, and what B serves is checked against the writers'
 * log (each write's start and acknowledgement time, the version id it made, the body it wrote, which
 * carries a per-key counter):
 * <ul>
 *   <li>every write acknowledged before the snapshot began (the create was sent), and every write
 *       acknowledged before the root's {@code takenAt} (the checkpoint began), is there;</li>
 *   <li>no write that started after the snapshot was taken is there: "taken" is the export's
 *       {@code checkpointed} time the gateway reports, when its checkpoint was complete;</li>
 *   <li>if a write is there, every write acknowledged before it started is there too;</li>
 *   <li>every version there holds exactly the bytes its write sent.</li>
 * </ul>
 * The bucket is versioned and nothing is deleted permanently, so a write "is there" exactly when its
 * version id (a PUT's, or a DELETE's delete marker) is. A first bucket of larger objects is exported
 * before the writers' bucket, so the writers go on for a while between the checkpoint and the moment
 * the export lists their bucket: an export that read the live namespace would see their later writes.
 * Times are wall-clock instants of the same machine, in this JVM and in the gateway.
 *
 * <p>Negative control: {@code -Dstrata.snapshot.negativeControl=true} starts A with
 * {@code STRATA_TEST_FAULT=snapshot-export-live-namespace} (the export lists the live namespace
 * instead of its checkpoint), and {@link #aSnapshotTakenUnderLoadIsOneConsistentCutWhereverItIsRead}
 * must fail.
 */
class SnapshotUnderLoadTest {
    private static final String BULK = "load-bulk";
    private static final String BUCKET = "load-writes";
    private static final int WRITERS = 4;
    private static final int KEYS = 16;
    private static final int MAX_OPS_PER_WRITER = 1500;

    @TempDir
    static Path root;
    static StrataServer a;
    static StrataServer b;
    static S3Client sa;
    static S3Client sb;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = Boolean.getBoolean("strata.snapshot.negativeControl")
                ? Map.of("STRATA_TEST_FAULT", "snapshot-export-live-namespace") : Map.of();
        a = StrataServer.start(root.resolve("a"), env, List.of());
        b = StrataServer.start(root.resolve("b"));
        sa = S3Clients.pathStyle(a);
        sb = S3Clients.pathStyle(b);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sa, sb, a, b}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One acknowledged write: the version it made, the body it wrote (null for a delete marker), and when. */
    record Op(String key, String versionId, String body, Instant started, Instant acked) {
    }

    /** One version as the snapshot holds it, read at B; body null for a delete marker. */
    record Seen(String key, String versionId, String body) {
    }

    /** Writers that PUT (a body with the key's own counter), overwrite and delete {@link #KEYS} keys until told to stop. */
    static final class Writers {
        final ConcurrentLinkedQueue<Op> log = new ConcurrentLinkedQueue<>();
        final AtomicInteger acked = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger[] counters = new AtomicInteger[KEYS];
        final List<Thread> threads = new ArrayList<>();

        Writers start(S3Client s3, long seed) {
            for (int k = 0; k < KEYS; k++) counters[k] = new AtomicInteger();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    Random r = new Random(seed + writer);
                    try {
                        for (int n = 0; n < MAX_OPS_PER_WRITER && !stop.get(); n++) {
                            int k = r.nextInt(KEYS);
                            String key = String.format("k%02d", k);
                            boolean delete = r.nextInt(5) == 0;
                            String body = delete ? null : key + " #" + counters[k].incrementAndGet() + " by writer " + writer;
                            Instant started = Instant.now();
                            String versionId = delete
                                    ? s3.deleteObject(d -> d.bucket(BUCKET).key(key)).versionId()
                                    : s3.putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromString(body)).versionId();
                            log.add(new Op(key, versionId, body, started, Instant.now()));
                            acked.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            return this;
        }

        void awaitAcks(int n, StrataServer server) {
            int target = acked.get() + n;
            SnapshotHarness.await(target + " acknowledged writes", Duration.ofSeconds(60), server,
                    () -> acked.get() >= target || failure.get() != null || threads.stream().noneMatch(Thread::isAlive));
        }

        List<Op> join() throws Exception {
            stop.set(true);
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(60));
            for (Thread t : threads) assertTrue(!t.isAlive(), "writer did not end");
            if (failure.get() != null) throw new AssertionError("a writer failed", failure.get());
            return List.copyOf(log);
        }
    }

    /** What the checker found, one list per rule; all empty for a consistent cut. */
    record Violations(List<String> ackedBeforeButMissing, List<String> startedAfterButPresent,
                      List<String> presentWithoutAnEarlierAckedWrite, List<String> wrongContent) {
        boolean none() {
            return ackedBeforeButMissing.isEmpty() && startedAfterButPresent.isEmpty()
                    && presentWithoutAnEarlierAckedWrite.isEmpty() && wrongContent.isEmpty();
        }

        @Override
        public String toString() {
            return "acknowledged before but missing " + brief(ackedBeforeButMissing) + "; started after but present "
                    + brief(startedAfterButPresent) + "; present without an earlier acknowledged write "
                    + brief(presentWithoutAnEarlierAckedWrite) + "; wrong content " + brief(wrongContent);
        }

        private static String brief(List<String> l) {
            return l.size() + " " + l.subList(0, Math.min(3, l.size()));
        }
    }

    /**
     * The rules of a point-in-time cut for {@code cut} (by version id): writes acknowledged before
     * {@code began} must be there, writes started after {@code taken} must not, and the cut must be
     * closed under "acknowledged before it started".
     */
    static Violations check(List<Op> log, Map<String, Seen> cut, Instant began, Instant taken) {
        List<String> missing = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> inconsistent = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Map<String, Op> byVersion = new HashMap<>();
        for (Op op : log) byVersion.put(op.versionId(), op);
        for (Seen s : cut.values()) {
            Op op = byVersion.get(s.versionId());
            if (op == null || !op.key().equals(s.key()) || !Objects.equals(op.body(), s.body())) {
                wrong.add(s + " is not what was written: " + op);
            }
        }
        for (Op op : log) {
            boolean present = cut.containsKey(op.versionId());
            if (op.acked().isBefore(began) && !present) missing.add(op + " acknowledged before the snapshot began, missing");
            if (op.started().isAfter(taken) && present) late.add(op + " started after the snapshot was taken, present");
        }
        // A write present implies every write acknowledged before it started is present: equivalently,
        // no present write started after the earliest acknowledgement among the absent ones.
        Optional<Op> firstAbsent = log.stream().filter(op -> !cut.containsKey(op.versionId())).min(Comparator.comparing(Op::acked));
        firstAbsent.ifPresent(absent -> log.stream()
                .filter(op -> cut.containsKey(op.versionId()) && op.started().isAfter(absent.acked()))
                .forEach(op -> inconsistent.add(op + " present, but " + absent + " was acknowledged before it started and is missing")));
        return new Violations(missing, late, inconsistent, wrong);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSnapshotTakenUnderLoadIsOneConsistentCutWhereverItIsRead() throws Exception {
        // Exported first (buckets go in name order), so the writers' bucket is listed well after the checkpoint.
        SnapshotHarness.seed(sa, BULK, "b/", 80, 100_000, 40);
        sa.createBucket(c -> c.bucket(BUCKET));
        sa.putBucketVersioning(c -> c.bucket(BUCKET).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        long seed = Long.getLong("strata.snapshot.seed", System.nanoTime());
        System.out.println("SnapshotUnderLoadTest: writers' seed " + seed + " (-Dstrata.snapshot.seed=" + seed + " repeats it)");
        Writers writers = new Writers().start(sa, seed);
        writers.awaitAcks(150, a);

        Instant began = Instant.now();
        String created = SnapshotHarness.admin(a, "POST", "/snapshots", Map.of("repo", "local", "buckets", BULK + "," + BUCKET), 202);
        Instant createAnswered = Instant.now();
        long id = SnapshotHarness.number(created, "id");
        String checkpointed = SnapshotHarness.field(created, "checkpointed");
        assertTrue(checkpointed != null && !"null".equals(checkpointed), "the create reports when its checkpoint was complete: " + created);
        Instant taken = Instant.parse(checkpointed);
        assertTrue(!taken.isBefore(began) && !taken.isAfter(createAnswered), began + " <= " + taken + " <= " + createAnswered);
        int ackedAtCreate = writers.acked.get();
        String[] status = {""};
        SnapshotHarness.await("the export to finish", Duration.ofSeconds(120), a, () -> {
            status[0] = SnapshotHarness.export(a, id);
            return "done".equals(SnapshotHarness.field(status[0], "state")) || "failed".equals(SnapshotHarness.field(status[0], "state"));
        });
        assertEquals("done", SnapshotHarness.field(status[0], "state"), status[0]);
        Instant exported = Instant.now();
        writers.awaitAcks(20, a);
        List<Op> log = writers.join();
        String locator = SnapshotHarness.locator(status[0]);
        String shown = SnapshotHarness.admin(a, "GET", "/snapshots/show", Map.of("locator", locator), 200);
        Instant takenAt = Instant.parse(SnapshotHarness.field(shown, "takenAt"));
        assertTrue(!takenAt.isBefore(began) && !takenAt.isAfter(taken), began + " <= takenAt " + takenAt + " <= " + taken);

        // B reads the snapshot through an attach: its listing and every version's bytes.
        SnapshotHarness.strataOk(b, "snapshot", "attach", locator, "--bucket", BUCKET, "--as", "load-at-b");
        Map<String, Seen> cut = new HashMap<>();
        String keyMarker = null;
        String idMarker = null;
        for (int page = 0; page < 100; page++) {
            String km = keyMarker;
            String vm = idMarker;
            ListObjectVersionsResponse r = sb.listObjectVersions(q -> q.bucket("load-at-b").keyMarker(km).versionIdMarker(vm));
            for (var v : r.versions()) {
                String body = sb.getObjectAsBytes(g -> g.bucket("load-at-b").key(v.key()).versionId(v.versionId())).asUtf8String();
                cut.put(v.versionId(), new Seen(v.key(), v.versionId(), body));
            }
            for (var d : r.deleteMarkers()) cut.put(d.versionId(), new Seen(d.key(), d.versionId(), null));
            if (!r.isTruncated()) break;
            keyMarker = r.nextKeyMarker();
            idMarker = r.nextVersionIdMarker();
        }

        // The test exercised what it claims: writes overlapped the checkpoint, and went on while the export ran.
        assertTrue(log.stream().anyMatch(op -> op.started().isAfter(taken) && op.acked().isBefore(exported)),
                "no write landed while the export ran");
        assertTrue(ackedAtCreate < log.size(), "the writers had ended before the snapshot");
        assertTrue(cut.values().stream().anyMatch(s -> s.body() == null), "no delete marker in the snapshot");
        assertTrue(cut.values().stream().map(Seen::key).distinct().count() < cut.size(), "no overwritten key in the snapshot");
        assertTrue(cut.size() > 0 && cut.size() < log.size(), "the cut is strictly inside the log: " + cut.size() + " of " + log.size());

        Violations byClient = check(log, cut, began, taken);
        assertTrue(byClient.none(), () -> "not a point-in-time cut (began " + began + ", checkpointed " + taken + "): " + byClient);
        // Tighter, from the gateway's own times: acknowledged before the checkpoint began is there too.
        Violations byGateway = check(log, cut, takenAt, taken);
        assertTrue(byGateway.none(), () -> "not a point-in-time cut (takenAt " + takenAt + ", checkpointed " + taken + "): " + byGateway);
        // takenAt is when the checkpoint began, not a cut: writes that started after it may be in (shown, not asserted).
        long afterTakenAt = log.stream().filter(op -> op.started().isAfter(takenAt) && cut.containsKey(op.versionId())).count();
        System.out.printf("SnapshotUnderLoadTest: %d writes, %d in the snapshot, %d acknowledged at the create; "
                        + "checkpoint between %s and %s; %d writes started after takenAt are in it%n", log.size(), cut.size(),
                ackedAtCreate, takenAt, taken, afterTakenAt);
    }
}
