package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version orders carry the writing site's number, so that sites replicating to each other agree on a
 * key's current version: the greatest (clock time, site), whichever replica arrives first.
 */
class SiteOrderTest {
    private static final BucketName B = bucketName("photos");
    private static final ObjectKey K = key("k");

    @TempDir
    Path dir;
    private final List<RocksDbNamespace> open = new java.util.ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(RocksDbNamespace::close);
    }

    private RocksDbNamespace site(String name, int number) {
        RocksDbNamespace ns = RocksDbNamespace.open(dir.resolve(name), RocksDbNamespace.Settings.DEFAULT,
                Clock.systemUTC(), ChangeLogLimits.DEFAULT, number);
        open.add(ns);
        ns.createBucket(bucket("photos"));
        ns.setVersioning(B, BucketVersioning.ENABLED);
        return ns;
    }

    private static ObjectVersion write(Namespace ns, Instant at, String etag) {
        ObjectVersion v = new ObjectVersion(B, K, ObjectVersion.NULL_VERSION, 10, etag, at, "text/plain", Map.of(),
                Map.of(), Map.of(), 0, List.of(segment(10)));
        return ns.putObject(v).version();
    }

    private static List<String> versionIds(Namespace ns) {
        return ns.listVersions(B, new VersionQuery("", "", "", "", 1000)).versions().stream()
                .map(e -> e.version().versionId()).toList();
    }

    private static String current(Namespace ns) {
        return ns.object(B, K).orElseThrow().versionId();
    }

    @Test
    void ordersCarryTheSiteNumberInTheirLowBitsAndAreBumpedInWholeSlots() {
        Instant t = Fixtures.T0;
        long micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        for (int site : new int[]{0, 1, 7, 1023}) {
            long first = VersionIds.nextOrder(t, 0, site);
            assertEquals(site, VersionIds.site(first));
            assertEquals(micros & ~1023L, first & ~1023L);
            // A newest order ahead of the clock (a replica from a faster clock, an old plain order): just past it.
            for (long newest : new long[]{first, first + 5, micros + 10_000_000, micros + 10_000_000 + 1023}) {
                long next = VersionIds.nextOrder(t, newest, site);
                assertEquals(site, VersionIds.site(next), "site " + site + " after " + newest);
                assertTrue(next > newest && next <= newest + 1024, "site " + site + " after " + newest + ": " + next);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> VersionIds.nextOrder(t, 0, 1024));
    }

    @Test
    void concurrentWritesOfOneKeyAtTwoSitesEndWithTheSameCurrentVersionWhicheverArrivesFirst() {
        RocksDbNamespace a = site("a", 1);
        RocksDbNamespace b = site("b", 2);
        // Two more sites receive both versions, in opposite orders.
        RocksDbNamespace c = site("c", 3);
        RocksDbNamespace d = site("d", 4);
        Instant t = Fixtures.T0;
        // The same microsecond at both sites: only the site tells them apart, and site 2 is greater.
        ObjectVersion atA = write(a, t, "etag-a");
        ObjectVersion atB = write(b, t, "etag-b");
        a.importVersions(B, List.of(atB));
        b.importVersions(B, List.of(atA));
        c.importVersions(B, List.of(atA));
        c.importVersions(B, List.of(atB));
        d.importVersions(B, List.of(atB));
        d.importVersions(B, List.of(atA));
        for (Namespace ns : List.of(a, b, c, d)) {
            assertEquals(atB.versionId(), current(ns));
            assertEquals(List.of(atB.versionId(), atA.versionId()), versionIds(ns));
        }
    }

    @Test
    void aWriteAtASlowerClockAfterSeeingAReplicaStillComesAfterIt() {
        RocksDbNamespace a = site("a", 1);
        RocksDbNamespace b = site("b", 2);
        ObjectVersion atA = write(a, Fixtures.T0, "etag-a");
        b.importVersions(B, List.of(atA));
        // B's clock is 5 s behind A's: its write follows the replica it has seen (the clock is hybrid).
        ObjectVersion atB = write(b, Fixtures.T0.minusSeconds(5), "etag-b");
        a.importVersions(B, List.of(atB));
        for (Namespace ns : List.of(a, b)) {
            assertEquals(atB.versionId(), current(ns));
            assertEquals(List.of(atB.versionId(), atA.versionId()), versionIds(ns));
        }
        // Concurrent writes (neither has seen the other): the later clock wins, then the greater site.
        ObjectVersion a2 = write(a, Fixtures.T0.plusSeconds(60), "etag-a2");
        ObjectVersion b2 = write(b, Fixtures.T0.plusSeconds(55), "etag-b2");
        b.importVersions(B, List.of(a2));
        a.importVersions(B, List.of(b2));
        assertEquals(a2.versionId(), current(a));
        assertEquals(a2.versionId(), current(b));
        assertEquals(versionIds(a), versionIds(b));
    }

    @Test
    void aReplicaWhoseOrderCollidesWithAnotherVersionIsRefusedNamingTheSiteNumber() {
        RocksDbNamespace a = site("a", 5);
        RocksDbNamespace b = site("b", 5);
        ObjectVersion atA = write(a, Fixtures.T0, "etag-a");
        write(b, Fixtures.T0, "etag-b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.importVersions(B, List.of(atA)));
        assertTrue(e.getMessage().contains("site.number 5"), e.getMessage());
        assertEquals(1, versionIds(b).size());
    }
}
