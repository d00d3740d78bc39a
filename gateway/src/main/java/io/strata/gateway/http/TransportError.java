package io.strata.gateway.http;

/**
 * The errors the transport answers itself, before or around routing: S3's code, status and message
 * for each, so that a refused connection still gets an S3 error document. The S3 API maps each to
 * its own error of the same code (ErrorMapping in the s3 package, whose test keeps the two equal).
 */
public enum TransportError {
    ENTITY_TOO_LARGE("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."),
    INTERNAL_ERROR("InternalError", 500, "We encountered an internal error. Please try again."),
    INVALID_REQUEST("InvalidRequest", 400, "Invalid Request"),
    NOT_IMPLEMENTED("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."),
    REQUEST_HEADER_SECTION_TOO_LARGE("RequestHeaderSectionTooLarge", 400,
            "Your request header section exceeds the maximum allowed size."),
    REQUEST_TIMEOUT("RequestTimeout", 400, "Your socket connection to the server was not read from or written to "
            + "within the timeout period. Idle connections will be closed."),
    REQUEST_URI_TOO_LONG("RequestURITooLong", 414, "The request line is longer than the server accepts."),
    SLOW_DOWN("SlowDown", 503, "Please reduce your request rate.");

    private final String code;
    private final int status;
    private final String message;

    TransportError(String code, int status, String message) {
        this.code = code;
        this.status = status;
        this.message = message;
    }

    /** S3's error code, e.g. {@code SlowDown}. */
    public String code() {
        return code;
    }

    /** The HTTP status S3 answers with. */
    public int status() {
        return status;
    }

    /** S3's default message. */
    public String message() {
        return message;
    }
}
