package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the signature of a browser-based (POST) upload form and decodes its policy: SigV4
 * ({@code x-amz-algorithm}, {@code x-amz-credential}, {@code x-amz-date}, {@code x-amz-signature}: hex
 * HMAC-SHA256 of the base64 policy under the derived signing key) or SigV2 ({@code AWSAccessKeyId},
 * {@code signature}: base64 HMAC-SHA1 of the base64 policy). A form with none of these is anonymous
 * (allowed only where the bucket's policy or ACL lets everyone write). Thread-safe.
 */
public final class PostFormVerifier {
    private final CredentialStore credentials;
    private final Clock clock;

    /** The result: who signed, and the policy the form must meet (empty for an anonymous form). */
    public record Verified(Authentication authentication, Optional<PostPolicy> policy) {
    }

    private PostFormVerifier(CredentialStore credentials, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A verifier over the given credentials and clock. */
    public static PostFormVerifier create(CredentialStore credentials, Clock clock) {
        return new PostFormVerifier(credentials, clock);
    }

    /**
     * Verifies the form's signature, then checks its policy's expiration and field conditions.
     *
     * @param fields the fields before the file, names lower case
     * @throws AuthException INVALID_ARGUMENT (a required field is missing), INVALID_ACCESS_KEY,
     *                       SIGNATURE_MISMATCH, MALFORMED_AUTHORIZATION, and the reasons of {@link PostPolicy}
     */
    public Verified verify(Map<String, String> fields, String bucket) {
        String policyText = fields.get("policy");
        boolean v4 = fields.containsKey("x-amz-signature") || fields.containsKey("x-amz-credential")
                || fields.containsKey("x-amz-algorithm");
        boolean v2 = fields.containsKey("awsaccesskeyid") || fields.containsKey("signature");
        if (policyText == null && !v4 && !v2) return new Verified(Authentication.anonymousRequest(), Optional.empty());
        if (policyText == null || policyText.isBlank()) {
            throw missing("Policy");
        }
        Authentication auth;
        if (v4) {
            String algorithm = required(fields, "x-amz-algorithm");
            if (!algorithm.equals(SigV4.ALGORITHM)) {
                throw new AuthException(Reason.INVALID_ARGUMENT, "X-Amz-Algorithm only supports " + SigV4.ALGORITHM);
            }
            String credential = required(fields, "x-amz-credential");
            String amzDate = required(fields, "x-amz-date");
            String signature = required(fields, "x-amz-signature");
            String[] parts = credential.split("/");
            if (parts.length != 5 || !parts[3].equals(SigV4.SERVICE) || !parts[4].equals(SigV4.TERMINATOR)) {
                throw new AuthException(Reason.INVALID_ARGUMENT,
                        "X-Amz-Credential must be AccessKey/yyyymmdd/region/s3/aws4_request");
            }
            try {
                SigV4.AMZ_DATE.parse(amzDate);
            } catch (DateTimeException e) {
                throw new AuthException(Reason.INVALID_ARGUMENT, "X-Amz-Date must be yyyyMMdd'T'HHmmss'Z'");
            }
            if (!amzDate.startsWith(parts[1])) {
                throw new AuthException(Reason.INVALID_ARGUMENT, "X-Amz-Credential date does not match X-Amz-Date");
            }
            Credentials secret = lookup(parts[0]);
            SecretKeySpec key = SigV4.deriveSigningKey(secret.secretKey(), parts[1], parts[2]);
            String computed = SigV4.sign(key, policyText);
            if (!SigV4.signaturesEqual(computed, signature.strip())) throw mismatch(parts[0]);
            auth = new FormAuthentication(parts[0]);
        } else {
            String accessKey = required(fields, "awsaccesskeyid");
            String signature = required(fields, "signature");
            Credentials secret = lookup(accessKey);
            byte[] computed = SigV2Verifier.sign(secret.secretKey(), policyText).getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(computed, signature.strip().getBytes(StandardCharsets.US_ASCII))) {
                throw mismatch(accessKey);
            }
            auth = new FormAuthentication(accessKey);
        }
        PostPolicy policy = PostPolicy.decode(policyText);
        Instant now = clock.instant();
        policy.check(fields, bucket, now);
        return new Verified(auth, Optional.of(policy));
    }

    private Credentials lookup(String accessKey) {
        return credentials.find(accessKey).orElseThrow(() -> new AuthException(Reason.INVALID_ACCESS_KEY,
                "the access key " + SigV4Verifier.truncate(accessKey) + " does not exist"));
    }

    private static AuthException mismatch(String accessKey) {
        return new AuthException(Reason.SIGNATURE_MISMATCH,
                "The request signature we calculated does not match the signature you provided (access key "
                        + SigV4Verifier.truncate(accessKey) + ")");
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) throw missing(name);
        return v;
    }

    private static AuthException missing(String name) {
        return new AuthException(Reason.INVALID_ARGUMENT, "Bucket POST must contain a field named '" + name + "'.  "
                + "If it is specified, please check the order of the fields.");
    }

    /** A form whose signature checked out; its file bytes are read as sent. */
    private record FormAuthentication(String accessKey) implements Authentication {
        @Override
        public VerifiedBody body(java.io.InputStream raw) {
            return new PassThroughBody(Objects.requireNonNull(raw, "raw"));
        }

        @Override
        public java.util.OptionalLong decodedContentLength() {
            return java.util.OptionalLong.empty();
        }

        @Override
        public boolean chunked() {
            return false;
        }
    }

}
