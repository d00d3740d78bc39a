package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The S3 errors, with their extra elements, for an Authorization header S3 does not accept, an
 * expired presigned URL, a SigV2 request from a skewed clock and aws-chunked chunks under 8 KiB.
 */
class AuthErrorTest extends GatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static String bucket;

    @BeforeAll
    static void setUp() {
        bucket = createBucket("auth-errors");
        s3.putObject(b -> b.bucket(bucket).key("obj"), software.amazon.awssdk.core.sync.RequestBody.fromString("data"));
    }

    private static RawRequest.Response send(HttpRequest request) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new RawRequest.Response(r.statusCode(), r.headers().map(), r.body());
    }

    private static String element(RawRequest.Response r, String name) {
        Element root = r.xml().getDocumentElement();
        return RawRequest.Xml.text(root, name);
    }

    @Test
    void unknownAuthorizationSchemeIsInvalidArgumentNamingOnlyTheScheme() throws Exception {
        for (String value : new String[] {"foo bar", "Bearer secret-token"}) {
            RawRequest.Response r = send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/obj"))
                    .header("Authorization", value).GET().build());
            assertEquals(400, r.status(), r::toString);
            assertEquals("InvalidArgument", r.errorCode());
            assertEquals("Unsupported Authorization Type", element(r, "Message"));
            assertEquals("Authorization", element(r, "ArgumentName"));
            assertEquals(value.substring(0, value.indexOf(' ')), element(r, "ArgumentValue"));
            assertFalse(r.text().contains("secret-token"));
        }
    }

    @Test
    void twoAuthorizationHeadersAreRefusedEvenWhenTheFirstIsValid() throws Exception {
        String host = "127.0.0.1:" + server.port();
        String path = "/" + bucket + "/obj";
        Instant now = Instant.now();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-date", AMZ_DATE.format(now));
        headers.put("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        String valid = RawRequest.authorization("GET", host, path, Map.of(), headers, "UNSIGNED-PAYLOAD", now,
                StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY);
        HttpRequest.Builder one = HttpRequest.newBuilder(URI.create("http://" + host + path)).GET();
        headers.forEach(one::header);
        assertEquals(200, send(one.header("Authorization", valid).build()).status());

        HttpRequest.Builder two = HttpRequest.newBuilder(URI.create("http://" + host + path)).GET();
        headers.forEach(two::header);
        RawRequest.Response r = send(two.header("Authorization", valid)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=other").build());
        assertEquals(400, r.status(), r::toString);
        assertEquals("InvalidArgument", r.errorCode());
        assertEquals("Authorization", element(r, "ArgumentName"));
    }

    @Test
    void expiredPresignedUrlIsAccessDeniedWithItsExpiryAndTheServerTime() throws Exception {
        Instant signedAt = Instant.now().minus(Duration.ofMinutes(10));
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create(server.endpoint() + "/" + bucket + "/obj")).build();
        SdkHttpRequest presigned = AwsV4HttpSigner.create().sign(b -> b
                .identity(AwsCredentialsIdentity.create(StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY))
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, StrataServer.REGION)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofSeconds(60))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
        RawRequest.Response r = send(HttpRequest.newBuilder(presigned.getUri()).GET().build());
        assertEquals(403, r.status(), r::toString);
        assertEquals("AccessDenied", r.errorCode());
        assertEquals("Request has expired", element(r, "Message"));
        assertEquals("60", element(r, "X-Amz-Expires"));
        assertEquals(signedAt.plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                element(r, "Expires"));
        assertFalse(element(r, "ServerTime").isEmpty());
    }

    @Test
    void sigV2RequestFromASkewedClockIsRequestTimeTooSkewedWithBothTimes() throws Exception {
        String old = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().minusSeconds(3600).atZone(ZoneOffset.UTC));
        String signature = sigV2("GET\n\n\n" + old + "\n/" + bucket + "/obj");
        RawRequest.Response r = send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/obj"))
                .header("Date", old).header("Authorization", "AWS " + StrataServer.ACCESS_KEY + ":" + signature)
                .GET().build());
        assertEquals(403, r.status(), r::toString);
        assertEquals("RequestTimeTooSkewed", r.errorCode());
        assertEquals(old, element(r, "RequestTime"));
        assertEquals("900000", element(r, "MaxAllowedSkewMilliseconds"));
        assertFalse(element(r, "ServerTime").isEmpty());
    }

    private static String sigV2(String stringToSign) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(StrataServer.SECRET_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void amzHeadersAddedToSigV2RequestsBreakTheirSignatureAndCopyNothing() throws Exception {
        // SigV2 signs every x-amz-* header (CanonicalizedAmzHeaders), in the header and in query-string URLs.
        s3.putObject(b -> b.bucket(bucket).key("v2-secret"), software.amazon.awssdk.core.sync.RequestBody.fromString("s"));
        String source = "/" + bucket + "/v2-secret";
        long expires = Instant.now().getEpochSecond() + 300;
        String url = server.endpoint() + "/" + bucket + "/v2-query?AWSAccessKeyId=" + StrataServer.ACCESS_KEY
                + "&Expires=" + expires + "&Signature=" + java.net.URLEncoder.encode(
                sigV2("PUT\n\n\n" + expires + "\n/" + bucket + "/v2-query"), StandardCharsets.UTF_8);
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build()).status());
        RawRequest.Response query = send(HttpRequest.newBuilder(URI.create(url))
                .header("x-amz-copy-source", source).header("x-amz-acl", "public-read")
                .PUT(HttpRequest.BodyPublishers.ofString("y")).build());
        assertEquals(403, query.status(), query::toString);
        assertEquals("SignatureDoesNotMatch", query.errorCode());
        assertEquals("x", s3.getObjectAsBytes(b -> b.bucket(bucket).key("v2-query")).asUtf8String());

        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().atZone(ZoneOffset.UTC));
        String signature = sigV2("PUT\n\n\n" + date + "\n/" + bucket + "/v2-header");
        RawRequest.Response header = send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/" + bucket + "/v2-header"))
                .header("Date", date).header("Authorization", "AWS " + StrataServer.ACCESS_KEY + ":" + signature)
                .header("x-amz-copy-source", source).header("x-amz-acl", "public-read")
                .PUT(HttpRequest.BodyPublishers.ofString("y")).build());
        assertEquals(403, header.status(), header::toString);
        assertEquals("SignatureDoesNotMatch", header.errorCode());
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("v2-header")));
    }

    /** An unsigned-trailer aws-chunked body of {@code data} in chunks of {@code chunkSize}, with a CRC32 trailer. */
    private static byte[] chunked(byte[] data, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += chunkSize) {
            int n = Math.min(chunkSize, data.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("0\r\nx-amz-checksum-crc32:" + TestData.crc32Base64(data) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static RawRequest.Response putChunked(String key, byte[] data, int chunkSize) throws Exception {
        return RawRequest.of("PUT", "/" + bucket + "/" + key).payloadHash("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
                .header("Content-Encoding", "aws-chunked").header("x-amz-trailer", "x-amz-checksum-crc32")
                .header("x-amz-decoded-content-length", Integer.toString(data.length))
                .body(chunked(data, chunkSize)).send(server);
    }

    @Test
    void chunkUnder8KiBThatIsNotTheLastIsInvalidChunkSizeErrorAndStoresNothing() throws Exception {
        byte[] data = TestData.bytes(61, 20_000);
        RawRequest.Response small = putChunked("small-chunks", data, 4096);
        assertEquals(400, small.status(), small::toString);
        assertEquals("InvalidChunkSizeError", small.errorCode());
        assertEquals("Only the last chunk is allowed to have a size less than 8192 bytes", element(small, "Message"));
        assertEquals("1", element(small, "Chunk"));
        assertEquals("4096", element(small, "BadChunkSize"));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("small-chunks")));

        RawRequest.Response ok = putChunked("8k-chunks", data, 8192);
        assertEquals(200, ok.status(), ok::toString);
        assertEquals(data.length, s3.headObject(b -> b.bucket(bucket).key("8k-chunks")).contentLength());
    }
}
