package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ListPage;
import io.strata.namespace.ListQuery;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierMover;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attached snapshot answers listings exactly as the source namespace did (compared page by page
 * with the namespace's own listing), reads bytes only through the verified fetch, and refuses
 * damaged range files and data objects.
 */
class AttachedSnapshotTest {
    private static final BucketName SRC = new BucketName("src");

    @TempDir
    Path dir;
    SnapshotFixture fx;
    SnapshotRepository repo;
    SnapshotCache cache;
    SnapshotSources sources;

    @BeforeEach
    void open() {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = LocalDirectoryRepository.create(dir.resolve("repo"));
        cache = SnapshotCache.open(dir.resolve("cache"), 64L << 20);
        sources = new SnapshotSources(cache, name -> fx.tiers.get(name).map(t -> t.store()));
    }

    @AfterEach
    void close() {
        repo.close();
        fx.close();
    }

    private static SnapshotFixture.Extra at(int second, boolean inline) {
        return new SnapshotFixture.Extra(Map.of(), Map.of(), null, false, inline,
                Instant.parse("2026-12-06T10:00:00Z").plusSeconds(second));
    }

    /** A versioned bucket of nested keys, several versions per key, delete markers, and one unversioned-era null version. */
    private void fillTree() throws Exception {
        fx.bucket("src");
        fx.put("src", "000-null", at(0, true), bytes(0, 5));
        fx.namespace.setVersioning(SRC, BucketVersioning.ENABLED);
        int n = 0;
        for (String top : List.of("a", "b", "c/d", "é", "z")) {
            for (int i = 0; i < 12; i++) {
                String key = top + "/" + (i % 3 == 0 ? "sub" + i + "/" : "") + "k" + i;
                int versions = 1 + i % 3;
                for (int v = 0; v < versions; v++) fx.put("src", key, at(++n, true), bytes(n, 7 + n % 5));
                if (i % 4 == 1) fx.namespace.deleteObject(SRC, new ObjectKey(key));
            }
        }
        fx.put("src", "000-null", at(++n, true), bytes(n, 9));
    }

    private AttachedSnapshot export(SnapshotExporter.Options options) {
        SnapshotExporter.Result r = new SnapshotExporter(repo, fx.data, dir, options).snapshot(fx.namespace, List.of(), Optional.empty());
        AttachedSnapshot att = AttachedSnapshot.open("att", repo, SnapshotLocator.parse(r.locator().toString()), Optional.of("src"), cache);
        sources.register("att", repo);
        return att;
    }

    /** Small ranges: the listing walks and binary-searches across many range files. */
    private static final SnapshotExporter.Options SMALL_RANGES = new SnapshotExporter.Options(false, 1, 5);

    private static String describe(ObjectVersion v) {
        return v.key().value() + " " + v.versionId() + " " + v.deleteMarker() + " " + v.etag() + " " + v.size() + " "
                + v.lastModified();
    }

    @Test
    void listObjectsAnswersPageByPageAsTheSourceNamespace() throws Exception {
        fillTree();
        AttachedSnapshot att = export(SMALL_RANGES);
        assertTrue(att.source().ranges().size() > 5, "the fixture spans many range files");
        for (String prefix : List.of("", "a", "a/", "c/d/", "b/sub", "é/", "zz")) {
            for (String delimiter : List.of("", "/", "sub")) {
                for (int max : List.of(1, 3, 1000)) {
                    String after = "";
                    for (int page = 0; page < 500; page++) {
                        ListQuery q = new ListQuery(prefix, delimiter, after, max);
                        ListPage want = fx.namespace.list(SRC, q);
                        ListPage got = att.list(q);
                        String what = q + " page " + page;
                        assertEquals(want.objects().stream().map(AttachedSnapshotTest::describe).toList(),
                                got.objects().stream().map(AttachedSnapshotTest::describe).toList(), what);
                        assertEquals(want.commonPrefixes(), got.commonPrefixes(), what);
                        assertEquals(want.truncated(), got.truncated(), what);
                        assertEquals(want.nextAfter(), got.nextAfter(), what);
                        if (!want.truncated()) break;
                        after = want.nextAfter();
                    }
                }
            }
        }
        // A start-after in the middle of a key set and one past the end.
        for (String after : List.of("a/k1", "b/sub3/", "b/sub3/k3", "zzz")) {
            ListQuery q = new ListQuery("", "/", after, 1000);
            assertEquals(fx.namespace.list(SRC, q).commonPrefixes(), att.list(q).commonPrefixes(), after);
            q = new ListQuery("", "", after, 7);
            assertEquals(fx.namespace.list(SRC, q).objects().stream().map(AttachedSnapshotTest::describe).toList(),
                    att.list(q).objects().stream().map(AttachedSnapshotTest::describe).toList(), after);
        }
    }

    @Test
    void listObjectVersionsAnswersPageByPageAsTheSourceNamespace() throws Exception {
        fillTree();
        AttachedSnapshot att = export(SMALL_RANGES);
        for (String prefix : List.of("", "a/", "c/", "000")) {
            for (String delimiter : List.of("", "/")) {
                for (int max : List.of(1, 2, 5, 1000)) {
                    String keyMarker = "";
                    String idMarker = "";
                    for (int page = 0; page < 1000; page++) {
                        VersionQuery q = new VersionQuery(prefix, delimiter, keyMarker, idMarker, max);
                        VersionPage want = fx.namespace.listVersions(SRC, q);
                        VersionPage got = att.listVersions(q);
                        String what = q + " page " + page;
                        assertEquals(want.versions().stream().map(e -> describe(e.version()) + " " + e.latest()).toList(),
                                got.versions().stream().map(e -> describe(e.version()) + " " + e.latest()).toList(), what);
                        assertEquals(want.commonPrefixes(), got.commonPrefixes(), what);
                        assertEquals(want.truncated(), got.truncated(), what);
                        assertEquals(want.nextKeyMarker(), got.nextKeyMarker(), what);
                        assertEquals(want.nextVersionIdMarker(), got.nextVersionIdMarker(), what);
                        if (!want.truncated()) break;
                        keyMarker = want.nextKeyMarker();
                        idMarker = want.nextVersionIdMarker();
                    }
                }
            }
        }
    }

    @Test
    void lookupsAnswerTheSourcesRecordsAndBytesAfterOneVerifiedFetch() throws Exception {
        fx.bucket("src");
        fx.namespace.setVersioning(SRC, BucketVersioning.ENABLED);
        byte[] p1 = bytes(1, 5 << 20);
        byte[] p2 = bytes(2, 70_000);
        ObjectVersion multipart = fx.put("src", "big", new SnapshotFixture.Extra(Map.of("x-amz-checksum-type", "COMPOSITE",
                "x-amz-tagging", "t=1"), Map.of("m", "v"), ChecksumAlgorithm.CRC32C, true, false, Instant.parse("2026-12-06T10:00:00Z")), p1, p2);
        ObjectVersion old = fx.put("src", "k", new SnapshotFixture.Extra(Map.of(), Map.of(), ChecksumAlgorithm.CRC64NVME, false,
                false, Instant.parse("2026-12-06T10:00:01Z")), bytes(3, 100_000));
        ObjectVersion current = fx.put("src", "k", at(2, false), bytes(4, 3000));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);

        ObjectVersion got = att.latest(new ObjectKey("big")).orElseThrow();
        assertEquals(new BucketName("att"), got.bucket());
        assertEquals(List.of(multipart.etag(), multipart.checksums(), multipart.partChecksums(), multipart.attributes(),
                        multipart.userMetadata(), multipart.partCount(), multipart.lastModified(), multipart.versionId()),
                List.of(got.etag(), got.checksums(), got.partChecksums(), got.attributes(), got.userMetadata(), got.partCount(),
                        got.lastModified(), got.versionId()));
        assertEquals(List.of(5L << 20, 70_000L), got.segments().stream().map(s -> s.size()).toList());
        assertEquals("STANDARD", TierMover.storageClass(got));
        byte[] whole = new byte[p1.length + p2.length];
        System.arraycopy(p1, 0, whole, 0, p1.length);
        System.arraycopy(p2, 0, whole, p1.length, p2.length);
        assertArrayEquals(whole, read(got, 0, got.size()));
        long fetched = cache.fetchedBytes();
        // Ranges are served from the checked copy: no second download.
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 5 << 20, (5 << 20) + 100), read(got, 5 << 20, 100));
        assertEquals(fetched, cache.fetchedBytes());
        // A range across a checked block's end.
        int blockEnd = SnapshotSources.BLOCK;
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, blockEnd - 50, blockEnd + 50), read(got, blockEnd - 50, 100));
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, whole.length - 7, whole.length), read(got, whole.length - 7, 7));

        assertEquals(current.versionId(), att.latest(new ObjectKey("k")).orElseThrow().versionId());
        ObjectVersion older = att.version(new ObjectKey("k"), old.versionId()).orElseThrow();
        assertEquals(old.checksums(), older.checksums());
        assertArrayEquals(bytes(3, 100_000), read(older, 0, older.size()));
        assertTrue(att.version(new ObjectKey("k"), "0".repeat(32)).isEmpty());
        assertTrue(att.latest(new ObjectKey("nope")).isEmpty());
    }

    @Test
    void concurrentFirstReadsOfOneVersionDownloadItOnce() throws Exception {
        fx.bucket("src");
        fx.put("src", "k", at(0, false), bytes(1, 3 << 20));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);
        ObjectVersion v = att.latest(new ObjectKey("k")).orElseThrow();
        long fetched = cache.fetchedBytes();
        long misses = cache.misses();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) reads.add(pool.submit((Callable<byte[]>) () -> read(v, 0, v.size())));
            for (Future<byte[]> f : reads) assertArrayEquals(bytes(1, 3 << 20), f.get());
        } finally {
            pool.shutdownNow();
        }
        // Once: the object's bytes and its block table (4 bytes a block and 8).
        assertEquals(fetched + (3 << 20) + 3 * 4 + 8, cache.fetchedBytes());
        assertEquals(misses + 1, cache.misses());
    }

    @Test
    void aDamagedDataObjectIsRefusedAndNothingOfItIsCached() throws Exception {
        fx.bucket("src");
        fx.put("src", "k", at(0, false), bytes(1, 100_000));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);
        ObjectVersion v = att.latest(new ObjectKey("k")).orElseThrow();
        SnapshotEntry e = att.lookup("k", Optional.empty()).orElseThrow();
        String path = ((SnapshotEntry.InRepository) e.data().orElseThrow()).path();
        byte[] damaged = bytes(1, 100_000);
        damaged[50_000] ^= 1;
        replace(path, damaged);
        long cached = cache.bytes();
        SnapshotException x = assertThrows(SnapshotException.class, () -> read(v, 0, 10));
        assertEquals(SnapshotException.Reason.CORRUPT, x.reason());
        assertTrue(x.getMessage().contains("fails its check"), x.getMessage());
        assertEquals(cached, cache.bytes(), "nothing unverified enters the cache");
        // Restored bytes are accepted on the next read.
        replace(path, bytes(1, 100_000));
        assertArrayEquals(bytes(1, 100_000), read(v, 0, v.size()));
    }

    @Test
    void aCachedCopyDamagedOnLocalDiskIsRefusedAndFetchedAgain() throws Exception {
        fx.bucket("src");
        fx.put("src", "k", at(0, false), bytes(1, (3 << 20) + 5));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);
        ObjectVersion v = att.latest(new ObjectKey("k")).orElseThrow();
        assertArrayEquals(bytes(1, (3 << 20) + 5), read(v, 0, v.size()));
        Path copy;
        try (var files = Files.list(dir.resolve("cache").resolve("att"))) {
            copy = files.filter(f -> f.getFileName().toString().startsWith("d-")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(copy);
        bytes[(2 << 20) + 10] ^= 1;
        Files.write(copy, bytes);
        // Block 0 is intact and served; block 2 is refused.
        assertArrayEquals(java.util.Arrays.copyOf(bytes(1, 10), 10), read(v, 0, 10));
        SnapshotException x = assertThrows(SnapshotException.class, () -> read(v, 2 << 20, 100));
        assertEquals(SnapshotException.Reason.CORRUPT, x.reason());
        assertTrue(x.getMessage().contains("CRC32C"), x.getMessage());
        long fetched = cache.fetchedBytes();
        assertArrayEquals(bytes(1, (3 << 20) + 5), read(v, 0, v.size()));
        assertTrue(cache.fetchedBytes() > fetched, "the damaged copy was fetched again");
    }

    @Test
    void aRangeFileWhoseBytesDoNotMatchTheRootIsRefusedBeforeUse() throws Exception {
        fillTree();
        AttachedSnapshot att = export(SMALL_RANGES);
        SnapshotRoot.RangeRef ref = att.source().ranges().get(2);
        byte[] bytes;
        try (InputStream in = repo.get(ref.path(), 0, -1)) {
            bytes = in.readAllBytes();
        }
        bytes[bytes.length / 2] ^= 1;
        replace(ref.path(), bytes);
        SnapshotException x = assertThrows(SnapshotException.class, () -> att.list(new ListQuery("", "", "", 1000)));
        assertEquals(SnapshotException.Reason.CORRUPT, x.reason());
        assertTrue(x.getMessage().contains(ref.path()), x.getMessage());
        // A lookup in an undamaged range still answers.
        assertFalse(att.lookup(att.source().ranges().getFirst().first(), Optional.empty()).isEmpty());
    }

    @Test
    void aDamagedCachedRangeFileIsCheckedAgainBeforeUse() throws Exception {
        fillTree();
        AttachedSnapshot att = export(SMALL_RANGES);
        SnapshotRoot.RangeRef ref = att.source().ranges().getFirst();
        att.lookup(ref.first(), Optional.empty());
        // A fresh attach (empty memory) reads the range from the disk cache, damaged meanwhile.
        Path cached = dir.resolve("cache").resolve("att").resolve("r-" + ref.sha256());
        byte[] bytes = Files.readAllBytes(cached);
        bytes[bytes.length - 3] ^= 1;
        Files.write(cached, bytes);
        AttachedSnapshot again = AttachedSnapshot.open("att", repo, SnapshotLocator.parse(locatorOf(att)), Optional.empty(), cache);
        SnapshotException x = assertThrows(SnapshotException.class, () -> again.lookup(ref.first(), Optional.empty()));
        assertEquals(SnapshotException.Reason.CORRUPT, x.reason());
    }

    @Test
    void theCacheStaysWithinItsBoundEvictingTheLeastRecentlyUsed() throws Exception {
        cache = SnapshotCache.open(dir.resolve("small-cache"), 250_000);
        sources = new SnapshotSources(cache, name -> Optional.<ColdTier>empty());
        fx.bucket("src");
        for (int i = 0; i < 4; i++) fx.put("src", "k" + i, at(i, false), bytes(i, 100_000));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);
        for (int i = 0; i < 4; i++) {
            ObjectVersion v = att.latest(new ObjectKey("k" + i)).orElseThrow();
            assertArrayEquals(bytes(i, 100_000), read(v, 0, v.size()));
            assertTrue(cache.bytes() <= 250_000, "cache holds " + cache.bytes());
        }
        // k3 was read last: still cached (a hit); k0 was evicted (a miss).
        long misses = cache.misses();
        read(att.latest(new ObjectKey("k3")).orElseThrow(), 0, 1);
        assertEquals(misses, cache.misses());
        read(att.latest(new ObjectKey("k0")).orElseThrow(), 0, 1);
        assertEquals(misses + 1, cache.misses());
        // A reopened cache finds what is on disk, and a removed group is gone.
        SnapshotCache reopened = SnapshotCache.open(dir.resolve("small-cache"), 250_000);
        assertEquals(cache.bytes(), reopened.bytes());
        reopened.removeGroup("att");
        assertEquals(0, reopened.bytes());
        assertFalse(Files.exists(dir.resolve("small-cache").resolve("att")));
    }

    @Test
    void aVersionLeftInTheSourcesColdTierIsReadThroughTheLocalTierOfThatName() throws Exception {
        fx.bucket("src");
        ObjectVersion v = fx.put("src", "k", at(0, false), bytes(1, 200_000));
        assertEquals(TierMover.Outcome.MOVED, fx.mover.toCold(v, "COLD"));
        AttachedSnapshot att = export(SnapshotExporter.Options.DEFAULT);
        ObjectVersion got = att.latest(new ObjectKey("k")).orElseThrow();
        assertEquals(TierMover.storageClass(fx.namespace.latest(SRC, new ObjectKey("k")).orElseThrow()), TierMover.storageClass(got));
        assertArrayEquals(bytes(1, 200_000), read(got, 0, got.size()));
        SnapshotSources without = new SnapshotSources(SnapshotCache.open(dir.resolve("other"), 1 << 20), name -> Optional.empty());
        SnapshotException x = assertThrows(SnapshotException.class, () -> without.open(got, 0, 1).close());
        assertEquals(SnapshotException.Reason.UNAVAILABLE, x.reason());
        assertTrue(x.getMessage().contains("cold tier COLD"), x.getMessage());
    }

    @Test
    void aColdVersionCopiedIntoASelfContainedSnapshotKeepsItsStorageClassInListingsAndLookups() throws Exception {
        fx.bucket("src");
        fx.namespace.setVersioning(SRC, BucketVersioning.ENABLED);
        ObjectVersion cold = fx.put("src", "cold", at(0, false), bytes(1, 50_000));
        ObjectVersion old = fx.put("src", "old", at(1, false), bytes(2, 1_000));
        fx.put("src", "old", at(2, false), bytes(3, 1_000));
        fx.put("src", "hot", at(3, false), bytes(4, 1_000));
        assertEquals(TierMover.Outcome.MOVED, fx.mover.toCold(cold, "COLD"));
        assertEquals(TierMover.Outcome.MOVED, fx.mover.toCold(old, "COLD"));
        AttachedSnapshot att = export(new SnapshotExporter.Options(true, 12, 65_536));

        // What the source reports (HEAD's x-amz-storage-class, LIST's StorageClass) is what the attach reports.
        ObjectVersion got = att.latest(new ObjectKey("cold")).orElseThrow();
        assertEquals("COLD", TierMover.storageClass(fx.namespace.latest(SRC, new ObjectKey("cold")).orElseThrow()));
        assertEquals("COLD", TierMover.storageClass(got));
        assertEquals("COLD", TierMover.storageClass(att.version(new ObjectKey("old"), old.versionId()).orElseThrow()));
        assertEquals("STANDARD", TierMover.storageClass(att.latest(new ObjectKey("hot")).orElseThrow()));
        Map<String, String> listed = new java.util.TreeMap<>();
        for (ObjectVersion v : att.list(new ListQuery("", "", "", 1000)).objects()) listed.put(v.key().value(), TierMover.storageClass(v));
        assertEquals(Map.of("cold", "COLD", "hot", "STANDARD", "old", "STANDARD"), listed);
        List<String> versions = new ArrayList<>();
        for (VersionPage.Entry e : att.listVersions(new VersionQuery("", "", "", "", 1000)).versions()) {
            versions.add(e.version().key().value() + "=" + TierMover.storageClass(e.version()));
        }
        assertEquals(List.of("cold=COLD", "hot=STANDARD", "old=STANDARD", "old=COLD"), versions);
        // The bytes come from the repository (no cold tier is needed to read them).
        SnapshotSources without = new SnapshotSources(SnapshotCache.open(dir.resolve("other"), 1 << 20), name -> Optional.empty());
        without.register("att", repo);
        try (InputStream in = without.open(got, 0, got.size())) {
            assertArrayEquals(bytes(1, 50_000), in.readAllBytes());
        }
    }

    @Test
    void aMultiBucketSnapshotNeedsTheBucketNamed() throws Exception {
        fx.bucket("src");
        fx.bucket("other");
        fx.put("src", "k", at(0, true), bytes(1, 10));
        SnapshotExporter.Result r = new SnapshotExporter(repo, fx.data, dir, SnapshotExporter.Options.DEFAULT)
                .snapshot(fx.namespace, List.of(), Optional.empty());
        SnapshotLocator locator = SnapshotLocator.parse(r.locator().toString());
        SnapshotException x = assertThrows(SnapshotException.class, () -> AttachedSnapshot.open("att", repo, locator, Optional.empty(), cache));
        assertEquals(SnapshotException.Reason.INVALID, x.reason());
        assertTrue(x.getMessage().contains("other, src"), x.getMessage());
        x = assertThrows(SnapshotException.class, () -> AttachedSnapshot.open("att", repo, locator, Optional.of("nope"), cache));
        assertEquals(SnapshotException.Reason.INVALID, x.reason());
        assertEquals("src", AttachedSnapshot.open("att", repo, locator, Optional.of("src"), cache).source().name());
    }

    private String locatorOf(AttachedSnapshot att) throws Exception {
        byte[] root = SnapshotReader.readRootBytes(repo, att.root().snapshot());
        return repo.location() + "?snap=" + att.root().snapshot() + "#sha256=" + SnapshotFormat.sha256Hex(root);
    }

    private byte[] read(ObjectVersion v, long offset, long length) throws Exception {
        try (InputStream in = sources.open(v, offset, length)) {
            return in.readAllBytes();
        }
    }

    private void replace(String path, byte[] bytes) {
        repo.delete(path);
        repo.putIfAbsent(path, (o, l) -> new ByteArrayInputStream(bytes, (int) o, (int) l), new SnapshotRepository.Spec(
                bytes.length, List.of(), "application/octet-stream", Map.of(), Optional.empty(), Map.of(), List.of()));
    }
}
