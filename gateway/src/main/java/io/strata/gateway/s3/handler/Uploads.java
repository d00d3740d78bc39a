package io.strata.gateway.s3.handler;

import io.strata.auth.CannedAcl;
import io.strata.auth.VerifiedBody;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.Tagging;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Reads what an upload request declares: its length, metadata and digests. */
public final class Uploads {
    static final long MAX_PUT_SIZE = 5L << 30;
    static final int MAX_USER_METADATA = 2048;
    static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";
    /** Stored standard headers, returned unchanged on GET/HEAD. */
    static final List<String> STORED_HEADERS =
            List.of("content-encoding", "content-disposition", "content-language", "cache-control", "expires");

    private Uploads() {
    }

    /** The object's length: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
    static long length(S3Request r, long max) {
        long length;
        if (r.auth().chunked()) {
            length = r.auth().decodedContentLength().orElseThrow(() -> new S3Exception(S3Error.MISSING_CONTENT_LENGTH,
                    "You must provide the x-amz-decoded-content-length header with aws-chunked uploads."));
        } else {
            length = r.contentLength().orElseThrow(() -> new S3Exception(S3Error.MISSING_CONTENT_LENGTH));
        }
        if (length > max) {
            throw new S3Exception(S3Error.ENTITY_TOO_LARGE).with("ProposedSize", Long.toString(length))
                    .with("MaxSizeAllowed", Long.toString(max));
        }
        return length;
    }

    static ObjectService.Metadata metadata(S3Request r) {
        String contentType = r.header("content-type").filter(s -> !s.isBlank()).orElse(DEFAULT_CONTENT_TYPE);
        Map<String, String> headers = new TreeMap<>();
        for (String h : STORED_HEADERS) {
            r.header(h).ifPresent(v -> headers.put(h, v));
        }
        // Content-Encoding may come as several headers or one list: S3 stores the codings in order,
        // joined with ", " ("deflate, gzip"). aws-chunked is transfer framing, not a property of the
        // object: S3 drops it.
        StringBuilder kept = new StringBuilder();
        for (String value : r.headers().getOrDefault("content-encoding", List.of())) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (t.isEmpty() || t.equalsIgnoreCase("aws-chunked")) continue;
                if (!kept.isEmpty()) kept.append(", ");
                kept.append(t);
            }
        }
        if (kept.isEmpty()) headers.remove("content-encoding");
        else headers.put("content-encoding", kept.toString());
        Map<String, String> user = new LinkedHashMap<>();
        int size = 0;
        for (var e : r.headers().entrySet()) {
            if (e.getKey().startsWith("x-amz-meta-")) {
                String name = e.getKey().substring("x-amz-meta-".length());
                // S3 decodes RFC 2047 encoded words before storing (and encodes non-ASCII values on the way out).
                String value = Encoding.rfc2047Decode(String.join(",", e.getValue()));
                size += name.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
                user.put(name, value);
            }
        }
        if (size > MAX_USER_METADATA) {
            throw new S3Exception(S3Error.METADATA_TOO_LARGE).with("Size", Integer.toString(size))
                    .with("MaxSizeAllowed", Integer.toString(MAX_USER_METADATA));
        }
        ObjectAttributes attributes = ObjectAttributes.NONE.withTags(Tagging.fromHeader(r));
        Optional<CannedAcl> acl = cannedAcl(r);
        if (acl.isPresent()) attributes = attributes.withCannedAcl(acl.get().header());
        return new ObjectService.Metadata(contentType, headers, user, attributes);
    }

    /**
     * CreateMultipartUpload's x-amz-checksum-type for {@code algorithm}: COMPOSITE is the default for
     * SHA-1/SHA-256/CRC32/CRC32C, FULL_OBJECT the default and only type for CRC64NVME, and SHAs cannot
     * be FULL_OBJECT ("Checking object integrity", AWS S3 user guide).
     *
     * @return the type, or empty when no algorithm is named
     */
    static Optional<ChecksumType> multipartChecksumType(Optional<ChecksumAlgorithm> algorithm, Optional<String> requested) {
        if (algorithm.isEmpty()) {
            if (requested.isPresent()) {
                throw new S3Exception(S3Error.INVALID_REQUEST,
                        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
            }
            return Optional.empty();
        }
        ChecksumAlgorithm a = algorithm.get();
        ChecksumType type = requested.isPresent() ? ChecksumType.parse(requested.get().trim().toUpperCase(Locale.ROOT))
                : a == ChecksumAlgorithm.CRC64NVME ? ChecksumType.FULL_OBJECT : ChecksumType.COMPOSITE;
        if (type == null) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Value for x-amz-checksum-type header is invalid.");
        }
        if (type == ChecksumType.COMPOSITE && a == ChecksumAlgorithm.CRC64NVME
                || type == ChecksumType.FULL_OBJECT && !a.isCrc()) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "The " + type + " checksum type cannot be used with the "
                    + a.name().toLowerCase(Locale.ROOT) + " checksum algorithm.");
        }
        return Optional.of(type);
    }

    /** The request's x-amz-acl, validated; explicit x-amz-grant-* headers are not supported. */
    static Optional<CannedAcl> cannedAcl(S3Request r) {
        for (String h : r.headers().keySet()) {
            if (h.startsWith("x-amz-grant-")) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Explicit grants (" + h + ") are not implemented; use x-amz-acl.");
            }
        }
        Optional<String> value = r.header("x-amz-acl");
        if (value.isEmpty()) return Optional.empty();
        return Optional.of(CannedAcl.parse(value.get()).orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT)
                .with("ArgumentName", "x-amz-acl").with("ArgumentValue", value.get())));
    }

    /** Content-MD5, x-amz-checksum-* values, the algorithm to compute, and the body's trailers. */
    static ObjectService.Expectations expectations(S3Request r, VerifiedBody body) {
        Optional<byte[]> md5 = r.header("content-md5").map(Uploads::decodeMd5);
        Map<ChecksumAlgorithm, String> expected = declaredChecksums(r);
        Set<ChecksumAlgorithm> compute = EnumSet.noneOf(ChecksumAlgorithm.class);
        r.header("x-amz-trailer").ifPresent(t -> {
            for (String name : t.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.isEmpty()) continue;
                compute.add(ChecksumAlgorithm.fromHeader(n).orElseThrow(() -> new S3Exception(S3Error.INVALID_REQUEST,
                        "The value specified in the x-amz-trailer header is not supported")));
            }
        });
        r.header("x-amz-sdk-checksum-algorithm").or(() -> r.header("x-amz-checksum-algorithm")).ifPresent(a ->
                compute.add(ChecksumAlgorithm.parse(a).orElseThrow(() -> new S3Exception(S3Error.INVALID_REQUEST,
                        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
                                + "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"))));
        // The body checks some whole-body sums itself (a trailing checksum, a signed payload's SHA-256):
        // the object service takes those values from it instead of summing the bytes again.
        return new ObjectService.Expectations(md5, expected, compute, body.checkedAlgorithms(), body::checkedChecksums);
    }

    /** The request's x-amz-checksum-* header (at most one), validated. */
    static Map<ChecksumAlgorithm, String> declaredChecksums(S3Request r) {
        return declaredChecksums(r, true);
    }

    /**
     * The x-amz-checksum-* header of a CompleteMultipartUpload (at most one), as sent: the object's
     * checksum the client computed, for a COMPOSITE upload with its {@code -N} part-count suffix
     * (as boto3 and s3-tests send it), so it is not held to a single digest's form; any value that
     * is not the object's checksum is BadDigest, as on AWS.
     */
    static Map<ChecksumAlgorithm, String> declaredObjectChecksums(S3Request r) {
        return declaredChecksums(r, false);
    }

    private static Map<ChecksumAlgorithm, String> declaredChecksums(S3Request r, boolean digestForm) {
        Map<ChecksumAlgorithm, String> expected = new EnumMap<>(ChecksumAlgorithm.class);
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            r.header(a.headerName()).ifPresent(v -> expected.put(a, digestForm ? validChecksum(a, v.trim()) : v.trim()));
        }
        if (expected.size() > 1) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        }
        return expected;
    }

    static byte[] decodeMd5(String value) {
        try {
            byte[] md5 = Base64.getDecoder().decode(value.trim());
            if (md5.length != 16) throw new IllegalArgumentException();
            return md5;
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_DIGEST);
        }
    }

    static String validChecksum(ChecksumAlgorithm a, String value) {
        int bytes = switch (a) {
            case CRC32, CRC32C -> 4;
            case CRC64NVME -> 8;
            case SHA1 -> 20;
            case SHA256 -> 32;
        };
        try {
            if (Base64.getDecoder().decode(value).length == bytes) return value;
        } catch (IllegalArgumentException e) {
            // fall through to the S3 error
        }
        throw new S3Exception(S3Error.INVALID_REQUEST, "Value for " + a.headerName() + " header is invalid.");
    }
}
