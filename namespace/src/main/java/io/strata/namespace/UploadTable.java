package io.strata.namespace;

import io.strata.namespace.NamespaceException.Reason;
import io.strata.namespace.Store.Commit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * Multipart uploads in progress: {@code uploads} ({@code bucket 0x00 esc(key) esc(uploadId)} →
 * {@link MultipartUploadCodec}, point look-ups), {@code upload-order} ({@code bucket 0x00 esc(key)
 * initiated esc(uploadId)} → the same record, ListMultipartUploads order) and {@code parts} (the
 * {@code uploads} row key + part number, 4 bytes → {@link PartCodec}).
 *
 * <p>Locks after the bucket's (and, for complete, the key's): the upload's, exclusive for complete
 * and abort and shared for putPart, then the part number's. Completing hands the version to
 * {@link VersionTable#addVersion} in the same commit that drops the upload. Thread-safe.
 */
final class UploadTable {
    private final Store store;
    private final VersionTable versions;

    UploadTable(Store store, VersionTable versions) {
        this.store = store;
        this.versions = versions;
    }

    private static NamespaceException uploadNotFound(ObjectKey key, String uploadId) {
        return new NamespaceException(Reason.UPLOAD_NOT_FOUND, "no such upload: " + uploadId + " for key " + key);
    }

    private Optional<MultipartUpload> read(BucketName bucket, byte[] row) throws RocksDBException {
        byte[] value = store.db.get(store.uploads, row);
        return value == null ? Optional.empty() : Optional.of(MultipartUploadCodec.decode(bucket, value));
    }

    void create(MultipartUpload upload) {
        store.inBucket(upload.bucket(), false, () -> {
            store.requireBucket(upload.bucket());
            Lock uploadLock = store.uploadLock(upload.bucket(), upload.uploadId(), true);
            uploadLock.lock();
            try {
                byte[] row = Keys.upload(upload.bucket(), upload.key(), upload.uploadId());
                if (store.db.get(store.uploads, row) != null) {
                    // Upload ids are unique by construction; a repeat is a caller bug, not a client error.
                    throw new IllegalStateException("upload id already exists: " + upload.uploadId());
                }
                byte[] value = MultipartUploadCodec.encode(upload);
                try (Commit c = store.commit()) {
                    c.put(store.uploads, row, value).put(store.uploadOrder, Keys.uploadOrder(upload), value).write();
                }
                return null;
            } finally {
                uploadLock.unlock();
            }
        });
    }

    Optional<MultipartUpload> upload(BucketName bucket, ObjectKey key, String uploadId) {
        return store.call(() -> {
            Optional<MultipartUpload> u = read(bucket, Keys.upload(bucket, key, uploadId));
            if (u.isEmpty()) store.requireBucket(bucket);
            return u;
        });
    }

    void putPart(BucketName bucket, ObjectKey key, String uploadId, Part part) {
        store.inBucket(bucket, false, () -> {
            Lock uploadLock = store.uploadLock(bucket, uploadId, false);
            uploadLock.lock();
            try {
                byte[] uploadRow = Keys.upload(bucket, key, uploadId);
                if (store.db.get(store.uploads, uploadRow) == null) {
                    // The data was written for nothing: queue it so it does not leak, then report.
                    try (Commit c = store.commit()) {
                        c.garbage(List.of(part.segment())).write();
                    }
                    store.requireBucket(bucket);
                    throw uploadNotFound(key, uploadId);
                }
                ReentrantLock partLock = store.partLock(bucket, uploadId, part.partNumber());
                partLock.lock();
                try {
                    byte[] row = Keys.part(uploadRow, part.partNumber());
                    byte[] oldValue = store.db.get(store.parts, row);
                    try (Commit c = store.commit()) {
                        c.put(store.parts, row, PartCodec.encode(part));
                        if (oldValue != null) {
                            c.garbage(VersionTable.unreferenced(List.of(PartCodec.decode(oldValue).segment()),
                                    List.of(part.segment())));
                        }
                        c.write();
                    }
                    return null;
                } finally {
                    partLock.unlock();
                }
            } finally {
                uploadLock.unlock();
            }
        });
    }

    List<Part> parts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> {
            byte[] uploadRow = Keys.upload(bucket, key, uploadId);
            if (store.db.get(store.uploads, uploadRow) == null) {
                store.requireBucket(bucket);
                throw uploadNotFound(key, uploadId);
            }
            List<Part> out = new ArrayList<>();
            if (max == 0 || afterPartNumber >= Part.MAX_NUMBER) return out;
            byte[] from = Keys.part(uploadRow, Math.max(0, afterPartNumber + 1));
            store.scan(store.parts, from, Keys.successor(uploadRow), (k, v) -> {
                out.add(PartCodec.decode(v));
                return out.size() < max;
            });
            return out;
        });
    }

    UploadPage uploads(BucketName bucket, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                       int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        return store.call(() -> {
            store.requireBucket(bucket);
            if (max == 0) return new UploadPage(List.of(), List.of(), false, "", "");
            byte[] prefixBytes = Keys.utf8(prefix);
            byte[] markerBytes = Keys.utf8(keyMarker);
            byte[] base = Keys.escapedPrefix(bucket, prefixBytes);
            byte[] start = base;
            byte[] filterIdAbove = null;
            if (!keyMarker.isEmpty()) {
                byte[] markerKeyRows = Keys.uploadOrderKeyPrefix(bucket, markerBytes);
                byte[] markerStart;
                if (uploadIdMarker.isEmpty()) {
                    markerStart = Keys.successor(markerKeyRows);   // after every upload of keyMarker
                } else {
                    Optional<MultipartUpload> marker = ListingTable.isValidKey(keyMarker)
                            ? read(bucket, Keys.upload(bucket, new ObjectKey(keyMarker), uploadIdMarker))
                            : Optional.empty();
                    if (marker.isPresent()) {
                        // Continue exactly after the marker upload in listing order (key, initiated, id).
                        markerStart = Keys.after(Keys.uploadOrder(marker.get()));
                    } else {
                        // Marker upload gone: S3's documented rule, uploads of keyMarker with a greater upload id.
                        markerStart = markerKeyRows;
                        filterIdAbove = Keys.utf8(uploadIdMarker);
                    }
                }
                if (Arrays.compareUnsigned(markerStart, start) > 0) start = markerStart;
            }
            try (Slice upperSlice = new Slice(Keys.successor(base));
                 ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = store.db.newIterator(store.uploadOrder, ro)) {
                it.seek(start);
                return Listing.uploads(it, bucket, prefixBytes, Keys.utf8(delimiter), markerBytes, filterIdAbove, max);
            }
        });
    }

    PutResult complete(String uploadId, ObjectVersion version, WriteCondition condition, String requestDigest) {
        ObjectKey key = version.key();
        return store.withKey(version.bucket(), key, (bucket, c) -> {
            Lock uploadLock = store.uploadLock(bucket.name(), uploadId, true);
            uploadLock.lock();
            try {
                byte[] uploadRow = Keys.upload(bucket.name(), key, uploadId);
                MultipartUpload upload = read(bucket.name(), uploadRow).orElseThrow(() -> uploadNotFound(key, uploadId));
                // A failed precondition leaves the upload as it is: the client may retry or abort it.
                versions.check(bucket.name(), key, condition);
                Set<Segment> partSegments = new HashSet<>();
                List<Segment> unused = new ArrayList<>();
                Set<Segment> chosen = new HashSet<>(version.segments());
                store.scan(store.parts, uploadRow, Keys.successor(uploadRow), (k, v) -> {
                    Segment s = PartCodec.decode(v).segment();
                    partSegments.add(s);
                    if (!chosen.contains(s)) unused.add(s);
                    c.delete(store.parts, k);
                    return true;
                });
                if (!partSegments.containsAll(chosen)) {
                    // Committing data no part holds would leak it or free it twice later.
                    throw new IllegalArgumentException("version segments are not parts of upload " + uploadId);
                }
                c.delete(store.uploads, uploadRow).delete(store.uploadOrder, Keys.uploadOrder(upload)).garbage(unused);
                PutResult result = versions.addVersion(c, bucket.versioning(), version);
                Instant now = store.clock.instant();
                CompletedUpload done = CompletedUpload.of(uploadId, result.version(), now, requestDigest);
                c.put(store.completedUploads, completedRow(uploadRow), CompletedUploadCodec.encode(done))
                        .put(store.completedUploads, completedOrderRow(now, uploadRow), new byte[0]);
                pruneCompleted(c, now);
                c.write();
                return result;
            } finally {
                uploadLock.unlock();
            }
        });
    }

    // ------------------------------------------------------------------ completed uploads

    /** Rows of the {@code completed-uploads} family: the record by upload, and the completion-time index. */
    private static final byte COMPLETED_RECORD = 1;
    private static final byte COMPLETED_ORDER = 2;
    /** Expired records removed per completion: more than one, so that the expired never pile up. */
    private static final int PRUNE_PER_COMPLETION = 8;

    private static byte[] completedRow(byte[] uploadRow) {
        return Keys.concat(new byte[] {COMPLETED_RECORD}, uploadRow);
    }

    private static byte[] completedOrderRow(Instant at, byte[] uploadRow) {
        return Keys.concat(Keys.concat(new byte[] {COMPLETED_ORDER}, Keys.encodeLong(at.toEpochMilli())), uploadRow);
    }

    /**
     * Adds to {@code c} the removal of up to {@link #PRUNE_PER_COMPLETION} records older than the
     * retention, oldest first: each completion removes more than it adds once records expire, so
     * their number stays bounded by the completions within one retention period.
     */
    private void pruneCompleted(Commit c, Instant now) throws RocksDBException {
        long cutoff = now.minus(Namespace.COMPLETED_UPLOAD_RETENTION).toEpochMilli();
        if (cutoff < 0) return;
        byte[] from = {COMPLETED_ORDER};
        byte[] to = Keys.concat(from, Keys.encodeLong(cutoff));
        int[] pruned = {0};
        store.scan(store.completedUploads, from, to, (k, v) -> {
            c.delete(store.completedUploads, k);
            c.delete(store.completedUploads, completedRow(Arrays.copyOfRange(k, 9, k.length)));
            return ++pruned[0] < PRUNE_PER_COMPLETION;
        });
    }

    Optional<CompletedUpload> completed(BucketName bucket, ObjectKey key, String uploadId) {
        return store.call(() -> {
            byte[] value = store.db.get(store.completedUploads, completedRow(Keys.upload(bucket, key, uploadId)));
            if (value == null) {
                store.requireBucket(bucket);
                return Optional.empty();
            }
            CompletedUpload done = CompletedUploadCodec.decode(bucket, key, uploadId, value);
            // Not yet pruned, but past its retention: gone, as it would be after the next completion.
            boolean expired = done.completedAt().plus(Namespace.COMPLETED_UPLOAD_RETENTION)
                    .isBefore(store.clock.instant());
            return expired ? Optional.empty() : Optional.of(done);
        });
    }

    void abort(BucketName bucket, ObjectKey key, String uploadId) {
        store.inBucket(bucket, false, () -> {
            store.requireBucket(bucket);
            Lock uploadLock = store.uploadLock(bucket, uploadId, true);
            uploadLock.lock();
            try {
                byte[] uploadRow = Keys.upload(bucket, key, uploadId);
                MultipartUpload upload = read(bucket, uploadRow).orElseThrow(() -> uploadNotFound(key, uploadId));
                try (Commit c = store.commit()) {
                    List<Segment> segments = new ArrayList<>();
                    store.scan(store.parts, uploadRow, Keys.successor(uploadRow), (k, v) -> {
                        segments.add(PartCodec.decode(v).segment());
                        c.delete(store.parts, k);
                        return true;
                    });
                    c.delete(store.uploads, uploadRow).delete(store.uploadOrder, Keys.uploadOrder(upload))
                            .garbage(segments).write();
                }
                return null;
            } finally {
                uploadLock.unlock();
            }
        });
    }

    /**
     * Adds the removal of every upload of a bucket, with its parts, to {@code c}, the parts' data as
     * garbage (a deleted bucket takes its uploads in progress with it). The caller holds the bucket
     * exclusively.
     */
    void dropAll(Commit c, BucketName bucket) throws RocksDBException {
        byte[] from = Keys.bucketPrefix(bucket);
        byte[] to = Keys.successor(from);
        List<Segment> partSegments = new ArrayList<>();
        store.scan(store.parts, from, to, (k, v) -> {
            partSegments.add(PartCodec.decode(v).segment());
            c.delete(store.parts, k);
            return true;
        });
        store.scan(store.uploads, from, to, (k, v) -> {
            c.delete(store.uploads, k);
            return true;
        });
        store.scan(store.uploadOrder, from, to, (k, v) -> {
            c.delete(store.uploadOrder, k);
            return true;
        });
        // Records of completed uploads go too (a bucket of the same name made later is another
        // bucket); their time-index rows are pruned when they expire.
        byte[] records = completedRow(from);
        store.scan(store.completedUploads, records, Keys.successor(records), (k, v) -> {
            c.delete(store.completedUploads, k);
            return true;
        });
        c.garbage(partSegments);
    }
}
