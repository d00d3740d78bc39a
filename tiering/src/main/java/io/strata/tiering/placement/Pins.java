package io.strata.tiering.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bucket prefixes pinned to the hot tier: lifecycle transitions and watermark eviction leave every
 * version under them alone. Immutable; changes return a new set.
 */
public record Pins(Set<Pin> pins) {
    /** Everything in {@code bucket} whose key starts with {@code prefix} ("" for the whole bucket). */
    public record Pin(String bucket, String prefix) implements Comparable<Pin> {
        public Pin {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(prefix, "prefix");
        }

        public boolean covers(String bucket, String key) {
            return this.bucket.equals(bucket) && key.startsWith(prefix);
        }

        @Override
        public int compareTo(Pin o) {
            int c = bucket.compareTo(o.bucket);
            return c != 0 ? c : prefix.compareTo(o.prefix);
        }
    }

    public Pins {
        pins = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(pins));
    }

    public static Pins none() {
        return new Pins(Set.of());
    }

    public boolean covers(String bucket, String key) {
        for (Pin p : pins) if (p.covers(bucket, key)) return true;
        return false;
    }

    public Pins with(Pin p) {
        Set<Pin> s = new TreeSet<>(pins);
        s.add(p);
        return new Pins(s);
    }

    public Pins without(Pin p) {
        Set<Pin> s = new TreeSet<>(pins);
        s.remove(p);
        return new Pins(s);
    }

    /** The prefixes pinned in one bucket. */
    public List<String> prefixes(String bucket) {
        List<String> out = new ArrayList<>();
        for (Pin p : pins) if (p.bucket().equals(bucket)) out.add(p.prefix());
        return out;
    }
}
