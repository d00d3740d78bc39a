package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.segments;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** Object versioning in the namespace: states, ids, delete markers, permanent deletes, the null version, upgrade. */
class VersioningTest {
    private static final BucketName B = bucketName("bucket");
    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    @BeforeEach
    void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"), RocksDbNamespace.Settings.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));
        ns.createBucket(bucket("bucket"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private List<Segment> drainGarbage() {
        List<GarbageItem> items = ns.garbage(100_000);
        ns.removeGarbage(items);
        return segments(items);
    }

    private List<String> ids(String k) {
        List<String> out = new ArrayList<>();
        for (VersionPage.Entry e : ns.listVersions(B, new VersionQuery(k, "", "", "", 1000)).versions()) {
            if (e.version().key().value().equals(k)) out.add((e.version().deleteMarker() ? "DM:" : "") + e.version().versionId());
        }
        return out;
    }

    @Test
    void bucketsStartUnversionedAndTheStateIsStoredAndSurvivesReopen() {
        assertEquals(BucketVersioning.UNVERSIONED, ns.bucket(B).orElseThrow().versioning());
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ns.setVersioning(B, BucketVersioning.SUSPENDED);
        ns.close();
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        assertEquals(BucketVersioning.SUSPENDED, ns.bucket(B).orElseThrow().versioning());
        assertThrows(IllegalArgumentException.class, () -> ns.setVersioning(B, BucketVersioning.UNVERSIONED));
        assertEquals(Reason.BUCKET_NOT_FOUND, assertThrows(NamespaceException.class,
                () -> ns.setVersioning(bucketName("missing"), BucketVersioning.ENABLED)).reason());
    }

    @Test
    void unversionedPutsAreTheNullVersionAndListAsOne() {
        ns.putObject(version("bucket", "k"));
        ObjectVersion second = version("bucket", "k");
        assertEquals(ObjectVersion.NULL_VERSION, ns.putObject(second).version().versionId());
        assertEquals(List.of("null"), ids("k"));
        assertEquals(Optional.of(second), ns.version(B, key("k"), "null"));
    }

    @Test
    void enabledPutsGetNewSortableIdsAndKeepEveryVersion() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v1 = version("bucket", "k", segment(1));
        ObjectVersion v2 = version("bucket", "k", segment(2));
        PutResult r1 = ns.putObject(v1);
        PutResult r2 = ns.putObject(v2);   // same lastModified: the order is bumped, never equal
        String id1 = r1.version().versionId();
        String id2 = r2.version().versionId();
        assertTrue(ObjectVersion.isWellFormedVersionId(id1) && id1.matches("[0-9a-f]{32}"), id1);
        assertTrue(id2.compareTo(id1) < 0, "newer id sorts first: " + id2 + " vs " + id1);
        assertEquals(Optional.empty(), r2.replaced());
        assertEquals(List.of(id2, id1), ids("k"));
        assertEquals(Optional.of(v1.withVersionId(id1)), ns.version(B, key("k"), id1));
        assertEquals(Optional.of(v2.withVersionId(id2)), ns.object(B, key("k")));
        assertTrue(ns.garbage(10).isEmpty(), "nothing is freed while versions are kept");
    }

    @Test
    void unknownAndMalformedIdsFindNothing() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        String id = ns.putObject(version("bucket", "k")).version().versionId();
        String sameOrderOtherRandom = id.substring(0, 16) + (id.charAt(16) == '0' ? '1' : '0') + id.substring(17);
        assertEquals(Optional.empty(), ns.version(B, key("k"), sameOrderOtherRandom));
        assertEquals(Optional.empty(), ns.version(B, key("other"), id));
        assertEquals(Optional.empty(), ns.version(B, key("k"), "null"));
        assertEquals(Optional.empty(), ns.version(B, key("k"), "not-an-id"));
        assertFalse(ObjectVersion.isWellFormedVersionId("not-an-id"));
        assertFalse(ObjectVersion.isWellFormedVersionId(id.toUpperCase()));
        assertEquals(Optional.empty(), ns.deleteVersion(B, key("k"), sameOrderOtherRandom));
        assertEquals(1, ids("k").size());
    }

