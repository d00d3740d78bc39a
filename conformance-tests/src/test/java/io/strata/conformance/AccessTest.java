package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.Type;

/**
 * Access control as clients see it: bucket policies (Put/Get/Delete, validation, evaluation with
 * anonymous requests over plain HTTP), canned ACLs on buckets and objects, and Signature Version 2
 * (header and query string).
 */
class AccessTest extends GatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<byte[]> anonymous(String method, String pathAndQuery, byte[] body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoint() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).method(method, publisher).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String code(HttpResponse<byte[]> r) {
        return new RawRequest.Response(r.statusCode(), r.headers().map(), r.body()).errorCode();
    }

    // ---- bucket policies

    @Test
    void policyIsStoredReturnedAndDeleted() {
        String bucket = createBucket("policy-crud");
        assertS3Error(404, "NoSuchBucketPolicy", () -> s3.getBucketPolicy(b -> b.bucket(bucket)));
        String policy = """
                {"Version":"2012-10-17","Statement":[{"Sid":"Pub","Effect":"Allow","Principal":"*",
                "Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/public/*"}]}""".formatted(bucket);
        s3.putBucketPolicy(b -> b.bucket(bucket).policy(policy));
        assertEquals(policy, s3.getBucketPolicy(b -> b.bucket(bucket)).policy());
        s3.deleteBucketPolicy(b -> b.bucket(bucket));
        s3.deleteBucketPolicy(b -> b.bucket(bucket));
        assertS3Error(404, "NoSuchBucketPolicy", () -> s3.getBucketPolicy(b -> b.bucket(bucket)));
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketPolicy(b -> b.bucket("no-such-bucket-here")));
    }

    @Test
    void malformedPoliciesAreRefusedAndChangeNothing() {
        String bucket = createBucket("policy-bad");
        for (String bad : List.of("{", "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}]}",
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:Teleport\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}")) {
            assertS3Error(400, "MalformedPolicy", () -> s3.putBucketPolicy(b -> b.bucket(bucket).policy(bad)));
        }
        assertS3Error(404, "NoSuchBucketPolicy", () -> s3.getBucketPolicy(b -> b.bucket(bucket)));
    }

    @Test
    void policyWithAHugeNumericExponentIsMalformedPolicyAtOnce() {
        String bucket = createBucket("policy-exponent");
        // About 200 bytes; once parsed into a billion-digit string that took a core and gigabytes of heap.
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\","
                + "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":1e999999999}}}]}";
        // A safety net so that a regression fails instead of hanging the suite; the assertion is the error.
        assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertS3Error(400, "MalformedPolicy", () -> s3.putBucketPolicy(b -> b.bucket(bucket).policy(policy))));
        assertS3Error(404, "NoSuchBucketPolicy", () -> s3.getBucketPolicy(b -> b.bucket(bucket)));
    }

    @Test
    void anonymousAccessFollowsThePolicy() throws Exception {
        String bucket = createBucket("policy-anon");
        s3.putObject(b -> b.bucket(bucket).key("public/a.txt"), RequestBody.fromString("hello"));
        s3.putObject(b -> b.bucket(bucket).key("private/b.txt"), RequestBody.fromString("secret"));
        assertEquals(403, anonymous("GET", "/" + bucket + "/public/a.txt", null).statusCode());
        s3.putBucketPolicy(b -> b.bucket(bucket).policy("""
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%1$s/public/*"},
                 {"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::%1$s",
                  "Condition":{"StringLike":{"s3:prefix":"public/*"},"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}}]}"""
                .formatted(bucket)));
        HttpResponse<byte[]> ok = anonymous("GET", "/" + bucket + "/public/a.txt", null);
        assertEquals(200, ok.statusCode());
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), ok.body());
        HttpResponse<byte[]> denied = anonymous("GET", "/" + bucket + "/private/b.txt", null);
        assertEquals(403, denied.statusCode());
        assertEquals("AccessDenied", code(denied));
        assertEquals(403, anonymous("PUT", "/" + bucket + "/public/new.txt", new byte[] {1}).statusCode());
        assertEquals(200, anonymous("GET", "/" + bucket + "?list-type=2&prefix=public/", null).statusCode());
        assertEquals(403, anonymous("GET", "/" + bucket + "?list-type=2&prefix=private/", null).statusCode());
        assertEquals(403, anonymous("GET", "/" + bucket + "?policy", null).statusCode());
        assertEquals(403, anonymous("GET", "/", null).statusCode());
        // A bucket that does not exist is reported as such, not hidden behind AccessDenied.
        assertEquals(404, anonymous("GET", "/no-such-bucket-anon/x", null).statusCode());
    }

    @Test
    void explicitDenyBindsTheOwnerWhoCanStillRemoveThePolicy() {
        String bucket = createBucket("policy-deny");
        s3.putObject(b -> b.bucket(bucket).key("keep"), RequestBody.fromString("x"));
        s3.putBucketPolicy(b -> b.bucket(bucket).policy("""
                {"Version":"2012-10-17","Statement":[{"Sid":"NoDeletes","Effect":"Deny","Principal":"*",
                "Action":["s3:DeleteObject","s3:PutObject"],"Resource":"arn:aws:s3:::%s/*"}]}""".formatted(bucket)));
        assertS3Error(403, "AccessDenied", () -> s3.deleteObject(b -> b.bucket(bucket).key("keep")));
        assertS3Error(403, "AccessDenied", () -> s3.putObject(b -> b.bucket(bucket).key("new"), RequestBody.fromString("y")));
        var result = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(o -> o.key("keep"))));
        assertEquals("AccessDenied", result.errors().getFirst().code());
        assertEquals("x", s3.getObjectAsBytes(b -> b.bucket(bucket).key("keep")).asUtf8String());
        s3.deleteBucketPolicy(b -> b.bucket(bucket));
        s3.deleteObject(b -> b.bucket(bucket).key("keep"));
    }

    @Test
    void aPolicyGrantingEverythingToEveryoneStillLeavesTheBucketsConfigurationToItsOwner() throws Exception {
        String bucket = createBucket("policy-owner-only");
        String policy = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*",
                "Resource":["arn:aws:s3:::%1$s","arn:aws:s3:::%1$s/*"]}]}""".formatted(bucket);
        s3.putBucketPolicy(b -> b.bucket(bucket).policy(policy));
        byte[] takeover = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",
                "Resource":["arn:aws:s3:::%1$s","arn:aws:s3:::%1$s/*"]}]}""".formatted(bucket).getBytes(StandardCharsets.UTF_8);
        // AWS: a caller outside the owner's account whom a grant would allow gets 405, never the policy.
        for (HttpResponse<byte[]> r : List.of(anonymous("PUT", "/" + bucket + "?policy", takeover),
                anonymous("GET", "/" + bucket + "?policy", null), anonymous("DELETE", "/" + bucket + "?policy", null))) {
            assertEquals(405, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("MethodNotAllowed", code(r));
        }
        byte[] xml = "<x/>".getBytes(StandardCharsets.UTF_8);
        for (String sub : List.of("acl", "cors", "lifecycle", "versioning", "tagging")) {
            HttpResponse<byte[]> put = anonymous("PUT", "/" + bucket + "?" + sub, xml);
            assertEquals(403, put.statusCode(), sub + ": " + new String(put.body(), StandardCharsets.UTF_8));
            assertEquals("AccessDenied", code(put));
        }
        for (String sub : List.of("cors", "lifecycle", "tagging")) {
            assertEquals(403, anonymous("DELETE", "/" + bucket + "?" + sub, null).statusCode(), sub);
        }
        HttpResponse<byte[]> publish = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/pub"))
                .header("x-amz-acl", "public-read").PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, publish.statusCode());
        assertEquals(403, anonymous("PUT", "/" + bucket + "/k?acl", xml).statusCode());
        // The grant itself still works for data.
        assertEquals(200, anonymous("PUT", "/" + bucket + "/k", "data".getBytes(StandardCharsets.UTF_8)).statusCode());
        // Nothing changed: same policy, no CORS, lifecycle or tags, versioning never set, bucket still private.
        assertEquals(policy, s3.getBucketPolicy(b -> b.bucket(bucket)).policy());
        assertS3Error(404, "NoSuchCORSConfiguration", () -> s3.getBucketCors(b -> b.bucket(bucket)));
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)));
        assertS3Error(404, "NoSuchTagSet", () -> s3.getBucketTagging(b -> b.bucket(bucket)));
        assertEquals(null, s3.getBucketVersioning(b -> b.bucket(bucket)).status());
        assertTrue(s3.getBucketAcl(b -> b.bucket(bucket)).grants().stream().noneMatch(AccessTest::isAllUsers));
        assertS3Error(404, "NoSuchKey", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("pub")));
        s3.deleteBucketPolicy(b -> b.bucket(bucket));
    }

    // ---- canned ACLs

    @Test
    void publicReadObjectIsReadableAnonymouslyUntilMadePrivate() throws Exception {
        String bucket = createBucket("acl-object");
        s3.putObject(b -> b.bucket(bucket).key("pub").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("open"));
        s3.putObject(b -> b.bucket(bucket).key("priv"), RequestBody.fromString("closed"));
        assertEquals(200, anonymous("GET", "/" + bucket + "/pub", null).statusCode());
        assertEquals(200, anonymous("HEAD", "/" + bucket + "/pub", null).statusCode());
        assertEquals(403, anonymous("GET", "/" + bucket + "/priv", null).statusCode());
        assertEquals(403, anonymous("GET", "/" + bucket + "?list-type=2", null).statusCode());
        GetObjectAclResponse acl = s3.getObjectAcl(b -> b.bucket(bucket).key("pub"));
        assertEquals(StrataServer.ACCESS_KEY, acl.owner().id());
        assertTrue(acl.grants().stream().anyMatch(g -> g.permission() == Permission.FULL_CONTROL
                && g.grantee().type() == Type.CANONICAL_USER && StrataServer.ACCESS_KEY.equals(g.grantee().id())));
        assertTrue(acl.grants().stream().anyMatch(g -> isAllUsers(g) && g.permission() == Permission.READ));
        s3.putObjectAcl(b -> b.bucket(bucket).key("pub").acl(ObjectCannedACL.PRIVATE));
        assertEquals(403, anonymous("GET", "/" + bucket + "/pub", null).statusCode());
        assertEquals(1, s3.getObjectAcl(b -> b.bucket(bucket).key("pub")).grants().size());
        assertEquals("open", s3.getObjectAsBytes(b -> b.bucket(bucket).key("pub")).asUtf8String());
        // A copy does not inherit the source's ACL.
        s3.putObjectAcl(b -> b.bucket(bucket).key("pub").acl(ObjectCannedACL.PUBLIC_READ));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("pub").destinationBucket(bucket).destinationKey("copy"));
        assertEquals(403, anonymous("GET", "/" + bucket + "/copy", null).statusCode());
    }

    private static boolean isAllUsers(Grant g) {
        return g.grantee().type() == Type.GROUP && "http://acs.amazonaws.com/groups/global/AllUsers".equals(g.grantee().uri());
    }

    @Test
    void bucketAclsGrantListingAndWriting() throws Exception {
        String bucket = bucketName("acl-bucket");
        s3.createBucket(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ));
        assertEquals(200, anonymous("GET", "/" + bucket + "?list-type=2", null).statusCode());
        assertEquals(403, anonymous("PUT", "/" + bucket + "/anon", new byte[] {1, 2}).statusCode());
        s3.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ_WRITE));
        var grants = s3.getBucketAcl(b -> b.bucket(bucket)).grants();
        assertEquals(3, grants.size());
        assertTrue(grants.stream().anyMatch(g -> isAllUsers(g) && g.permission() == Permission.WRITE));
        assertEquals(200, anonymous("PUT", "/" + bucket + "/anon", new byte[] {1, 2}).statusCode());
        assertArrayEquals(new byte[] {1, 2}, s3.getObjectAsBytes(b -> b.bucket(bucket).key("anon")).asByteArray());
        s3.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PRIVATE));
        assertEquals(403, anonymous("GET", "/" + bucket + "?list-type=2", null).statusCode());
        assertS3Error(400, "InvalidArgument", () -> s3.putObject(b -> b.bucket(bucket).key("bad").acl("world-readable"),
                RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchKey", () -> s3.headObject(b -> b.bucket(bucket).key("bad")));
    }

    // ---- Signature Version 2

    private static String sigV2(String secret, String stringToSign) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    private static String v2Url(String bucket, String key, long expires, String secret) throws Exception {
        String signature = sigV2(secret, "GET\n\n\n" + expires + "\n/" + bucket + "/" + key);
        return "/" + bucket + "/" + key + "?AWSAccessKeyId=" + StrataServer.ACCESS_KEY + "&Expires=" + expires
                + "&Signature=" + URLEncoder.encode(signature, StandardCharsets.UTF_8);
    }

    @Test
    void sigV2QueryStringUrls() throws Exception {
        String bucket = createBucket("sigv2-query");
        s3.putObject(b -> b.bucket(bucket).key("obj"), RequestBody.fromString("v2 data"));
        long inAMinute = Instant.now().getEpochSecond() + 60;
        HttpResponse<byte[]> ok = anonymous("GET", v2Url(bucket, "obj", inAMinute, StrataServer.SECRET_KEY), null);
        assertEquals(200, ok.statusCode(), () -> new String(ok.body(), StandardCharsets.UTF_8));
        assertEquals("v2 data", new String(ok.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> expired = anonymous("GET", v2Url(bucket, "obj", Instant.now().getEpochSecond() - 5,
                StrataServer.SECRET_KEY), null);
        assertEquals(403, expired.statusCode());
        assertTrue(new String(expired.body(), StandardCharsets.UTF_8).contains("Request has expired"));
        HttpResponse<byte[]> wrong = anonymous("GET", v2Url(bucket, "obj", inAMinute, "wrong-secret"), null);
        assertEquals("SignatureDoesNotMatch", code(wrong));
        HttpResponse<byte[]> unknown = anonymous("GET", v2Url(bucket, "obj", inAMinute, StrataServer.SECRET_KEY)
                .replace(StrataServer.ACCESS_KEY, "AKIDUNKNOWN"), null);
        assertEquals("InvalidAccessKeyId", code(unknown));
    }

    @Test
    void sigV2AuthorizationHeader() throws Exception {
        String bucket = createBucket("sigv2-header");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
        String toSign = "PUT\n\ntext/plain\n" + date + "\nx-amz-meta-color:blue\n/" + bucket + "/hello.txt";
        HttpRequest put = HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/hello.txt"))
                .header("Date", date).header("Content-Type", "text/plain").header("x-amz-meta-color", "blue")
                .header("Authorization", "AWS " + StrataServer.ACCESS_KEY + ":" + sigV2(StrataServer.SECRET_KEY, toSign))
                .PUT(HttpRequest.BodyPublishers.ofString("v2 header")).build();
        HttpResponse<byte[]> r = HTTP.send(put, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        var head = s3.headObject(b -> b.bucket(bucket).key("hello.txt"));
        assertEquals("blue", head.metadata().get("color"));
        String old = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().minusSeconds(3600).atZone(ZoneOffset.UTC));
        String oldSign = "GET\n\n\n" + old + "\n/" + bucket + "/hello.txt";
        HttpResponse<byte[]> skewed = HTTP.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/hello.txt"))
                .header("Date", old).header("Authorization", "AWS " + StrataServer.ACCESS_KEY + ":"
                        + sigV2(StrataServer.SECRET_KEY, oldSign)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, skewed.statusCode());
        assertEquals("RequestTimeTooSkewed", code(skewed));
    }
}
