package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The listing walks, over an iterator the caller positioned and bounded (its upper bound ends the
 * prefix) and closes. Cost is proportional to the page: each common prefix is emitted once and then
 * skipped with one seek to its byte-successor, so the keys under it are never read.
 *
 * <p>S3's rules, shared by ListObjects and ListMultipartUploads: an entry is a key (upload) or, when
 * the delimiter occurs in the key after the prefix, the common prefix ending at its first such
 * occurrence. Entries are emitted only if they sort strictly after the marker (so continuing from a
 * common prefix does not repeat it); keys and prefixes count together toward the maximum; the page
 * is truncated only if one more entry exists. Not thread-safe; static helpers.
 */
final class Listing {
    private Listing() {
    }

    /** First index {@code >= from} and {@code < end} where {@code needle} occurs in {@code hay}, or -1. */
    static int indexOf(byte[] hay, int from, int end, byte[] needle) {
        int last = end - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (hay[i] != first) continue;
            for (int j = 1; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /**
     * Lists objects. Row keys are {@code bucketPrefix key}; the iterator starts at or after
     * max(prefix, successor(after)) and its upper bound is the end of the prefix.
     */
    static ListPage objects(RocksIterator it, BucketName bucket, int bucketPrefixLength, byte[] prefix,
                            byte[] delimiter, byte[] after, int maxKeys) throws RocksDBException {
        List<ObjectVersion> objects = new ArrayList<>();
        List<String> commonPrefixes = new ArrayList<>();
        byte[] key = new byte[2048];
        byte[] value = new byte[4096];
        int count = 0;
        boolean truncated = false;
        String last = "";
        int keyStart = bucketPrefixLength;
        while (it.isValid()) {
            int keyLength = it.key(key);
            if (keyLength > key.length) {
                key = new byte[keyLength];
                it.key(key);
            }
            if (delimiter.length > 0) {
                int at = indexOf(key, keyStart + prefix.length, keyLength, delimiter);
                if (at >= 0) {
                    int cpEnd = at + delimiter.length;
                    boolean afterMarker = Arrays.compareUnsigned(key, keyStart, cpEnd, after, 0, after.length) > 0;
                    if (afterMarker) {
                        if (count == maxKeys) {
                            truncated = true;
                            break;
                        }
                        last = new String(key, keyStart, cpEnd - keyStart, StandardCharsets.UTF_8);
                        commonPrefixes.add(last);
                        count++;
                    }
                    byte[] next = Keys.successor(key, cpEnd);
                    if (next == null) break;
                    it.seek(next);
                    continue;
                }
            }
            if (count == maxKeys) {
                truncated = true;
                break;
            }
            int valueLength = it.value(value);
            if (valueLength > value.length) {
                value = new byte[Math.max(valueLength, value.length * 2)];
                it.value(value);
            }
            last = new String(key, keyStart, keyLength - keyStart, StandardCharsets.UTF_8);
            objects.add(ObjectVersionCodec.decode(bucket, new ObjectKey(last), value, 0, valueLength));
            count++;
            it.next();
        }
        it.status();
        return new ListPage(objects, commonPrefixes, truncated, truncated ? last : "");
    }

    /**
     * Lists uploads from the {@code upload-order} column family. The iterator starts at the first
     * candidate row; rows of key {@code marker} whose upload id is not above {@code filterIdAbove}
     * (when non-null) are skipped; common prefixes not after {@code marker} are skipped.
     */
    static UploadPage uploads(RocksIterator it, BucketName bucket, byte[] prefix, byte[] delimiter, byte[] marker,
                              byte[] filterIdAbove, int max) throws RocksDBException {
        List<MultipartUpload> uploads = new ArrayList<>();
        List<String> commonPrefixes = new ArrayList<>();
        int bucketPrefixLength = Keys.bucketPrefix(bucket).length;
        int[] end = new int[1];
        int count = 0;
        boolean truncated = false;
        String lastKey = "";
        String lastId = "";
        while (it.isValid()) {
            byte[] row = it.key();
            byte[] key = Keys.unescape(row, bucketPrefixLength, end);
            if (delimiter.length > 0) {
                int at = indexOf(key, prefix.length, key.length, delimiter);
                if (at >= 0) {
                    int cpEnd = at + delimiter.length;
                    if (Arrays.compareUnsigned(key, 0, cpEnd, marker, 0, marker.length) > 0) {
                        if (count == max) {
                            truncated = true;
                            break;
                        }
                        lastKey = new String(key, 0, cpEnd, StandardCharsets.UTF_8);
                        lastId = "";
                        commonPrefixes.add(lastKey);
                        count++;
                    }
                    byte[] next = Keys.successor(Keys.escapedPrefix(bucket, Arrays.copyOf(key, cpEnd)));
                    if (next == null) break;
                    it.seek(next);
                    continue;
                }
            }
            if (filterIdAbove != null && Arrays.equals(key, marker)) {
                byte[] id = Keys.unescape(row, end[0] + Keys.INSTANT_BYTES, end);
                if (Arrays.compareUnsigned(id, filterIdAbove) <= 0) {
                    it.next();
                    continue;
                }
            }
            if (count == max) {
                truncated = true;
                break;
            }
            MultipartUpload u = MultipartUploadCodec.decode(bucket, it.value());
            uploads.add(u);
            lastKey = u.key().value();
            lastId = u.uploadId();
            count++;
            it.next();
        }
        it.status();
        return truncated
                ? new UploadPage(uploads, commonPrefixes, true, lastKey, lastId)
                : new UploadPage(uploads, commonPrefixes, false, "", "");
    }

    /** Tells whether a {@code versions} row is the first (newest) of its key. */
    @FunctionalInterface
    interface NewestCheck {
        boolean isNewest(byte[] row) throws RocksDBException;
    }

    /**
     * Lists versions from the {@code versions} column family ({@code bucket 0x00 esc(key) ~order}).
     * The iterator starts at the first candidate row; common prefixes not after {@code keyMarker} are
     * skipped. A row is the latest of its key when it is the first row of that key the walk meets,
     * except for the very first row when the walk started inside the key marker's versions
     * ({@code startsMidKey}): then {@code check} decides.
     */
    static VersionPage versions(RocksIterator it, BucketName bucket, byte[] prefix, byte[] delimiter,
                                byte[] keyMarker, int max, boolean startsMidKey, NewestCheck check)
            throws RocksDBException {
        List<VersionPage.Entry> entries = new ArrayList<>();
        List<String> commonPrefixes = new ArrayList<>();
        int bucketPrefixLength = Keys.bucketPrefix(bucket).length;
        int[] end = new int[1];
        int count = 0;
        boolean truncated = false;
        boolean first = true;
        byte[] previousKey = null;
        ObjectKey previous = null;
        String lastKey = "";
        String lastId = "";
        while (it.isValid()) {
            byte[] row = it.key();
            byte[] key = Keys.unescape(row, bucketPrefixLength, end);
            if (end[0] + 8 != row.length) throw new RecordFormatException("version row of unexpected length");
            if (delimiter.length > 0) {
                int at = indexOf(key, prefix.length, key.length, delimiter);
                if (at >= 0) {
                    int cpEnd = at + delimiter.length;
                    if (Arrays.compareUnsigned(key, 0, cpEnd, keyMarker, 0, keyMarker.length) > 0) {
                        if (count == max) {
                            truncated = true;
                            break;
                        }
                        lastKey = new String(key, 0, cpEnd, StandardCharsets.UTF_8);
                        lastId = "";
                        commonPrefixes.add(lastKey);
                        count++;
                    }
                    first = false;
                    previousKey = null;
                    byte[] next = Keys.successor(Keys.escapedPrefix(bucket, Arrays.copyOf(key, cpEnd)));
                    if (next == null) break;
                    it.seek(next);
                    continue;
                }
            }
            if (count == max) {
                truncated = true;
                break;
            }
            boolean sameKey = previousKey != null && Arrays.equals(previousKey, key);
            boolean latest;
            if (first) {
                latest = !(startsMidKey && Arrays.equals(key, keyMarker)) || check.isNewest(row);
            } else {
                latest = !sameKey;
            }
            first = false;
            if (!sameKey) previous = new ObjectKey(new String(key, StandardCharsets.UTF_8));
            previousKey = key;
            ObjectVersion v = ObjectVersionCodec.decode(bucket, previous, it.value());
            entries.add(new VersionPage.Entry(v, latest));
            lastKey = previous.value();
            lastId = v.versionId();
            count++;
            it.next();
        }
        it.status();
        return truncated
                ? new VersionPage(entries, commonPrefixes, true, lastKey, lastId)
                : new VersionPage(entries, commonPrefixes, false, "", "");
    }
}
