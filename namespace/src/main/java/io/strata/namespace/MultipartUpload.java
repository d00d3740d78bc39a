package io.strata.namespace;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A multipart upload in progress, with what CreateMultipartUpload said the final object should carry.
 * Immutable (the maps are copied) and thread-safe.
 *
 * @param checksumAlgorithm the algorithm named at creation (e.g. "CRC32"), or "" for none
 */
public record MultipartUpload(BucketName bucket, ObjectKey key, String uploadId, Instant initiated, String owner,
                              String contentType, Map<String, String> headers, Map<String, String> userMetadata,
                              String checksumAlgorithm) {
    public MultipartUpload {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(initiated, "initiated");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(checksumAlgorithm, "checksumAlgorithm");
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
    }
}
