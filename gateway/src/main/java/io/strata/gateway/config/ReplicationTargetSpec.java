package io.strata.gateway.config;

import io.strata.namespace.BucketName;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.replication.ReplicationTarget;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The settings of a replication target as flat {@code name=value} pairs, the same from {@code strata
 * replicate target add}, the admin API's JSON and the target's file in the data directory:
 * {@code endpoint, bucket, access-key, secret-key} and optionally {@code region} (us-east-1) and
 * {@code path-style} (false: virtual-hosted addressing, as the AWS SDKs default to) and {@code kind}
 * ({@code s3}, the default, or {@code strata}: another Strata, sent replicas that keep their identity).
 * Stateless.
 */
public final class ReplicationTargetSpec {
    /** Every setting a target takes. */
    public static final Set<String> SETTINGS = Set.of("endpoint", "bucket", "access-key", "secret-key", "region",
            "path-style", "kind");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private ReplicationTargetSpec() {
    }

    /**
     * Reads a target from settings given by an operator: unknown settings are refused, so a typo
     * ({@code --secret-kye}) is not silently dropped.
     *
     * @throws IllegalArgumentException naming the setting at fault, never a secret's value
     */
    public static ReplicationTarget parse(String name, Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(SETTINGS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("replication target " + name + ": unknown setting(s) " + unknown
                    + "; a target takes " + new TreeSet<>(SETTINGS));
        }
        return parse(name, k -> Optional.ofNullable(settings.get(k)));
    }

    /**
     * Reads a target from settings ({@link #settings} wrote them to its file).
     *
     * @throws IllegalArgumentException naming the setting at fault, never a secret's value
     */
    public static ReplicationTarget parse(String name, Function<String, Optional<String>> setting) {
        ReplicationTarget.checkName(name);
        String what = "replication target " + name;
        Function<String, String> required = k -> setting.apply(k).filter(v -> !v.isBlank()).orElseThrow(() ->
                new IllegalArgumentException(what + ": '" + k + "' is required (--" + k + ")"));
        String endpoint = required.apply("endpoint");
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(what + ": 'endpoint' is not a URL: " + e.getReason());
        }
        // The endpoint is listed back to operators and written to logs: credentials in it would leak.
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme()) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException(what + ": 'endpoint' must be an http:// or https:// URL of a host and "
                    + "optional port, with no path, user or query (e.g. https://s3.eu-west-1.amazonaws.com)");
        }
        String bucket = required.apply("bucket");
        if (!BucketName.isValid(bucket)) {
            throw new IllegalArgumentException(what + ": 'bucket' is not a valid S3 bucket name (3-63 characters of "
                    + "a-z, 0-9, '.' and '-', starting and ending with a letter or digit): " + bucket);
        }
        String region = setting.apply("region").orElse("us-east-1");
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException(what + ": 'region' is not a region name (e.g. us-east-1): " + region);
        }
        String pathStyle = setting.apply("path-style").orElse("false");
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new IllegalArgumentException(what + ": 'path-style' must be true or false, got " + pathStyle);
        }
        Function<String, Optional<String>> resolved = k -> switch (k) {
            case "path-style" -> Optional.of(pathStyle);
            case "region" -> Optional.of(region);
            case "prefix" -> Optional.empty();   // replicas keep their keys: no prefix at the target
            default -> setting.apply(k);
        };
        S3ColdTierConfig s3 = S3Settings.parse(what, resolved, S3ColdTierConfig.DEFAULT_PART_SIZE, Optional.empty());
        ReplicationTarget.Kind kind;
        try {
            kind = ReplicationTarget.Kind.parse(setting.apply("kind").orElse("s3"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": 'kind' must be s3 (any S3 service) or strata (another Strata), got "
                    + setting.apply("kind").orElse(""));
        }
        return new ReplicationTarget(name, s3, kind);
    }

    /** The settings {@link #parse} reads back (the secret key included: for the 0600 file only). */
    public static Map<String, String> settings(ReplicationTarget t) {
        Map<String, String> m = new LinkedHashMap<>();
        S3Settings.write(m, t.s3());
        m.remove("prefix");
        m.put("kind", t.kind().value());
        return m;
    }

    /** Where the target is, without secrets: for listings, the admin API and logs. */
    public static String description(ReplicationTarget t) {
        return S3Settings.describe(Optional.empty(), Optional.of(t.s3())) + ", kind " + t.kind().value();
    }
}
