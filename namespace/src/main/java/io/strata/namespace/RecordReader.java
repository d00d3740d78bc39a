package io.strata.namespace;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads what {@link RecordWriter} wrote, from a slice of an array (so a reused iterator buffer can
 * be decoded in place). Every malformed input (truncation, overlong varint, negative or oversized
 * length, trailing bytes, unknown version) fails with {@link RecordFormatException}, never with an
 * index exception or a half-built record. Not thread-safe; one per decode.
 */
final class RecordReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    RecordReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    RecordReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Reads the leading format version byte and rejects any other than {@code expected}. */
    RecordReader version(String record, int expected) {
        int v = u8();
        if (v != expected) {
            throw new RecordFormatException("unknown " + record + " format version " + v + ", expected " + expected);
        }
        return this;
    }

    /** Reads the leading format version byte and rejects any outside {@code [oldest, newest]}; returns it. */
    int version(String record, int oldest, int newest) {
        int v = u8();
        if (v < oldest || v > newest) {
            throw new RecordFormatException("unknown " + record + " format version " + v + ", expected " + oldest
                    + ".." + newest);
        }
        return v;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) throw new RecordFormatException("record truncated at byte " + pos);
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) throw new RecordFormatException("varint out of range");
                return v;
            }
        }
        throw new RecordFormatException("varint too long");
    }

    int count() {
        long v = varint();
        if (v > end - pos) throw new RecordFormatException("count " + v + " exceeds the record");
        return (int) v;
    }

    int i32() {
        need(4);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long i64() {
        return (long) i32() << 32 | (i32() & 0xFFFFFFFFL);
    }

    byte[] bytes() {
        int n = count();
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    String string() {
        int n = count();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    Instant instant() {
        long seconds = i64();
        int nanos = i32();
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (DateTimeException | ArithmeticException e) {
            throw new RecordFormatException("bad instant", e);
        }
    }

    Map<String, String> map() {
        int n = count();
        Map<String, String> m = new HashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            m.put(string(), string());
        }
        return m;
    }

    /** What {@link RecordWriter#orderedMap} wrote, in its order. */
    Map<String, String> orderedMap() {
        int n = count();
        Map<String, String> m = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            m.put(string(), string());
        }
        return m;
    }

    /** What {@link RecordWriter#attributes} wrote. */
    ObjectAttributes attributes() {
        Map<String, String> tags = orderedMap();
        String acl = string();
        int type = u8();
        ChecksumType[] types = ChecksumType.values();
        if (type >= types.length) throw new RecordFormatException("checksum type " + type);
        return new ObjectAttributes(tags, acl, types[type]);
    }

    Segment segment() {
        long size = varint();
        return new Segment(size, bytes());
    }

    /** Rejects trailing bytes: a record of a known version is read exactly. */
    void end() {
        if (pos != end) throw new RecordFormatException((end - pos) + " trailing bytes");
    }
}
