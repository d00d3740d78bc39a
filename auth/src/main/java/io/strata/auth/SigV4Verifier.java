package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import io.strata.auth.CanonicalRequest.QueryParam;
import io.strata.checksum.ChecksumAlgorithm;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 for S3: Authorization header, presigned query, UNSIGNED-PAYLOAD,
 * signed payloads and aws-chunked streaming payloads with and without trailers. Thread-safe: one
 * instance serves every request; derived signing keys are cached per (secret, date, region).
 *
 * <p>Order of checks: the form of the request (which mechanism, parsable parameters:
 * {@code MISSING_AUTHENTICATION}, {@code MALFORMED_AUTHORIZATION}, {@code MALFORMED_QUERY_AUTHORIZATION},
 * {@code UNSUPPORTED}, {@code INVALID_CONTENT_SHA256}), then the access key ({@code INVALID_ACCESS_KEY}),
 * then time ({@code TIME_SKEWED}, {@code EXPIRED}), then that every x-amz-* header is signed
 * ({@code UNSIGNED_HEADERS}), then the signature ({@code SIGNATURE_MISMATCH}),
 * then the headers the body decoder needs ({@code MALFORMED_CHUNK}, {@code UNSUPPORTED}). Body
 * failures come later, from {@link VerifiedBody#read}.
 *
 * <p>Chunk framing never reaches an object: an unknown {@code x-amz-content-sha256} is refused
 * (INVALID_CONTENT_SHA256), and so is {@code Content-Encoding: aws-chunked} with a payload mode that
 * does not decode it (UNSUPPORTED). A presigned request that carries an {@code x-amz-content-sha256}
 * header (which must then be among its signed headers) is read in the mode that header declares (the
 * URL may have signed UNSIGNED-PAYLOAD or that value).
 *
 * <p>Never logs: messages name parameters and the access key, never secrets or signatures.
 */
public final class SigV4Verifier {
    /** Largest difference between a request's timestamp and the server clock S3 accepts. */
    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    /** Longest validity of a presigned URL: seven days. */
    static final long MAX_EXPIRES_SECONDS = 604_800;

    static final String X_AMZ_ALGORITHM = "X-Amz-Algorithm";
    static final String X_AMZ_CREDENTIAL = "X-Amz-Credential";
    static final String X_AMZ_DATE = "X-Amz-Date";
    static final String X_AMZ_EXPIRES = "X-Amz-Expires";
    static final String X_AMZ_SIGNED_HEADERS = "X-Amz-SignedHeaders";
    static final String X_AMZ_SIGNATURE = "X-Amz-Signature";
    static final String X_AMZ_CONTENT_SHA256 = "X-Amz-Content-Sha256";

    private final CredentialStore credentials;
    private final Clock clock;
    private final SigningKeyCache signingKeys = new SigningKeyCache(SigningKeyCache.DEFAULT_CAPACITY);

    private SigV4Verifier(CredentialStore credentials, Clock clock) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static SigV4Verifier create(CredentialStore credentials, Clock clock) {
        return new SigV4Verifier(credentials, clock);
    }

    /**
     * Checks the request's signature. A request is presigned if its query has any of
     * {@code X-Amz-Signature}, {@code X-Amz-Algorithm}, {@code X-Amz-Credential}; it then needs all
     * the presigned parameters. Bytes of the body are not touched: use {@link Authentication#body}.
     *
     * @throws AuthException with the reason the request is refused
     */
    public Authentication verify(SignedRequest request) {
        Objects.requireNonNull(request, "request");
        requireOneAuthorization(request);
        List<QueryParam> query = CanonicalRequest.parseQuery(request.rawQuery());
        Optional<String> authorization = request.header("authorization");
        boolean presigned = CanonicalRequest.param(query, X_AMZ_SIGNATURE).isPresent()
                || CanonicalRequest.param(query, X_AMZ_ALGORITHM).isPresent()
                || CanonicalRequest.param(query, X_AMZ_CREDENTIAL).isPresent();
        if (authorization.isPresent()) {
            if (presigned) {
                throw new AuthException(Reason.UNSUPPORTED,
                        "only one auth mechanism allowed: Authorization header and X-Amz-* query parameters both present");
            }
            return verifyHeader(request, query, authorization.get());
        }
        if (presigned) return verifyPresigned(request, query);
        if (CanonicalRequest.param(query, "Signature").isPresent()
                && CanonicalRequest.param(query, "AWSAccessKeyId").isPresent()) {
            throw new AuthException(Reason.UNSUPPORTED, "Signature Version 2 presigned URLs are not supported");
        }
        throw new AuthException(Reason.MISSING_AUTHENTICATION,
                "request has neither an Authorization header nor an X-Amz-Signature query parameter");
    }

    /** The parts of a signature that both mechanisms share, once parsed. */
    private record Claim(String accessKey, String scopeDate, String region, List<String> signedHeaders,
                         String signature, String amzDate, Instant time, String payloadHash,
                         PayloadMode mode, List<String> signedPayloadHashes) {
        String scope() {
            return scopeDate + '/' + region + '/' + SigV4.SERVICE + '/' + SigV4.TERMINATOR;
        }

        /** Holds the claimed signature: keep it out of any string. */
        @Override
        public String toString() {
            return "Claim[accessKey=" + accessKey + ", scope=" + scope() + ", mode=" + mode + "]";
        }
    }

    private Authentication verifyHeader(SignedRequest request, List<QueryParam> query, String header) {
        Reason malformed = Reason.MALFORMED_AUTHORIZATION;
        String value = header.strip();
        int space = indexOfWhitespace(value);
        String algorithm = space < 0 ? value : value.substring(0, space);
        if (algorithm.isEmpty()) throw new AuthException(malformed, "Authorization header is empty");
        if (!algorithm.equals(SigV4.ALGORITHM)) {
            if (algorithm.equals("AWS")) {
                throw new AuthException(Reason.UNSUPPORTED, "Signature Version 2 (AWS AccessKey:Signature) is not supported");
            }
            if (algorithm.equals(SigV4.ECDSA_ALGORITHM)) {
                throw new AuthException(Reason.UNSUPPORTED, "SigV4a (" + SigV4.ECDSA_ALGORITHM + ") is not supported");
            }
            // S3 answers 400 InvalidArgument for a scheme it does not know (Bearer, Basic, garbage). Only the
            // scheme is echoed back: what follows it may be a token.
            throw new AuthException(Reason.UNSUPPORTED_AUTHORIZATION, "unsupported authorization type: " + truncate(algorithm),
                    Map.of("ArgumentName", "Authorization", "ArgumentValue", truncate(algorithm)));
        }
        if (space < 0) throw new AuthException(malformed, "Authorization header has no Credential, SignedHeaders, Signature");
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        // The SDKs write "Credential=..., SignedHeaders=..., Signature=..."; others omit the spaces or
        // the commas. None of the three values can contain ',' or whitespace.
        for (String part : components(value, space)) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new AuthException(malformed, "cannot parse Authorization component: " + truncate(part));
            String k = part.substring(0, eq);
            String v = part.substring(eq + 1);
            switch (k) {
                case "Credential" -> credential = once(credential, v, k, malformed);
                case "SignedHeaders" -> signedHeaders = once(signedHeaders, v, k, malformed);
                case "Signature" -> signature = once(signature, v, k, malformed);
                default -> throw new AuthException(malformed, "unknown Authorization component: " + truncate(k));
            }
        }
        if (credential == null) throw new AuthException(malformed, "Authorization header lacks Credential");
        if (signedHeaders == null) throw new AuthException(malformed, "Authorization header lacks SignedHeaders");
        if (signature == null) throw new AuthException(malformed, "Authorization header lacks Signature");
        Scope scope = Scope.parse(credential, malformed);
        List<String> headers = parseSignedHeaders(signedHeaders, malformed);
        if (!SigV4.isHex(signature, 64)) throw new AuthException(malformed, "Signature is not 64 hex characters");

        String amzDate;
        Instant time;
        Optional<String> xAmzDate = request.header("x-amz-date");
        if (xAmzDate.isPresent()) {
            amzDate = xAmzDate.get().strip();
            time = parseAmzDate(amzDate, malformed, "x-amz-date");
        } else {
            String date = request.header("date").orElseThrow(() -> new AuthException(malformed,
                    "SigV4 needs an x-amz-date or Date header"));
            time = parseHttpDate(date, malformed);
            amzDate = SigV4.AMZ_DATE.format(time);
        }
        requireScopeDate(scope, amzDate, malformed);

        String payloadHash = request.header("x-amz-content-sha256").map(String::strip)
                .orElseThrow(() -> new AuthException(Reason.INVALID_CONTENT_SHA256,
                        "x-amz-content-sha256 header is required with SigV4 header authentication"));
        PayloadMode mode = payloadMode(payloadHash);
        requireChunkedEncodingMatches(request, mode);

        Claim claim = new Claim(scope.accessKey(), scope.date(), scope.region(), headers, signature, amzDate,
                time, payloadHash, mode, List.of(payloadHash));
        Credentials secret = lookup(claim.accessKey());
        Instant now = clock.instant();
        if (Duration.between(time, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new AuthException(Reason.TIME_SKEWED,
                    "request time " + amzDate + " differs from server time " + SigV4.AMZ_DATE.format(now)
                            + " by more than " + MAX_SKEW.toMinutes() + " minutes", skewDetails(amzDate, now));
        }
        return check(request, query, null, claim, secret);
    }

    private Authentication verifyPresigned(SignedRequest request, List<QueryParam> query) {
        Reason malformed = Reason.MALFORMED_QUERY_AUTHORIZATION;
        for (String name : List.of(X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES,
                X_AMZ_SIGNED_HEADERS, X_AMZ_SIGNATURE, X_AMZ_CONTENT_SHA256)) {
            if (CanonicalRequest.count(query, name) > 1) {
                throw new AuthException(malformed, "query parameter " + name + " given more than once");
            }
        }
        String algorithm = required(query, X_AMZ_ALGORITHM);
        if (algorithm.equals(SigV4.ECDSA_ALGORITHM)) {
            throw new AuthException(Reason.UNSUPPORTED, "SigV4a (" + SigV4.ECDSA_ALGORITHM + ") is not supported");
        }
        if (!algorithm.equals(SigV4.ALGORITHM)) {
            throw new AuthException(malformed, "X-Amz-Algorithm only supports " + SigV4.ALGORITHM);
        }
        Scope scope = Scope.parse(required(query, X_AMZ_CREDENTIAL), malformed);
        String amzDate = required(query, X_AMZ_DATE);
        Instant time = parseAmzDate(amzDate, malformed, X_AMZ_DATE);
        requireScopeDate(scope, amzDate, malformed);
        String expiresText = required(query, X_AMZ_EXPIRES);
        long expires;
        try {
            expires = Long.parseLong(expiresText);
        } catch (NumberFormatException e) {
            throw new AuthException(malformed, "X-Amz-Expires is not a number: " + truncate(expiresText));
        }
        if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
            throw new AuthException(malformed, "X-Amz-Expires must be between 1 and " + MAX_EXPIRES_SECONDS
                    + " seconds: " + expires);
        }
        List<String> headers = parseSignedHeaders(required(query, X_AMZ_SIGNED_HEADERS), malformed);
        String signature = required(query, X_AMZ_SIGNATURE);
        if (!SigV4.isHex(signature, 64)) throw new AuthException(malformed, "X-Amz-Signature is not 64 hex characters");
        // The payload hash a presigned URL signs is X-Amz-Content-Sha256, else UNSIGNED-PAYLOAD. A client
        // may still send an x-amz-content-sha256 header (some sign it in place of UNSIGNED-PAYLOAD): then
        // the header decides how the body is read, so aws-chunked framing is never passed through raw.
        // Like every x-amz-* header it must be signed (requireSigned), or anyone could switch the mode.
        Optional<String> queryHash = CanonicalRequest.param(query, X_AMZ_CONTENT_SHA256);
        Optional<String> headerHash = request.header("x-amz-content-sha256").map(String::strip);
        String payloadHash;
        List<String> signedHashes;
        if (queryHash.isPresent()) {
            payloadHash = queryHash.get();
            signedHashes = List.of(payloadHash);
            if (headerHash.isPresent() && !headerHash.get().equals(payloadHash)) {
                throw new AuthException(Reason.INVALID_CONTENT_SHA256,
                        "x-amz-content-sha256 header differs from the X-Amz-Content-Sha256 query parameter");
            }
        } else if (headerHash.isPresent() && !headerHash.get().equals(PayloadMode.UNSIGNED_PAYLOAD)) {
            payloadHash = headerHash.get();
            signedHashes = List.of(PayloadMode.UNSIGNED_PAYLOAD, payloadHash);
        } else {
            payloadHash = PayloadMode.UNSIGNED_PAYLOAD;
            signedHashes = List.of(payloadHash);
        }
        PayloadMode mode = payloadMode(payloadHash);
        requireChunkedEncodingMatches(request, mode);

        Claim claim = new Claim(scope.accessKey(), scope.date(), scope.region(), headers, signature, amzDate,
                time, payloadHash, mode, signedHashes);
        Credentials secret = lookup(claim.accessKey());
        Instant now = clock.instant();
        if (now.isAfter(time.plusSeconds(expires))) {
            // S3: 403 AccessDenied "Request has expired" with X-Amz-Expires, Expires and ServerTime.
            Map<String, String> details = new LinkedHashMap<>();
            details.put("X-Amz-Expires", Long.toString(expires));
            details.putAll(expiredDetails(time.plusSeconds(expires), now));
            throw new AuthException(Reason.EXPIRED, "request has expired: signed " + amzDate + ", valid for "
                    + expires + " s, server time " + SigV4.AMZ_DATE.format(now), details);
        }
        if (time.isAfter(now.plus(MAX_SKEW))) {
            throw new AuthException(Reason.TIME_SKEWED, "request is not valid yet: signed " + amzDate
                    + ", server time " + SigV4.AMZ_DATE.format(now), skewDetails(amzDate, now));
        }
        return check(request, query, X_AMZ_SIGNATURE, claim, secret);
    }

    /** Computes the signature (raw path first, then the AWS re-encoding of it) and builds the result. */
    private Authentication check(SignedRequest request, List<QueryParam> query, String dropParam, Claim claim,
                                 Credentials secret) {
        requireSigned(request, claim.signedHeaders());
        SecretKeySpec key = signingKeys.signingKey(secret.secretKey(), claim.scopeDate(), claim.region());
        String scope = claim.scope();
        String signedHeaders = String.join(";", claim.signedHeaders());
        String canonicalQuery = CanonicalRequest.canonicalQuery(query, dropParam);
        String canonicalHeaders = CanonicalRequest.canonicalHeaders(request, claim.signedHeaders());
        String rawPath = request.rawPath() == null || request.rawPath().isEmpty() ? "/" : request.rawPath();
        String method = request.method().toUpperCase(Locale.ROOT);

        String computed = null;
        search:
        for (String uri : candidateUris(rawPath)) {
            for (String payloadHash : claim.signedPayloadHashes()) {
                String canonical = CanonicalRequest.build(method, uri, canonicalQuery, canonicalHeaders, signedHeaders,
                        payloadHash);
                String candidate = SigV4.sign(key, CanonicalRequest.stringToSign(claim.amzDate(), scope, canonical));
                if (SigV4.signaturesEqual(candidate, claim.signature())) {
                    computed = candidate;
                    break search;
                }
            }
        }
        if (computed == null) {
            throw new AuthException(Reason.SIGNATURE_MISMATCH,
                    "the request signature does not match the one computed for access key " + claim.accessKey());
        }
        return afterSignature(request, claim, new ChunkSigning(key, claim.amzDate(), scope, computed));
    }

    /** The raw path as received and, if different, the form the AWS SDKs sign (see class comment of CanonicalRequest). */
    private static List<String> candidateUris(String rawPath) {
        String reencoded = CanonicalRequest.reencodedPath(rawPath);
        return reencoded.equals(rawPath) ? List.of(rawPath) : List.of(rawPath, reencoded);
    }

    /**
     * S3 refuses a SigV4 request (header-signed in every payload mode, or presigned) that carries an
     * {@code x-amz-*} header its SignedHeaders does not list: such headers change what the request does
     * ({@code x-amz-copy-source} turns a presigned PUT into a copy run with the signer's rights,
     * {@code x-amz-acl} makes the result public, {@code x-amz-tagging}, {@code x-amz-meta-*},
     * {@code x-amz-storage-class} and the SSE headers change what is stored), so anyone holding a
     * presigned URL, or a man in the middle, could otherwise add them. {@code x-amz-content-sha256} and
     * {@code x-amz-date} are x-amz-* too, so they must be signed when sent.
     *
     * <p>Content-MD5 is held to the same rule: S3 answers HeadersNotSigned content-md5 for it, both
     * header-signed and presigned (seen in client bug reports against S3), although an unsigned one
     * could only make an upload fail. Content-Type is not: S3 accepts it unsigned, and browsers add it
     * to presigned PUTs by themselves. {@code x-amzn-trace-id} (note the n), which the SDKs leave
     * unsigned on purpose, does not start with {@code x-amz-}.
     */
    static void requireSigned(SignedRequest request, List<String> signedHeaders) {
        List<String> unsigned = new ArrayList<>();
        for (String name : request.headers().keySet()) {
            String n = name.toLowerCase(Locale.ROOT);
            if ((n.startsWith("x-amz-") || n.equals("content-md5")) && !signedHeaders.contains(n)) unsigned.add(n);
        }
        if (unsigned.isEmpty()) return;
        unsigned.sort(null);
        String names = String.join(", ", unsigned); // S3 separates the names with ", "
        throw new AuthException(Reason.UNSIGNED_HEADERS, "headers present but not signed: " + truncate(names),
                Map.of("HeadersNotSigned", names));
    }

    /** Headers only the body decoder needs, checked once the caller is known to hold the secret. */
    private static Authentication afterSignature(SignedRequest request, Claim claim, ChunkSigning signing) {
        PayloadMode mode = claim.mode();
        OptionalLong decodedLength = OptionalLong.empty();
        Optional<ChecksumAlgorithm> trailing = Optional.empty();
        if (mode.chunked()) {
            String text = request.header("x-amz-decoded-content-length").map(String::strip)
                    .orElseThrow(() -> new AuthException(Reason.MALFORMED_CHUNK,
                            "x-amz-decoded-content-length is required with x-amz-content-sha256 " + claim.payloadHash()));
            try {
                long length = Long.parseLong(text);
                if (length < 0) throw new NumberFormatException("negative");
                decodedLength = OptionalLong.of(length);
            } catch (NumberFormatException e) {
                throw new AuthException(Reason.MALFORMED_CHUNK,
                        "x-amz-decoded-content-length is not a non-negative number: " + truncate(text));
            }
        }
        if (mode.trailer()) trailing = declaredTrailer(request);
        return new VerifiedAuthentication(claim.accessKey(), claim.region(), mode, claim.payloadHash(),
                decodedLength, trailing, request.header("content-length").map(String::strip), signing);
    }

    /** x-amz-trailer for the *-TRAILER modes: S3 takes one x-amz-checksum-* name. */
    private static Optional<ChecksumAlgorithm> declaredTrailer(SignedRequest request) {
        List<String> values = request.headers().get("x-amz-trailer");
        if (values == null) return Optional.empty();
        List<String> names = new ArrayList<>();
        for (String v : values) {
            for (String name : v.split(",")) {
                if (!name.isBlank()) names.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (names.isEmpty()) return Optional.empty();
        if (names.size() > 1) {
            throw new AuthException(Reason.UNSUPPORTED, "x-amz-trailer may name one checksum, got " + names.size());
        }
        return Optional.of(ChecksumAlgorithm.fromHeader(names.getFirst())
                .orElseThrow(() -> new AuthException(Reason.UNSUPPORTED,
                        "x-amz-trailer names an unsupported trailer: " + truncate(names.getFirst()))));
    }

    private Credentials lookup(String accessKey) {
        return credentials.find(accessKey).orElseThrow(() -> new AuthException(Reason.INVALID_ACCESS_KEY,
                "the access key " + accessKey + " does not exist"));
    }

    /**
     * Content-Encoding aws-chunked with a payload mode that does not decode it would store the chunk
     * framing in the object: refused.
     */
    private static void requireChunkedEncodingMatches(SignedRequest request, PayloadMode mode) {
        if (mode.chunked()) return;
        List<String> encodings = request.headers().get("content-encoding");
        if (encodings == null) return;
        for (String value : encodings) {
            for (String token : value.split(",")) {
                if (token.strip().equalsIgnoreCase("aws-chunked")) {
                    throw new AuthException(Reason.UNSUPPORTED,
                            "Content-Encoding aws-chunked needs a STREAMING-* x-amz-content-sha256, got " + mode);
                }
            }
        }
    }

    private static PayloadMode payloadMode(String payloadHash) {
        return PayloadMode.parse(payloadHash).orElseThrow(() -> new AuthException(Reason.INVALID_CONTENT_SHA256,
                "x-amz-content-sha256 must be 64 hex characters, UNSIGNED-PAYLOAD or a STREAMING-* token: "
                        + truncate(payloadHash)));
    }

    /** Credential scope: {@code accessKey/yyyymmdd/region/s3/aws4_request}. */
    private record Scope(String accessKey, String date, String region) {
        static Scope parse(String credential, Reason malformed) {
            String[] parts = credential.split("/", -1);
            if (parts.length < 5) {
                throw new AuthException(malformed, "Credential must be AccessKey/yyyymmdd/region/s3/aws4_request: "
                        + truncate(credential));
            }
            int n = parts.length;
            String accessKey = n == 5 ? parts[0] : String.join("/", Arrays.copyOf(parts, n - 4));
            String date = parts[n - 4];
            String region = parts[n - 3];
            if (accessKey.isEmpty()) throw new AuthException(malformed, "Credential has an empty access key");
            if (!isEightDigits(date)) {
                throw new AuthException(malformed, "Credential date is not yyyymmdd: " + truncate(date));
            }
            if (region.isEmpty()) throw new AuthException(malformed, "Credential has an empty region");
            if (!parts[n - 2].equals(SigV4.SERVICE)) {
                throw new AuthException(malformed, "Credential service must be s3: " + truncate(parts[n - 2]));
            }
            if (!parts[n - 1].equals(SigV4.TERMINATOR)) {
                throw new AuthException(malformed, "Credential must end with aws4_request: " + truncate(parts[n - 1]));
            }
            return new Scope(accessKey, date, region);
        }

        /** A plain loop: a stream over the characters cost more than the rest of the parse, once per request. */
        private static boolean isEightDigits(String date) {
            if (date.length() != 8) return false;
            for (int i = 0; i < 8; i++) {
                char c = date.charAt(i);
                if (c < '0' || c > '9') return false;
            }
            return true;
        }
    }

    private static List<String> parseSignedHeaders(String value, Reason malformed) {
        List<String> names = new ArrayList<>();
        for (String name : value.split(";", -1)) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (n.isEmpty()) throw new AuthException(malformed, "SignedHeaders has an empty name: " + truncate(value));
            names.add(n);
        }
        if (!names.contains("host")) throw new AuthException(malformed, "SignedHeaders must include host");
        return List.copyOf(names);
    }

    private static void requireScopeDate(Scope scope, String amzDate, Reason malformed) {
        if (!amzDate.startsWith(scope.date())) {
            throw new AuthException(malformed, "Credential date " + scope.date()
                    + " does not match the request date " + amzDate);
        }
    }

    /**
     * The runs of {@code value} from {@code from} between commas and whitespace (what
     * {@code split("[,\s]+")} gives, without its empty strings and without compiling the pattern
     * on every request).
     */
    static List<String> components(String value, int from) {
        List<String> parts = new ArrayList<>(3);
        int start = -1;
        for (int i = from; i <= value.length(); i++) {
            boolean separator = i == value.length() || isComponentSeparator(value.charAt(i));
            if (separator && start >= 0) {
                parts.add(value.substring(start, i));
                start = -1;
            } else if (!separator && start < 0) {
                start = i;
            }
        }
        return parts;
    }

    /** A comma or what {@code \s} matches: space, tab, LF, VT, FF, CR. */
    private static boolean isComponentSeparator(char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static Instant parseAmzDate(String text, Reason malformed, String name) {
        Instant plain = plainAmzDate(text);
        if (plain != null) return plain;
        try {
            return Instant.from(SigV4.AMZ_DATE.parse(text));
        } catch (DateTimeException e) {
            throw new AuthException(malformed, name + " is not yyyyMMdd'T'HHmmss'Z': " + truncate(text));
        }
    }

    /**
     * {@code uuuuMMdd'T'HHmmss'Z'} read digit by digit when every field is in its strict range (what
     * clients send), else null and the formatter decides, so odd inputs resolve exactly as before.
     * Every signed request carries one; the formatter's parse and resolve cost more than the rest of
     * reading the Authorization header.
     */
    static Instant plainAmzDate(String text) {
        if (text.length() != 16 || text.charAt(8) != 'T' || text.charAt(15) != 'Z') return null;
        int year = digits(text, 0, 4);
        int month = digits(text, 4, 2);
        int day = digits(text, 6, 2);
        int hour = digits(text, 9, 2);
        int minute = digits(text, 11, 2);
        int second = digits(text, 13, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        return Instant.ofEpochSecond(java.time.LocalDateTime.of(year, month, day, hour, minute, second)
                .toEpochSecond(java.time.ZoneOffset.UTC));
    }

    /** The decimal value of {@code text[from, from + count)}, or -1 if a character is not an ASCII digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant parseHttpDate(String text, Reason malformed) {
        try {
            return ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw new AuthException(malformed, "Date header is not an RFC 1123 date: " + truncate(text));
        }
    }

    private static String required(List<QueryParam> query, String name) {
        String v = CanonicalRequest.param(query, name).orElseThrow(() -> new AuthException(
                Reason.MALFORMED_QUERY_AUTHORIZATION, "presigned request lacks query parameter " + name));
        if (v.isEmpty()) throw new AuthException(Reason.MALFORMED_QUERY_AUTHORIZATION, "query parameter " + name + " is empty");
        return v;
    }

    private static String once(String previous, String value, String name, Reason malformed) {
        if (previous != null) throw new AuthException(malformed, "Authorization header repeats " + name);
        return value;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) return i;
        }
        return -1;
    }

    /**
     * One Authorization header at most: with two, which one a server (or a proxy in front of it) reads
     * is a guess, so the request is refused (400 InvalidArgument) instead of using the first.
     */
    static void requireOneAuthorization(SignedRequest request) {
        List<String> values = request.headers().get("authorization");
        if (values != null && values.size() > 1) {
            throw new AuthException(Reason.INVALID_ARGUMENT, "Only one Authorization header is allowed.",
                    Map.of("ArgumentName", "Authorization"));
        }
    }

    /** The elements S3 adds to RequestTimeTooSkewed; {@code requestTime} as the client sent it. */
    static Map<String, String> skewDetails(String requestTime, Instant now) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("RequestTime", truncate(requestTime));
        details.put("ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
        details.put("MaxAllowedSkewMilliseconds", Long.toString(MAX_SKEW.toMillis()));
        return details;
    }

    /** The Expires and ServerTime elements S3 adds to "Request has expired" (ISO-8601, UTC). */
    static Map<String, String> expiredDetails(Instant expiry, Instant now) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("Expires", expiry.truncatedTo(ChronoUnit.SECONDS).toString());
        details.put("ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
        return details;
    }

    /** Client-supplied text in messages is cut short: messages end up in logs and error bodies. */
    static String truncate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
