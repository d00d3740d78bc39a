package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segments;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable point-in-time checkpoints and their read-only views. */
class CheckpointTest {
    private static final BucketName A = bucketName("alpha");
    private static final BucketName B = bucketName("beta");
    private static final Instant NOW = Instant.parse("2026-12-06T17:30:00.123456789Z");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    private void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(16L << 20, false),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (ns != null) ns.close();
    }

    private static List<String> keys(NamespaceView view, BucketName bucket) {
        return view.listVersions(bucket, new VersionQuery("", "", "", "", 1000)).versions().stream()
                .map(e -> e.version()).map(v -> v.key().value() + "@" + v.versionId() + (v.deleteMarker() ? "(dm)" : "")).toList();
    }

    private static List<String> keys(Namespace ns, BucketName bucket) {
        return ns.listVersions(bucket, new VersionQuery("", "", "", "", 1000)).versions().stream()
                .map(e -> e.version()).map(v -> v.key().value() + "@" + v.versionId() + (v.deleteMarker() ? "(dm)" : "")).toList();
    }

    @Test
    void viewHoldsTheChangesAfterAnEarlierCutAndNoLaterOne() {
        open();
        ns.createBucket(bucket("alpha"));
        ns.putObject(version("alpha", "k1"));
        long earlier = ns.changeFeed().head();
        ns.putObject(version("alpha", "k2"));
        ns.deleteObject(A, key("k1"));
        long sequence = ns.checkpoint("snapshot:test", dir.resolve("cp"));
        ns.putObject(version("alpha", "k3"));   // after the checkpoint: not in the view's log

        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            ChangePage page = view.changes(earlier, 100);
            assertEquals(List.of("k2", "k1"), page.entries().stream().map(e -> e.version().orElseThrow().key().value()).toList());
            assertEquals(List.of(ChangeEntry.Kind.VERSION_PUT, ChangeEntry.Kind.VERSION_DELETED),
                    page.entries().stream().map(ChangeEntry::kind).toList());
            assertEquals(sequence, page.nextAfter());
            assertEquals(List.of(), view.changes(sequence, 100).entries(), "nothing after the cut");
            ChangePage first = view.changes(earlier, 1);
            assertTrue(first.more(), "paged");
        }
    }

    @Test
    void viewRefusesToListChangesItsLogNoLongerHolds() {
        open();
        ns.createBucket(bucket("alpha"));
        long earlier = ns.changeFeed().head();
        ns.putObject(version("alpha", "k1"));
        ns.changeFeed().trim();   // no cursor: every visible entry goes
        ns.checkpoint("snapshot:test", dir.resolve("cp"));

        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            ChangeFeedException e = assertThrows(ChangeFeedException.class, () -> view.changes(earlier, 100));
            assertEquals(ChangeFeedException.Reason.TRIMMED, e.reason());
        }
    }

    @Test
    void viewShowsEveryBucketAsOfTheCheckpointAndNoLaterWrite() {
        open();
        ns.createBucket(bucket("alpha"));
        ns.createBucket(bucket("beta"));
        ns.setVersioning(A, BucketVersioning.ENABLED);
        ns.putBucketConfig(A, "policy", "{\"p\":1}".getBytes(StandardCharsets.UTF_8));
        ns.putObject(version("alpha", "k1"));
        ns.putObject(version("alpha", "k1"));
        ns.deleteObject(A, key("k1"));
        ns.putObject(version("beta", "b1"));
        List<String> alphaThen = keys(ns, A);
        List<String> betaThen = keys(ns, B);
        long head = ns.changeFeed().head();

        long sequence = ns.checkpoint("snapshot:test", dir.resolve("cp"));
        assertEquals(head, sequence);

        // After the checkpoint: new versions, a new bucket, a config change, a version deleted for good.
        ns.putObject(version("alpha", "k2"));
        ns.putObject(version("beta", "b1"));
        ns.createBucket(bucket("gamma"));
        ns.putBucketConfig(A, "policy", "{\"p\":2}".getBytes(StandardCharsets.UTF_8));
        ns.deleteVersion(A, key("k1"), alphaThen.getLast().split("@")[1]);

        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            assertEquals(sequence, view.sequence());
            assertEquals(NOW, view.takenAt());
            assertEquals(List.of(A, B), view.buckets().stream().map(Bucket::name).toList());
            assertEquals(BucketVersioning.ENABLED, view.bucket(A).orElseThrow().versioning());
            assertEquals(alphaThen, keys(view, A));
            assertEquals(betaThen, keys(view, B));
            assertEquals(3, alphaThen.size());
            assertArrayEquals("{\"p\":1}".getBytes(StandardCharsets.UTF_8), view.bucketConfigs(A).get("policy"));
        }
    }

    @Test
    void dataOfAVersionDeletedAfterTheCheckpointIsWithheldUntilTheMarkIsReleased() {
        open();
        ns.createBucket(bucket("alpha"));
        ObjectVersion v = ns.putObject(version("alpha", "k")).version();
        ns.checkpoint("snapshot:test", dir.resolve("cp"));
        assertTrue(ns.garbageMark("snapshot:test").isPresent());

        ns.deleteObject(A, key("k"));
        assertEquals(List.of(), ns.garbage(10));
        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            assertEquals(List.of("k@null"), keys(view, A));
        }
        ns.releaseGarbageMark("snapshot:test");
        assertEquals(v.segments(), segments(ns.garbage(10)));
    }

    @Test
    void viewSurvivesClosingAndReopeningTheLiveNamespace() {
        open();
        ns.createBucket(bucket("alpha"));
        ns.putObject(version("alpha", "k"));
        ns.checkpoint("snapshot:test", dir.resolve("cp"));
        ns.close();
        open();
        ns.putObject(version("alpha", "later"));
        ns.close();
        ns = null;
        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            assertEquals(List.of("k@null"), keys(view, A));
        }
        open();
        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            assertEquals(List.of("k@null"), keys(view, A));
            assertEquals(List.of("k@null", "later@null"), keys(ns, A));
        }
    }

    @Test
    void aCheckpointTakenBeforeAColumnFamilyWasAddedStillOpens() throws Exception {
        open();
        ns.createBucket(bucket("alpha"));
        ns.putObject(version("alpha", "k"));
        ns.checkpoint("snapshot:test", dir.resolve("cp"));
        ns.close();
        ns = null;
        // As an older version wrote it: without the newest column family.
        String newest = Store.COLUMN_FAMILIES.getLast();
        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.ColumnFamilyOptions cfo = new org.rocksdb.ColumnFamilyOptions();
             org.rocksdb.DBOptions dbo = new org.rocksdb.DBOptions()) {
            List<org.rocksdb.ColumnFamilyDescriptor> descriptors = new java.util.ArrayList<>();
            descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY, cfo));
            for (String name : Store.COLUMN_FAMILIES) {
                descriptors.add(new org.rocksdb.ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfo));
            }
            List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
            try (org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(dbo, dir.resolve("cp").toString(), descriptors, handles)) {
                db.dropColumnFamily(handles.getLast());
                handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            }
        }
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            assertTrue(org.rocksdb.RocksDB.listColumnFamilies(o, dir.resolve("cp").toString()).stream()
                    .noneMatch(n -> new String(n, StandardCharsets.UTF_8).equals(newest)), "the fixture lacks " + newest);
        }
        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            assertEquals(List.of("k@null"), keys(view, A));
        }
    }

    @Test
    void refusesAnExistingDirectoryAndAPlainNamespaceAsACheckpoint() throws Exception {
        open();
        Files.createDirectories(dir.resolve("taken"));
        assertThrows(IllegalArgumentException.class, () -> ns.checkpoint("snapshot:test", dir.resolve("taken")));
        ns.close();
        ns = null;
        NamespaceException e = assertThrows(NamespaceException.class, () -> Namespace.openCheckpoint(dir.resolve("ns")));
        assertEquals(NamespaceException.Reason.UNAVAILABLE, e.reason());
        assertThrows(NamespaceException.class, () -> Namespace.openCheckpoint(dir.resolve("absent")));
    }

    /** One acknowledged write: key, counter, when it started and when it returned. */
    private record Write(String key, int n, long started, long acked) {
    }

    @Test
    void aCheckpointTakenUnderConcurrentWritesIsAConsistentCut() throws Exception {
        open();
        ns.createBucket(bucket("alpha"));
        int writers = 4;
        int perWriter = 300;
        java.util.concurrent.ConcurrentLinkedQueue<Write> log = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(writers * perWriter / 3);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String key = "k" + w;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int n = 1; n <= perWriter; n++) {
                    ObjectVersion v = version("alpha", key);
                    v = new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                            v.contentType(), v.headers(), java.util.Map.of("n", Integer.toString(n)), v.checksums(),
                            v.partCount(), v.segments());
                    long started = System.nanoTime();
                    ns.putObject(v);
                    log.add(new Write(key, n, started, System.nanoTime()));
                    halfway.countDown();
                }
                done.incrementAndGet();
            }));
        }
        halfway.await();
        long before = System.nanoTime();
        ns.checkpoint("snapshot:test", dir.resolve("cp"));
        long after = System.nanoTime();
        for (Thread t : threads) t.join();

        java.util.Map<String, Integer> cut = new java.util.HashMap<>();
        try (NamespaceView view = Namespace.openCheckpoint(dir.resolve("cp"))) {
            for (VersionPage.Entry e : view.listVersions(A, new VersionQuery("", "", "", "", 1000)).versions()) {
                cut.put(e.version().key().value(), Integer.parseInt(e.version().userMetadata().get("n")));
            }
        }
        for (Write w : log) {
            int seen = cut.getOrDefault(w.key(), 0);
            if (w.acked() < before) assertTrue(seen >= w.n(), w + " acknowledged before the checkpoint, cut has " + seen);
            if (w.started() > after) assertTrue(seen < w.n(), w + " started after the checkpoint, cut has " + seen);
        }
        // If a write is in the cut, every write acknowledged before it started is in the cut too.
        java.util.Map<String, Write> inCut = new java.util.HashMap<>();
        for (Write w : log) if (cut.getOrDefault(w.key(), 0) == w.n()) inCut.put(w.key(), w);
        for (Write present : inCut.values()) {
            for (Write w : log) {
                if (w.acked() < present.started()) {
                    assertTrue(cut.getOrDefault(w.key(), 0) >= w.n(), w + " acknowledged before " + present + " started");
                }
            }
        }
        assertEquals(writers, done.get());
    }
}
