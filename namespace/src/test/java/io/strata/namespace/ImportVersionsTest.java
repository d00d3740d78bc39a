package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Namespace#importVersions}: versions written elsewhere, kept with their identity. */
class ImportVersionsTest {
    private static final BucketName SRC = bucketName("source");
    private static final BucketName DST = bucketName("dest");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    @BeforeEach
    void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        ns.createBucket(bucket("source"));
        ns.createBucket(bucket("dest"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private static ObjectVersion at(BucketName b, String k, Instant t) {
        return new ObjectVersion(b, key(k), ObjectVersion.NULL_VERSION, 10, "etag-" + t.getNano(), t, "text/plain",
                Map.of("cache-control", "no-cache"), Map.of("m", k), Map.of("CRC32", "AAAAAA=="), 0, List.of(segment(10)));
    }

    /** A source with several keys: versions, delete markers, a null version between assigned ones. */
    private List<ObjectVersion> source() {
        Instant t = Fixtures.T0;
        ns.setVersioning(SRC, BucketVersioning.ENABLED);
        for (int i = 0; i < 3; i++) ns.putObject(at(SRC, "a", t.plusSeconds(i)));
        ns.deleteObject(SRC, key("a"));
        ns.putObject(at(SRC, "b", t.plusSeconds(10)));
        ns.setVersioning(SRC, BucketVersioning.SUSPENDED);
        ns.putObject(at(SRC, "b", t.plusSeconds(20)));
        ns.setVersioning(SRC, BucketVersioning.ENABLED);
        ns.putObject(at(SRC, "b", t.plusSeconds(30)));
        ns.putObject(at(SRC, "c", t.plusSeconds(40)));
        return ns.listVersions(SRC, new VersionQuery("", "", "", "", 1000)).versions().stream()
                .map(VersionPage.Entry::version).toList();
    }

    private static List<ObjectVersion> in(BucketName b, List<ObjectVersion> versions) {
        return versions.stream().map(v -> new ObjectVersion(b, v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(), v.segments(), v.deleteMarker(),
                v.partChecksums(), v.attributes())).toList();
    }

    private VersionPage versions(BucketName b) {
        return ns.listVersions(b, new VersionQuery("", "", "", "", 1000));
    }

    @Test
    void importedVersionsListExactlyAsAtTheirSourceInWhateverOrderTheyArrive() {
        List<ObjectVersion> source = source();
        List<ObjectVersion> shuffled = new ArrayList<>(in(DST, source));
        Collections.shuffle(shuffled, new Random(7));
        assertEquals(shuffled.size(), ns.importVersions(DST, shuffled.subList(0, 3)) + ns.importVersions(DST,
                shuffled.subList(3, shuffled.size())));
        VersionPage want = versions(SRC);
        VersionPage got = versions(DST);
        assertEquals(in(DST, want.versions().stream().map(VersionPage.Entry::version).toList()),
                got.versions().stream().map(VersionPage.Entry::version).toList());
        assertEquals(want.versions().stream().map(VersionPage.Entry::latest).toList(),
                got.versions().stream().map(VersionPage.Entry::latest).toList());
        // The current object of each key is the newest entry: none behind a delete marker.
        assertEquals(Optional.empty(), ns.object(DST, key("a")));
        assertTrue(ns.latest(DST, key("a")).orElseThrow().deleteMarker());
        for (String k : List.of("b", "c")) {
            assertEquals(in(DST, List.of(ns.object(SRC, key(k)).orElseThrow())).getFirst(), ns.object(DST, key(k)).orElseThrow());
        }
        ObjectVersion nullVersion = ns.version(SRC, key("b"), ObjectVersion.NULL_VERSION).orElseThrow();
        assertEquals(in(DST, List.of(nullVersion)).getFirst(), ns.version(DST, key("b"), ObjectVersion.NULL_VERSION).orElseThrow());
    }

    @Test
    void importingAgainWritesNothingAndChangesNothing() {
        List<ObjectVersion> versions = in(DST, source());
        ns.importVersions(DST, versions);
        VersionPage before = versions(DST);
        assertEquals(0, ns.importVersions(DST, versions));
        assertEquals(0, ns.importVersions(DST, List.of(versions.getFirst(), versions.getFirst())));
        assertEquals(before, versions(DST));
        assertTrue(ns.garbage(10).isEmpty());
    }

    @Test
    void aPutAfterAnImportIsTheNewestVersion() {
        ns.setVersioning(DST, BucketVersioning.ENABLED);
        ns.importVersions(DST, in(DST, source()));
        ObjectVersion put = ns.putObject(at(DST, "c", Fixtures.T0)).version();
        assertEquals(put, ns.object(DST, key("c")).orElseThrow());
        assertEquals(put.versionId(), versions(DST).versions().stream().filter(e -> e.version().key().value().equals("c"))
                .findFirst().orElseThrow().version().versionId());
    }

    @Test
    void refusesAMissingBucketAnotherBucketsVersionAndAnUnassignedId() {
        List<ObjectVersion> versions = source();
        assertEquals(NamespaceException.Reason.BUCKET_NOT_FOUND, assertThrows(NamespaceException.class,
                () -> ns.importVersions(bucketName("missing"), in(bucketName("missing"), versions))).reason());
        assertThrows(IllegalArgumentException.class, () -> ns.importVersions(DST, versions));
        assertThrows(IllegalArgumentException.class, () -> ns.importVersions(DST,
                List.of(in(DST, versions).getFirst().withVersionId("not-an-id"))));
        assertTrue(versions(DST).versions().isEmpty());
    }
}
