package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.Tagging;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Put/Get/DeleteObjectTagging and Put/Get/DeleteBucketTagging. Object tags are rewritten in place
 * on the addressed version ({@link io.strata.namespace.Namespace#replaceVersion}): S3 creates no new
 * version for them. Thread-safe.
 */
final class TaggingHandlers {
    /** A rewrite loses its compare-and-set only to a concurrent write of the same version: a few tries suffice. */
    private static final int ATTEMPTS = 8;

    private final ObjectService service;

    TaggingHandlers(ObjectService service) {
        this.service = service;
    }

    void putObjectTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectKey key = r.key();
        Map<String, String> tags = Tagging.fromXml(Responses.readSmallBody(r), Tagging.MAX_OBJECT_TAGS);
        ObjectVersion v = rewrite(r, b, key, tags);
        ObjectHandlers.versionIdHeader(res, b, v);
        res.status(Status.OK_200).send();
    }

    void getObjectTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectVersion v = addressed(r, b.name(), r.key());
        ObjectHandlers.versionIdHeader(res, b, v);
        // A tag set has no order of its own; S3 answers GetObjectTagging sorted by key, whatever order
        // the tags were set in (x-amz-tagging "foo=bar&bar=" comes back bar, foo).
        Responses.xml(res, Tagging.xml(new java.util.TreeMap<>(v.tags())));
    }

    void deleteObjectTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectVersion v = rewrite(r, b, r.key(), Map.of());
        ObjectHandlers.versionIdHeader(res, b, v);
        res.status(Status.NO_CONTENT_204).send();
    }

    /** Replaces the addressed version's tags; re-reads and retries if the version changed meanwhile. */
    private ObjectVersion rewrite(S3Request r, Bucket b, ObjectKey key, Map<String, String> tags) {
        for (int i = 0; i < ATTEMPTS; i++) {
            ObjectVersion v = addressed(r, b.name(), key);
            if (v.tags().equals(tags)) return v;
            if (service.namespace().replaceVersion(v, v.withTags(tags))) return v;
        }
        throw new S3Exception(S3Error.SLOW_DOWN, "The object is being modified concurrently; retry the request.");
    }

    /** The version named by versionId, else the current one (NoSuchVersion / NoSuchKey; a delete marker has no tags). */
    private ObjectVersion addressed(S3Request r, BucketName bucket, ObjectKey key) {
        Optional<String> versionId = AddressedVersion.versionId(r);
        Optional<ObjectVersion> v = AddressedVersion.find(service, bucket, key, versionId);
        if (v.isPresent() && v.get().deleteMarker() && versionId.isPresent()) {
            // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html: a delete marker has no tag set.
            throw new S3Exception(S3Error.METHOD_NOT_ALLOWED).with("Method", r.method()).with("ResourceType", "DeleteMarker");
        }
        if (v.isEmpty() || v.get().deleteMarker()) {
            if (versionId.isPresent()) {
                throw new S3Exception(S3Error.NO_SUCH_VERSION).with("Key", key.value()).with("VersionId", versionId.get());
            }
            throw new S3Exception(S3Error.NO_SUCH_KEY, S3Error.NO_SUCH_KEY.message(), "/" + bucket + "/" + key.value())
                    .with("Key", key.value());
        }
        return v.get();
    }

    // ---- bucket tagging

    void putBucketTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        Map<String, String> tags = Tagging.fromXml(Responses.readSmallBody(r), Tagging.MAX_BUCKET_TAGS);
        service.namespace().putBucketConfig(b.name(), Tagging.BUCKET_CONFIG,
                Tagging.storedForm(tags).getBytes(StandardCharsets.UTF_8));
        res.status(Status.NO_CONTENT_204).send();
    }

    void getBucketTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        byte[] doc = service.namespace().bucketConfig(b.name(), Tagging.BUCKET_CONFIG)
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_TAG_SET).with("BucketName", b.name().value()));
        Responses.xml(res, Tagging.xml(Tagging.fromStoredForm(new String(doc, StandardCharsets.UTF_8))));
    }

    void deleteBucketTagging(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        service.namespace().deleteBucketConfig(b.name(), Tagging.BUCKET_CONFIG);
        res.status(Status.NO_CONTENT_204).send();
    }
}
