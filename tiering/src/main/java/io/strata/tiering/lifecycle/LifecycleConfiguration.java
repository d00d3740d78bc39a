package io.strata.tiering.lifecycle;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A bucket's lifecycle configuration as S3 defines it (PutBucketLifecycleConfiguration), already
 * validated by whoever parsed it: this tree carries no XML and checks only what makes it unusable
 * (nulls, counts). Immutable and thread-safe.
 *
 * <p>{@code transitionMinimumSize}: S3's default since 2024 (header
 * {@code x-amz-transition-default-minimum-object-size: all_storage_classes_128K}) keeps objects
 * smaller than 128 KiB out of transitions unless a rule's filter sets ObjectSizeGreaterThan;
 * {@code varies_by_storage_class} lifts that for Strata's tiers (0).
 */
public record LifecycleConfiguration(List<Rule> rules, long transitionMinimumSize) {
    /** S3's limit on rules per configuration. */
    public static final int MAX_RULES = 1000;
    /** Objects smaller than this are not transitioned by default (S3's all_storage_classes_128K). */
    public static final long DEFAULT_TRANSITION_MINIMUM_SIZE = 128 * 1024;

    /** A configuration with S3's default transition minimum (128 KiB). */
    public LifecycleConfiguration(List<Rule> rules) {
        this(rules, DEFAULT_TRANSITION_MINIMUM_SIZE);
    }

