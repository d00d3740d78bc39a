package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.CannedAcl;
import io.strata.auth.MultipartFormReader;
import io.strata.auth.PostFormVerifier;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.S3Api;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.Tagging;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Browser-based uploads ("POST Object"): {@code POST /bucket} with a multipart/form-data body whose
 * fields (policy, signature, key, metadata) come before the file. Fields are read into memory under
 * caps; the file part streams into the object service, its length derived from Content-Length (S3
 * requires the file to be the last field) and checked against the framing as the bytes flow.
 */
final class PostObjectHandler {
    /** Largest single field (the base64 policy is the largest in practice). */
    static final int MAX_FIELD = 20 * 1024;
    /**
     * Largest sum of all fields before the file, names and values. Names count too: a form of many
     * empty fields with distinct names otherwise grew the field map without bound.
     */
    static final int MAX_FIELDS = 64 * 1024;
    /** Most fields before the file; boto3's generate_presigned_post sends fewer than 20. */
    static final int MAX_FIELD_COUNT = 1000;
    private static final Map<String, String> STORED_FIELDS = Map.of("cache-control", "cache-control",
            "content-disposition", "content-disposition", "content-encoding", "content-encoding", "expires", "expires",
            "content-language", "content-language");

    private final ObjectService service;
    private final AccessControl access;
    private final PostFormVerifier verifier;

    PostObjectHandler(ObjectService service, AccessControl access, PostFormVerifier verifier) {
        this.service = service;
        this.access = access;
        this.verifier = verifier;
    }

