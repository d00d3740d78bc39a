package io.strata.namespace;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the namespace's change log ({@link ChangeFeed}): a committed mutation, written in the
 * same RocksDB write batch as the mutation itself, so an entry exists exactly when its mutation
 * does. Immutable and thread-safe.
 *
 * <p>What is logged, and why (a replication worker copies objects and bucket settings to another
 * site; a snapshot export needs what changed since its last cut):
 * <ul>
 *   <li>{@link Kind#VERSION_PUT}: a version committed by PutObject, CopyObject, a POST upload or
 *       CompleteMultipartUpload. In an unversioned or suspended bucket its id is {@code null} and it
 *       replaces the key's previous {@code null} version, which gets no entry of its own.</li>
 *   <li>{@link Kind#DELETE_MARKER_PUT}: a DELETE without version id in a versioned (enabled or
 *       suspended) bucket; a {@code null} marker replaces the {@code null} version likewise.</li>
 *   <li>{@link Kind#VERSION_DELETED}: a version or marker removed for good (a DELETE with version
 *       id, a DELETE in an unversioned bucket, lifecycle expiration); {@link #version()} is the
 *       removed entry.</li>
 *   <li>{@link Kind#VERSION_METADATA}: a version's record rewritten in place (object tags, object
 *       ACL); {@link #version()} is the new record's identity (same id, time and ETag).</li>
 *   <li>{@link Kind#VERSION_RELOCATED}: a version's data moved between tiers (same bytes, same
 *       ETag). Replication can ignore it; a snapshot that refers to data where it lies needs it.</li>
 *   <li>{@link Kind#BUCKET_CREATED}, {@link Kind#BUCKET_DELETED} (its configuration documents and
 *       uploads in progress go with it: no entries of their own), {@link Kind#BUCKET_VERSIONING}
 *       ({@link #detail()} is the new {@link BucketVersioning} name), {@link Kind#BUCKET_CONFIG_PUT}
 *       and {@link Kind#BUCKET_CONFIG_DELETED} ({@link #detail()} is the document kind, e.g.
 *       {@code policy}, {@code lifecycle}, {@code cors}; the consumer reads the document itself).</li>
 * </ul>
 * Multipart uploads in progress (create, parts, abort), the garbage queue and jobs are not logged:
 * they change nothing a client can read.
 *
 * @param sequence  position in the log: unique, increasing in commit order, never reused
 * @param committed when the mutation was committed (the namespace's clock); the age bound uses it
 * @param version   the version or marker concerned, for the version kinds; empty for bucket kinds
 * @param detail    the bucket kinds' detail (see above); for the version kinds, who made the change:
 *                  {@link #LIFECYCLE} for lifecycle expiration, "" for a client
 */
public record ChangeEntry(long sequence, Instant committed, Kind kind, BucketName bucket, Optional<VersionRef> version,
                          String detail) {

    /**
     * The detail of a version entry made by lifecycle expiration (a delete marker or a removal): S3 does
     * not replicate those, so a replication worker must tell them from a client's DELETE.
     */
    public static final String LIFECYCLE = "lifecycle";

    /** What changed. Stored by ordinal: only append new kinds. */
    public enum Kind {
        VERSION_PUT, DELETE_MARKER_PUT, VERSION_DELETED, VERSION_METADATA, VERSION_RELOCATED,
        BUCKET_CREATED, BUCKET_DELETED, BUCKET_VERSIONING, BUCKET_CONFIG_PUT, BUCKET_CONFIG_DELETED;

        /** Whether entries of this kind concern one version (and carry {@link ChangeEntry#version()}). */
        public boolean aboutVersion() {
            return ordinal() <= VERSION_RELOCATED.ordinal();
        }
    }

    /**
     * Enough of a version to act on the entry and to tell it from any other: the {@code null} version
     * keeps its id across overwrites, so its identity also needs the time and the ETag.
     */
    public record VersionRef(ObjectKey key, String versionId, boolean deleteMarker, Instant lastModified, String etag,
                             long size) {
        public VersionRef {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(versionId, "versionId");
            Objects.requireNonNull(lastModified, "lastModified");
            Objects.requireNonNull(etag, "etag");
            if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        }

        /** The identity of {@code v}. */
        public static VersionRef of(ObjectVersion v) {
            return new VersionRef(v.key(), v.versionId(), v.deleteMarker(), v.lastModified(), v.etag(), v.size());
        }
    }

    public ChangeEntry {
        if (sequence <= 0) throw new IllegalArgumentException("sequence <= 0: " + sequence);
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(detail, "detail");
        if (kind.aboutVersion() != version.isPresent()) {
            throw new IllegalArgumentException(kind + (version.isPresent() ? " names no version" : " needs a version"));
        }
    }
}
