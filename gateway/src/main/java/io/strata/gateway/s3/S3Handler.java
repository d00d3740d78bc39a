package io.strata.gateway.s3;

import io.helidon.webserver.http.ServerResponse;

/**
 * One S3 operation's handler: reads the authenticated, authorized request, calls the data plane and
 * writes the answer. Failures are thrown (S3Exception, ObjectException, the modules' exceptions) and
 * answered by the router's error boundary. Handlers are stateless and thread-safe.
 */
@FunctionalInterface
public interface S3Handler {
    void handle(S3Request r, ServerResponse res);
}
