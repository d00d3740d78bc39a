package io.strata.tiering;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The field encoding the stored bucket configurations (lifecycle, replication) share, so each codec states
 * only its layout: counts, lengths and numbers are unsigned LEB128 varints, strings UTF-8 with their length
 * first, an optional value a presence byte then the value, an instant its epoch seconds (8 bytes
 * big-endian) then nanoseconds (4 bytes).
 */
public final class ConfigBytes {
    private ConfigBytes() {
    }

    /** A growable array the fields are appended to. Not thread-safe; one per encode. */
    public static final class Writer {
        private byte[] buf = new byte[256];
        private int length;

        private void ensure(int more) {
            if (length + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }

        public Writer u8(int v) {
            ensure(1);
            buf[length++] = (byte) v;
            return this;
        }

        public Writer bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        public Writer varint(long v) {
            if (v < 0) throw new IllegalArgumentException("negative value: " + v);
            while ((v & ~0x7FL) != 0) {
                u8((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            return u8((int) v);
        }

        public Writer i64(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) u8((int) (v >>> shift));
            return this;
        }

        public Writer string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, length, b.length);
            length += b.length;
            return this;
        }

        public Writer optionalInt(OptionalInt v) {
            return v.isPresent() ? u8(1).varint(v.getAsInt()) : u8(0);
        }

        public Writer optionalLong(OptionalLong v) {
            return v.isPresent() ? u8(1).varint(v.getAsLong()) : u8(0);
        }

        public Writer optionalString(Optional<String> v) {
            return v.isPresent() ? u8(1).string(v.get()) : u8(0);
        }

        public Writer optionalInstant(Optional<Instant> v) {
            if (v.isEmpty()) return u8(0);
            u8(1).i64(v.get().getEpochSecond());
            int nanos = v.get().getNano();
            return u8(nanos >>> 24).u8(nanos >>> 16).u8(nanos >>> 8).u8(nanos);
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(buf, length);
        }
    }

    /**
     * Reads what {@link Writer} wrote. Every malformed input (truncation, an overlong varint, a count larger
     * than the bytes left, trailing bytes) is an IllegalArgumentException naming it, never an index error.
     * Not thread-safe; one per decode.
     */
    public static final class Reader {
        private final byte[] buf;
        private final String what;
        private int pos;

        /** @param what the record's name in messages, e.g. "lifecycle configuration" */
        public Reader(byte[] buf, String what) {
            this.buf = buf;
            this.what = what;
        }

        public int u8() {
            if (pos >= buf.length) throw new IllegalArgumentException(what + " truncated at byte " + pos);
            return buf[pos++] & 0xFF;
        }

        public boolean bool() {
            int b = u8();
            if (b > 1) throw new IllegalArgumentException("bad flag " + b + " at byte " + (pos - 1));
            return b == 1;
        }

        /** One byte naming a constant by its ordinal. */
        public <E> E pick(E[] values, String name) {
            int b = u8();
            if (b >= values.length) throw new IllegalArgumentException("unknown " + name + " " + b + " at byte " + (pos - 1));
            return values[b];
        }

        public long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0) throw new IllegalArgumentException("number out of range at byte " + pos);
                    return v;
                }
            }
            throw new IllegalArgumentException("number too long at byte " + pos);
        }

        /** A count or length, which cannot exceed the bytes left (each item takes at least one). */
        public int count() {
            long v = varint();
            if (v > buf.length - pos) throw new IllegalArgumentException("count " + v + " exceeds the record");
            return (int) v;
        }

        public int int31() {
            long v = varint();
            if (v > Integer.MAX_VALUE) throw new IllegalArgumentException("number out of range: " + v);
            return (int) v;
        }

        public long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = v << 8 | u8();
            return v;
        }

        public String string() {
            int n = count();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        public OptionalInt optionalInt() {
            return bool() ? OptionalInt.of(int31()) : OptionalInt.empty();
        }

        public OptionalLong optionalLong() {
            return bool() ? OptionalLong.of(varint()) : OptionalLong.empty();
        }

        public Optional<String> optionalString() {
            return bool() ? Optional.of(string()) : Optional.empty();
        }

        public Optional<Instant> optionalInstant() {
            if (!bool()) return Optional.empty();
            long seconds = i64();
            int nanos = u8() << 24 | u8() << 16 | u8() << 8 | u8();
            try {
                return Optional.of(Instant.ofEpochSecond(seconds, nanos));
            } catch (DateTimeException | ArithmeticException e) {
                throw new IllegalArgumentException("bad instant", e);
            }
        }

        /** Fails when bytes are left over: a record is read whole or not at all. */
        public void end() {
            if (pos != buf.length) throw new IllegalArgumentException((buf.length - pos) + " trailing bytes");
        }
    }
}
