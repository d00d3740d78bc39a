package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a range file: an object version or delete marker as the snapshot recorded it (see
 * docs/snapshot-format.md §4). Immutable.
 *
 * @param headers       stored headers, never the pseudo-headers of the attributes
 * @param partSizes     each part's size for a multipart object, empty for a single PUT
 * @param data          where the bytes are; empty for a delete marker
 * @param attributes    tags, canned ACL and checksum type ({@link ObjectAttributes#NONE} for a delete marker)
 */
public record SnapshotEntry(String key, String versionId, boolean deleteMarker, Instant lastModified, long size,
                            String etag, String contentType, Map<String, String> headers,
                            Map<String, String> userMetadata, Map<String, String> checksums, List<Long> partSizes,
                            List<Map<String, String>> partChecksums, Optional<Data> data,
                            ObjectAttributes attributes) {
    public SnapshotEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(contentType, "contentType");
        if (size < 0) throw new IllegalArgumentException("size < 0");
        Objects.requireNonNull(attributes, "attributes");
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
        checksums = Map.copyOf(checksums);
        partSizes = List.copyOf(partSizes);
        partChecksums = partChecksums.stream().<Map<String, String>>map(Map::copyOf).toList();
        Objects.requireNonNull(data, "data");
        if (deleteMarker == data.isPresent()) {
            throw new IllegalArgumentException(deleteMarker ? "a delete marker has no data" : "a version needs data");
        }
    }

    /** An entry without attributes (no tags, private, FULL_OBJECT): every delete marker. */
    public SnapshotEntry(String key, String versionId, boolean deleteMarker, Instant lastModified, long size,
                         String etag, String contentType, Map<String, String> headers,
                         Map<String, String> userMetadata, Map<String, String> checksums, List<Long> partSizes,
                         List<Map<String, String>> partChecksums, Optional<Data> data) {
        this(key, versionId, deleteMarker, lastModified, size, etag, contentType, headers, userMetadata, checksums,
                partSizes, partChecksums, data, ObjectAttributes.NONE);
    }

    /** The storage class of a version in the hot tier, as S3 names it. */
    public static final String STANDARD = "STANDARD";

    /** Where a version's bytes are: a data object in the repository, or an object in the source's cold tier. */
    public sealed interface Data {
        /** The data id (docs/snapshot-format.md §5). */
        String id();
    }

    /**
     * A data object at {@code path}, relative to the repository root.
     *
     * @param storageClass the storage class the version had at the source when the snapshot was
     *                     taken: a cold tier's class for a cold version copied by a self-contained
     *                     export, so that an attach or a restore reports it as the source did
     */
    public record InRepository(String id, String path, String storageClass) implements Data {
        public InRepository {
            Objects.requireNonNull(path, "path");
            if (storageClass == null || storageClass.isEmpty()) throw new IllegalArgumentException("empty storage class");
        }

        /** A version that was hot (STANDARD) at the source. */
        public InRepository(String id, String path) {
            this(id, path, STANDARD);
        }
    }

    /** An object {@code (bucket, key, version)} of the source's cold tier named {@code tier}: referenced, not copied. */
    public record InColdTier(String id, String tier, String bucket, String key, String version, String storageClass)
            implements Data {
    }
}
