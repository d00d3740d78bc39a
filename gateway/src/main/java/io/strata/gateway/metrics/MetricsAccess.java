package io.strata.gateway.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may read {@code /_strata/metrics}. The metrics name operations, drives, capacity, buckets and
 * lifecycle rules, so by default only the root credentials (a SigV4-signed GET) or the configured
 * bearer token ({@code Authorization: Bearer TOKEN}, as Prometheus' {@code authorization} scrape
 * setting sends it) may read them; {@code metrics.public: true} opens them to anyone who reaches the
 * port, for scrapers on a private network.
 *
 * @param open  anyone may read the metrics ({@code metrics.public})
 * @param token the bearer token ({@code metrics.bearer-token-file} or {@code STRATA_METRICS_TOKEN}), if any
 */
public record MetricsAccess(boolean open, Optional<String> token) {
    /** Shortest bearer token accepted: a guessable token would make the default protection void. */
    static final int MIN_TOKEN_LENGTH = 16;

    public MetricsAccess {
        token.ifPresent(t -> {
            if (t.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("the metrics bearer token must be at least " + MIN_TOKEN_LENGTH
                        + " characters");
            }
        });
    }

    /** Root or token only, no token configured: the default. */
    public static MetricsAccess rootOnly() {
        return new MetricsAccess(false, Optional.empty());
    }

    /** True if {@code authorization} (the request's Authorization header) presents the configured token. */
    public boolean presentsToken(Optional<String> authorization) {
        if (token.isEmpty() || authorization.isEmpty()) return false;
        String value = authorization.get().strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        // Constant time: the comparison must not tell an attacker how much of a guess was right.
        return MessageDigest.isEqual(value.substring(7).strip().getBytes(StandardCharsets.UTF_8),
                token.get().getBytes(StandardCharsets.UTF_8));
    }

    /** Keeps the token out of logs and messages. */
    @Override
    public String toString() {
        return "MetricsAccess[open=" + open + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
    }
}
