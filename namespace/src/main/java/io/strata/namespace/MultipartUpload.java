package io.strata.namespace;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A multipart upload in progress, with what CreateMultipartUpload said the final object should carry.
 * Immutable (the maps are copied) and thread-safe.
 *
 * @param headers    stored HTTP headers for the object, never the pseudo-headers older records hid the
 *                   attributes in ({@link ObjectAttributes#isPseudoHeader})
 * @param checksumAlgorithm the algorithm named at creation (e.g. "CRC32"), or "" for none
 * @param attributes tags, canned ACL and checksum type the completed object will carry
 */
public record MultipartUpload(BucketName bucket, ObjectKey key, String uploadId, Instant initiated, String owner,
                              String contentType, Map<String, String> headers, Map<String, String> userMetadata,
                              String checksumAlgorithm, ObjectAttributes attributes) {
    public MultipartUpload {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(initiated, "initiated");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(checksumAlgorithm, "checksumAlgorithm");
        Objects.requireNonNull(attributes, "attributes");
        headers = Map.copyOf(headers);
        for (String h : headers.keySet()) {
            if (ObjectAttributes.isPseudoHeader(h)) throw new IllegalArgumentException("stored header " + h + " is an attribute");
        }
        userMetadata = Map.copyOf(userMetadata);
    }

    /** An upload without attributes (no tags, private, FULL_OBJECT). */
    public MultipartUpload(BucketName bucket, ObjectKey key, String uploadId, Instant initiated, String owner,
                           String contentType, Map<String, String> headers, Map<String, String> userMetadata,
                           String checksumAlgorithm) {
        this(bucket, key, uploadId, initiated, owner, contentType, headers, userMetadata, checksumAlgorithm,
                ObjectAttributes.NONE);
    }

    /** How the completed object's checksum is made. */
    public ChecksumType checksumType() {
        return attributes.checksumType();
    }
}
