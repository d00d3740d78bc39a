package io.strata.auth;

import static io.strata.auth.SigV4VerifierAwsExamplesTest.assertReason;
import static io.strata.auth.TestRequests.AWS_EXAMPLE_TIME;
import static io.strata.auth.TestRequests.request;
import static io.strata.auth.TestRequests.verifierAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AuthException.Reason;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The S3 error a client sees for a bad Authorization header, an expired URL or a skewed clock, with S3's extra elements. */
class AuthErrorDetailsTest {
    private static final String AK = TestRequests.ACCESS_KEY;

    private static SigV2Verifier v2At(String instant) {
        return SigV2Verifier.create(TestRequests.STORE, TestRequests.clockAt(Instant.parse(instant)));
    }

    @Test
    void unknownAuthorizationSchemeIsUnsupportedAuthorizationNamingOnlyTheScheme() {
        for (String value : List.of("foo bar", "Bearer eyJhbGciOiJIUzI1NiJ9.secret-token", "Basic dXNlcjpwYXNz")) {
            SignedRequest r = request("GET", "/bucket/key", "").header("Host", "strata.example")
                    .header("Authorization", value).build();
            assertFalse(SigV2Verifier.applies(r));
            AuthException e = assertReason(Reason.UNSUPPORTED_AUTHORIZATION, () -> SigV4VerifierTest.VERIFIER.verify(r));
            String scheme = value.substring(0, value.indexOf(' '));
            assertEquals(Map.of("ArgumentName", "Authorization", "ArgumentValue", scheme), e.details());
            assertFalse(e.getMessage().contains("secret-token"));
        }
        String longScheme = "X".repeat(200);
        AuthException e = assertReason(Reason.UNSUPPORTED_AUTHORIZATION, () -> SigV4VerifierTest.VERIFIER.verify(
                request("GET", "/", "").header("Authorization", longScheme + " x").build()));
        assertTrue(e.details().get("ArgumentValue").length() < 100, e.details().get("ArgumentValue"));
    }

    @Test
    void sigV2AuthorizationStillGoesToTheSigV2Verifier() {
        SignedRequest r = request("GET", "/photos/puppy.jpg", "").header("Host", "johnsmith.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        assertTrue(SigV2Verifier.applies(r));
        assertEquals(AK, v2At("2007-03-27T19:40:00Z").verify(r, "johnsmith").accessKey());
    }

    @Test
    void twoAuthorizationHeadersAreRefusedEvenWhenTheFirstIsValid() {
        SignedRequest v4 = TestSigner.sign(request("GET", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), SigV4VerifierTest.AMZ_DATE);
        SigV4VerifierTest.VERIFIER.verify(v4);
        Map<String, List<String>> headers = new LinkedHashMap<>(v4.headers());
        headers.put("authorization", List.of(v4.header("authorization").orElseThrow(), "AWS4-HMAC-SHA256 other"));
        SignedRequest twice = new SignedRequest(v4.method(), v4.rawPath(), v4.rawQuery(), headers);
        AuthException e = assertReason(Reason.INVALID_ARGUMENT, () -> SigV4VerifierTest.VERIFIER.verify(twice));
        assertEquals("Authorization", e.details().get("ArgumentName"));

        SignedRequest v2 = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=")
                .header("Authorization", "AWS " + AK + ":other").build();
        assertTrue(SigV2Verifier.applies(v2));
        assertReason(Reason.INVALID_ARGUMENT, () -> v2At("2007-03-27T19:40:00Z").verify(v2, "johnsmith"));
    }

    @Test
    void expiredPresignedUrlNamesItsExpiryAndTheServerTime() {
        AuthException e = assertReason(Reason.EXPIRED, () -> verifierAt(AWS_EXAMPLE_TIME.plusSeconds(86401))
                .verify(SigV4VerifierAwsExamplesTest.presignedGet().build()));
        assertEquals(List.of("X-Amz-Expires", "Expires", "ServerTime"), List.copyOf(e.details().keySet()));
        assertEquals("86400", e.details().get("X-Amz-Expires"));
        assertEquals("2013-05-25T00:00:00Z", e.details().get("Expires"));
        assertEquals("2013-05-25T00:00:01Z", e.details().get("ServerTime"));
    }

    @Test
    void expiredSigV2QueryUrlNamesItsExpiryAndTheServerTime() {
        SignedRequest r = request("GET", "/photos/puppy.jpg",
                "AWSAccessKeyId=" + AK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620")
                .header("Host", "johnsmith.s3.amazonaws.com").build();
        AuthException e = assertReason(Reason.EXPIRED, () -> v2At("2007-03-29T03:40:21.5Z").verify(r, "johnsmith"));
        assertEquals(Map.of("Expires", "2007-03-29T03:40:20Z", "ServerTime", "2007-03-29T03:40:21Z"), e.details());
    }

    @Test
    void skewedSigV4RequestNamesBothTimesAndTheAllowedSkew() {
        SignedRequest r = TestSigner.sign(request("GET", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), SigV4VerifierTest.AMZ_DATE);
        AuthException e = assertReason(Reason.TIME_SKEWED,
                () -> verifierAt(Instant.parse("2013-05-24T00:20:00Z")).verify(r));
        assertEquals(Map.of("RequestTime", "20130524T000000Z", "ServerTime", "2013-05-24T00:20:00Z",
                "MaxAllowedSkewMilliseconds", "900000"), e.details());
    }

    @Test
    void skewedSigV2RequestIsTimeSkewedWithTheSameElements() {
        SignedRequest r = request("GET", "/photos/puppy.jpg", "").header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
        AuthException e = assertReason(Reason.TIME_SKEWED, () -> v2At("2007-03-27T20:00:00Z").verify(r, "johnsmith"));
        assertEquals(Map.of("RequestTime", "Tue, 27 Mar 2007 19:36:42 +0000", "ServerTime", "2007-03-27T20:00:00Z",
                "MaxAllowedSkewMilliseconds", "900000"), e.details());
    }

    @Test
    void amzHeadersAddedToASigV2RequestBreakItsSignature() {
        // SigV2 signs every x-amz-* header (CanonicalizedAmzHeaders): nothing can be added afterwards.
        for (String[] h : new String[][] {{"x-amz-acl", "public-read"}, {"x-amz-copy-source", "/other/secret"}}) {
            SignedRequest header = request("GET", "/photos/puppy.jpg", "").header("Host", "johnsmith.s3.amazonaws.com")
                    .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000").header(h[0], h[1])
                    .header("Authorization", "AWS " + AK + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=").build();
            assertReason(Reason.SIGNATURE_MISMATCH, () -> v2At("2007-03-27T19:40:00Z").verify(header, "johnsmith"));
            SignedRequest query = request("GET", "/photos/puppy.jpg",
                    "AWSAccessKeyId=" + AK + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620")
                    .header("Host", "johnsmith.s3.amazonaws.com").header(h[0], h[1]).build();
            assertReason(Reason.SIGNATURE_MISMATCH, () -> v2At("2007-03-29T03:00:00Z").verify(query, "johnsmith"));
        }
    }
}
