package io.strata.auth;

import java.util.Optional;

/**
 * How a request's body is protected, as declared by {@code x-amz-content-sha256} (or the presigned
 * {@code X-Amz-Content-Sha256} parameter; {@link #UNSIGNED} when a presigned URL has none).
 * See the AWS page "Authenticating Requests (AWS Signature Version 4)" and its streaming sub-pages.
 */
public enum PayloadMode {
    /** 64 hex chars: the body's SHA-256, checked when the body has been read to its end. */
    SIGNED(false, false, true),
    /** {@code UNSIGNED-PAYLOAD}: the body passes through unchecked. */
    UNSIGNED(false, false, false),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: aws-chunked, every chunk signed. */
    STREAMING_SIGNED(true, false, true),
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: aws-chunked, every chunk and the trailer signed. */
    STREAMING_SIGNED_TRAILER(true, true, true),
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: aws-chunked without signatures, integrity from the trailing checksum. */
    STREAMING_UNSIGNED_TRAILER(true, true, false);

    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String STREAMING_SIGNED_VALUE = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    static final String STREAMING_SIGNED_TRAILER_VALUE = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    static final String STREAMING_UNSIGNED_TRAILER_VALUE = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    static final String STREAMING_ECDSA_PREFIX = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";

    private final boolean chunked;
    private final boolean trailer;
    private final boolean signedData;

    PayloadMode(boolean chunked, boolean trailer, boolean signedData) {
        this.chunked = chunked;
        this.trailer = trailer;
        this.signedData = signedData;
    }

    /** True for the aws-chunked modes, whose framing the verified body strips. */
    public boolean chunked() {
        return chunked;
    }

    /** True if trailing headers (x-amz-checksum-*) may follow the last chunk. */
    public boolean trailer() {
        return trailer;
    }

    /** True if the signature covers the body's bytes (payload hash or chunk signatures). */
    public boolean signedData() {
        return signedData;
    }

    /**
     * Classifies an {@code x-amz-content-sha256} value.
     *
     * @return the mode, or empty if the value is neither a known token nor 64 hex chars
     * @throws AuthException UNSUPPORTED for the ECDSA (SigV4a) streaming modes
     */
    static Optional<PayloadMode> parse(String contentSha256) {
        if (contentSha256 == null) return Optional.empty();
        return switch (contentSha256) {
            case UNSIGNED_PAYLOAD -> Optional.of(UNSIGNED);
            case STREAMING_SIGNED_VALUE -> Optional.of(STREAMING_SIGNED);
            case STREAMING_SIGNED_TRAILER_VALUE -> Optional.of(STREAMING_SIGNED_TRAILER);
            case STREAMING_UNSIGNED_TRAILER_VALUE -> Optional.of(STREAMING_UNSIGNED_TRAILER);
            default -> {
                if (contentSha256.startsWith(STREAMING_ECDSA_PREFIX)) {
                    throw new AuthException(AuthException.Reason.UNSUPPORTED,
                            "SigV4a (ECDSA) streaming payloads are not supported: " + contentSha256);
                }
                yield SigV4.isHex(contentSha256, 64) ? Optional.of(SIGNED) : Optional.empty();
            }
        };
    }
}
