package io.strata.gateway.http;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Map;

/**
 * Answers a request the transport refuses (ambiguous framing, too many uploads) with an error
 * document. The wiring supplies the S3 API's writer, so that the answer is the same document an S3
 * handler's failure gets, while this package stays below the S3 API.
 */
@FunctionalInterface
public interface ErrorResponder {
    /**
     * Sends {@code error} with {@code message} and {@code extra} elements (e.g. Header) as the answer.
     * The caller has set the request id headers and closes the connection afterwards.
     */
    void refuse(ServerRequest req, ServerResponse res, TransportError error, String message, Map<String, String> extra,
                String requestId);
}
