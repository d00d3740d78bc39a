package io.strata.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What SigV4 needs to know about an HTTP request, built by the gateway from the wire.
 *
 * @param method   HTTP method, upper case
 * @param rawPath  the path exactly as received, still percent-encoded (S3 does not normalise or re-encode it)
 * @param rawQuery the query string exactly as received, without '?', still percent-encoded; "" if none
 * @param headers  header names in lower case, values as received (multiple values in order)
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
    public SignedRequest {
        headers = Map.copyOf(headers);
        rawQuery = rawQuery == null ? "" : rawQuery;
    }

    /** First value of a header (name in lower case). */
    public Optional<String> header(String lowerCaseName) {
        List<String> values = headers.get(lowerCaseName);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
