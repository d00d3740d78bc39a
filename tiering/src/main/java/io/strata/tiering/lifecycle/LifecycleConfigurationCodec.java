package io.strata.tiering.lifecycle;

import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentExpiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentTransition;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Transition;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The stored form of a bucket's {@link LifecycleConfiguration}, kept as the namespace's bucket configuration
 * of kind {@link #KIND}: everything GetBucketLifecycleConfiguration answers (rule ids and order, status, the
 * filter and its form, every action) and the bucket's {@code x-amz-transition-default-minimum-object-size},
 * so that whoever runs the configuration reads it without parsing the client's XML.
 *
 * <p>Format v1, after the format version byte: the transition minimum size, the rule count, then per rule
 * its id, status, filter (form, prefix, tags in order, the two size bounds), Expiration, the
 * NoncurrentVersionExpiration, AbortIncompleteMultipartUpload days, Transitions and NoncurrentVersionTransitions.
 * Counts, lengths and numbers are unsigned LEB128 varints, strings UTF-8, an optional value a presence byte
 * then the value, an instant its epoch seconds (8 bytes big-endian) and nanoseconds (4 bytes). Stateless and
 * thread-safe.
 */
public final class LifecycleConfigurationCodec {
    /** The namespace bucket configuration kind the encoding is stored under. */
    public static final String KIND = "lifecycle-configuration";
    static final int VERSION = 1;

    private LifecycleConfigurationCodec() {
    }

