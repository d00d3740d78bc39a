package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST policy conditions, form signatures and the streaming multipart/form-data reader. */
class PostFormTest {
    private static final Instant NOW = Instant.parse("2025-05-01T12:00:00Z");
    private static final String POLICY_JSON = """
            {"expiration":"2025-05-01T13:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","up/"],
             ["content-length-range",1,100],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},
             {"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20250501/us-east-1/s3/aws4_request"},
             {"x-amz-date":"20250501T115900Z"},["eq","$Content-Type","text/plain"]]}""";

    private static Map<String, String> signedV4Form(String policyJson) {
        String policy = Base64.getEncoder().encodeToString(policyJson.getBytes(StandardCharsets.UTF_8));
        SecretKeySpec key = SigV4.deriveSigningKey(TestRequests.SECRET_KEY, "20250501", "us-east-1");
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", "up/${filename}");
        f.put("content-type", "text/plain");
        f.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        f.put("x-amz-credential", "AKIAIOSFODNN7EXAMPLE/20250501/us-east-1/s3/aws4_request");
        f.put("x-amz-date", "20250501T115900Z");
        f.put("policy", policy);
        f.put("x-amz-signature", SigV4.sign(key, policy));
        return f;
    }

    private static PostFormVerifier verifier(Instant now) {
        return PostFormVerifier.create(TestRequests.STORE, TestRequests.clockAt(now));
    }

    @Test
    void sigV4FormVerifiesAndPolicyHolds() {
        var v = verifier(NOW).verify(signedV4Form(POLICY_JSON), "b");
        assertEquals(TestRequests.ACCESS_KEY, v.authentication().accessKey());
        v.policy().orElseThrow().checkLength(100);
        SigV2VerifierTest.assertReason(AuthException.Reason.ENTITY_TOO_LARGE, () -> v.policy().orElseThrow().checkLength(101));
        SigV2VerifierTest.assertReason(AuthException.Reason.ENTITY_TOO_SMALL, () -> v.policy().orElseThrow().checkLength(0));
    }

