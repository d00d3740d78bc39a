package io.strata.tiering.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The replica headers read back what the sender wrote, and name the header of anything malformed. */
class StrataReplicaHeadersTest {
    private static final String MD5 = "0123456789abcdef0123456789abcdef";

    @Test
    void whatTheSenderWritesReadsBack() {
        assertEquals(List.of(5L << 20, 7L), StrataReplicaHeaders.partSizes(StrataReplicaHeaders.partSizes(List.of(5L << 20, 7L)),
                (5L << 20) + 7));
        Map<String, String> sums = Map.of("CRC32", "AAAAAA==", "SHA256", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=");
        assertEquals(sums, StrataReplicaHeaders.checksums(StrataReplicaHeaders.checksums(sums), StrataReplicaHeaders.CHECKSUMS));
        List<Map<String, String>> parts = List.of(Map.of("CRC32", "AAAAAA=="), Map.of("CRC32", "AQIDBA=="));
        assertEquals(parts, StrataReplicaHeaders.partChecksums(StrataReplicaHeaders.partChecksums(parts), 2));
        assertEquals(List.of("site-a", "site-b"), StrataReplicaHeaders.sites(StrataReplicaHeaders.sites(List.of("site-b", "site-a"))));
        Instant t = Instant.parse("2026-12-07T02:05:35.123456Z");
        assertEquals(t, StrataReplicaHeaders.lastModified(t.toString()));
        assertEquals(MD5, StrataReplicaHeaders.etag(MD5, 0));
        assertEquals(MD5 + "-2", StrataReplicaHeaders.etag(MD5 + "-2", 2));
        assertEquals(List.of(), StrataReplicaHeaders.partSizes(null, 10));
        assertFalse(StrataReplicaHeaders.deleteMarker(null));
        assertTrue(StrataReplicaHeaders.deleteMarker("true"));
        assertFalse(StrataReplicaHeaders.backfill(null));
        assertFalse(StrataReplicaHeaders.backfill("false"));
        assertTrue(StrataReplicaHeaders.backfill("true"));
        assertEquals("fff9d0b95662edbf0123456789abcdef", StrataReplicaHeaders.versionId("fff9d0b95662edbf0123456789abcdef"));
    }

    @Test
    void malformedValuesAreRefusedNamingTheHeader() {
        Map<String, Supplier<Object>> bad = new java.util.LinkedHashMap<>();
        bad.put(StrataReplicaHeaders.VERSION_ID + " ", () -> StrataReplicaHeaders.versionId("null"));
        bad.put(StrataReplicaHeaders.VERSION_ID + "  ", () -> StrataReplicaHeaders.versionId("7fffffffffffffff0123456789abcdef"));
        bad.put(StrataReplicaHeaders.VERSION_ID, () -> StrataReplicaHeaders.versionId("ffffffffffffffff0123456789abcdef"));
        bad.put(StrataReplicaHeaders.LAST_MODIFIED, () -> StrataReplicaHeaders.lastModified("Mon, 7 Dec 2026 02:05:35 GMT"));
        bad.put(StrataReplicaHeaders.ETAG, () -> StrataReplicaHeaders.etag(MD5 + "-3", 2));
        bad.put(StrataReplicaHeaders.ETAG + " ", () -> StrataReplicaHeaders.etag(MD5 + "-2", 0));
        bad.put(StrataReplicaHeaders.PART_SIZES, () -> StrataReplicaHeaders.partSizes("5,5", 11));
        bad.put(StrataReplicaHeaders.PART_SIZES + " ", () -> StrataReplicaHeaders.partSizes("5,-1", 4));
        bad.put(StrataReplicaHeaders.CHECKSUMS, () -> StrataReplicaHeaders.checksums("CRC32", StrataReplicaHeaders.CHECKSUMS));
        bad.put(StrataReplicaHeaders.CHECKSUMS + " ", () -> StrataReplicaHeaders.checksums("CRC32=A,CRC32=B",
                StrataReplicaHeaders.CHECKSUMS));
        bad.put(StrataReplicaHeaders.PART_CHECKSUMS, () -> StrataReplicaHeaders.partChecksums("CRC32=AAAAAA==", 2));
        bad.put(StrataReplicaHeaders.SITES, () -> StrataReplicaHeaders.sites("site-a,Site B"));
        bad.put(StrataReplicaHeaders.ORIGIN_SITE, () -> StrataReplicaHeaders.site("", StrataReplicaHeaders.ORIGIN_SITE));
        bad.put(StrataReplicaHeaders.DELETE_MARKER, () -> StrataReplicaHeaders.deleteMarker("yes"));
        bad.put(StrataReplicaHeaders.BACKFILL, () -> StrataReplicaHeaders.backfill("1"));
        bad.forEach((header, parse) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse::get, header);
            assertTrue(e.getMessage().contains(header.strip()), e.getMessage());
        });
    }
}
