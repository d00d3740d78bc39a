package io.strata.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signs a request without a body with AWS Signature V4 (header form), using the same
 * canonicalisation as {@link SigV4Verifier}: for Strata's own clients, such as the {@code strata}
 * command calling the admin API. Stateless and thread-safe.
 */
public final class SigV4Signer {
    private SigV4Signer() {
    }

    /**
     * The headers to send: {@code host}, {@code x-amz-date}, {@code x-amz-content-sha256} (of an
     * empty body) and {@code Authorization}.
     *
     * @param rawPath the path as sent (already percent-encoded)
     * @param rawQuery the query as sent, or "" for none
     * @param host the Host header value (host, and port when not the default)
     */
    public static Map<String, String> signEmptyBody(String method, String rawPath, String rawQuery, String host,
                                                    Credentials credentials, String region, Instant now) {
        return sign(method, rawPath, rawQuery, host, credentials, region, now, SigV4.EMPTY_SHA256);
    }

    /**
     * As {@link #signEmptyBody}, for a body whose SHA-256 (lower-case hex) is {@code payloadSha256}; the
     * receiver must check the body against it.
     */
    public static Map<String, String> sign(String method, String rawPath, String rawQuery, String host,
                                           Credentials credentials, String region, Instant now, String payloadSha256) {
        String amzDate = SigV4.AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        Map<String, List<String>> headers = new TreeMap<>();
        headers.put("host", List.of(host));
        headers.put("x-amz-content-sha256", List.of(payloadSha256));
        headers.put("x-amz-date", List.of(amzDate));
        String upperMethod = method.toUpperCase(Locale.ROOT);
        SignedRequest unsigned = new SignedRequest(upperMethod, rawPath, rawQuery, headers);
        List<String> names = new ArrayList<>(headers.keySet());
        String scope = date + '/' + region + '/' + SigV4.SERVICE + '/' + SigV4.TERMINATOR;
        String canonical = CanonicalRequest.build(upperMethod, rawPath,
                CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery(rawQuery == null ? "" : rawQuery), null),
                CanonicalRequest.canonicalHeaders(unsigned, names), String.join(";", names), payloadSha256);
        String signature = SigV4.sign(SigV4.deriveSigningKey(credentials.secretKey(), date, region),
                CanonicalRequest.stringToSign(amzDate, scope, canonical));
        Map<String, String> out = new LinkedHashMap<>();
        out.put("host", host);
        out.put("x-amz-date", amzDate);
        out.put("x-amz-content-sha256", payloadSha256);
        out.put("Authorization", SigV4.ALGORITHM + " Credential=" + credentials.accessKey() + '/' + scope
                + ", SignedHeaders=" + String.join(";", names) + ", Signature=" + signature);
        return out;
    }
}
