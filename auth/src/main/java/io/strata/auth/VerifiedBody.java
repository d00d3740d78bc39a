package io.strata.auth;

import io.strata.checksum.ChecksumAlgorithm;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;

/**
 * The decoded body of a request. Reading it to the end performs the final checks (payload hash,
 * trailing checksum); only then are {@link #trailers()} known. For aws-chunked bodies, and for signed
 * payloads whose Content-Length is known, those checks already run inside the read that returns the
 * last declared byte. Verification failures are {@link AuthException}s (unchecked) thrown from
 * {@code read}; once one is thrown every later read throws it again. I/O errors of the raw stream
 * pass through as {@link java.io.IOException}.
 *
 * <p>Not thread-safe: one reader at a time. Memory is a fixed buffer, whatever the body's size.
 * {@link #close()} closes the raw stream it reads from; the caller that obtained the raw stream may
 * also close it itself.
 */
public abstract class VerifiedBody extends InputStream {
    /**
     * Trailing headers received after the last chunk (lower-case names, e.g.
     * {@code x-amz-checksum-crc32} → base64 value), already verified against the data. Empty
     * before the end of the stream or when the request had no trailer.
     */
    public abstract Map<String, String> trailers();

    /**
     * The algorithms whose value over the whole decoded body this body computes itself, to compare
     * with what the request declared: the trailing checksum of an aws-chunked body, the SHA-256 of a
     * signed payload. Known before the first read, so that a caller can take these values from
     * {@link #checkedChecksums()} instead of summing every byte a second time.
     */
    public Set<ChecksumAlgorithm> checkedAlgorithms() {
        return Set.of();
    }

    /**
     * The values (base64, as {@code x-amz-checksum-*} carries them) of {@link #checkedAlgorithms()}
     * over the whole body, each already compared with the request's own value. Empty until the body
     * has been read to its end without a failure.
     */
    public Map<ChecksumAlgorithm, String> checkedChecksums() {
        return Map.of();
    }
}