    @Test
    void sigV2FormVerifies() {
        String policy = Base64.getEncoder().encodeToString("""
                {"expiration":"2025-05-01T13:00:00Z","conditions":[{"bucket":"b"},{"key":"k"}]}"""
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", "k");
        f.put("awsaccesskeyid", TestRequests.ACCESS_KEY);
        f.put("policy", policy);
        f.put("signature", SigV2Verifier.sign(TestRequests.SECRET_KEY, policy));
        assertEquals(TestRequests.ACCESS_KEY, verifier(NOW).verify(f, "b").authentication().accessKey());
        f.put("signature", SigV2Verifier.sign("wrong", policy));
        SigV2VerifierTest.assertReason(AuthException.Reason.SIGNATURE_MISMATCH, () -> verifier(NOW).verify(f, "b"));
    }

    @Test
    void refusals() {
        SigV2VerifierTest.assertReason(AuthException.Reason.DENIED,
                () -> verifier(Instant.parse("2025-05-01T13:00:01Z")).verify(signedV4Form(POLICY_JSON), "b"));
        SigV2VerifierTest.assertReason(AuthException.Reason.DENIED, () -> verifier(NOW).verify(signedV4Form(POLICY_JSON), "other"));
        var wrongKey = signedV4Form(POLICY_JSON);
        wrongKey.put("key", "down/x");
        SigV2VerifierTest.assertReason(AuthException.Reason.DENIED, () -> verifier(NOW).verify(wrongKey, "b"));
        var extra = signedV4Form(POLICY_JSON);
        extra.put("x-amz-meta-color", "red");
        SigV2VerifierTest.assertReason(AuthException.Reason.DENIED, () -> verifier(NOW).verify(extra, "b"));
        var ignored = signedV4Form(POLICY_JSON);
        ignored.put("x-ignore-me", "1");
        verifier(NOW).verify(ignored, "b");
        var tampered = signedV4Form(POLICY_JSON);
        tampered.put("x-amz-signature", "0".repeat(64));
        SigV2VerifierTest.assertReason(AuthException.Reason.SIGNATURE_MISMATCH, () -> verifier(NOW).verify(tampered, "b"));
        var noSignature = signedV4Form(POLICY_JSON);
        noSignature.remove("x-amz-signature");
        SigV2VerifierTest.assertReason(AuthException.Reason.INVALID_ARGUMENT, () -> verifier(NOW).verify(noSignature, "b"));
        var anonymous = verifier(NOW).verify(Map.of("key", "k"), "b");
        assertTrue(anonymous.authentication().anonymous());
        assertTrue(anonymous.policy().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "eyJhIjoxfQ==", "e30="})
    void badPolicyDocumentsAreInvalidArguments(String policy) {
        SigV2VerifierTest.assertReason(AuthException.Reason.INVALID_ARGUMENT, () -> PostPolicy.decode(policy));
    }

    // ---- multipart/form-data

    private static byte[] form(String boundary, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nup/${filename}\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"x-amz-meta-note\"\r\n\r\nline1\r\nline2\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"c\\\".bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Hands out at most a few bytes per read, so boundaries fall across reads. */
    private static InputStream trickle(byte[] data, long seed) {
        Random random = new Random(seed);
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    @Test
    void readsFieldsAndStreamsTheFileWithBoundariesSplitAcrossReads() throws IOException {
        String boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
        byte[] file = new byte[300_000];
        new Random(1).nextBytes(file);
        // Near-misses of the delimiter inside the data must pass through.
        byte[] nearMiss = ("\r\n--" + boundary.substring(0, boundary.length() - 1) + "X").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(nearMiss, 0, file, 1000, nearMiss.length);
        byte[] body = form(boundary, file);
        for (long seed = 0; seed < 5; seed++) {
            MultipartFormReader reader = new MultipartFormReader(trickle(body, seed), boundary, 1024);
            var key = reader.next().orElseThrow();
            assertEquals("key", key.name());
            assertEquals("up/${filename}", new String(key.body().readAllBytes(), StandardCharsets.UTF_8));
            var note = reader.next().orElseThrow();
            assertEquals("line1\r\nline2", new String(note.body().readAllBytes(), StandardCharsets.UTF_8));
            var part = reader.next().orElseThrow();
            assertEquals("file", part.name());
            assertEquals("a;b \"c\".bin", part.filename().orElseThrow());
            long start = reader.position();
            assertEquals(body.length - reader.closingLength() - start, file.length);
            assertArrayEquals(file, part.body().readAllBytes());
            assertTrue(reader.closingDelimiterFollows());
            assertFalse(reader.next().isPresent());
        }
    }

    @Test
    void skippingAPartAndTruncatedBodies() throws IOException {
        String boundary = "xyz";
        byte[] body = form(boundary, "hello".getBytes(StandardCharsets.US_ASCII));
        MultipartFormReader reader = new MultipartFormReader(new ByteArrayInputStream(body), boundary, 64);
        reader.next();
        reader.next();
        assertEquals("hello", new String(reader.next().orElseThrow().body().readAllBytes(), StandardCharsets.US_ASCII));
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 12);
        MultipartFormReader truncated = new MultipartFormReader(new ByteArrayInputStream(cut), boundary, 64);
        truncated.next();
        truncated.next();
        var file = truncated.next().orElseThrow();
        SigV2VerifierTest.assertReason(AuthException.Reason.MALFORMED_POST, () -> {
            try {
                file.body().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        MultipartFormReader garbage = new MultipartFormReader(new ByteArrayInputStream("no parts".getBytes()), boundary, 64);
        SigV2VerifierTest.assertReason(AuthException.Reason.MALFORMED_POST, () -> {
            try {
                garbage.next();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void boundaryFromContentType() {
        assertEquals("abc", MultipartFormReader.boundary("multipart/form-data; boundary=abc"));
        assertEquals("a b", MultipartFormReader.boundary("Multipart/Form-Data;boundary=\"a b\""));
        SigV2VerifierTest.assertReason(AuthException.Reason.MALFORMED_POST, () -> MultipartFormReader.boundary("text/plain"));
        SigV2VerifierTest.assertReason(AuthException.Reason.MALFORMED_POST, () -> MultipartFormReader.boundary("multipart/form-data"));
    }
}
