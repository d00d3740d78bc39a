package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Appends the primitive fields of a stored record to a growable array (the codecs' DataOutputStream,
 * without its stream, checked exceptions and 64 KiB string limit). Lengths and counts are unsigned
 * LEB128 varints; strings are UTF-8; maps are written in key order so equal records encode equally.
 * Not thread-safe; one per encode.
 */
final class RecordWriter {
    private byte[] buf;
    private int length;

    RecordWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    RecordWriter u8(int v) {
        ensure(1);
        buf[length++] = (byte) v;
        return this;
    }

    RecordWriter varint(long v) {
        if (v < 0) throw new IllegalArgumentException("negative varint: " + v);
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[length++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[length++] = (byte) v;
        return this;
    }

    RecordWriter i32(int v) {
        ensure(4);
        buf[length++] = (byte) (v >>> 24);
        buf[length++] = (byte) (v >>> 16);
        buf[length++] = (byte) (v >>> 8);
        buf[length++] = (byte) v;
        return this;
    }

    RecordWriter i64(long v) {
        return i32((int) (v >>> 32)).i32((int) v);
    }

    RecordWriter bytes(byte[] b) {
        varint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, length, b.length);
        length += b.length;
        return this;
    }

    RecordWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    RecordWriter instant(Instant t) {
        return i64(t.getEpochSecond()).i32(t.getNano());
    }

    RecordWriter map(Map<String, String> m) {
        varint(m.size());
        for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
            string(e.getKey()).string(e.getValue());
        }
        return this;
    }

    /** A map in its own iteration order, for maps whose order means something (a tag set). */
    RecordWriter orderedMap(Map<String, String> m) {
        varint(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            string(e.getKey()).string(e.getValue());
        }
        return this;
    }

    /** Tags in their order, the canned ACL, the checksum type's ordinal. */
    RecordWriter attributes(ObjectAttributes a) {
        return orderedMap(a.tags()).string(a.cannedAcl()).u8(a.checksumType().ordinal());
    }

    RecordWriter segment(Segment s) {
        return varint(s.size()).bytes(s.ref());
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, length);
    }
}
