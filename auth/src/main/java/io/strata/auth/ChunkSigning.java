package io.strata.auth;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the signatures of an aws-chunked body chain from: the request's signing key, timestamp, scope
 * and seed signature (the request signature). See "Signature Calculations for the Authorization
 * Header: Transferring Payload in Multiple Chunks" and its trailer variant. Immutable; holds a key,
 * so {@link #toString()} hides it.
 */
record ChunkSigning(SecretKeySpec signingKey, String amzDate, String scope, String seedSignature) {
    static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
    static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";

    ChunkSigning {
        Objects.requireNonNull(signingKey, "signingKey");
        Objects.requireNonNull(amzDate, "amzDate");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(seedSignature, "seedSignature");
    }

    /** A fresh HMAC under the signing key, for one body (Mac is not thread-safe). */
    Mac newMac() {
        return SigV4.mac(signingKey);
    }

    String chunkStringToSign(String previousSignature, String chunkDataSha256Hex) {
        return CHUNK_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n'
                + SigV4.EMPTY_SHA256 + '\n' + chunkDataSha256Hex;
    }

    String trailerStringToSign(String previousSignature, String canonicalTrailerSha256Hex) {
        return TRAILER_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + previousSignature + '\n'
                + canonicalTrailerSha256Hex;
    }

    static String sign(Mac mac, String stringToSign) {
        return SigV4.HEX.formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "ChunkSigning[amzDate=" + amzDate + ", scope=" + scope + "]";
    }
}
