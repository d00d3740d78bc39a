package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectAttributesResponse;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** GetObjectAttributes as AWS S3 answers it, through the AWS SDK v2. */
class ObjectAttributesTest extends GatewayTest {

    @Test
    void returnsTheRequestedAttributesOfASinglePartObject() {
        String bucket = createBucket("attrs");
        String etag = s3.putObject(b -> b.bucket(bucket).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32),
                RequestBody.fromString("hello")).eTag();
        GetObjectAttributesResponse r = s3.getObjectAttributes(b -> b.bucket(bucket).key("k").objectAttributes(
                ObjectAttributes.E_TAG, ObjectAttributes.CHECKSUM, ObjectAttributes.OBJECT_SIZE,
                ObjectAttributes.STORAGE_CLASS, ObjectAttributes.OBJECT_PARTS));
        assertEquals(etag.replace("\"", ""), r.eTag().replace("\"", ""));
        assertEquals(5L, r.objectSize());
        assertEquals(StorageClass.STANDARD, r.storageClass());
        assertNotNull(r.checksum().checksumCRC32());
        assertNull(r.objectParts(), "a single PUT has no parts");
        assertNotNull(r.lastModified());

        GetObjectAttributesResponse sizeOnly = s3.getObjectAttributes(b -> b.bucket(bucket).key("k")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE));
        assertEquals(5L, sizeOnly.objectSize());
        assertNull(sizeOnly.eTag());
        assertNull(sizeOnly.storageClass());
    }

    @Test
    void reportsPartsOfAMultipartObjectWithPaging() {
        String bucket = createBucket("attrs-mp");
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp")).uploadId();
        byte[] big = new byte[5 << 20];
        String e1 = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(1), RequestBody.fromBytes(big)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(2), RequestBody.fromString("tail")).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(upload).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
        GetObjectAttributesResponse r = s3.getObjectAttributes(b -> b.bucket(bucket).key("mp")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS, ObjectAttributes.E_TAG));
        assertEquals(2, r.objectParts().totalPartsCount());
        assertTrue(r.eTag().endsWith("-2"));
        GetObjectAttributesResponse page = s3.getObjectAttributes(b -> b.bucket(bucket).key("mp")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS).maxParts(1).partNumberMarker(1));
        assertEquals(2, page.objectParts().totalPartsCount());
        assertEquals(1, page.objectParts().parts().size());
        assertEquals(2, page.objectParts().parts().getFirst().partNumber());
        assertEquals(4L, page.objectParts().parts().getFirst().size());
        assertEquals(false, page.objectParts().isTruncated());
    }

    @Test
    void addressesVersionsAndReportsErrors() {
        String bucket = createBucket("attrs-versions");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        String v1 = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("one")).versionId();
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("second"));
        GetObjectAttributesResponse old = s3.getObjectAttributes(b -> b.bucket(bucket).key("k").versionId(v1)
                .objectAttributes(ObjectAttributes.OBJECT_SIZE));
        assertEquals(3L, old.objectSize());
        assertEquals(v1, old.versionId());
        String gone = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("three")).versionId();
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(gone));
        s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertS3Error(404, "NoSuchKey", () -> s3.getObjectAttributes(b -> b.bucket(bucket).key("k")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE)));
        assertS3Error(404, "NoSuchVersion", () -> s3.getObjectAttributes(b -> b.bucket(bucket).key("k")
                .versionId(gone).objectAttributes(ObjectAttributes.OBJECT_SIZE)));
        assertS3Error(404, "NoSuchBucket", () -> s3.getObjectAttributes(b -> b.bucket("no-such-bucket-attrs").key("k")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE)));
        assertS3Error(400, "InvalidArgument", () -> s3.getObjectAttributes(b -> b.bucket(bucket).key("k").versionId(v1)
                .objectAttributesWithStrings(List.of("Colour"))));
        assertS3Error(400, "InvalidRequest", () -> s3.getObjectAttributes(b -> b.bucket(bucket).key("k").versionId(v1)
                .objectAttributesWithStrings(List.of())));
    }
}
