package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * Every x-amz-* header of a SigV4 request must be signed. Someone holding a presigned PUT URL (or a
 * man in the middle of a signed request) who adds x-amz-copy-source and x-amz-acl must not get a
 * public copy of another bucket's object made with the signer's rights: S3 answers 403 AccessDenied
 * with HeadersNotSigned, and nothing is stored.
 */
class SignedHeadersTest extends GatewayTest {
    private static final String NOT_SIGNED = "There were headers present in the request which were not signed";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static String bucket;
    private static String secrets;
    private static S3Presigner presigner;

    @BeforeAll
    static void setUp() {
        bucket = createBucket("signed-headers");
        secrets = createBucket("secrets");
        presigner = S3Clients.presigner(server);
        s3.putObject(b -> b.bucket(secrets).key("secret"), RequestBody.fromString("top secret"));
    }

    @AfterAll
    static void closePresigner() {
        if (presigner != null) {
            presigner.close();
        }
    }

    private static HttpResponse<byte[]> putPresigned(String key, Map<String, String> extraHeaders, String extraQuery)
            throws Exception {
        PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket(bucket).key(key)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(put.url() + extraQuery))
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString("payload"));
        put.signedHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        extraHeaders.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static RawRequest.Response raw(HttpResponse<byte[]> response) {
        return new RawRequest.Response(response.statusCode(), response.headers().map(), response.body());
    }

    private static void assertNotSigned(RawRequest.Response response, String headersNotSigned) {
        assertEquals(403, response.status(), response::toString);
        assertEquals("AccessDenied", response.errorCode(), response::toString);
        Document xml = response.xml();
        assertEquals(NOT_SIGNED, RawRequest.Xml.text(xml.getDocumentElement(), "Message"));
        assertEquals(headersNotSigned, RawRequest.Xml.text(xml.getDocumentElement(), "HeadersNotSigned"));
    }

    private static void assertAbsent(String key) {
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key(key)));
    }

    @Test
    void presignedPutWithAddedCopySourceAndPublicAclIsRefusedAndCopiesNothing() throws Exception {
        Map<String, String> added = new LinkedHashMap<>();
        added.put("x-amz-copy-source", "/" + secrets + "/secret");
        added.put("x-amz-acl", "public-read");
        RawRequest.Response response = raw(putPresigned("escalated", added, ""));
        assertNotSigned(response, "x-amz-acl, x-amz-copy-source");
        assertAbsent("escalated");
    }

    @Test
    void presignedPutWithoutAddedHeadersStillWorksAndMayCarryAnUnsignedContentType() throws Exception {
        HttpResponse<byte[]> response = putPresigned("plain", Map.of("Content-Type", "text/plain"), "");
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("text/plain", s3.headObject(b -> b.bucket(bucket).key("plain")).contentType());
    }

    @Test
    void queryParameterAddedToAPresignedUrlBreaksItsSignature() throws Exception {
        RawRequest.Response response = raw(putPresigned("query-added", Map.of(), "&x-amz-acl=public-read"));
        assertEquals(403, response.status(), response::toString);
        assertEquals("SignatureDoesNotMatch", response.errorCode());
        assertAbsent("query-added");
    }

    @Test
    void headerSignedPutWithAnAddedBehaviourChangingHeaderIsRefusedAndStoresNothing() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-copy-source", "/" + secrets + "/secret");
        headers.put("x-amz-acl", "public-read");
        headers.put("x-amz-tagging", "stolen=yes");
        headers.put("x-amz-meta-x", "injected");
        headers.put("x-amz-storage-class", "STANDARD");
        headers.put("x-amz-metadata-directive", "REPLACE");
        headers.put("x-amz-server-side-encryption", "AES256");
        headers.put("Content-MD5", TestData.md5Base64("payload".getBytes(StandardCharsets.UTF_8)));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String key = "header-" + h.getKey();
            RawRequest.Response response = RawRequest.of("PUT", "/" + bucket + "/" + key).body("payload")
                    .unsignedHeader(h.getKey(), h.getValue()).send(server);
            assertNotSigned(response, h.getKey().toLowerCase(java.util.Locale.ROOT));
            assertAbsent(key);
        }
    }

    @Test
    void headerSignedPutWithUnsignedContentSha256IsRefused() throws Exception {
        RawRequest.Response response = RawRequest.of("PUT", "/" + bucket + "/unsigned-sha").body("payload")
                .contentSha256Unsigned().send(server);
        assertNotSigned(response, "x-amz-content-sha256");
        assertAbsent("unsigned-sha");
    }

    @Test
    void headerSignedPutSigningEveryHeaderIsStored() throws Exception {
        RawRequest.Response response = RawRequest.of("PUT", "/" + bucket + "/all-signed").body("payload")
                .header("x-amz-meta-x", "signed").header("x-amz-tagging", "a=b").send(server);
        assertEquals(200, response.status(), response::toString);
        assertEquals("signed", s3.headObject(b -> b.bucket(bucket).key("all-signed")).metadata().get("x"));
    }
}
