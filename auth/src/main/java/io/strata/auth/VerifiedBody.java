package io.strata.auth;

import java.io.InputStream;
import java.util.Map;

/**
 * The decoded body of a request. Reading it to the end performs the final checks (payload hash,
 * trailing checksum); only then are {@link #trailers()} known.
 */
public abstract class VerifiedBody extends InputStream {
    /**
     * Trailing headers received after the last chunk (lower-case names, e.g.
     * {@code x-amz-checksum-crc32} → base64 value), already verified against the data. Empty
     * before the end of the stream or when the request had no trailer.
     */
    public abstract Map<String, String> trailers();
}
