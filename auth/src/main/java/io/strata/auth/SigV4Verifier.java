package io.strata.auth;

import java.time.Clock;

/**
 * Verifies AWS Signature Version 4 for S3: Authorization header, presigned query, UNSIGNED-PAYLOAD,
 * signed payloads and aws-chunked streaming payloads with and without trailers. Thread-safe.
 */
public final class SigV4Verifier {
    private final CredentialStore credentials;
    private final Clock clock;

    private SigV4Verifier(CredentialStore credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    public static SigV4Verifier create(CredentialStore credentials, Clock clock) {
        return new SigV4Verifier(credentials, clock);
    }

    /**
     * Checks the request's signature.
     *
     * @throws AuthException with the reason the request is refused
     */
    public Authentication verify(SignedRequest request) {
        throw new UnsupportedOperationException("TODO(#2): SigV4 verification");
    }
}
