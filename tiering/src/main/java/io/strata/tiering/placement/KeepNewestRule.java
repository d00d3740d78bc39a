package io.strata.tiering.placement;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One "keep the newest N hot" placement objective ({@code placement.keep-newest.NAME.*}): under
 * {@code prefix} of {@code bucket}, the newest {@code versions} groups stay in the hot tier and
 * everything older is destaged to a cold tier in the background. Training jobs keep their last
 * checkpoints near the GPUs this way, without lifecycle rules measured in days. Immutable.
 *
 * @param name     the rule's name (its key in the configuration; labels its metrics)
 * @param bucket   the bucket it watches
 * @param prefix   the key prefix it watches ("" for the whole bucket)
 * @param versions how many of the newest groups stay hot (at least 1)
 * @param tier     the cold tier older groups go to, or empty for the eviction tier
 * @param groupBy  what one of the N is: an object version, or a "directory" under the prefix
 */
public record KeepNewestRule(String name, String bucket, String prefix, int versions, Optional<String> tier,
                             GroupBy groupBy) {
    /** Most groups a rule may keep: the ranking holds this many entries in memory per rule. */
    public static final int MAX_VERSIONS = 100_000;
    /** Time between two passes over every rule ({@code placement.keep-newest-interval}). */
    public static final java.time.Duration DEFAULT_INTERVAL = java.time.Duration.ofSeconds(30);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** What the rule counts. */
    public enum GroupBy {
        /**
         * The N newest object versions under the prefix by Last-Modified, across keys (noncurrent
         * versions count too; delete markers do not).
         */
        VERSION,
        /**
         * The N newest "directories": the common prefixes at the next {@code /} under the prefix, ranked
         * by their newest write. A checkpoint is usually a directory of shard files, so it moves as one.
         * Objects directly under the prefix (no further {@code /}) belong to no directory and are left alone.
         */
        DIRECTORY;

        /** "version" or "directory". @throws IllegalArgumentException naming the value otherwise */
        public static GroupBy parse(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "version" -> VERSION;
                case "directory" -> DIRECTORY;
                default -> throw new IllegalArgumentException("must be version or directory, got " + value);
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @throws IllegalArgumentException whose message starts with the key at fault ({@code placement.keep-newest.NAME.x}) */
    public KeepNewestRule {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(groupBy, "groupBy");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("placement.keep-newest." + name + " rule names are 1-64 of A-Z, a-z, 0-9, _ and -");
        }
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException(key(name, "bucket") + " must name a bucket");
        }
        if (versions < 1 || versions > MAX_VERSIONS) {
            throw new IllegalArgumentException(key(name, "versions") + " must be 1.." + MAX_VERSIONS + ", got " + versions);
        }
    }

    /** The configuration key of one of a rule's settings, for messages. */
    public static String key(String name, String setting) {
        return "placement.keep-newest." + name + "." + setting;
    }

    /** True if the rule watches this key of this bucket. */
    public boolean covers(String bucket, String key) {
        return this.bucket.equals(bucket) && key.startsWith(prefix);
    }

    /**
     * The directory a key belongs to under {@link GroupBy#DIRECTORY}: the prefix plus the key's next
     * segment and its {@code /}; empty for a key directly under the prefix.
     */
    Optional<String> directory(String key) {
        int slash = key.indexOf('/', prefix.length());
        return slash < 0 ? Optional.empty() : Optional.of(key.substring(0, slash + 1));
    }
}
