package io.strata.gateway.s3;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.BucketName;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.WriteCondition;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The conditional headers of a read (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since)
 * and of a copy's source (x-amz-copy-source-if-*), evaluated as S3 does. Stateless.
 */
public final class Conditions {
    private Conditions() {
    }

    /**
     * x-amz-copy-source-if-match, -if-none-match, -if-modified-since and -if-unmodified-since against the source.
     *
     * @throws S3Exception PreconditionFailed when they do not hold
     */
    static void copySource(S3Request r, ObjectVersion src) {
        Optional<String> ifMatch = r.header("x-amz-copy-source-if-match");
        Optional<String> ifNoneMatch = r.header("x-amz-copy-source-if-none-match");
        Optional<Instant> ifModified = r.header("x-amz-copy-source-if-modified-since").flatMap(Conditions::httpDate);
        Optional<Instant> ifUnmodified = r.header("x-amz-copy-source-if-unmodified-since").flatMap(Conditions::httpDate);
        Instant modified = src.lastModified().with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0);
        boolean ok = true;
        if (ifMatch.isPresent()) {
            ok = etagMatches(ifMatch.get(), src.etag());
        } else if (ifUnmodified.isPresent() && modified.isAfter(ifUnmodified.get())) {
            ok = false;
        }
        if (ifNoneMatch.isPresent()) {
            if (etagMatches(ifNoneMatch.get(), src.etag())) ok = false;
        } else if (ifModified.isPresent() && !modified.isAfter(ifModified.get())) {
            ok = false;
        }
        if (!ok) throw new S3Exception(S3Error.PRECONDITION_FAILED);
    }

    /**
     * Evaluates a GET's or HEAD's conditional headers as S3 does: If-Match before If-Unmodified-Since,
     * If-None-Match before If-Modified-Since.
     *
     * @return true if the response was already sent (304 Not Modified)
     * @throws S3Exception PreconditionFailed naming the condition that failed
     */
    public static boolean get(S3Request r, ObjectVersion v, ServerResponse res) {
        Optional<String> ifMatch = r.header("if-match");
        Optional<String> ifNoneMatch = r.header("if-none-match");
        Optional<Instant> ifModified = r.header("if-modified-since").flatMap(Conditions::httpDate);
        Optional<Instant> ifUnmodified = r.header("if-unmodified-since").flatMap(Conditions::httpDate);
        Instant modified = v.lastModified().with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0);
        if (ifMatch.isPresent()) {
            if (!etagMatches(ifMatch.get(), v.etag())) throw new S3Exception(S3Error.PRECONDITION_FAILED).with("Condition", "If-Match");
        } else if (ifUnmodified.isPresent() && modified.isAfter(ifUnmodified.get())) {
            throw new S3Exception(S3Error.PRECONDITION_FAILED).with("Condition", "If-Unmodified-Since");
        }
        boolean notModified = false;
        if (ifNoneMatch.isPresent()) {
            notModified = etagMatches(ifNoneMatch.get(), v.etag());
        } else if (ifModified.isPresent() && !modified.isAfter(ifModified.get())) {
            notModified = true;
        }
        if (notModified) {
            res.status(Status.NOT_MODIFIED_304);
            res.header("ETag", "\"" + v.etag() + "\"");
            res.header("Last-Modified", Encoding.httpDate(v.lastModified()));
            res.send();
            return true;
        }
        return false;
    }

    /**
     * The precondition of a write (PutObject, CompleteMultipartUpload): {@code If-None-Match: *}
     * creates the key only if it has no current version, {@code If-Match: "etag"} replaces only the
     * current version with that ETag ({@code *}: any current version). The namespace checks it in the
     * commit's step. https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
     *
     * @throws S3Exception NotImplemented for If-None-Match with anything but {@code *} (S3 supports
     *                     no other value on writes), or both headers together
     */
    public static WriteCondition write(S3Request r) {
        Optional<String> ifMatch = r.header("if-match").map(String::trim);
        Optional<String> ifNoneMatch = r.header("if-none-match").map(String::trim);
        if (ifNoneMatch.isPresent() && !ifNoneMatch.get().equals("*")) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED).with("Header", "If-None-Match");
        }
        if (ifNoneMatch.isPresent() && ifMatch.isPresent()) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "If-Match and If-None-Match cannot be combined on a write.")
                    .with("Header", "If-Match");
        }
        if (ifNoneMatch.isPresent()) return WriteCondition.ifAbsent();
        return ifMatch.map(Conditions::ifMatch).orElse(WriteCondition.NONE);
    }

    /**
     * The precondition of a DELETE without a version id: {@code If-Match: "etag"} or {@code *}
     * (delete only if a current version exists). Other conditional headers are ignored, as before.
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html
     */
    public static WriteCondition delete(S3Request r) {
        return r.header("if-match").map(String::trim).map(Conditions::ifMatch).orElse(WriteCondition.NONE);
    }

    /**
     * The S3 error of a write whose condition failed in the namespace: 412 PreconditionFailed naming
     * the condition, or 404 NoSuchKey for If-Match on a key without a current version (AWS's
     * answers); any other failure is returned as it is.
     */
    public static RuntimeException failed(NamespaceException e, WriteCondition condition, BucketName bucket,
                                          ObjectKey key) {
        return switch (e.reason()) {
            case PRECONDITION_FAILED -> new S3Exception(S3Error.PRECONDITION_FAILED).with("Condition",
                    condition instanceof WriteCondition.IfAbsent ? "If-None-Match" : "If-Match");
            case KEY_NOT_FOUND -> AddressedVersion.noSuchKey(bucket, key);
            case BUCKET_NOT_FOUND, BUCKET_EXISTS, BUCKET_NOT_EMPTY, UPLOAD_NOT_FOUND, UNAVAILABLE -> e;
        };
    }

    /** An If-Match value or a DeleteObjects ETag element: one ETag, quoted or not (W/ dropped), or {@code *}. */
    public static WriteCondition ifMatch(String value) {
        String v = value.trim();
        if (v.startsWith("W/")) v = v.substring(2);
        v = ObjectService.unquote(v.trim());
        if (v.isEmpty()) throw new S3Exception(S3Error.INVALID_ARGUMENT, "The If-Match value is empty.")
                .with("ArgumentName", "If-Match").with("ArgumentValue", value);
        return WriteCondition.ifMatch(v);
    }

    /** Whether an If-Match/If-None-Match list (weak tags, {@code *}) names {@code etag}. */
    static boolean etagMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) c = c.substring(2);
            if (c.equals("*") || ObjectService.unquote(c).equals(etag)) return true;
        }
        return false;
    }

    /** An HTTP date; empty when it does not parse (S3 then ignores the condition). */
    public static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();   // S3 ignores an unparseable date condition
        }
    }
}
