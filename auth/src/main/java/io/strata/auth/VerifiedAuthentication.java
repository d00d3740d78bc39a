package io.strata.auth;

import io.strata.checksum.ChecksumAlgorithm;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** The result of a successful {@link SigV4Verifier#verify}. Immutable and thread-safe. */
record VerifiedAuthentication(String accessKey, String region, PayloadMode payloadMode, String payloadHash,
                              OptionalLong decodedContentLength, Optional<ChecksumAlgorithm> trailingChecksum,
                              Optional<String> contentLength, ChunkSigning signing) implements Authentication {
    VerifiedAuthentication {
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(payloadMode, "payloadMode");
        Objects.requireNonNull(decodedContentLength, "decodedContentLength");
        Objects.requireNonNull(trailingChecksum, "trailingChecksum");
        Objects.requireNonNull(contentLength, "contentLength");
        Objects.requireNonNull(signing, "signing");
        if (payloadMode.chunked() && decodedContentLength.isEmpty()) {
            throw new IllegalArgumentException("aws-chunked needs a decoded content length");
        }
    }

    @Override
    public VerifiedBody body(InputStream raw) {
        Objects.requireNonNull(raw, "raw");
        return switch (payloadMode) {
            case UNSIGNED -> new PassThroughBody(raw);
            case SIGNED -> new Sha256CheckedBody(raw, payloadHash, knownContentLength());
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER ->
                    new AwsChunkedBody(raw, payloadMode, signing, decodedContentLength.getAsLong(),
                            trailingChecksum.orElse(null));
        };
    }

    private long knownContentLength() {
        try {
            return contentLength.map(Long::parseLong).filter(n -> n >= 0).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public boolean chunked() {
        return payloadMode.chunked();
    }
}
