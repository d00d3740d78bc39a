package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CodecTest {
    private static final BucketName BUCKET = new BucketName("photos");
    private static final ObjectKey KEY = new ObjectKey("2025/é 日本/ünïcode😀.jpg");
    private static final HexFormat HEX = HexFormat.of();

    private static ObjectVersion sampleVersion() {
        return new ObjectVersion(BUCKET, KEY, "null", 7, "abc-2", Instant.ofEpochSecond(1_700_000_000L, 5),
                "image/jpeg", Map.of("cache-control", "max-age=60", "content-encoding", "gzip"),
                Map.of("owner", "ann", "note", "ü"), Map.of("CRC32", "AAAAAA=="), 2,
                List.of(new Segment(3, new byte[] {1, 2, 3}), new Segment(4, new byte[] {0, (byte) 0xFF})));
    }

    private static MultipartUpload sampleUpload() {
        return new MultipartUpload(BUCKET, KEY, "upload-1", Instant.ofEpochSecond(1_700_000_000L, 5), "AKID",
                "text/plain", Map.of("cache-control", "no-cache"), Map.of("a", "b"), "CRC32C");
    }

    private static Part samplePart() {
        return new Part(42, 3, "0123abcd", Instant.ofEpochSecond(1_700_000_000L, 5), Map.of("SHA256", "x="),
                new Segment(3, new byte[] {9, 8, 7}));
    }

    // Bytes written by format version 1; decoding them must keep working when the format moves on.
    private static final String OBJECT_V1 = "01046e756c6c07056162632d32000000006553f100000000050a696d6167652f6a706567"
            + "020d63616368652d636f6e74726f6c0a6d61782d6167653d363010636f6e74656e742d65"
            + "6e636f64696e6704677a697002046e6f746502c3bc056f776e657203616e6e0105435243"
            + "3332084141414141413d3d02020303010203040200ff";
    private static final String BUCKET_V1 = "01000000006553f100000000050975732d656173742d31044f776e72";
    private static final String UPLOAD_V1 = "0120323032352fc3a920e697a5e69cac2fc3bc6ec3af636f6465f09f98802e6a70670875"
            + "706c6f61642d31000000006553f1000000000504414b49440a746578742f706c61696e01"
            + "0d63616368652d636f6e74726f6c086e6f2d6361636865010161016206435243333243";
    // Format 3 of a version (and format 1 of an upload) whose attributes hid in its headers as
    // pseudo-headers: x-amz-acl public-read, x-amz-checksum-type COMPOSITE and x-amz-tagging
    // "project=blue+sky&a%26b=c%3Dd", beside a real cache-control header.
    private static final String OBJECT_V3_PSEUDO_HEADERS = "0300046e756c6c03056162632d31000000006553f100000000050a"
            + "746578742f706c61696e040d63616368652d636f6e74726f6c086e6f2d636163686509782d616d7a2d61636c0b7075"
            + "626c69632d7265616413782d616d7a2d636865636b73756d2d7479706509434f4d504f534954450d782d616d7a2d74"
            + "616767696e671c70726f6a6563743d626c75652b736b792661253236623d632533446401016d016e01054352433332"
            + "0a4141414141413d3d2d31010103030102030101054352433332084141414141413d3d";
    private static final String UPLOAD_V1_PSEUDO_HEADERS = "01016b027531000000006553f1000000000504414b49440a74657874"
            + "2f706c61696e040d63616368652d636f6e74726f6c086e6f2d636163686509782d616d7a2d61636c0b7075626c6963"
            + "2d7265616413782d616d7a2d636865636b73756d2d7479706509434f4d504f534954450d782d616d7a2d746167676"
            + "96e671c70726f6a6563743d626c75652b736b792661253236623d632533446401016d016e054352433332";
    private static final String PART_V1 = "012a083031323361626364000000006553f10000000005010653484132353602783d0303090807";
    private static final String SEGMENT_V1 = "01ac02030001ff";

    @Test
    void objectVersionRoundTrips() {
        ObjectVersion v = sampleVersion();
        assertEquals(v, ObjectVersionCodec.decode(BUCKET, KEY, ObjectVersionCodec.encode(v)));
    }

    @Test
    void objectVersionEncodingIsDeterministicAndStartsWithVersion() {
        byte[] a = ObjectVersionCodec.encode(sampleVersion());
        assertArrayEquals(a, ObjectVersionCodec.encode(sampleVersion()));
        // Without a replication status a version is written in v4, as before v5 existed.
        assertEquals(ObjectVersionCodec.WITHOUT_REPLICATION_STATUS, a[0]);
    }

    @Test
    void aReplicationStatusIsFormatFiveAndRoundTripsAndNoneStaysFormatFour() {
        byte[] plain = ObjectVersionCodec.encode(sampleVersion());
        for (ReplicationStatus status : ReplicationStatus.values()) {
            ObjectVersion v = sampleVersion().withAttributes(sampleVersion().attributes().withReplicationStatus(status));
            byte[] bytes = ObjectVersionCodec.encode(v);
            assertEquals(v, ObjectVersionCodec.decode(BUCKET, KEY, bytes), status.name());
            if (status == ReplicationStatus.NONE) {
                assertArrayEquals(plain, bytes);
            } else {
                assertEquals(ObjectVersionCodec.WITHOUT_SITES, bytes[0]);
                // v5 is v4 with one more byte: the status.
                assertArrayEquals(java.util.Arrays.copyOfRange(plain, 1, plain.length),
                        java.util.Arrays.copyOfRange(bytes, 1, bytes.length - 1));
                assertEquals(status.ordinal(), bytes[bytes.length - 1]);
            }
        }
        byte[] none = ObjectVersionCodec.encode(sampleVersion().withAttributes(
                sampleVersion().attributes().withReplicationStatus(ReplicationStatus.PENDING)));
        none[none.length - 1] = 0;   // NONE is never written in v5
        assertThrows(RuntimeException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, none));
        none[none.length - 1] = 9;
        assertThrows(RuntimeException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, none));
    }

    @Test
    void originSiteAndSitesAreFormatSixAndRoundTripWithEveryStatus() {
        byte[] plain = ObjectVersionCodec.encode(sampleVersion());
        for (ReplicationStatus status : ReplicationStatus.values()) {
            ObjectVersion v = sampleVersion().withAttributes(sampleVersion().attributes().withReplicationStatus(status)
                    .withSites("site-a", List.of("site-b", "site-a")));
            byte[] bytes = ObjectVersionCodec.encode(v);
            assertEquals(ObjectVersionCodec.WITHOUT_WAITING, bytes[0]);
            ObjectVersion back = ObjectVersionCodec.decode(BUCKET, KEY, bytes);
            assertEquals(v, back, status.name());
            assertEquals(List.of("site-a", "site-b"), back.attributes().sites());
            assertEquals("site-a", back.attributes().originSite());
            // v6 is v4, then status, origin and sites: the v4 part is unchanged.
            assertArrayEquals(java.util.Arrays.copyOfRange(plain, 1, plain.length),
                    java.util.Arrays.copyOfRange(bytes, 1, plain.length));
        }
    }

    @Test
    void targetsStillWaitingAreFormatSevenAndRoundTripAfterTheSixFields() {
        ObjectVersion six = sampleVersion().withAttributes(sampleVersion().attributes()
                .withReplicationStatus(ReplicationStatus.PENDING).withSites("site-a", List.of("site-a")));
        byte[] sixBytes = ObjectVersionCodec.encode(six);
        ObjectVersion v = six.withAttributes(six.attributes().withReplication(ReplicationStatus.PENDING, List.of("west", "east", "west")));
        byte[] bytes = ObjectVersionCodec.encode(v);
        assertEquals(ObjectVersionCodec.VERSION, bytes[0]);
        ObjectVersion back = ObjectVersionCodec.decode(BUCKET, KEY, bytes);
        assertEquals(v, back);
        assertEquals(List.of("east", "west"), back.attributes().replicationWaiting());
        // v7 is v6, then the waiting targets: the v6 part is unchanged.
        assertArrayEquals(java.util.Arrays.copyOfRange(sixBytes, 1, sixBytes.length),
                java.util.Arrays.copyOfRange(bytes, 1, sixBytes.length));
        // None waiting: written as before (v5 here), so older gateways read it.
        ObjectVersion done = v.withAttributes(v.attributes().withSites("", List.of())
                .withReplication(ReplicationStatus.COMPLETED, List.of()));
        assertEquals(ObjectVersionCodec.WITHOUT_SITES, ObjectVersionCodec.encode(done)[0]);
        // Tag and ACL rewrites keep the waiting targets.
        assertEquals(List.of("east", "west"), back.attributes().withTags(Map.of("k", "v")).withCannedAcl("public-read")
                .replicationWaiting());
    }

    @Test
    void rewritingTagsOrTheAclKeepsTheReplicationStatus() {
        ObjectAttributes a = ObjectAttributes.NONE.withReplicationStatus(ReplicationStatus.REPLICA);
        assertEquals(ReplicationStatus.REPLICA, a.withTags(Map.of("k", "v")).withCannedAcl("public-read")
                .withChecksumType(ChecksumType.COMPOSITE).replicationStatus());
        assertEquals(ReplicationStatus.NONE, ObjectAttributes.NONE.replicationStatus());
    }

    @Test
    void objectVersionWithPartChecksumsRoundTrips() {
        ObjectVersion base = sampleVersion();
        ObjectVersion v = new ObjectVersion(BUCKET, KEY, base.versionId(), base.size(), base.etag(), base.lastModified(),
                base.contentType(), base.headers(), base.userMetadata(), Map.of("CRC32", "AAAAAA==-2"), 2,
                base.segments(), false, List.of(Map.of("CRC32", "AQIDBA=="), Map.of("CRC32", "BQYHCA==")));
        ObjectVersion decoded = ObjectVersionCodec.decode(BUCKET, KEY, ObjectVersionCodec.encode(v));
        assertEquals(v, decoded);
        assertEquals(List.of(Map.of("CRC32", "AQIDBA=="), Map.of("CRC32", "BQYHCA==")), decoded.partChecksums());
        assertEquals(v, decoded.withVersionId("null"));
    }

    @Test
    void objectVersionDecodesFormatVersionTwoBytes() {
        // v2 is v4 without its attributes (no tags, "private", FULL_OBJECT: 10 bytes here), without
        // the part-checksum count before them (0 here), and with version byte 2.
        byte[] v4 = ObjectVersionCodec.encode(sampleVersion());
        assertArrayEquals(HEX.parseHex("0007" + HEX.formatHex("private".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "00"), java.util.Arrays.copyOfRange(v4, v4.length - 10, v4.length));
        assertEquals(0, v4[v4.length - 11]);
        byte[] v2 = java.util.Arrays.copyOf(v4, v4.length - 11);
        v2[0] = 2;
        assertEquals(sampleVersion(), ObjectVersionCodec.decode(BUCKET, KEY, v2));
    }

    @Test
    void objectVersionDecodesFormatVersionOneBytes() {
        assertEquals(sampleVersion(), ObjectVersionCodec.decode(BUCKET, KEY, HEX.parseHex(OBJECT_V1)));
    }

    @Test
    void objectVersionOfFormatThreeMovesItsPseudoHeadersIntoTypedAttributes() {
        ObjectVersion v = ObjectVersionCodec.decode(BUCKET, new ObjectKey("k"), HEX.parseHex(OBJECT_V3_PSEUDO_HEADERS));
        assertEquals(Map.of("cache-control", "no-cache"), v.headers());
        assertEquals(List.of("project", "a&b"), List.copyOf(v.tags().keySet()));
        assertEquals(Map.of("project", "blue sky", "a&b", "c=d"), v.tags());
        assertEquals("public-read", v.cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, v.checksumType());
        assertEquals(List.of(Map.of("CRC32", "AAAAAA==")), v.partChecksums());
        // Written back, it is format 4 and reads back the same.
        byte[] again = ObjectVersionCodec.encode(v);
        assertEquals(4, again[0]);
        assertEquals(v, ObjectVersionCodec.decode(BUCKET, new ObjectKey("k"), again));
    }

    @Test
    void objectVersionWithoutPseudoHeadersReadsAsPrivateFullObjectWithoutTags() {
        ObjectVersion v = ObjectVersionCodec.decode(BUCKET, KEY, HEX.parseHex(OBJECT_V1));
        assertEquals(ObjectAttributes.NONE, v.attributes());
        assertEquals("private", v.cannedAcl());
        assertEquals(ChecksumType.FULL_OBJECT, v.checksumType());
    }

    @Test
    void objectVersionAttributesRoundTripKeepingTagOrder() {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        tags.put("zeta", "1");
        tags.put("alpha", "");
        tags.put("ü k", "v=w&x");
        ObjectVersion v = sampleVersion().withAttributes(new ObjectAttributes(tags, "bucket-owner-full-control",
                ChecksumType.COMPOSITE));
        ObjectVersion decoded = ObjectVersionCodec.decode(BUCKET, KEY, ObjectVersionCodec.encode(v));
        assertEquals(v, decoded);
        assertEquals(List.of("zeta", "alpha", "ü k"), List.copyOf(decoded.tags().keySet()));
        assertEquals("bucket-owner-full-control", decoded.cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, decoded.checksumType());
    }

    @Test
    void recordsRefusePseudoHeadersAndMalformedAttributes() {
        ObjectVersion base = sampleVersion();
        for (String h : List.of("x-amz-acl", "x-amz-tagging", "x-amz-checksum-type")) {
            assertThrows(IllegalArgumentException.class, () -> base.withHeaders(Map.of(h, "x")));
            assertThrows(IllegalArgumentException.class, () -> new MultipartUpload(BUCKET, KEY, "u", Instant.EPOCH, "o",
                    "t", Map.of(h, "x"), Map.of(), ""));
        }
        assertThrows(IllegalArgumentException.class, () -> ObjectAttributes.NONE.withCannedAcl("Public Read"));
        assertThrows(IllegalArgumentException.class, () -> ObjectAttributes.NONE.withCannedAcl(""));
        byte[] badType = ObjectVersionCodec.encode(base);
        badType[badType.length - 1] = 7;
        assertThrows(RecordFormatException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, badType));
    }

    @Test
    void rewritingTagsKeepsPartChecksumsAndTheOtherAttributes() {
        ObjectVersion base = sampleVersion();
        ObjectVersion v = new ObjectVersion(BUCKET, KEY, base.versionId(), base.size(), base.etag(), base.lastModified(),
                base.contentType(), base.headers(), base.userMetadata(), Map.of("CRC32", "AAAAAA==-2"), 2,
                base.segments(), false, List.of(Map.of("CRC32", "AQIDBA=="), Map.of("CRC32", "BQYHCA==")),
                new ObjectAttributes(Map.of("a", "1"), "public-read", ChecksumType.COMPOSITE));
        ObjectVersion retagged = v.withTags(Map.of("b", "2"));
        assertEquals(Map.of("b", "2"), retagged.tags());
        assertEquals(v.partChecksums(), retagged.partChecksums());
        assertEquals("public-read", retagged.cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, retagged.checksumType());
        assertEquals(v.partChecksums(), v.withHeaders(Map.of()).partChecksums());
    }

    @Test
    void objectVersionDecodesFromASliceOfALargerBuffer() {
        byte[] encoded = ObjectVersionCodec.encode(sampleVersion());
        byte[] buf = new byte[encoded.length + 10];
        System.arraycopy(encoded, 0, buf, 5, encoded.length);
        assertEquals(sampleVersion(), ObjectVersionCodec.decode(BUCKET, KEY, buf, 5, encoded.length));
    }

    @Test
    void bucketRoundTripsAndDecodesFormatVersionOneBytes() {
        Bucket b = new Bucket(BUCKET, Instant.ofEpochSecond(1_700_000_000L, 5), "us-east-1", "Ownr");
        assertEquals(b, BucketCodec.decode(BUCKET, BucketCodec.encode(b)));
        assertEquals(b, BucketCodec.decode(BUCKET, HEX.parseHex(BUCKET_V1)));
    }

    @Test
    void bucketVersioningStateRoundTripsInFormatTwo() {
        for (BucketVersioning state : BucketVersioning.values()) {
            Bucket b = new Bucket(BUCKET, Instant.ofEpochSecond(1_700_000_000L, 5), "us-east-1", "Ownr", state);
            byte[] encoded = BucketCodec.encode(b);
            assertEquals(2, encoded[0]);
            assertEquals(b, BucketCodec.decode(BUCKET, encoded));
        }
        assertEquals(BucketVersioning.UNVERSIONED, BucketCodec.decode(BUCKET, HEX.parseHex(BUCKET_V1)).versioning());
        byte[] badState = BucketCodec.encode(new Bucket(BUCKET, Instant.EPOCH, "r", "o"));
        badState[badState.length - 1] = 9;
        assertThrows(RecordFormatException.class, () -> BucketCodec.decode(BUCKET, badState));
    }

    @Test
    void deleteMarkersAndAssignedIdsRoundTrip() {
        ObjectVersion marker = ObjectVersion.deleteMarker(BUCKET, KEY, VersionIds.assign(42), Instant.ofEpochSecond(7, 8));
        assertEquals(marker, ObjectVersionCodec.decode(BUCKET, KEY, ObjectVersionCodec.encode(marker)));
        ObjectVersion v = sampleVersion().withVersionId(VersionIds.assign(1_700_000_000_000_000L));
        assertEquals(v, ObjectVersionCodec.decode(BUCKET, KEY, ObjectVersionCodec.encode(v)));
        byte[] unknownFlag = ObjectVersionCodec.encode(v);
        unknownFlag[1] = 2;
        assertThrows(RecordFormatException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, unknownFlag));
    }

    @Test
    void versionIdsEncodeTheirOrderNewestFirst() {
        String older = VersionIds.assign(1000);
        String newer = VersionIds.assign(1001);
        assertEquals(1000, VersionIds.order(older));
        assertTrue(newer.compareTo(older) < 0);
        assertTrue(ObjectVersion.isWellFormedVersionId(older) && ObjectVersion.isWellFormedVersionId("null"));
        for (String bad : new String[] {"", "NULL", "Null", older.substring(1), older + "0", older.replace(older.charAt(0), 'g'),
                "ffffffffffffffff0000000000000000" /* order 0 */}) {
            assertTrue(!ObjectVersion.isWellFormedVersionId(bad), bad);
        }
        assertEquals(1_740_830_400_123_456L, VersionIds.nextOrder(Fixtures.T0, 0));
        assertEquals(1_740_830_400_123_457L, VersionIds.nextOrder(Fixtures.T0, 1_740_830_400_123_456L));
    }

    @Test
    void multipartUploadOfFormatOneMovesItsPseudoHeadersIntoTypedAttributes() {
        MultipartUpload u = MultipartUploadCodec.decode(BUCKET, HEX.parseHex(UPLOAD_V1_PSEUDO_HEADERS));
        assertEquals(Map.of("cache-control", "no-cache"), u.headers());
        assertEquals(List.of("project", "a&b"), List.copyOf(u.attributes().tags().keySet()));
        assertEquals(Map.of("project", "blue sky", "a&b", "c=d"), u.attributes().tags());
        assertEquals("public-read", u.attributes().cannedAcl());
        assertEquals(ChecksumType.COMPOSITE, u.checksumType());
        byte[] again = MultipartUploadCodec.encode(u);
        assertEquals(2, again[0]);
        assertEquals(u, MultipartUploadCodec.decode(BUCKET, again));
    }

    @Test
    void multipartUploadRoundTrips() {
        assertEquals(sampleUpload(), MultipartUploadCodec.decode(BUCKET, MultipartUploadCodec.encode(sampleUpload())));
    }

    @Test
    void uploadPartAndSegmentDecodeFormatVersionOneBytes() {
        assertEquals(sampleUpload(), MultipartUploadCodec.decode(BUCKET, HEX.parseHex(UPLOAD_V1)));
        assertEquals(samplePart(), PartCodec.decode(HEX.parseHex(PART_V1)));
        assertEquals(new Segment(300, new byte[] {0, 1, (byte) 0xFF}), SegmentCodec.decode(HEX.parseHex(SEGMENT_V1)));
    }

    @Test
    void partRoundTrips() {
        assertEquals(samplePart(), PartCodec.decode(PartCodec.encode(samplePart())));
    }

    @Test
    void segmentRoundTripsWithEmptyAndBinaryRefs() {
        for (Segment s : List.of(new Segment(0, new byte[0]), new Segment(Long.MAX_VALUE, new byte[] {0, -1, 7}))) {
            assertEquals(s, SegmentCodec.decode(SegmentCodec.encode(s)));
        }
    }

    private static void assertRejectsUnknownVersionAndDamage(byte[] good, Consumer<byte[]> decode) {
        for (int version : new int[] {0, good[0] + 1, 0xFF}) {
            byte[] b = good.clone();
            b[0] = (byte) version;
            RecordFormatException e = assertThrows(RecordFormatException.class, () -> decode.accept(b));
            assertTrue(e.getMessage().contains("format version " + version), e.getMessage());
        }
        assertThrows(RecordFormatException.class, () -> decode.accept(new byte[0]));
        for (int cut = 1; cut < good.length; cut++) {
            byte[] b = java.util.Arrays.copyOf(good, cut);
            assertThrows(RecordFormatException.class, () -> decode.accept(b), "truncated at " + b.length);
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(RecordFormatException.class, () -> decode.accept(longer));
    }

    @Test
    void everyCodecRejectsUnknownVersionsTruncationAndTrailingBytes() {
        // The newest format (v7: with targets waiting), so that its version + 1 is unknown; and v5.
        assertRejectsUnknownVersionAndDamage(ObjectVersionCodec.encode(sampleVersion().withAttributes(
                        sampleVersion().attributes().withReplicationStatus(ReplicationStatus.PENDING)
                                .withSites("site-a", List.of("site-a", "site-b"))
                                .withReplication(ReplicationStatus.PENDING, List.of("west")))),
                b -> ObjectVersionCodec.decode(BUCKET, KEY, b));
        byte[] v5 = ObjectVersionCodec.encode(sampleVersion().withAttributes(
                sampleVersion().attributes().withReplicationStatus(ReplicationStatus.PENDING)));
        for (int cut = 1; cut < v5.length; cut++) {
            byte[] b = java.util.Arrays.copyOf(v5, cut);
            assertThrows(RecordFormatException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, b), "v5 cut at " + cut);
        }
        assertRejectsUnknownVersionAndDamage(BucketCodec.encode(new Bucket(BUCKET, Instant.EPOCH, "r", "o")),
                b -> BucketCodec.decode(BUCKET, b));
        assertRejectsUnknownVersionAndDamage(MultipartUploadCodec.encode(sampleUpload()),
                b -> MultipartUploadCodec.decode(BUCKET, b));
        assertRejectsUnknownVersionAndDamage(PartCodec.encode(samplePart()), PartCodec::decode);
        assertRejectsUnknownVersionAndDamage(SegmentCodec.encode(new Segment(3, new byte[] {1})), SegmentCodec::decode);
    }

    @Test
    void storedValuesTheRecordRefusesAreFormatErrors() {
        // Segments holding 7 bytes but a stored size of 8: the record's own check, reported as a format error.
        byte[] b = ObjectVersionCodec.encode(sampleVersion());
        int sizeAt = 1 + 1 + 1 + 4; // version, flags, len("null")=4 + "null"
        assertEquals(7, b[sizeAt]);
        b[sizeAt] = 8;
        assertThrows(RecordFormatException.class, () -> ObjectVersionCodec.decode(BUCKET, KEY, b));
    }

    @Test
    void varintsRoundTripAtTheirBoundaries() {
        for (long v : new long[] {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE}) {
            byte[] b = new RecordWriter(1).varint(v).toByteArray();
            RecordReader r = new RecordReader(b);
            assertEquals(v, r.varint());
            r.end();
        }
        byte[] tooLong = new byte[11];
        java.util.Arrays.fill(tooLong, (byte) 0x80);
        assertThrows(RecordFormatException.class, () -> new RecordReader(tooLong).varint());
    }
}
