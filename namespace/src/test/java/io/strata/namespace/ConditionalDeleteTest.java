package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.Namespace.Standing;
import io.strata.namespace.NamespaceException.Reason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Namespace#deleteObjectIf} and {@link Namespace#deleteVersionIf}: a delete that acts only on
 * the exact record the caller read, so a write landing in between (as between the lifecycle worker's
 * listing and its delete) is never lost.
 */
class ConditionalDeleteTest {
    private static final BucketName B = bucketName("bucket");

    @TempDir
    Path dir;
    private RocksDbNamespace ns;

    @BeforeEach
    void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        ns.createBucket(bucket("bucket"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private List<String> etags(String k) {
        return ns.listVersions(B, new VersionQuery(k, "", "", "", 100)).versions().stream()
                .map(e -> e.version().deleteMarker() ? "marker" : e.version().etag()).toList();
    }

    private ObjectVersion put(String k, String etag) {
        ObjectVersion v = version("bucket", k, segment(10));
        return ns.putObject(new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), etag, v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), 0, v.segments())).version();
    }

    @Test
    void aStaleExpectationAfterAnOverwriteOfTheNullVersionChangesNothing() {
        // Same version id ("null") and the same time: only the record tells the two writes apart.
        ObjectVersion read = put("k", "first");
        ObjectVersion overwrite = put("k", "second");
        int garbageBefore = ns.garbage(100).size();

        assertEquals(Optional.empty(), ns.deleteObjectIf(read));

        assertEquals(overwrite, ns.object(B, key("k")).orElseThrow());
        assertEquals(List.of("second"), etags("k"));
        assertEquals(garbageBefore, ns.garbage(100).size(), "nothing was queued for freeing");
    }

    @Test
    void theCurrentRecordIsDeletedAsAPlainDeleteWould() {
        ObjectVersion v = put("k", "e");
        DeleteResult r = ns.deleteObjectIf(v).orElseThrow();
        assertEquals(Optional.of(v), r.removed());
        assertEquals(List.of(), etags("k"));
        assertEquals(v.segments(), Fixtures.segments(ns.garbage(100)));
    }

    @Test
    void inAVersionedBucketTheCurrentRecordGetsADeleteMarker() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v = put("k", "e");
        assertTrue(ns.deleteObjectIf(v).orElseThrow().marker().isPresent());
        assertEquals(List.of("marker", "e"), etags("k"));
        // The newest entry is now the marker: the same expectation no longer holds.
        assertEquals(Optional.empty(), ns.deleteObjectIf(v));
        assertEquals(List.of("marker", "e"), etags("k"));
    }

    @Test
    void aMetadataChangeAfterTheReadStopsTheDelete() {
        ObjectVersion v = put("k", "e");
        assertTrue(ns.replaceVersion(v, v.withHeaders(Map.of("x-strata-tagging", "keep=1"))));
        assertEquals(Optional.empty(), ns.deleteObjectIf(v));
        assertEquals(List.of("e"), etags("k"));
    }

    @Test
    void aDeletedKeyIsANoOp() {
        ObjectVersion v = put("k", "e");
        ns.deleteObject(B, key("k"));
        assertEquals(Optional.empty(), ns.deleteObjectIf(v));
    }

    @Test
    void aNoncurrentVersionIsRemovedOnlyWhileNoncurrent() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion old = put("k", "old");
        ObjectVersion newer = put("k", "new");
        ObjectVersion newest = put("k", "newest");
        assertEquals(Optional.of(newer), ns.deleteVersionIf(newer, Standing.NONCURRENT));
        ns.deleteVersion(B, key("k"), newest.versionId());
        // old is now current: a noncurrent expiration read earlier must not remove it.
        assertEquals(Optional.empty(), ns.deleteVersionIf(old, Standing.NONCURRENT));
        assertEquals(List.of("old"), etags("k"));
        assertEquals(Optional.of(old), ns.deleteVersionIf(old, Standing.ANY));
    }

    @Test
    void aDeleteMarkerIsRemovedOnlyWhileItIsTheOnlyEntry() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion v = put("k", "e");
        ObjectVersion marker = ns.deleteObject(B, key("k")).marker().orElseThrow();
        assertEquals(Optional.empty(), ns.deleteVersionIf(marker, Standing.ONLY_ENTRY));
        ns.deleteVersion(B, key("k"), v.versionId());
        put("k", "again");
        assertEquals(Optional.empty(), ns.deleteVersionIf(marker, Standing.ONLY_ENTRY));
        assertEquals(List.of("again", "marker"), etags("k"));
    }

    @Test
    void aVersionWhoseRecordChangedIsKept() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion old = put("k", "old");
        put("k", "new");
        ObjectVersion tagged = old.withHeaders(Map.of("x-strata-tagging", "a=1"));
        assertTrue(ns.replaceVersion(old, tagged));
        assertEquals(Optional.empty(), ns.deleteVersionIf(old, Standing.NONCURRENT));
        assertEquals(Optional.of(tagged), ns.deleteVersionIf(tagged, Standing.NONCURRENT));
    }

    @Test
    void aMissingBucketIsReported() {
        ObjectVersion v = version("nobucket", "k");
        assertEquals(Reason.BUCKET_NOT_FOUND,
                assertThrows(NamespaceException.class, () -> ns.deleteObjectIf(v)).reason());
        assertEquals(Reason.BUCKET_NOT_FOUND,
                assertThrows(NamespaceException.class, () -> ns.deleteVersionIf(v, Standing.ANY)).reason());
    }
}
