package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Namespace#replaceVersion}: in-place metadata rewrite of one version, compare-and-set. */
class ReplaceVersionTest {
    private static final BucketName B = bucketName("bucket");
    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    private static final Map<String, String> TAGS = Map.of("x-strata-tagging", "a=1");

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

    private int versionCount(String k) {
        return ns.listVersions(B, new VersionQuery(k, "", "", "", 1000)).versions().size();
    }

    @Test
    void rewritesTheCurrentNullVersionWithoutANewVersionAndSurvivesReopen() {
        ObjectVersion v = ns.putObject(version("bucket", "k")).version();
        assertTrue(ns.replaceVersion(v, v.withHeaders(TAGS)));
        assertEquals(TAGS, ns.object(B, key("k")).orElseThrow().headers());
        assertEquals(TAGS, ns.version(B, key("k"), "null").orElseThrow().headers());
        assertEquals(1, versionCount("k"));
        assertTrue(ns.garbage(10).isEmpty());
        ns.close();
        ns = RocksDbNamespace.open(dir.resolve("ns"));
        assertEquals(TAGS, ns.object(B, key("k")).orElseThrow().headers());
    }

    @Test
    void rewritesAnOlderVersionAndLeavesTheCurrentOneAlone() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ObjectVersion old = ns.putObject(version("bucket", "k")).version();
        ObjectVersion current = ns.putObject(version("bucket", "k")).version();
        assertTrue(ns.replaceVersion(old, old.withHeaders(TAGS)));
        assertEquals(TAGS, ns.version(B, key("k"), old.versionId()).orElseThrow().headers());
        assertEquals(current, ns.object(B, key("k")).orElseThrow());
        assertEquals(2, versionCount("k"));
    }

    @Test
    void refusesWhenTheVersionChangedMeanwhile() {
        ObjectVersion first = ns.putObject(version("bucket", "k")).version();
        ObjectVersion second = ns.putObject(version("bucket", "k")).version();   // same id "null", new content
        assertFalse(ns.replaceVersion(first, first.withHeaders(TAGS)));
        assertEquals(second, ns.object(B, key("k")).orElseThrow());
        assertTrue(ns.replaceVersion(second, second.withHeaders(TAGS)));
        assertFalse(ns.replaceVersion(second, second.withHeaders(Map.of())), "stale expectation after a rewrite");
    }

    @Test
    void refusesWhenTheVersionIsGone() {
        ObjectVersion v = ns.putObject(version("bucket", "k")).version();
        ns.deleteObject(B, key("k"));
        assertFalse(ns.replaceVersion(v, v.withHeaders(TAGS)));
        assertTrue(ns.object(B, key("k")).isEmpty());
    }

    @Test
    void refusesDataChangesAndUnknownBuckets() {
        ObjectVersion v = ns.putObject(version("bucket", "k")).version();
        assertThrows(IllegalArgumentException.class, () -> ns.replaceVersion(v, version("bucket", "k")));
        assertThrows(IllegalArgumentException.class, () -> ns.replaceVersion(v, v.withVersionId("other")));
        ObjectVersion elsewhere = version("nobucket", "k");
        NamespaceException e = assertThrows(NamespaceException.class,
                () -> ns.replaceVersion(elsewhere, elsewhere.withHeaders(TAGS)));
        assertEquals(Reason.BUCKET_NOT_FOUND, e.reason());
    }
}
