package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.Namespace.Standing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conditional version mutations (replaceVersion, relocateVersion, deleteObjectIf,
 * deleteVersionIf) share one compare-and-set with one definition of "the same version": the whole
 * record. Each must refuse an expectation that differs from the stored record in any single field,
 * and apply to the record exactly as stored.
 */
class VersionCompareAndSetTest {
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

    /** A conditional mutation; returns whether it wrote. */
    @FunctionalInterface
    private interface Op {
        boolean apply(RocksDbNamespace ns, ObjectVersion expected);
    }

    private static Map<String, Op> ops() {
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("replaceVersion", (ns, e) -> ns.replaceVersion(e, e.withHeaders(Map.of("cache-control", "no-store"))));
        ops.put("relocateVersion", (ns, e) -> ns.relocateVersion(e, withSegments(e, List.of(segment(e.size()))),
                OptionalLong.empty()));
        ops.put("deleteObjectIf", (ns, e) -> ns.deleteObjectIf(e).isPresent());
        ops.put("deleteVersionIf", (ns, e) -> ns.deleteVersionIf(e, Standing.ANY).isPresent());
        return ops;
    }

    private static ObjectVersion withSegments(ObjectVersion v, List<Segment> segments) {
        return new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(), segments);
    }

    /** The stored record changed in exactly one field, as a caller's older read of it would be. */
    private static Map<String, UnaryOperator<ObjectVersion>> oneFieldChanged() {
        Map<String, UnaryOperator<ObjectVersion>> out = new LinkedHashMap<>();
        out.put("last-modified", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified().plusNanos(1), v.contentType(), v.headers(), v.userMetadata(), v.checksums(),
                v.partCount(), v.segments()));
        out.put("etag", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), "0123456789abcdef",
                v.lastModified(), v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(),
                v.segments()));
        out.put("content-type", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified(), "text/plain", v.headers(), v.userMetadata(), v.checksums(), v.partCount(),
                v.segments()));
        out.put("headers", v -> v.withHeaders(Map.of("cache-control", "no-cache")));
        out.put("user-metadata", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified(), v.contentType(), v.headers(), Map.of("k", "other"), v.checksums(), v.partCount(),
                v.segments()));
        out.put("checksums", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified(), v.contentType(), v.headers(), v.userMetadata(), Map.of("CRC32", "AAAAAA=="),
                v.partCount(), v.segments()));
        out.put("part-count", v -> new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(),
                v.lastModified(), v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount() + 2,
                v.segments()));
        out.put("segments", v -> withSegments(v, List.of(segment(v.size()))));
        return out;
    }

    @Test
    void everyConditionalMutationRefusesARecordThatDiffersInAnyOneField() {
        for (Map.Entry<String, Op> op : ops().entrySet()) {
            for (Map.Entry<String, UnaryOperator<ObjectVersion>> change : oneFieldChanged().entrySet()) {
                String k = op.getKey() + "-" + change.getKey();
                ObjectVersion stored = ns.putObject(version("bucket", k)).version();
                ObjectVersion stale = change.getValue().apply(stored);
                assertNotEquals(stored, stale, change.getKey());

                assertFalse(op.getValue().apply(ns, stale), op.getKey() + " applied to a record whose "
                        + change.getKey() + " differs");
                assertEquals(Optional.of(stored), ns.version(B, key(k), ObjectVersion.NULL_VERSION), k);
                assertEquals(Optional.of(stored), ns.object(B, key(k)), k);
            }
        }
    }

    @Test
    void everyConditionalMutationAppliesToTheRecordAsStored() {
        for (Map.Entry<String, Op> op : ops().entrySet()) {
            String k = op.getKey();
            ObjectVersion stored = ns.putObject(version("bucket", k)).version();

            assertTrue(op.getValue().apply(ns, stored), op.getKey());
            assertNotEquals(Optional.of(stored), ns.version(B, key(k), ObjectVersion.NULL_VERSION), k);
        }
    }
}
