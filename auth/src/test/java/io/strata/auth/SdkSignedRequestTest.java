package io.strata.auth;

import static io.strata.auth.AwsChunkedBodyTest.readUntilFailure;
import static io.strata.auth.SigV4VerifierAwsExamplesTest.assertReason;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AuthException.Reason;
import io.strata.checksum.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Requests signed by the AWS SDK for Java v2's own SigV4 signer, as the gateway will receive them. */
class SdkSignedRequestTest {
    static final String ACCESS_KEY = "AKIDSTRATATEST";
    static final String SECRET_KEY = "s3cr3t/with+special=chars";
    static final Instant NOW = Instant.parse("2025-03-01T12:34:56Z");
    static final CredentialStore STORE = CredentialStore.of(new Credentials(ACCESS_KEY, SECRET_KEY));
    static final SigV4Verifier VERIFIER = SigV4Verifier.create(STORE, TestRequests.clockAt(NOW));
    static final String KEY = "dir/a b+c(1)!'*~é%.txt";

    record Signed(SignedRequest request, byte[] body) {
    }

    static SdkHttpRequest.Builder http(SdkHttpMethod method, String key) {
        return SdkHttpRequest.builder().method(method).protocol("https").host("strata.example").port(9000)
                .encodedPath("/bucket/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
    }

    static Signed sign(SdkHttpRequest request, byte[] payload,
                       Consumer<SignRequest.Builder<AwsCredentialsIdentity>> properties) {
        var signed = AwsV4HttpSigner.create().sign(b -> {
            b.identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY))
                    .request(request)
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-central-1")
                    .putProperty(HttpSigner.SIGNING_CLOCK, TestRequests.clockAt(NOW))
                    .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false);
            if (payload != null) b.payload(ContentStreamProvider.fromByteArray(payload));
            properties.accept(b);
        });
        byte[] body = signed.payload().map(SdkSignedRequestTest::readAll).orElse(new byte[0]);
        return new Signed(toStrata(signed.request()), body);
    }

    /** What the gateway builds from the wire: raw path and query, lower-case header names. */
    static SignedRequest toStrata(SdkHttpRequest r) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        r.forEachHeader((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        headers.putIfAbsent("host", List.of(r.host() + ":" + r.port()));
        URI uri = r.getUri();
        return new SignedRequest(r.method().name(), uri.getRawPath(), uri.getRawQuery(), headers);
    }

    static SignedRequest withHeader(SignedRequest r, String name, String value) {
        Map<String, List<String>> headers = new LinkedHashMap<>(r.headers());
        if (value == null) headers.remove(name);
        else headers.put(name, List.of(value));
        return new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), headers);
    }

    static byte[] readAll(ContentStreamProvider p) {
        try (InputStream in = p.newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void unsignedPayloadGetWithAwkwardKeyAndQueryVerifies() {
        SdkHttpRequest request = http(SdkHttpMethod.GET, KEY)
                .putRawQueryParameter("prefix", "a b/c+d=é&")
                .putRawQueryParameter("list-type", "2")
                .putRawQueryParameter("delimiter", "/")
                .putRawQueryParameter("versions", (String) null)
                .putHeader("Range", "bytes=0-99")
                .build();
        Signed s = sign(request, null, b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(ACCESS_KEY, auth.accessKey());
        assertEquals(PayloadMode.UNSIGNED, auth.payloadMode());
    }

    @Test
    void pathSentWithUnencodedSafeCharactersStillVerifies() {
        // Some clients put '!', '(', ')' and '*' raw on the wire; the SDK signs them percent-encoded.
        Signed s = sign(http(SdkHttpMethod.GET, "x(1)!*.txt").build(), null,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        SignedRequest r = s.request();
        VERIFIER.verify(new SignedRequest(r.method(), "/bucket/x(1)!*.txt", r.rawQuery(), r.headers()));
    }

    @Test
    void signedPayloadPutVerifiesAndChecksTheBody() {
        byte[] body = data(10_000);
        Signed s = sign(http(SdkHttpMethod.PUT, KEY).putHeader("Content-Length", "10000").build(), body,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true));
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(PayloadMode.SIGNED, auth.payloadMode());
        assertArrayEquals(body, TestRequests.readRandomly(auth.body(new ByteArrayInputStream(s.body())), 1));
        byte[] altered = s.body().clone();
        altered[5_000] ^= 0x40;
        assertReason(Reason.CONTENT_SHA256_MISMATCH,
                () -> TestRequests.readAll(auth.body(new ByteArrayInputStream(altered))));
        assertReason(Reason.CONTENT_SHA256_MISMATCH,
                () -> TestRequests.readAll(auth.body(new ByteArrayInputStream(Arrays.copyOf(body, 9_999)))));
    }

    @Test
    void presignedUrlVerifiesUntilItExpires() {
        Signed s = sign(http(SdkHttpMethod.GET, KEY).putRawQueryParameter("versionId", "v 1").build(), null, b -> b
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        assertTrue(s.request().rawQuery().contains("X-Amz-Signature="), s.request().rawQuery());
        assertTrue(s.request().header("authorization").isEmpty());
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(ACCESS_KEY, auth.accessKey());
        assertEquals(PayloadMode.UNSIGNED, auth.payloadMode());
        SigV4Verifier.create(STORE, TestRequests.clockAt(NOW.plus(Duration.ofMinutes(10)))).verify(s.request());
        assertReason(Reason.EXPIRED, () -> SigV4Verifier.create(STORE,
                TestRequests.clockAt(NOW.plus(Duration.ofMinutes(10)).plusSeconds(1))).verify(s.request()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8191, 8192, 65536, 300_001})
    void streamingSignedPayloadDecodesToTheOriginalBytes(int length) {
        byte[] body = data(length);
        Signed s = sign(http(SdkHttpMethod.PUT, KEY).putHeader("Content-Length", Integer.toString(length)).build(), body,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                        .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true));
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(PayloadMode.STREAMING_SIGNED, auth.payloadMode());
        assertTrue(auth.chunked());
        assertEquals(OptionalLong.of(length), auth.decodedContentLength());
        assertArrayEquals(body, TestRequests.readRandomly(auth.body(TestRequests.trickle(s.body(), length)), length));
    }

    @Test
    void streamingSignedPayloadWithCrc32TrailerIsVerified() {
        byte[] body = data(200_000);
        Signed s = signChunkedWithTrailer(body, true);
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(PayloadMode.STREAMING_SIGNED_TRAILER, auth.payloadMode());
        assertEquals(ChecksumAlgorithm.CRC32, auth.trailingChecksum().orElseThrow());
        VerifiedBody decoded = auth.body(new ByteArrayInputStream(s.body()));
        assertArrayEquals(body, TestRequests.readRandomly(decoded, 3));
        assertEquals(Map.of("x-amz-checksum-crc32", AwsChunkedBodyTest.checksumOf(ChecksumAlgorithm.CRC32, body)),
                decoded.trailers());
    }

    @Test
    void streamingUnsignedPayloadWithCrc32TrailerIsVerified() {
        byte[] body = data(200_000);
        Signed s = signChunkedWithTrailer(body, false);
        Authentication auth = VERIFIER.verify(s.request());
        assertEquals(PayloadMode.STREAMING_UNSIGNED_TRAILER, auth.payloadMode());
        VerifiedBody decoded = auth.body(new ByteArrayInputStream(s.body()));
        assertArrayEquals(body, TestRequests.readAll(decoded));
        assertEquals(AwsChunkedBodyTest.checksumOf(ChecksumAlgorithm.CRC32, body), decoded.trailers().get("x-amz-checksum-crc32"));
    }

    @Test
    void wrongTrailingChecksumIsChecksumMismatchOrSignatureMismatchWhenSigned() {
        byte[] body = data(50_000);
        String right = AwsChunkedBodyTest.checksumOf(ChecksumAlgorithm.CRC32, body);
        String wrong = AwsChunkedBodyTest.checksumOf(ChecksumAlgorithm.CRC32, new byte[] {1});
        Signed unsigned = signChunkedWithTrailer(body, false);
        byte[] forged = replace(unsigned.body(), right, wrong);
        readUntilFailure(VERIFIER.verify(unsigned.request()).body(new ByteArrayInputStream(forged)), Reason.CHECKSUM_MISMATCH);
        Signed signed = signChunkedWithTrailer(body, true);
        byte[] forgedSigned = replace(signed.body(), right, wrong);
        readUntilFailure(VERIFIER.verify(signed.request()).body(new ByteArrayInputStream(forgedSigned)), Reason.SIGNATURE_MISMATCH);
        // Data altered in an unsigned-trailer body: only the checksum can tell.
        byte[] alteredData = unsigned.body().clone();
        alteredData[1000] ^= 1;
        readUntilFailure(VERIFIER.verify(unsigned.request()).body(new ByteArrayInputStream(alteredData)), Reason.CHECKSUM_MISMATCH);
    }

    @Test
    void truncatedChunkedBodyIsIncompleteBody() {
        byte[] body = data(100_000);
        for (boolean signedPayload : new boolean[] {true, false}) {
            Signed s = signChunkedWithTrailer(body, signedPayload);
            for (int cut : new int[] {0, 10, s.body().length / 2, s.body().length - 60}) {
                readUntilFailure(VERIFIER.verify(s.request()).body(new ByteArrayInputStream(Arrays.copyOf(s.body(), cut))),
                        Reason.INCOMPLETE_BODY);
            }
        }
    }

    @Test
    void unknownContentSha256ValueIsInvalidContentSha256() {
        Signed s = sign(http(SdkHttpMethod.PUT, KEY).build(), new byte[0],
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        for (String value : new String[] {"STREAMING-AWS4-HMAC-SHA256-EVENTS", "streaming-unsigned-payload-trailer",
                "UNSIGNED", "abc", SigV4.EMPTY_SHA256 + "0", ""}) {
            assertReason(Reason.INVALID_CONTENT_SHA256,
                    () -> VERIFIER.verify(withHeader(s.request(), "x-amz-content-sha256", value)));
        }
        assertReason(Reason.UNSUPPORTED, () -> VERIFIER.verify(withHeader(s.request(), "x-amz-content-sha256",
                "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER")));
    }

    @Test
    void skewedClockIsTimeSkewed() {
        Signed s = sign(http(SdkHttpMethod.GET, KEY).build(), null,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        assertReason(Reason.TIME_SKEWED, () -> SigV4Verifier.create(STORE,
                TestRequests.clockAt(NOW.plus(Duration.ofMinutes(20)))).verify(s.request()));
        assertReason(Reason.TIME_SKEWED, () -> SigV4Verifier.create(STORE,
                TestRequests.clockAt(NOW.minus(Duration.ofHours(2)))).verify(s.request()));
    }

    @Test
    void wrongSecretIsSignatureMismatchAndUnknownKeyIsInvalidAccessKey() {
        Signed s = sign(http(SdkHttpMethod.GET, KEY).build(), null,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        assertReason(Reason.SIGNATURE_MISMATCH, () -> SigV4Verifier.create(
                CredentialStore.of(new Credentials(ACCESS_KEY, "other")), TestRequests.clockAt(NOW)).verify(s.request()));
        assertReason(Reason.INVALID_ACCESS_KEY, () -> SigV4Verifier.create(
                CredentialStore.of(new Credentials("AKIDELSE", SECRET_KEY)), TestRequests.clockAt(NOW)).verify(s.request()));
    }

    @Test
    void unsignedAmzHeadersAddedAfterSigningAreRefused() {
        Signed s = sign(http(SdkHttpMethod.GET, KEY).build(), null,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
        VERIFIER.verify(s.request());
        SignedRequest r = withHeader(withHeader(s.request(), "x-amz-meta-later", "x"), "x-amz-expected-bucket-owner", "1");
        AuthException e = assertReason(Reason.UNSIGNED_HEADERS, () -> VERIFIER.verify(r));
        assertEquals("x-amz-expected-bucket-owner, x-amz-meta-later", e.details().get("HeadersNotSigned"));
    }

    @Test
    void signingKeysAreCachedAcrossRequests() {
        SigV4Verifier verifier = SigV4Verifier.create(STORE, TestRequests.clockAt(NOW));
        for (int i = 0; i < 20; i++) {
            Signed s = sign(http(SdkHttpMethod.GET, "k" + i).build(), null,
                    b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));
            verifier.verify(s.request());
        }
        SigningKeyCache cache = new SigningKeyCache(2);
        assertTrue(cache.signingKey("s", "20250301", "a") == cache.signingKey("s", "20250301", "a"));
        cache.signingKey("s", "20250301", "b");
        cache.signingKey("s", "20250301", "c");
        assertTrue(cache.size() <= 2);
    }

    static Signed signChunkedWithTrailer(byte[] body, boolean signedPayload) {
        return sign(http(SdkHttpMethod.PUT, KEY).putHeader("Content-Length", Integer.toString(body.length)).build(), body,
                b -> b.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, signedPayload)
                        .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, true)
                        .putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32));
    }

    static byte[] replace(byte[] body, String from, String to) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(from));
        return text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }
}
