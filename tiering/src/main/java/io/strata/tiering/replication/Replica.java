package io.strata.tiering.replication;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A source version as a replication target receives it: everything sent but its bytes. Immutable and
 * thread-safe.
 *
 * @param key             the object key, the same at the target
 * @param sourceVersionId the source's version id, sent as user metadata {@value #SOURCE_VERSION_ID} (a
 *                        generic S3 target assigns its own ids)
 * @param lastModified    the source's modification time, sent as user metadata {@value #SOURCE_MTIME}
 * @param size            bytes
 * @param etag            the source's unquoted ETag: hex MD5 for one PUT, {@code md5-N} for multipart; the
 *                        target's must equal it (same bytes, same part sizes)
 * @param contentType     Content-Type
 * @param headers         the other stored HTTP headers, lower-case (content-encoding, content-disposition,
 *                        content-language, cache-control, expires)
 * @param userMetadata    x-amz-meta-* values without the prefix
 * @param checksums       the whole object's flexible checksums by algorithm (e.g. CRC32), base64
 * @param tags            object tags
 * @param partSizes       each part's size for a multipart source (sent with the same part sizes, so the
 *                        target computes the same ETag); empty for a single PUT
 * @param partChecksums   per part, its checksums by algorithm (empty when the upload had none)
 * @param storageClass    the rule's destination storage class, if it names one
 */
public record Replica(String key, String sourceVersionId, Instant lastModified, long size, String etag,
                      String contentType, Map<String, String> headers, Map<String, String> userMetadata,
                      Map<String, String> checksums, Map<String, String> tags, List<Long> partSizes,
                      List<Map<String, String>> partChecksums, Optional<String> storageClass) {
    /** The user metadata key (without x-amz-meta-) carrying the source's version id. */
    public static final String SOURCE_VERSION_ID = "strata-source-version-id";
    /** The user metadata key (without x-amz-meta-) carrying the source's modification time (ISO-8601). */
    public static final String SOURCE_MTIME = "strata-source-mtime";

    public Replica {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sourceVersionId, "sourceVersionId");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(storageClass, "storageClass");
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
        checksums = Map.copyOf(checksums);
        tags = Map.copyOf(tags);
        partSizes = List.copyOf(partSizes);
        partChecksums = partChecksums.stream().map(Map::copyOf).toList();
        long sum = partSizes.stream().mapToLong(Long::longValue).sum();
        if (size < 0 || (!partSizes.isEmpty() && sum != size)) {
            throw new IllegalArgumentException("size " + size + " does not match the parts' " + sum);
        }
    }
}
