package io.strata.namespace;

import io.strata.namespace.Namespace.Standing;
import io.strata.namespace.Store.Commit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * Object versions: the column families {@code versions} ({@code bucket 0x00 esc(key) ~order} →
 * {@link ObjectVersionCodec}, every version and delete marker, newest first within a key),
 * {@code objects} ({@code bucket 0x00 key} → the same record, the current version of each key only,
 * absent when that is a delete marker) and {@code null-versions} ({@code bucket 0x00 key} → the
 * order of the key's {@code null} version). Invariant: a key's {@code objects} row exists exactly
 * when its newest {@code versions} row is not a delete marker, and then holds the same record;
 * every method here keeps it within one commit.
 *
 * <p>Every mutation runs under {@link Store#withKey} (bucket lock shared, then the key's lock).
 * The conditional ones (replace, relocate, deleteIf, deleteVersionIf) are one compare-and-set,
 * {@link #compareAndSet}, with one definition of "the same version", {@link #sameVersion}.
 * Thread-safe.
 */
final class VersionTable {
    private final Store store;
    private final WorkTable work;

    VersionTable(Store store, WorkTable work) {
        this.store = store;
        this.work = work;
    }

    /** One row of the {@code versions} column family: row key, stored value, decoded record. */
    record VersionRow(byte[] row, byte[] value, ObjectVersion version) {
    }

    /**
     * A key's entry as read under the key lock, with the key's (up to) two newest rows: where the
     * entry stands, and what becomes current if it goes.
     */
    private record Entry(VersionRow target, List<VersionRow> top) {
        ObjectVersion version() {
            return target.version();
        }

        boolean newest() {
            return !top.isEmpty() && Arrays.equals(top.getFirst().row(), target.row());
        }
    }

    /** Where an entry must stand among its key's entries for a compare-and-set to apply. */
    private enum Place {
        ANY, NEWEST, NONCURRENT, ONLY_ENTRY;

        static Place of(Standing standing) {
            return switch (standing) {
                case ANY -> ANY;
                case NONCURRENT -> NONCURRENT;
                case ONLY_ENTRY -> ONLY_ENTRY;
            };
        }

        boolean admits(Entry e) {
            return switch (this) {
                case ANY -> true;
                case NEWEST -> e.newest();
                case NONCURRENT -> !e.newest();
                case ONLY_ENTRY -> e.newest() && e.top().size() == 1;
            };
        }
    }

    // ------------------------------------------------------------------ reads

    Optional<ObjectVersion> object(BucketName bucket, ObjectKey key) {
        return store.call(() -> {
            Optional<ObjectVersion> v = readObject(bucket, key);
            // A key row implies its bucket exists (deleteBucket requires no versions), so only a miss needs the check.
            if (v.isEmpty()) store.requireBucket(bucket);
            return v;
        });
    }

    Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key) {
        return store.call(() -> {
            Optional<ObjectVersion> v = readObject(bucket, key);
            if (v.isPresent()) return v;
            // No current object: the newest entry, if any, is a delete marker (or a put landed meanwhile).
            List<VersionRow> newest = newestVersions(store.latestRead, bucket, key, keyPrefix(bucket, key), 1);
            if (newest.isEmpty()) {
                store.requireBucket(bucket);
                return Optional.empty();
            }
            return Optional.of(newest.getFirst().version());
        });
    }

    Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId) {
        return store.call(() -> {
            Optional<VersionRow> row;
            // Two reads (null index, then the row): one snapshot so a concurrent replace cannot split them.
            Snapshot snapshot = store.db.getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                row = versionRow(ro, bucket, key, keyPrefix(bucket, key), versionId);
            } finally {
                store.db.releaseSnapshot(snapshot);
            }
            if (row.isEmpty()) store.requireBucket(bucket);
            return row.map(VersionRow::version);
        });
    }

    /** Whether the bucket holds any version or delete marker (every one has a {@code versions} row). */
    boolean hasEntries(BucketName bucket) throws RocksDBException {
        byte[] from = Keys.bucketPrefix(bucket);
        boolean[] found = {false};
        store.scan(store.versions, from, Keys.successor(from), (k, v) -> {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    private Optional<ObjectVersion> readObject(BucketName bucket, ObjectKey key) throws RocksDBException {
        byte[] value = store.db.get(store.objects, Keys.object(bucket, key));
        return value == null ? Optional.empty() : Optional.of(ObjectVersionCodec.decode(bucket, key, value));
    }

    private static byte[] keyPrefix(BucketName bucket, ObjectKey key) {
        return Keys.versionKeyPrefix(bucket, Keys.utf8(key.value()));
    }

    /** Up to {@code max} newest versions of a key, newest first, read with {@code base}'s snapshot if any. */
    private List<VersionRow> newestVersions(ReadOptions base, BucketName bucket, ObjectKey key, byte[] keyPrefix,
                                            int max) throws RocksDBException {
        List<VersionRow> out = new ArrayList<>(max);
        try (Slice upper = new Slice(Keys.successor(keyPrefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper)) {
            if (base.snapshot() != null) ro.setSnapshot(base.snapshot());
            try (RocksIterator it = store.db.newIterator(store.versions, ro)) {
                for (it.seek(keyPrefix); it.isValid() && out.size() < max; it.next()) {
                    byte[] value = it.value();
                    out.add(new VersionRow(it.key(), value, ObjectVersionCodec.decode(bucket, key, value)));
                }
                it.status();
            }
        }
        return out;
    }

    /**
     * The row of the key's newest version (null: it has none), not decoded: a write needs only its
     * order, and decoding it copied a small object's inline bytes once more on every overwrite.
     */
    private byte[] newestRow(byte[] keyPrefix) throws RocksDBException {
        try (Slice upper = new Slice(Keys.successor(keyPrefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = store.db.newIterator(store.versions, ro)) {
            it.seek(keyPrefix);
            byte[] row = it.isValid() ? it.key() : null;
            it.status();
            return row;
        }
    }

    /** The key's version with {@code versionId}, looked up by the order its id encodes or by the null index. */
    private Optional<VersionRow> versionRow(ReadOptions ro, BucketName bucket, ObjectKey key, byte[] keyPrefix,
                                            String versionId) throws RocksDBException {
        byte[] row;
        if (versionId.equals(ObjectVersion.NULL_VERSION)) {
            byte[] order = store.db.get(store.nullVersions, ro, Keys.object(bucket, key));
            if (order == null) return Optional.empty();
            row = Keys.version(keyPrefix, Keys.decodeLong(order));
        } else if (VersionIds.isAssigned(versionId)) {
            row = Keys.version(keyPrefix, VersionIds.order(versionId));
        } else {
            return Optional.empty();
        }
        byte[] value = store.db.get(store.versions, ro, row);
        if (value == null) {
            if (versionId.equals(ObjectVersion.NULL_VERSION)) {
                throw new RecordFormatException("null-version index of " + key + " points at no version");
            }
            return Optional.empty();
        }
        ObjectVersion v = ObjectVersionCodec.decode(bucket, key, value);
        // An order can be reused after its version was deleted for good; the random half of the id tells them apart.
        return v.versionId().equals(versionId) ? Optional.of(new VersionRow(row, value, v)) : Optional.empty();
    }

    /** The key's entry {@code versionId} and where it stands, read under the key lock. */
    private Optional<Entry> entry(BucketName bucket, ObjectKey key, String versionId) throws RocksDBException {
        byte[] keyPrefix = keyPrefix(bucket, key);
        Optional<VersionRow> target = versionRow(store.latestRead, bucket, key, keyPrefix, versionId);
        if (target.isEmpty()) return Optional.empty();
        return Optional.of(new Entry(target.get(), newestVersions(store.latestRead, bucket, key, keyPrefix, 2)));
    }

    // ------------------------------------------------------------------ the one compare-and-set

    /**
     * Whether {@code stored} is still the version a caller read as {@code expected}: equal in every
     * field of the record (bucket, key, version id, size, ETag, last-modified time, content type,
     * stored headers, user metadata, checksums, part count, segments, delete-marker flag, part
     * checksums), as {@link ObjectVersion#equals} compares them. Not the version id alone: every
     * overwrite in an unversioned or suspended bucket reuses the id {@code null}, so the id does not
     * tell an acknowledged overwrite from the record read earlier. Not the id and time alone either:
     * a tag or ACL rewrite ({@link #replace}) keeps both and changes the headers, a relocation keeps
     * both and changes the segments, and a caller acting on the older read must not undo either.
     */
    static boolean sameVersion(ObjectVersion expected, ObjectVersion stored) {
        return stored.equals(expected);
    }

    /** What a compare-and-set does to the entry it matched; it adds to the commit and writes it. */
    @FunctionalInterface
    private interface Update<T> {
        T apply(Entry matched) throws RocksDBException;
    }

    /**
     * The compare-and-set of every conditional version mutation: finds the key's entry with
     * {@code expected.versionId()}, and applies {@code update} only if it is {@link #sameVersion}
     * as {@code expected} and stands where {@code place} requires. The caller holds the key lock
     * (via {@link Store#withKey}), so nothing changes between the compare and the write.
     *
     * @return the update's result, or empty (nothing written) if the entry is gone, changed or stands elsewhere
     */
    private <T> Optional<T> compareAndSet(ObjectVersion expected, Place place, Update<T> update)
            throws RocksDBException {
        Optional<Entry> entry = entry(expected.bucket(), expected.key(), expected.versionId());
        if (entry.isEmpty() || !sameVersion(expected, entry.get().version()) || !place.admits(entry.get())) {
            return Optional.empty();
        }
        return Optional.of(update.apply(entry.get()));
    }

    // ------------------------------------------------------------------ writes

    PutResult put(ObjectVersion version, WriteCondition condition) {
        return store.withKey(version.bucket(), version.key(), (bucket, c) -> {
            check(version.bucket(), version.key(), condition);
            PutResult result = addVersion(c, bucket.versioning(), version);
            c.write();
            return result;
        });
    }

    /**
     * Checks {@code condition} against the key's current version as stored now. The caller holds the
     * key lock and commits under it, so the check and the write are one step.
     *
     * @throws NamespaceException PRECONDITION_FAILED, KEY_NOT_FOUND (see {@link WriteCondition})
     */
    void check(BucketName bucket, ObjectKey key, WriteCondition condition) throws RocksDBException {
        switch (condition) {
            case WriteCondition.None none -> {
            }
            case WriteCondition.IfAbsent absent -> {
                if (readObject(bucket, key).isPresent()) {
                    throw new NamespaceException(NamespaceException.Reason.PRECONDITION_FAILED,
                            "key exists: " + key);
                }
            }
            case WriteCondition.IfMatch match -> {
                ObjectVersion current = readObject(bucket, key).orElseThrow(() -> new NamespaceException(
                        NamespaceException.Reason.KEY_NOT_FOUND, "no current version of " + key));
                if (!match.etag().equals("*") && !match.etag().equalsIgnoreCase(current.etag())) {
                    throw new NamespaceException(NamespaceException.Reason.PRECONDITION_FAILED,
                            "ETag of " + key + " is not " + match.etag());
                }
            }
        }
    }

    /**
     * Commits {@code versions} as {@link #put} would, in batches of {@code batchSize}, holding the
     * bucket exclusively instead of taking key locks. Keys within one batch must be distinct (each
     * commit reads the key's stack as stored, before its own batch).
     */
    void putAll(BucketName bucket, List<ObjectVersion> versions, int batchSize) {
        store.inBucket(bucket, true, () -> {
            BucketVersioning state = store.readBucket(bucket).versioning();
            for (int from = 0; from < versions.size(); from += batchSize) {
                List<ObjectVersion> batch = versions.subList(from, Math.min(versions.size(), from + batchSize));
                Set<ObjectKey> keys = new HashSet<>();
                try (Commit c = store.commit()) {
                    for (ObjectVersion v : batch) {
                        if (!v.bucket().equals(bucket)) throw new IllegalArgumentException("version of another bucket");
                        if (!keys.add(v.key())) throw new IllegalArgumentException("key repeats in a batch: " + v.key());
                        addVersion(c, state, v);
                    }
                    c.write();
                }
            }
            return null;
        });
    }

    /**
     * Imports versions and delete markers with their identity (see {@link Namespace#importVersions}),
     * in one synced commit, holding the bucket exclusively like {@link #putAll}, or only the key's lock
     * when every entry is of one key. A key may repeat:
     * the key's {@code objects} row follows the newest of what is stored and what this batch adds.
     */
    int importAll(BucketName bucket, List<ObjectVersion> versions) {
        ObjectKey only = versions.getFirst().key();
        if (versions.stream().allMatch(v -> v.key().equals(only))) {
            // One key's entries (a replica from another site): that key's lock, as a PUT takes, so a
            // stream of replicas does not stop every other write to the bucket while each commits.
            return store.withKey(bucket, only, (b, c) -> {
                for (ObjectVersion v : versions) checkImported(bucket, v);
                int written = importKey(c, bucket, only, versions);
                c.write();
                return written;
            });
        }
        return store.inBucket(bucket, true, () -> {
            store.readBucket(bucket);
            Map<ObjectKey, List<ObjectVersion>> byKey = new LinkedHashMap<>();
            for (ObjectVersion v : versions) {
                checkImported(bucket, v);
                byKey.computeIfAbsent(v.key(), k -> new ArrayList<>()).add(v);
            }
            int written = 0;
            try (Commit c = store.commit()) {
                for (Map.Entry<ObjectKey, List<ObjectVersion>> e : byKey.entrySet()) {
                    written += importKey(c, bucket, e.getKey(), e.getValue());
                }
                c.write();
            }
            return written;
        });
    }

    private static void checkImported(BucketName bucket, ObjectVersion v) {
        if (!v.bucket().equals(bucket)) throw new IllegalArgumentException("version of another bucket");
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION) && !VersionIds.isAssigned(v.versionId())) {
            throw new IllegalArgumentException("not a version id: " + v.versionId());
        }
    }

    /** Adds one key's imported entries to {@code c}; the bucket is held exclusively, or the key's lock. */
    private int importKey(Commit c, BucketName bucket, ObjectKey key, List<ObjectVersion> entries) throws RocksDBException {
        byte[] keyPrefix = keyPrefix(bucket, key);
        List<VersionRow> top = newestVersions(store.latestRead, bucket, key, keyPrefix, 1);
        long newestStored = top.isEmpty() ? 0 : Keys.versionOrder(top.getFirst().row());
        Set<Long> taken = new HashSet<>();
        boolean nullTaken = false;
        long newestOrder = newestStored;
        byte[] newestValue = null;
        ObjectVersion newest = null;
        int written = 0;
        for (ObjectVersion v : entries) {
            long order;
            if (v.versionId().equals(ObjectVersion.NULL_VERSION)) {
                if (nullTaken || versionRow(store.latestRead, bucket, key, keyPrefix, ObjectVersion.NULL_VERSION).isPresent()) {
                    continue;
                }
                // The null version's id carries no order: it stands by its modification time, as it did
                // at its source (later if that microsecond is taken, so no stored entry is overwritten).
                order = VersionIds.nextOrder(v.lastModified(), 0);
                while (taken.contains(order) || store.db.get(store.versions, store.latestRead, Keys.version(keyPrefix, order)) != null) {
                    order++;
                }
                c.put(store.nullVersions, Keys.object(bucket, key), Keys.encodeLong(order));
                nullTaken = true;
            } else {
                order = VersionIds.order(v.versionId());
                if (taken.contains(order)) continue;
                byte[] stored = store.db.get(store.versions, store.latestRead, Keys.version(keyPrefix, order));
                if (stored != null) {
                    if (ObjectVersionCodec.decode(bucket, key, stored).versionId().equals(v.versionId())) continue;
                    // Ids are unique per key; the same order with another random half is a different write.
                    // Sites number their orders, so between sites this means two share a site.number.
                    throw new IllegalArgumentException("version " + v.versionId() + " of " + key
                            + " has the order of another stored version: two sites replicating to each other "
                            + "share site.number " + VersionIds.site(order) + "; give each site its own");
                }
            }
            taken.add(order);
            byte[] value = ObjectVersionCodec.encode(v);
            c.put(store.versions, Keys.version(keyPrefix, order), value);
            c.change(v.deleteMarker() ? ChangeEntry.Kind.DELETE_MARKER_PUT : ChangeEntry.Kind.VERSION_PUT, v);
            written++;
            if (order > newestOrder) {
                newestOrder = order;
                newestValue = value;
                newest = v;
            }
        }
        if (newest != null) {
            byte[] objectRow = Keys.object(bucket, key);
            if (newest.deleteMarker()) {
                c.delete(store.objects, objectRow);
            } else {
                c.put(store.objects, objectRow, newestValue);
            }
        }
        return written;
    }

    /**
     * Adds {@code version} as the newest entry of its key under {@code state}, replacing the null
     * version unless versioning is enabled; keeps {@code objects} in step. Caller holds the key lock.
     */
    PutResult addVersion(Commit c, BucketVersioning state, ObjectVersion version) throws RocksDBException {
        BucketName bucket = version.bucket();
        ObjectKey key = version.key();
        byte[] keyPrefix = keyPrefix(bucket, key);
        byte[] newest = newestRow(keyPrefix);
        long order = VersionIds.nextOrder(version.lastModified(), newest == null ? 0 : Keys.versionOrder(newest),
                store.siteNumber);
        Optional<ObjectVersion> replaced = Optional.empty();
        ObjectVersion committed;
        byte[] objectRow = Keys.object(bucket, key);
        if (state == BucketVersioning.ENABLED) {
            committed = version.withVersionId(VersionIds.assign(order));
        } else {
            committed = version.withVersionId(ObjectVersion.NULL_VERSION);
            Optional<VersionRow> old = versionRow(store.latestRead, bucket, key, keyPrefix, ObjectVersion.NULL_VERSION);
            if (old.isPresent()) {
                c.delete(store.versions, old.get().row());
                replaced = Optional.of(old.get().version());
                c.garbage(unreferenced(old.get().version().segments(), committed.segments()));
            }
            c.put(store.nullVersions, objectRow, Keys.encodeLong(order));
        }
        byte[] value = ObjectVersionCodec.encode(committed);
        c.put(store.versions, Keys.version(keyPrefix, order), value);
        c.change(committed.deleteMarker() ? ChangeEntry.Kind.DELETE_MARKER_PUT : ChangeEntry.Kind.VERSION_PUT, committed);
        if (committed.deleteMarker()) {
            c.delete(store.objects, objectRow);
        } else {
            c.put(store.objects, objectRow, value);
        }
        return new PutResult(committed, replaced);
    }

    /** Segments of {@code old} that {@code replacement} does not reuse. */
    static List<Segment> unreferenced(List<Segment> old, List<Segment> replacement) {
        Set<Segment> kept = new HashSet<>(replacement);
        List<Segment> out = new ArrayList<>();
        for (Segment s : old) {
            if (!kept.contains(s)) out.add(s);
        }
        return out;
    }

    /** Writes {@code replacement} in place of the matched entry; the current-object row follows when it is current. */
    private void rewrite(Commit c, Entry matched, ObjectVersion replacement) throws RocksDBException {
        byte[] value = ObjectVersionCodec.encode(replacement);
        c.put(store.versions, matched.target().row(), value);
        if (matched.newest()) c.put(store.objects, Keys.object(replacement.bucket(), replacement.key()), value);
    }

    /** Removes an entry for good; if it was the newest, the next newest becomes current. Caller holds the key lock. */
    private void remove(Commit c, Entry entry) throws RocksDBException {
        ObjectVersion v = entry.version();
        c.delete(store.versions, entry.target().row());
        if (v.versionId().equals(ObjectVersion.NULL_VERSION)) {
            c.delete(store.nullVersions, Keys.object(v.bucket(), v.key()));
        }
        c.garbage(v.segments());
        c.change(ChangeEntry.Kind.VERSION_DELETED, v);
        if (entry.newest()) {
            byte[] objectRow = Keys.object(v.bucket(), v.key());
            List<VersionRow> top = entry.top();
            if (top.size() > 1 && !top.get(1).version().deleteMarker()) {
                c.put(store.objects, objectRow, top.get(1).value());
            } else {
                c.delete(store.objects, objectRow);
            }
        }
    }

    boolean replace(ObjectVersion expected, ObjectVersion replacement) {
        if (expected.deleteMarker()) throw new IllegalArgumentException("a delete marker has no metadata to rewrite");
        if (!expected.bucket().equals(replacement.bucket()) || !expected.key().equals(replacement.key())
                || !expected.versionId().equals(replacement.versionId()) || expected.size() != replacement.size()
                || !expected.etag().equals(replacement.etag()) || !expected.segments().equals(replacement.segments())
                || expected.deleteMarker() != replacement.deleteMarker()) {
            throw new IllegalArgumentException("only a version's metadata can be rewritten in place");
        }
        return store.withKey(expected.bucket(), expected.key(), (bucket, c) ->
                compareAndSet(expected, Place.ANY, matched -> {
                    rewrite(c, matched, replacement);
                    c.change(ChangeEntry.Kind.VERSION_METADATA, replacement).write();
                    return true;
                }).isPresent());
    }

    boolean setReplicationStatus(ObjectVersion expected, ReplicationStatus status) {
        return setReplication(expected, status, expected.attributes().replicationWaiting());
    }

    boolean setReplication(ObjectVersion expected, ReplicationStatus status, java.util.Collection<String> waiting) {
        if (expected.deleteMarker()) throw new IllegalArgumentException("a delete marker has no replication status");
        ObjectVersion replacement = expected.withAttributes(expected.attributes().withReplication(status, waiting));
        return store.withKey(expected.bucket(), expected.key(), (bucket, c) ->
                compareAndSet(expected, Place.ANY, matched -> {
                    // No change entry: the status is the replication worker's own bookkeeping, and an
                    // entry would come back to it as a metadata change to send again, forever.
                    rewrite(c, matched, replacement);
                    c.write();
                    return true;
                }).isPresent());
    }

    boolean relocate(ObjectVersion expected, ObjectVersion replacement, OptionalLong finishedWork) {
        if (expected.deleteMarker()) throw new IllegalArgumentException("a delete marker has no data to relocate");
        if (!expected.bucket().equals(replacement.bucket()) || !expected.key().equals(replacement.key())
                || !expected.versionId().equals(replacement.versionId()) || expected.size() != replacement.size()
                || !expected.etag().equals(replacement.etag()) || replacement.deleteMarker()
                || expected.segments().size() != replacement.segments().size()) {
            throw new IllegalArgumentException("a relocation keeps the version and its segment sizes");
        }
        for (int i = 0; i < expected.segments().size(); i++) {
            if (expected.segments().get(i).size() != replacement.segments().get(i).size()) {
                throw new IllegalArgumentException("a relocation keeps the version and its segment sizes");
            }
        }
        return store.withKey(expected.bucket(), expected.key(), (bucket, c) ->
                compareAndSet(expected, Place.ANY, matched -> {
                    rewrite(c, matched, replacement);
                    List<Segment> freed = new ArrayList<>(expected.segments());
                    freed.removeAll(replacement.segments());
                    c.garbage(freed).change(ChangeEntry.Kind.VERSION_RELOCATED, replacement);
                    if (finishedWork.isPresent()) {
                        work.writeFinishing(c, finishedWork.getAsLong());
                    } else {
                        c.write();
                    }
                    return true;
                }).isPresent());
    }

    DeleteResult delete(BucketName bucketName, ObjectKey key, WriteCondition condition) {
        return store.withKey(bucketName, key, (bucket, c) -> {
            check(bucketName, key, condition);
            return deleteCurrent(c, bucket, key);
        });
    }

    Optional<DeleteResult> deleteIf(ObjectVersion expected) {
        // Only lifecycle expiration deletes this way: its entries say so, because S3 does not
        // replicate the delete markers lifecycle makes and a replication worker must tell them apart.
        return store.withKey(expected.bucket(), expected.key(), (bucket, c) ->
                compareAndSet(expected, Place.NEWEST, matched -> deleteCurrent(c.origin(ChangeEntry.LIFECYCLE),
                        bucket, expected.key())));
    }

    /** S3's DELETE without a version id under the bucket's state; writes {@code c}. Caller holds the key lock. */
    private DeleteResult deleteCurrent(Commit c, Bucket bucket, ObjectKey key) throws RocksDBException {
        BucketName bucketName = bucket.name();
        if (bucket.versioning() == BucketVersioning.UNVERSIONED) {
            Optional<Entry> old = entry(bucketName, key, ObjectVersion.NULL_VERSION);
            if (old.isPresent()) {
                remove(c, old.get());
                c.write();
            }
            return new DeleteResult(old.map(Entry::version), Optional.empty());
        }
        ObjectVersion marker = ObjectVersion.deleteMarker(bucketName, key, ObjectVersion.NULL_VERSION,
                store.clock.instant());
        PutResult added = addVersion(c, bucket.versioning(), marker);
        c.write();
        return new DeleteResult(added.replaced(), Optional.of(added.version()));
    }

    Optional<ObjectVersion> deleteVersion(BucketName bucketName, ObjectKey key, String versionId) {
        return store.withKey(bucketName, key, (bucket, c) -> {
            Optional<Entry> entry = entry(bucketName, key, versionId);
            if (entry.isEmpty()) return Optional.empty();
            remove(c, entry.get());
            c.write();
            return Optional.of(entry.get().version());
        });
    }

    Optional<ObjectVersion> deleteVersionIf(ObjectVersion expected, Standing standing) {
        Place place = Place.of(standing);
        return store.withKey(expected.bucket(), expected.key(), (bucket, c) ->
                compareAndSet(expected, place, matched -> {
                    remove(c, matched);
                    c.write();
                    return matched.version();
                }));
    }
}
