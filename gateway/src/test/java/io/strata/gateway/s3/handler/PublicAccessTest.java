package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.gateway.s3.PublicAccessBlock;
import io.strata.namespace.BucketName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PublicAccessBlock's four settings, GetBucketPolicyStatus and OwnershipControls, enforced. */
class PublicAccessTest {
    private static final String PUBLIC_READ = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
             "Resource":"arn:aws:s3:::%s/*"}]}""";
    private static final String FROM_PRIVATE_NETWORK = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
             "Resource":"arn:aws:s3:::%s/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}""";

    @TempDir
    Path dir;

    private static void assertError(int status, String code, Runnable call) {
        S3Exception e = assertThrows(S3Exception.class, call::run);
        assertEquals(status, e.statusCode(), e::getMessage);
        assertEquals(code, e.awsErrorDetails().errorCode(), e::getMessage);
    }

    private static int anonymousGet(InProcessGateway gateway, String bucket, String key) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/" + bucket + "/" + key))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private static void block(S3Client s3, String bucket, boolean acls, boolean ignore, boolean policy, boolean restrict) {
        s3.putPublicAccessBlock(b -> b.bucket(bucket).publicAccessBlockConfiguration(c -> c.blockPublicAcls(acls)
                .ignorePublicAcls(ignore).blockPublicPolicy(policy).restrictPublicBuckets(restrict)));
    }

    @Test
    void aBucketPolicyChangeIsInForceOnTheNextRequest() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("changing");
            s3.putObject(b -> b.bucket("changing").key("k"), RequestBody.fromString("v"));
            assertEquals(403, anonymousGet(gateway, "changing", "k"));
            s3.putBucketPolicy(b -> b.bucket("changing").policy(PUBLIC_READ.formatted("changing")));
            assertEquals(200, anonymousGet(gateway, "changing", "k"));
            assertEquals(200, anonymousGet(gateway, "changing", "k"));
            // A policy whose condition the loopback caller does not meet replaces the open one at once.
            s3.putBucketPolicy(b -> b.bucket("changing").policy(FROM_PRIVATE_NETWORK.formatted("changing")));
            assertEquals(403, anonymousGet(gateway, "changing", "k"));
            s3.putBucketPolicy(b -> b.bucket("changing").policy(PUBLIC_READ.formatted("changing")));
            assertEquals(200, anonymousGet(gateway, "changing", "k"));
            s3.deleteBucketPolicy(b -> b.bucket("changing"));
            assertEquals(403, anonymousGet(gateway, "changing", "k"));
            s3.putBucketPolicy(b -> b.bucket("changing").policy(PUBLIC_READ.formatted("changing")));
            assertEquals(200, anonymousGet(gateway, "changing", "k"));
        }
    }

    @Test
    void publicAccessBlockIsStoredReturnedAndDeleted() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("pab");
            assertError(404, "NoSuchPublicAccessBlockConfiguration", () -> s3.getPublicAccessBlock(b -> b.bucket("pab")));
            block(s3, "pab", true, false, true, false);
            var got = s3.getPublicAccessBlock(b -> b.bucket("pab")).publicAccessBlockConfiguration();
            assertTrue(got.blockPublicAcls());
            assertFalse(got.ignorePublicAcls());
            assertTrue(got.blockPublicPolicy());
            assertFalse(got.restrictPublicBuckets());
            assertEquals(new PublicAccessBlock(true, false, true, false), PublicAccessBlock.decode(gateway.service().namespace()
                    .bucketConfig(new BucketName("pab"), PublicAccessBlock.KIND).orElseThrow()));
            s3.deletePublicAccessBlock(b -> b.bucket("pab"));
            assertError(404, "NoSuchPublicAccessBlockConfiguration", () -> s3.getPublicAccessBlock(b -> b.bucket("pab")));
        }
    }

    @Test
    void blockPublicAclsRefusesEveryWayOfSettingAPublicAcl() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("blocked");
            s3.putObject(b -> b.bucket("blocked").key("k"), RequestBody.fromString("v"));
            block(s3, "blocked", true, false, false, false);
            assertError(403, "AccessDenied", () -> s3.putObject(b -> b.bucket("blocked").key("new")
                    .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("v")));
            assertError(403, "AccessDenied", () -> s3.createMultipartUpload(b -> b.bucket("blocked").key("mp")
                    .acl(ObjectCannedACL.AUTHENTICATED_READ)));
            assertError(403, "AccessDenied", () -> s3.putObjectAcl(b -> b.bucket("blocked").key("k")
                    .acl(ObjectCannedACL.PUBLIC_READ)));
            assertError(403, "AccessDenied", () -> s3.putBucketAcl(b -> b.bucket("blocked").acl(BucketCannedACL.PUBLIC_READ_WRITE)));
            assertError(403, "AccessDenied", () -> s3.copyObject(b -> b.sourceBucket("blocked").sourceKey("k")
                    .destinationBucket("blocked").destinationKey("copy").acl(ObjectCannedACL.PUBLIC_READ)));
            assertEquals(1, s3.listObjectsV2(b -> b.bucket("blocked")).keyCount(), "nothing was stored");
            s3.putObject(b -> b.bucket("blocked").key("private").acl(ObjectCannedACL.PRIVATE), RequestBody.fromString("v"));
        }
    }

    @Test
    void ignorePublicAclsStopsPublicAclsFromGranting() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            s3.createBucket(b -> b.bucket("ignored"));
            s3.putObject(b -> b.bucket("ignored").key("k").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("v"));
            assertEquals(200, anonymousGet(gateway, "ignored", "k"));
            block(s3, "ignored", false, true, false, false);
            assertEquals(403, anonymousGet(gateway, "ignored", "k"));
            assertEquals(2, s3.getObjectAcl(b -> b.bucket("ignored").key("k")).grants().size(), "the ACL itself is kept");
        }
    }

    @Test
    void blockPublicPolicyRefusesOnlyPublicPolicies() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("policies");
            block(s3, "policies", false, false, true, false);
            assertError(403, "AccessDenied", () -> s3.putBucketPolicy(b -> b.bucket("policies")
                    .policy(PUBLIC_READ.formatted("policies"))));
            s3.putBucketPolicy(b -> b.bucket("policies").policy(FROM_PRIVATE_NETWORK.formatted("policies")));
        }
    }

    @Test
    void restrictPublicBucketsStopsAPublicPolicyGrantingAnonymousCallers() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("restricted");
            s3.putObject(b -> b.bucket("restricted").key("k"), RequestBody.fromString("v"));
            s3.putBucketPolicy(b -> b.bucket("restricted").policy(PUBLIC_READ.formatted("restricted")));
            assertEquals(200, anonymousGet(gateway, "restricted", "k"));
            block(s3, "restricted", false, false, false, true);
            assertEquals(403, anonymousGet(gateway, "restricted", "k"));
            assertEquals("v", s3.getObjectAsBytes(b -> b.bucket("restricted").key("k")).asUtf8String());
        }
    }

    @Test
    void policyStatusSaysWhetherThePolicyIsPublic() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("status");
            assertError(404, "NoSuchBucketPolicy", () -> s3.getBucketPolicyStatus(b -> b.bucket("status")));
            s3.putBucketPolicy(b -> b.bucket("status").policy(PUBLIC_READ.formatted("status")));
            assertTrue(s3.getBucketPolicyStatus(b -> b.bucket("status")).policyStatus().isPublic());
            s3.putBucketPolicy(b -> b.bucket("status").policy(FROM_PRIVATE_NETWORK.formatted("status")));
            assertFalse(s3.getBucketPolicyStatus(b -> b.bucket("status")).policyStatus().isPublic());
        }
    }

    @Test
    void bucketOwnerEnforcedDisablesAcls() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("enforced");
            assertError(404, "OwnershipControlsNotFoundError", () -> s3.getBucketOwnershipControls(b -> b.bucket("enforced")));
            s3.putObject(b -> b.bucket("enforced").key("old").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("v"));
            s3.putBucketOwnershipControls(b -> b.bucket("enforced").ownershipControls(c -> c.rules(r -> r
                    .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED))));
            assertEquals(ObjectOwnership.BUCKET_OWNER_ENFORCED, s3.getBucketOwnershipControls(b -> b.bucket("enforced"))
                    .ownershipControls().rules().getFirst().objectOwnership());

            assertError(400, "AccessControlListNotSupported", () -> s3.putObject(b -> b.bucket("enforced").key("k")
                    .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("v")));
            assertError(400, "AccessControlListNotSupported", () -> s3.putObjectAcl(b -> b.bucket("enforced").key("old")
                    .acl(ObjectCannedACL.PRIVATE)));
            assertError(400, "AccessControlListNotSupported", () -> s3.putBucketAcl(b -> b.bucket("enforced")
                    .acl(BucketCannedACL.PUBLIC_READ)));
            s3.putObject(b -> b.bucket("enforced").key("k").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL),
                    RequestBody.fromString("v"));
            // Reads of ACLs still work and show the owner's FULL_CONTROL alone; stored public ACLs grant nothing.
            assertEquals(1, s3.getObjectAcl(b -> b.bucket("enforced").key("old")).grants().size());
            assertEquals(1, s3.getBucketAcl(b -> b.bucket("enforced")).grants().size());
            assertEquals(403, anonymousGet(gateway, "enforced", "old"));

            s3.deleteBucketOwnershipControls(b -> b.bucket("enforced"));
            assertEquals(200, anonymousGet(gateway, "enforced", "old"));
        }
    }

    @Test
    void bucketOwnerEnforcedCannotComeWithAPublicBucketAcl() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            s3.createBucket(b -> b.bucket("public").acl(BucketCannedACL.PUBLIC_READ));
            assertError(400, "InvalidBucketAclWithObjectOwnership", () -> s3.putBucketOwnershipControls(b -> b.bucket("public")
                    .ownershipControls(c -> c.rules(r -> r.objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)))));
            assertError(400, "InvalidBucketAclWithObjectOwnership", () -> s3.createBucket(b -> b.bucket("fresh")
                    .acl(BucketCannedACL.PUBLIC_READ).objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)));
            s3.createBucket(b -> b.bucket("fresh").objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED));
            assertEquals(ObjectOwnership.BUCKET_OWNER_ENFORCED, s3.getBucketOwnershipControls(b -> b.bucket("fresh"))
                    .ownershipControls().rules().getFirst().objectOwnership());
        }
    }
}
