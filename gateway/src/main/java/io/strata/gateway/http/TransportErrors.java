package io.strata.gateway.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.strata.gateway.xml.XmlWriter;

/**
 * Answers requests Helidon refuses before routing (unparseable request line, oversized headers,
 * bad framing) with S3's XML error instead of Helidon's plain text, so clients still see a code.
 */
public final class TransportErrors implements DirectHandler {
    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        TransportError error;
        int code = status.code();
        if (code == 431 || (code == 400 && message != null && message.toLowerCase().contains("header"))) {
            error = TransportError.REQUEST_HEADER_SECTION_TOO_LARGE;
        } else if (code == 414) {
            error = TransportError.REQUEST_URI_TOO_LONG;
        } else if (code == 413) {
            error = TransportError.ENTITY_TOO_LARGE;
        } else if (code >= 500) {
            error = TransportError.INTERNAL_ERROR;
        } else {
            error = TransportError.INVALID_REQUEST;
        }
        Status answer = error == TransportError.INVALID_REQUEST ? status : Status.create(error.status());
        byte[] body = XmlWriter.create().bareRoot("Error")
                .element("Code", error.code())
                .element("Message", error == TransportError.INVALID_REQUEST ? "The request could not be parsed." : error.message())
                .toBytes();
        return TransportResponse.builder()
                .status(answer)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/xml")
                .keepAlive(false)
                .entity(body)
                .build();
    }
}
