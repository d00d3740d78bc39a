package io.strata.gateway.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.Part;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The object checksum a CompleteMultipartUpload declares for a COMPOSITE SHA-256 upload: with its
 * {@code -N} suffix (as s3-tests and boto3 users send it; the conformance tests cover that form) or
 * without, it must equal the checksum of
 * the part checksums; anything else is BadDigest and the upload stays in progress.
 */
class ObjectServiceCompleteChecksumTest {
    private static final BucketName BUCKET = new BucketName("complete-checksum");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());

    @TempDir
    Path dir;
    private ServiceFixture fixture;
    private ObjectService service;

    @BeforeEach
    void open() {
        fixture = ServiceFixture.open(dir, new io.strata.tiering.ColdTiers(), 1024, BUCKET);
        service = fixture.service();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void theDeclaredCompositeSha256MayOmitItsPartCountAndAnotherValueIsBadDigest() throws Exception {
        ObjectKey key = new ObjectKey("k");
        String uploadId = service.createUpload(BUCKET, key, "owner",
                META.withAttributes(META.attributes().withChecksumType(ChecksumType.COMPOSITE)), "SHA256").uploadId();
        byte[] data = "one part".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Part part = service.uploadPart(BUCKET, key, uploadId, 1, new ByteArrayInputStream(data), data.length,
                ObjectService.Expectations.none());
        String partSum = part.checksums().get("SHA256");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String composite = Base64.getEncoder().encodeToString(sha.digest(Base64.getDecoder().decode(partSum))) + "-1";
        List<ObjectService.CompletedPart> parts = List.of(new ObjectService.CompletedPart(1, part.etag(), Map.of("SHA256", partSum)));

        ObjectException bad = assertThrows(ObjectException.class, () -> service.complete(BUCKET, key, uploadId, parts,
                Map.of(ChecksumAlgorithm.SHA256, "bad")));
        assertEquals(ObjectException.Reason.BAD_DIGEST, bad.reason());
        assertEquals(1, service.namespace().parts(BUCKET, key, uploadId, 0, 10).size());

        // Declared without its -1 suffix (the digest alone): the same checksum.
        String digestOnly = composite.substring(0, composite.length() - 2);
        assertEquals(composite, service.complete(BUCKET, key, uploadId, parts,
                Map.of(ChecksumAlgorithm.SHA256, digestOnly)).checksums().get("SHA256"));
    }
}
