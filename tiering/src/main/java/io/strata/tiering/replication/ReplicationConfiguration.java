package io.strata.tiering.replication;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A bucket's replication configuration as S3 defines it (PutBucketReplication), already validated by
 * whoever parsed it: this tree carries no XML and checks only what makes it unusable (nulls, counts).
 * What GetBucketReplication answers back is all here, including which optional elements the client
 * left out ({@link Setting#ABSENT}) and the form of each rule's filter. Immutable and thread-safe.
 *
 * @param role the IAM role ARN the client gave (S3 requires one; Strata stores it and signs with the
 *             target's own credentials)
 */
public record ReplicationConfiguration(String role, List<Rule> rules) {
    /** S3's limit on rules per replication configuration. */
    public static final int MAX_RULES = 1000;

    public ReplicationConfiguration {
        Objects.requireNonNull(role, "role");
        rules = List.copyOf(rules);
        if (rules.isEmpty() || rules.size() > MAX_RULES) {
            throw new IllegalArgumentException("1.." + MAX_RULES + " rules, got " + rules.size());
        }
    }

    /** An optional Enabled/Disabled element: left out, or given with one of the two values. */
    public enum Setting {
        ABSENT, ENABLED, DISABLED;

        /** Only an element given as Enabled turns the behaviour on. */
        public boolean enabled() {
            return this == ENABLED;
        }
    }

    /**
     * One rule.
     *
     * @param priority                    which rule wins when several select an object for the same
     *                                    destination (higher wins); S3 requires it in rules with a Filter
     * @param deleteMarkerReplication     DeleteMarkerReplication/Status
     * @param existingObjectReplication   ExistingObjectReplication/Status
     * @param replicaModifications        SourceSelectionCriteria/ReplicaModifications/Status
     * @param sseKmsEncryptedObjects      SourceSelectionCriteria/SseKmsEncryptedObjects/Status (never Enabled:
     *                                    Strata has no KMS; kept so GET answers what was sent)
     */
    public record Rule(String id, OptionalInt priority, boolean enabled, Filter filter, Setting deleteMarkerReplication,
                       Setting existingObjectReplication, Setting replicaModifications, Setting sseKmsEncryptedObjects,
                       Destination destination) {
        public Rule {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(priority, "priority");
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(deleteMarkerReplication, "deleteMarkerReplication");
            Objects.requireNonNull(existingObjectReplication, "existingObjectReplication");
            Objects.requireNonNull(replicaModifications, "replicaModifications");
            Objects.requireNonNull(sseKmsEncryptedObjects, "sseKmsEncryptedObjects");
            Objects.requireNonNull(destination, "destination");
        }
    }

    /**
     * Which objects a rule selects: all conditions hold (S3's And).
     *
     * @param tags tag conditions, in the order the client gave them (GET answers them so)
     * @param form how the client wrote the filter, which GetBucketReplication answers back; it changes
     *             nothing about which objects match
     */
    public record Filter(String prefix, Map<String, String> tags, Form form) {
        /** The shapes S3 accepts for a rule's filter. */
        public enum Form {
            /** The first schema's rule-level {@code <Prefix>} (no Filter element, no Priority needed). */
            RULE_PREFIX,
            /** {@code <Filter/>}: every object. */
            EMPTY,
            /** {@code <Filter>} holding one condition: Prefix (possibly empty) or one Tag. */
            SINGLE,
            /** {@code <Filter><And>...</And></Filter>}; an empty Prefix inside And is not kept. */
            AND
        }

        /** Validates the form against the conditions and copies the tags, keeping their order. */
        public Filter {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(form, "form");
            Map<String, String> copy = new LinkedHashMap<>();
            tags.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "tag key"), Objects.requireNonNull(v, "tag value")));
            tags = Collections.unmodifiableMap(copy);
            boolean fits = switch (form) {
                case RULE_PREFIX -> tags.isEmpty();
                case EMPTY -> tags.isEmpty() && prefix.isEmpty();
                case SINGLE -> tags.size() + (prefix.isEmpty() ? 0 : 1) <= 1;
                case AND -> true;
            };
            if (!fits) throw new IllegalArgumentException("a filter of form " + form + " cannot hold these conditions");
        }

        /** Whether an object with this key and these tags is selected. */
        public boolean matches(String key, Map<String, String> objectTags) {
            if (!key.startsWith(prefix)) return false;
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (!t.getValue().equals(objectTags.get(t.getKey()))) return false;
            }
            return true;
        }
    }

    /**
     * Where a rule's versions go.
     *
     * @param bucketArn    the destination bucket's ARN as the client wrote it ({@code arn:aws:s3:::BUCKET}),
     *                     resolved to a registered {@link ReplicationTarget}
     * @param storageClass the storage class replicas are written with, if not the source's
     */
    public record Destination(String bucketArn, Optional<String> storageClass) {
        public Destination {
            Objects.requireNonNull(bucketArn, "bucketArn");
            Objects.requireNonNull(storageClass, "storageClass");
        }
    }
}
