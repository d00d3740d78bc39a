package io.strata.auth;

import java.io.InputStream;
import java.util.OptionalLong;

/**
 * A request whose signature checked out. Tells who signed it and turns the raw body into the
 * object's bytes, verifying as they flow.
 */
public interface Authentication {
    /** The access key that signed the request. */
    String accessKey();

    /**
     * The object's bytes: for aws-chunked payloads the chunk framing is stripped and every chunk
     * signature checked; for a signed payload the SHA-256 is checked when the stream reaches its end;
     * a trailing checksum is checked against the decoded bytes at the end. Failures surface as
     * {@link AuthException} (unchecked) thrown from {@code read}. The caller closes {@code raw}.
     */
    VerifiedBody body(InputStream raw);

    /** The object's length: x-amz-decoded-content-length for aws-chunked, otherwise empty (use Content-Length). */
    OptionalLong decodedContentLength();

    /** True if the payload is aws-chunked (framing must be stripped). */
    boolean chunked();
}
