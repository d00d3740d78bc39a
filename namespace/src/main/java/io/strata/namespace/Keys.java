package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Row-key encodings. Every row of a bucket starts with {@code bucketName 0x00}: bucket names never
 * contain 0x00 (and 0x00 sorts first), so one bucket's rows are contiguous and never interleave
 * with another's.
 *
 * <ul>
 *   <li>objects: {@code bucket 0x00 keyUtf8}; the key is the rest of the row, so rows sort in
 *       UTF-8 binary order of the key (S3's listing order) whatever bytes the key holds.</li>
 *   <li>composite keys (uploads, upload order, parts) escape each variable-length string
 *       component: 0x00 becomes {@code 0x00 0xFF} and the component ends with {@code 0x00 0x01}.
 *       This preserves byte order of the component (a shorter string's terminator sorts before any
 *       continuation, including an escaped 0x00) and keeps it self-delimiting even when a key
 *       contains 0x00.</li>
 *   <li>versions: {@code bucket 0x00 esc(key) ~order} with the version order (see {@link VersionIds})
 *       as 8 bytes big-endian with every bit flipped, so a key's versions are contiguous, newest
 *       first, and keys keep UTF-8 binary order.</li>
 *   <li>instants: 8 bytes big-endian seconds with the sign bit flipped, then 4 bytes nanos.</li>
 * </ul>
 */
final class Keys {
    static final byte SEPARATOR = 0x00;
    static final int INSTANT_BYTES = 12;

    private Keys() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bucket(BucketName bucket) {
        return utf8(bucket.value());
    }

    /** {@code bucket 0x00}: the first bytes of every row of the bucket in every column family. */
    static byte[] bucketPrefix(BucketName bucket) {
        byte[] name = bucket(bucket);
        byte[] out = Arrays.copyOf(name, name.length + 1);
        out[name.length] = SEPARATOR;
        return out;
    }

    static byte[] object(BucketName bucket, ObjectKey key) {
        return concat(bucketPrefix(bucket), utf8(key.value()));
    }

    /** Row of a bucket configuration document in the {@code bucket-config} column family: bucket, kind. */
    static byte[] bucketConfig(BucketName bucket, String kind) {
        if (kind.isEmpty() || kind.indexOf('\0') >= 0) throw new IllegalArgumentException("bad config kind: " + kind);
        return concat(bucketPrefix(bucket), utf8(kind));
    }

    /** Row of an upload in the {@code uploads} column family: bucket, escaped key, escaped upload id. */
    static byte[] upload(BucketName bucket, ObjectKey key, String uploadId) {
        KeyBuilder b = new KeyBuilder(bucketPrefix(bucket));
        b.escaped(utf8(key.value())).escaped(utf8(uploadId));
        return b.toByteArray();
    }

    /** Row of an upload in the {@code upload-order} column family: bucket, escaped key, initiated, escaped id. */
    static byte[] uploadOrder(MultipartUpload u) {
        KeyBuilder b = new KeyBuilder(bucketPrefix(u.bucket()));
        b.escaped(utf8(u.key().value())).instant(u.initiated()).escaped(utf8(u.uploadId()));
        return b.toByteArray();
    }

    /** Rows of all uploads of {@code key} in {@code upload-order} start with this. */
    static byte[] uploadOrderKeyPrefix(BucketName bucket, byte[] keyUtf8) {
        return new KeyBuilder(bucketPrefix(bucket)).escaped(keyUtf8).toByteArray();
    }

    /** The escaped form of {@code prefix} without terminator: a prefix of every escaped key starting with it. */
    static byte[] escapedPrefix(BucketName bucket, byte[] prefixUtf8) {
        return new KeyBuilder(bucketPrefix(bucket)).escapedOpen(prefixUtf8).toByteArray();
    }

    /** Rows of all versions of a key in {@code versions} start with this: bucket, escaped key. */
    static byte[] versionKeyPrefix(BucketName bucket, byte[] keyUtf8) {
        return new KeyBuilder(bucketPrefix(bucket)).escaped(keyUtf8).toByteArray();
    }

    /** Row of one version in {@code versions}. */
    static byte[] version(byte[] versionKeyPrefix, long order) {
        byte[] out = Arrays.copyOf(versionKeyPrefix, versionKeyPrefix.length + 8);
        putLong(out, versionKeyPrefix.length, ~order);
        return out;
    }

    /** The version order at the end of a {@code versions} row. */
    static long versionOrder(byte[] row) {
        if (row.length < 8) throw new RecordFormatException("version row of " + row.length + " bytes");
        return ~getLong(row, row.length - 8);
    }

    /** Row of a part: the upload's row, then the part number as 4 bytes big-endian. */
    static byte[] part(byte[] uploadRow, int partNumber) {
        byte[] out = Arrays.copyOf(uploadRow, uploadRow.length + 4);
        putInt(out, uploadRow.length, partNumber);
        return out;
    }

    static int partNumber(byte[] partRow) {
        int o = partRow.length - 4;
        return (partRow[o] & 0xFF) << 24 | (partRow[o + 1] & 0xFF) << 16 | (partRow[o + 2] & 0xFF) << 8
                | (partRow[o + 3] & 0xFF);
    }

    static byte[] garbage(long id) {
        byte[] out = new byte[8];
        putLong(out, 0, id);
        return out;
    }

    static long garbageId(byte[] row) {
        if (row.length != 8) throw new RecordFormatException("garbage row of " + row.length + " bytes");
        return getLong(row, 0);
    }

    static byte[] encodeLong(long v) {
        return garbage(v);
    }

    static long decodeLong(byte[] b) {
        if (b.length != 8) throw new RecordFormatException("long of " + b.length + " bytes");
        return getLong(b, 0);
    }

    /**
     * Reads the escaped component starting at {@code offset} of {@code row}: returns the unescaped
     * bytes; {@code end[0]} receives the offset after the terminator.
     */
    static byte[] unescape(byte[] row, int offset, int[] end) {
        byte[] out = new byte[row.length - offset];
        int n = 0;
        int i = offset;
        while (true) {
            if (i >= row.length) throw new RecordFormatException("unterminated key component");
            byte b = row[i++];
            if (b != SEPARATOR) {
                out[n++] = b;
                continue;
            }
            if (i >= row.length) throw new RecordFormatException("unterminated key component");
            byte next = row[i++];
            if (next == (byte) 0x01) break;
            if (next != (byte) 0xFF) throw new RecordFormatException("bad escape in key component");
            out[n++] = SEPARATOR;
        }
        end[0] = i;
        return Arrays.copyOf(out, n);
    }

    /**
     * The smallest byte string greater than every string that starts with {@code prefix}, or null if
     * there is none (prefix empty or all 0xFF).
     */
    static byte[] successor(byte[] prefix) {
        return successor(prefix, prefix.length);
    }

    /** {@link #successor(byte[])} of the first {@code length} bytes of {@code prefix}. */
    static byte[] successor(byte[] prefix, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] out = Arrays.copyOf(prefix, i + 1);
                out[i]++;
                return out;
            }
        }
        return null;
    }

    /** The smallest byte string greater than {@code s}: {@code s 0x00}. */
    static byte[] after(byte[] s) {
        return Arrays.copyOf(s, s.length + 1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static boolean startsWith(byte[] s, int sLength, byte[] prefix) {
        return sLength >= prefix.length && Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length);
    }

    static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static void putLong(byte[] b, int o, long v) {
        putInt(b, o, (int) (v >>> 32));
        putInt(b, o + 4, (int) v);
    }

    static long getLong(byte[] b, int o) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[o + i] & 0xFF);
        }
        return v;
    }

    /** Builds a composite row key. */
    private static final class KeyBuilder {
        private byte[] buf;
        private int length;

        KeyBuilder(byte[] start) {
            buf = Arrays.copyOf(start, start.length + 64);
            length = start.length;
        }

        private void ensure(int more) {
            if (length + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }

        KeyBuilder escapedOpen(byte[] s) {
            ensure(s.length * 2);
            for (byte b : s) {
                buf[length++] = b;
                if (b == SEPARATOR) buf[length++] = (byte) 0xFF;
            }
            return this;
        }

        KeyBuilder escaped(byte[] s) {
            escapedOpen(s);
            ensure(2);
            buf[length++] = SEPARATOR;
            buf[length++] = 0x01;
            return this;
        }

        KeyBuilder instant(Instant t) {
            ensure(INSTANT_BYTES);
            putLong(buf, length, t.getEpochSecond() ^ Long.MIN_VALUE);
            putInt(buf, length + 8, t.getNano());
            length += INSTANT_BYTES;
            return this;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, length);
        }
    }
}
