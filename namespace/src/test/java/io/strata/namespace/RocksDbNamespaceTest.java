package io.strata.namespace;

import static io.strata.namespace.Fixtures.T0;
import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.part;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.segments;
import static io.strata.namespace.Fixtures.upload;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

class RocksDbNamespaceTest {
    private static final BucketName B = bucketName("bucket");

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

    private void reopen() {
        ns.close();
        ns = Namespace.open(dir.resolve("ns"));
    }

    private static void assertReason(Reason reason, Executable call) {
        assertEquals(reason, assertThrows(NamespaceException.class, call).reason());
    }

    private List<Segment> drainGarbage() {
        List<GarbageItem> items = ns.garbage(100_000);
        ns.removeGarbage(items);
        return segments(items);
    }

    // ------------------------------------------------------------------ data references

    private List<Segment> allSegments() {
        List<Segment> out = new ArrayList<>();
        long visited = ns.forEachSegment(out::add);
        assertEquals(out.size(), visited);
        return out;
    }

    @Test
    void forEachSegmentVisitsEveryVersionPartAndGarbageItemButNotDeleteMarkers() {
        ns.createBucket(bucket("versioned"));
        BucketName versioned = bucketName("versioned");
        ns.setVersioning(versioned, BucketVersioning.ENABLED);
        Segment current = segment(10);
        Segment noncurrent = segment(11);
        Segment multiA = segment(12);
        Segment multiB = segment(13);
        ns.putObject(version("versioned", "k", noncurrent));
        ns.putObject(version("versioned", "k", current));
        ns.putObject(version("versioned", "multi", multiA, multiB));
        ns.deleteObject(versioned, key("multi")); // a delete marker over the multipart version
        Segment plain = segment(14);
        Segment overwritten = segment(15);
        ns.putObject(version("bucket", "plain", overwritten));
        ns.putObject(version("bucket", "plain", plain)); // the first one goes to garbage
        ns.createUpload(upload("bucket", "up", "u1", T0));
        Part p1 = part(1);
        Part p2 = part(2);
        ns.putPart(B, key("up"), "u1", p1);
        ns.putPart(B, key("up"), "u1", p2);

        List<Segment> seen = allSegments();
        assertEquals(java.util.Set.of(current, noncurrent, multiA, multiB, plain, overwritten, p1.segment(), p2.segment()),
                java.util.Set.copyOf(seen));
        assertEquals(8, seen.size(), "each referenced once here: " + seen);

        drainGarbage();
        ns.abortUpload(B, key("up"), "u1");  // parts move to the garbage queue
        assertEquals(java.util.Set.of(current, noncurrent, multiA, multiB, plain, p1.segment(), p2.segment()),
                java.util.Set.copyOf(allSegments()));
        drainGarbage();
        ns.deleteVersion(versioned, key("k"), ns.latest(versioned, key("k")).orElseThrow().versionId());
        drainGarbage();
        assertEquals(java.util.Set.of(noncurrent, multiA, multiB, plain), java.util.Set.copyOf(allSegments()));
    }

