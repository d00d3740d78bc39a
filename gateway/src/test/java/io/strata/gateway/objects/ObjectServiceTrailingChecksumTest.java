package io.strata.gateway.objects;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import io.strata.erasure.ErasureStore;
import io.strata.gateway.s3.ErrorMapping;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.tiering.ColdTiers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An aws-chunked body sums its bytes with its trailing checksum and compares the sum with the trailer
 * itself; the object service takes that checked value instead of summing every byte a second time. The
 * bodies here are stand-ins whose "checked" trailer is deliberately not the data's checksum, so the
 * stored value shows which of the two was used.
 */
class ObjectServiceTrailingChecksumTest {
    private static final BucketName BUCKET = new BucketName("trailer-bucket");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());

    @TempDir
    Path dir;
    private Namespace namespace;
    private ErasureStore store;
    private ObjectService service;
    private ServiceFixture fixture;

    @BeforeEach
    void open() {
        fixture = ServiceFixture.open(dir, new ColdTiers(), 16 << 10, BUCKET);
        namespace = fixture.namespace();
        store = fixture.store();
        service = fixture.service();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sum(ChecksumAlgorithm a, byte[] data) {
        Checksummer c = a.newChecksummer();
        c.update(data, 0, data.length);
        return c.base64();
    }

    /** What Uploads builds for a body carrying a SHA-256 trailer it has checked, plus any declared header. */
    private static ObjectService.Expectations checkedSha256Trailer(Map<ChecksumAlgorithm, String> declared, String trailer) {
        return new ObjectService.Expectations(Optional.empty(), declared, Set.of(ChecksumAlgorithm.SHA256),
                Set.of(ChecksumAlgorithm.SHA256), () -> Map.of(ChecksumAlgorithm.SHA256, trailer));
    }

    @Test
    void aChecksumTheBodyCheckedIsTakenFromItsTrailerAndNotSummedAgain() {
        // Above 1 MiB (digests on hashing lanes) and below it, above the inline threshold and below it.
        for (int size : new int[] {3 << 20, 200_000, 1000}) {
            byte[] data = bytes(size, size);
            String checkedByBody = sum(ChecksumAlgorithm.SHA256, bytes(-size, 10));
            ObjectVersion v = service.put(BUCKET, new ObjectKey("k" + size), new ByteArrayInputStream(data), size, META,
                    checkedSha256Trailer(Map.of(), checkedByBody));
            assertEquals(Map.of("SHA256", checkedByBody), v.checksums(), "size " + size);
        }
    }

    @Test
    void aDeclaredChecksumHeaderIsComparedWithTheValueTheBodyChecked() {
        byte[] data = bytes(1, 300_000);
        String checkedByBody = sum(ChecksumAlgorithm.SHA256, bytes(2, 10));
        ObjectVersion v = service.put(BUCKET, new ObjectKey("same"), new ByteArrayInputStream(data), data.length, META,
                checkedSha256Trailer(Map.of(ChecksumAlgorithm.SHA256, checkedByBody), checkedByBody));
        assertEquals(checkedByBody, v.checksums().get("SHA256"));

        S3Exception e = ErrorMapping.toS3(assertThrows(ObjectException.class, () -> service.put(BUCKET, new ObjectKey("differs"),
                new ByteArrayInputStream(data), data.length, META,
                checkedSha256Trailer(Map.of(ChecksumAlgorithm.SHA256, sum(ChecksumAlgorithm.SHA256, data)), checkedByBody))));
        assertEquals(S3Error.BAD_DIGEST, e.error());
        assertTrue(service.latest(BUCKET, new ObjectKey("differs")).isEmpty());
    }

    @Test
    void aPartStillTakesTheBodysCheckedValueWhenItsUploadAddsAnotherChecksum() {
        String uploadId = service.createUpload(BUCKET, new ObjectKey("mp"), "owner", META, "CRC32").uploadId();
        byte[] data = bytes(3, 200_000);
        String checkedByBody = sum(ChecksumAlgorithm.SHA256, bytes(4, 10));
        Part part = service.uploadPart(BUCKET, new ObjectKey("mp"), uploadId, 1, new ByteArrayInputStream(data),
                data.length, checkedSha256Trailer(Map.of(), checkedByBody));
        assertEquals(Map.of("CRC32", sum(ChecksumAlgorithm.CRC32, data), "SHA256", checkedByBody), part.checksums());
    }
}
