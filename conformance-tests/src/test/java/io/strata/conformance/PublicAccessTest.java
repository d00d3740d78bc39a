package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

/** PublicAccessBlock, GetBucketPolicyStatus and OwnershipControls through the SDK and anonymous HTTP. */
class PublicAccessTest extends GatewayTest {

    private static int anonymousGet(String bucket, String key) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/" + key)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void publicAccessBlockBlocksAndRestricts() throws Exception {
        String bucket = createBucket("pab");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("v"));
        String policy = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                 "Resource":"arn:aws:s3:::%s/*"}]}""".formatted(bucket);
        s3.putBucketPolicy(b -> b.bucket(bucket).policy(policy));
        assertTrue(s3.getBucketPolicyStatus(b -> b.bucket(bucket)).policyStatus().isPublic());
        assertEquals(200, anonymousGet(bucket, "k"));

        s3.putPublicAccessBlock(b -> b.bucket(bucket).publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)
                .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(true)));
        assertTrue(s3.getPublicAccessBlock(b -> b.bucket(bucket)).publicAccessBlockConfiguration().restrictPublicBuckets());
        assertEquals(403, anonymousGet(bucket, "k"));
        assertS3Error(403, "AccessDenied", () -> s3.putBucketPolicy(b -> b.bucket(bucket).policy(policy)));
        assertS3Error(403, "AccessDenied", () -> s3.putObject(b -> b.bucket(bucket).key("p").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("v")));

        s3.deletePublicAccessBlock(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchPublicAccessBlockConfiguration", () -> s3.getPublicAccessBlock(b -> b.bucket(bucket)));
        assertEquals(200, anonymousGet(bucket, "k"));
    }

    @Test
    void bucketOwnerEnforcedRefusesAclsButShowsTheOwnersFullControl() {
        String bucket = bucketName("enforced");
        s3.createBucket(b -> b.bucket(bucket).objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED));
        assertEquals(ObjectOwnership.BUCKET_OWNER_ENFORCED, s3.getBucketOwnershipControls(b -> b.bucket(bucket))
                .ownershipControls().rules().getFirst().objectOwnership());
        assertS3Error(400, "AccessControlListNotSupported", () -> s3.putObject(b -> b.bucket(bucket).key("k")
                .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("v")));
        s3.putObject(b -> b.bucket(bucket).key("k").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromString("v"));
        assertEquals(1, s3.getObjectAcl(b -> b.bucket(bucket).key("k")).grants().size());
        s3.deleteBucketOwnershipControls(b -> b.bucket(bucket));
        assertS3Error(404, "OwnershipControlsNotFoundError", () -> s3.getBucketOwnershipControls(b -> b.bucket(bucket)));
    }
}
