package io.strata.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.strata.gateway.xml.XmlWriter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * Watches a fresh connection's first request line while Helidon works out which protocol it
 * speaks, and answers in S3 XML, then closes, the two cases Helidon would otherwise mishandle:
 * <ul>
 *   <li>a line longer than the listener accepts: {@code 414 RequestURITooLong}. Helidon's HTTP/1.1
 *       selector cannot recognise it (it looks for " HTTP/1.1" at the end of the first line) and
 *       drops the connection without a word, so a client could not tell a too-long URL from a crash;</li>
 *   <li>a line still incomplete at the header deadline: {@code 400 RequestTimeout}. Until the line
 *       is complete Helidon reads on for as long as bytes keep trickling in, so a slow-loris client
 *       held its connection for ever.</li>
 * </ul>
 * Every other connection is left to the HTTP/1.1 selector. Thread-safe.
 */
public final class FirstRequestLine implements ServerConnectionSelector {
    private final int maxRequestLine;
    private final ConnectionGuard guard;

    public FirstRequestLine(int maxRequestLine, ConnectionGuard guard) {
        this.maxRequestLine = maxRequestLine;
        this.guard = guard;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /** Called on the connection's thread each time more of its first bytes were read. */
    @Override
    public Support supports(BufferData data) {
        if (data.indexOf((byte) '\n') != -1) {
            guard.firstLineDone();
            return Support.UNSUPPORTED;   // a complete line: HTTP/1.1 takes it from here
        }
        if (data.available() > maxRequestLine) {
            guard.firstLineDone();
            return Support.SUPPORTED;
        }
        return guard.firstLineOverdue() ? Support.SUPPORTED : Support.UNKNOWN;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        boolean tooLong = ctx.dataReader().available() > maxRequestLine;
        return new ServerConnection() {
            @Override
            public void handle(Limit limit) {
                String status = tooLong ? "414 URI Too Long" : "400 Bad Request";
                XmlWriter xml = XmlWriter.create().bareRoot("Error");
                if (tooLong) {
                    xml.element("Code", TransportError.REQUEST_URI_TOO_LONG.code())
                            .element("Message", "The request line is longer than " + maxRequestLine + " bytes.");
                } else {
                    xml.element("Code", TransportError.REQUEST_TIMEOUT.code()).element("Message", TransportError.REQUEST_TIMEOUT.message());
                }
                byte[] body = xml.toBytes();
                byte[] head = ("HTTP/1.1 " + status + "\r\n"
                        + "Content-Type: application/xml\r\n"
                        + "Content-Length: " + body.length + "\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] response = Arrays.copyOf(head, head.length + body.length);
                System.arraycopy(body, 0, response, head.length, body.length);
                ctx.dataWriter().writeNow(BufferData.create(response));
                // Returning ends the connection: Helidon's connection handler closes the socket.
            }

            @Override
            public Duration idleTime() {
                return Duration.ZERO;
            }

            @Override
            public void close(boolean interrupt) {
                // nothing to stop: handle() writes one response and returns
            }
        };
    }
}
