package io.strata.namespace;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The single source of truth for buckets, objects, multipart uploads and where each object's data
 * lives. Every mutation is one atomic, synced write: when a method returns, the change survives a
 * crash. Data references that a mutation makes unreachable (an overwritten version, a replaced or
 * unused part, an aborted upload) go onto the durable garbage queue in the same write. Thread-safe.
 */
public interface Namespace extends AutoCloseable {

    /** Opens (creating if absent) the RocksDB namespace in {@code directory}. The caller closes it. */
    static Namespace open(Path directory) {
        return RocksDbNamespace.open(directory);
    }

    // --- buckets

    /** @throws NamespaceException BUCKET_EXISTS */
    void createBucket(Bucket bucket);

    Optional<Bucket> bucket(BucketName name);

    /** All buckets in name order. */
    List<Bucket> buckets();

    /** @throws NamespaceException BUCKET_NOT_FOUND, BUCKET_NOT_EMPTY (objects or uploads in progress) */
    void deleteBucket(BucketName name);

    // --- objects

    /** The current version of a key. @throws NamespaceException BUCKET_NOT_FOUND */
    Optional<ObjectVersion> object(BucketName bucket, ObjectKey key);

    /**
     * Makes {@code version} the current version of its key; the replaced version's segments go to
     * the garbage queue in the same write. @return the replaced version
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> putObject(ObjectVersion version);

    /**
     * Removes the key; its segments go to the garbage queue. Absent key: empty result, no error.
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> deleteObject(BucketName bucket, ObjectKey key);

    /**
     * One page of keys in UTF-8 binary order. Cost is proportional to the page, not the bucket:
     * runs of keys under one common prefix are skipped with a seek.
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    ListPage list(BucketName bucket, ListQuery query);

    // --- multipart uploads

    /** @throws NamespaceException BUCKET_NOT_FOUND */
    void createUpload(MultipartUpload upload);

    /** @throws NamespaceException BUCKET_NOT_FOUND */
    Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId);

    /**
     * Records a part (replacing one with the same number, whose segment goes to garbage).
     * If the upload no longer exists the part's own segment goes to garbage and UPLOAD_NOT_FOUND is thrown.
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     */
    void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part);

    /**
     * Parts with numbers greater than {@code afterPartNumber}, ascending, at most {@code max}.
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     */
    List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max);

    /**
     * Uploads in progress ordered by key, then initiation time (then upload id), after the markers
     * (S3 ListMultipartUploads semantics: with only keyMarker, uploads for keys strictly after it;
     * with both, also uploads of keyMarker with upload ids after uploadIdMarker).
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                       int max);

    /**
     * Atomically ends the upload and makes {@code version} (whose segments are the chosen parts'
     * segments) the current version. Parts of the upload not among {@code version}'s segments and
     * the replaced current version go to garbage.
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     */
    Optional<ObjectVersion> completeUpload(String uploadId, ObjectVersion version);

    /** Ends the upload; all its parts go to garbage. @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND */
    void abortUpload(BucketName bucket, ObjectKey key, String uploadId);

    // --- garbage queue

    /** Up to {@code max} queued garbage items, oldest first. */
    List<GarbageItem> garbage(int max);

    /** Removes items whose data has been freed. Idempotent. */
    void removeGarbage(List<GarbageItem> items);

    /**
     * Queues data references that were written but never committed (e.g. a failed upload whose
     * blob exists); used by the object service so nothing it wrote leaks.
     */
    void addGarbage(List<Segment> segments);

    @Override
    void close();
}
