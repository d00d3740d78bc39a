package io.strata.namespace;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The single source of truth for buckets, objects, multipart uploads and where each object's data
 * lives. Every mutation is one atomic, synced write: when a method returns, the change survives a
 * crash; when it throws, nothing of it is visible. Data references that a mutation makes
 * unreachable (an overwritten version, a replaced or unused part, an aborted upload) go onto the
 * durable garbage queue in the same write, and every mutation a client can observe appends its
 * entry to the change log ({@link #changeFeed()}) in that write too.
 *
 * <p>Thread-safe: any number of threads (virtual threads included) may call concurrently;
 * read-modify-write operations on one key or upload are serialised internally. Reads take no locks
 * and see a consistent point in time.
 *
 * <p>Segments are owned by exactly one object version or part: callers never share a segment
 * between two keys or two parts, otherwise freeing one would destroy the other's data.
 *
 * <p>Every method may throw {@link NamespaceException} with reason {@code UNAVAILABLE} when the
 * store is closed, failed or holds unreadable data; the other reasons are listed per method.
 * Arguments that break the contract (null, negative maximums, segments that are not the upload's
 * parts) throw {@link IllegalArgumentException} or {@link NullPointerException} without changing
 * anything.
 */
public interface Namespace extends AutoCloseable {

    /**
     * Opens (creating if absent, parent directories included) the RocksDB namespace in
     * {@code directory}. The caller closes it. One process opens a directory at a time.
     *
     * @throws NamespaceException UNAVAILABLE if it cannot be opened or holds an unknown format
     */
    static Namespace open(Path directory) {
        return RocksDbNamespace.open(directory);
    }

    /**
     * As {@link #open(Path)}, with the change log's bounds.
     *
     * @throws NamespaceException UNAVAILABLE if it cannot be opened or holds an unknown format
     */
    static Namespace open(Path directory, ChangeLogLimits changeLogLimits) {
        return RocksDbNamespace.open(directory, RocksDbNamespace.Settings.DEFAULT, java.time.Clock.systemUTC(),
                changeLogLimits);
    }

    /**
     * As {@link #open(Path, ChangeLogLimits)}, for one site of several that replicate to each other:
     * {@code clock} times delete markers and change entries, and every version order written here
     * carries {@code siteNumber} (0..{@value #MAX_SITE_NUMBER}) in its low bits, so that the current
     * version of a key is the greatest (time, site) at every site (see {@link #importVersions}).
     *
     * @throws IllegalArgumentException if {@code siteNumber} is out of range
     * @throws NamespaceException UNAVAILABLE if it cannot be opened or holds an unknown format
     */
    static Namespace open(Path directory, ChangeLogLimits changeLogLimits, java.time.Clock clock, int siteNumber) {
        return RocksDbNamespace.open(directory, RocksDbNamespace.Settings.DEFAULT, clock, changeLogLimits, siteNumber);
    }

    /**
     * As {@link #open(Path, ChangeLogLimits, java.time.Clock, int)}, where a segment that a commit leaves
     * unreferenced (an overwrite, a delete, a replaced part) is queued as garbage only if
     * {@code needsFreeing} accepts it. The data plane says which segments hold bytes outside the
     * namespace (a blob, a cold copy); one whose bytes are inline in the record it belonged to is gone
     * with that record, and queueing it would only cost writes. Without it, every segment is queued.
     * The predicate must be thread-safe, fast and free of calls back into the namespace.
     *
     * @throws IllegalArgumentException if {@code siteNumber} is out of range
     * @throws NamespaceException UNAVAILABLE if it cannot be opened or holds an unknown format
     */
    static Namespace open(Path directory, ChangeLogLimits changeLogLimits, java.time.Clock clock, int siteNumber,
                          java.util.function.Predicate<Segment> needsFreeing) {
        return RocksDbNamespace.open(directory, RocksDbNamespace.Settings.DEFAULT, clock, changeLogLimits, siteNumber,
                needsFreeing);
    }

    /** The greatest {@code site.number}: version orders keep 10 bits for it. */
    int MAX_SITE_NUMBER = 1023;

    /**
     * Opens, read-only, a checkpoint written by {@link #checkpoint}. The caller closes the view. Any
     * number of views may be open at once, with or without the live namespace open.
     *
     * @throws NamespaceException UNAVAILABLE if {@code directory} holds no checkpoint of a known format
     */
    static NamespaceView openCheckpoint(Path directory) {
        return CheckpointView.open(directory);
    }

    /**
     * Takes a durable point-in-time copy of the whole namespace for a reader that needs the data as
     * of that point (a snapshot export): first the garbage mark {@code markName} is placed (as
     * {@link #markGarbage}; an open mark of that name is kept where it is), then a RocksDB
     * checkpoint is written into {@code directory}, which must not exist and should be on the
     * namespace's file system (files are hard-linked there, copied elsewhere). In that order, every
     * version in the checkpoint that dies later dies after the mark, so its data stays readable until
     * the caller releases the mark. The checkpoint survives restarts; open it with
     * {@link #openCheckpoint}, delete the directory and release the mark when done. Buckets are cut
     * together: a snapshot of several buckets is consistent across them. Multipart uploads in
     * progress are in the checkpoint but not in its view.
     *
     * @return the change log sequence the checkpoint includes (see {@link NamespaceView#sequence()})
     * @throws IllegalArgumentException if {@code directory} exists, or the mark name is malformed
     * @throws NamespaceException UNAVAILABLE if the checkpoint cannot be written (nothing is left
     *                            behind but the mark, which the caller releases)
     */
    long checkpoint(String markName, Path directory);

    /** The change log of every mutation, for replication and snapshots; see {@link ChangeFeed}. */
    ChangeFeed changeFeed();

    // --- buckets

    /** @throws NamespaceException BUCKET_EXISTS (whoever owns it: the caller compares owners) */
    void createBucket(Bucket bucket);

    Optional<Bucket> bucket(BucketName name);

    /** All buckets in name order. */
    List<Bucket> buckets();

    /**
     * Deletes an empty bucket: one holding no object version and no delete marker. Multipart uploads
     * still in progress do not keep it alive: they are removed with it and their parts' segments go
     * to the garbage queue in the same write.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, BUCKET_NOT_EMPTY (the bucket holds versions or markers)
     */
    void deleteBucket(BucketName name);

    /**
     * Sets the bucket's versioning state. Writes in flight finish under the old state; later ones
     * see the new one.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException for UNVERSIONED once the bucket has been versioned (S3 has no
     *                                  way back); setting UNVERSIONED on an unversioned bucket is a no-op
     */
    void setVersioning(BucketName bucket, BucketVersioning state);

    // --- bucket configuration documents

    /**
     * A configuration document of the bucket (bucket policy, ACL, ...), stored opaquely by kind
     * ({@code "policy"}, {@code "acl"}); the caller owns the format. Documents go with the bucket when
     * it is deleted.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<byte[]> bucketConfig(BucketName bucket, String kind);

    /**
     * Creates or replaces a configuration document, in one synced write.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException if {@code kind} is empty or contains NUL
     */
    void putBucketConfig(BucketName bucket, String kind, byte[] document);

    /**
     * Removes a configuration document. Idempotent.
     *
     * @return true if a document was removed
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    boolean deleteBucketConfig(BucketName bucket, String kind);

    // --- objects

    /**
     * The current version of a key; empty when the key has none or its newest entry is a delete
     * marker. @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> object(BucketName bucket, ObjectKey key);

    /**
     * The newest entry of a key, which may be a delete marker. @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key);

    /**
     * One version or delete marker of a key by id ({@link ObjectVersion#NULL_VERSION} included);
     * empty when there is none or {@code versionId} is not well-formed.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId);

    /**
     * Commits {@code version} (its {@code versionId} is ignored) as the newest version of its key,
     * by the bucket's versioning state at commit time: unversioned or suspended, it becomes the
     * {@code null} version and the previous {@code null} version is removed, its segments that
     * {@code version} does not reuse going to the garbage queue in the same write; enabled, it gets
     * a new id and every other version stays. If this throws, nothing was committed and the caller
     * queues {@code version}'s segments with {@link #addGarbage} if it wrote them.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    default PutResult putObject(ObjectVersion version) {
        return putObject(version, WriteCondition.NONE);
    }

    /**
     * {@link #putObject(ObjectVersion)} made on {@code condition}, checked against the key's current
     * version under the key's lock and committed in the same step (S3's conditional writes).
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, PRECONDITION_FAILED, KEY_NOT_FOUND (If-Match on a
     *                            key without a current version); nothing is committed
     */
    PutResult putObject(ObjectVersion version, WriteCondition condition);

    /**
     * Writes versions and delete markers <em>with their identity</em>: each keeps its version id,
     * modification time, ETag, segments and every other field as given, instead of getting a new id
     * as {@link #putObject} gives. For any copy of versions made elsewhere: a snapshot restore, and
     * the replicas of replication. Idempotent per version: an entry whose id the key holds already
     * is left as it is (whatever it holds), so a batch cut short by a crash can be written again.
     * Order is the source's: an assigned id encodes its version's place among the key's versions
     * (ListObjectVersions order); a {@code null} version stands by its modification time. The key's
     * current object becomes the newest entry, whichever was written first. Nothing goes to garbage
     * and the bucket's versioning state does not matter. One synced write for the whole list; the
     * bucket is held exclusively meanwhile, so callers keep lists to a page (about a thousand); a list
     * of one key's entries (a replica) holds only that key's lock, as a PUT does.
     *
     * @return how many entries were written (the others were there already)
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException if a version belongs to another bucket, has an id that is
     *                                  neither {@code null} nor an assigned id, or has the order of a
     *                                  different stored version of its key (between replicating sites:
     *                                  two of them share a {@code site.number}; the message says so)
     */
    int importVersions(BucketName bucket, List<ObjectVersion> versions);

    /**
     * Rewrites one existing version's record in place, without creating a version (S3's
     * PutObjectTagging and DeleteObjectTagging change a version's metadata, not its data): a
     * compare-and-set on the version id and the whole record. The stored version with
     * {@code expected.versionId()} is replaced by {@code replacement} only if it still equals
     * {@code expected} (so an overwritten {@code null} version or a concurrent rewrite is not
     * clobbered); the current-object row follows when that version is current. One synced write;
     * no data goes to garbage.
     *
     * @return false (nothing written) if no such version exists any more or it has changed; the
     *         caller reads it again and retries, or reports NoSuchVersion/NoSuchKey
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException if {@code replacement} differs from {@code expected} in
     *                                  bucket, key, version id, size, ETag, segments or delete-marker
     *                                  flag (only metadata may change), or {@code expected} is a delete marker
     */
    boolean replaceVersion(ObjectVersion expected, ObjectVersion replacement);

    /**
     * Sets one version's replication status ({@code x-amz-replication-status}), a compare-and-set as
     * {@link #replaceVersion} (on the whole record, so a concurrent tag change is not clobbered), but
     * logging no change entry: the status is the replication worker's bookkeeping, not a change of the
     * object, and an entry would come back to the worker as a metadata change to replicate, forever.
     *
     * @return false (nothing written) if the version is gone or has changed; the caller reads it again
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException if {@code expected} is a delete marker (markers have no status)
     */
    boolean setReplicationStatus(ObjectVersion expected, ReplicationStatus status);

    /**
     * As {@link #setReplicationStatus}, also setting the replication targets still waiting for the version
     * ({@link ObjectAttributes#replicationWaiting}): with several destinations, the status aggregates theirs.
     */
    boolean setReplication(ObjectVersion expected, ReplicationStatus status, java.util.Collection<String> waiting);

    /**
     * S3's DELETE without a version id. Unversioned: removes the key's {@code null} version (absent
     * key: nothing happens, no error). Enabled: adds a delete marker with a new id. Suspended:
     * removes the {@code null} version and adds a {@code null} delete marker. Removed data goes to
     * the garbage queue in the same write.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    default DeleteResult deleteObject(BucketName bucket, ObjectKey key) {
        return deleteObject(bucket, key, WriteCondition.NONE);
    }

    /**
     * {@link #deleteObject(BucketName, ObjectKey)} made on {@code condition} (S3's conditional
     * deletes: If-Match, DeleteObjects' ETag), checked and performed under the key's lock in one step.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, PRECONDITION_FAILED, KEY_NOT_FOUND; nothing is written
     */
    DeleteResult deleteObject(BucketName bucket, ObjectKey key, WriteCondition condition);

    /**
     * Removes one version or delete marker for good (S3's DELETE with a version id); its segments
     * go to the garbage queue. If it was the newest, the next newest entry becomes current. Absent
     * or malformed id: empty result, no error.
     *
     * @return the removed version or marker
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> deleteVersion(BucketName bucket, ObjectKey key, String versionId);

    /**
     * Where a version must stand among its key's entries for {@link #deleteVersionIf} to remove it.
     */
    enum Standing {
        /** Anywhere (S3's DELETE with a version id, made conditional on the record only). */
        ANY,
        /** Not the key's newest entry (NoncurrentVersionExpiration must never remove what became current). */
        NONCURRENT,
        /** The key's only entry (an expired object delete marker: nothing is behind it). */
        ONLY_ENTRY
    }

    /**
     * Compare-and-delete of the current entry: {@link #deleteObject} (by the bucket's versioning
     * state at commit time), performed only if the key's newest entry still equals {@code expected}
     * record for record (version id, time, ETag, metadata, tags, segments). The check and the delete
     * happen under the key's lock in one synced write, so a write that lands after the caller read
     * {@code expected} (an overwrite of the {@code null} version, a tag change, a transition) makes
     * this a no-op instead of deleting the acknowledged write. Lifecycle expiration uses it.
     *
     * @return empty (nothing written) if the newest entry is no longer {@code expected}; otherwise
     *         what the delete did
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<DeleteResult> deleteObjectIf(ObjectVersion expected);

    /**
     * Compare-and-delete of one version or delete marker: {@link #deleteVersion} performed only if
     * the stored entry with {@code expected.versionId()} still equals {@code expected} and stands
     * where {@code standing} requires, checked and removed under the key's lock in one synced write.
     *
     * @return the removed entry, or empty (nothing written) if it is gone, changed or stands elsewhere
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<ObjectVersion> deleteVersionIf(ObjectVersion expected, Standing standing);

    /**
     * One page of ListObjectVersions: every version and delete marker, keys in UTF-8 binary order
     * and newest first within a key, with prefix, delimiter and common prefixes as in {@link #list}
     * (a common prefix is listed only if it sorts after the key marker). Key marker alone: entries
     * of keys strictly after it. With a version-id marker: the versions of the key marker older than
     * that version, then the following keys; if the marker's {@code null} version no longer exists,
     * the key marker's versions are listed from its newest. Versions, markers and common prefixes
     * count together toward {@code maxKeys}; maxKeys 0 gives an empty page that is not truncated.
     * Cost is proportional to the page (one seek per common prefix and one to start), not to the
     * bucket.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    VersionPage listVersions(BucketName bucket, VersionQuery query);

    /**
     * One page of keys in UTF-8 binary order, by S3's rules. With a delimiter, a key containing it
     * after the prefix is rolled up into the common prefix ending at its first such occurrence, and
     * each common prefix is listed once. Keys and common prefixes are listed only if they sort
     * strictly after {@link ListQuery#after()} (so a common prefix at or before the marker is
     * skipped: continuing from a {@link ListPage#nextAfter()} that is a common prefix does not repeat
     * it); together they count toward {@code maxKeys}. {@code maxKeys} 0 gives an empty page that is
     * not truncated. Cost is proportional to the page, not the bucket: the keys under a common prefix
     * are skipped with one seek.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    ListPage list(BucketName bucket, ListQuery query);

    // --- multipart uploads

    /**
     * Records a new upload. Upload ids are unique per bucket (the caller generates them).
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalStateException if the upload id is already in use for this key
     */
    void createUpload(MultipartUpload upload);

    /** @throws NamespaceException BUCKET_NOT_FOUND */
    Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId);

    /**
     * Records a part (replacing one with the same number, whose segment goes to garbage unless it
     * is the same segment, as when a part is retried). If the upload no longer exists (aborted,
     * completed, or its bucket deleted) the part's own segment goes to garbage and the call throws:
     * the caller must not queue it again.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     */
    void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part);

    /**
     * Parts with numbers greater than {@code afterPartNumber}, ascending, at most {@code max}.
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     */
    List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max);

    /**
     * Uploads in progress ordered by key (UTF-8 binary order), then initiation time, then upload id,
     * at most {@code max} uploads plus common prefixes (delimiter and prefix as in {@link #list}).
     * Markers follow S3 ListMultipartUploads: with only {@code keyMarker}, uploads of keys strictly
     * after it; with both, also the uploads of {@code keyMarker} after the upload
     * {@code uploadIdMarker} in this order (if that upload no longer exists: those whose id is
     * lexicographically greater, S3's documented rule). When truncated, {@code nextKeyMarker} and
     * {@code nextUploadIdMarker} are the last upload listed ({@code nextUploadIdMarker} "" when the
     * page ends with a common prefix); passing them back continues with no gap or repeat.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                       int max);

    /**
     * Atomically ends the upload and commits {@code version} (whose segments must be segments of the
     * upload's current parts) as {@link #putObject} does. Parts of the upload not among
     * {@code version}'s segments and a replaced {@code null} version go to garbage.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND
     * @throws IllegalArgumentException if a segment of {@code version} is not one of the upload's
     *                                  parts (e.g. the part was replaced meanwhile); nothing changes
     */
    default PutResult completeUpload(String uploadId, ObjectVersion version) {
        return completeUpload(uploadId, version, WriteCondition.NONE, "");
    }

    /**
     * How long a completed upload's {@link CompletedUpload} record is kept: a day. A client retries
     * a Complete whose response it lost within seconds (SDK retries) or, after a crash or restart of
     * the pipeline, within hours; each record is about 150 bytes and the records of one day of
     * completions are a small fraction of the versions they made. Expired records are removed by
     * later completions.
     */
    java.time.Duration COMPLETED_UPLOAD_RETENTION = java.time.Duration.ofHours(24);

    /**
     * {@link #completeUpload(String, ObjectVersion)} made on {@code condition} (checked against the
     * key's current version under the key's lock, in the same step; a failed condition leaves the
     * upload in progress), recording the completion as a {@link CompletedUpload} with
     * {@code requestDigest} in the same write, kept for {@link #COMPLETED_UPLOAD_RETENTION}.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND, PRECONDITION_FAILED, KEY_NOT_FOUND
     * @throws IllegalArgumentException as {@link #completeUpload(String, ObjectVersion)}
     */
    PutResult completeUpload(String uploadId, ObjectVersion version, WriteCondition condition, String requestDigest);

    /**
     * The record of an upload completed within the last {@link #COMPLETED_UPLOAD_RETENTION}, for
     * answering a repeated CompleteMultipartUpload; empty for an upload still in progress, aborted,
     * never made, completed longer ago, or whose bucket was deleted since.
     *
     * @throws NamespaceException BUCKET_NOT_FOUND
     */
    Optional<CompletedUpload> completedUpload(BucketName bucket, ObjectKey key, String uploadId);

    /** Ends the upload; all its parts go to garbage. @throws NamespaceException BUCKET_NOT_FOUND, UPLOAD_NOT_FOUND */
    void abortUpload(BucketName bucket, ObjectKey key, String uploadId);

    // --- garbage queue

    /**
     * Up to {@code max} queued garbage items that may be freed now, oldest first (ascending id):
     * items queued after the oldest open {@link #markGarbage mark} was taken are withheld until it
     * is released. Items stay queued until {@link #removeGarbage}; ids are never reused, also across
     * restarts.
     */
    List<GarbageItem> garbage(int max);

    /**
     * Takes a durable, named mark on the garbage queue: from now until {@link #releaseGarbageMark},
     * data whose record dies (an overwritten or deleted version, a replaced part) stays queued and
     * is not handed out by {@link #garbage}, even across restarts. A consumer that must read the
     * namespace's data as of a point in time (a snapshot export, a replication worker behind its
     * change log cursor) takes the mark first, then reads the state or registers its cursor; every
     * version it can then see keeps its data until it releases the mark. Data that died before the
     * mark may already be freed. One synced write. Idempotent: an open mark of that name is returned
     * unchanged (it does not move).
     *
     * <p>A mark left open holds every later death's data: the queue, and the drives, only grow.
     * {@link #garbageMarks} lists them with the time each was taken.
     *
     * @throws IllegalArgumentException if the name is empty, longer than {@value GarbageMark#MAX_NAME}
     *                                  characters or contains NUL
     */
    GarbageMark markGarbage(String name);

    /** The open mark of that name, if any. @throws IllegalArgumentException for a malformed name */
    Optional<GarbageMark> garbageMark(String name);

    /** Every open mark, by name. */
    List<GarbageMark> garbageMarks();

    /**
     * Releases a mark, in one synced write; the data it held is handed out once no older mark holds
     * it. Idempotent. @return whether the mark was open
     * @throws IllegalArgumentException for a malformed name
     */
    boolean releaseGarbageMark(String name);

    /** Removes items whose data has been freed. Idempotent. */
    void removeGarbage(List<GarbageItem> items);

    /**
     * Queues data references that were written but never committed (e.g. a failed upload whose
     * blob exists); used by the object service so nothing it wrote leaks.
     */
    void addGarbage(List<Segment> segments);

    // --- typed durable work queues

    /**
     * Queues work that must outlive a crash (an intent: "a copy of this version into that cold tier
     * is under way"), on the queue of {@code kind}, due at {@code notBefore}; one synced write. The
     * payload is opaque to the namespace. Items stay queued until {@link #removeWork} (or a
     * {@link #relocateVersion} that finishes them); a crash leaves them for the owner to recover.
     *
     * @return the item; its id is unique across all kinds and never reused, also across restarts
     * @throws IllegalArgumentException if {@code kind} is not 1 to {@value WorkItem#MAX_KIND}
     *                                  characters of {@code a-z 0-9 . -}
     */
    WorkItem addWork(String kind, byte[] payload, java.time.Instant notBefore);

    /** Up to {@code max} items of {@code kind}, due or not, in due order (then id order). */
    List<WorkItem> work(String kind, int max);

    /**
     * How many items of {@code kind} are queued, due or not, counted up to {@code max}: a backlog measured
     * without reading the items into memory. The default reads them; stores override it.
     */
    default long countWork(String kind, long max) {
        return work(kind, (int) Math.min(max, Integer.MAX_VALUE)).size();
    }

    /** Up to {@code max} items of {@code kind} due at {@code now} or earlier, in due order (then id order). */
    List<WorkItem> dueWork(String kind, java.time.Instant now, int max);

    /**
     * Visits every item of {@code kind}, due or not, in due order (then id order), until the visitor
     * returns false. Memory is one item, however long the queue: an owner recounts a backlog of
     * millions at start without holding it.
     */
    void visitWork(String kind, java.util.function.Predicate<WorkItem> visitor);

    /**
     * Up to {@code max} items of {@code kind} whose id is above {@code afterId}, due or not, in id order (the
     * order they were added): pages of a queue whose owner must keep that order whatever the items' due
     * times, e.g. a key's replication operations. Start with {@code afterId} 0, then the last id returned.
     */
    List<WorkItem> workAfter(String kind, long afterId, int max);

    /**
     * Records a failed attempt: a compare-and-set on the whole item, which becomes due again at
     * {@code notBefore} with one more attempt and {@code error} (cut to {@value WorkItem#MAX_ERROR}
     * characters) as its last error. One synced write.
     *
     * @return the item as stored, or empty (nothing written) if it is gone or changed since it was read
     */
    Optional<WorkItem> retryWork(WorkItem item, java.time.Instant notBefore, String error);

    /**
     * As {@link #retryWork(WorkItem, java.time.Instant, String)}, and the item's payload becomes
     * {@code payload} in the same write: an owner keeps its own bounded record of the attempts in the
     * item, so the record goes when the item does.
     */
    Optional<WorkItem> retryWork(WorkItem item, java.time.Instant notBefore, String error, byte[] payload);

    /** Removes a work item, done or abandoned. Idempotent. @return whether it existed */
    boolean removeWork(long id);

    // --- durable bulk jobs

    /**
     * Records a new bulk job, RUNNING at the start of the walk with zero counters; one synced write.
     * A runner ({@link BulkJobRunner}) then walks it page by page, recording each page with
     * {@link #recordBulkProgress}.
     *
     * @param total the versions expected, for progress (-1 when unknown)
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException for a malformed action, or a prefix longer than a key
     */
    BulkJob createBulkJob(String action, BucketName bucket, String prefix, byte[] parameters, long total);

    Optional<BulkJob> bulkJob(long id);

    /** Every bulk job, running and ended, in id order. */
    List<BulkJob> bulkJobs();

    /**
     * Records one page of a running job: a compare-and-set on the whole job, which moves to
     * {@code next} with {@code added} added to its counters, and to DONE when {@code finished}, in
     * one synced write. The counters of a page are thus recorded exactly when its place is: a
     * runner that crashes mid-page redoes that page (its action must be idempotent) and counts it once.
     *
     * @return the job as stored, or empty (nothing written) if it is gone or changed since
     *         {@code expected} was read (cancelled, or advanced by another runner)
     */
    Optional<BulkJob> recordBulkProgress(BulkJob expected, BulkJob.Position next, BulkJob.Counters added,
                                         boolean finished);

    /**
     * Cancels a running job (a runner stops at its next page); an ended job is left as it is.
     * Idempotent. @return the job as stored, or empty if there is none
     */
    Optional<BulkJob> cancelBulkJob(long id);

    /**
     * Ends a running job as FAILED with {@code error}: a compare-and-set like {@link #recordBulkProgress}.
     *
     * @return the job as stored, or empty (nothing written) if it is gone or changed
     */
    Optional<BulkJob> failBulkJob(BulkJob expected, String error);

    /** Forgets a job (an ended one, once reported). Idempotent. @return whether it existed */
    boolean removeBulkJob(long id);

    /**
     * Moves one version's data: a compare-and-set like {@link #replaceVersion} whose replacement may
     * point its segments elsewhere (same count and sizes: the same bytes, stored in another place).
     * Segments of {@code expected} that {@code replacement} no longer names go to the garbage queue,
     * and the work item {@code finishedWork} (if given) is removed, all in the same synced write.
     *
     * @return false (nothing written) if the version is gone or no longer equals {@code expected}
     * @throws NamespaceException BUCKET_NOT_FOUND
     * @throws IllegalArgumentException if the replacement changes anything but segment references
     *                                  and metadata, or {@code expected} is a delete marker
     */
    boolean relocateVersion(ObjectVersion expected, ObjectVersion replacement, java.util.OptionalLong finishedWork);
    // --- data references

    /**
     * Streams every segment the namespace refers to, as of one point in time (a consistent snapshot
     * across all records): the segments of every object version (noncurrent versions included;
     * delete markers have none), of every part of every multipart upload in progress, and of every
     * item on the garbage queue. A segment moving between records during the call (a part becoming
     * an object's segment on completion, a deleted version's segment going to the garbage queue) is
     * seen exactly where it was at that point, never missed. The same segment may be visited more
     * than once; the order is unspecified. Memory is bounded by one record.
     *
     * <p>This is the "mark" of a mark-and-sweep over the data stores (orphan collection): data
     * written but not yet committed when the call starts is not visited. The visitor runs on the
     * calling thread and should be quick; {@link #close()} waits for the call to end. An exception
     * from the visitor ends the call and propagates unchanged.
     *
     * @return the number of segments visited
     */
    long forEachSegment(Consumer<Segment> visitor);

    /**
     * Refuses new calls (they throw UNAVAILABLE), waits for calls in flight to return, then releases
     * the store's files and native memory. Idempotent.
     */
    @Override
    void close();
}
