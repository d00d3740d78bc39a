package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/** Object behaviours pipelines rely on beyond the core API, through the SDK and boto3. */
class ObjectDetailsTest extends GatewayTest {

    @Test
    void putHeadAndGetAnnounceALifecycleExpiration() {
        String bucket = createBucket("expiration");
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("tmp-7d").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("tmp/"))
                        .expiration(e -> e.days(7)).build())));
        String put = s3.putObject(b -> b.bucket(bucket).key("tmp/a"), RequestBody.fromString("v")).expiration();
        assertTrue(put.matches("expiry-date=\"\\w{3}, \\d{2} \\w{3} \\d{4} 00:00:00 GMT\", rule-id=\"tmp-7d\""), put);
        assertEquals(put, s3.headObject(b -> b.bucket(bucket).key("tmp/a")).expiration());
        assertEquals(put, s3.getObject(b -> b.bucket(bucket).key("tmp/a")).response().expiration());
        s3.putObject(b -> b.bucket(bucket).key("kept"), RequestBody.fromString("v"));
        assertNull(s3.headObject(b -> b.bucket(bucket).key("kept")).expiration());
    }

    @Test
    void completeMultipartUploadAndCopyObjectAnnounceALifecycleExpirationToo() {
        String bucket = createBucket("expiration-mpu");
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("tmp-7d").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("tmp/"))
                        .expiration(e -> e.days(7)).build())));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("tmp/mpu")).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("tmp/mpu").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("part")).eTag();
        var completed = s3.completeMultipartUpload(b -> b.bucket(bucket).key("tmp/mpu").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertTrue(completed.expiration() != null && completed.expiration().endsWith("rule-id=\"tmp-7d\""), completed.expiration());
        assertEquals(s3.headObject(b -> b.bucket(bucket).key("tmp/mpu")).expiration(), completed.expiration());

        var copied = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("tmp/mpu").destinationBucket(bucket).destinationKey("tmp/copy"));
        assertEquals(s3.headObject(b -> b.bucket(bucket).key("tmp/copy")).expiration(), copied.expiration());
        assertTrue(copied.expiration() != null && copied.expiration().endsWith("rule-id=\"tmp-7d\""), copied.expiration());
        // A copy out of the rule's prefix is not selected: no header.
        assertNull(s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("tmp/mpu").destinationBucket(bucket).destinationKey("kept"))
                .expiration());
    }

    @Test
    void nonAsciiUserMetadataFromTheSdkIsStoredAndReturnedRfc2047Encoded() {
        String bucket = createBucket("metadata");
        s3.putObject(b -> b.bucket(bucket).key("k").metadata(java.util.Map.of("name", "café ü")), RequestBody.fromString("v"));
        assertEquals("=?UTF-8?B?Y2Fmw6kgw7w=?=", s3.headObject(b -> b.bucket(bucket).key("k")).metadata().get("name"));
    }

    /**
     * A PUT with Expect: 100-continue that will fail is answered with its error at once, without a
     * 100 Continue and without waiting for the body, and the connection is closed: the client never
     * sent the body, so the connection cannot carry another request.
     */
    @ParameterizedTest
    @CsvSource({"no-such-bucket-here, " + StrataServer.SECRET_KEY + ", 404", "EXISTING, wrong-secret, 403"})
    void aFailingPutWithExpectContinueIsAnsweredAtOnceAndClosed(String bucketName, String secret, int expected)
            throws Exception {
        String bucket = bucketName.equals("EXISTING") ? createBucket("expect") : bucketName;
        String path = "/" + bucket + "/k";
        java.time.Instant now = java.time.Instant.now();
        String amzDate = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(now);
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("content-length", "10000000");
        headers.put("expect", "100-continue");
        headers.put("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        headers.put("x-amz-date", amzDate);
        String host = "127.0.0.1:" + server.port();
        String authorization = RawRequest.authorization("PUT", host, path, java.util.Map.of(), headers, "UNSIGNED-PAYLOAD",
                now, StrataServer.ACCESS_KEY, secret);
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("Authorization: ").append(authorization).append("\r\n\r\n");
            socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            String status = in.readLine();   // no body sent: a server waiting for it would time this read out
            assertTrue(status != null && status.startsWith("HTTP/1.1 " + expected), "status " + status);
            boolean close = false;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.equalsIgnoreCase("Connection: close")) close = true;
            }
            assertTrue(close, "the response should carry Connection: close");
        }
    }

    @Test
    void severalContentEncodingsAreJoinedAsS3Does() {
        String bucket = createBucket("encodings");
        s3.putObject(b -> b.bucket(bucket).key("k").contentEncoding("deflate,gzip"), RequestBody.fromString("v"));
        assertEquals("deflate, gzip", s3.headObject(b -> b.bucket(bucket).key("k")).contentEncoding());
    }

    @Test
    void objectTagsComeBackSortedByKey() {
        String bucket = createBucket("tag-order");
        s3.putObject(b -> b.bucket(bucket).key("k").tagging("foo=bar&bar=&abc=1"), RequestBody.fromString("v"));
        assertEquals(java.util.List.of("abc", "bar", "foo"), s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet()
                .stream().map(software.amazon.awssdk.services.s3.model.Tag::key).toList());
    }

    /** A missing key is 404 to a caller who may list the bucket, 403 to one a policy lets only read. */
    @Test
    void aMissingKeyIsNotFoundOnlyToCallersWhoMayList() throws Exception {
        String bucket = createBucket("missing-key");
        s3.putBucketPolicy(b -> b.bucket(bucket).policy("""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                 "Resource":"arn:aws:s3:::%s/*"}]}""".formatted(bucket)));
        assertS3Error(404, "NoSuchKey", () -> s3.getObject(b -> b.bucket(bucket).key("absent")));
        try (var anonymous = S3Clients.anonymous(server)) {
            assertS3Error(403, "AccessDenied", () -> anonymous.getObject(b -> b.bucket(bucket).key("absent")));
            assertS3Error(403, null, () -> anonymous.headObject(b -> b.bucket(bucket).key("absent")));
            s3.putBucketPolicy(b -> b.bucket(bucket).policy("""
                    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                     "Resource":"arn:aws:s3:::%1$s/*"},{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket",
                     "Resource":"arn:aws:s3:::%1$s"}]}""".formatted(bucket)));
            assertS3Error(404, "NoSuchKey", () -> anonymous.getObject(b -> b.bucket(bucket).key("absent")));
            assertS3Error(404, null, () -> anonymous.headObject(b -> b.bucket(bucket).key("absent")));
        }
    }

    @Test
    void boto3FirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Script.run(RealClients.onPathOrFail("python3", "python3").toString(), "boto3_object_details.py", server, root);
    }
}
