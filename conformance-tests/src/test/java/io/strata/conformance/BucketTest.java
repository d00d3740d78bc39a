package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.GetBucketLocationResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;

/** CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation through the SDK. */
class BucketTest extends GatewayTest {

    @Test
    void createdBucketIsListedAndHeadable() {
        Instant before = Instant.now().minus(Duration.ofMinutes(1));
        String bucket = createBucket("listed");

        s3.headBucket(b -> b.bucket(bucket));
        ListBucketsResponse list = s3.listBuckets();
        Bucket listed = list.buckets().stream().filter(b -> b.name().equals(bucket)).findFirst()
                .orElseThrow(() -> new AssertionError(bucket + " not in ListBuckets: " + list.buckets()));
        assertNotNull(listed.creationDate(), "CreationDate");
        assertTrue(listed.creationDate().isAfter(before), "CreationDate " + listed.creationDate() + " is recent");
        assertNotNull(list.owner(), "ListBuckets has an Owner");
    }

    @Test
    void listBucketsIsSortedByName() {
        createBucket("zz-sorted");
        createBucket("aa-sorted");
        List<String> names = s3.listBuckets().buckets().stream().map(Bucket::name).toList();
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void locationOfABucketIsUsEast1() {
        String bucket = createBucket("location");
        GetBucketLocationResponse location = s3.getBucketLocation(b -> b.bucket(bucket));
        // S3 answers an empty LocationConstraint for us-east-1; "us-east-1" is accepted too.
        String value = location.locationConstraintAsString();
        assertTrue(value == null || value.isEmpty() || value.equals("us-east-1"), "LocationConstraint " + value);
    }

    /**
     * Re-creating a bucket you own is 200 in us-east-1 (the gateway's default region), as S3 answers
     * there for legacy compatibility; BucketDetailsTest covers the 409 of other regions.
     */
    @Test
    void createExistingBucketInUsEast1IsOk() {
        String bucket = createBucket("twice");
        s3.createBucket(b -> b.bucket(bucket));
        s3.headBucket(b -> b.bucket(bucket));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ab",                       // shorter than 3
        "Upper-Case-Bucket",        // upper case
        "under_score",              // underscore
        "-starts-with-dash",        // must start with a letter or digit
        "ends-with-dash-",          // must end with a letter or digit
        "double..dots",             // adjacent periods
        "dot.-dash",                // period next to a dash
        "192.168.5.4",              // formatted as an IP address
        "xn--punycode-prefix",      // reserved prefix
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij",  // 65 characters
    })
    void invalidBucketNameIsRejected(String name) throws Exception {
        // Raw request: the SDK refuses most of these names before sending anything.
        RawRequest.Response response = RawRequest.of("PUT", "/" + name).send(server);
        assertEquals(400, response.status(), response::toString);
        assertEquals("InvalidBucketName", response.errorCode(), response::toString);
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(name)), name + " was created");
    }

    @Test
    void bucketNameOfSixtyThreeCharactersIsValid() {
        String name = "c" + "0123456789".repeat(6) + "xy";
        assertEquals(63, name.length());
        s3.createBucket(b -> b.bucket(name));
        s3.headBucket(b -> b.bucket(name));
        s3.deleteBucket(b -> b.bucket(name));
    }

    @Test
    void headMissingBucketIs404() {
        assertS3Error(404, null, () -> s3.headBucket(b -> b.bucket(bucketName("missing-head"))));
    }

    @Test
    void operationsOnMissingBucketAreNoSuchBucket() {
        String missing = bucketName("missing");
        assertS3Error(404, "NoSuchBucket", () -> s3.listObjectsV2(b -> b.bucket(missing)));
        assertS3Error(404, "NoSuchBucket", () -> s3.deleteBucket(b -> b.bucket(missing)));
        assertS3Error(404, "NoSuchBucket", () -> s3.putObject(b -> b.bucket(missing).key("k"), RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchBucket", () -> s3.getObject(b -> b.bucket(missing).key("k")));
    }

    @Test
    void deleteNonEmptyBucketIsBucketNotEmpty() {
        String bucket = createBucket("not-empty");
        s3.putObject(b -> b.bucket(bucket).key("keep"), RequestBody.fromString("data"));

        assertS3Error(409, "BucketNotEmpty", () -> s3.deleteBucket(b -> b.bucket(bucket)));
        assertEquals("data", s3.getObjectAsBytes(b -> b.bucket(bucket).key("keep")).asUtf8String(), "object survives");

        s3.deleteObject(b -> b.bucket(bucket).key("keep"));
        s3.deleteBucket(b -> b.bucket(bucket));
        assertS3Error(404, null, () -> s3.headBucket(b -> b.bucket(bucket)));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket)));
    }

    @Test
    void deletedBucketNameCanBeCreatedAgainEmpty() {
        String bucket = createBucket("again");
        s3.putObject(b -> b.bucket(bucket).key("old"), RequestBody.fromString("old"));
        s3.deleteObject(b -> b.bucket(bucket).key("old"));
        s3.deleteBucket(b -> b.bucket(bucket));
        s3.createBucket(b -> b.bucket(bucket));
        assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket)).keyCount());
    }
}
