package io.strata.auth;

import static io.strata.auth.SigV4VerifierAwsExamplesTest.assertReason;
import static io.strata.auth.TestRequests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.auth.AuthException.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;

/**
 * Every x-amz-* header (and Content-MD5) a SigV4 request carries must be listed in SignedHeaders, in
 * every payload mode and for presigned URLs, or the request is refused before anything runs: an
 * unsigned x-amz-copy-source on a presigned PUT would otherwise turn it into a copy with the signer's
 * rights, and x-amz-acl would make the result public.
 */
class UnsignedHeadersTest {
    static final String AMZ_DATE = SigV4VerifierTest.AMZ_DATE;

    /** One way of signing a request, and the verifier whose clock fits it. */
    record Mode(String name, Supplier<SignedRequest> signed, SigV4Verifier verifier) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Mode> modes() {
        return List.of(
                new Mode("signed payload", () -> TestSigner.sign(put(SigV4.EMPTY_SHA256), AMZ_DATE), SigV4VerifierTest.VERIFIER),
                new Mode("UNSIGNED-PAYLOAD", () -> TestSigner.sign(put("UNSIGNED-PAYLOAD"), AMZ_DATE), SigV4VerifierTest.VERIFIER),
                new Mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", () -> TestSigner.sign(
                        SigV4VerifierTest.chunkedPut("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), AMZ_DATE), SigV4VerifierTest.VERIFIER),
                new Mode("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", () -> TestSigner.sign(
                        SigV4VerifierTest.chunkedPut("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
                                .header("x-amz-trailer", "x-amz-checksum-crc32"), AMZ_DATE), SigV4VerifierTest.VERIFIER),
                new Mode("STREAMING-UNSIGNED-PAYLOAD-TRAILER", () -> TestSigner.sign(
                        SigV4VerifierTest.chunkedPut("STREAMING-UNSIGNED-PAYLOAD-TRAILER")
                                .header("x-amz-trailer", "x-amz-checksum-crc32"), AMZ_DATE), SigV4VerifierTest.VERIFIER),
                new Mode("presigned (SDK signer)", UnsignedHeadersTest::presignedPut, SdkSignedRequestTest.VERIFIER),
                new Mode("presigned (AWS example)", () -> SigV4VerifierAwsExamplesTest.presignedGet().build(),
                        SigV4VerifierAwsExamplesTest.VERIFIER));
    }

    static TestRequests.Builder put(String contentSha256) {
        return request("PUT", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", contentSha256);
    }

    static SignedRequest presignedPut() {
        return SdkSignedRequestTest.sign(SdkSignedRequestTest.http(SdkHttpMethod.PUT, "key").build(), null, b -> b
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
    }

    /** Headers that change what S3 does with a request, each with a value an attacker would send. */
    static final Map<String, String> BEHAVIOUR_CHANGING = Map.of(
            "x-amz-copy-source", "otherbucket/secret",
            "x-amz-acl", "public-read",
            "x-amz-tagging", "a=b",
            "x-amz-meta-x", "y",
            "x-amz-storage-class", "COLD",
            "x-amz-metadata-directive", "REPLACE",
            "x-amz-server-side-encryption", "AES256",
            "content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==");

    static Stream<Arguments> modeAndHeader() {
        return modes().stream().flatMap(m -> BEHAVIOUR_CHANGING.keySet().stream().sorted().map(h -> Arguments.of(m, h)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void everyModeVerifiesWithoutAddedHeaders(Mode mode) {
        mode.verifier().verify(mode.signed().get());
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("modeAndHeader")
    void headerAddedAfterSigningIsRefusedAsNotSigned(Mode mode, String header) {
        SignedRequest tampered = SdkSignedRequestTest.withHeader(mode.signed().get(), header, BEHAVIOUR_CHANGING.get(header));
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> mode.verifier().verify(tampered));
        assertEquals(Map.of("HeadersNotSigned", header), e.details());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void allUnsignedHeadersAreNamedSortedAndCommaSeparated(Mode mode) {
        SignedRequest tampered = SdkSignedRequestTest.withHeader(SdkSignedRequestTest.withHeader(mode.signed().get(),
                "x-amz-copy-source", "otherbucket/secret"), "x-amz-acl", "public-read");
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> mode.verifier().verify(tampered));
        assertEquals("x-amz-acl, x-amz-copy-source", e.details().get("HeadersNotSigned"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void contentTypeAndTraceIdMayStayUnsigned(Mode mode) {
        SignedRequest r = SdkSignedRequestTest.withHeader(SdkSignedRequestTest.withHeader(mode.signed().get(),
                "content-type", "image/png"), "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793");
        mode.verifier().verify(r);
    }

    @Test
    void unsignedContentSha256InHeaderAuthIsRefused() {
        // Signed with UNSIGNED-PAYLOAD as the payload hash but without the header among SignedHeaders.
        SignedRequest signed = TestSigner.sign(request("PUT", "/bucket/key", "").header("Host", "strata.example"), AMZ_DATE);
        SignedRequest r = SdkSignedRequestTest.withHeader(signed, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> SigV4VerifierTest.VERIFIER.verify(r));
        assertEquals("x-amz-content-sha256", e.details().get("HeadersNotSigned"));
    }

    @Test
    void unsignedAmzDateIsRefusedWhenSent() {
        TestRequests.Builder b = put("UNSIGNED-PAYLOAD").header("Date", "Fri, 24 May 2013 00:00:00 GMT");
        SignedRequest signed = TestSigner.signWithDateHeaderOnly(b, AMZ_DATE);
        SigV4VerifierTest.VERIFIER.verify(signed);
        SignedRequest r = SdkSignedRequestTest.withHeader(signed, "x-amz-date", AMZ_DATE);
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> SigV4VerifierTest.VERIFIER.verify(r));
        assertEquals("x-amz-date", e.details().get("HeadersNotSigned"));
    }

    @Test
    void unsignedHeaderNamesAreMatchedWhateverTheirCase() {
        SignedRequest r = SdkSignedRequestTest.withHeader(presignedPut(), "X-Amz-Copy-Source", "otherbucket/secret");
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> SdkSignedRequestTest.VERIFIER.verify(r));
        assertEquals("x-amz-copy-source", e.details().get("HeadersNotSigned"));
    }

    @Test
    void amzHeadersThePresignerSignedAreAccepted() {
        SignedRequest r = SdkSignedRequestTest.sign(SdkSignedRequestTest.http(SdkHttpMethod.PUT, "key")
                .putHeader("x-amz-acl", "public-read").putHeader("x-amz-meta-x", "y").build(), null, b -> b
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
        SdkSignedRequestTest.VERIFIER.verify(r);
    }

    @Test
    void queryParameterAddedToAPresignedUrlBreaksTheSignature() {
        // Every query parameter but X-Amz-Signature is in the canonical query: nothing to exempt.
        SignedRequest p = presignedPut();
        for (String extra : List.of("x-amz-acl=public-read", "X-Amz-Copy-Source=otherbucket%2Fsecret", "acl=")) {
            SignedRequest r = new SignedRequest(p.method(), p.rawPath(), p.rawQuery() + "&" + extra, p.headers());
            assertReason(Reason.SIGNATURE_MISMATCH, () -> SdkSignedRequestTest.VERIFIER.verify(r));
        }
    }
}
