package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectAttributes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotFormatTest {
    private static final SnapshotEntry.Data DATA = new SnapshotEntry.InRepository("8f2a", "data/b/k/@8f2a");

    private static SnapshotEntry entry(ObjectAttributes attributes) {
        return new SnapshotEntry("k", "null", false, Instant.parse("2026-12-06T17:29:58.123456789Z"), 3, "abc",
                "text/plain", Map.of("cache-control", "no-cache"), Map.of("m", "n"), Map.of("CRC32", "AAAAAA==-1"),
                List.of(3L), List.of(Map.of("CRC32", "AAAAAA==")), Optional.of(DATA), attributes);
    }

    @Test
    void aLineCarriesTagsInOrderTheCannedAclAndTheChecksumType() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("zeta", "1");
        tags.put("alpha", "a b&c=d");
        SnapshotEntry e = entry(new ObjectAttributes(tags, "public-read", ChecksumType.COMPOSITE));

        String line = SnapshotFormat.line(e);
        assertTrue(line.contains("\"tags\":[[\"zeta\",\"1\"],[\"alpha\",\"a b&c=d\"]]"), line);
        assertTrue(line.contains("\"acl\":\"public-read\""), line);
        assertTrue(line.contains("\"ckType\":\"COMPOSITE\""), line);
        assertFalse(line.contains("x-amz-"), line);

        SnapshotEntry parsed = SnapshotFormat.parseLine(line);
        assertEquals(e, parsed);
        assertEquals(List.of("zeta", "alpha"), List.copyOf(parsed.attributes().tags().keySet()));
    }

    @Test
    void aDataObjectOfAVersionColdAtTheSourceCarriesItsStorageClassAndAHotOneNone() {
        SnapshotEntry hot = entry(ObjectAttributes.NONE);
        String hotLine = SnapshotFormat.line(hot);
        assertFalse(hotLine.contains("storageClass"), "a STANDARD line is as 1.1 wrote it: " + hotLine);
        assertEquals(hot, SnapshotFormat.parseLine(hotLine));
        SnapshotEntry cold = new SnapshotEntry("k", "null", false, hot.lastModified(), 3, "abc", "text/plain", Map.of(), Map.of(),
                Map.of(), List.of(), List.of(), Optional.of(new SnapshotEntry.InRepository("8f2a", "data/b/k/@8f2a", "GLACIER")));
        String coldLine = SnapshotFormat.line(cold);
        assertTrue(coldLine.contains("\"data\":{\"id\":\"8f2a\",\"path\":\"data/b/k/@8f2a\",\"storageClass\":\"GLACIER\"}"), coldLine);
        assertEquals(cold, SnapshotFormat.parseLine(coldLine));
    }

    @Test
    void aLineWithoutAttributesOmitsTheirFields() {
        String line = SnapshotFormat.line(entry(ObjectAttributes.NONE));
        assertFalse(line.contains("\"tags\"") || line.contains("\"acl\"") || line.contains("\"ckType\""), line);
        assertEquals(ObjectAttributes.NONE, SnapshotFormat.parseLine(line).attributes());
    }

    @Test
    void aFormatOneZeroLineWithPseudoHeadersReadsAsTypedAttributes() {
        String line = "{\"k\":\"k\",\"v\":\"null\",\"dm\":false,\"mtime\":\"2026-12-06T17:29:58.123456789Z\",\"size\":3,"
                + "\"etag\":\"abc\",\"ct\":\"text/plain\",\"h\":{\"cache-control\":\"no-cache\",\"x-amz-acl\":\"public-read\","
                + "\"x-amz-checksum-type\":\"COMPOSITE\",\"x-amz-tagging\":\"split=train&a%26b=c%3Dd\"},\"meta\":{},"
                + "\"ck\":{},\"data\":{\"id\":\"8f2a\",\"path\":\"data/b/k/@8f2a\"}}";

        SnapshotEntry e = SnapshotFormat.parseLine(line);

        assertEquals(Map.of("cache-control", "no-cache"), e.headers());
        assertEquals(List.of("split", "a&b"), List.copyOf(e.attributes().tags().keySet()));
        assertEquals(Map.of("split", "train", "a&b", "c=d"), e.attributes().tags());
        assertEquals("public-read", e.attributes().cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, e.attributes().checksumType());
    }

    @Test
    void malformedAttributeFieldsAreRefused() {
        String good = SnapshotFormat.line(entry(ObjectAttributes.NONE));
        for (String bad : List.of("\"tags\":[[\"a\"]]", "\"tags\":[[\"a\",1]]", "\"acl\":\"Public Read\"", "\"ckType\":\"PARTIAL\"")) {
            String line = good.replace("\"h\":", bad + ",\"h\":");
            assertThrows(IllegalArgumentException.class, () -> SnapshotFormat.parseLine(line), bad);
        }
    }
}
