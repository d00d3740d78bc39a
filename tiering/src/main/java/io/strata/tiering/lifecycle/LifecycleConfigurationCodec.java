package io.strata.tiering.lifecycle;

import io.strata.tiering.ConfigBytes;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentExpiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentTransition;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Transition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

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
        ConfigBytes.Writer out = new ConfigBytes.Writer();
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
        ConfigBytes.Reader in = new ConfigBytes.Reader(bytes, "lifecycle configuration");
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
}
