package io.strata.gateway.attach;

import io.strata.gateway.objects.ObjectException;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.BulkJob;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.CompletedUpload;
import io.strata.namespace.DeleteResult;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.GarbageMark;
import io.strata.namespace.ListPage;
import io.strata.namespace.ListQuery;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.PutResult;
import io.strata.namespace.ReplicationStatus;
import io.strata.namespace.Segment;
import io.strata.namespace.UploadPage;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.namespace.WorkItem;
import io.strata.namespace.WriteCondition;
import io.strata.tiering.snapshot.AttachedSnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The namespace as the S3 API sees it: the stored one, plus the attached snapshots as read-only
 * buckets. Reads of an attached bucket (its record, configuration documents, versions, listings)
 * are answered by its {@link AttachedSnapshot} with the namespace's own records, so every handler
 * (GET, HEAD, ranges, partNumber, checksum mode, tagging, ACLs, listings) serves it through the
 * code it uses for any bucket. Every change to an attached bucket is refused with
 * {@link ObjectException.Reason#READ_ONLY_SNAPSHOT}; the S3 API refuses writes before they start,
 * so this is the second line. Everything else goes to the stored namespace. Thread-safe.
 */
public final class AttachedNamespace implements Namespace {
    private final Namespace inner;
    private final Attachments attachments;

    public AttachedNamespace(Namespace inner, Attachments attachments) {
        this.inner = inner;
        this.attachments = attachments;
    }

    /** The message of every refused change. */
    public static String readOnly(String bucket) {
        return "Bucket " + bucket + " is an attached snapshot: it is read-only (strata snapshot detach removes it).";
    }

    private Optional<AttachedSnapshot> attached(BucketName bucket) {
        return attachments.isAttached(bucket.value()) ? attachments.snapshot(bucket.value()) : Optional.empty();
    }

    private void refuseIfAttached(BucketName bucket) {
        if (attachments.isAttached(bucket.value())) {
            throw new ObjectException(ObjectException.Reason.READ_ONLY_SNAPSHOT, readOnly(bucket.value()));
        }
    }

    // ---- buckets: an attached bucket's record is its registration's, so no repository is needed

    @Override
    public void createBucket(Bucket bucket) {
        // Under the registry's lock: an attach of the same name cannot slip in between.
        synchronized (attachments) {
            if (attachments.isAttached(bucket.name().value())) {
                throw new NamespaceException(NamespaceException.Reason.BUCKET_EXISTS, bucket.name().value());
            }
            inner.createBucket(bucket);
        }
    }

    @Override
    public Optional<Bucket> bucket(BucketName name) {
        Optional<Attachments.Attachment> a = attachments.attachment(name.value());
        return a.isPresent() ? Optional.of(a.get().record()) : inner.bucket(name);
    }

    @Override
    public List<Bucket> buckets() {
        List<Bucket> all = new ArrayList<>(inner.buckets());
        for (Attachments.Attachment a : attachments.list()) all.add(a.record());
        all.sort(Comparator.comparing(b -> b.name().value()));
        return all;
    }

    @Override
    public void deleteBucket(BucketName name) {
        refuseIfAttached(name);
        inner.deleteBucket(name);
    }

    @Override
    public void setVersioning(BucketName bucket, BucketVersioning state) {
        refuseIfAttached(bucket);
        inner.setVersioning(bucket, state);
    }

    @Override
    public Optional<byte[]> bucketConfig(BucketName bucket, String kind) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? Optional.ofNullable(a.get().source().configs().get(kind)) : inner.bucketConfig(bucket, kind);
    }

    @Override
    public void putBucketConfig(BucketName bucket, String kind, byte[] document) {
        refuseIfAttached(bucket);
        inner.putBucketConfig(bucket, kind, document);
    }

    @Override
    public boolean deleteBucketConfig(BucketName bucket, String kind) {
        refuseIfAttached(bucket);
        return inner.deleteBucketConfig(bucket, kind);
    }

    // ---- objects

    @Override
    public Optional<ObjectVersion> object(BucketName bucket, ObjectKey key) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? a.get().latest(key).filter(v -> !v.deleteMarker()) : inner.object(bucket, key);
    }

    @Override
    public Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? a.get().latest(key) : inner.latest(bucket, key);
    }

    @Override
    public Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? a.get().version(key, versionId) : inner.version(bucket, key, versionId);
    }

    @Override
    public PutResult putObject(ObjectVersion version, WriteCondition condition) {
        refuseIfAttached(version.bucket());
        return inner.putObject(version, condition);
    }

    @Override
    public int importVersions(BucketName bucket, List<ObjectVersion> versions) {
        refuseIfAttached(bucket);
        return inner.importVersions(bucket, versions);
    }

    @Override
    public boolean replaceVersion(ObjectVersion expected, ObjectVersion replacement) {
        refuseIfAttached(expected.bucket());
        return inner.replaceVersion(expected, replacement);
    }

    @Override
    public boolean setReplicationStatus(ObjectVersion expected, ReplicationStatus status) {
        refuseIfAttached(expected.bucket());
        return inner.setReplicationStatus(expected, status);
    }

    @Override
    public boolean setReplication(ObjectVersion expected, ReplicationStatus status, java.util.Collection<String> waiting) {
        refuseIfAttached(expected.bucket());
        return inner.setReplication(expected, status, waiting);
    }

    @Override
    public DeleteResult deleteObject(BucketName bucket, ObjectKey key, WriteCondition condition) {
        refuseIfAttached(bucket);
        return inner.deleteObject(bucket, key, condition);
    }

    @Override
    public Optional<ObjectVersion> deleteVersion(BucketName bucket, ObjectKey key, String versionId) {
        refuseIfAttached(bucket);
        return inner.deleteVersion(bucket, key, versionId);
    }

    @Override
    public Optional<DeleteResult> deleteObjectIf(ObjectVersion expected) {
        refuseIfAttached(expected.bucket());
        return inner.deleteObjectIf(expected);
    }

    @Override
    public Optional<ObjectVersion> deleteVersionIf(ObjectVersion expected, Standing standing) {
        refuseIfAttached(expected.bucket());
        return inner.deleteVersionIf(expected, standing);
    }

    @Override
    public VersionPage listVersions(BucketName bucket, VersionQuery query) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? a.get().listVersions(query) : inner.listVersions(bucket, query);
    }

    @Override
    public ListPage list(BucketName bucket, ListQuery query) {
        Optional<AttachedSnapshot> a = attached(bucket);
        return a.isPresent() ? a.get().list(query) : inner.list(bucket, query);
    }

    // ---- multipart uploads: an attached bucket has none and takes none

    @Override
    public void createUpload(MultipartUpload upload) {
        refuseIfAttached(upload.bucket());
        inner.createUpload(upload);
    }

    @Override
    public Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId) {
        return attachments.isAttached(bucket.value()) ? Optional.empty() : inner.upload(bucket, key, uploadId);
    }

    @Override
    public void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part) {
        refuseIfAttached(bucket);
        inner.putPart(bucket, key, uploadId, part);
    }

    @Override
    public List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max) {
        return attachments.isAttached(bucket.value()) ? List.of() : inner.parts(bucket, key, uploadId, afterPartNumber, max);
    }

    @Override
    public UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        if (attachments.isAttached(bucket.value())) return new UploadPage(List.of(), List.of(), false, "", "");
        return inner.uploads(bucket, prefix, delimiter, keyMarker, uploadIdMarker, max);
    }

    @Override
    public PutResult completeUpload(String uploadId, ObjectVersion version, WriteCondition condition,
                                    String requestDigest) {
        refuseIfAttached(version.bucket());
        return inner.completeUpload(uploadId, version, condition, requestDigest);
    }

    @Override
    public Optional<CompletedUpload> completedUpload(BucketName bucket, ObjectKey key, String uploadId) {
        return attachments.isAttached(bucket.value()) ? Optional.empty() : inner.completedUpload(bucket, key, uploadId);
    }

    @Override
    public void abortUpload(BucketName bucket, ObjectKey key, String uploadId) {
        refuseIfAttached(bucket);
        inner.abortUpload(bucket, key, uploadId);
    }

    @Override
    public boolean relocateVersion(ObjectVersion expected, ObjectVersion replacement, OptionalLong finishedWork) {
        refuseIfAttached(expected.bucket());
        return inner.relocateVersion(expected, replacement, finishedWork);
    }

    // ---- the rest is the stored namespace's alone

    @Override
    public long checkpoint(String markName, Path directory) {
        return inner.checkpoint(markName, directory);
    }

    @Override
    public ChangeFeed changeFeed() {
        return inner.changeFeed();
    }

    @Override
    public List<GarbageItem> garbage(int max) {
        return inner.garbage(max);
    }

    @Override
    public GarbageMark markGarbage(String name) {
        return inner.markGarbage(name);
    }

    @Override
    public Optional<GarbageMark> garbageMark(String name) {
        return inner.garbageMark(name);
    }

    @Override
    public List<GarbageMark> garbageMarks() {
        return inner.garbageMarks();
    }

    @Override
    public boolean releaseGarbageMark(String name) {
        return inner.releaseGarbageMark(name);
    }

    @Override
    public void removeGarbage(List<GarbageItem> items) {
        inner.removeGarbage(items);
    }

    @Override
    public void addGarbage(List<Segment> segments) {
        inner.addGarbage(segments);
    }

    @Override
    public WorkItem addWork(String kind, byte[] payload, Instant notBefore) {
        return inner.addWork(kind, payload, notBefore);
    }

    @Override
    public List<WorkItem> work(String kind, int max) {
        return inner.work(kind, max);
    }

    @Override
    public long countWork(String kind, long max) {
        return inner.countWork(kind, max);
    }

    @Override
    public List<WorkItem> dueWork(String kind, Instant now, int max) {
        return inner.dueWork(kind, now, max);
    }

    @Override
    public void visitWork(String kind, java.util.function.Predicate<WorkItem> visitor) {
        inner.visitWork(kind, visitor);
    }

    @Override
    public Optional<WorkItem> retryWork(WorkItem item, Instant notBefore, String error, byte[] payload) {
        return inner.retryWork(item, notBefore, error, payload);
    }

    @Override
    public List<WorkItem> workAfter(String kind, long afterId, int max) {
        return inner.workAfter(kind, afterId, max);
    }

    @Override
    public Optional<WorkItem> retryWork(WorkItem item, Instant notBefore, String error) {
        return inner.retryWork(item, notBefore, error);
    }

    @Override
    public boolean removeWork(long id) {
        return inner.removeWork(id);
    }

    @Override
    public BulkJob createBulkJob(String action, BucketName bucket, String prefix, byte[] parameters, long total) {
        refuseIfAttached(bucket);
        return inner.createBulkJob(action, bucket, prefix, parameters, total);
    }

    @Override
    public Optional<BulkJob> bulkJob(long id) {
        return inner.bulkJob(id);
    }

    @Override
    public List<BulkJob> bulkJobs() {
        return inner.bulkJobs();
    }

    @Override
    public Optional<BulkJob> recordBulkProgress(BulkJob expected, BulkJob.Position next, BulkJob.Counters added,
                                                boolean finished) {
        return inner.recordBulkProgress(expected, next, added, finished);
    }

    @Override
    public Optional<BulkJob> cancelBulkJob(long id) {
        return inner.cancelBulkJob(id);
    }

    @Override
    public Optional<BulkJob> failBulkJob(BulkJob expected, String error) {
        return inner.failBulkJob(expected, error);
    }

    @Override
    public boolean removeBulkJob(long id) {
        return inner.removeBulkJob(id);
    }

    @Override
    public long forEachSegment(Consumer<Segment> visitor) {
        return inner.forEachSegment(visitor);
    }

    /** Closes the stored namespace (the attachments are closed by their owner). */
    @Override
    public void close() {
        inner.close();
    }
}
