package io.strata.namespace;

import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The paged object listings, read-only: ListObjects pages seek in {@code objects} (current versions
 * only, so a plain listing costs what it did before versioning), ListObjectVersions pages in
 * {@code versions}, with {@code null-versions} to place a {@code null} version id marker. Both
 * column families are written by {@link VersionTable}; {@link Listing} turns the rows into pages.
 * Takes no locks. Thread-safe.
 */
final class ListingTable {
    private final Store store;

    ListingTable(Store store) {
        this.store = store;
    }

    ListPage list(BucketName bucket, ListQuery query) {
        return store.call(() -> {
            store.requireBucket(bucket);
            if (query.maxKeys() == 0) return new ListPage(List.of(), List.of(), false, "");
            byte[] bucketPrefix = Keys.bucketPrefix(bucket);
            byte[] prefix = Keys.utf8(query.prefix());
            byte[] after = Keys.utf8(query.after());
            byte[] delimiter = Keys.utf8(query.delimiter());
            // Start at max(prefix, successor of after); the upper bound ends the scan when keys leave the prefix.
            byte[] start = after.length > 0 && Arrays.compareUnsigned(Keys.after(after), prefix) > 0
                    ? Keys.after(after) : prefix;
            byte[] lower = Keys.concat(bucketPrefix, start);
            byte[] upper = Keys.successor(Keys.concat(bucketPrefix, prefix));
            try (Slice upperSlice = new Slice(upper); ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = store.db.newIterator(store.objects, ro)) {
                it.seek(lower);
                return Listing.objects(it, bucket, bucketPrefix.length, prefix, delimiter, after, query.maxKeys());
            }
        });
    }

    VersionPage listVersions(BucketName bucket, VersionQuery query) {
        return store.call(() -> {
            store.requireBucket(bucket);
            if (query.maxKeys() == 0) return new VersionPage(List.of(), List.of(), false, "", "");
            byte[] prefix = Keys.utf8(query.prefix());
            byte[] keyMarker = Keys.utf8(query.keyMarker());
            byte[] base = Keys.escapedPrefix(bucket, prefix);
            byte[] start = base;
            boolean midKey = false;
            if (!query.keyMarker().isEmpty()) {
                byte[] markerRows = Keys.versionKeyPrefix(bucket, keyMarker);
                byte[] markerStart;
                String idMarker = query.versionIdMarker();
                if (idMarker.isEmpty()) {
                    markerStart = Keys.successor(markerRows);   // after every version of keyMarker
                } else if (idMarker.equals(ObjectVersion.NULL_VERSION)) {
                    byte[] order = isValidKey(query.keyMarker())
                            ? store.db.get(store.nullVersions, Keys.object(bucket, new ObjectKey(query.keyMarker())))
                            : null;
                    // Marker null version gone: list the key marker's versions from its newest (repeat, never drop).
                    markerStart = order == null ? markerRows : Keys.after(Keys.version(markerRows, Keys.decodeLong(order)));
                    midKey = order != null;
                } else {
                    // The id encodes its place: continue after it even if that version is gone meanwhile.
                    markerStart = Keys.after(Keys.version(markerRows, VersionIds.order(idMarker)));
                    midKey = true;
                }
                if (Arrays.compareUnsigned(markerStart, start) > 0) start = markerStart;
            }
            try (Slice upperSlice = new Slice(Keys.successor(base));
                 ReadOptions ro = new ReadOptions().setIterateUpperBound(upperSlice);
                 RocksIterator it = store.db.newIterator(store.versions, ro)) {
                it.seek(start);
                return Listing.versions(it, bucket, prefix, Keys.utf8(query.delimiter()), keyMarker,
                        query.maxKeys(), midKey, this::isNewestRow);
            }
        });
    }

    /** Whether {@code row} is the first row of its key in {@code versions}. */
    private boolean isNewestRow(byte[] row) throws RocksDBException {
        byte[] keyPrefix = Arrays.copyOf(row, row.length - 8);
        try (Slice upper = new Slice(Keys.successor(keyPrefix));
             ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = store.db.newIterator(store.versions, ro)) {
            it.seek(keyPrefix);
            boolean newest = it.isValid() && Arrays.equals(it.key(), row);
            it.status();
            return newest;
        }
    }

    /** Whether a marker from a client names a key that could exist (markers are not validated as keys). */
    static boolean isValidKey(String key) {
        try {
            new ObjectKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
