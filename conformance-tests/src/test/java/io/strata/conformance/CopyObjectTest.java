package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/** CopyObject within and across buckets, with metadata directive COPY and REPLACE. */
class CopyObjectTest extends GatewayTest {
    private static final byte[] DATA = TestData.bytes(21, 2 * 1024 * 1024 + 99);
    private static final String SOURCE = "source dir/ü+%.bin";
    private static String bucket;

    @BeforeAll
    static void source() {
        bucket = createBucket("copy");
        s3.putObject(b -> b.bucket(bucket).key(SOURCE)
                        .contentType("application/x-source")
                        .cacheControl("max-age=1")
                        .metadata(Map.of("origin", "source", "n", "1")),
                RequestBody.fromBytes(DATA));
    }

    @Test
    void copyWithinBucketKeepsBytesAndMetadata() {
        CopyObjectResponse copy = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(SOURCE)
                .destinationBucket(bucket).destinationKey("copies/same-bucket"));
        assertEquals("\"" + TestData.md5Hex(DATA) + "\"", copy.copyObjectResult().eTag(), "ETag of the copy");
        assertNotNull(copy.copyObjectResult().lastModified());

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("copies/same-bucket"));
        assertArrayEquals(DATA, got.asByteArray());
        assertEquals(Map.of("origin", "source", "n", "1"), got.response().metadata(), "metadata directive COPY (default)");
        assertEquals("application/x-source", got.response().contentType());
        assertEquals("max-age=1", got.response().cacheControl());
    }

    @Test
    void copyAcrossBucketsWithExplicitCopyDirective() {
        String other = createBucket("copy-target");
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(SOURCE).destinationBucket(other).destinationKey("elsewhere ü")
                .metadataDirective(MetadataDirective.COPY));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(other).key("elsewhere ü"));
        assertArrayEquals(DATA, got.asByteArray());
        assertEquals(Map.of("origin", "source", "n", "1"), got.response().metadata());
        // the source is untouched
        assertArrayEquals(DATA, s3.getObjectAsBytes(b -> b.bucket(bucket).key(SOURCE)).asByteArray());
    }

    @Test
    void replaceDirectiveTakesTheNewMetadata() {
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(SOURCE).destinationBucket(bucket).destinationKey("copies/replaced")
                .metadataDirective(MetadataDirective.REPLACE)
                .contentType("text/x-replaced")
                .metadata(Map.of("origin", "replaced")));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("copies/replaced"));
        assertEquals(Map.of("origin", "replaced"), head.metadata());
        assertEquals("text/x-replaced", head.contentType());
        assertEquals(DATA.length, head.contentLength());
        assertArrayEquals(DATA, s3.getObjectAsBytes(b -> b.bucket(bucket).key("copies/replaced")).asByteArray());
    }

    @Test
    void copyOntoItselfNeedsReplace() {
        s3.putObject(b -> b.bucket(bucket).key("self").metadata(Map.of("v", "1")), RequestBody.fromString("self"));
        assertS3Error(400, "InvalidRequest", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self")
                .destinationBucket(bucket).destinationKey("self")));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket).destinationKey("self")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("v", "2")));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("self"));
        assertEquals("self", got.asUtf8String());
        assertEquals(Map.of("v", "2"), got.response().metadata());
    }

    @Test
    void copyOfMissingSourceFails() {
        assertS3Error(404, "NoSuchKey", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("missing")
                .destinationBucket(bucket).destinationKey("never")));
        assertS3Error(404, "NoSuchBucket", () -> s3.copyObject(b -> b.sourceBucket(bucketName("missing-source")).sourceKey("k")
                .destinationBucket(bucket).destinationKey("never")));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("never")));
    }

    @Test
    void overwritingTheSourceAfterCopyLeavesTheCopyIntact() {
        s3.putObject(b -> b.bucket(bucket).key("volatile"), RequestBody.fromString("original"));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("volatile").destinationBucket(bucket).destinationKey("snapshot"));
        s3.putObject(b -> b.bucket(bucket).key("volatile"), RequestBody.fromString("changed"));
        s3.deleteObject(b -> b.bucket(bucket).key("volatile"));
        assertEquals("original", s3.getObjectAsBytes(b -> b.bucket(bucket).key("snapshot")).asUtf8String());
    }
}
