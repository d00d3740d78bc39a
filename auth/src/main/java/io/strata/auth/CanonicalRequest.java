package io.strata.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Builds the SigV4 canonical request of an S3 request, following "Signature Calculations for the
 * Authorization Header" (S3 API reference). Stateless and thread-safe.
 */
final class CanonicalRequest {
    private CanonicalRequest() {
    }

    /** One query parameter: as received (for lookups, decoded) and re-encoded strictly (for signing). */
    record QueryParam(String name, String value, String encodedName, String encodedValue) {
        static final Comparator<QueryParam> CANONICAL_ORDER =
                Comparator.comparing(QueryParam::encodedName).thenComparing(QueryParam::encodedValue);
    }

    /** The raw query as parameters: split on '&', a parameter without '=' has an empty value. */
    static List<QueryParam> parseQuery(String rawQuery) {
        List<QueryParam> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) return params;
        for (String part : rawQuery.split("&", -1)) {
            if (part.isEmpty()) continue; // "a=1&&b=2": SDKs never sign an empty parameter
            int eq = part.indexOf('=');
            String rawName = eq < 0 ? part : part.substring(0, eq);
            String rawValue = eq < 0 ? "" : part.substring(eq + 1);
            byte[] name = SigV4.percentDecode(rawName);
            byte[] value = SigV4.percentDecode(rawValue);
            params.add(new QueryParam(
                    new String(name, StandardCharsets.UTF_8),
                    new String(value, StandardCharsets.UTF_8),
                    SigV4.uriEncode(name, false), SigV4.uriEncode(value, false)));
        }
        return params;
    }

    /** First parameter with this (decoded, case-sensitive) name. */
    static Optional<String> param(List<QueryParam> params, String name) {
        for (QueryParam p : params) {
            if (p.name().equals(name)) return Optional.of(p.value());
        }
        return Optional.empty();
    }

    static int count(List<QueryParam> params, String name) {
        int n = 0;
        for (QueryParam p : params) {
            if (p.name().equals(name)) n++;
        }
        return n;
    }

    /** Sorted by encoded name then value, joined with '&'; {@code dropName} (X-Amz-Signature) left out. */
    static String canonicalQuery(List<QueryParam> params, String dropName) {
        List<QueryParam> sorted = new ArrayList<>(params.size());
        for (QueryParam p : params) {
            if (!p.name().equals(dropName)) sorted.add(p);
        }
        sorted.sort(QueryParam.CANONICAL_ORDER);
        StringBuilder sb = new StringBuilder();
        for (QueryParam p : sorted) {
            if (!sb.isEmpty()) sb.append('&');
            sb.append(p.encodedName()).append('=').append(p.encodedValue());
        }
        return sb.toString();
    }

    /**
     * The canonical URI as S3 clients compute it when the raw path differs: the decoded path with every
     * byte except unreserved characters and '/' percent-encoded (upper-case hex). S3 does not
     * double-encode or normalise the path.
     */
    static String reencodedPath(String rawPath) {
        return SigV4.uriEncode(SigV4.percentDecode(rawPath), true);
    }

    /**
     * "name:value\n" for every signed header, in the order of SignedHeaders: values trimmed, inner runs
     * of whitespace collapsed to one space, several values joined with ','. A signed header missing
     * from the request contributes an empty value (and so, in practice, a signature mismatch).
     */
    static String canonicalHeaders(SignedRequest request, List<String> signedHeaders) {
        StringBuilder sb = new StringBuilder(256);
        for (String name : signedHeaders) {
            List<String> values = request.headers().get(name);
            if (values == null && name.equals("host")) {
                values = request.headers().get(":authority"); // HTTP/2 carries Host as a pseudo-header
            }
            sb.append(name).append(':');
            if (values != null) {
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) sb.append(',');
                    appendTrimmed(sb, values.get(i));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void appendTrimmed(StringBuilder sb, String value) {
        if (value == null) return;
        boolean pendingSpace = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B') {
                pendingSpace = any;
            } else {
                if (pendingSpace) sb.append(' ');
                sb.append(c);
                pendingSpace = false;
                any = true;
            }
        }
    }

    static String build(String method, String canonicalUri, String canonicalQuery, String canonicalHeaders,
                        String signedHeaders, String payloadHash) {
        return method + '\n' + canonicalUri + '\n' + canonicalQuery + '\n' + canonicalHeaders + '\n'
                + signedHeaders + '\n' + payloadHash;
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return SigV4.ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + SigV4.sha256Hex(canonicalRequest);
    }
}
