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

    /**
     * Up to {@code limit} change log entries after {@code afterSequence} that the view holds, in
     * order: the mutations the view holds beyond a cut at {@code afterSequence}. A mutation and its
     * entry are written in one batch, so the view holds the entry exactly when it holds the
     * mutation, whether or not the entry was visible to a live reader when the checkpoint was
     * taken. A snapshot export uses it to learn that a bucket is unchanged since its parent
     * snapshot without listing it.
     *
     * @throws ChangeFeedException TRIMMED if entries after {@code afterSequence} were trimmed before
     *         the view was taken (or the view keeps no change log)
     */
    default ChangePage changes(long afterSequence, int limit) {
        throw new ChangeFeedException(ChangeFeedException.Reason.TRIMMED, "this view keeps no change log", 0);
    }

    /** Releases the checkpoint's files and native memory (the directory stays). Idempotent. */
    @Override
    void close();
}
