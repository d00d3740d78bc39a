package io.strata.namespace;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a completed multipart upload became, kept for {@link Namespace#COMPLETED_UPLOAD_RETENTION}
 * after the completion so that a retried CompleteMultipartUpload (its first response lost) is
 * answered as the first was: AWS answers a repeated Complete of a finished upload with 200 and the
 * same result. Written in the same commit as the completion. Immutable.
 *
 * @param completedAt when the upload was completed
 * @param versionId   the version id the completion committed ({@code null} in unversioned buckets)
 * @param etag        the object's ETag, unquoted
 * @param checksums   the object's checksums by algorithm name, as the completion answered them
 * @param requestDigest the caller's digest of the completion request (its part list): a retry must
 *                      repeat that request to get the same answer
 */
public record CompletedUpload(BucketName bucket, ObjectKey key, String uploadId, Instant completedAt, String versionId,
                              String etag, Map<String, String> checksums, ChecksumType checksumType,
                              String requestDigest) {
    public CompletedUpload {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(completedAt, "completedAt");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(checksumType, "checksumType");
        Objects.requireNonNull(requestDigest, "requestDigest");
        checksums = Map.copyOf(checksums);
    }

    /** The record of {@code upload} having become {@code committed}. */
    static CompletedUpload of(String uploadId, ObjectVersion committed, Instant at, String requestDigest) {
        return new CompletedUpload(committed.bucket(), committed.key(), uploadId, at, committed.versionId(),
                committed.etag(), committed.checksums(), committed.checksumType(), requestDigest);
    }
}
