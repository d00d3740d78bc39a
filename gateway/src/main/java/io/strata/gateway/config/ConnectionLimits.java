package io.strata.gateway.config;

import java.time.Duration;

/**
 * How long a client may stall and how many connections and uploads the listener holds at once
 * ({@code server.*} keys). Without them a few thousand connections that send nothing, dribble their
 * headers or stop in the middle of a body hold their sockets and buffers for as long as the client
 * wants, and exhaust the heap.
 *
 * @param idleTimeout    a keep-alive connection with no request in progress for this long is closed
 *                       ({@code server.idle-timeout})
 * @param headerTimeout  a request line and headers not complete this long after their first byte
 *                       arrived end the connection, however steadily they trickle in
 *                       ({@code server.header-timeout})
 * @param readTimeout    a read that waits this long for the client's next byte ends the connection;
 *                       in a request body it is answered {@code 400 RequestTimeout} first
 *                       ({@code server.read-timeout})
 * @param minBodyRate    bytes per second a request body must average once it has taken longer than
 *                       the read timeout; a slower one is answered {@code 400 RequestTimeout}. The read
 *                       timeout alone lets a client that sends one byte every few seconds hold an
 *                       upload's buffers for ever ({@code server.min-body-rate}; 0 = no minimum)
 * @param maxConnections connections served at once; further ones wait in the kernel's accept queue
 *                       until one closes ({@code server.max-connections})
 * @param maxUploads     requests with a body (PUT, POST) in progress at once; beyond it
 *                       {@code 503 SlowDown} ({@code server.max-uploads})
 */
public record ConnectionLimits(Duration idleTimeout, Duration headerTimeout, Duration readTimeout,
                               long minBodyRate, int maxConnections, int maxUploads) {
    /** S3 closes connections it has not read from or written to for about 20 s (RequestTimeout). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);
    /** Apache httpd's mod_reqtimeout uses the same floor for request bodies. */
    public static final long DEFAULT_MIN_BODY_RATE = 500;
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    /** A PUT holds two stripes (12 MiB at 4+2 with 1 MiB blocks): 64 uploads stay under 1 GiB of heap. */
    public static final int DEFAULT_MAX_UPLOADS = 64;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_TIMEOUT,
            DEFAULT_READ_TIMEOUT, DEFAULT_MIN_BODY_RATE, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_UPLOADS);

    public ConnectionLimits {
        positive("server.idle-timeout", idleTimeout);
        positive("server.header-timeout", headerTimeout);
        positive("server.read-timeout", readTimeout);
        if (readTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new StrataConfig.ConfigException("server.read-timeout", "must be below 24 days, got " + readTimeout);
        }
        if (minBodyRate < 0) {
            throw new StrataConfig.ConfigException("server.min-body-rate", "must not be negative, got " + minBodyRate);
        }
        if (maxConnections < 1) {
            throw new StrataConfig.ConfigException("server.max-connections", "must be at least 1, got " + maxConnections);
        }
        if (maxUploads < 1) {
            throw new StrataConfig.ConfigException("server.max-uploads", "must be at least 1, got " + maxUploads);
        }
    }

    private static void positive(String key, Duration d) {
        if (d.isNegative() || d.toMillis() < 1) {
            throw new StrataConfig.ConfigException(key, "must be at least 1ms, got " + d);
        }
    }
}
