package io.strata.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request failed authentication or its body failed verification. The gateway maps each reason to one S3 error. */
public final class AuthException extends RuntimeException {
    public enum Reason {
        /** No Authorization header and no query signature: S3 AccessDenied. */
        MISSING_AUTHENTICATION,
        /** Unknown access key: InvalidAccessKeyId. */
        INVALID_ACCESS_KEY,
        /** Signature (header, presigned or chunk) does not match: SignatureDoesNotMatch. */
        SIGNATURE_MISMATCH,
        /** Authorization header cannot be parsed, wrong region/service/date in scope: AuthorizationHeaderMalformed. */
        MALFORMED_AUTHORIZATION,
        /** Presigned query parameters missing or invalid: AuthorizationQueryParametersError. */
        MALFORMED_QUERY_AUTHORIZATION,
        /** Presigned URL past X-Amz-Expires: AccessDenied "Request has expired". */
        EXPIRED,
        /** x-amz-date too far from server clock: RequestTimeTooSkewed. */
        TIME_SKEWED,
        /** x-amz-content-sha256 is neither a known token nor 64 hex chars: InvalidArgument. */
        INVALID_CONTENT_SHA256,
        /** Body SHA-256 differs from x-amz-content-sha256: XAmzContentSHA256Mismatch. */
        CONTENT_SHA256_MISMATCH,
        /** aws-chunked framing broken (bad chunk header, missing CRLF, trailer syntax): IncompleteBody/InvalidRequest. */
        MALFORMED_CHUNK,
        /** Body ended before the declared length: IncompleteBody. */
        INCOMPLETE_BODY,
        /** A trailing x-amz-checksum-* does not match the data: BadDigest. */
        CHECKSUM_MISMATCH,
        /** Unsupported algorithm or header combination: InvalidRequest / NotImplemented. */
        UNSUPPORTED,
        /**
         * An x-amz-* header (or Content-MD5) is present but not listed in SignedHeaders: AccessDenied
         * "There were headers present in the request which were not signed", details HeadersNotSigned.
         */
        UNSIGNED_HEADERS,
        /** The Authorization header names no scheme S3 knows (e.g. Bearer): InvalidArgument "Unsupported Authorization Type". */
        UNSUPPORTED_AUTHORIZATION,
        /** A data chunk other than the last is smaller than 8 KiB: InvalidChunkSizeError. */
        INVALID_CHUNK_SIZE,
        /** Refused with a specific reason (no Date with SigV2, a POST policy condition failed): AccessDenied. */
        DENIED,
        /** A bucket policy that does not parse or validate: MalformedPolicy. */
        MALFORMED_POLICY,
        /** A POST form that is not well-formed multipart/form-data: MalformedPOSTRequest. */
        MALFORMED_POST,
        /** A POST form lacks a required field or has a bad value: InvalidArgument. */
        INVALID_ARGUMENT,
        /** The POST file is larger than the policy's content-length-range: EntityTooLarge. */
        ENTITY_TOO_LARGE,
        /** The POST file is smaller than the policy's content-length-range: EntityTooSmall. */
        ENTITY_TOO_SMALL
    }

    private final Reason reason;
    private final Map<String, String> details;

    public AuthException(Reason reason, String message) {
        this(reason, message, Map.of());
    }

    /**
     * @param details extra elements S3 puts in its error document for this failure (e.g. HeadersNotSigned,
     *                ServerTime), in order; never secrets or signatures
     */
    public AuthException(Reason reason, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.reason = reason;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public Reason reason() {
        return reason;
    }

    /** Extra error elements, name to text, in the order S3 writes them; empty for most reasons. */
    public Map<String, String> details() {
        return details;
    }
}
