package io.strata.erasure;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a blob was written for, recorded in every shard header so a scanner of the drives can tell
 * what a shard file belongs to without the namespace: the bucket and key of an object, plus the
 * upload id and part number for a multipart part. An immutable value.
 *
 * <p>The version id is not part of it: the namespace assigns it only at commit, after the shards
 * are durable. To find the version that refers to a blob, look up {@code bucket/key} (or the
 * upload's parts) and compare {@link BlobLocation#id()}.
 *
 * @param bucket the bucket name, empty for {@link #UNKNOWN}
 * @param key the object key, empty for {@link #UNKNOWN}
 * @param uploadId the multipart upload id, empty unless the blob is a part
 * @param partNumber the part number (1..10000), 0 unless the blob is a part
 */
public record BlobOwner(String bucket, String key, String uploadId, int partNumber) {
    /** No recorded owner: blobs written without one, and shards of format version 1. */
    public static final BlobOwner UNKNOWN = new BlobOwner("", "", "", 0);

    static final int MAX_BUCKET_BYTES = 255;
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_UPLOAD_ID_BYTES = 1024;

    /**
     * @throws IllegalArgumentException when a field is longer than S3 allows (bucket 255, key
     *     1024, upload id 1024 bytes of UTF-8) or the part fields are inconsistent
     */
    public BlobOwner {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        check("bucket", bucket, MAX_BUCKET_BYTES);
        check("key", key, MAX_KEY_BYTES);
        check("uploadId", uploadId, MAX_UPLOAD_ID_BYTES);
        if (partNumber < 0 || partNumber > 10_000) throw new IllegalArgumentException("bad part number " + partNumber);
        if (uploadId.isEmpty() != (partNumber == 0)) {
            throw new IllegalArgumentException("a part needs both an upload id and a part number");
        }
    }

    /** The owner of an object's data (PUT, copy). */
    public static BlobOwner object(String bucket, String key) {
        return new BlobOwner(bucket, key, "", 0);
    }

    /** The owner of a multipart part's data (UploadPart, UploadPartCopy). */
    public static BlobOwner part(String bucket, String key, String uploadId, int partNumber) {
        return new BlobOwner(bucket, key, uploadId, partNumber);
    }

    /** Whether the blob is a multipart part. */
    public boolean isPart() {
        return partNumber > 0;
    }

    private static void check(String name, String value, int maxBytes) {
        if (value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new IllegalArgumentException(name + " longer than " + maxBytes + " bytes");
        }
    }
}
