package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** PutObject, GetObject, HeadObject, DeleteObject, metadata, digests, checksums and conditions. */
class ObjectTest extends GatewayTest {
    private static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = createBucket("objects");
    }

    @Test
    void putGetHeadDeleteRoundTrip() {
        byte[] data = TestData.bytes(1, 1024 * 1024 + 7);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

        PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key("round/trip.bin"), RequestBody.fromBytes(data));
        assertEquals("\"" + TestData.md5Hex(data) + "\"", put.eTag(), "ETag of a single-part object is its MD5");

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("round/trip.bin"));
        assertEquals(TestData.sha256(data), TestData.sha256(got.asByteArray()), "bytes read back");
        assertEquals(put.eTag(), got.response().eTag());
        assertEquals(data.length, got.response().contentLength());

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("round/trip.bin"));
        assertEquals(data.length, head.contentLength());
        assertEquals(put.eTag(), head.eTag());
        assertTrue(head.lastModified().isAfter(before), "Last-Modified " + head.lastModified());
        assertTrue(head.lastModified().isBefore(Instant.now().plusSeconds(60)), "Last-Modified " + head.lastModified());

        s3.deleteObject(b -> b.bucket(bucket).key("round/trip.bin"));
        assertS3Error(404, "NoSuchKey", () -> s3.getObject(b -> b.bucket(bucket).key("round/trip.bin")));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("round/trip.bin")));
    }

    @Test
    void emptyObjectRoundTrips() {
        PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key("empty"), RequestBody.empty());
        assertEquals("\"d41d8cd98f00b204e9800998ecf8427e\"", put.eTag());
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("empty"));
        assertEquals(0, got.asByteArray().length);
        assertEquals(0L, got.response().contentLength());
    }

    @Test
    void overwriteReplacesContentAndMetadata() {
        s3.putObject(b -> b.bucket(bucket).key("over").metadata(Map.of("version", "one")), RequestBody.fromString("first version"));
        s3.putObject(b -> b.bucket(bucket).key("over").metadata(Map.of("version", "two")), RequestBody.fromString("second"));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("over"));
        assertEquals("second", got.asUtf8String());
        assertEquals(Map.of("version", "two"), got.response().metadata());
    }

    @Test
    void getMissingKeyIsNoSuchKeyAndDeleteMissingKeySucceeds() {
        assertS3Error(404, "NoSuchKey", () -> s3.getObject(b -> b.bucket(bucket).key("never/was")));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("never/was")));
        // S3's DeleteObject is idempotent: deleting a missing key answers 204.
        assertEquals(204, s3.deleteObject(b -> b.bucket(bucket).key("never/was")).sdkHttpResponse().statusCode());
    }

    @Test
    void userMetadataAndContentHeadersRoundTrip() {
        Instant expires = Instant.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
        Map<String, String> metadata = Map.of("color", "blue", "multi-word-name", "Hello World");
        s3.putObject(b -> b.bucket(bucket).key("headers.txt")
                        .metadata(metadata)
                        .contentType("text/plain; charset=utf-8")
                        .contentEncoding("gzip")
                        .contentDisposition("attachment; filename=\"report.txt\"")
                        .contentLanguage("de-CH")
                        .cacheControl("max-age=3600, must-revalidate")
                        .expires(expires),
                RequestBody.fromString("not really gzip, stored as is"));

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("headers.txt"));
        assertEquals(metadata, head.metadata(), "x-amz-meta-* on HEAD");
        assertEquals("text/plain; charset=utf-8", head.contentType());
        // The SDK sends "Content-Encoding: gzip,aws-chunked"-style values on streaming uploads; only
        // the user's encoding may be stored (aws-chunked is transfer framing).
        assertEquals("gzip", head.contentEncoding());
        assertEquals("attachment; filename=\"report.txt\"", head.contentDisposition());
        assertEquals("de-CH", head.contentLanguage());
        assertEquals("max-age=3600, must-revalidate", head.cacheControl());
        assertEquals(expires, head.expires(), "Expires (raw: " + head.expiresString() + ")");

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("headers.txt"));
        assertEquals("not really gzip, stored as is", got.asUtf8String());
        GetObjectResponse get = got.response();
        assertEquals(metadata, get.metadata(), "x-amz-meta-* on GET");
        assertEquals("text/plain; charset=utf-8", get.contentType());
        assertEquals("gzip", get.contentEncoding());
        assertEquals("attachment; filename=\"report.txt\"", get.contentDisposition());
        assertEquals("de-CH", get.contentLanguage());
        assertEquals("max-age=3600, must-revalidate", get.cacheControl());
        assertEquals(expires, get.expires());
    }

    @Test
    void putWithCorrectContentMd5Succeeds() {
        byte[] data = TestData.bytes(2, 4096);
        s3.putObject(b -> b.bucket(bucket).key("md5-ok").contentMD5(TestData.md5Base64(data)), RequestBody.fromBytes(data));
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("md5-ok")).asByteArray());
    }

    @Test
    void putWithWrongContentMd5IsBadDigest() {
        byte[] data = TestData.bytes(3, 4096);
        String otherMd5 = TestData.md5Base64(TestData.bytes(4, 4096));
        assertS3Error(400, "BadDigest", () ->
                s3.putObject(b -> b.bucket(bucket).key("md5-bad").contentMD5(otherMd5), RequestBody.fromBytes(data)));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("md5-bad")));
    }

    @Test
    void putWithMalformedContentMd5IsInvalidDigest() {
        assertS3Error(400, "InvalidDigest", () ->
                s3.putObject(b -> b.bucket(bucket).key("md5-malformed").contentMD5("bm90LWFuLW1kNQ=="), RequestBody.fromString("x")));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("md5-malformed")));
    }

    /** The SDK's default: a CRC32 in an aws-chunked trailer, stored and returned in checksum mode. */
    @Test
    void defaultCrc32ChecksumIsStoredAndReturned() {
        byte[] data = TestData.bytes(5, 300_000);
        String crc32 = TestData.crc32Base64(data);
        PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key("crc32"), RequestBody.fromBytes(data));
        assertEquals(crc32, put.checksumCRC32(), "x-amz-checksum-crc32 on the PUT response");

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("crc32").checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(data, got.asByteArray());
        assertEquals(crc32, got.response().checksumCRC32(), "x-amz-checksum-crc32 on GET in checksum mode");
        assertEquals(crc32, s3.headObject(b -> b.bucket(bucket).key("crc32").checksumMode(ChecksumMode.ENABLED)).checksumCRC32(),
                "x-amz-checksum-crc32 on HEAD in checksum mode");
    }

    @Test
    void everyChecksumAlgorithmIsVerifiedAndStored() {
        byte[] data = TestData.bytes(6, 70_000);
        for (ChecksumAlgorithm algorithm : new ChecksumAlgorithm[] {
                ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C, ChecksumAlgorithm.SHA1,
                ChecksumAlgorithm.SHA256}) { // CRC64NVME needs the CRT in the Java SDK; the CLI scripts cover it
            String key = "checksum-" + algorithm;
            PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key(key).checksumAlgorithm(algorithm), RequestBody.fromBytes(data));
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            String sent = switch (algorithm) {
                case CRC32 -> put.checksumCRC32();
                case CRC32_C -> put.checksumCRC32C();
                case SHA1 -> put.checksumSHA1();
                case SHA256 -> put.checksumSHA256();
                default -> throw new AssertionError(algorithm);
            };
            String stored = switch (algorithm) {
                case CRC32 -> head.checksumCRC32();
                case CRC32_C -> head.checksumCRC32C();
                case SHA1 -> head.checksumSHA1();
                case SHA256 -> head.checksumSHA256();
                default -> throw new AssertionError(algorithm);
            };
            assertNotNull(sent, algorithm + " checksum echoed on the PUT response");
            assertEquals(sent, stored, algorithm + " checksum returned by HEAD in checksum mode");
            assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(), algorithm + " bytes");
        }
    }

    @Test
    void putWithWrongChecksumIsRejectedAndStoresNothing() {
        byte[] data = TestData.bytes(7, 5000);
        String wrong = TestData.crc32Base64(TestData.bytes(8, 5000));
        assertS3Error(400, "BadDigest", () ->
                s3.putObject(b -> b.bucket(bucket).key("crc-bad").checksumCRC32(wrong), RequestBody.fromBytes(data)));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("crc-bad")));
    }

    @Test
    void unknownAmzRequestHeadersAreIgnored() {
        s3.putObject(b -> b.bucket(bucket).key("unknown-header")
                        .overrideConfiguration(o -> o.putHeader("x-amz-strata-conformance-unknown", "ignore me")
                                .putHeader("x-amz-request-payer", "requester")),
                RequestBody.fromString("fine"));
        assertEquals("fine", s3.getObjectAsBytes(b -> b.bucket(bucket).key("unknown-header")
                .overrideConfiguration(o -> o.putHeader("x-amz-strata-conformance-unknown", "still ignored"))).asUtf8String());
    }

    @Test
    void conditionalGetAndHead() {
        PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key("conditional"), RequestBody.fromString("conditional body"));
        String etag = put.eTag();
        Instant modified = s3.headObject(b -> b.bucket(bucket).key("conditional")).lastModified();
        Instant earlier = modified.minus(Duration.ofHours(1));

        // If-Match
        assertEquals("conditional body", s3.getObjectAsBytes(b -> b.bucket(bucket).key("conditional").ifMatch(etag)).asUtf8String());
        assertS3Error(412, "PreconditionFailed", () -> s3.getObject(b -> b.bucket(bucket).key("conditional").ifMatch("\"0123456789abcdef0123456789abcdef\"")));
        assertS3Error(412, null, () -> s3.headObject(b -> b.bucket(bucket).key("conditional").ifMatch("\"0123456789abcdef0123456789abcdef\"")));
        s3.headObject(b -> b.bucket(bucket).key("conditional").ifMatch(etag));

        // If-None-Match
        assertS3Error(304, null, () -> s3.getObject(b -> b.bucket(bucket).key("conditional").ifNoneMatch(etag)));
        assertS3Error(304, null, () -> s3.headObject(b -> b.bucket(bucket).key("conditional").ifNoneMatch(etag)));
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("conditional").ifNoneMatch("\"0123456789abcdef0123456789abcdef\""));

        // If-Modified-Since
        assertS3Error(304, null, () -> s3.getObject(b -> b.bucket(bucket).key("conditional").ifModifiedSince(modified)));
        assertS3Error(304, null, () -> s3.headObject(b -> b.bucket(bucket).key("conditional").ifModifiedSince(modified)));
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("conditional").ifModifiedSince(earlier));

        // If-Unmodified-Since
        assertS3Error(412, "PreconditionFailed", () -> s3.getObject(b -> b.bucket(bucket).key("conditional").ifUnmodifiedSince(earlier)));
        assertS3Error(412, null, () -> s3.headObject(b -> b.bucket(bucket).key("conditional").ifUnmodifiedSince(earlier)));
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("conditional").ifUnmodifiedSince(modified));

        // S3's precedence rules: If-Match true wins over If-Unmodified-Since false (200), and
        // If-None-Match false with If-Modified-Since true is 304.
        s3.getObjectAsBytes(b -> b.bucket(bucket).key("conditional").ifMatch(etag).ifUnmodifiedSince(earlier));
        assertS3Error(304, null, () -> s3.getObject(b -> b.bucket(bucket).key("conditional").ifNoneMatch(etag).ifModifiedSince(earlier)));
    }

    /** Objects up to storage.inline-threshold (64 KiB by default) live in the metadata store: every path must serve them. */
    @Test
    void smallObjectsAroundTheInlineThresholdRoundTripByRangeCopyAndChecksum() {
        for (int size : new int[]{1, 4096, 16 << 10, 64 << 10, (64 << 10) + 1}) {
            byte[] data = TestData.bytes(size, size);
            String key = "small/" + size;
            PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                    RequestBody.fromBytes(data));
            assertEquals("\"" + TestData.md5Hex(data) + "\"", put.eTag(), key);
            assertEquals(TestData.crc32Base64(data), put.checksumCRC32(), key);
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(data, got.asByteArray(), key);
            assertEquals(TestData.crc32Base64(data), got.response().checksumCRC32(), key);
            int from = size / 3;
            int to = Math.max(from, size - 2);
            byte[] range = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=" + from + "-" + to)).asByteArray();
            assertArrayEquals(java.util.Arrays.copyOfRange(data, from, to + 1), range, key);
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(key + ".copy"));
            assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + ".copy")).asByteArray(), key);
            assertEquals(size, s3.headObject(b -> b.bucket(bucket).key(key + ".copy")).contentLength());
            s3.deleteObject(b -> b.bucket(bucket).key(key));
            assertS3Error(404, "NoSuchKey", () -> s3.getObject(b -> b.bucket(bucket).key(key)));
            assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key + ".copy")).asByteArray(), key);
        }
    }

    @Test
    void serverSideEncryptionIsRefusedUntilItExistsAndNothingIsStoredInPlainText() throws Exception {
        String bucket = createBucket("sse-refused");
        S3Exception sse = assertS3Error(501, "NotImplemented", () -> s3.putObject(b -> b.bucket(bucket).key("s3")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256),
                RequestBody.fromString("secret")));
        assertTrue(sse.getMessage().contains("encryption"), sse.getMessage());
        assertS3Error(501, "NotImplemented", () -> s3.putObject(b -> b.bucket(bucket).key("kms")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId("alias/anything"), RequestBody.fromString("secret")));
        assertS3Error(501, "NotImplemented", () -> s3.createMultipartUpload(b -> b.bucket(bucket).key("mpu")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256)));
        // SSE-C: the SDK insists on HTTPS for customer keys, so the headers go out on a raw signed request.
        byte[] key = new byte[32];
        RawRequest.Response ssec = RawRequest.of("PUT", "/" + bucket + "/ssec").body("secret")
                .header("x-amz-server-side-encryption-customer-algorithm", "AES256")
                .header("x-amz-server-side-encryption-customer-key", java.util.Base64.getEncoder().encodeToString(key))
                .header("x-amz-server-side-encryption-customer-key-md5",
                        java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(key)))
                .send(server);
        assertEquals(501, ssec.status(), ssec.text());
        assertEquals("NotImplemented", ssec.errorCode());
        s3.putObject(b -> b.bucket(bucket).key("plain"), RequestBody.fromString("x"));
        assertS3Error(501, "NotImplemented", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("plain")
                .destinationBucket(bucket).destinationKey("copy")
                .serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256)));
        assertEquals(java.util.List.of("plain"), s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList());
        assertEquals(0, s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().size());
    }
}
