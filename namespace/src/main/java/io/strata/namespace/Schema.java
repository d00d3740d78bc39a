package io.strata.namespace;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace's format version (the {@code meta} row {@code format-version}, one byte) and the
 * migrations that bring an older database to it, run once at open before any call.
 *
 * <p>Format 1 (before versioning) had no {@code versions}: opening it adds each object's row there
 * as its {@code null} version (in batches; rerun whole if interrupted), then records format 2.
 */
final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);

    static final int FORMAT_VERSION = 2;
    /** Rows per batch while upgrading a format 1 namespace. */
    private static final int MIGRATION_BATCH = 10_000;
    private static final byte[] META_FORMAT = Keys.utf8("format-version");

    private Schema() {
    }

    /**
     * Checks or writes the format version, upgrading a format 1 database.
     *
     * @throws NamespaceException UNAVAILABLE if the database holds a format this code does not know
     */
    static void checkOrUpgrade(Store store) throws RocksDBException {
        byte[] format = store.db.get(store.meta, META_FORMAT);
        if (format == null) {
            store.putMeta(META_FORMAT, new byte[] {FORMAT_VERSION});
        } else if (format.length == 1 && format[0] == 1) {
            migrateToVersions(store);
            store.putMeta(META_FORMAT, new byte[] {FORMAT_VERSION});
        } else if (format.length != 1 || format[0] != FORMAT_VERSION) {
            throw new NamespaceException(Reason.UNAVAILABLE, "namespace in " + store.directory + " has format "
                    + Arrays.toString(format) + "; this version reads formats 1 and " + FORMAT_VERSION);
        }
    }

    /**
     * Format 1 → 2: every current object becomes its key's {@code null} version. Rows are derived
     * from the objects alone, so rerunning after a crash rewrites the same rows.
     */
    private static void migrateToVersions(Store store) throws RocksDBException {
        long[] migrated = {0};
        WriteBatch[] batch = {new WriteBatch()};
        try {
            store.scan(store.objects, new byte[0], null, (k, v) -> {
                int sep = 0;
                while (sep < k.length && k[sep] != Keys.SEPARATOR) sep++;
                if (sep == k.length) throw new RecordFormatException("object row without bucket separator");
                BucketName bucket = new BucketName(new String(k, 0, sep, StandardCharsets.UTF_8));
                byte[] keyUtf8 = Arrays.copyOfRange(k, sep + 1, k.length);
                ObjectKey key = new ObjectKey(new String(keyUtf8, StandardCharsets.UTF_8));
                ObjectVersion version = ObjectVersionCodec.decode(bucket, key, v);
                long order = VersionIds.nextOrder(version.lastModified(), 0);
                batch[0].put(store.versions, Keys.version(Keys.versionKeyPrefix(bucket, keyUtf8), order), v);
                batch[0].put(store.nullVersions, k, Keys.encodeLong(order));
                if (++migrated[0] % MIGRATION_BATCH == 0) {
                    store.write(batch[0]);
                    batch[0].close();
                    batch[0] = new WriteBatch();
                }
                return true;
            });
            store.write(batch[0]);
        } finally {
            batch[0].close();
        }
        log.info("namespace {} upgraded to format {}: {} objects became null versions", store.directory,
                FORMAT_VERSION, migrated[0]);
    }
}
