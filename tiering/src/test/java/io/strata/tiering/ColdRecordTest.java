package io.strata.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.strata.namespace.BucketName;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ColdRecordTest {
    private static final List<Segment> SEGMENTS = List.of(new Segment(3, new byte[] {1}), new Segment(2, new byte[] {2}));

    private static ObjectVersion version(Map<String, String> tags) {
        return new ObjectVersion(new BucketName("photos"), new ObjectKey("a/b.png"), ObjectVersion.NULL_VERSION, 5,
                "0123456789abcdef0123456789abcdef-2", Instant.parse("2026-12-06T10:00:00.123456789Z"), "image/png",
                Map.of("cache-control", "no-cache"), Map.of("m", "n"), Map.of("CRC32", "AAAAAA==-2"), 2, SEGMENTS,
                false, List.of(Map.of("CRC32", "AQIDBA=="), Map.of("CRC32", "BQYHCA==")),
                new ObjectAttributes(tags, "public-read", ChecksumType.COMPOSITE));
    }

    @Test
    void theSidecarRecordCarriesTheTypedAttributesAndRebuildsThemInTagOrder() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 12; i >= 1; i--) tags.put("k" + i, "v " + i + "&=");
        ObjectVersion v = version(tags);

        ColdMetadata m = ColdRecord.of(v);
        assertEquals("public-read", m.record().get("acl"));
        assertEquals("COMPOSITE", m.record().get("checksum-type"));
        assertEquals("k12", m.record().get("tag.1.key"));
        assertFalse(m.record().keySet().stream().anyMatch(k -> k.startsWith("header.x-amz-")), m.record().toString());

        ObjectVersion rebuilt = ColdRecord.toVersion(m, 5, SEGMENTS);
        assertEquals(v, rebuilt);
        assertEquals(List.copyOf(tags.keySet()), List.copyOf(rebuilt.tags().keySet()), "ten and more tags keep their order");
    }

    @Test
    void aSidecarWrittenWithPseudoHeadersStillRebuildsTheTypedAttributes() {
        // The record as sidecars were written before the attributes had fields of their own.
        Map<String, String> old = new TreeMap<>(ColdRecord.of(version(Map.of())).record());
        old.keySet().removeIf(k -> k.equals("acl") || k.equals("checksum-type") || k.startsWith("tag."));
        old.put("header.x-amz-acl", "public-read");
        old.put("header.x-amz-checksum-type", "COMPOSITE");
        old.put("header.x-amz-tagging", "project=blue+sky&a%26b=c%3Dd");
        ColdMetadata m = new ColdMetadata("image/png", Map.of("m", "n"), old);

        ObjectVersion rebuilt = ColdRecord.toVersion(m, 5, SEGMENTS);

        assertEquals(Map.of("cache-control", "no-cache"), rebuilt.headers());
        assertEquals(List.of("project", "a&b"), List.copyOf(rebuilt.tags().keySet()));
        assertEquals(Map.of("project", "blue sky", "a&b", "c=d"), rebuilt.tags());
        assertEquals("public-read", rebuilt.cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, rebuilt.checksumType());
    }
}