    @Test
    void deleteInAnEnabledBucketAddsAMarkerThatHidesTheKey() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v = version("bucket", "k");
        String id = ns.putObject(v).version().versionId();
        DeleteResult d = ns.deleteObject(B, key("k"));
        ObjectVersion marker = d.marker().orElseThrow();
        assertTrue(marker.deleteMarker());
        assertEquals(NOW, marker.lastModified());
        assertEquals(Optional.empty(), d.removed());
        assertEquals(Optional.empty(), ns.object(B, key("k")));
        assertEquals(Optional.of(marker), ns.latest(B, key("k")));
        assertEquals(List.of("DM:" + marker.versionId(), id), ids("k"));
        assertTrue(ns.list(B, new ListQuery("", "", "", 10)).objects().isEmpty(), "plain listings skip the key");
        // A delete of an absent key still adds a marker, as S3 does.
        assertTrue(ns.deleteObject(B, key("never")).marker().isPresent());
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void deletingTheNewestVersionForGoodMakesTheNextCurrent() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v1 = version("bucket", "k", segment(1));
        ObjectVersion v2 = version("bucket", "k", segment(2));
        String id1 = ns.putObject(v1).version().versionId();
        String id2 = ns.putObject(v2).version().versionId();
        assertEquals(Optional.of(v2.withVersionId(id2)), ns.deleteVersion(B, key("k"), id2));
        assertEquals(v2.segments(), drainGarbage());
        assertEquals(Optional.of(v1.withVersionId(id1)), ns.object(B, key("k")));
        assertEquals(List.of("k"), ns.list(B, new ListQuery("", "", "", 10)).objects().stream().map(o -> o.key().value()).toList());
        assertEquals(Optional.of(v1.withVersionId(id1)), ns.deleteVersion(B, key("k"), id1));
        assertEquals(Optional.empty(), ns.latest(B, key("k")));
        assertEquals(List.of(), ids("k"));
    }

    @Test
    void deletingAMarkerForGoodRestoresThePreviousVersion() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v = version("bucket", "k");
        String id = ns.putObject(v).version().versionId();
        String marker = ns.deleteObject(B, key("k")).marker().orElseThrow().versionId();
        ObjectVersion removed = ns.deleteVersion(B, key("k"), marker).orElseThrow();
        assertTrue(removed.deleteMarker());
        assertEquals(Optional.of(v.withVersionId(id)), ns.object(B, key("k")));
    }

    @Test
    void deletingAnOlderVersionLeavesTheCurrentOne() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v1 = version("bucket", "k", segment(1));
        String id1 = ns.putObject(v1).version().versionId();
        ObjectVersion v2 = version("bucket", "k", segment(2));
        String id2 = ns.putObject(v2).version().versionId();
        ns.deleteVersion(B, key("k"), id1);
        assertEquals(v1.segments(), drainGarbage());
        assertEquals(Optional.of(v2.withVersionId(id2)), ns.object(B, key("k")));
    }

    @Test
    void suspendedPutReplacesTheNullVersionWhereverItIsAndBecomesNewest() {
        ObjectVersion nullV = version("bucket", "k", segment(1));
        ns.putObject(nullV);                                    // unversioned: the null version
        ns.setVersioning(B, BucketVersioning.ENABLED);
        String id = ns.putObject(version("bucket", "k", segment(2))).version().versionId();
        assertEquals(List.of(id, "null"), ids("k"));
        ns.setVersioning(B, BucketVersioning.SUSPENDED);
        ObjectVersion replacement = version("bucket", "k", segment(3));
        PutResult r = ns.putObject(replacement);
        assertEquals("null", r.version().versionId());
        assertEquals(Optional.of(nullV), r.replaced());
        assertEquals(nullV.segments(), drainGarbage());
        assertEquals(List.of("null", id), ids("k"));
        assertEquals(Optional.of(replacement), ns.object(B, key("k")));
    }

    @Test
    void suspendedDeleteReplacesTheNullVersionWithANullMarker() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        String id = ns.putObject(version("bucket", "k", segment(1))).version().versionId();
        ns.setVersioning(B, BucketVersioning.SUSPENDED);
        ObjectVersion nullV = version("bucket", "k", segment(2));
        ns.putObject(nullV);
        DeleteResult d = ns.deleteObject(B, key("k"));
        assertEquals(Optional.of(nullV), d.removed());
        assertEquals("null", d.marker().orElseThrow().versionId());
        assertEquals(nullV.segments(), drainGarbage());
        assertEquals(List.of("DM:null", id), ids("k"));
        // A second delete replaces the null marker with a new one: still one entry above the version.
        ns.deleteObject(B, key("k"));
        assertEquals(List.of("DM:null", id), ids("k"));
        assertTrue(ns.version(B, key("k"), "null").orElseThrow().deleteMarker());
    }

    @Test
    void completedUploadsGetVersionIdsToo() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ns.createUpload(Fixtures.upload("bucket", "big", "u1", Fixtures.T0));
        Part p = Fixtures.part(1);
        ns.putPart(B, key("big"), "u1", p);
        PutResult r = ns.completeUpload("u1", version("bucket", "big", p.segment()));
        assertTrue(VersionIds.isAssigned(r.version().versionId()));
        assertEquals(Optional.of(r.version()), ns.version(B, key("big"), r.version().versionId()));
    }

    @Test
    void aBucketWithOnlyDeleteMarkersOrOldVersionsIsNotEmpty() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ns.deleteObject(B, key("k"));
        assertEquals(Reason.BUCKET_NOT_EMPTY, assertThrows(NamespaceException.class, () -> ns.deleteBucket(B)).reason());
        String marker = ns.latest(B, key("k")).orElseThrow().versionId();
        ns.deleteVersion(B, key("k"), marker);
        ns.deleteBucket(B);
        assertEquals(Optional.empty(), ns.bucket(B));
    }

    @Test
    void listingPagesWithKeyAndVersionMarkersAndMarksTheLatest() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        List<String> a = new ArrayList<>();
        for (int i = 0; i < 3; i++) a.add(0, ns.putObject(version("bucket", "a")).version().versionId());
        String b = ns.putObject(version("bucket", "b")).version().versionId();
        VersionPage p1 = ns.listVersions(B, new VersionQuery("", "", "", "", 2));
        assertEquals(List.of(a.get(0), a.get(1)), p1.versions().stream().map(e -> e.version().versionId()).toList());
        assertEquals(List.of(true, false), p1.versions().stream().map(VersionPage.Entry::latest).toList());
        assertTrue(p1.truncated());
        assertEquals("a", p1.nextKeyMarker());
        assertEquals(a.get(1), p1.nextVersionIdMarker());
        VersionPage p2 = ns.listVersions(B, new VersionQuery("", "", p1.nextKeyMarker(), p1.nextVersionIdMarker(), 2));
        assertEquals(List.of(a.get(2), b), p2.versions().stream().map(e -> e.version().versionId()).toList());
        assertEquals(List.of(false, true), p2.versions().stream().map(VersionPage.Entry::latest).toList());
        assertFalse(p2.truncated());
        VersionPage afterA = ns.listVersions(B, new VersionQuery("", "", "a", "", 10));
        assertEquals(List.of(b), afterA.versions().stream().map(e -> e.version().versionId()).toList());
        assertThrows(IllegalArgumentException.class, () -> new VersionQuery("", "", "", a.get(0), 10));
        assertThrows(IllegalArgumentException.class, () -> new VersionQuery("", "", "a", "bad", 10));
    }

    @Test
    void aFormatOneNamespaceIsUpgradedWithItsObjectsAsNullVersions() throws Exception {
        ns.close();
        Path old = dir.resolve("v1");
        List<String> v1Families = List.of("meta", "buckets", "objects", "uploads", "upload-order", "parts", "garbage");
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (String name : v1Families) descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        ObjectVersion a = version("bucket", "a/ü");
        ObjectVersion b = version("bucket", "b");
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, old.toString(), descriptors, handles)) {
            db.put(handles.get(1), "format-version".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            // Format 1 bytes: bucket codec v1 and object codec v1, as the previous release wrote them.
            db.put(handles.get(2), Keys.bucket(B), java.util.HexFormat.of().parseHex(
                    "01" + "0000000067c2f6c0" + "075bcd15" + "0975732d656173742d31" + "0b414b49444558414d504c45"));
            for (ObjectVersion v : List.of(a, b)) {
                byte[] current = ObjectVersionCodec.encode(v);
                // drop the v2 flags byte, the v3 part-checksum count (0: no part checksums) and the v4
                // attributes (no tags, "private", FULL_OBJECT: 10 bytes)
                int attributes = 10;
                byte[] v1 = new byte[current.length - 2 - attributes];
                v1[0] = 1;
                System.arraycopy(current, 2, v1, 1, current.length - 3 - attributes);
                db.put(handles.get(3), Keys.object(B, v.key()), v1);
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
        ns = RocksDbNamespace.open(old);
        assertEquals(bucket("bucket"), ns.bucket(B).orElseThrow());
        assertEquals(Optional.of(a), ns.object(B, a.key()));
        assertEquals(Optional.of(b), ns.version(B, key("b"), "null"));
        VersionPage page = ns.listVersions(B, new VersionQuery("", "", "", "", 10));
        assertEquals(List.of("a/ü", "b"), page.versions().stream().map(e -> e.version().key().value()).toList());
        assertTrue(page.versions().stream().allMatch(VersionPage.Entry::latest));
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ns.putObject(version("bucket", "b"));
        assertEquals(2, ids("b").size());
        assertEquals("null", ids("b").get(1));
        ns.close();
        ns = RocksDbNamespace.open(old);   // reopening an upgraded namespace does not migrate again
        assertEquals(2, ids("b").size());
        assertNotEquals(List.of(), ns.buckets());
    }
}
