package io.strata.auth;

import static io.strata.auth.TestRequests.AWS_EXAMPLE_TIME;
import static io.strata.auth.TestRequests.request;
import static io.strata.auth.TestRequests.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AuthException.Reason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The worked examples of the S3 API reference: "Signature Calculations for the Authorization Header:
 * Transferring Payload in a Single Chunk" and "Authenticating Requests: Using Query Parameters".
 */
class SigV4VerifierAwsExamplesTest {
    static final String CREDENTIAL = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
    static final String EMPTY_SHA = SigV4.EMPTY_SHA256;
    static final SigV4Verifier VERIFIER = verifierAt(AWS_EXAMPLE_TIME);

    static TestRequests.Builder getObject() {
        return request("GET", "/test.txt", "")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Range", "bytes=0-9")
                .header("x-amz-content-sha256", EMPTY_SHA)
                .header("x-amz-date", "20130524T000000Z")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    static final byte[] PUT_BODY = "Welcome to Amazon S3.".getBytes(StandardCharsets.US_ASCII);

    static TestRequests.Builder putObject() {
        // The example sends the key as "test$file.text" and signs "/test%24file.text".
        return request("PUT", "/test$file.text", "")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Date", "Fri, 24 May 2013 00:00:00 GMT")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                        + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    }

    static TestRequests.Builder getLifecycle() {
        return request("GET", "/", "lifecycle")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-content-sha256", EMPTY_SHA)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    }

    static TestRequests.Builder listObjects() {
        return request("GET", "/", "max-keys=2&prefix=J")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-content-sha256", EMPTY_SHA)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    static final String PRESIGNED_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    static TestRequests.Builder presignedGet() {
        return request("GET", "/test.txt", PRESIGNED_QUERY).header("Host", "examplebucket.s3.amazonaws.com");
    }

    @Test
    void getObjectWithRangeVerifies() {
        Authentication auth = VERIFIER.verify(getObject().build());
        assertEquals(TestRequests.ACCESS_KEY, auth.accessKey());
        assertFalse(auth.chunked());
        assertEquals(PayloadMode.SIGNED, auth.payloadMode());
        assertEquals(OptionalLong.empty(), auth.decodedContentLength());
        assertArrayEquals(new byte[0], TestRequests.readAll(auth.body(new ByteArrayInputStream(new byte[0]))));
    }

    @Test
    void putObjectVerifiesAgainstTheAwsReencodedPathAndChecksItsBody() {
        Authentication auth = VERIFIER.verify(putObject().build());
        assertArrayEquals(PUT_BODY, TestRequests.readAll(auth.body(new ByteArrayInputStream(PUT_BODY))));
    }

    @Test
    void putObjectVerifiesWithThePathAsTheSdksSendIt() {
        VERIFIER.verify(putObject().build());
        Authentication auth = VERIFIER.verify(new SignedRequest("PUT", "/test%24file.text", "",
                putObject().build().headers()));
        assertEquals(TestRequests.ACCESS_KEY, auth.accessKey());
    }

    @Test
    void putObjectWithAlteredBodyIsContentSha256Mismatch() {
        Authentication auth = VERIFIER.verify(putObject().build());
        byte[] altered = PUT_BODY.clone();
        altered[3] ^= 1;
        assertReason(Reason.CONTENT_SHA256_MISMATCH,
                () -> TestRequests.readAll(auth.body(new ByteArrayInputStream(altered))));
    }

    @Test
    void putObjectBodyIsCheckedBeforeTheLastDeclaredByteIsReturned() throws Exception {
        Authentication auth = VERIFIER.verify(putObject().header("Content-Length", "21").build());
        byte[] altered = PUT_BODY.clone();
        altered[20] ^= 1;
        VerifiedBody body = auth.body(new ByteArrayInputStream(altered));
        byte[] buf = new byte[21];
        assertEquals(20, body.read(buf, 0, 20));
        assertReason(Reason.CONTENT_SHA256_MISMATCH, () -> body.read(buf, 20, 1));
        assertReason(Reason.CONTENT_SHA256_MISMATCH, body::read);
    }

    @Test
    void getBucketLifecycleVerifies() {
        assertEquals(TestRequests.ACCESS_KEY, VERIFIER.verify(getLifecycle().build()).accessKey());
    }

    @Test
    void listObjectsWithQueryVerifies() {
        assertEquals(TestRequests.ACCESS_KEY, VERIFIER.verify(listObjects().build()).accessKey());
    }

    @Test
    void queryParameterOrderOnTheWireDoesNotMatter() {
        SignedRequest r = listObjects().build();
        VERIFIER.verify(new SignedRequest("GET", "/", "prefix=J&max-keys=2", r.headers()));
    }

    @Test
    void presignedGetVerifiesAsUnsignedPayload() {
        Authentication auth = VERIFIER.verify(presignedGet().build());
        assertEquals(TestRequests.ACCESS_KEY, auth.accessKey());
        assertEquals(PayloadMode.UNSIGNED, auth.payloadMode());
    }

    @Test
    void presignedGetIsValidUntilItsLastSecond() {
        verifierAt(AWS_EXAMPLE_TIME.plus(Duration.ofSeconds(86400))).verify(presignedGet().build());
    }

    @Test
    void presignedGetPastExpiryIsExpired() {
        assertReason(Reason.EXPIRED,
                () -> verifierAt(AWS_EXAMPLE_TIME.plusSeconds(86401)).verify(presignedGet().build()));
    }

    @Test
    void presignedGetSignedFarInTheFutureIsTimeSkewed() {
        assertReason(Reason.TIME_SKEWED,
                () -> verifierAt(AWS_EXAMPLE_TIME.minus(Duration.ofMinutes(16))).verify(presignedGet().build()));
    }

    @Test
    void presignedGetWithAlteredSignatureIsSignatureMismatch() {
        String query = PRESIGNED_QUERY.replace("d404", "d405");
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(
                request("GET", "/test.txt", query).header("Host", "examplebucket.s3.amazonaws.com").build()));
    }

    @Test
    void presignedGetWithExtraQueryParameterIsSignatureMismatch() {
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(request("GET", "/test.txt",
                PRESIGNED_QUERY + "&versionId=1").header("Host", "examplebucket.s3.amazonaws.com").build()));
    }

    @Test
    void presignedGetWithBadOrMissingParametersIsMalformedQueryAuthorization() {
        for (String query : new String[] {
                PRESIGNED_QUERY.replace("X-Amz-Expires=86400", "X-Amz-Expires=604801"),
                PRESIGNED_QUERY.replace("X-Amz-Expires=86400", "X-Amz-Expires=0"),
                PRESIGNED_QUERY.replace("X-Amz-Expires=86400", "X-Amz-Expires=soon"),
                PRESIGNED_QUERY.replace("&X-Amz-Expires=86400", ""),
                PRESIGNED_QUERY.replace("&X-Amz-Date=20130524T000000Z", ""),
                PRESIGNED_QUERY.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130524"),
                PRESIGNED_QUERY.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z"),
                PRESIGNED_QUERY.replace("&X-Amz-SignedHeaders=host", ""),
                PRESIGNED_QUERY.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"),
                PRESIGNED_QUERY.replace("%2Fs3%2F", "%2Fec2%2F"),
                PRESIGNED_QUERY.replace("aws4_request", "aws5_request"),
                PRESIGNED_QUERY.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
                PRESIGNED_QUERY.substring(0, PRESIGNED_QUERY.indexOf("&X-Amz-Signature")),
                PRESIGNED_QUERY + "&X-Amz-Date=20130524T000000Z",
        }) {
            assertReason(Reason.MALFORMED_QUERY_AUTHORIZATION, () -> VERIFIER.verify(
                    request("GET", "/test.txt", query).header("Host", "examplebucket.s3.amazonaws.com").build()));
        }
    }

    @Test
    void presignedEcdsaIsUnsupported() {
        String query = PRESIGNED_QUERY.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(
                request("GET", "/test.txt", query).header("Host", "examplebucket.s3.amazonaws.com").build()));
    }

