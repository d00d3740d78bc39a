package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Flexible checksums on multipart uploads as the AWS SDK for Java v2 sends them: COMPOSITE and
 * FULL_OBJECT types, per-part checksums checked on completion, and the object checksum returned on
 * Complete, HEAD and GET (where the SDK validates a FULL_OBJECT one).
 */
class MultipartChecksumTest extends GatewayTest {
    private static final int MIB = 1024 * 1024;

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32_C"})
    void compositeChecksumIsTheChecksumOfThePartChecksums(ChecksumAlgorithm algorithm) {
        String bucket = createBucket("mp-composite");
        byte[][] parts = {TestData.bytes(71, 5 * MIB), TestData.bytes(72, 1000)};
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(algorithm));
        assertEquals(algorithm, created.checksumAlgorithm());
        assertEquals(ChecksumType.COMPOSITE, created.checksumType(), "COMPOSITE is the default for " + algorithm);
        List<CompletedPart> completed = uploadParts(bucket, created.uploadId(), algorithm, parts);

        ListPartsResponse listed = s3.listParts(b -> b.bucket(bucket).key("k").uploadId(created.uploadId()));
        assertEquals(ChecksumType.COMPOSITE, listed.checksumType());
        for (int i = 0; i < parts.length; i++) {
            assertEquals(crc(algorithm, parts[i]), checksumOf(algorithm, listed.parts().get(i).checksumCRC32(),
                    listed.parts().get(i).checksumCRC32C()), "ListParts checksum of part " + (i + 1));
        }

        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(created.uploadId()).multipartUpload(m -> m.parts(completed)));
        String expected = composite(algorithm, parts) + "-2";
        assertEquals(expected, checksumOf(algorithm, done.checksumCRC32(), done.checksumCRC32C()));
        assertEquals(ChecksumType.COMPOSITE, done.checksumType());

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertEquals(expected, checksumOf(algorithm, head.checksumCRC32(), head.checksumCRC32C()));
        assertEquals(ChecksumType.COMPOSITE, head.checksumType());
        var attributes = s3.getObjectAttributes(b -> b.bucket(bucket).key("k")
                .objectAttributes(software.amazon.awssdk.services.s3.model.ObjectAttributes.CHECKSUM));
        assertEquals(ChecksumType.COMPOSITE, attributes.checksum().checksumType());
        // The SDK does not validate a composite checksum, but it must still accept the response.
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(MultipartTest.concat(parts), got.asByteArray());
        assertEquals(expected, checksumOf(algorithm, got.response().checksumCRC32(), got.response().checksumCRC32C()));
        ResponseBytes<GetObjectResponse> part = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(parts[1], part.asByteArray());
        assertEquals(crc(algorithm, parts[1]), checksumOf(algorithm, part.response().checksumCRC32(), part.response().checksumCRC32C()));
        // Without checksum mode, no checksum is sent.
        assertNull(s3.headObject(b -> b.bucket(bucket).key("k")).checksumCRC32());
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32_C"})
    void fullObjectChecksumIsTheCrcOfTheWholeObjectAndTheSdkValidatesIt(ChecksumAlgorithm algorithm) {
        String bucket = createBucket("mp-full-object");
        byte[][] parts = {TestData.bytes(73, 5 * MIB), TestData.bytes(74, 5 * MIB + 17), TestData.bytes(75, 3)};
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumAlgorithm(algorithm).checksumType(ChecksumType.FULL_OBJECT));
        assertEquals(ChecksumType.FULL_OBJECT, created.checksumType());
        List<CompletedPart> completed = uploadParts(bucket, created.uploadId(), algorithm, parts);
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(created.uploadId()).multipartUpload(m -> m.parts(completed)));
        byte[] whole = MultipartTest.concat(parts);
        String expected = crc(algorithm, whole);
        assertEquals(expected, checksumOf(algorithm, done.checksumCRC32(), done.checksumCRC32C()));
        assertEquals(ChecksumType.FULL_OBJECT, done.checksumType());

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertEquals(expected, checksumOf(algorithm, head.checksumCRC32(), head.checksumCRC32C()));
        assertEquals(ChecksumType.FULL_OBJECT, head.checksumType());
        // The SDK computes the CRC of the body it receives and fails the call if it differs.
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(whole, got.asByteArray());
        assertEquals(expected, checksumOf(algorithm, got.response().checksumCRC32(), got.response().checksumCRC32C()));

        // One part by partNumber, checksum mode on: that part's own checksum, validated by the SDK.
        for (int n = 1; n <= parts.length; n++) {
            int number = n;
            ResponseBytes<GetObjectResponse> part = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(number)
                    .checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(parts[n - 1], part.asByteArray());
            assertEquals(crc(algorithm, parts[n - 1]), checksumOf(algorithm, part.response().checksumCRC32(),
                    part.response().checksumCRC32C()), "checksum of part " + n);
        }
        HeadObjectResponse partHead = s3.headObject(b -> b.bucket(bucket).key("k").partNumber(2).checksumMode(ChecksumMode.ENABLED));
        assertEquals(crc(algorithm, parts[1]), checksumOf(algorithm, partHead.checksumCRC32(), partHead.checksumCRC32C()));
    }

    /**
     * CRC64NVME needs the CRT in the Java SDK, so the parts go up with the SDK's default checksum and
     * the gateway computes the upload's CRC64NVME itself; the result is checked against a CRC computed here.
     */
    @Test
    void crc64NvmeUploadIsFullObjectByDefault() {
        String bucket = createBucket("mp-crc64");
        byte[][] parts = {TestData.bytes(76, 5 * MIB), TestData.bytes(77, 12345)};
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME));
        assertEquals(ChecksumType.FULL_OBJECT, created.checksumType());
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] data = parts[i];
            UploadPartResponse r = s3.uploadPart(b -> b.bucket(bucket).key("k").uploadId(created.uploadId()).partNumber(n),
                    RequestBody.fromBytes(data));
            assertEquals(crc64Nvme(data), r.checksumCRC64NVME(), "part " + n);
            completed.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).build());
        }
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(created.uploadId()).multipartUpload(m -> m.parts(completed)));
        assertEquals(crc64Nvme(MultipartTest.concat(parts)), done.checksumCRC64NVME());
        assertEquals(ChecksumType.FULL_OBJECT, done.checksumType());
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertEquals(done.checksumCRC64NVME(), head.checksumCRC64NVME());
        assertEquals(ChecksumType.FULL_OBJECT, head.checksumType());
    }

    @Test
    void retaggingAMultipartObjectKeepsItsPartChecksumsChecksumTypeAndTags() {
        String bucket = createBucket("mp-retag");
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.CRC32;
        byte[][] parts = {TestData.bytes(91, 5 * MIB), TestData.bytes(92, 1000)};
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumAlgorithm(algorithm).tagging("zeta=1&alpha=2"));
        List<CompletedPart> completed = uploadParts(bucket, created.uploadId(), algorithm, parts);
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(created.uploadId())
                .multipartUpload(m -> m.parts(completed)));
        // GetObjectTagging answers tags sorted by key (what s3-tests expect of S3).
        assertEquals(List.of("alpha", "zeta"), s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet().stream()
                .map(software.amazon.awssdk.services.s3.model.Tag::key).toList(), "the upload's tags");

        // PutObjectTagging rewrites the version's record in place: nothing else of it may change.
        s3.putObjectTagging(b -> b.bucket(bucket).key("k").tagging(t -> t.tagSet(
                software.amazon.awssdk.services.s3.model.Tag.builder().key("b").value("2").build(),
                software.amazon.awssdk.services.s3.model.Tag.builder().key("a").value("1").build())));

        assertEquals(List.of("a", "b"), s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet().stream()
                .map(software.amazon.awssdk.services.s3.model.Tag::key).toList());
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertEquals(composite(algorithm, parts) + "-2", head.checksumCRC32());
        assertEquals(ChecksumType.COMPOSITE, head.checksumType());
        ResponseBytes<GetObjectResponse> part = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(parts[1], part.asByteArray());
        assertEquals(crc(algorithm, parts[1]), part.response().checksumCRC32(), "part 2's own checksum survives retagging");
    }

    @Test
    void invalidChecksumTypesAreRefused() {
        String bucket = createBucket("mp-checksum-type");
        assertS3Error(400, "InvalidRequest", () -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME).checksumType(ChecksumType.COMPOSITE)));
        assertS3Error(400, "InvalidRequest", () -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumType(ChecksumType.FULL_OBJECT)));
        assertS3Error(400, "InvalidRequest", () -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .checksumType(ChecksumType.FULL_OBJECT)));
    }

    @Test
    void completeChecksPartChecksums() {
        String bucket = createBucket("mp-part-checksums");
        byte[][] parts = {TestData.bytes(78, 5 * MIB), TestData.bytes(79, 100)};
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32)).uploadId();
        List<CompletedPart> good = uploadParts(bucket, uploadId, ChecksumAlgorithm.CRC32, parts);
        List<CompletedPart> wrong = List.of(good.get(0), good.get(1).toBuilder().checksumCRC32("AAAAAA==").build());
        assertS3Error(400, "InvalidPart", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(wrong))));
        List<CompletedPart> missing = List.of(good.get(0), good.get(1).toBuilder().checksumCRC32(null).build());
        assertS3Error(400, "InvalidRequest", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(missing))));
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId).multipartUpload(m -> m.parts(good)));
    }

    private static List<CompletedPart> uploadParts(String bucket, String uploadId, ChecksumAlgorithm algorithm, byte[][] parts) {
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] data = parts[i];
            UploadPartResponse r = s3.uploadPart(b -> b.bucket(bucket).key("k").uploadId(uploadId).partNumber(n)
                    .checksumAlgorithm(algorithm), RequestBody.fromBytes(data));
            assertEquals(crc(algorithm, data), checksumOf(algorithm, r.checksumCRC32(), r.checksumCRC32C()), "part " + n);
            completed.add(CompletedPart.builder().partNumber(n).eTag(r.eTag())
                    .checksumCRC32(r.checksumCRC32()).checksumCRC32C(r.checksumCRC32C()).build());
        }
        return completed;
    }

    private static String checksumOf(ChecksumAlgorithm algorithm, String crc32, String crc32c) {
        return algorithm == ChecksumAlgorithm.CRC32 ? crc32 : crc32c;
    }

    private static String crc(ChecksumAlgorithm algorithm, byte[] data) {
        Checksum c = algorithm == ChecksumAlgorithm.CRC32 ? new CRC32() : new CRC32C();
        c.update(data);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
    }

    private static String composite(ChecksumAlgorithm algorithm, byte[][] parts) {
        ByteBuffer binary = ByteBuffer.allocate(4 * parts.length);
        for (byte[] p : parts) binary.put(Base64.getDecoder().decode(crc(algorithm, p)));
        return crc(algorithm, binary.array());
    }

    /** CRC-64/NVME bit by bit (reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones). */
    private static String crc64Nvme(byte[] data) {
        long crc = ~0L;
        for (byte b : data) {
            crc ^= b & 0xffL;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x9a6c9329ac4bc9b5L : crc >>> 1;
        }
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(8).putLong(~crc).array());
    }
}