    @Test
    void forEachSegmentSeesCompletedUploadsAndSurvivesReopen() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        ns.putPart(B, key("big"), "u1", p1);
        ns.completeUpload("u1", version("bucket", "big", p1.segment()));
        reopen();
        assertEquals(List.of(p1.segment()), allSegments());
    }

    @Test
    void forEachSegmentPropagatesTheVisitorsException() {
        ns.putObject(version("bucket", "k"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ns.forEachSegment(s -> { throw new IllegalStateException("stop"); }));
        assertEquals("stop", e.getMessage());
        assertEquals(1, allSegments().size());
    }

    // ------------------------------------------------------------------ buckets

    @Test
    void createdBucketExistsAndIsListedInNameOrder() {
        ns.createBucket(bucket("alpha"));
        ns.createBucket(bucket("zulu"));
        ns.createBucket(bucket("alpha-2"));
        assertEquals(Optional.of(bucket("alpha")), ns.bucket(bucketName("alpha")));
        assertEquals(Optional.empty(), ns.bucket(bucketName("nothing")));
        assertEquals(List.of("alpha", "alpha-2", "bucket", "zulu"),
                ns.buckets().stream().map(b -> b.name().value()).toList());
    }

    @Test
    void creatingAnExistingBucketIsBucketExists() {
        assertReason(Reason.BUCKET_EXISTS, () -> ns.createBucket(bucket("bucket")));
    }

    @Test
    void deletingAMissingBucketIsBucketNotFound() {
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.deleteBucket(bucketName("missing")));
    }

    @Test
    void deletingABucketWithObjectsIsBucketNotEmpty() {
        ns.putObject(version("bucket", "k"));
        assertReason(Reason.BUCKET_NOT_EMPTY, () -> ns.deleteBucket(B));
        ns.deleteObject(B, key("k"));
        ns.deleteBucket(B);
        assertEquals(Optional.empty(), ns.bucket(B));
    }

    @Test
    void objectsOfANeighbouringBucketDoNotMakeABucketNonEmpty() {
        ns.createBucket(bucket("bucket-2"));
        ns.putObject(version("bucket-2", "k"));
        ns.deleteBucket(B);
        assertTrue(ns.object(bucketName("bucket-2"), key("k")).isPresent());
    }

    @Test
    void deletingABucketRemovesItsUploadsAndQueuesTheirParts() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        ns.createUpload(upload("bucket", "other", "u2", T0));
        Part p1 = part(1);
        Part p2 = part(2);
        ns.putPart(B, key("big"), "u1", p1);
        ns.putPart(B, key("other"), "u2", p2);
        ns.deleteBucket(B);
        assertEquals(List.of(p1.segment(), p2.segment()), drainGarbage());
        ns.createBucket(bucket("bucket"));
        assertEquals(Optional.empty(), ns.upload(B, key("big"), "u1"));
        assertTrue(ns.uploads(B, "", "", "", "", 1000).uploads().isEmpty());
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.parts(B, key("big"), "u1", 0, 1000));
    }

    @Test
    void operationsOnAMissingBucketAreBucketNotFound() {
        BucketName missing = bucketName("missing");
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.object(missing, key("k")));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.putObject(version("missing", "k")));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.deleteObject(missing, key("k")));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.list(missing, new ListQuery("", "", "", 10)));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.createUpload(upload("missing", "k", "u", T0)));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.upload(missing, key("k"), "u"));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.parts(missing, key("k"), "u", 0, 10));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.uploads(missing, "", "", "", "", 10));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.completeUpload("u", version("missing", "k")));
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.abortUpload(missing, key("k"), "u"));
        Part p = part(1);
        assertReason(Reason.BUCKET_NOT_FOUND, () -> ns.putPart(missing, key("k"), "u", p));
        assertEquals(List.of(p.segment()), drainGarbage());
    }

    // ------------------------------------------------------------------ objects

    @Test
    void putThenGetReturnsTheVersion() {
        ObjectVersion v = version("bucket", "a/b.txt", segment(3), segment(4));
        assertEquals(Optional.empty(), ns.putObject(v).replaced());
        assertEquals(Optional.of(v), ns.object(B, key("a/b.txt")));
        assertEquals(Optional.empty(), ns.object(B, key("a/b")));
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void overwriteReturnsTheOldVersionAndQueuesExactlyItsSegments() {
        ObjectVersion v1 = version("bucket", "k", segment(1), segment(2));
        ObjectVersion v2 = version("bucket", "k", segment(5));
        ns.putObject(v1);
        assertEquals(Optional.of(v1), ns.putObject(v2).replaced());
        assertEquals(Optional.of(v2), ns.object(B, key("k")));
        assertEquals(v1.segments(), drainGarbage());
    }

    @Test
    void overwriteKeepingASegmentQueuesOnlyTheDroppedOnes() {
        Segment kept = segment(1);
        Segment dropped = segment(2);
        ns.putObject(version("bucket", "k", kept, dropped));
        ns.putObject(version("bucket", "k", kept));
        assertEquals(List.of(dropped), drainGarbage());
    }

    @Test
    void deleteReturnsTheVersionAndQueuesItsSegments() {
        ObjectVersion v = version("bucket", "k", segment(1), segment(2));
        ns.putObject(v);
        assertEquals(Optional.of(v), ns.deleteObject(B, key("k")).removed());
        assertEquals(Optional.empty(), ns.object(B, key("k")));
        assertEquals(v.segments(), drainGarbage());
    }

    @Test
    void deletingAnAbsentKeyIsEmptyAndQueuesNothing() {
        assertEquals(Optional.empty(), ns.deleteObject(B, key("nothing")).removed());
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void keysDifferingOnlyInUnicodeFormOrTrailingBytesAreDistinct() {
        List<String> keys = List.of("é", "e\u0301", "a", "a\u0000", "a/", "a//", "../x", "a\\b", "a b", "a+b", "a%2Fb",
                "line\nbreak", "😀");
        for (String k : keys) ns.putObject(version("bucket", k));
        for (String k : keys) assertEquals(k, ns.object(B, key(k)).orElseThrow().key().value());
        assertEquals(keys.size(), ns.list(B, new ListQuery("", "", "", 1000)).objects().size());
    }

    // ------------------------------------------------------------------ multipart

    @Test
    void createdUploadCanBeReadBack() {
        MultipartUpload u = upload("bucket", "big", "u1", T0);
        ns.createUpload(u);
        assertEquals(Optional.of(u), ns.upload(B, key("big"), "u1"));
        assertEquals(Optional.empty(), ns.upload(B, key("other"), "u1"));
        assertEquals(Optional.empty(), ns.upload(B, key("big"), "u2"));
    }

    @Test
    void partsArePagedInNumberOrder() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        List<Part> all = new ArrayList<>();
        for (int n : new int[] {7, 1, 10_000, 3, 2}) {
            Part p = part(n);
            ns.putPart(B, key("big"), "u1", p);
            all.add(p);
        }
        all.sort((a, b) -> Integer.compare(a.partNumber(), b.partNumber()));
        assertEquals(all, ns.parts(B, key("big"), "u1", 0, 1000));
        assertEquals(all.subList(0, 2), ns.parts(B, key("big"), "u1", 0, 2));
        assertEquals(all.subList(2, 4), ns.parts(B, key("big"), "u1", 2, 2));
        assertEquals(all.subList(4, 5), ns.parts(B, key("big"), "u1", 7, 2));
        assertEquals(List.of(), ns.parts(B, key("big"), "u1", 10_000, 2));
        assertEquals(List.of(), ns.parts(B, key("big"), "u1", 0, 0));
    }

    @Test
    void partsOfUploadsForKeysSharingAPrefixDoNotMix() {
        ns.createUpload(upload("bucket", "a", "u", T0));
        ns.createUpload(upload("bucket", "a\u0000", "u", T0));
        ns.createUpload(upload("bucket", "a", "u\u0000", T0));
        ns.putPart(B, key("a"), "u", part(1));
        ns.putPart(B, key("a\u0000"), "u", part(2));
        ns.putPart(B, key("a"), "u\u0000", part(3));
        assertEquals(List.of(1), ns.parts(B, key("a"), "u", 0, 100).stream().map(Part::partNumber).toList());
        assertEquals(List.of(2), ns.parts(B, key("a\u0000"), "u", 0, 100).stream().map(Part::partNumber).toList());
        assertEquals(List.of(3), ns.parts(B, key("a"), "u\u0000", 0, 100).stream().map(Part::partNumber).toList());
    }

    @Test
    void replacingAPartQueuesTheOldPartsSegment() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part first = part(1);
        Part second = part(1);
        ns.putPart(B, key("big"), "u1", first);
        ns.putPart(B, key("big"), "u1", second);
        assertEquals(List.of(second), ns.parts(B, key("big"), "u1", 0, 10));
        assertEquals(List.of(first.segment()), drainGarbage());
        ns.putPart(B, key("big"), "u1", second); // retried with the same data: nothing to free
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void partForAMissingUploadIsUploadNotFoundAndItsSegmentIsQueued() {
        Part p = part(1);
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.putPart(B, key("big"), "nope", p));
        assertEquals(List.of(p.segment()), drainGarbage());
    }

    @Test
    void completeMakesTheObjectCurrentAndQueuesUnusedPartsAndTheReplacedVersion() {
        ObjectVersion old = version("bucket", "big", segment(9));
        ns.putObject(old);
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        Part p2 = part(2);
        Part p3 = part(3);
        Part p2replaced = part(2);
        for (Part p : List.of(p1, p2replaced, p2, p3)) ns.putPart(B, key("big"), "u1", p);
        drainGarbage(); // p2replaced
        ObjectVersion done = version("bucket", "big", p1.segment(), p3.segment());
        assertEquals(Optional.of(old), ns.completeUpload("u1", done).replaced());
        assertEquals(Optional.of(done), ns.object(B, key("big")));
        assertEquals(Optional.empty(), ns.upload(B, key("big"), "u1"));
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.parts(B, key("big"), "u1", 0, 10));
        List<Segment> garbage = drainGarbage();
        assertEquals(2, garbage.size());
        assertTrue(garbage.containsAll(List.of(p2.segment(), old.segments().get(0))), garbage::toString);
    }

    @Test
    void completingAMissingOrFinishedUploadIsUploadNotFound() {
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.completeUpload("nope", version("bucket", "k")));
        ns.createUpload(upload("bucket", "k", "u1", T0));
        Part p = part(1);
        ns.putPart(B, key("k"), "u1", p);
        ns.completeUpload("u1", version("bucket", "k", p.segment()));
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.completeUpload("u1", version("bucket", "k", p.segment())));
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void completeWithASegmentNoPartHoldsChangesNothing() {
        ns.createUpload(upload("bucket", "k", "u1", T0));
        Part p = part(1);
        ns.putPart(B, key("k"), "u1", p);
        assertThrows(IllegalArgumentException.class, () -> ns.completeUpload("u1", version("bucket", "k", segment(3))));
        assertEquals(List.of(p), ns.parts(B, key("k"), "u1", 0, 10));
        assertEquals(Optional.empty(), ns.object(B, key("k")));
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void abortRemovesTheUploadAndQueuesAllParts() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        Part p2 = part(2);
        ns.putPart(B, key("big"), "u1", p1);
        ns.putPart(B, key("big"), "u1", p2);
        ns.abortUpload(B, key("big"), "u1");
        assertEquals(Optional.empty(), ns.upload(B, key("big"), "u1"));
        assertEquals(List.of(p1.segment(), p2.segment()), drainGarbage());
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.abortUpload(B, key("big"), "u1"));
        Part late = part(3);
        assertReason(Reason.UPLOAD_NOT_FOUND, () -> ns.putPart(B, key("big"), "u1", late));
        assertEquals(List.of(late.segment()), drainGarbage());
    }

    @Test
    void uploadsAreListedByKeyThenInitiationTimeWithMarkers() {
        MultipartUpload a2 = upload("bucket", "a", "zz", T0.plusSeconds(2));
        MultipartUpload a1 = upload("bucket", "a", "yy", T0.plusSeconds(1));
        MultipartUpload a3 = upload("bucket", "a", "aa", T0.plusSeconds(3));
        MultipartUpload b1 = upload("bucket", "b", "xx", T0);
        MultipartUpload d1 = upload("bucket", "dir/x", "ww", T0);
        MultipartUpload d2 = upload("bucket", "dir/y", "vv", T0);
        for (MultipartUpload u : List.of(a2, a1, a3, b1, d1, d2)) ns.createUpload(u);

        UploadPage all = ns.uploads(B, "", "", "", "", 1000);
        assertEquals(List.of(a1, a2, a3, b1, d1, d2), all.uploads());
        assertFalse(all.truncated());

        UploadPage first = ns.uploads(B, "", "", "", "", 2);
        assertEquals(List.of(a1, a2), first.uploads());
        assertTrue(first.truncated());
        assertEquals("a", first.nextKeyMarker());
        assertEquals("zz", first.nextUploadIdMarker());
        UploadPage second = ns.uploads(B, "", "", first.nextKeyMarker(), first.nextUploadIdMarker(), 2);
        assertEquals(List.of(a3, b1), second.uploads());

        assertEquals(List.of(b1, d1, d2), ns.uploads(B, "", "", "a", "", 10).uploads());
        // Upload-id marker that no longer exists: S3's rule, ids of that key lexicographically after it.
        assertEquals(List.of(a2, b1, d1, d2), ns.uploads(B, "", "", "a", "yz", 10).uploads());

        UploadPage delimited = ns.uploads(B, "", "/", "", "", 10);
        assertEquals(List.of(a1, a2, a3, b1), delimited.uploads());
        assertEquals(List.of("dir/"), delimited.commonPrefixes());
        assertEquals(List.of(d1, d2), ns.uploads(B, "dir/", "/", "", "", 10).uploads());
        assertEquals(List.of(), ns.uploads(B, "", "/", "dir/", "", 10).commonPrefixes());
        UploadPage none = ns.uploads(B, "", "", "", "", 0);
        assertTrue(none.uploads().isEmpty());
        assertFalse(none.truncated());
    }

    // ------------------------------------------------------------------ garbage

    @Test
    void garbageIsFifoAndRemovalIsIdempotent() {
        List<Segment> added = List.of(segment(1), segment(2), segment(3));
        ns.addGarbage(added.subList(0, 2));
        ns.addGarbage(added.subList(2, 3));
        List<GarbageItem> items = ns.garbage(10);
        assertEquals(added, segments(items));
        assertTrue(items.get(0).id() < items.get(1).id() && items.get(1).id() < items.get(2).id());
        assertEquals(items.subList(0, 2), ns.garbage(2));
        ns.removeGarbage(items.subList(0, 1));
        ns.removeGarbage(items.subList(0, 1));
        assertEquals(items.subList(1, 3), ns.garbage(10));
        ns.removeGarbage(items);
        assertTrue(ns.garbage(10).isEmpty());
        ns.addGarbage(List.of(segment(4)));
        assertTrue(ns.garbage(10).get(0).id() > items.get(2).id());
    }

    @Test
    void onlySegmentsThatNeedFreeingAreQueuedAsGarbage() {
        ns.close();
        // The data plane's rule, as a test can state it: refs starting with "inline" hold their bytes.
        ns = Namespace.open(dir.resolve("ns"), ChangeLogLimits.DEFAULT, java.time.Clock.systemUTC(), 0,
                s -> !new String(s.ref(), StandardCharsets.UTF_8).startsWith("inline"));
        Segment inline = new Segment(3, "inline-1".getBytes(StandardCharsets.UTF_8));
        Segment blob = segment(4);
        ns.putObject(version("bucket", "small", inline));
        ns.putObject(version("bucket", "small", segment(5)));   // overwrites the inline version
        ns.putObject(version("bucket", "big", blob));
        ns.deleteObject(B, key("big"));
        ns.addGarbage(List.of(new Segment(3, "inline-2".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of(blob), drainGarbage());
    }

    @Test
    void garbageIdsKeepIncreasingAcrossReopenEvenAfterTheQueueEmptied() {
        ns.addGarbage(List.of(segment(1)));
        List<GarbageItem> before = ns.garbage(10);
        ns.removeGarbage(before);
        reopen();
        ns.addGarbage(List.of(segment(2)));
        assertTrue(ns.garbage(10).get(0).id() > before.get(0).id());
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void everythingSurvivesCloseAndReopen() {
        ObjectVersion v = version("bucket", "k", segment(1), segment(2));
        ns.putObject(v);
        ns.putObject(version("bucket", "gone"));
        ns.deleteObject(B, key("gone"));
        MultipartUpload u = upload("bucket", "big", "u1", T0);
        ns.createUpload(u);
        Part p = part(4);
        ns.putPart(B, key("big"), "u1", p);
        List<GarbageItem> garbage = ns.garbage(10);
        reopen();
        assertEquals(List.of(bucket("bucket")), ns.buckets());
        assertEquals(Optional.of(v), ns.object(B, key("k")));
        assertEquals(Optional.empty(), ns.object(B, key("gone")));
        assertEquals(Optional.of(u), ns.upload(B, key("big"), "u1"));
        assertEquals(List.of(p), ns.parts(B, key("big"), "u1", 0, 10));
        assertEquals(List.of(u), ns.uploads(B, "", "", "", "", 10).uploads());
        assertEquals(garbage, ns.garbage(10));
        assertEquals(List.of("k"), ns.list(B, new ListQuery("", "", "", 10)).objects().stream()
                .map(o -> o.key().value()).toList());
    }

    @Test
    void closedNamespaceRefusesCallsAsUnavailable() {
        ns.close();
        assertReason(Reason.UNAVAILABLE, () -> ns.bucket(B));
        assertReason(Reason.UNAVAILABLE, () -> ns.putObject(version("bucket", "k")));
        ns.close(); // idempotent
    }

    @Test
    void openingANamespaceOfAnUnknownFormatIsUnavailable() throws Exception {
        ns.close();
        overwriteFormatVersion(dir.resolve("ns"), (byte) 99);
        assertReason(Reason.UNAVAILABLE, () -> Namespace.open(dir.resolve("ns")));
        ns = Namespace.open(dir.resolve("other"));
    }

    @Test
    void anUnreadableStoredRecordIsUnavailableWithItsCause() throws Exception {
        ns.putObject(version("bucket", "k"));
        ns.close();
        writeRaw(dir.resolve("ns"), "objects", Keys.object(B, key("k")), new byte[] {42, 1, 2});
        ns = Namespace.open(dir.resolve("ns"));
        NamespaceException e = assertThrows(NamespaceException.class, () -> ns.object(B, key("k")));
        assertEquals(Reason.UNAVAILABLE, e.reason());
        assertTrue(e.getCause() instanceof RecordFormatException, String.valueOf(e.getCause()));
        assertReason(Reason.UNAVAILABLE, () -> ns.list(B, new ListQuery("", "", "", 10)));
    }

    /** Writes a foreign format version straight into the meta column family. */
    private static void overwriteFormatVersion(Path path, byte version) throws Exception {
        writeRaw(path, "meta", "format-version".getBytes(StandardCharsets.UTF_8), new byte[] {version});
    }

    /** Writes one row straight into a column family, bypassing the namespace. */
    private static void writeRaw(Path path, String columnFamily, byte[] key, byte[] value) throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : RocksDbNamespace.COLUMN_FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
             RocksDB db = RocksDB.open(options, path.toString(), descriptors, handles)) {
            db.put(handles.get(1 + RocksDbNamespace.COLUMN_FAMILIES.indexOf(columnFamily)), key, value);
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void openCreatesMissingParentDirectories() {
        Path deep = dir.resolve("a/b/c");
        try (Namespace other = Namespace.open(deep)) {
            other.createBucket(bucket("x-bucket"));
            assertEquals(1, other.buckets().size());
        }
        assertTrue(Files.isDirectory(deep));
    }

    @Test
    void userMetadataAndHeadersRoundTripThroughTheStore() {
        ObjectVersion v = new ObjectVersion(B, key("meta"), "null", 0, "e", T0, "text/plain",
                Map.of("content-disposition", "attachment; filename=\"ü.txt\""), Map.of("x", "日本"),
                Map.of("CRC64NVME", "AAAAAAAAAAA="), 0, List.of());
        ns.putObject(v);
        reopen();
        assertEquals(Optional.of(v), ns.object(B, key("meta")));
    }
}
