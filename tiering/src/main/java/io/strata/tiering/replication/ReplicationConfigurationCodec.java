package io.strata.tiering.replication;

import io.strata.tiering.ConfigBytes;
import io.strata.tiering.replication.ReplicationConfiguration.Destination;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;

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
        ConfigBytes.Writer out = new ConfigBytes.Writer();
        out.u8(VERSION).string(c.role()).varint(c.rules().size());
        for (Rule r : c.rules()) {
            out.string(r.id()).optionalInt(r.priority()).bool(r.enabled());
            out.u8(r.filter().form().ordinal()).string(r.filter().prefix()).varint(r.filter().tags().size());
            r.filter().tags().forEach((k, v) -> out.string(k).string(v));
            for (Setting s : List.of(r.deleteMarkerReplication(), r.existingObjectReplication(), r.replicaModifications(),
                    r.sseKmsEncryptedObjects())) {
                out.u8(s.ordinal());
            }
            out.string(r.destination().bucketArn()).optionalString(r.destination().storageClass());
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
        ConfigBytes.Reader in = new ConfigBytes.Reader(bytes, "replication configuration");
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
            OptionalInt priority = in.optionalInt();
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
            Optional<String> storageClass = in.optionalString();
            rules.add(new Rule(id, priority, enabled, filter, deleteMarkers, existing, replicaModifications, sseKms,
                    new Destination(arn, storageClass)));
        }
        in.end();
        return new ReplicationConfiguration(role, rules);
    }
}
