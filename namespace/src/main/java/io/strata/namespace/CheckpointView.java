package io.strata.namespace;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * {@link NamespaceView} over a RocksDB checkpoint opened read-only: the live namespace's own table
 * classes read it, so a listing of the view and of the namespace at that point are the same code.
 * The sequence and time come from the {@code meta} rows the namespace wrote just before the
 * checkpoint ({@link RocksDbNamespace#checkpoint}). Thread-safe.
 */
final class CheckpointView implements NamespaceView {
    static final byte[] META_SEQUENCE = Keys.utf8("checkpoint-sequence");
    static final byte[] META_TAKEN_AT = Keys.utf8("checkpoint-taken-at");

    private final Store store;
    private final BucketTable buckets;
    private final ListingTable listings;
    private final long sequence;
    private final Instant takenAt;

    private CheckpointView(Store store, long sequence, Instant takenAt) {
        this.store = store;
        WorkTable work = new WorkTable(store);
        VersionTable versions = new VersionTable(store, work);
        this.buckets = new BucketTable(store, versions, new UploadTable(store, versions));
        this.listings = new ListingTable(store);
        this.sequence = sequence;
        this.takenAt = takenAt;
    }

    /**
     * Opens the checkpoint in {@code directory} read-only.
     *
     * @throws NamespaceException UNAVAILABLE if it is not a checkpoint written by {@link Namespace#checkpoint}
     *                            or holds a format this code does not read
     */
    static CheckpointView open(Path directory) {
        Store store = Store.openReadOnly(directory);
        try {
            return store.call(() -> {
                byte[] format = store.db.get(store.meta, Keys.utf8("format-version"));
                if (format == null || format.length != 1 || format[0] != Schema.FORMAT_VERSION) {
                    throw new NamespaceException(NamespaceException.Reason.UNAVAILABLE, "checkpoint in " + directory
                            + " does not hold namespace format " + Schema.FORMAT_VERSION);
                }
                byte[] sequence = store.db.get(store.meta, META_SEQUENCE);
                byte[] takenAt = store.db.get(store.meta, META_TAKEN_AT);
                if (sequence == null || takenAt == null) {
                    throw new NamespaceException(NamespaceException.Reason.UNAVAILABLE, directory
                            + " is a namespace but not a checkpoint (no checkpoint sequence)");
                }
                return new CheckpointView(store, Keys.decodeLong(sequence),
                        Instant.ofEpochSecond(0, 0).plusNanos(Keys.decodeLong(takenAt)));
            });
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public Instant takenAt() {
        return takenAt;
    }

    @Override
    public List<Bucket> buckets() {
        return buckets.buckets();
    }

    @Override
    public Optional<Bucket> bucket(BucketName name) {
        return buckets.bucket(name);
    }

    @Override
    public SortedMap<String, byte[]> bucketConfigs(BucketName bucket) {
        return buckets.configs(bucket);
    }

    @Override
    public VersionPage listVersions(BucketName bucket, VersionQuery query) {
        return listings.listVersions(bucket, query);
    }

    @Override
    public ChangePage changes(long afterSequence, int limit) {
        return store.call(() -> store.changeLog.stored(afterSequence, limit));
    }

    @Override
    public void close() {
        store.close();
    }
}
