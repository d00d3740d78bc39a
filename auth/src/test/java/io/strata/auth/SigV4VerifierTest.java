package io.strata.auth;

import static io.strata.auth.SigV4VerifierAwsExamplesTest.assertReason;
import static io.strata.auth.TestRequests.AWS_EXAMPLE_TIME;
import static io.strata.auth.TestRequests.request;
import static io.strata.auth.TestRequests.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AuthException.Reason;
import io.strata.checksum.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Verifier behaviour beyond the AWS examples: headers checked after a valid signature, canonical forms. */
class SigV4VerifierTest {
    static final String AMZ_DATE = "20130524T000000Z";
    static final SigV4Verifier VERIFIER = verifierAt(AWS_EXAMPLE_TIME);

    static TestRequests.Builder chunkedPut(String contentSha256) {
        return request("PUT", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", contentSha256)
                .header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "5");
    }

    @Test
    void chunkedPayloadWithoutDecodedContentLengthIsMalformedChunk() {
        SignedRequest r = TestSigner.sign(chunkedPut("STREAMING-UNSIGNED-PAYLOAD-TRAILER").without("x-amz-decoded-content-length"), AMZ_DATE);
        AuthException e = assertReason(Reason.MALFORMED_CHUNK, () -> VERIFIER.verify(r));
        assertTrue(e.getMessage().contains("x-amz-decoded-content-length"));
        SignedRequest bad = TestSigner.sign(chunkedPut("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                .replace("x-amz-decoded-content-length", "-1"), AMZ_DATE);
        assertReason(Reason.MALFORMED_CHUNK, () -> VERIFIER.verify(bad));
    }

    @Test
    void signedRequestWithUnknownContentSha256IsStillRefused() {
        SignedRequest r = TestSigner.sign(chunkedPut("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-V2"), AMZ_DATE);
        assertReason(Reason.INVALID_CONTENT_SHA256, () -> VERIFIER.verify(r));
    }

    @Test
    void trailerModesReadTheDeclaredChecksum() {
        Authentication auth = VERIFIER.verify(TestSigner.sign(
                chunkedPut("STREAMING-UNSIGNED-PAYLOAD-TRAILER").header("x-amz-trailer", "X-Amz-Checksum-CRC32C"), AMZ_DATE));
        assertEquals(Optional.of(ChecksumAlgorithm.CRC32C), auth.trailingChecksum());
        assertEquals(PayloadMode.STREAMING_UNSIGNED_TRAILER, auth.payloadMode());
        byte[] body = AwsChunkedEncoder.unsigned()
                .trailer("x-amz-checksum-crc32c", AwsChunkedBodyTest.checksumOf(ChecksumAlgorithm.CRC32C, "hello".getBytes()))
                .encode("hello".getBytes(), 8192);
        VerifiedBody decoded = auth.body(new ByteArrayInputStream(body));
        assertArrayEquals("hello".getBytes(), TestRequests.readAll(decoded));
        assertEquals(1, decoded.trailers().size());
    }

    @Test
    void unsupportedTrailerDeclarationsAreUnsupported() {
        for (String trailer : new String[] {"x-amz-checksum-md5", "x-amz-checksum-crc32,x-amz-checksum-sha1", "x-amz-meta-a"}) {
            SignedRequest r = TestSigner.sign(chunkedPut("STREAMING-UNSIGNED-PAYLOAD-TRAILER").header("x-amz-trailer", trailer),
                    AMZ_DATE);
            assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(r));
        }
    }

    @Test
    void dateHeaderAloneCanCarryTheTimestamp() {
        TestRequests.Builder b = request("GET", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .header("Date", "Fri, 24 May 2013 00:00:00 GMT");
        SignedRequest r = TestSigner.signWithDateHeaderOnly(b, AMZ_DATE);
        assertTrue(r.header("x-amz-date").isEmpty());
        VERIFIER.verify(r);
        assertReason(Reason.MALFORMED_AUTHORIZATION, () -> VERIFIER.verify(
                TestSigner.signWithDateHeaderOnly(b.replace("Date", "24/05/2013"), AMZ_DATE)));
    }

    @Test
    void multipleHeaderValuesAreJoinedWithCommas() {
        SignedRequest r = TestSigner.sign(request("GET", "/bucket/key", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .header("x-amz-meta-list", " a ").header("x-amz-meta-list", "b   c"), AMZ_DATE);
        assertEquals(List.of(" a ", "b   c"), r.headers().get("x-amz-meta-list"));
        VERIFIER.verify(r);
    }

    @Test
    void canonicalQueryDecodesThenReencodesStrictlyAndSorts() {
        List<CanonicalRequest.QueryParam> q = CanonicalRequest.parseQuery("b=2&a=z%2fy&a=%41+b&flag&x=%7e%2A&e=");
        assertEquals("a=%41%2Bb&a=z%2Fy&b=2&e=&flag=&x=~%2A".replace("%41", "A"), CanonicalRequest.canonicalQuery(q, null));
        assertEquals(Optional.of("z/y"), CanonicalRequest.param(q, "a"));
        assertEquals("b=2", CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery("X-Amz-Signature=abc&b=2"),
                "X-Amz-Signature"));
        assertEquals("a=%25zz", CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery("a=%zz"), null));
    }

    @Test
    void reencodedPathKeepsSlashesAndEncodesEverythingElseUpperCase() {
        assertEquals("/b/a%20b%2Bc%28%29%21%2A~%C3%A9", CanonicalRequest.reencodedPath("/b/a%20b+c()!*%7e%c3%a9"));
        assertEquals("/test%24file.text", CanonicalRequest.reencodedPath("/test$file.text"));
    }

    @Test
    void payloadModeClassification() {
        assertEquals(Optional.of(PayloadMode.SIGNED), PayloadMode.parse(SigV4.EMPTY_SHA256.toUpperCase()));
        assertEquals(Optional.empty(), PayloadMode.parse("g".repeat(64)));
        assertEquals(Optional.empty(), PayloadMode.parse(null));
        assertFalse(PayloadMode.SIGNED.chunked());
        assertTrue(PayloadMode.STREAMING_UNSIGNED_TRAILER.trailer());
        assertFalse(PayloadMode.STREAMING_UNSIGNED_TRAILER.signedData());
        assertReason(Reason.UNSUPPORTED, () -> PayloadMode.parse("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"));
    }

    @Test
    void emptyPathIsSignedAsSlash() {
        SignedRequest signed = TestSigner.sign(request("GET", "/", "").header("Host", "strata.example")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), AMZ_DATE);
        VERIFIER.verify(new SignedRequest("GET", "", "", signed.headers()));
    }

