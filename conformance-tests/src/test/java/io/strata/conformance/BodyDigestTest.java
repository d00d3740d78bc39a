package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Every digest a PUT or UploadPart body owes is summed once and shared by each check that needs it
 * (the ETag's MD5 and Content-MD5; a signed payload's SHA-256 and x-amz-checksum-sha256; a trailing
 * checksum and the stored one), and every check still answers as S3 does and stores nothing when it
 * fails. Sizes cover an inline object, one under the pipelined hashing threshold (1 MiB) and one above.
 */
class BodyDigestTest extends GatewayTest {
    private static final int[] SIZES = {10_000, 300_000, 3 << 20};
    private static String bucket;

    @BeforeAll
    static void setUp() {
        bucket = createBucket("body-digests");
    }

    private static String sha256Base64(byte[] data) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(TestData.sha256(data)));
    }

    private static void assertNothingStored(String key) {
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key(key)));
    }

    @Test
    void aSignedPayloadsSha256IsStoredAsItsChecksumSha256() throws Exception {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size, size);
            String key = "signed-sha256-" + size;
            RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/" + key)
                    .header("x-amz-checksum-sha256", sha256Base64(data)).body(data).send(server);
            assertEquals(200, put.status(), put::toString);
            assertEquals("\"" + TestData.md5Hex(data) + "\"", put.header("ETag").orElseThrow());
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            assertEquals(sha256Base64(data), head.checksumSHA256(), "size " + size);
            assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        }
    }

    @Test
    void aSignedPayloadWithAnotherChecksumSha256IsBadDigestAndStoresNothing() throws Exception {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size + 1, size);
            String key = "signed-wrong-sha256-" + size;
            RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/" + key)
                    .header("x-amz-checksum-sha256", sha256Base64(TestData.bytes(size + 2, size))).body(data).send(server);
            assertEquals(400, put.status(), put::toString);
            assertEquals("BadDigest", put.errorCode());
            assertNothingStored(key);
        }
    }

    @Test
    void aSignedPayloadThatIsNotTheSignedOneIsXAmzContentSha256MismatchAndStoresNothing() throws Exception {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size + 3, size);
            String key = "signed-mismatch-" + size;
            RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/" + key)
                    .payloadHash(TestData.sha256(TestData.bytes(size + 4, size)))
                    .header("x-amz-checksum-sha256", sha256Base64(data)).body(data).send(server);
            assertEquals(400, put.status(), put::toString);
            assertEquals("XAmzContentSHA256Mismatch", put.errorCode());
            assertNothingStored(key);
        }
    }

    @Test
    void aWrongContentMd5IsBadDigestAndStoresNothing() {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size + 5, size);
            String key = "md5-" + size;
            String wrong = TestData.md5Base64(TestData.bytes(size + 6, size));
            assertS3Error(400, "BadDigest", () -> s3.putObject(b -> b.bucket(bucket).key(key).contentMD5(wrong),
                    RequestBody.fromBytes(data)));
            assertNothingStored(key);
            PutObjectResponse ok = s3.putObject(b -> b.bucket(bucket).key(key).contentMD5(TestData.md5Base64(data)),
                    RequestBody.fromBytes(data));
            assertEquals("\"" + TestData.md5Hex(data) + "\"", ok.eTag());
        }
    }

    /** An unsigned-trailer aws-chunked body of {@code data} in 64 KiB chunks, with the given CRC32 trailer. */
    private static byte[] chunked(byte[] data, String crc32) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += 65536) {
            int n = Math.min(65536, data.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("0\r\nx-amz-checksum-crc32:" + crc32 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static RawRequest putChunked(String path, byte[] data, String crc32) {
        return RawRequest.of("PUT", path).payloadHash("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
                .header("Content-Encoding", "aws-chunked").header("x-amz-trailer", "x-amz-checksum-crc32")
                .header("x-amz-decoded-content-length", Integer.toString(data.length))
                .body(chunked(data, crc32));
    }

    @Test
    void aTrailingChecksumThatDoesNotMatchIsBadDigestAndStoresNothing() throws Exception {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size + 7, size);
            String key = "trailer-" + size;
            RawRequest.Response bad = putChunked("/" + bucket + "/" + key, data,
                    TestData.crc32Base64(TestData.bytes(size + 8, size))).send(server);
            assertEquals(400, bad.status(), bad::toString);
            assertEquals("BadDigest", bad.errorCode());
            assertNothingStored(key);

            RawRequest.Response ok = putChunked("/" + bucket + "/" + key, data, TestData.crc32Base64(data)).send(server);
            assertEquals(200, ok.status(), ok::toString);
            assertEquals(TestData.crc32Base64(data), ok.header("x-amz-checksum-crc32").orElseThrow());
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            assertEquals(TestData.crc32Base64(data), head.checksumCRC32());
            assertEquals("\"" + TestData.md5Hex(data) + "\"", head.eTag());
        }
    }

    @Test
    void aPartWithATrailingChecksumThatDoesNotMatchIsBadDigestAndIsNotListed() throws Exception {
        String key = "mp-trailer";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
        byte[] data = TestData.bytes(9, 3 << 20);
        RawRequest.Response bad = putChunked("/" + bucket + "/" + key, data, TestData.crc32Base64(TestData.bytes(10, 10)))
                .query("partNumber", "1").query("uploadId", uploadId).send(server);
        assertEquals(400, bad.status(), bad::toString);
        assertEquals("BadDigest", bad.errorCode());
        assertTrue(s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts().isEmpty());

        RawRequest.Response ok = putChunked("/" + bucket + "/" + key, data, TestData.crc32Base64(data))
                .query("partNumber", "1").query("uploadId", uploadId).send(server);
        assertEquals(200, ok.status(), ok::toString);
        var parts = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts();
        assertEquals(1, parts.size());
        assertEquals(TestData.crc32Base64(data), parts.get(0).checksumCRC32());
        assertEquals("\"" + TestData.md5Hex(data) + "\"", parts.get(0).eTag());
    }

    @Test
    void theSdksDefaultSignedChunksWithTrailerStoreTheirChecksumsAndSha256() {
        for (int size : SIZES) {
            byte[] data = TestData.bytes(size + 11, size);
            String key = "sdk-" + size;
            for (ChecksumAlgorithm algorithm : new ChecksumAlgorithm[] {ChecksumAlgorithm.CRC32, ChecksumAlgorithm.SHA256}) {
                PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key(key).checksumAlgorithm(algorithm),
                        RequestBody.fromBytes(data));
                assertEquals("\"" + TestData.md5Hex(data) + "\"", put.eTag());
                HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
                if (algorithm == ChecksumAlgorithm.CRC32) {
                    assertEquals(TestData.crc32Base64(data), head.checksumCRC32(), "size " + size);
                } else {
                    assertEquals(sha256Base64(data), head.checksumSHA256(), "size " + size);
                }
            }
        }
    }
}
