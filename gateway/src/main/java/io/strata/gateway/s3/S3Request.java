package io.strata.gateway.s3;

import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;
import io.strata.auth.Authentication;
import io.strata.auth.SignedRequest;
import io.strata.gateway.http.Encoding;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One S3 request as the handlers see it: addressing resolved (bucket and key, path or virtual-host
 * style), query decoded, headers by lower-case name, and the verified authentication.
 */
public final class S3Request {
    private final ServerRequest http;
    private final String requestId;
    private final String method;
    private final String bucket;     // null when the request names none
    private final String key;        // null when the request names none
    private final Map<String, String> query;
    private final Map<String, List<String>> headers;
    private final boolean virtualHost;
    private Authentication auth;

    private S3Request(ServerRequest http, String requestId, String method, String bucket, String key,
                      Map<String, String> query, Map<String, List<String>> headers, boolean virtualHost) {
        this.virtualHost = virtualHost;
        this.http = http;
        this.requestId = requestId;
        this.method = method;
        this.bucket = bucket;
        this.key = key;
        this.query = query;
        this.headers = headers;
    }

    /**
     * Reads addressing from the request line and Host header.
     *
     * @param domain the base domain for virtual-hosted style (Host {@code bucket.domain})
     */
    static S3Request of(ServerRequest http, String requestId, String domain) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : http.headers()) {
            List<String> values = headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), n -> new ArrayList<>());
            for (String v : h.allValues()) {
                // Non-ASCII bytes (user metadata): the value as sent, which is also what the client signed.
                values.add(io.strata.gateway.http.HeaderBytes.recover(h, v).orElse(v));
            }
        }
        String method = http.prologue().method().text().toUpperCase(Locale.ROOT);
        String rawPath = http.prologue().uriPath().rawPath();
        String path;
        try {
            path = Encoding.percentDecode(rawPath, false);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The request path is not valid percent-encoded UTF-8.");
        }
        Map<String, String> query = parseQuery(http.prologue().query().rawValue());

        String host = first(headers, "host").orElse("");
        String hostName = stripPort(host).toLowerCase(Locale.ROOT);
        String bucket = null;
        String key = null;
        boolean virtualHost = false;
        if (!domain.isEmpty() && hostName.endsWith("." + domain) && hostName.length() > domain.length() + 1) {
            virtualHost = true;
            bucket = hostName.substring(0, hostName.length() - domain.length() - 1);
            String k = path.startsWith("/") ? path.substring(1) : path;
            key = k.isEmpty() ? null : k;
        } else {
            String p = path.startsWith("/") ? path.substring(1) : path;
            int slash = p.indexOf('/');
            if (slash < 0) {
                bucket = p.isEmpty() ? null : p;
            } else {
                bucket = p.substring(0, slash);
                String k = p.substring(slash + 1);
                key = k.isEmpty() ? null : k;
                if (bucket.isEmpty()) bucket = null;
            }
        }
        return new S3Request(http, requestId, method, bucket, key, query, headers, virtualHost);
    }

    /**
     * A non-negative decimal int as S3 reads its numeric parameters (max-keys, partNumber, max-parts,
     * x-amz-max-parts, ...): ASCII digits only, surrounding spaces ignored. Integer.parseInt alone also
     * takes "+5" and digits of other scripts ("٣"), which are no decimal number in an S3 request.
     *
     * @throws NumberFormatException for anything else, or a value above Integer.MAX_VALUE
     */
    public static int decimalInt(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 10) throw new NumberFormatException("not a small decimal number");
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') throw new NumberFormatException("not a decimal number");
        }
        return Integer.parseInt(t);
    }

    private static String stripPort(String host) {
        if (host.startsWith("[")) return host;    // IPv6 literal: never a virtual host
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    static Map<String, String> parseQuery(String raw) {
        if (raw == null || raw.isEmpty()) return Map.of();
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                String name = Encoding.percentDecode(eq < 0 ? pair : pair.substring(0, eq), true);
                String value = eq < 0 ? "" : Encoding.percentDecode(pair.substring(eq + 1), true);
                q.putIfAbsent(name, value);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "The query string is not valid percent-encoded UTF-8.");
            }
        }
        return Collections.unmodifiableMap(q);
    }

    private static Optional<String> first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    SignedRequest signedRequest() {
        return new SignedRequest(method, http.prologue().uriPath().rawPath(),
                http.prologue().query().rawValue(), headers);
    }

    /** The bucket named by the Host header (virtual-hosted style), else null: SigV2 signs it. */
    String hostBucket() {
        return virtualHost ? bucket : null;
    }

    /** The client's IP address as text (aws:SourceIp), or "" if the transport has none. */
    String sourceIp() {
        if (http.remotePeer().address() instanceof java.net.InetSocketAddress a && a.getAddress() != null) {
            return a.getAddress().getHostAddress();
        }
        return "";
    }

    public ServerRequest http() {
        return http;
    }

    public String requestId() {
        return requestId;
    }

    public String method() {
        return method;
    }

    public boolean hasBucket() {
        return bucket != null;
    }

    public boolean hasKey() {
        return key != null;
    }

    public String rawBucket() {
        return bucket;
    }

    String rawKey() {
        return key;
    }

    /** The bucket name, validated. @throws S3Exception InvalidBucketName */
    public BucketName bucket() {
        if (!BucketName.isValid(bucket)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_NAME, "The specified bucket is not valid.", "/" + bucket)
                    .with("BucketName", bucket);
        }
        return new BucketName(bucket);
    }

    /** The object key, validated. @throws S3Exception KeyTooLongError */
    public ObjectKey key() {
        try {
            return new ObjectKey(key);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.KEY_TOO_LONG, "Your key is too long: " + e.getMessage());
        }
    }

    public String resource() {
        if (bucket == null) return "/";
        return key == null ? "/" + bucket : "/" + bucket + "/" + key;
    }

    Map<String, String> query() {
        return query;
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public Map<String, List<String>> headers() {
        return headers;
    }

    public Optional<String> header(String lowerCaseName) {
        return first(headers, lowerCaseName);
    }

    public OptionalLong contentLength() {
        Optional<String> v = header("content-length");
        if (v.isEmpty()) return OptionalLong.empty();
        try {
            long n = Long.parseLong(v.get().trim());
            if (n < 0) throw new NumberFormatException();
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Content-Length is not a valid number.");
        }
    }

    public Authentication auth() {
        return auth;
    }

    void auth(Authentication auth) {
        this.auth = auth;
    }
}
