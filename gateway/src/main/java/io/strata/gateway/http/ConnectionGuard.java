package io.strata.gateway.http;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.strata.gateway.config.ConnectionLimits;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsSection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the listener enforces on every HTTP/1.1 connection around routing: the deadline for a
 * request's headers once its line is in, the socket read timeout, the cap on uploads in progress,
 * the refusal of ambiguous framing, and closing the socket whenever a response says
 * {@code Connection: close}. (A fresh connection's first line is watched by {@link FirstRequestLine},
 * the time between requests by Helidon's idle-connection check.)
 *
 * <p>Helidon reads a connection's requests and runs their handlers on one virtual thread, so the
 * state of a connection is kept under that thread. A sweeper closes the sockets whose headers are
 * overdue. Thread-safe; closed by the server that creates it.
 */
public final class ConnectionGuard implements MetricsSection, Http1ConnectionListener, Filter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final ConnectionLimits limits;
    private final Semaphore uploads;
    /** Connections whose request line is in but whose headers are not, by the thread reading them. */
    private final Map<Thread, HeaderWatch> headerWatches = new ConcurrentHashMap<>();
    /** Fresh connections whose first request line is still arriving: when its first bytes came. */
    private final Map<Thread, Long> firstLines = new ConcurrentHashMap<>();
    /** Closes the sockets whose headers are overdue; from {@link #start()} until {@link #close()}. */
    private volatile ScheduledExecutorService sweeper;

    /** The socket to close, and the {@link System#nanoTime()} by which the headers must be in. */
    private record HeaderWatch(HelidonSocket socket, long deadline) {
    }

    private final ErrorResponder errors;

    private static final long ONE_SECOND_NANOS = 1_000_000_000L;
    /**
     * A response sent this long after its request reached routing says {@code Connection: close}.
     * Helidon 4.4.0's idle-connection check counts from the start of the request in progress, not
     * from the end of the last one: a request that runs longer than {@code server.idle-timeout} (a
     * large UploadPart or PUT, 128 MiB parts of a 1 GiB upload on a busy machine) has its connection
     * marked closed while it runs, and the connection ends silently after the response. The client
     * then sends its next request (the CompleteMultipartUpload after the parts) on a dead keep-alive
     * connection and gets no answer; the SDK's retries take other pooled connections, dead for the
     * same reason, and the upload failed with "The target server failed to respond". Announcing the
     * close makes the client open a fresh connection. Half the timeout, less the second by which
     * Helidon's request timestamp is coarse, stays clear of the check (which runs every quarter of
     * the timeout). A response whose body streams past the timeout after its headers were sent (a
     * long GET) cannot announce it and still ends that way.
     */
    private final long longRequestNanos;

    /** @param errors writes the error document of a refused request (the S3 API's, from the wiring) */
    public ConnectionGuard(ConnectionLimits limits, ErrorResponder errors) {
        this.limits = limits;
        this.errors = errors;
        this.uploads = new Semaphore(limits.maxUploads());
        this.longRequestNanos = Math.max(0, limits.idleTimeout().toNanos() / 2 - ONE_SECOND_NANOS);
    }

    /**
     * Starts the sweeper that enforces the header deadline; called once by the wiring, before the
     * listener accepts connections. {@link #close()} stops it.
     */
    public void start() {
        if (sweeper != null) throw new IllegalStateException("the connection guard is started already");
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-connection-guard");
            t.setDaemon(true);
            return t;
        });
        // Checked four times per header timeout, so a deadline is enforced at most a quarter of it late.
        long period = Math.clamp(limits.headerTimeout().toMillis() / 4, 20, 1000);
        s.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        sweeper = s;
    }

    /**
     * The listener's socket options with {@code server.read-timeout} as every accepted socket's
     * SO_TIMEOUT. Helidon 4.4.0 applies its own {@code readTimeout} only to sockets it connects as
     * a client, never to the channels it accepts: a connection that sent nothing, or stopped in the
     * middle of a body, was read from for ever.
     */
    public SocketOptions socketOptions() {
        SocketOptions base = SocketOptions.builder().readTimeout(limits.readTimeout()).build();
        int timeoutMillis = (int) limits.readTimeout().toMillis();
        return new SocketOptions() {
            @Override
            public void configureSocket(java.net.Socket socket) {
                base.configureSocket(socket);
            }

            @Override
            public void configureSocket(SocketChannel channel) {
                base.configureSocket(channel);
                try {
                    // Reads go through the channel's socket adaptor (useNio(false)), which honours SO_TIMEOUT.
                    channel.socket().setSoTimeout(timeoutMillis);
                } catch (java.net.SocketException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public Map<java.net.SocketOption<?>, Object> socketOptions() {
                return base.socketOptions();
            }

            @Override
            public Duration connectTimeout() {
                return base.connectTimeout();
            }

            @Override
            public Duration readTimeout() {
                return base.readTimeout();
            }

            @Override
            public Optional<Integer> socketReceiveBufferSize() {
                return base.socketReceiveBufferSize();
            }

            @Override
            public Optional<Integer> socketSendBufferSize() {
                return base.socketSendBufferSize();
            }

            @Override
            public boolean socketReuseAddress() {
                return base.socketReuseAddress();
            }

            @Override
            public boolean socketKeepAlive() {
                return base.socketKeepAlive();
            }

            @Override
            public boolean tcpNoDelay() {
                return base.tcpNoDelay();
            }
        };
    }

    /** Connections between request line and end of headers, plus fresh ones still sending their first line. */
    int connectionsReadingHeaders() {
        return headerWatches.size() + firstLines.size();
    }

    /** Uploads (requests with a body) in progress. */
    int uploadsInProgress() {
        return limits.maxUploads() - uploads.availablePermits();
    }

    // ---- receive side ----

    /**
     * A fresh connection's first request line is arriving (called on its thread each time more of
     * it was read): whether the header deadline, counted from its first bytes, has passed. A
     * slow-loris client that sends a byte every few seconds never trips the read timeout; only a
     * deadline for the whole request stops it.
     */
    boolean firstLineOverdue() {
        long now = System.nanoTime();
        long first = firstLines.computeIfAbsent(Thread.currentThread(), t -> now);
        if (now - first > limits.headerTimeout().toNanos()) {
            firstLines.remove(Thread.currentThread());
            return true;
        }
        return false;
    }

    /** The first request line is complete (or refused): its deadline no longer applies. */
    void firstLineDone() {
        firstLines.remove(Thread.currentThread());
    }

    /** Later request lines are bounded by the idle timeout; the headers after any of them by this deadline. */
    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        headerWatches.put(Thread.currentThread(),
                new HeaderWatch(ctx.serverSocket(), System.nanoTime() + limits.headerTimeout().toNanos()));
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        headerWatches.remove(Thread.currentThread());
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (var e : headerWatches.entrySet()) {
                if (now - e.getValue().deadline() > 0) {
                    // Also reached by connections that died between request line and headers: closing twice is harmless.
                    headerWatches.remove(e.getKey());
                    LOG.debug("closing a connection whose request headers took longer than {}", limits.headerTimeout());
                    e.getValue().socket().close();
                }
            }
            firstLines.keySet().removeIf(t -> !t.isAlive());
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep sweeping.
            LOG.warn("connection sweep failed: {}", e.toString());
        }
    }

    // ---- routing side: runs around every request, /_strata included ----

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (ambiguousFraming(req)) {
            // RFC 9112 6.3: a message with both is a request-smuggling attempt or a broken proxy. A proxy
            // in front that frames by Content-Length would see a different next request than we do, so
            // the request is refused (S3 answers 501 for Transfer-Encoding on PUT) and the connection
            // closed before anything after it is read. The same for a Transfer-Encoding other than the
            // exact "chunked" Helidon decodes ("gzip, chunked", "Chunked"): Helidon would read no body at
            // all and take the chunks for the next request.
            refuse(req, res, TransportError.NOT_IMPLEMENTED,
                    "A header you provided implies functionality that is not implemented", Map.of("Header", "Transfer-Encoding"));
        }
        // The minimum body rate is enforced as the body is read; a body read that timed out leaves the
        // connection unusable, so closing the stream must not try to drain the rest of it (each attempt
        // would wait for the read timeout again).
        req.streamFilter(in -> new StalledBody(in, limits));
        boolean upload = hasBody(req);
        if (upload && !uploads.tryAcquire()) {
            // Every upload holds its erasure stripes in memory; beyond the cap clients are asked to back
            // off instead of the heap running out. The body is not read, so the connection cannot be reused.
            refuse(req, res, TransportError.SLOW_DOWN, TransportError.SLOW_DOWN.message(), Map.of());
        }
        long started = System.nanoTime();
        res.beforeSend(() -> {
            if (System.nanoTime() - started > longRequestNanos) res.header(HeaderNames.CONNECTION, "close");
        });
        try {
            chain.proceed();
        } finally {
            if (upload) uploads.release();
        }
        if (closeAnnounced(req, res)) {
            // Helidon 4.4.0 writes "Connection: close" but keeps reading the socket (helidon-io/helidon#12324):
            // a client waiting for the end of the response, and the connection, would stay until a timeout.
            throw new CloseConnectionException("response sent with Connection: close");
        }
    }

    /**
     * A request body that enforces the minimum rate, remembers a read timeout and then closes
     * without draining. Not thread-safe: one request's handler reads it.
     */
    private static final class StalledBody extends java.io.FilterInputStream {
        private final long started = System.nanoTime();
        private final long graceNanos;
        private final long minRate;
        private long bytes;
        private boolean timedOut;

        StalledBody(java.io.InputStream in, ConnectionLimits limits) {
            super(in);
            this.graceNanos = limits.readTimeout().toNanos();
            this.minRate = limits.minBodyRate();
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (java.io.IOException | RuntimeException e) {
                note(e);
                throw e;
            }
            if (n > 0) bytes += n;
            long elapsed = System.nanoTime() - started;
            // Averaged from the body's start, and only once it has taken longer than the read timeout,
            // so a short pause in a fast upload never counts against it.
            if (minRate > 0 && n >= 0 && elapsed > graceNanos && bytes < minRate * (elapsed / 1_000_000_000.0)) {
                timedOut = true;
                throw new java.io.UncheckedIOException(new java.net.SocketTimeoutException(
                        "request body slower than " + minRate + " bytes/s"));
            }
            return n;
        }

        private void note(Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof java.net.SocketTimeoutException) timedOut = true;
            }
        }

        @Override
        public void close() throws java.io.IOException {
            if (!timedOut) super.close();
        }
    }

    private static boolean ambiguousFraming(RoutingRequest req) {
        if (!req.headers().contains(HeaderNames.TRANSFER_ENCODING)) return false;
        List<String> codings = req.headers().all(HeaderNames.TRANSFER_ENCODING, List::of);
        return req.headers().contains(HeaderNames.CONTENT_LENGTH) || codings.size() != 1 || !codings.getFirst().equals("chunked");
    }

    private static boolean hasBody(RoutingRequest req) {
        String method = req.prologue().method().text();
        if (!method.equals("PUT") && !method.equals("POST")) return false;
        return req.headers().contains(HeaderNames.TRANSFER_ENCODING) || req.headers().contentLength().orElse(0) > 0;
    }

    private static boolean closeAnnounced(RoutingRequest req, RoutingResponse res) {
        return hasClose(res.headers().first(HeaderNames.CONNECTION).orElse(""))
                || hasClose(req.headers().first(HeaderNames.CONNECTION).orElse(""));
    }

    private static boolean hasClose(String connection) {
        for (String token : connection.split(",")) {
            if (token.trim().toLowerCase(Locale.ROOT).equals("close")) return true;
        }
        return false;
    }

    /** Answers with the error as S3 XML and ends the connection: the request's body is never read. */
    private void refuse(RoutingRequest req, RoutingResponse res, TransportError error, String message,
                        Map<String, String> extra) {
        byte[] id = new byte[8];
        ThreadLocalRandom.current().nextBytes(id);
        String requestId = HexFormat.of().withUpperCase().formatHex(id);
        res.header("x-amz-request-id", requestId);
        res.header("x-amz-id-2", requestId);
        res.header("Server", "Strata");
        res.header("Connection", "close");
        errors.refuse(req, res, error, message, extra, requestId);
        throw new CloseConnectionException(error.code() + " answered, connection closed");
    }

    @Override
    public void close() {
        ScheduledExecutorService s = sweeper;
        if (s != null) s.shutdownNow();
    }

    @Override
    public void appendTo(StringBuilder out) {
        Metrics.gauge(out, "strata_uploads_in_progress", "Requests with a body (PUT, POST) being served (capped by server.max-uploads).",
                uploadsInProgress());
        Metrics.gauge(out, "strata_connections_reading_headers", "Connections whose request line or headers are still arriving.",
                connectionsReadingHeaders());
    }
}
