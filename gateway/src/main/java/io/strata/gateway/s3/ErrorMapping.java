package io.strata.gateway.s3;

import io.strata.auth.AuthException;
import io.strata.erasure.ErasureException;
import io.strata.gateway.http.TransportError;
import io.strata.gateway.objects.ObjectException;
import io.strata.namespace.BucketName;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.placement.PlacementException;

/** One mapping per module from its failure reasons to S3 errors. No default branches: a new reason must be mapped. */
public final class ErrorMapping {
    private ErrorMapping() {
    }

    public static S3Exception toS3(AuthException e) {
        S3Error error = switch (e.reason()) {
            case MISSING_AUTHENTICATION, EXPIRED -> S3Error.ACCESS_DENIED;
            case INVALID_ACCESS_KEY -> S3Error.INVALID_ACCESS_KEY_ID;
            case SIGNATURE_MISMATCH -> S3Error.SIGNATURE_DOES_NOT_MATCH;
            case MALFORMED_AUTHORIZATION -> S3Error.AUTHORIZATION_HEADER_MALFORMED;
            case MALFORMED_QUERY_AUTHORIZATION -> S3Error.AUTHORIZATION_QUERY_PARAMETERS_ERROR;
            case TIME_SKEWED -> S3Error.REQUEST_TIME_TOO_SKEWED;
            case INVALID_CONTENT_SHA256 -> S3Error.INVALID_ARGUMENT;
            case CONTENT_SHA256_MISMATCH -> S3Error.X_AMZ_CONTENT_SHA256_MISMATCH;
            case MALFORMED_CHUNK -> S3Error.INVALID_REQUEST;
            case INCOMPLETE_BODY -> S3Error.INCOMPLETE_BODY;
            case CHECKSUM_MISMATCH -> S3Error.BAD_DIGEST;
            case UNSUPPORTED -> S3Error.NOT_IMPLEMENTED;
            case DENIED -> S3Error.ACCESS_DENIED;
            case MALFORMED_POLICY -> S3Error.MALFORMED_POLICY;
            case MALFORMED_POST -> S3Error.MALFORMED_POST_REQUEST;
            case INVALID_ARGUMENT -> S3Error.INVALID_ARGUMENT;
            case ENTITY_TOO_LARGE -> S3Error.ENTITY_TOO_LARGE;
            case ENTITY_TOO_SMALL -> S3Error.ENTITY_TOO_SMALL;
            case UNSIGNED_HEADERS -> S3Error.ACCESS_DENIED;
            case UNSUPPORTED_AUTHORIZATION -> S3Error.INVALID_ARGUMENT;
            case INVALID_CHUNK_SIZE -> S3Error.INVALID_CHUNK_SIZE_ERROR;
        };
        String message = switch (e.reason()) {
            case MISSING_AUTHENTICATION -> "Access Denied: the request carries no credentials.";
            case EXPIRED -> "Request has expired";
            // S3's exact wording: clients and scripts match on it.
            case UNSIGNED_HEADERS -> "There were headers present in the request which were not signed";
            case UNSUPPORTED_AUTHORIZATION -> "Unsupported Authorization Type";
            case INVALID_CHUNK_SIZE -> S3Error.INVALID_CHUNK_SIZE_ERROR.message();
            default -> e.getMessage() == null ? error.message() : e.getMessage();
        };
        S3Exception s3 = new S3Exception(error, message);
        e.details().forEach(s3::with);
        return s3;
    }

    public static S3Exception toS3(ErasureException e) {
        return switch (e.reason()) {
            case INCOMPLETE_INPUT -> new S3Exception(S3Error.INCOMPLETE_BODY);
            case EXCESS_INPUT -> new S3Exception(S3Error.INVALID_REQUEST, "The request body is longer than its declared length.");
            // Too few drives in service: nothing was stored, and a retry may land once drives are back.
            case WRITE_QUORUM_LOST -> new S3Exception(S3Error.SERVICE_UNAVAILABLE,
                    "Too few drives are in service to store the object; please retry.");
            case READ_QUORUM_LOST, IO -> new S3Exception(S3Error.INTERNAL_ERROR);
        };
    }

    public static S3Exception toS3(io.strata.tiering.TierException e) {
        return switch (e.reason()) {
            case UNAVAILABLE -> new S3Exception(S3Error.SERVICE_UNAVAILABLE,
                    "The cold tier holding this object cannot be reached; retry later.");
            // The same words as for damaged hot data: the client learns the bytes were refused, not why.
            case CORRUPT -> new S3Exception(S3Error.INTERNAL_ERROR, "stored data failed its integrity check");
            case NOT_FOUND, INVALID_RANGE, LENGTH_MISMATCH, REJECTED -> new S3Exception(S3Error.INTERNAL_ERROR,
                    "The cold copy of this object cannot be served.");
        };
    }

    /**
     * A snapshot repository or snapshot failed (admin API only): the module's message names the
     * repository path or snapshot and never a credential, so it is passed on.
     */
    public static S3Exception toS3(io.strata.tiering.snapshot.SnapshotException e) {
        S3Error error = switch (e.reason()) {
            case NOT_FOUND -> S3Error.NO_SUCH_KEY;
            case UNAVAILABLE -> S3Error.SERVICE_UNAVAILABLE;
            case REJECTED, UNKNOWN_FORMAT -> S3Error.INVALID_REQUEST;
            case INVALID, LOCATOR_MISMATCH -> S3Error.INVALID_ARGUMENT;
            case CORRUPT -> S3Error.INTERNAL_ERROR;
        };
        return new S3Exception(error, e.getMessage());
    }