    public LifecycleConfiguration {
        if (transitionMinimumSize < 0) throw new IllegalArgumentException("transitionMinimumSize < 0");
        rules = List.copyOf(rules);
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            throw new IllegalArgumentException("1.." + MAX_RULES + " rules, got " + rules.size());
        }
    }

    /** When a current object expires and by which rule: what S3 announces in {@code x-amz-expiration}. */
    public record Expiry(Instant date, String ruleId) {
        public Expiry {
            Objects.requireNonNull(date, "date");
            Objects.requireNonNull(ruleId, "ruleId");
        }
    }

    /**
     * The earliest expiration that an enabled rule's Expiration (Days or Date) sets for a current
     * object with this key, size, tags and creation time; empty when no such rule selects it.
     * Days are counted as S3 counts them ({@link #dueAt}).
     */
    public Optional<Expiry> expiry(String key, long size, Map<String, String> tags, Instant created) {
        Expiry earliest = null;
        for (Rule r : rules) {
            if (!r.enabled() || r.expiration().isEmpty() || !r.filter().matches(key, size, tags)) continue;
            Expiration x = r.expiration().get();
            Instant at = x.days().isPresent() ? dueAt(created, x.days().getAsInt()) : x.date().orElse(null);
            if (at != null && (earliest == null || at.isBefore(earliest.date()))) earliest = new Expiry(at, r.id());
        }
        return Optional.ofNullable(earliest);
    }

    /**
     * The first midnight UTC at or after {@code base} plus {@code days}: when S3 acts on a rule of
     * Days ("Lifecycle configuration elements", AWS S3 User Guide: the days are added to the
     * creation time and the result rounded up to the next midnight UTC).
     */
    public static Instant dueAt(Instant base, int days) {
        Instant t = base.plus(days, java.time.temporal.ChronoUnit.DAYS);
        Instant midnight = t.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        return midnight.equals(t) ? t : midnight.plus(1, java.time.temporal.ChronoUnit.DAYS);
    }

    /**
     * One rule. At least one action is present (checked by the parser, which names S3's error).
     *
     * @param abortIncompleteMultipartUploadDays DaysAfterInitiation of AbortIncompleteMultipartUpload
     */
    public record Rule(String id, boolean enabled, Filter filter, Optional<Expiration> expiration,
                       Optional<NoncurrentExpiration> noncurrentExpiration,
                       OptionalInt abortIncompleteMultipartUploadDays, List<Transition> transitions,
                       List<NoncurrentTransition> noncurrentTransitions) {
        public Rule {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(expiration, "expiration");
            Objects.requireNonNull(noncurrentExpiration, "noncurrentExpiration");
            Objects.requireNonNull(abortIncompleteMultipartUploadDays, "abortIncompleteMultipartUploadDays");
            transitions = List.copyOf(transitions);
            noncurrentTransitions = List.copyOf(noncurrentTransitions);
        }
    }

    /**
     * Which objects a rule applies to: all conditions hold (S3's And). A legacy top-level Prefix and
     * an empty Filter are both a filter with prefix only.
     *
     * @param tags            tag conditions, in the order the client gave them (GET answers them so)
     * @param sizeGreaterThan ObjectSizeGreaterThan in bytes (exclusive), if given
     * @param sizeLessThan    ObjectSizeLessThan in bytes (exclusive), if given
     * @param form            how the client wrote the filter, which GetBucketLifecycleConfiguration answers
     *                        back; it changes nothing about which objects match
     */
    public record Filter(String prefix, Map<String, String> tags, OptionalLong sizeGreaterThan,
                         OptionalLong sizeLessThan, Form form) {
        public static final Filter ALL = new Filter("", Map.of(), OptionalLong.empty(), OptionalLong.empty(), Form.EMPTY);

        /** The shapes S3 accepts for a rule's filter. */
        public enum Form {
            /** The older rule-level {@code <Prefix>} (no Filter element). */
            RULE_PREFIX,
            /** {@code <Filter/>}: no condition, every object. */
            EMPTY,
            /** {@code <Filter>} holding one condition: Prefix (possibly empty), one Tag or one size bound. */
            SINGLE,
            /** {@code <Filter><And>...</And></Filter>}; an empty Prefix inside And is not kept. */
            AND
        }

        /** Validates the form against the conditions and copies the tags, keeping their order. */
        public Filter {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(sizeGreaterThan, "sizeGreaterThan");
            Objects.requireNonNull(sizeLessThan, "sizeLessThan");
            Objects.requireNonNull(form, "form");
            Map<String, String> copy = new LinkedHashMap<>();
            tags.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "tag key"), Objects.requireNonNull(v, "tag value")));
            tags = Collections.unmodifiableMap(copy);
            int others = tags.size() + (sizeGreaterThan.isPresent() ? 1 : 0) + (sizeLessThan.isPresent() ? 1 : 0);
            boolean fits = switch (form) {
                case RULE_PREFIX -> others == 0;
                case EMPTY -> others == 0 && prefix.isEmpty();
                case SINGLE -> others + (prefix.isEmpty() ? 0 : 1) <= 1;
                case AND -> true;
            };
            if (!fits) throw new IllegalArgumentException("a filter of form " + form + " cannot hold these conditions");
        }

        /** A filter in the form its conditions need: none is EMPTY, one is SINGLE, more are AND. */
        public Filter(String prefix, Map<String, String> tags, OptionalLong sizeGreaterThan, OptionalLong sizeLessThan) {
            this(prefix, tags, sizeGreaterThan, sizeLessThan, formOf(prefix, tags, sizeGreaterThan, sizeLessThan));
        }

        private static Form formOf(String prefix, Map<String, String> tags, OptionalLong greater, OptionalLong less) {
            int n = (prefix.isEmpty() ? 0 : 1) + tags.size() + (greater.isPresent() ? 1 : 0) + (less.isPresent() ? 1 : 0);
            return n == 0 ? Form.EMPTY : n == 1 ? Form.SINGLE : Form.AND;
        }

        /** Whether an object with this key, size and tags is selected. */
        public boolean matches(String key, long size, Map<String, String> objectTags) {
            if (!key.startsWith(prefix)) return false;
            if (sizeGreaterThan.isPresent() && size <= sizeGreaterThan.getAsLong()) return false;
            if (sizeLessThan.isPresent() && size >= sizeLessThan.getAsLong()) return false;
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (!t.getValue().equals(objectTags.get(t.getKey()))) return false;
            }
            return true;
        }
    }

    /** Exactly one of days, date or expiredObjectDeleteMarker is set (Date is at midnight UTC). */
    public record Expiration(OptionalInt days, Optional<Instant> date, boolean expiredObjectDeleteMarker) {
        public Expiration {
            Objects.requireNonNull(days, "days");
            Objects.requireNonNull(date, "date");
        }
    }

    /** @param newerNoncurrentVersions how many of the newest noncurrent versions to keep anyway */
    public record NoncurrentExpiration(int noncurrentDays, OptionalInt newerNoncurrentVersions) {
        public NoncurrentExpiration {
            Objects.requireNonNull(newerNoncurrentVersions, "newerNoncurrentVersions");
        }
    }

    /** Exactly one of days or date; moves the version into the cold tier named by {@code storageClass}. */
    public record Transition(OptionalInt days, Optional<Instant> date, String storageClass) {
        public Transition {
            Objects.requireNonNull(days, "days");
            Objects.requireNonNull(date, "date");
            Objects.requireNonNull(storageClass, "storageClass");
        }
    }

    /** Moves noncurrent versions into the cold tier named by {@code storageClass}. */
    public record NoncurrentTransition(int noncurrentDays, OptionalInt newerNoncurrentVersions, String storageClass) {
        public NoncurrentTransition {
            Objects.requireNonNull(newerNoncurrentVersions, "newerNoncurrentVersions");
            Objects.requireNonNull(storageClass, "storageClass");
        }
    }
}
