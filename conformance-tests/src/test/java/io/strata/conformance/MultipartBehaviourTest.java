package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Multipart details clients rely on: a part uploaded twice is the upload that finished last, a
 * checksum that does not match the bytes is BadDigest (single PUTs and parts alike) and stores
 * nothing, and a Complete may declare the object's COMPOSITE SHA-256/SHA-1 checksum with its -N
 * suffix, as s3-tests and boto3 users send it.
 */
class MultipartBehaviourTest extends GatewayTest {
    private static final int MIB = 1024 * 1024;

    /** Hands out its bytes; after {@code pauseAt} of them it says so and waits for {@code resume}. */
    private static final class PausingStream extends InputStream {
        private final byte[] data;
        private final int pauseAt;
        private final CountDownLatch paused = new CountDownLatch(1);
        private final CountDownLatch resume = new CountDownLatch(1);
        private int position;

        PausingStream(byte[] data, int pauseAt) {
            this.data = data;
            this.pauseAt = pauseAt;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= data.length) return -1;
            if (position == pauseAt) {
                paused.countDown();
                try {
                    if (!resume.await(60, TimeUnit.SECONDS)) throw new IOException("never resumed");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            int limit = position < pauseAt ? pauseAt : data.length;
            int n = Math.min(len, limit - position);
            System.arraycopy(data, position, b, off, n);
            position += n;
            return n;
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void ofTwoUploadsOfOnePartTheOneThatFinishedLastIsThePart() throws Exception {
        String bucket = createBucket("mp-part-twice");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        byte[] first = TestData.bytes(31, MIB);
        byte[] second = TestData.bytes(32, MIB);
        PausingStream slow = new PausingStream(first, MIB / 2);

        // The first upload starts, sends half its body and stalls; the second runs whole meanwhile.
        CompletableFuture<String> firstUpload = CompletableFuture.supplyAsync(() -> s3.uploadPart(b -> b.bucket(bucket)
                .key("k").uploadId(uploadId).partNumber(1), RequestBody.fromContentProvider(() -> slow, first.length,
                "application/octet-stream")).eTag());
        assertTrue(slow.paused.await(60, TimeUnit.SECONDS), "the first upload never started sending");
        String secondEtag = s3.uploadPart(b -> b.bucket(bucket).key("k").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(second)).eTag();
        slow.resume.countDown();
        String firstEtag = firstUpload.get(60, TimeUnit.SECONDS);

        assertEquals(List.of(firstEtag), s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId)).parts()
                .stream().map(p -> p.eTag()).toList());
        assertS3Error(400, "InvalidPart", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(secondEtag).build()))));
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(firstEtag).build())));
        assertArrayEquals(first, s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asByteArray());
    }

    private static String wrongChecksum(ChecksumAlgorithm algorithm) {
        byte[] other = "not the body".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return switch (algorithm) {
            case CRC32 -> TestData.crc32Base64(other);
            case CRC32_C -> "AAAAAA==";
            case SHA1 -> Base64.getEncoder().encodeToString(digest("SHA-1", other));
            case SHA256 -> Base64.getEncoder().encodeToString(digest("SHA-256", other));
            default -> throw new AssertionError(algorithm);
        };
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32_C", "SHA1", "SHA256"})
    void aChecksumThatDoesNotMatchThePartOrObjectIsBadDigestAndStoresNothing(ChecksumAlgorithm algorithm) {
        String bucket = createBucket("mp-bad-" + algorithm);
        byte[] data = TestData.bytes(33, 10_000);
        String wrong = wrongChecksum(algorithm);
        assertS3Error(400, "BadDigest", () -> s3.putObject(b -> {
            b.bucket(bucket).key("k");
            switch (algorithm) {
                case CRC32 -> b.checksumCRC32(wrong);
                case CRC32_C -> b.checksumCRC32C(wrong);
                case SHA1 -> b.checksumSHA1(wrong);
                default -> b.checksumSHA256(wrong);
            }
        }, RequestBody.fromBytes(data)));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("k")));

        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("m").checksumAlgorithm(algorithm)).uploadId();
        assertS3Error(400, "BadDigest", () -> s3.uploadPart(b -> {
            b.bucket(bucket).key("m").uploadId(uploadId).partNumber(1);
            switch (algorithm) {
                case CRC32 -> b.checksumCRC32(wrong);
                case CRC32_C -> b.checksumCRC32C(wrong);
                case SHA1 -> b.checksumSHA1(wrong);
                default -> b.checksumSHA256(wrong);
            }
        }, RequestBody.fromBytes(data)));
        assertEquals(0, s3.listParts(b -> b.bucket(bucket).key("m").uploadId(uploadId)).parts().size());
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"SHA1", "SHA256"})
    void completeAcceptsTheCompositeChecksumWithItsPartCountAndRefusesAnotherAsBadDigest(ChecksumAlgorithm algorithm) {
        String bucket = createBucket("mp-composite-" + algorithm);
        byte[][] parts = {TestData.bytes(34, 5 * MIB), TestData.bytes(35, 1000)};
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(algorithm)).uploadId();
        String name = algorithm == ChecksumAlgorithm.SHA1 ? "SHA-1" : "SHA-256";
        byte[] concatenated = new byte[0];
        CompletedPart[] completed = new CompletedPart[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] data = parts[i];
            var response = s3.uploadPart(b -> b.bucket(bucket).key("k").uploadId(uploadId).partNumber(n)
                    .checksumAlgorithm(algorithm), RequestBody.fromBytes(data));
            String checksum = algorithm == ChecksumAlgorithm.SHA1 ? response.checksumSHA1() : response.checksumSHA256();
            assertEquals(Base64.getEncoder().encodeToString(digest(name, data)), checksum);
            byte[] raw = digest(name, data);
            byte[] grown = java.util.Arrays.copyOf(concatenated, concatenated.length + raw.length);
            System.arraycopy(raw, 0, grown, concatenated.length, raw.length);
            concatenated = grown;
            CompletedPart.Builder part = CompletedPart.builder().partNumber(n).eTag(response.eTag());
            completed[i] = (algorithm == ChecksumAlgorithm.SHA1 ? part.checksumSHA1(checksum) : part.checksumSHA256(checksum)).build();
        }
        String composite = Base64.getEncoder().encodeToString(digest(name, concatenated)) + "-" + parts.length;
        boolean sha1 = algorithm == ChecksumAlgorithm.SHA1;

        assertS3Error(400, "BadDigest", () -> s3.completeMultipartUpload(b -> (sha1 ? b.checksumSHA1("bad")
                : b.checksumSHA256("bad")).bucket(bucket).key("k").uploadId(uploadId).multipartUpload(m -> m.parts(completed))));
        var done = s3.completeMultipartUpload(b -> (sha1 ? b.checksumSHA1(composite) : b.checksumSHA256(composite))
                .bucket(bucket).key("k").uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
        assertEquals(composite, algorithm == ChecksumAlgorithm.SHA1 ? done.checksumSHA1() : done.checksumSHA256());
        var head = s3.headObject(b -> b.bucket(bucket).key("k").checksumMode(ChecksumMode.ENABLED));
        assertEquals(composite, algorithm == ChecksumAlgorithm.SHA1 ? head.checksumSHA1() : head.checksumSHA256());
    }
}