    public static S3Exception toS3(NamespaceException e) {
        return switch (e.reason()) {
            case BUCKET_NOT_FOUND -> new S3Exception(S3Error.NO_SUCH_BUCKET);
            case BUCKET_EXISTS -> new S3Exception(S3Error.BUCKET_ALREADY_OWNED_BY_YOU);
            case BUCKET_NOT_EMPTY -> new S3Exception(S3Error.BUCKET_NOT_EMPTY);
            case KEY_NOT_FOUND -> new S3Exception(S3Error.NO_SUCH_KEY);
            case PRECONDITION_FAILED -> new S3Exception(S3Error.PRECONDITION_FAILED);
            case UPLOAD_NOT_FOUND -> new S3Exception(S3Error.NO_SUCH_UPLOAD);
            case UNAVAILABLE -> new S3Exception(S3Error.SERVICE_UNAVAILABLE);
        };
    }

    /**
     * Reads through a snapshot repository (an attached snapshot, or a restored version not yet
     * hydrated): damaged repository data (a data object or range file failing its check) is refused
     * as InternalError and never served; a repository or cold tier out of reach is
     * ServiceUnavailable, which clients retry. The message says which and why (no secrets in it),
     * and names the repository rather than an attach, since a restored bucket is no attached one.
     */
    public static S3Exception toS3Read(io.strata.tiering.snapshot.SnapshotException e) {
        S3Error error = switch (e.reason()) {
            case UNAVAILABLE -> S3Error.SERVICE_UNAVAILABLE;
            case CORRUPT, NOT_FOUND, REJECTED, UNKNOWN_FORMAT, LOCATOR_MISMATCH, INVALID -> S3Error.INTERNAL_ERROR;
        };
        String prefix = e.reason() == io.strata.tiering.snapshot.SnapshotException.Reason.CORRUPT
                ? "The snapshot repository's data failed its integrity check and was not served: "
                : "The snapshot repository cannot be read: ";
        return new S3Exception(error, prefix + e.getMessage());
    }

    /** The transport's refusals: the S3 error of the same code, with the transport's message. */
    public static S3Exception toS3(TransportError e, String message) {
        S3Error error = switch (e) {
            case ENTITY_TOO_LARGE -> S3Error.ENTITY_TOO_LARGE;
            case INTERNAL_ERROR -> S3Error.INTERNAL_ERROR;
            case INVALID_REQUEST -> S3Error.INVALID_REQUEST;
            case NOT_IMPLEMENTED -> S3Error.NOT_IMPLEMENTED;
            case REQUEST_HEADER_SECTION_TOO_LARGE -> S3Error.REQUEST_HEADER_SECTION_TOO_LARGE;
            case REQUEST_TIMEOUT -> S3Error.REQUEST_TIMEOUT;
            case REQUEST_URI_TOO_LONG -> S3Error.REQUEST_URI_TOO_LONG;
            case SLOW_DOWN -> S3Error.SLOW_DOWN;
        };
        return new S3Exception(error, message);
    }

    /** The data plane's failures: the S3 error of each reason, with its message, resource and elements. */
    public static S3Exception toS3(ObjectException e) {
        S3Error error = switch (e.reason()) {
            case NO_SUCH_BUCKET -> S3Error.NO_SUCH_BUCKET;
            case NO_SUCH_KEY -> S3Error.NO_SUCH_KEY;
            case NO_SUCH_UPLOAD -> S3Error.NO_SUCH_UPLOAD;
            case INVALID_PART -> S3Error.INVALID_PART;
            case INVALID_PART_ORDER -> S3Error.INVALID_PART_ORDER;
            case NO_PARTS -> S3Error.MALFORMED_XML;
            case MISSING_PART_CHECKSUM, BODY_TOO_LONG, REPLICA_CONFLICT -> S3Error.INVALID_REQUEST;
            case ENTITY_TOO_SMALL -> S3Error.ENTITY_TOO_SMALL;
            case BAD_DIGEST -> S3Error.BAD_DIGEST;
            case INCOMPLETE_BODY -> S3Error.INCOMPLETE_BODY;
            case CORRUPT_DATA, COPY_SOURCE_UNREADABLE -> S3Error.INTERNAL_ERROR;
            case SLOW_DOWN -> S3Error.SLOW_DOWN;
            case READ_ONLY_SNAPSHOT -> S3Error.ACCESS_DENIED;
        };
        S3Exception s3 = new S3Exception(error, e.detail().orElse(error.message()), e.resource().orElse(null));
        e.details().forEach(s3::with);
        return s3;
    }

    /**
     * Placement's refusals, in the words the gateway used when placement lived in it: an unknown
     * bucket names itself as the resource and in a BucketName element, as S3 does; a full move queue
     * is SlowDown, which SDKs retry with backoff.
     */
    public static S3Exception toS3(PlacementException e) {
        return switch (e.reason()) {
            case NO_SUCH_BUCKET -> {
                String bucket = e.bucket().map(BucketName::value).orElse("");
                yield new S3Exception(S3Error.NO_SUCH_BUCKET, S3Error.NO_SUCH_BUCKET.message(), "/" + bucket)
                        .with("BucketName", bucket);
            }
            case SLOW_DOWN -> new S3Exception(S3Error.SLOW_DOWN, "Too many restores in progress; retry later.");
        };
    }
}
