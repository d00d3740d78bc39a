package io.strata.namespace;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A read-only view of a namespace as of one point in time: a checkpoint written by
 * {@link Namespace#checkpoint} and opened with {@link Namespace#openCheckpoint}. It shows the buckets,
 * their configuration documents and every version and delete marker exactly as they were when the
 * checkpoint was taken, across all buckets at once (one cut), whatever the live namespace does
 * afterwards, restarts included: the checkpoint is a directory of its own.
 *
 * <p>Thread-safe. The opener closes it; closing leaves the directory in place (the caller deletes
 * it when done). Methods throw {@link NamespaceException} UNAVAILABLE once closed or when the
 * checkpoint's files are unreadable, and BUCKET_NOT_FOUND where noted.
 */
public interface NamespaceView extends AutoCloseable {

    /**
     * The change log sequence the view includes: every change up to and including it is in the
     * view (later ones may be too: those committing while the checkpoint was taken). 0 when nothing
     * had been logged.
     */
    long sequence();

    /** When the checkpoint was taken (the namespace's clock). */
    Instant takenAt();

    /** All buckets in name order. */
    List<Bucket> buckets();

    Optional<Bucket> bucket(BucketName name);

    /** Every configuration document of the bucket by kind. @throws NamespaceException BUCKET_NOT_FOUND */
    SortedMap<String, byte[]> bucketConfigs(BucketName bucket);

    /** One page of ListObjectVersions, as {@link Namespace#listVersions}. @throws NamespaceException BUCKET_NOT_FOUND */
    VersionPage listVersions(BucketName bucket, VersionQuery query);

    /** Releases the checkpoint's files and native memory (the directory stays). Idempotent. */
    @Override
    void close();
}
