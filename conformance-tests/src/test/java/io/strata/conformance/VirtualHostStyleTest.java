package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The same everyday work in virtual-hosted style: the bucket in the Host header (BUCKET.localhost:PORT). */
class VirtualHostStyleTest extends GatewayTest {
    private static S3Client vhost;

    @BeforeAll
    static void client() {
        vhost = S3Clients.virtualHostStyle(server);
    }

    @AfterAll
    static void closeClient() {
        if (vhost != null) {
            vhost.close();
        }
    }

    @Test
    void bucketAndObjectLifecycle() {
        String bucket = bucketName("vhost");
        vhost.createBucket(b -> b.bucket(bucket));
        vhost.headBucket(b -> b.bucket(bucket));
        assertTrue(vhost.listBuckets().buckets().stream().map(Bucket::name).anyMatch(bucket::equals), "ListBuckets on localhost:PORT");
        vhost.createBucket(b -> b.bucket(bucket));   // an owned bucket again: 200 in us-east-1

        byte[] data = TestData.bytes(61, 100_000);
        vhost.putObject(b -> b.bucket(bucket).key("dir/vhost ü+.bin"), RequestBody.fromBytes(data));
        assertArrayEquals(data, vhost.getObjectAsBytes(b -> b.bucket(bucket).key("dir/vhost ü+.bin")).asByteArray());
        assertEquals(100_000L, vhost.headObject(b -> b.bucket(bucket).key("dir/vhost ü+.bin")).contentLength());
        assertArrayEquals(TestData.range(61, 10, 10),
                vhost.getObjectAsBytes(b -> b.bucket(bucket).key("dir/vhost ü+.bin").range("bytes=10-19")).asByteArray());

        // Objects written one way are read the other way.
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("dir/vhost ü+.bin")).asByteArray());
        s3.putObject(b -> b.bucket(bucket).key("from-path-style"), RequestBody.fromString("path"));
        assertEquals("path", vhost.getObjectAsBytes(b -> b.bucket(bucket).key("from-path-style")).asUtf8String());

        assertEquals(List.of("dir/vhost ü+.bin", "from-path-style"),
                vhost.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("dir/"), vhost.listObjects(b -> b.bucket(bucket).delimiter("/")).commonPrefixes().stream()
                .map(p -> p.prefix()).toList());

        vhost.copyObject(b -> b.sourceBucket(bucket).sourceKey("from-path-style").destinationBucket(bucket).destinationKey("copied"));
        assertEquals("path", vhost.getObjectAsBytes(b -> b.bucket(bucket).key("copied")).asUtf8String());

        String uploadId = vhost.createMultipartUpload(b -> b.bucket(bucket).key("mpu")).uploadId();
        String etag = vhost.uploadPart(b -> b.bucket(bucket).key("mpu").uploadId(uploadId).partNumber(1), RequestBody.fromString("multi")).eTag();
        vhost.completeMultipartUpload(b -> b.bucket(bucket).key("mpu").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertEquals("multi", vhost.getObjectAsBytes(b -> b.bucket(bucket).key("mpu")).asUtf8String());

        assertS3Error(409, "BucketNotEmpty", () -> vhost.deleteBucket(b -> b.bucket(bucket)));
        vhost.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("dir/vhost ü+.bin").build(), ObjectIdentifier.builder().key("from-path-style").build(),
                ObjectIdentifier.builder().key("copied").build())));
        vhost.deleteObject(b -> b.bucket(bucket).key("mpu"));
        assertS3Error(404, "NoSuchKey", () -> vhost.getObject(b -> b.bucket(bucket).key("mpu")));
        vhost.deleteBucket(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchBucket", () -> vhost.listObjectsV2(b -> b.bucket(bucket)));
    }
}
