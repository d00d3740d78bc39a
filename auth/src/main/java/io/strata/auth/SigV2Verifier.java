package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import io.strata.auth.CanonicalRequest.QueryParam;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 2 for S3 ("Signing and Authenticating REST Requests" in the S3
 * developer guide): the {@code Authorization: AWS AccessKeyId:Signature} header and query-string
 * authentication ({@code AWSAccessKeyId}, {@code Expires}, {@code Signature}) as s3cmd's
 * {@code signurl}, boto's and aws-cli v1's presigners produce it. The signature is a base64
 * HMAC-SHA1 over method, Content-MD5, Content-Type, Date (Expires for a query), the canonicalized
 * {@code x-amz-*} headers and the canonicalized resource (the bucket, the path as sent and the
 * sub-resources S3 signs). The payload is not signed: the body passes through unchanged (Content-MD5,
 * when sent, is signed and checked by the object service). Thread-safe; never logs.
 *
 * <p>Same order of checks and reasons as {@link SigV4Verifier}: form ({@code MALFORMED_AUTHORIZATION},
 * {@code DENIED} for a missing date or query parameter), access key ({@code INVALID_ACCESS_KEY}),
 * time ({@code TIME_SKEWED}, {@code EXPIRED}), signature ({@code SIGNATURE_MISMATCH}).
 */
public final class SigV2Verifier {
    /** Query parameters S3 includes in the canonicalized resource (the union of S3's and botocore's lists). */
    static final Set<String> SIGNED_SUB_RESOURCES = Set.of(
            "accelerate", "acl", "analytics", "cors", "delete", "encryption", "inventory", "legal-hold", "lifecycle",
            "location", "logging", "metrics", "notification", "object-lock", "partNumber", "policy",
            "publicAccessBlock", "replication", "requestPayment", "response-cache-control",
            "response-content-disposition", "response-content-encoding", "response-content-language",
            "response-content-type", "response-expires", "restore", "retention", "select", "select-type",
            "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions",
            "website", "attributes", "ownershipControls", "intelligent-tiering");
    private static final String HMAC_SHA1 = "HmacSHA1";

    private final CredentialStore credentials;
    private final Clock clock;