    /** Encodes {@code c}; equal configurations encode to equal bytes. */
    public static byte[] encode(LifecycleConfiguration c) {
        Out out = new Out();
        out.u8(VERSION).varint(c.transitionMinimumSize()).varint(c.rules().size());
        for (Rule r : c.rules()) {
            out.string(r.id()).u8(r.enabled() ? 1 : 0);
            Filter f = r.filter();
            out.u8(f.form().ordinal()).string(f.prefix()).varint(f.tags().size());
            f.tags().forEach((k, v) -> out.string(k).string(v));
            out.optionalLong(f.sizeGreaterThan()).optionalLong(f.sizeLessThan());
            out.u8(r.expiration().isPresent() ? 1 : 0);
            r.expiration().ifPresent(x -> out.optionalInt(x.days()).optionalInstant(x.date())
                    .u8(x.expiredObjectDeleteMarker() ? 1 : 0));
            out.u8(r.noncurrentExpiration().isPresent() ? 1 : 0);
            r.noncurrentExpiration().ifPresent(x -> out.varint(x.noncurrentDays()).optionalInt(x.newerNoncurrentVersions()));
            out.optionalInt(r.abortIncompleteMultipartUploadDays());
            out.varint(r.transitions().size());
            for (Transition t : r.transitions()) {
                out.optionalInt(t.days()).optionalInstant(t.date()).string(t.storageClass());
            }
            out.varint(r.noncurrentTransitions().size());
            for (NoncurrentTransition t : r.noncurrentTransitions()) {
                out.varint(t.noncurrentDays()).optionalInt(t.newerNoncurrentVersions()).string(t.storageClass());
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException naming the problem when the bytes are not a configuration of a known
     *         format version (truncated, trailing bytes, a value the configuration refuses)
     */
    public static LifecycleConfiguration decode(byte[] bytes) {
        In in = new In(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown lifecycle configuration format version " + version
                    + ", expected " + VERSION);
        }
        long minimum = in.varint();
        int n = in.count();
        List<Rule> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = in.string();
            boolean enabled = in.bool();
            int form = in.u8();
            if (form >= Filter.Form.values().length) throw new IllegalArgumentException("unknown filter form " + form);
            String prefix = in.string();
            int tagCount = in.count();
            Map<String, String> tags = new LinkedHashMap<>();
            for (int t = 0; t < tagCount; t++) tags.put(in.string(), in.string());
            Filter filter = new Filter(prefix, tags, in.optionalLong(), in.optionalLong(), Filter.Form.values()[form]);
            Optional<Expiration> expiration = in.bool()
                    ? Optional.of(new Expiration(in.optionalInt(), in.optionalInstant(), in.bool())) : Optional.empty();
            Optional<NoncurrentExpiration> noncurrent = in.bool()
                    ? Optional.of(new NoncurrentExpiration(in.int31(), in.optionalInt())) : Optional.empty();
            OptionalInt abortDays = in.optionalInt();
            int transitionCount = in.count();
            List<Transition> transitions = new ArrayList<>(transitionCount);
            for (int t = 0; t < transitionCount; t++) {
                transitions.add(new Transition(in.optionalInt(), in.optionalInstant(), in.string()));
            }
            int noncurrentCount = in.count();
            List<NoncurrentTransition> noncurrentTransitions = new ArrayList<>(noncurrentCount);
            for (int t = 0; t < noncurrentCount; t++) {
                noncurrentTransitions.add(new NoncurrentTransition(in.int31(), in.optionalInt(), in.string()));
            }
            rules.add(new Rule(id, enabled, filter, expiration, noncurrent, abortDays, transitions, noncurrentTransitions));
        }
        in.end();
        return new LifecycleConfiguration(rules, minimum);
    }

    /** A growable array the fields are appended to. */
    private static final class Out {
        private byte[] buf = new byte[256];
        private int length;

        private void ensure(int more) {
            if (length + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }

        Out u8(int v) {
            ensure(1);
            buf[length++] = (byte) v;
            return this;
        }

        Out varint(long v) {
            if (v < 0) throw new IllegalArgumentException("negative value: " + v);
            while ((v & ~0x7FL) != 0) {
                u8((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            return u8((int) v);
        }

        Out i64(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) u8((int) (v >>> shift));
            return this;
        }

        Out string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, length, b.length);
            length += b.length;
            return this;
        }

        Out optionalInt(OptionalInt v) {
            return v.isPresent() ? u8(1).varint(v.getAsInt()) : u8(0);
        }

        Out optionalLong(OptionalLong v) {
            return v.isPresent() ? u8(1).varint(v.getAsLong()) : u8(0);
        }

        Out optionalInstant(Optional<Instant> v) {
            if (v.isEmpty()) return u8(0);
            u8(1).i64(v.get().getEpochSecond());
            int nanos = v.get().getNano();
            return u8(nanos >>> 24).u8(nanos >>> 16).u8(nanos >>> 8).u8(nanos);
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, length);
        }
    }

    /** Reads what {@link Out} wrote; every malformed input is an IllegalArgumentException, never an index error. */
    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int u8() {
            if (pos >= buf.length) throw new IllegalArgumentException("lifecycle configuration truncated at byte " + pos);
            return buf[pos++] & 0xFF;
        }

        boolean bool() {
            int b = u8();
            if (b > 1) throw new IllegalArgumentException("bad flag " + b + " at byte " + (pos - 1));
            return b == 1;
        }

        long varint() {
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
        int count() {
            long v = varint();
            if (v > buf.length - pos) throw new IllegalArgumentException("count " + v + " exceeds the record");
            return (int) v;
        }

        int int31() {
            long v = varint();
            if (v > Integer.MAX_VALUE) throw new IllegalArgumentException("number out of range: " + v);
            return (int) v;
        }

        long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = v << 8 | u8();
            return v;
        }

        String string() {
            int n = count();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        OptionalInt optionalInt() {
            return bool() ? OptionalInt.of(int31()) : OptionalInt.empty();
        }

        OptionalLong optionalLong() {
            return bool() ? OptionalLong.of(varint()) : OptionalLong.empty();
        }

        Optional<Instant> optionalInstant() {
            if (!bool()) return Optional.empty();
            long seconds = i64();
            int nanos = u8() << 24 | u8() << 16 | u8() << 8 | u8();
            try {
                return Optional.of(Instant.ofEpochSecond(seconds, nanos));
            } catch (DateTimeException | ArithmeticException e) {
                throw new IllegalArgumentException("bad instant", e);
            }
        }

        void end() {
            if (pos != buf.length) throw new IllegalArgumentException((buf.length - pos) + " trailing bytes");
        }
    }
}