    @Test
    void headerAndQueryAuthTogetherAreRefused() {
        SignedRequest r = getObject().build();
        assertReason(Reason.UNSUPPORTED,
                () -> VERIFIER.verify(new SignedRequest("GET", "/test.txt", PRESIGNED_QUERY, r.headers())));
    }

    @Test
    void requestWithoutAnySignatureIsMissingAuthentication() {
        assertReason(Reason.MISSING_AUTHENTICATION, () -> VERIFIER.verify(
                request("GET", "/test.txt", "versionId=3").header("Host", "examplebucket.s3.amazonaws.com").build()));
    }

    @Test
    void signatureVersion2IsUnsupported() {
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(getObject()
                .replace("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=").build()));
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(request("GET", "/test.txt",
                "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D")
                .header("Host", "examplebucket.s3.amazonaws.com").build()));
    }

    @Test
    void ecdsaAuthorizationIsUnsupported() {
        String header = getObject().build().header("authorization").orElseThrow()
                .replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(getObject().replace("Authorization", header).build()));
    }

    @Test
    void authorizationHeaderSpacingVariantsAreAccepted() {
        String sig = "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
        String headers = "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date";
        for (String header : new String[] {
                "AWS4-HMAC-SHA256 " + CREDENTIAL + ", " + headers + ", " + sig,
                "AWS4-HMAC-SHA256 " + CREDENTIAL + "," + headers + "," + sig,
                "AWS4-HMAC-SHA256  " + CREDENTIAL + " , " + headers + " ,  " + sig + " ",
                "AWS4-HMAC-SHA256 " + CREDENTIAL + " " + headers + " " + sig,
                "AWS4-HMAC-SHA256 " + sig + ", " + CREDENTIAL + ", " + headers,
        }) {
            VERIFIER.verify(getObject().replace("Authorization", header).build());
        }
    }

    @Test
    void malformedAuthorizationHeadersAreRefused() {
        String good = getObject().build().header("authorization").orElseThrow();
        for (String header : new String[] {
                "AWS4-HMAC-SHA256",
                good.replace("Credential=", "Credentials="),
                good.replace(",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date", ""),
                good.replace("Signature=f0e8", "Signature=zz"),
                good.replace("/s3/", "/sqs/"),
                good.replace("aws4_request", "aws4"),
                good.replace("/20130524/", "/20130523/"),
                good.replace("/20130524/", "/2013-05-24/"),
                good.replace("us-east-1/", "/"),
                good.replace("SignedHeaders=host;", "SignedHeaders="),
                good + ",Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        }) {
            assertReason(Reason.MALFORMED_AUTHORIZATION,
                    () -> VERIFIER.verify(getObject().replace("Authorization", header).build()));
        }
    }

    @Test
    void anyRegionIsAcceptedButTheSignatureBindsIt() {
        String header = getObject().build().header("authorization").orElseThrow().replace("us-east-1", "eu-west-1");
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(getObject().replace("Authorization", header).build()));
    }

    @Test
    void missingDateHeadersAreMalformedAuthorization() {
        assertReason(Reason.MALFORMED_AUTHORIZATION, () -> VERIFIER.verify(getObject().without("x-amz-date").build()));
        assertReason(Reason.MALFORMED_AUTHORIZATION,
                () -> VERIFIER.verify(getObject().replace("x-amz-date", "yesterday").build()));
    }

    @Test
    void clockSkewOfFifteenMinutesIsAcceptedAndMoreIsTimeSkewed() {
        verifierAt(AWS_EXAMPLE_TIME.plus(Duration.ofMinutes(15))).verify(getObject().build());
        verifierAt(AWS_EXAMPLE_TIME.minus(Duration.ofMinutes(15))).verify(getObject().build());
        assertReason(Reason.TIME_SKEWED,
                () -> verifierAt(AWS_EXAMPLE_TIME.plus(Duration.ofMinutes(15)).plusSeconds(1)).verify(getObject().build()));
        assertReason(Reason.TIME_SKEWED,
                () -> verifierAt(AWS_EXAMPLE_TIME.minus(Duration.ofMinutes(16))).verify(getObject().build()));
    }

    @Test
    void missingContentSha256IsInvalidContentSha256() {
        AuthException e = assertReason(Reason.INVALID_CONTENT_SHA256,
                () -> VERIFIER.verify(getObject().without("x-amz-content-sha256").build()));
        assertTrue(e.getMessage().contains("x-amz-content-sha256"), e.getMessage());
    }

    @Test
    void unknownAccessKeyIsInvalidAccessKey() {
        SigV4Verifier other = SigV4Verifier.create(CredentialStore.of(new Credentials("AKIDOTHER", "secret")),
                TestRequests.clockAt(AWS_EXAMPLE_TIME));
        assertReason(Reason.INVALID_ACCESS_KEY, () -> other.verify(getObject().build()));
        assertReason(Reason.INVALID_ACCESS_KEY, () -> other.verify(presignedGet().build()));
    }

    @Test
    void wrongSecretIsSignatureMismatch() {
        SigV4Verifier other = SigV4Verifier.create(
                CredentialStore.of(new Credentials(TestRequests.ACCESS_KEY, "not-the-secret")),
                TestRequests.clockAt(AWS_EXAMPLE_TIME));
        assertReason(Reason.SIGNATURE_MISMATCH, () -> other.verify(getObject().build()));
        assertReason(Reason.SIGNATURE_MISMATCH, () -> other.verify(presignedGet().build()));
    }

    @Test
    void alteringAnySignedPartIsSignatureMismatch() {
        SignedRequest good = getObject().build();
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(getObject().replace("Range", "bytes=0-10").build()));
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(getObject().replace("Host", "evil.example").build()));
        assertReason(Reason.SIGNATURE_MISMATCH,
                () -> VERIFIER.verify(new SignedRequest("HEAD", good.rawPath(), "", good.headers())));
        assertReason(Reason.SIGNATURE_MISMATCH,
                () -> VERIFIER.verify(new SignedRequest("GET", "/test2.txt", "", good.headers())));
        assertReason(Reason.SIGNATURE_MISMATCH,
                () -> VERIFIER.verify(new SignedRequest("GET", good.rawPath(), "acl", good.headers())));
        assertReason(Reason.SIGNATURE_MISMATCH,
                () -> VERIFIER.verify(getObject().replace("x-amz-content-sha256", "UNSIGNED-PAYLOAD").build()));
    }

    @Test
    void unsignedOrdinaryHeadersDoNotMatterButUnsignedAmzHeadersAreRefused() {
        VERIFIER.verify(getObject().header("User-Agent", "test").header("Content-Type", "text/plain").build());
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> VERIFIER.verify(getObject()
                .header("x-amz-meta-unsigned", "anything").header("x-amz-request-payer", "requester").build()));
        assertEquals("x-amz-meta-unsigned, x-amz-request-payer", e.details().get("HeadersNotSigned"));
    }

    @Test
    void headerValuesAreTrimmedAndInnerSpacesCollapsed() {
        VERIFIER.verify(getObject().replace("Range", "  bytes=0-9\t ").build());
        assertReason(Reason.SIGNATURE_MISMATCH, () -> VERIFIER.verify(getObject().replace("Range", "bytes= 0-9").build()));
    }

    @Test
    void signatureComparisonAcceptsUpperCaseHex() {
        String header = getObject().build().header("authorization").orElseThrow()
                .replace("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
                        "F0E8BDB87C964420E857BD35B5D6ED310BD44F0170ABA48DD91039C6036BDB41");
        VERIFIER.verify(getObject().replace("Authorization", header).build());
    }

    @Test
    void exceptionMessagesNeverContainSecretsOrSignatures() {
        SigV4Verifier other = SigV4Verifier.create(
                CredentialStore.of(new Credentials(TestRequests.ACCESS_KEY, "not-the-secret")),
                TestRequests.clockAt(AWS_EXAMPLE_TIME));
        AuthException e = assertReason(Reason.SIGNATURE_MISMATCH, () -> other.verify(getObject().build()));
        assertFalse(e.getMessage().contains("not-the-secret"));
        assertFalse(e.getMessage().contains("f0e8bdb8"));
    }

    static AuthException assertReason(Reason reason, Executable executable) {
        AuthException e = assertThrows(AuthException.class, executable);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }
}
