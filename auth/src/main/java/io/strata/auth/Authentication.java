package io.strata.auth;

import io.strata.checksum.ChecksumAlgorithm;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A request whose signature checked out. Tells who signed it and turns the raw body into the
 * object's bytes, verifying as they flow. Immutable and thread-safe; each {@link #body} call returns a
 * new single-threaded stream.
 */
public interface Authentication {
    /** The access key that signed the request. */
    String accessKey();

    /**
     * The object's bytes: for aws-chunked payloads the chunk framing is stripped and every chunk
     * signature checked; for a signed payload the SHA-256 is checked when the stream reaches its end;
     * a trailing checksum is checked against the decoded bytes at the end. Failures surface as
     * {@link AuthException} (unchecked) thrown from {@code read}. The caller closes {@code raw}
     * (closing the returned stream closes {@code raw} too).
     *
     * <p>All end-of-body checks (payload SHA-256 when Content-Length is known, the final chunk, trailer
     * signature, trailing checksum, decoded length) run before the read that returns the last declared
     * byte completes, so a reader that stops after exactly the declared length is covered; for an empty
     * body call {@code read} once (it returns -1 after the checks).
     */
    VerifiedBody body(InputStream raw);

    /** The object's length: x-amz-decoded-content-length for aws-chunked, otherwise empty (use Content-Length). */
    OptionalLong decodedContentLength();

    /** True if the payload is aws-chunked (framing must be stripped). */
    boolean chunked();

    /**
     * How the body is protected ({@code x-amz-content-sha256}). The default, for hand-written fakes,
     * is the weakest mode consistent with {@link #chunked()}.
     */
    default PayloadMode payloadMode() {
        return chunked() ? PayloadMode.STREAMING_UNSIGNED_TRAILER : PayloadMode.UNSIGNED;
    }

    /**
     * The checksum the request declared in {@code x-amz-trailer} (trailer modes only). When present,
     * {@link VerifiedBody#trailers()} holds its verified value under {@link ChecksumAlgorithm#headerName()}
     * once the body has been read.
     */
    default Optional<ChecksumAlgorithm> trailingChecksum() {
        return Optional.empty();
    }

    /** True for a request that carried no credentials at all; its {@link #accessKey()} is "anonymous". */
    default boolean anonymous() {
        return false;
    }

    /** The authentication of a request without credentials: the body passes through unchanged. */
    static Authentication anonymousRequest() {
        return Anonymous.INSTANCE;
    }

    /** See {@link #anonymousRequest()}. */
    enum Anonymous implements Authentication {
        INSTANCE;

        @Override
        public String accessKey() {
            return "anonymous";
        }

        @Override
        public VerifiedBody body(InputStream raw) {
            return new PassThroughBody(java.util.Objects.requireNonNull(raw, "raw"));
        }

        @Override
        public OptionalLong decodedContentLength() {
            return OptionalLong.empty();
        }

        @Override
        public boolean chunked() {
            return false;
        }

        @Override
        public boolean anonymous() {
            return true;
        }
    }
}
