package io.strata.tiering;

import java.util.Map;
import java.util.Objects;

/**
 * The user-visible metadata a version carries into a cold tier and back: its content type and the
 * {@code x-amz-meta-*} pairs (names without the prefix, lower-case as S3 returns them).
 *
 * @param contentType the MIME type, non-empty
 * @param userMetadata user metadata; copied
 * @param record       what the cloud object cannot hold natively, kept losslessly in the sidecar
 *                     (Strata's version id, original ETag and checksums, tags, modification time,
 *                     stored headers, part sizes; see {@link ColdRecord}); copied
 */
public record ColdMetadata(String contentType, Map<String, String> userMetadata, Map<String, String> record) {

    /** Default content type of S3 objects stored without one. */
    public static final String DEFAULT_CONTENT_TYPE = "binary/octet-stream";

    /** Validates and copies. */
    public ColdMetadata {
        Objects.requireNonNull(contentType, "contentType");
        if (contentType.isEmpty()) throw new IllegalArgumentException("empty content type");
        userMetadata = Map.copyOf(userMetadata);
        record = Map.copyOf(record);
    }

    /** Metadata without a Strata record. */
    public ColdMetadata(String contentType, Map<String, String> userMetadata) {
        this(contentType, userMetadata, Map.of());
    }

    /** Metadata with the default content type and no user metadata. */
    public static ColdMetadata empty() {
        return new ColdMetadata(DEFAULT_CONTENT_TYPE, Map.of());
    }
}
