package io.strata.tiering.replication;

import io.strata.tiering.replication.ReplicationConfiguration.Destination;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The stored form of a bucket's {@link ReplicationConfiguration}, kept as the namespace's bucket
 * configuration of kind {@link #KIND}, so that whoever runs the configuration reads it without parsing the
 * client's XML.
 *
 * <p>Format v1, after the format version byte: the role, the rule count, then per rule its id, priority
 * (presence byte, value), status, filter (form, prefix, tags in order), the four optional settings
 * (DeleteMarkerReplication, ExistingObjectReplication, ReplicaModifications, SseKmsEncryptedObjects: 0
 * absent, 1 Enabled, 2 Disabled), the destination bucket ARN and storage class (presence byte, value).
 * Counts, lengths and numbers are unsigned LEB128 varints, strings UTF-8. Stateless and thread-safe.
 */
public final class ReplicationConfigurationCodec {
    /** The namespace bucket configuration kind the encoding is stored under. */
    public static final String KIND = "replication-configuration";
    static final int VERSION = 1;

    private ReplicationConfigurationCodec() {
    }

    /** Encodes {@code c}; equal configurations encode to equal bytes. */
    public static byte[] encode(ReplicationConfiguration c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(VERSION);
        string(out, c.role());
        varint(out, c.rules().size());
        for (Rule r : c.rules()) {
            string(out, r.id());
            out.write(r.priority().isPresent() ? 1 : 0);
            if (r.priority().isPresent()) varint(out, r.priority().getAsInt());
            out.write(r.enabled() ? 1 : 0);
            out.write(r.filter().form().ordinal());
            string(out, r.filter().prefix());
            varint(out, r.filter().tags().size());
            r.filter().tags().forEach((k, v) -> {
                string(out, k);
                string(out, v);
            });
            for (Setting s : List.of(r.deleteMarkerReplication(), r.existingObjectReplication(), r.replicaModifications(),
                    r.sseKmsEncryptedObjects())) {
                out.write(s.ordinal());
            }
            string(out, r.destination().bucketArn());
            out.write(r.destination().storageClass().isPresent() ? 1 : 0);
            r.destination().storageClass().ifPresent(sc -> string(out, sc));
        }
        return out.toByteArray();
    }

    /**
     * Decodes what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException naming the problem when the bytes are not a configuration of a known
     *         format version (truncated, trailing bytes, a value the configuration refuses)
     */
    public static ReplicationConfiguration decode(byte[] bytes) {
        In in = new In(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown replication configuration format version " + version
                    + ", expected " + VERSION);
        }
        String role = in.string();
        int n = in.count();
        List<Rule> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = in.string();
            OptionalInt priority = in.bool() ? OptionalInt.of(in.int31()) : OptionalInt.empty();
            boolean enabled = in.bool();
            Filter.Form form = in.pick(Filter.Form.values(), "filter form");
            String prefix = in.string();
            int tagCount = in.count();
            Map<String, String> tags = new LinkedHashMap<>();
            for (int t = 0; t < tagCount; t++) tags.put(in.string(), in.string());
            Filter filter = new Filter(prefix, tags, form);
            Setting deleteMarkers = in.pick(Setting.values(), "setting");
            Setting existing = in.pick(Setting.values(), "setting");
            Setting replicaModifications = in.pick(Setting.values(), "setting");
            Setting sseKms = in.pick(Setting.values(), "setting");
            String arn = in.string();
            Optional<String> storageClass = in.bool() ? Optional.of(in.string()) : Optional.empty();
            rules.add(new Rule(id, priority, enabled, filter, deleteMarkers, existing, replicaModifications, sseKms,
                    new Destination(arn, storageClass)));
        }
        in.end();
        return new ReplicationConfiguration(role, rules);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        if (v < 0) throw new IllegalArgumentException("negative value: " + v);
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(out, b.length);
        out.writeBytes(b);
    }

    /** Reads what encode wrote; every malformed input is an IllegalArgumentException, never an index error. */
    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int u8() {
            if (pos >= buf.length) throw new IllegalArgumentException("replication configuration truncated at byte " + pos);
            return buf[pos++] & 0xFF;
        }

        boolean bool() {
            int b = u8();
            if (b > 1) throw new IllegalArgumentException("bad flag " + b + " at byte " + (pos - 1));
            return b == 1;
        }

        <E> E pick(E[] values, String what) {
            int b = u8();
            if (b >= values.length) throw new IllegalArgumentException("unknown " + what + " " + b + " at byte " + (pos - 1));
            return values[b];
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

        String string() {
            int n = count();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void end() {
            if (pos != buf.length) throw new IllegalArgumentException((buf.length - pos) + " trailing bytes");
        }
    }
}
