package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;

/**
 * Bucket behaviours pipelines rely on, through the SDK and boto3: re-creating an owned bucket
 * (200 in us-east-1, the gateway's default region; 409 elsewhere), ListBuckets' 2024 paging, and
 * x-amz-expected-bucket-owner.
 */
class BucketDetailsTest extends GatewayTest {

    @Test
    void recreatingAnOwnedBucketInUsEast1IsOk() {
        String bucket = createBucket("ensure");
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("kept"));
        s3.createBucket(b -> b.bucket(bucket));
        assertEquals("kept", s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String());
    }

    @Test
    void recreatingAnOwnedBucketOutsideUsEast1IsBucketAlreadyOwnedByYou() throws Exception {
        try (StrataServer west = StrataServer.start(root.resolve("west"), Map.of("STRATA_REGION", "eu-west-1"), List.of());
             S3Client client = S3Clients.pathStyle(west)) {
            client.createBucket(b -> b.bucket("twice"));
            assertS3Error(409, "BucketAlreadyOwnedByYou", () -> client.createBucket(b -> b.bucket("twice")));
        }
    }

    @Test
    void listBucketsPagesByMaxBucketsWithinAPrefix() {
        String prefix = bucketName("pages") + "-";
        for (String s : List.of("a", "b", "c")) s3.createBucket(b -> b.bucket(prefix + s));
        List<String> names = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            ListBucketsResponse page = s3.listBuckets(b -> b.prefix(prefix).maxBuckets(2).continuationToken(t));
            assertEquals(prefix, page.prefix());
            page.buckets().forEach(b -> names.add(b.name()));
            token = page.continuationToken();
            pages++;
        } while (token != null && pages < 5);
        assertEquals(List.of(prefix + "a", prefix + "b", prefix + "c"), names);
        assertEquals(2, pages);
        assertS3Error(400, "InvalidArgument", () -> s3.listBuckets(b -> b.maxBuckets(0)));
        assertNull(s3.listBuckets().continuationToken(), "without max-buckets every bucket is on one page");
    }

    @Test
    void aWrongExpectedBucketOwnerIsAccessDenied() {
        String bucket = createBucket("expected-owner");
        assertS3Error(403, "AccessDenied", () -> s3.putObject(b -> b.bucket(bucket).key("k")
                .expectedBucketOwner("111122223333"), RequestBody.fromString("v")));
        s3.putObject(b -> b.bucket(bucket).key("k").expectedBucketOwner(StrataServer.ACCESS_KEY), RequestBody.fromString("v"));
        assertTrue(s3.listObjectsV2(b -> b.bucket(bucket).continuationToken("")).keyCount() == 1);
    }

    /** SigV2 (boto3's signature_version "s3"): CreateBucket with a location body or no User-Agent, skew. */
    @Test
    void boto3SigV2FirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Script.run(RealClients.onPathOrFail("python3", "python3").toString(), "boto3_sigv2.py", server, root);
    }

    @Test
    void boto3SigV2FromDebian() throws Exception {
        RealClients.skipIfOptedOut();
        Script.run(RealClients.debianBoto3().toString(), "boto3_sigv2.py", server, root);
    }

    /** s3cmd with signature_v2 = True makes a bucket with a location body. */
    @Test
    void s3cmdSigV2MakesABucketWithALocation() throws Exception {
        RealClients.skipIfOptedOut();
        String s3cmd = RealClients.onPathOrFail("s3cmd", "s3cmd").toString();
        java.nio.file.Path config = root.resolve("s3cfg-v2");
        java.nio.file.Files.writeString(config, String.join("\n", "[default]", "access_key = " + StrataServer.ACCESS_KEY,
                "secret_key = " + StrataServer.SECRET_KEY, "host_base = 127.0.0.1:" + server.port(),
                "host_bucket = 127.0.0.1:" + server.port(), "use_https = False", "signature_v2 = True",
                "bucket_location = eu-west-1", ""));
        String bucket = bucketName("s3cmd-v2");
        Process p = new ProcessBuilder(s3cmd, "-c", config.toString(), "mb", "s3://" + bucket).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "s3cmd mb: " + out);
        assertEquals("eu-west-1", s3.getBucketLocation(b -> b.bucket(bucket)).locationConstraintAsString());
    }

    @Test
    void boto3FirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Script.run(RealClients.onPathOrFail("python3", "python3").toString(), "boto3_details.py", server, root);
    }
}