    void handle(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        service.requireBucket(bucket);
        String contentType = r.header("content-type").orElseThrow(() -> new S3Exception(S3Error.MALFORMED_POST_REQUEST));
        String boundary = MultipartFormReader.boundary(contentType);
        long contentLength = r.contentLength().orElseThrow(() -> new S3Exception(S3Error.MISSING_CONTENT_LENGTH));
        try (InputStream raw = r.http().content().inputStream()) {
            MultipartFormReader form = new MultipartFormReader(raw, boundary);
            Map<String, String> fields = new LinkedHashMap<>();
            int total = 0;
            int count = 0;
            MultipartFormReader.Part file = null;
            for (Optional<MultipartFormReader.Part> p = form.next(); p.isPresent(); p = form.next()) {
                MultipartFormReader.Part part = p.get();
                String name = part.name().toLowerCase(Locale.ROOT);
                if (name.equals("file")) {
                    file = part;
                    break;
                }
                byte[] value = part.body().readNBytes(MAX_FIELD + 1);
                total += name.length() + value.length;
                if (value.length > MAX_FIELD || total > MAX_FIELDS || ++count > MAX_FIELD_COUNT) {
                    throw new S3Exception(S3Error.MALFORMED_POST_REQUEST, "Your POST request fields preceding the upload "
                            + "file were too large.");
                }
                fields.putIfAbsent(name, new String(value, StandardCharsets.UTF_8));
            }
            if (file == null) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "POST requires exactly one file upload per request.")
                        .with("ArgumentName", "file").with("ArgumentValue", "0");
            }
            String keyText = Optional.ofNullable(fields.get("key")).filter(k -> !k.isEmpty())
                    .orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT,
                            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
                            .with("ArgumentName", "key").with("ArgumentValue", ""));
            String filename = file.filename().orElse("");
            String keyValue = keyText.replace("${filename}", filename);
            PostFormVerifier.Verified verified = verify(fields, bucket, keyValue);
            S3Api.refuseEncryption(fields.keySet());
            ObjectKey key;
            try {
                key = new ObjectKey(keyValue);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.KEY_TOO_LONG);
            }
            Optional<CannedAcl> acl = Optional.ofNullable(fields.get("acl")).map(a -> CannedAcl.parse(a).orElseThrow(
                    () -> new S3Exception(S3Error.INVALID_ARGUMENT).with("ArgumentName", "acl").with("ArgumentValue", a)));
            Map<String, String> context = new TreeMap<>();
            acl.ifPresent(a -> context.put("s3:x-amz-acl", a.header()));
            // An acl field publishes the object: it needs s3:PutObjectAcl too, as a PUT's x-amz-acl does.
            if (!access.allowed(r, verified.authentication(), "s3:PutObject", bucket, key, context)
                    || (acl.isPresent() && !access.allowed(r, verified.authentication(), "s3:PutObjectAcl", bucket, key,
                    context))) {
                throw AccessControl.denied();
            }
            acl.ifPresent(a -> access.checkAclChange(bucket, a, false));
            long length = contentLength - form.position() - form.closingLength();
            if (length < 0) throw new S3Exception(S3Error.MALFORMED_POST_REQUEST);
            if (length > Uploads.MAX_PUT_SIZE) throw new S3Exception(S3Error.ENTITY_TOO_LARGE);
            verified.policy().ifPresent(p -> p.checkLength(length));
            ObjectService.Metadata meta = metadata(fields, acl);
            ObjectVersion v = service.put(bucket, key, form.exactBody(file, length), length, meta, expectations(fields));
            respond(r, res, fields, bucket, key, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks the signature and the policy. S3 holds the policy's {@code $key} conditions to the key
     * with {@code ${filename}} replaced by the file's name (a starts-with on the folder covers any
     * file); a policy whose condition names the literal {@code ${filename}} template is accepted too.
     */
    private PostFormVerifier.Verified verify(Map<String, String> fields, BucketName bucket, String key) {
        String template = fields.get("key");
        if (template.equals(key)) return verifier.verify(fields, bucket.value());
        Map<String, String> substituted = new LinkedHashMap<>(fields);
        substituted.put("key", key);
        try {
            return verifier.verify(substituted, bucket.value());
        } catch (io.strata.auth.AuthException e) {
            if (e.reason() != io.strata.auth.AuthException.Reason.DENIED) throw e;
            return verifier.verify(fields, bucket.value());
        }
    }

    /**
     * The form's checksum fields, as a PUT's headers: {@code x-amz-checksum-algorithm} computes and
     * stores that checksum, an {@code x-amz-checksum-<algorithm>} value is checked against the file
     * (BadDigest when it differs) and stored.
     */
    private static ObjectService.Expectations expectations(Map<String, String> fields) {
        Map<ChecksumAlgorithm, String> expected = new EnumMap<>(ChecksumAlgorithm.class);
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = fields.get(a.headerName());
            if (v != null) expected.put(a, Uploads.validChecksum(a, v.trim()));
        }
        if (expected.size() > 1) {
            throw new S3Exception(S3Error.INVALID_REQUEST, "Expecting a single x-amz-checksum- field. Multiple checksum Types are not allowed.");
        }
        Set<ChecksumAlgorithm> compute = EnumSet.noneOf(ChecksumAlgorithm.class);
        Optional.ofNullable(fields.get("x-amz-checksum-algorithm")).ifPresent(a -> compute.add(ChecksumAlgorithm.parse(a)
                .orElseThrow(() -> new S3Exception(S3Error.INVALID_REQUEST, "Checksum algorithm provided is unsupported."))));
        return new ObjectService.Expectations(Optional.empty(), expected, compute, Set.of(), Map::of);
    }

    private static ObjectService.Metadata metadata(Map<String, String> fields, Optional<CannedAcl> acl) {
        String type = Optional.ofNullable(fields.get("content-type")).filter(s -> !s.isBlank())
                .orElse(Uploads.DEFAULT_CONTENT_TYPE);
        Map<String, String> headers = new TreeMap<>();
        Map<String, String> user = new TreeMap<>();
        int size = 0;
        for (var f : fields.entrySet()) {
            String stored = STORED_FIELDS.get(f.getKey());
            if (stored != null) headers.put(stored, f.getValue());
            if (f.getKey().startsWith("x-amz-meta-")) {
                String name = f.getKey().substring("x-amz-meta-".length());
                user.put(name, f.getValue());
                size += name.length() + f.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (size > Uploads.MAX_USER_METADATA) throw new S3Exception(S3Error.METADATA_TOO_LARGE);
        ObjectAttributes attributes = acl.map(a -> ObjectAttributes.NONE.withCannedAcl(a.header())).orElse(ObjectAttributes.NONE);
        // The tagging field holds a Tagging document, as PutObjectTagging's body.
        String tagging = fields.get("tagging");
        if (tagging != null && !tagging.isBlank()) {
            attributes = attributes.withTags(Tagging.fromXml(tagging.getBytes(StandardCharsets.UTF_8), Tagging.MAX_OBJECT_TAGS));
        }
        return new ObjectService.Metadata(type, headers, user, attributes);
    }

    /** success_action_redirect (303), else success_action_status 200, 201 (PostResponse XML) or 204. */
    private static void respond(S3Request r, ServerResponse res, Map<String, String> fields, BucketName bucket,
                                ObjectKey key, ObjectVersion v) {
        String etag = "\"" + v.etag() + "\"";
        String location = "/" + bucket.value() + "/" + Encoding.urlEncode(key.value());
        String host = r.header("host").orElse("");
        if (!host.isEmpty()) location = (r.http().isSecure() ? "https://" : "http://") + host + location;
        res.header("ETag", etag);
        res.header("Location", location);
        String redirect = Optional.ofNullable(fields.get("success_action_redirect")).or(() -> Optional.ofNullable(fields.get("redirect")))
                .orElse("");
        if (redirect.startsWith("http://") || redirect.startsWith("https://")) {
            String target = redirect + (redirect.contains("?") ? "&" : "?") + "bucket=" + Encoding.urlEncode(bucket.value())
                    + "&key=" + Encoding.urlEncode(key.value()) + "&etag=" + Encoding.urlEncode(etag);
            res.header("Location", target);
            res.status(Status.SEE_OTHER_303).send();
            return;
        }
        switch (fields.getOrDefault("success_action_status", "204").strip()) {
            case "200" -> res.status(Status.OK_200).send();
            case "201" -> {
                res.status(Status.CREATED_201);
                res.header("Content-Type", "application/xml");
                res.send(XmlWriter.create().bareRoot("PostResponse").element("Location", location)
                        .element("Bucket", bucket.value()).element("Key", key.value()).element("ETag", etag).end().toBytes());
            }
            default -> res.status(Status.NO_CONTENT_204).send();
        }
    }

}
