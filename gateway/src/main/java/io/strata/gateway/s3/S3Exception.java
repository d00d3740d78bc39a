package io.strata.gateway.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/** An S3 error to answer with. Carries no stack trace: it is an answer, not a bug. */
public final class S3Exception extends RuntimeException {
    private final S3Error error;
    private final String resource;
    private final Map<String, String> extra = new LinkedHashMap<>();

    public S3Exception(S3Error error) {
        this(error, error.message(), null);
    }

    public S3Exception(S3Error error, String message) {
        this(error, message, null);
    }

    public S3Exception(S3Error error, String message, String resource) {
        super(message, null, false, false);
        this.error = error;
        this.resource = resource;
    }

    public S3Error error() {
        return error;
    }

    public String resource() {
        return resource;
    }

    /** Extra elements for the XML body, e.g. BucketName, Key, ArgumentName. */
    public S3Exception with(String element, String value) {
        extra.put(element, value);
        return this;
    }

    public Map<String, String> extra() {
        return extra;
    }
}
