package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * SigV4: presigned URLs (GET and PUT, expiry, tampering), wrong and unknown credentials, anonymous
 * requests, clock skew, and the x-amz-content-sha256 values a server must accept or refuse.
 */
class AuthTest extends GatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static String bucket;
    private static S3Presigner presigner;

    @BeforeAll
    static void setUp() {
        bucket = createBucket("auth");
        presigner = S3Clients.presigner(server);
        s3.putObject(b -> b.bucket(bucket).key("private"), RequestBody.fromString("secret contents"));
    }

    @AfterAll
    static void closePresigner() {
        if (presigner != null) {
            presigner.close();
        }
    }

    private static HttpResponse<byte[]> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String errorCode(HttpResponse<byte[]> response) {
        return new RawRequest.Response(response.statusCode(), response.headers().map(), response.body()).errorCode();
    }

    @Test
    void presignedGetAndPutWork() throws Exception {
        byte[] data = TestData.bytes(51, 200_000);
        PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket(bucket).key("presigned/ü file")));
        HttpRequest.Builder request = HttpRequest.newBuilder(put.url().toURI()).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data));
        put.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> putResponse = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, putResponse.statusCode(), () -> new String(putResponse.body(), StandardCharsets.UTF_8));
        assertEquals("\"" + TestData.md5Hex(data) + "\"", putResponse.headers().firstValue("ETag").orElse(null));

        PresignedGetObjectRequest getUrl = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket(bucket).key("presigned/ü file")));
        HttpResponse<byte[]> got = get(getUrl.url().toURI());
        assertEquals(200, got.statusCode());
        assertArrayEquals(data, got.body());
        assertArrayEquals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("presigned/ü file")).asByteArray());
    }

    @Test
    void expiredPresignedUrlIsAccessDenied() throws Exception {
        PresignedGetObjectRequest url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofSeconds(1))
                .getObjectRequest(r -> r.bucket(bucket).key("private")));
        Thread.sleep(2500);
        HttpResponse<byte[]> response = get(url.url().toURI());
        assertEquals(403, response.statusCode());
        assertEquals("AccessDenied", errorCode(response));
    }

    @Test
    void tamperedPresignedUrlIsSignatureDoesNotMatch() throws Exception {
        String url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket(bucket).key("private"))).url().toString();
        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char flipped = url.charAt(at) == '0' ? '1' : '0';
        HttpResponse<byte[]> response = get(URI.create(url.substring(0, at) + flipped + url.substring(at + 1)));
        assertEquals(403, response.statusCode());
        assertEquals("SignatureDoesNotMatch", errorCode(response));

        // The signature covers the key: the same query string on another key is refused too.
        String otherKey = url.replace("/private?", "/other?");
        HttpResponse<byte[]> other = get(URI.create(otherKey));
        assertEquals(403, other.statusCode());
        assertEquals("SignatureDoesNotMatch", errorCode(other));
    }

    @Test
    void wrongSecretIsSignatureDoesNotMatch() {
        try (S3Client wrong = S3Clients.withCredentials(server, StrataServer.ACCESS_KEY, "not-the-secret-key")) {
            assertS3Error(403, "SignatureDoesNotMatch", () -> wrong.getObject(b -> b.bucket(bucket).key("private")));
            assertS3Error(403, "SignatureDoesNotMatch", () -> wrong.listBuckets());
            assertS3Error(403, "SignatureDoesNotMatch", () -> wrong.putObject(b -> b.bucket(bucket).key("forged"), RequestBody.fromString("x")));
        }
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("forged")));
    }

    @Test
    void unknownAccessKeyIsInvalidAccessKeyId() {
        try (S3Client unknown = S3Clients.withCredentials(server, "AKIAUNKNOWNUNKNOWN00", StrataServer.SECRET_KEY)) {
            assertS3Error(403, "InvalidAccessKeyId", () -> unknown.getObject(b -> b.bucket(bucket).key("private")));
            assertS3Error(403, "InvalidAccessKeyId", () -> unknown.listBuckets());
        }
    }

    @Test
    void anonymousRequestsAreAccessDenied() throws Exception {
        try (S3Client anonymous = S3Clients.anonymous(server)) {
            assertS3Error(403, "AccessDenied", () -> anonymous.getObject(b -> b.bucket(bucket).key("private")));
            assertS3Error(403, "AccessDenied", () -> anonymous.listObjectsV2(b -> b.bucket(bucket)));
            assertS3Error(403, "AccessDenied", () -> anonymous.putObject(b -> b.bucket(bucket).key("anon"), RequestBody.fromString("x")));
        }
        RawRequest.Response raw = RawRequest.of("GET", "/" + bucket + "/private").unsigned().send(server);
        assertEquals(403, raw.status(), raw::toString);
        assertEquals("AccessDenied", raw.errorCode());
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("anon")));
    }

    @Test
    void rawSignedRequestIsAccepted() throws Exception {
        // Sanity check of the raw signer the other raw tests rely on.
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket + "/private").send(server);
        assertEquals(200, response.status(), response::toString);
        assertEquals("secret contents", response.text());
    }

    @Test
    void requestFromASkewedClockIsRequestTimeTooSkewed() throws Exception {
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket + "/private")
                .signingTime(Instant.now().minus(Duration.ofMinutes(20))).send(server);
        assertEquals(403, response.status(), response::toString);
        assertEquals("RequestTimeTooSkewed", response.errorCode());
    }

    @Test
    void unsignedPayloadIsAccepted() throws Exception {
        RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/unsigned-payload").payloadHash("UNSIGNED-PAYLOAD")
                .body("unsigned body").send(server);
        assertEquals(200, put.status(), put::toString);
        assertEquals("unsigned body", s3.getObjectAsBytes(b -> b.bucket(bucket).key("unsigned-payload")).asUtf8String());
    }

    /** An unknown x-amz-content-sha256 must be refused, never stored as raw bytes. */
    @Test
    void unknownContentSha256ValueIsRejected() throws Exception {
        for (String value : new String[] {"STREAMING-UNKNOWN-FUTURE-PAYLOAD", "not-a-sha256"}) {
            RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/bad-sha-mode").payloadHash(value)
                    .body("0;chunk-signature=abc\r\nframing must not be stored\r\n").send(server);
            assertEquals(400, put.status(), () -> value + ": " + put);
            put.errorCode(); // an S3 XML error body
            assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("bad-sha-mode")));
        }
    }

    @Test
    void mismatchedContentSha256IsXAmzContentSha256Mismatch() throws Exception {
        RawRequest.Response put = RawRequest.of("PUT", "/" + bucket + "/sha-mismatch")
                .payloadHash(TestData.sha256("other body".getBytes(StandardCharsets.UTF_8)))
                .body("actual body").send(server);
        assertEquals(400, put.status(), put::toString);
        assertEquals("XAmzContentSHA256Mismatch", put.errorCode());
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("sha-mismatch")));
    }

    @Test
    void rawRequestWithWrongSecretIsSignatureDoesNotMatch() throws Exception {
        RawRequest.Response response = RawRequest.of("GET", "/" + bucket + "/private")
                .credentials(StrataServer.ACCESS_KEY, "wrong-secret").send(server);
        assertEquals(403, response.status(), response::toString);
        assertEquals("SignatureDoesNotMatch", response.errorCode());
    }
}