    @Test
    void awsChunkedContentEncodingWithoutStreamingPayloadIsRefused() {
        SignedRequest header = TestSigner.sign(chunkedPut("UNSIGNED-PAYLOAD"), AMZ_DATE);
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(header));
        SignedRequest presigned = SigV4VerifierAwsExamplesTest.presignedGet().header("Content-Encoding", "gzip, aws-chunked").build();
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(presigned));
    }

    @Test
    void presignedRequestWithUnsignedContentSha256HeaderIsRefused() {
        // The header would pick how the body is decoded: unsigned, it is refused like any other x-amz-*.
        for (String value : List.of("STREAMING-UNSIGNED-PAYLOAD-TRAILER", SigV4.EMPTY_SHA256)) {
            AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> VERIFIER.verify(
                    SigV4VerifierAwsExamplesTest.presignedGet().header("x-amz-content-sha256", value).build()));
            assertEquals("x-amz-content-sha256", e.details().get("HeadersNotSigned"));
        }
    }

    @Test
    void presignedContentSha256HeaderMustAgreeWithTheQueryParameter() {
        SignedRequest r = request("GET", "/test.txt", SigV4VerifierAwsExamplesTest.PRESIGNED_QUERY
                + "&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD").header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-content-sha256", SigV4.EMPTY_SHA256).build();
        assertReason(Reason.INVALID_CONTENT_SHA256, () -> VERIFIER.verify(r));
    }
}
