package io.strata.gateway.s3;

import io.helidon.webserver.http.ServerResponse;

/**
 * A bucket's CORS rules as the router applies them to every request, before authentication:
 * browsers send preflights without credentials, and S3 adds CORS headers to any answer (errors
 * included) whose Origin matches a rule. Thread-safe.
 */
public interface CorsRules {
    /** Answers an OPTIONS preflight from the bucket's rules alone. */
    void preflight(S3Request r, ServerResponse res);

    /** Adds the CORS headers of the rule the request's Origin matches, if any. */
    void responseHeaders(S3Request r, ServerResponse res);
}
