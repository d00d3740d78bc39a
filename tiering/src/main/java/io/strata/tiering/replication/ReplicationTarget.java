package io.strata.tiering.replication;

import io.strata.tiering.S3ColdTierConfig;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A bucket on another Strata or any S3 service that replication rules may send versions to, registered
 * by name ({@code strata replicate target add}) with its endpoint and credentials. A record holding a
 * secret: {@link #toString()} hides it.
 *
 * <p><b>How a rule's destination finds its target.</b> S3 names a rule's destination by bucket ARN
 * ({@code <Destination><Bucket>arn:aws:s3:::BUCKET</Bucket>}), and a target is identified by the same
 * ARN, {@link #arn()}: {@code arn:aws:s3:::} followed by the target's bucket. A destination resolves to
 * the one registered target whose bucket it names ({@link #matching}); a destination that names no
 * target's bucket, or the bucket of several targets (the same bucket name on different endpoints), does
 * not resolve and the configuration is refused.
 *
 * <p><b>Kind.</b> {@link Kind#S3} (the default) for any S3 service: replicas are plain PUTs or multipart
 * uploads that get the target's own version ids. {@link Kind#STRATA} for another Strata gateway: replicas
 * are PUTs with {@code x-strata-replica-*} headers, which keep the source's version id, modification time
 * and ETag. Said by the operator ({@code --kind strata}) rather than detected: detection would need a
 * probe the target might answer differently while it is down or behind a proxy, and a replica sent to
 * the wrong kind must not silently lose its identity.
 */
public record ReplicationTarget(String name, S3ColdTierConfig s3, Kind kind) {
    /** What the target is, which decides how replicas are sent (see the class comment). */
    public enum Kind {
        S3, STRATA;

        /** The setting's value: {@code s3} or {@code strata}. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** @throws IllegalArgumentException unless {@code value} is s3 or strata */
        public static Kind parse(String value) {
            return switch (value) {
                case "s3" -> S3;
                case "strata" -> STRATA;
                default -> throw new IllegalArgumentException("a replication target's kind is s3 or strata, got " + value);
            };
        }
    }

    /** The prefix of an S3 bucket ARN (partition aws, no region or account: bucket names are global). */
    public static final String BUCKET_ARN_PREFIX = "arn:aws:s3:::";
    /**
     * Lower case, digits and dashes: the name is a file name in the data directory and will be recorded
     * in replication state, so nothing that could leave that directory or need quoting.
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public ReplicationTarget {
        checkName(name);
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(kind, "kind");
    }

    /** A target of kind {@link Kind#S3}. */
    public ReplicationTarget(String name, S3ColdTierConfig s3) {
        this(name, s3, Kind.S3);
    }

    /** @throws IllegalArgumentException unless {@code name} is 1-63 of a-z, 0-9 and '-', not starting with '-' */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a replication target name is 1-63 characters of a-z, 0-9 and -, "
                    + "starting with a letter or digit: " + name);
        }
        return name;
    }

    /** The ARN that a rule's destination names this target by: {@code arn:aws:s3:::BUCKET}. */
    public String arn() {
        return BUCKET_ARN_PREFIX + s3.bucket();
    }

    /** The bucket an S3 bucket ARN ({@code arn:aws:s3:::BUCKET}) names, if {@code arn} is one. */
    public static Optional<String> bucketOf(String arn) {
        if (!arn.startsWith(BUCKET_ARN_PREFIX)) return Optional.empty();
        String bucket = arn.substring(BUCKET_ARN_PREFIX.length());
        return bucket.isEmpty() || bucket.contains("/") ? Optional.empty() : Optional.of(bucket);
    }

    /**
     * The targets a destination ARN names, in the order given: exactly one means it resolves; none or
     * several means it does not (see the class comment).
     */
    public static List<ReplicationTarget> matching(String destinationArn, Collection<ReplicationTarget> targets) {
        Optional<String> bucket = bucketOf(destinationArn);
        if (bucket.isEmpty()) return List.of();
        return targets.stream().filter(t -> t.s3().bucket().equals(bucket.get())).toList();
    }

    @Override
    public String toString() {
        return "ReplicationTarget[" + name + " (" + kind.value() + "): " + s3 + "]";
    }
}
