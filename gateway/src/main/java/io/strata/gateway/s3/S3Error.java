package io.strata.gateway.s3;

/** Every S3 error this gateway answers with: code, HTTP status and the default message AWS uses. */
public enum S3Error {
    ACCESS_DENIED("AccessDenied", 403, "Access Denied"),
    /** An ACL set on a bucket whose Object Ownership is BucketOwnerEnforced (ACLs disabled). */
    ACCESS_CONTROL_LIST_NOT_SUPPORTED("AccessControlListNotSupported", 400, "The bucket does not allow ACLs"),
    INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP("InvalidBucketAclWithObjectOwnership", 400,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"),
    NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION("NoSuchPublicAccessBlockConfiguration", 404,
            "The public access block configuration was not found"),
    OWNERSHIP_CONTROLS_NOT_FOUND("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"),
    AUTHORIZATION_HEADER_MALFORMED("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
    AUTHORIZATION_QUERY_PARAMETERS_ERROR("AuthorizationQueryParametersError", 400,
            "Error parsing the X-Amz-Credential parameter."),
    BAD_DIGEST("BadDigest", 400, "The Content-MD5 or checksum value that you specified did not match what the server received."),
    BUCKET_ALREADY_EXISTS("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket "
            + "namespace is shared by all users of the system. Please select a different name and try again."),
    BUCKET_ALREADY_OWNED_BY_YOU("BucketAlreadyOwnedByYou", 409,
            "Your previous request to create the named bucket succeeded and you already own it."),
    BUCKET_NOT_EMPTY("BucketNotEmpty", 409, "The bucket you tried to delete is not empty."),
    ENTITY_TOO_LARGE("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."),
    ENTITY_TOO_SMALL("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."),
    INCOMPLETE_BODY("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."),
    INTERNAL_ERROR("InternalError", 500, "We encountered an internal error. Please try again."),
    INVALID_ACCESS_KEY_ID("InvalidAccessKeyId", 403, "The AWS access key ID you provided does not exist in our records."),
    ACCESS_FORBIDDEN("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed. This is usually because "
            + "the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
            + "are not whitelisted by the resource's CORS spec."),
    BAD_REQUEST("BadRequest", 400, "Bad Request"),
    INVALID_TAG("InvalidTag", 400, "The TagValue you have provided is invalid"),
    NO_SUCH_CORS_CONFIGURATION("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"),
    NO_SUCH_TAG_SET("NoSuchTagSet", 404, "The TagSet does not exist"),
    INVALID_ARGUMENT("InvalidArgument", 400, "Invalid Argument"),
    INVALID_CHUNK_SIZE_ERROR("InvalidChunkSizeError", 400,
            "Only the last chunk is allowed to have a size less than 8192 bytes"),
    INVALID_STORAGE_CLASS("InvalidStorageClass", 400, "The storage class you specified is not valid"),
    /** PutBucketVersioning suspending a bucket with a replication configuration (S3's code and status). */
    INVALID_BUCKET_STATE("InvalidBucketState", 409, "The request is not valid with the current state of the bucket."),
    INVALID_BUCKET_NAME("InvalidBucketName", 400, "The specified bucket is not valid."),
    INVALID_DIGEST("InvalidDigest", 400, "The Content-MD5 or checksum value that you specified is not valid."),
    INVALID_PART("InvalidPart", 400, "One or more of the specified parts could not be found. The part may not have been "
            + "uploaded, or the specified entity tag may not match the part's entity tag."),
    INVALID_PART_NUMBER("InvalidPartNumber", 416, "The requested partnumber is not satisfiable"),
    INVALID_PART_ORDER("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number."),
    INVALID_RANGE("InvalidRange", 416, "The requested range is not satisfiable"),
    INVALID_REQUEST("InvalidRequest", 400, "Invalid Request"),
    KEY_TOO_LONG("KeyTooLongError", 400, "Your key is too long"),
    MALFORMED_POLICY("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"),
    MALFORMED_POST_REQUEST("MalformedPOSTRequest", 400,
            "The body of your POST request is not well-formed multipart/form-data."),
    MALFORMED_ACL("MalformedACLError", 400,
            "The XML you provided was not well-formed or did not validate against our published schema."),
    MALFORMED_XML("MalformedXML", 400,
            "The XML you provided was not well-formed or did not validate against our published schema."),
    METADATA_TOO_LARGE("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405, "The specified method is not allowed against this resource."),
    MISSING_CONTENT_LENGTH("MissingContentLength", 411, "You must provide the Content-Length HTTP header."),
    NO_SUCH_BUCKET("NoSuchBucket", 404, "The specified bucket does not exist"),
    NO_SUCH_BUCKET_POLICY("NoSuchBucketPolicy", 404, "The bucket policy does not exist"),
    NO_SUCH_LIFECYCLE_CONFIGURATION("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"),
    REPLICATION_CONFIGURATION_NOT_FOUND("ReplicationConfigurationNotFoundError", 404,
            "The replication configuration was not found"),
    NO_SUCH_KEY("NoSuchKey", 404, "The specified key does not exist."),
    NO_SUCH_VERSION("NoSuchVersion", 404, "The specified version does not exist."),
    NO_SUCH_UPLOAD("NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID might be invalid, "
            + "or the multipart upload might have been aborted or completed."),
    NOT_IMPLEMENTED("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."),
    NOT_MODIFIED("NotModified", 304, "Not Modified"),
    PRECONDITION_FAILED("PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."),
    REQUEST_HEADER_SECTION_TOO_LARGE("RequestHeaderSectionTooLarge", 400,
            "Your request header section exceeds the maximum allowed size."),
    /** A request body that stopped arriving (S3's wording; the connection is closed after it). */
    REQUEST_TIMEOUT("RequestTimeout", 400, "Your socket connection to the server was not read from or written to "
            + "within the timeout period. Idle connections will be closed."),
    /** A request line longer than the listener reads; the connection is closed after it. */
    REQUEST_URI_TOO_LONG("RequestURITooLong", 414, "The request line is longer than the server accepts."),
    REQUEST_TIME_TOO_SKEWED("RequestTimeTooSkewed", 403,
            "The difference between the request time and the server's time is too large."),
    RESTORE_ALREADY_IN_PROGRESS("RestoreAlreadyInProgress", 409, "Object restore is already in progress"),
    /** Admin API: a cold tier still holding data cannot be removed without {@code force}. */
    TIER_NOT_EMPTY("TierNotEmpty", 409, "The tier still holds data."),
    /** Admin API: a snapshot repository with an unfinished export is neither removed nor given a second export. */
    REPOSITORY_IN_USE("RepositoryInUse", 409, "The snapshot repository has an unfinished export."),
    /**
     * Admin API: a replication target that a bucket's replication configuration sends to is not removed,
     * nor given a second target of the same destination ARN.
     */
    REPLICATION_TARGET_IN_USE("ReplicationTargetInUse", 409,
            "A bucket's replication configuration sends to this replication target."),
    /** Admin API: a bucket has one resync to a target at a time. */
    RESYNC_ALREADY_RUNNING("ResyncAlreadyRunning", 409, "A resync of this bucket to this replication target is running."),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503, "Please reduce your request rate."),
    SIGNATURE_DOES_NOT_MATCH("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the "
            + "signature you provided. Check your key and signing method."),
    SLOW_DOWN("SlowDown", 503, "Please reduce your request rate."),
    UNEXPECTED_CONTENT("UnexpectedContent", 400, "This request does not support content"),
    MISSING_SECURITY_HEADER("MissingSecurityHeader", 400, "Your request was missing a required header"),
    X_AMZ_CONTENT_SHA256_MISMATCH("XAmzContentSHA256Mismatch", 400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.");

    private final String code;
    private final int status;
    private final String message;

    S3Error(String code, int status, String message) {
        this.code = code;
        this.status = status;
        this.message = message;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }
}
