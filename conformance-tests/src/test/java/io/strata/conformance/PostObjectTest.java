package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;

/**
 * Browser-based uploads (POST Object) with a raw multipart/form-data body: SigV4 and SigV2 policy
 * signatures, {@code ${filename}}, success_action_status, policy conditions and anonymous forms.
 */
class PostObjectTest extends GatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String BOUNDARY = "----StrataFormBoundary0123456789";

    private static byte[] hmac(byte[] key, String data, String algorithm) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** Form fields signed with SigV4 for a policy whose conditions are {@code conditions} (JSON array items). */
    private static Map<String, String> v4Fields(String bucket, String key, String conditions, Instant expiration) throws Exception {
        return v4Fields(bucket, key, "[\"starts-with\",\"$key\",\"" + key.substring(0, key.indexOf('/') + 1) + "\"]",
                conditions, expiration);
    }

    /** As above, with {@code keyCondition} the policy's condition on $key. */
    private static Map<String, String> v4Fields(String bucket, String key, String keyCondition, String conditions,
                                                Instant expiration) throws Exception {
        Instant now = Instant.now();
        String date = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC).format(now);
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        String credential = StrataServer.ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request";
        String policy = Base64.getEncoder().encodeToString(("{\"expiration\":\"" + expiration + "\",\"conditions\":["
                + "{\"bucket\":\"" + bucket + "\"}," + keyCondition + ","
                + "{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"},{\"x-amz-credential\":\"" + credential + "\"},"
                + "{\"x-amz-date\":\"" + amzDate + "\"}" + conditions + "]}").getBytes(StandardCharsets.UTF_8));
        byte[] k = hmac(("AWS4" + StrataServer.SECRET_KEY).getBytes(StandardCharsets.UTF_8), date, "HmacSHA256");
        k = hmac(k, "us-east-1", "HmacSHA256");
        k = hmac(k, "s3", "HmacSHA256");
        k = hmac(k, "aws4_request", "HmacSHA256");
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", key);
        f.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        f.put("x-amz-credential", credential);
        f.put("x-amz-date", amzDate);
        f.put("policy", policy);
        f.put("x-amz-signature", HexFormat.of().formatHex(hmac(k, policy, "HmacSHA256")));
        return f;
    }

    private static HttpResponse<String> post(String bucket, Map<String, String> fields, String filename, byte[] file)
            throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (var e : fields.entrySet()) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n\r\n"
                    + e.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> r) {
        return new RawRequest.Response(r.statusCode(), r.headers().map(), r.body().getBytes(StandardCharsets.UTF_8)).errorCode();
    }

    @Test
    void sigV4FormUploadsTheFileUnderItsFilename() throws Exception {
        String bucket = createBucket("post-v4");
        byte[] file = TestData.bytes(81, 3 * 1024 * 1024 + 17);
        Map<String, String> fields = v4Fields(bucket, "uploads/${filename}",
                ",{\"Content-Type\":\"image/png\"},[\"starts-with\",\"$x-amz-meta-tag\",\"\"]", Instant.now().plusSeconds(300));
        fields.put("Content-Type", "image/png");
        fields.put("x-amz-meta-tag", "form");
        HttpResponse<String> r = post(bucket, fields, "photo.png", file);
        assertEquals(204, r.statusCode(), r::body);
        assertEquals("\"" + TestData.md5Hex(file) + "\"", r.headers().firstValue("ETag").orElseThrow());
        var got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("uploads/photo.png"));
        assertArrayEquals(file, got.asByteArray());
        assertEquals("image/png", got.response().contentType());
        assertEquals("form", got.response().metadata().get("tag"));
    }

    /** S3 holds the policy's $key condition to the key with ${filename} replaced by the file's name. */
    @Test
    void aKeyFromTheFilenameIsCheckedAgainstThePolicyAfterSubstitution() throws Exception {
        String bucket = createBucket("post-filename");
        Map<String, String> fields = v4Fields(bucket, "${filename}", "[\"starts-with\",\"$key\",\"foo\"]", "",
                Instant.now().plusSeconds(300));
        HttpResponse<String> r = post(bucket, fields, "foo.txt", "bar".getBytes(StandardCharsets.UTF_8));
        assertEquals(204, r.statusCode(), r::body);
        assertEquals("bar", s3.getObjectAsBytes(b -> b.bucket(bucket).key("foo.txt")).asUtf8String());
        HttpResponse<String> other = post(bucket, fields, "other.txt", "bar".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, other.statusCode(), other::body);
    }

    /** Checksum fields need no policy condition, as on S3; the file is checked against them. */
    @Test
    void checksumFieldsAreAcceptedWithoutAConditionAndChecked() throws Exception {
        String bucket = createBucket("post-checksum");
        byte[] file = "checked".getBytes(StandardCharsets.UTF_8);
        String sha256 = Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(file));
        Map<String, String> fields = v4Fields(bucket, "a/ok", "", Instant.now().plusSeconds(300));
        fields.put("x-amz-checksum-sha256", sha256);
        HttpResponse<String> r = post(bucket, fields, "f", file);
        assertEquals(204, r.statusCode(), r::body);
        assertEquals(sha256, s3.headObject(b -> b.bucket(bucket).key("a/ok").checksumMode("ENABLED")).checksumSHA256());

        Map<String, String> wrong = v4Fields(bucket, "a/bad", "", Instant.now().plusSeconds(300));
        wrong.put("x-amz-checksum-sha256", sha256);
        HttpResponse<String> bad = post(bucket, wrong, "f", "other".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, bad.statusCode(), bad::body);
        assertEquals("BadDigest", code(bad));
    }

    @Test
    void theTaggingFieldSetsTheObjectsTags() throws Exception {
        String bucket = createBucket("post-tagging");
        String tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>";
        Map<String, String> fields = v4Fields(bucket, "a/tagged", ",[\"starts-with\",\"$tagging\",\"\"]",
                Instant.now().plusSeconds(300));
        fields.put("tagging", tagging);
        HttpResponse<String> r = post(bucket, fields, "f", "v".getBytes(StandardCharsets.UTF_8));
        assertEquals(204, r.statusCode(), r::body);
        var tags = s3.getObjectTagging(b -> b.bucket(bucket).key("a/tagged")).tagSet();
        assertEquals(1, tags.size());
        assertEquals("team", tags.getFirst().key());
        assertEquals("data", tags.getFirst().value());
    }

    @Test
    void successActionStatus201AnswersWithPostResponse() throws Exception {
        String bucket = createBucket("post-201");
        Map<String, String> fields = v4Fields(bucket, "a/b.txt", ",{\"success_action_status\":\"201\"}",
                Instant.now().plusSeconds(300));
        fields.put("success_action_status", "201");
        HttpResponse<String> r = post(bucket, fields, "ignored.txt", "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(201, r.statusCode(), r::body);
        var doc = RawRequest.Xml.parse(r.body());
        assertEquals("PostResponse", doc.getDocumentElement().getTagName());
        assertEquals("a/b.txt", RawRequest.Xml.text(doc.getDocumentElement(), "Key"));
        assertEquals(bucket, RawRequest.Xml.text(doc.getDocumentElement(), "Bucket"));
    }

    @Test
    void policyViolationsAreRefusedAndStoreNothing() throws Exception {
        String bucket = createBucket("post-deny");
        Map<String, String> wrongKey = v4Fields(bucket, "in/x", "", Instant.now().plusSeconds(300));
        wrongKey.put("key", "out/x");
        HttpResponse<String> r = post(bucket, wrongKey, "f", new byte[] {1});
        assertEquals(403, r.statusCode());
        assertEquals("AccessDenied", code(r));
        assertTrue(r.body().contains("Policy Condition failed"), r::body);

        Map<String, String> extra = v4Fields(bucket, "in/x", "", Instant.now().plusSeconds(300));
        extra.put("x-amz-meta-sneaky", "1");
        assertEquals(403, post(bucket, extra, "f", new byte[] {1}).statusCode());

        Map<String, String> expired = v4Fields(bucket, "in/x", "", Instant.now().minusSeconds(1));
        HttpResponse<String> e = post(bucket, expired, "f", new byte[] {1});
        assertEquals(403, e.statusCode());
        assertTrue(e.body().contains("Policy expired"), e::body);

        Map<String, String> small = v4Fields(bucket, "in/x", ",[\"content-length-range\",10,20]", Instant.now().plusSeconds(300));
        assertEquals("EntityTooSmall", code(post(bucket, small, "f", new byte[5])));
        assertEquals("EntityTooLarge", code(post(bucket, small, "f", new byte[21])));

        Map<String, String> tampered = v4Fields(bucket, "in/x", "", Instant.now().plusSeconds(300));
        tampered.put("x-amz-signature", "0".repeat(64));
        assertEquals("SignatureDoesNotMatch", code(post(bucket, tampered, "f", new byte[] {1})));
        assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket)).keyCount());
    }

    @Test
    void formsWithTooManyOrTooLargeFieldsAreRefusedAndStoreNothing() throws Exception {
        String bucket = createBucket("post-fields");
        Map<String, String> many = new LinkedHashMap<>(v4Fields(bucket, "in/x", "", Instant.now().plusSeconds(300)));
        for (int i = 0; i < 5000; i++) many.put("x-ignore-" + i, "");
        HttpResponse<String> r = post(bucket, many, "f", new byte[] {1});
        assertEquals(400, r.statusCode(), r::body);
        assertEquals("MalformedPOSTRequest", code(r));
        Map<String, String> longNames = new LinkedHashMap<>(v4Fields(bucket, "in/x", "", Instant.now().plusSeconds(300)));
        for (int i = 0; i < 20; i++) longNames.put("x-ignore-" + i + "-" + "n".repeat(4000), "");
        HttpResponse<String> n = post(bucket, longNames, "f", new byte[] {1});
        assertEquals(400, n.statusCode(), n::body);
        assertEquals("MalformedPOSTRequest", code(n));
        assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket)).keyCount());
    }

    @Test
    void sigV2FormAndAnonymousForms() throws Exception {
        String bucket = createBucket("post-v2");
        String policy = Base64.getEncoder().encodeToString(("{\"expiration\":\"" + Instant.now().plusSeconds(300)
                + "\",\"conditions\":[{\"bucket\":\"" + bucket + "\"},{\"key\":\"v2.bin\"}]}").getBytes(StandardCharsets.UTF_8));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", "v2.bin");
        fields.put("AWSAccessKeyId", StrataServer.ACCESS_KEY);
        fields.put("policy", policy);
        fields.put("signature", Base64.getEncoder().encodeToString(
                hmac(StrataServer.SECRET_KEY.getBytes(StandardCharsets.UTF_8), policy, "HmacSHA1")));
        assertEquals(204, post(bucket, fields, "x", new byte[] {7, 8, 9}).statusCode());
        assertArrayEquals(new byte[] {7, 8, 9}, s3.getObjectAsBytes(b -> b.bucket(bucket).key("v2.bin")).asByteArray());

        HttpResponse<String> anonymous = post(bucket, Map.of("key", "anon.bin"), "x", new byte[] {1});
        assertEquals(403, anonymous.statusCode());
        s3.putBucketAcl(b -> b.bucket(bucket).acl(BucketCannedACL.PUBLIC_READ_WRITE));
        assertEquals(204, post(bucket, Map.of("key", "anon.bin"), "x", new byte[] {1}).statusCode());
        assertEquals(1, s3.headObject(b -> b.bucket(bucket).key("anon.bin")).contentLength());
    }
}
