package io.strata.namespace;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One version of an object, or a delete marker. Immutable (maps and lists are copied) and
 * thread-safe; the constructor throws {@link IllegalArgumentException} when sizes are negative, the
 * segments do not add up to {@code size}, a delete marker carries data, or the headers hold one of the
 * attributes' pseudo-headers.
 *
 * <p>Version ids are {@value #NULL_VERSION} (the version written while the bucket was unversioned
 * or suspended) or 32 lower-case hex digits assigned by the namespace when the version is committed
 * in a versioning-enabled bucket: unique, URL-safe, and within one key a newer version's id sorts
 * before an older one's.
 *
 * @param versionId    {@value #NULL_VERSION} or an id assigned by the namespace
 * @param etag         unquoted ETag: hex MD5 for single-part objects, {@code md5-of-md5s-N} for multipart
 * @param contentType  Content-Type given on upload (never null; default binary/octet-stream)
 * @param headers      other stored HTTP headers, lower-case names: content-encoding, content-disposition,
 *                     content-language, cache-control, expires; never the pseudo-headers older records
 *                     hid the attributes in ({@link ObjectAttributes#isPseudoHeader})
 * @param userMetadata x-amz-meta-* values, keys lower-case without the prefix
 * @param checksums    flexible checksums of the whole object, keyed by algorithm name (e.g. "CRC32"),
 *                     base64 values as S3 returns them
 * @param partCount    number of parts for a multipart object, 0 for a single PUT
 * @param segments     where the data lives; their sizes add up to {@code size}
 * @param partChecksums for a multipart object completed with a checksum algorithm, each part's
 *                     checksums in part order (GET with partNumber returns them); otherwise empty
 * @param attributes   tags, canned ACL and checksum type ({@link ObjectAttributes#NONE} for a delete marker)
 */
public record ObjectVersion(BucketName bucket, ObjectKey key, String versionId, long size, String etag,
                            Instant lastModified, String contentType, Map<String, String> headers,
                            Map<String, String> userMetadata, Map<String, String> checksums, int partCount,
                            List<Segment> segments, boolean deleteMarker, List<Map<String, String>> partChecksums,
                            ObjectAttributes attributes) {
    public static final String NULL_VERSION = "null";

    public ObjectVersion {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(contentType, "contentType");
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        if (partCount < 0) throw new IllegalArgumentException("partCount < 0: " + partCount);
        Objects.requireNonNull(attributes, "attributes");
        headers = Map.copyOf(headers);
        for (String h : headers.keySet()) {
            // The attributes have fields of their own; a pseudo-header beside them would be a second truth.
            if (ObjectAttributes.isPseudoHeader(h)) throw new IllegalArgumentException("stored header " + h + " is an attribute");
        }
        userMetadata = Map.copyOf(userMetadata);
        checksums = Map.copyOf(checksums);
        segments = List.copyOf(segments);
        partChecksums = partChecksums.stream().<Map<String, String>>map(Map::copyOf).toList();
        if (!partChecksums.isEmpty() && partChecksums.size() != partCount) {
            throw new IllegalArgumentException(partChecksums.size() + " part checksums for " + partCount + " parts");
        }
        long total = 0;
        for (Segment s : segments) total += s.size();
        if (total != size) throw new IllegalArgumentException("segments hold " + total + " bytes, size is " + size);
        if (deleteMarker && size != 0) throw new IllegalArgumentException("a delete marker holds no data");
    }

    /** A version without attributes (no tags, private, FULL_OBJECT). */
    public ObjectVersion(BucketName bucket, ObjectKey key, String versionId, long size, String etag,
                         Instant lastModified, String contentType, Map<String, String> headers,
                         Map<String, String> userMetadata, Map<String, String> checksums, int partCount,
                         List<Segment> segments, boolean deleteMarker, List<Map<String, String>> partChecksums) {
        this(bucket, key, versionId, size, etag, lastModified, contentType, headers, userMetadata, checksums,
                partCount, segments, deleteMarker, partChecksums, ObjectAttributes.NONE);
    }

    /** A version without per-part checksums. */
    public ObjectVersion(BucketName bucket, ObjectKey key, String versionId, long size, String etag,
                         Instant lastModified, String contentType, Map<String, String> headers,
                         Map<String, String> userMetadata, Map<String, String> checksums, int partCount,
                         List<Segment> segments, boolean deleteMarker) {
        this(bucket, key, versionId, size, etag, lastModified, contentType, headers, userMetadata, checksums,
                partCount, segments, deleteMarker, List.of());
    }

    /** An object version (not a delete marker). */
    public ObjectVersion(BucketName bucket, ObjectKey key, String versionId, long size, String etag,
                         Instant lastModified, String contentType, Map<String, String> headers,
                         Map<String, String> userMetadata, Map<String, String> checksums, int partCount,
                         List<Segment> segments) {
        this(bucket, key, versionId, size, etag, lastModified, contentType, headers, userMetadata, checksums,
                partCount, segments, false);
    }

    /** A delete marker: no data, no metadata, only a key, a version id and a time. */
    public static ObjectVersion deleteMarker(BucketName bucket, ObjectKey key, String versionId, Instant lastModified) {
        return new ObjectVersion(bucket, key, versionId, 0, "", lastModified, "", Map.of(), Map.of(), Map.of(), 0,
                List.of(), true);
    }

    /** This version under another id. */
    public ObjectVersion withVersionId(String id) {
        return new ObjectVersion(bucket, key, id, size, etag, lastModified, contentType, headers, userMetadata,
                checksums, partCount, segments, deleteMarker, partChecksums, attributes);
    }

    /** This version with other stored headers (metadata only: see {@link Namespace#replaceVersion}). */
    public ObjectVersion withHeaders(Map<String, String> newHeaders) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, contentType, newHeaders,
                userMetadata, checksums, partCount, segments, deleteMarker, partChecksums, attributes);
    }

    /** This version with other attributes (metadata only: see {@link Namespace#replaceVersion}). */
    public ObjectVersion withAttributes(ObjectAttributes newAttributes) {
        return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, contentType, headers,
                userMetadata, checksums, partCount, segments, deleteMarker, partChecksums, newAttributes);
    }

    /** This version with another tag set (empty: none), as PutObjectTagging and DeleteObjectTagging write it. */
    public ObjectVersion withTags(Map<String, String> tags) {
        return withAttributes(attributes.withTags(tags));
    }

    /** The tag set, in the order the client gave it. */
    public Map<String, String> tags() {
        return attributes.tags();
    }

    /** The canned ACL given on upload ({@value ObjectAttributes#PRIVATE} when none was). */
    public String cannedAcl() {
        return attributes.cannedAcl();
    }

    /** How the checksum was made. */
    public ChecksumType checksumType() {
        return attributes.checksumType();
    }

    /**
     * Whether {@code id} has the form of a version id ({@value #NULL_VERSION} or one the namespace
     * assigns), whether or not such a version exists. S3 answers a malformed one with InvalidArgument.
     */
    public static boolean isWellFormedVersionId(String id) {
        return id != null && (id.equals(NULL_VERSION) || VersionIds.isAssigned(id));
    }
}