    private SigV2Verifier(CredentialStore credentials, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A verifier over the given credentials and clock. */
    public static SigV2Verifier create(CredentialStore credentials, Clock clock) {
        return new SigV2Verifier(credentials, clock);
    }

    /**
     * True if the request claims Signature Version 2: an {@code Authorization: AWS ...} header, or
     * (without one) an {@code AWSAccessKeyId} or {@code Signature} query parameter and no SigV4 query
     * parameters.
     */
    public static boolean applies(SignedRequest request) {
        Optional<String> authorization = request.header("authorization");
        if (authorization.isPresent()) return authorization.get().strip().startsWith("AWS ");
        List<QueryParam> query = CanonicalRequest.parseQuery(request.rawQuery());
        if (CanonicalRequest.param(query, SigV4Verifier.X_AMZ_SIGNATURE).isPresent()
                || CanonicalRequest.param(query, SigV4Verifier.X_AMZ_ALGORITHM).isPresent()
                || CanonicalRequest.param(query, SigV4Verifier.X_AMZ_CREDENTIAL).isPresent()) {
            return false;
        }
        return CanonicalRequest.param(query, "AWSAccessKeyId").isPresent()
                || CanonicalRequest.param(query, "Signature").isPresent();
    }

    /**
     * Checks a request for which {@link #applies} is true.
     *
     * @param hostBucket the bucket named by the Host header (virtual-hosted style), or null: S3 signs
     *                   it as the first path segment of the canonicalized resource
     * @throws AuthException with the reason the request is refused
     */
    public Authentication verify(SignedRequest request, String hostBucket) {
        Objects.requireNonNull(request, "request");
        SigV4Verifier.requireOneAuthorization(request);
        List<QueryParam> query = CanonicalRequest.parseQuery(request.rawQuery());
        Optional<String> authorization = request.header("authorization");
        String accessKey;
        String sentTime = null; // the Date or x-amz-date value, for RequestTimeTooSkewed
        String signature;
        String dateLine;
        Instant expires = null;
        Instant time = null;
        if (authorization.isPresent()) {
            String value = authorization.get().strip();
            if (!value.startsWith("AWS ")) throw new AuthException(Reason.UNSUPPORTED, "not a Signature Version 2 request");
            String credential = value.substring(4).strip();
            int colon = credential.lastIndexOf(':');
            if (colon <= 0 || colon == credential.length() - 1 || credential.indexOf(' ') >= 0) {
                throw new AuthException(Reason.MALFORMED_AUTHORIZATION,
                        "Authorization header is invalid: expected AWS AccessKeyId:Signature");
            }
            accessKey = credential.substring(0, colon);
            signature = credential.substring(colon + 1);
            Optional<String> amzDate = request.header("x-amz-date");
            Optional<String> date = request.header("date");
            if (amzDate.isPresent()) {
                time = parseDate(amzDate.get());
                sentTime = amzDate.get().strip();
                dateLine = ""; // x-amz-date is signed among the amz headers instead
            } else if (date.isPresent()) {
                time = parseDate(date.get());
                dateLine = date.get().strip();
                sentTime = dateLine;
            } else {
                throw new AuthException(Reason.DENIED, "AWS authentication requires a valid Date or x-amz-date header");
            }
        } else {
            for (String name : List.of("AWSAccessKeyId", "Signature", "Expires")) {
                if (CanonicalRequest.param(query, name).filter(s -> !s.isEmpty()).isEmpty()) {
                    throw new AuthException(Reason.DENIED,
                            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
                }
                if (CanonicalRequest.count(query, name) > 1) {
                    throw new AuthException(Reason.DENIED, "query parameter " + name + " given more than once");
                }
            }
            accessKey = CanonicalRequest.param(query, "AWSAccessKeyId").orElseThrow();
            signature = CanonicalRequest.param(query, "Signature").orElseThrow();
            dateLine = CanonicalRequest.param(query, "Expires").orElseThrow().strip();
            try {
                expires = Instant.ofEpochSecond(Long.parseLong(dateLine));
            } catch (NumberFormatException | DateTimeException e) {
                throw new AuthException(Reason.DENIED, "Invalid date (should be seconds since epoch): "
                        + SigV4Verifier.truncate(dateLine));
            }
        }
        requireNoChunking(request);
        Credentials secret = credentials.find(accessKey).orElseThrow(() -> new AuthException(
                Reason.INVALID_ACCESS_KEY, "the access key " + SigV4Verifier.truncate(accessKey) + " does not exist"));
        Instant now = clock.instant();
        if (expires != null && now.isAfter(expires)) {
            throw new AuthException(Reason.EXPIRED, "request has expired at " + expires + ", server time " + now,
                    SigV4Verifier.expiredDetails(expires, now));
        }
        // S3 answers a SigV2 request dated outside the skew window as it does a SigV4 one:
        // 403 RequestTimeTooSkewed with RequestTime, ServerTime and MaxAllowedSkewMilliseconds.
        if (time != null && Duration.between(time, now).abs().compareTo(SigV4Verifier.MAX_SKEW) > 0) {
            throw new AuthException(Reason.TIME_SKEWED, "request time " + time + " differs from server time " + now
                    + " by more than " + SigV4Verifier.MAX_SKEW.toMinutes() + " minutes",
                    SigV4Verifier.skewDetails(sentTime, now));
        }
        // Compared as base64 text, not decoded bytes: the decoder ignores the last character's padding bits.
        byte[] provided = signature.strip().getBytes(StandardCharsets.US_ASCII);
        String head = request.method() + '\n' + request.header("content-md5").map(String::strip).orElse("") + '\n'
                + request.header("content-type").map(String::strip).orElse("") + '\n' + dateLine + '\n'
                + amzHeaders(request);
        for (String resource : resources(request.rawPath(), hostBucket, query)) {
            byte[] computed = sign(secret.secretKey(), head + resource).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(computed, provided)) return new V2Authentication(accessKey);
        }
        throw new AuthException(Reason.SIGNATURE_MISMATCH,
                "the request signature does not match the one computed for access key " + accessKey);
    }

    /** Base64 HMAC-SHA1: the V2 signature of a string to sign, and of a POST policy. */
    static String sign(String secretKey, String stringToSign) {
        return Base64.getEncoder().encodeToString(hmacSha1(secretKey, stringToSign));
    }

    static byte[] hmacSha1(String secretKey, String data) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("JDK cannot do " + HMAC_SHA1, e);
        }
    }

    /** "name:value\n" for each x-amz-* header, names lower case and sorted, several values joined with ','. */
    static String amzHeaders(SignedRequest request) {
        Map<String, List<String>> sorted = new TreeMap<>();
        for (var e : request.headers().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-amz-")) sorted.computeIfAbsent(name, k -> new ArrayList<>()).addAll(e.getValue());
        }
        StringBuilder sb = new StringBuilder();
        for (var e : sorted.entrySet()) {
            sb.append(e.getKey()).append(':');
            for (int i = 0; i < e.getValue().size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(e.getValue().get(i).strip().replaceAll("\\s*\\r?\\n\\s*", " "));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Candidate canonicalized resources: the path as sent (else its AWS re-encoding), then the signed
     * sub-resources sorted by name, decoded, as {@code name=value} or just {@code name} when the value
     * is empty. Clients differ on "?acl" versus "?acl=", so both are tried.
     */
    static List<String> resources(String rawPath, String hostBucket, List<QueryParam> query) {
        String path = rawPath.isEmpty() ? "/" : rawPath;
        List<String> paths = new ArrayList<>();
        paths.add(path);
        String reencoded = CanonicalRequest.reencodedPath(path);
        if (!reencoded.equals(path)) paths.add(reencoded);
        // botocore (boto3 and aws-cli 1.x with signature_version "s3") signs a path-style bucket
        // request (CreateBucket, ListObjects, ...) as "/bucket/" while it sends "/bucket"; S3 takes both.
        if (hostBucket == null && path.length() > 1 && path.indexOf('/', 1) < 0) paths.add(path + "/");
        List<QueryParam> signed = new ArrayList<>();
        for (QueryParam p : query) {
            if (SIGNED_SUB_RESOURCES.contains(p.name())) signed.add(p);
        }
        signed.sort(Comparator.comparing(QueryParam::name));
        StringBuilder bare = new StringBuilder();
        StringBuilder withEquals = new StringBuilder();
        for (QueryParam p : signed) {
            String sep = bare.isEmpty() ? "?" : "&";
            bare.append(sep).append(p.name());
            withEquals.append(sep).append(p.name()).append('=').append(p.value());
            if (!p.value().isEmpty()) bare.append('=').append(p.value());
        }
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            String base = hostBucket == null ? p : "/" + hostBucket + p;
            out.add(base + bare);
            if (!withEquals.toString().contentEquals(bare)) out.add(base + withEquals);
        }
        return out;
    }

    private static Instant parseDate(String text) {
        String s = text.strip();
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            try {
                return Instant.from(SigV4.AMZ_DATE.parse(s));
            } catch (DateTimeException e2) {
                throw new AuthException(Reason.DENIED, "AWS authentication requires a valid Date or x-amz-date header");
            }
        }
    }

    /** SigV2 signs no payload, so an aws-chunked body would reach the object with its framing: refused. */
    private static void requireNoChunking(SignedRequest request) {
        String sha = request.header("x-amz-content-sha256").orElse("");
        boolean chunkedEncoding = request.headers().getOrDefault("content-encoding", List.of()).stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("aws-chunked"));
        if (sha.startsWith("STREAMING-") || chunkedEncoding) {
            throw new AuthException(Reason.UNSUPPORTED, "aws-chunked payloads need Signature Version 4");
        }
    }

    /** A request signed with SigV2: the body is passed through as sent. */
    private record V2Authentication(String accessKey) implements Authentication {
        @Override
        public VerifiedBody body(InputStream raw) {
            return new PassThroughBody(Objects.requireNonNull(raw, "raw"));
        }

        @Override
        public OptionalLong decodedContentLength() {
            return OptionalLong.empty();
        }

        @Override
        public boolean chunked() {
            return false;
        }
    }
}
