package io.strata.namespace;

import io.strata.namespace.NamespaceException.Reason;
import io.strata.namespace.Store.Commit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code buckets} column family (bucket name → {@link BucketCodec}, versioning state included)
 * and {@code bucket-config} ({@code bucket 0x00 kind} → the configuration document, opaque bytes).
 * Creating, deleting and changing the versioning of a bucket hold its lock exclusively; writing a
 * configuration document shares it. Thread-safe; every method is one call in the store's gate.
 */
final class BucketTable {
    private final Store store;
    private final VersionTable versions;
    private final UploadTable uploads;

    BucketTable(Store store, VersionTable versions, UploadTable uploads) {
        this.store = store;
        this.versions = versions;
        this.uploads = uploads;
    }

    void create(Bucket bucket) {
        store.inBucket(bucket.name(), true, () -> {
            byte[] row = Keys.bucket(bucket.name());
            if (store.db.get(store.buckets, row) != null) {
                throw new NamespaceException(Reason.BUCKET_EXISTS, "bucket exists: " + bucket.name());
            }
            try (Commit c = store.commit()) {
                c.put(store.buckets, row, BucketCodec.encode(bucket))
                        .change(ChangeEntry.Kind.BUCKET_CREATED, bucket.name(), "").write();
            }
            return null;
        });
    }

    Optional<Bucket> bucket(BucketName name) {
        return store.call(() -> {
            byte[] value = store.db.get(store.buckets, Keys.bucket(name));
            return value == null ? Optional.empty() : Optional.of(BucketCodec.decode(name, value));
        });
    }

    List<Bucket> buckets() {
        return store.call(() -> {
            List<Bucket> out = new ArrayList<>();
            store.scan(store.buckets, new byte[0], null, (k, v) -> {
                out.add(BucketCodec.decode(new BucketName(new String(k, StandardCharsets.UTF_8)), v));
                return true;
            });
            return out;
        });
    }

    void delete(BucketName name) {
        store.inBucket(name, true, () -> {
            store.requireBucket(name);
            if (versions.hasEntries(name)) {
                throw new NamespaceException(Reason.BUCKET_NOT_EMPTY, "bucket not empty: " + name);
            }
            byte[] from = Keys.bucketPrefix(name);
            try (Commit c = store.commit()) {
                // Uploads in progress go with the bucket; their parts' data becomes garbage.
                uploads.dropAll(c, name);
                store.scan(store.bucketConfig, from, Keys.successor(from), (k, v) -> {
                    c.delete(store.bucketConfig, k);
                    return true;
                });
                c.delete(store.buckets, Keys.bucket(name)).change(ChangeEntry.Kind.BUCKET_DELETED, name, "").write();
            }
            return null;
        });
    }

    void setVersioning(BucketName name, BucketVersioning state) {
        // Exclusive: writes in flight (which read the state under the shared lock) finish first.
        store.inBucket(name, true, () -> {
            Bucket b = store.readBucket(name);
            if (b.versioning() == state) return null;
            if (state == BucketVersioning.UNVERSIONED) {
                throw new IllegalArgumentException("a versioned bucket cannot become unversioned: " + name);
            }
            try (Commit c = store.commit()) {
                c.put(store.buckets, Keys.bucket(name), BucketCodec.encode(b.withVersioning(state)))
                        .change(ChangeEntry.Kind.BUCKET_VERSIONING, name, state.name()).write();
            }
            return null;
        });
    }

    Optional<byte[]> config(BucketName bucket, String kind) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        return store.call(() -> {
            store.requireBucket(bucket);
            return Optional.ofNullable(store.db.get(store.bucketConfig, row));
        });
    }

    void putConfig(BucketName bucket, String kind, byte[] document) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        byte[] value = document.clone();
        // Shared bucket lock: deleteBucket (exclusive) cannot remove the bucket between check and write.
        store.inBucket(bucket, false, () -> {
            store.requireBucket(bucket);
            try (Commit c = store.commit()) {
                c.put(store.bucketConfig, row, value).change(ChangeEntry.Kind.BUCKET_CONFIG_PUT, bucket, kind).write();
            }
            return null;
        });
    }

    boolean deleteConfig(BucketName bucket, String kind) {
        byte[] row = Keys.bucketConfig(bucket, kind);
        return store.inBucket(bucket, false, () -> {
            store.requireBucket(bucket);
            if (store.db.get(store.bucketConfig, row) == null) return false;
            try (Commit c = store.commit()) {
                c.delete(store.bucketConfig, row).change(ChangeEntry.Kind.BUCKET_CONFIG_DELETED, bucket, kind).write();
            }
            return true;
        });
    }

    /** Every configuration document of the bucket, by kind in byte order. @throws NamespaceException BUCKET_NOT_FOUND */
    java.util.SortedMap<String, byte[]> configs(BucketName bucket) {
        return store.call(() -> {
            store.requireBucket(bucket);
            byte[] from = Keys.bucketPrefix(bucket);
            java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
            store.scan(store.bucketConfig, from, Keys.successor(from), (k, v) -> {
                out.put(new String(k, from.length, k.length - from.length, StandardCharsets.UTF_8), v);
                return true;
            });
            return out;
        });
    }
}
