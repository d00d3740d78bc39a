package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Namespace#relocateVersion} and the durable job records that go with it. */
class RelocateVersionTest {
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

    private static ObjectVersion moved(ObjectVersion v, Segment... segments) {
        return new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), v.partCount(), List.of(segments),
                false, v.partChecksums());
    }

    @Test
    void movesTheDataFreesTheOldSegmentsAndFinishesTheJobInOneWrite() {
        Segment hot = segment(10);
        ObjectVersion v = ns.putObject(version("bucket", "k", hot)).version();
        long job = ns.addWork("tier.to-cold", new byte[]{1, 2}, java.time.Instant.EPOCH).id();
        assertEquals(1, ns.work("tier.to-cold", 10).size());
        Segment cold = segment(10);
        assertTrue(ns.relocateVersion(v, moved(v, cold), OptionalLong.of(job)));
        assertEquals(List.of(cold), ns.object(B, key("k")).orElseThrow().segments());
        assertEquals(List.of(cold), ns.version(B, key("k"), "null").orElseThrow().segments());
        assertEquals(List.of(hot), ns.garbage(10).stream().map(GarbageItem::segment).toList());
        assertTrue(ns.work("tier.to-cold", 10).isEmpty());
        ns.close();
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        assertEquals(List.of(cold), ns.object(B, key("k")).orElseThrow().segments());
    }

    @Test
    void aChangedOrDeletedVersionIsNotTouched() {
        ObjectVersion v = ns.putObject(version("bucket", "k", segment(10))).version();
        ns.putObject(version("bucket", "k", segment(10)));   // overwrites the null version
        assertFalse(ns.relocateVersion(v, moved(v, segment(10)), OptionalLong.empty()));
        ObjectVersion now = ns.object(B, key("k")).orElseThrow();
        ns.deleteObject(B, key("k"));
        assertFalse(ns.relocateVersion(now, moved(now, segment(10)), OptionalLong.empty()));
    }

    @Test
    void refusesToChangeSizesOrIdentity() {
        ObjectVersion v = ns.putObject(version("bucket", "k", segment(10))).version();
        assertThrows(IllegalArgumentException.class, () -> ns.relocateVersion(v, moved(v, segment(4), segment(6)),
                OptionalLong.empty()));
    }

    @Test
    void jobsSurviveReopenAndIdsAreNeverReused() {
        long a = ns.addWork("tier.to-cold", new byte[]{7}, java.time.Instant.EPOCH).id();
        long b = ns.addWork("tier.to-cold", new byte[]{8}, java.time.Instant.EPOCH).id();
        ns.removeWork(b);
        ns.close();
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        List<WorkItem> jobs = ns.work("tier.to-cold", 10);
        assertEquals(1, jobs.size());
        assertEquals(a, jobs.getFirst().id());
        assertArrayEquals(new byte[]{7}, jobs.getFirst().payload());
        assertTrue(ns.addWork("tier.to-cold", new byte[0], java.time.Instant.EPOCH).id() > a);
    }
}
