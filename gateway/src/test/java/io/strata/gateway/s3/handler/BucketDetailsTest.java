package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CreateBucket of an existing bucket, ListBuckets' 2024 parameters, and x-amz-expected-bucket-owner. */
class BucketDetailsTest {
    @TempDir
    Path dir;

    private static void assertError(int status, String code, Runnable call) {
        S3Exception e = assertThrows(S3Exception.class, call::run);
        assertEquals(status, e.statusCode(), e::getMessage);
        assertEquals(code, e.awsErrorDetails().errorCode(), e::getMessage);
    }

    @Test
    void recreatingAnOwnedBucketInUsEast1IsOkAndChangesNothing() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            var s3 = gateway.s3();
            s3.createBucket(b -> b.bucket("ensured").acl(BucketCannedACL.PUBLIC_READ));
            s3.putObject(b -> b.bucket("ensured").key("k"), RequestBody.fromString("v"));
            Instant created = gateway.service().namespace().bucket(new BucketName("ensured")).orElseThrow().created();

            s3.createBucket(b -> b.bucket("ensured"));

            assertEquals(created, gateway.service().namespace().bucket(new BucketName("ensured")).orElseThrow().created());
            assertTrue(s3.getBucketAcl(b -> b.bucket("ensured")).grants().stream()
                    .anyMatch(g -> g.permission() == Permission.READ), "the public-read ACL is kept");
            assertEquals(1, s3.listObjectsV2(b -> b.bucket("ensured")).keyCount());
        }
    }

    @Test
    void recreatingAnOwnedBucketAskingForAnotherRegionIsBucketAlreadyOwnedByYou() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("here");
            assertError(409, "BucketAlreadyOwnedByYou", () -> gateway.s3().createBucket(b -> b.bucket("here")
                    .createBucketConfiguration(c -> c.locationConstraint("eu-west-1"))));
        }
    }

    @Test
    void recreatingAnOwnedBucketOutsideUsEast1IsBucketAlreadyOwnedByYou() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of("s3.region", "eu-west-1"))) {
            gateway.createBucket("twice");
            assertError(409, "BucketAlreadyOwnedByYou", () -> gateway.createBucket("twice"));
        }
    }

    @Test
    void creatingABucketSomeoneElseOwnsIsBucketAlreadyExists() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.service().namespace().createBucket(new Bucket(new BucketName("taken"), Instant.now(), "us-east-1",
                    "SOMEONEELSESKEY"));
            assertError(409, "BucketAlreadyExists", () -> gateway.createBucket("taken"));
        }
    }

    @Test
    void listBucketsPagesWithMaxBucketsAndContinuationToken() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            for (String name : List.of("page-a", "page-b", "page-c", "page-d", "page-e", "other")) {
                gateway.createBucket(name);
            }
            List<String> seen = new ArrayList<>();
            String token = "";   // an empty token is the first page
            int pages = 0;
            do {
                String t = token;
                ListBucketsResponse page = gateway.s3().listBuckets(b -> b.prefix("page-").maxBuckets(2).continuationToken(t));
                assertEquals("page-", page.prefix());
                page.buckets().forEach(b -> seen.add(b.name()));
                token = page.continuationToken();
                pages++;
            } while (token != null && pages < 10);
            assertEquals(List.of("page-a", "page-b", "page-c", "page-d", "page-e"), seen);
            assertEquals(3, pages);
        }
    }

    @Test
    void listBucketsFiltersByRegionAndListsEverythingWithoutParameters() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("east");
            gateway.s3().createBucket(b -> b.bucket("west").createBucketConfiguration(c -> c.locationConstraint("us-west-2")));
            assertEquals(List.of("west"), gateway.s3().listBuckets(b -> b.bucketRegion("us-west-2")).buckets().stream()
                    .map(software.amazon.awssdk.services.s3.model.Bucket::name).toList());
            ListBucketsResponse all = gateway.s3().listBuckets();
            assertEquals(2, all.buckets().size());
            assertNull(all.continuationToken());
            assertNull(all.prefix());
        }
    }

    @Test
    void maxBucketsOutsideOneToTenThousandIsInvalidArgument() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            for (int bad : new int[] {0, 10_001, -1}) {
                assertError(400, "InvalidArgument", () -> gateway.s3().listBuckets(b -> b.maxBuckets(bad)));
            }
        }
    }

    @Test
    void listObjectsV2TreatsAnEmptyContinuationTokenAsAbsent() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("bkt");
            gateway.s3().putObject(b -> b.bucket("bkt").key("k"), RequestBody.fromString("v"));
            assertEquals(1, gateway.s3().listObjectsV2(b -> b.bucket("bkt").continuationToken("")).keyCount());
        }
    }

    @Test
    void aWrongExpectedBucketOwnerIsAccessDeniedAndTheRightOneWorks() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            var s3 = gateway.s3();
            gateway.createBucket("owned");
            assertError(403, "AccessDenied", () -> s3.putObject(b -> b.bucket("owned").key("k")
                    .expectedBucketOwner("111122223333"), RequestBody.fromString("v")));
            assertEquals(403, assertThrows(S3Exception.class, () -> s3.headBucket(b -> b.bucket("owned")
                    .expectedBucketOwner("111122223333"))).statusCode());   // HEAD: no body, no code
            assertError(403, "AccessDenied", () -> s3.listObjectsV2(b -> b.bucket("owned").expectedBucketOwner("x")));
            assertEquals(0, s3.listObjectsV2(b -> b.bucket("owned")).keyCount(), "nothing was stored");

            s3.putObject(b -> b.bucket("owned").key("k").expectedBucketOwner(InProcessGateway.ACCESS_KEY),
                    RequestBody.fromString("v"));
            s3.copyObject(b -> b.sourceBucket("owned").sourceKey("k").destinationBucket("owned").destinationKey("copy")
                    .expectedBucketOwner(InProcessGateway.ACCESS_KEY).expectedSourceBucketOwner(InProcessGateway.ACCESS_KEY));
            assertError(403, "AccessDenied", () -> s3.copyObject(b -> b.sourceBucket("owned").sourceKey("k")
                    .destinationBucket("owned").destinationKey("copy2").expectedSourceBucketOwner("111122223333")));
        }
    }
}
