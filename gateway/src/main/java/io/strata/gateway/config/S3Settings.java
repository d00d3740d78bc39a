package io.strata.gateway.config;

import io.strata.tiering.S3ColdTierConfig;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of a bucket on an S3 endpoint, read and written the same way wherever Strata keeps
 * one: cold tiers ({@link TierSpec}) and snapshot repositories ({@link SnapshotRepoSpec}).
 */
final class S3Settings {
    private S3Settings() {
    }

    /** Reads a setting that must be present and not blank; {@code what} names the owner ("tier A"). */
    static Function<String, String> required(String what, String type, Function<String, Optional<String>> setting) {
        return k -> setting.apply(k).filter(v -> !v.isBlank()).orElseThrow(() ->
                new IllegalArgumentException(what + ": '" + k + "' is required for type " + type));
    }

    /**
     * {@code endpoint, bucket, access-key, secret-key} and optionally {@code region} (us-east-1),
     * {@code prefix} (""; a trailing / is added), {@code path-style} (true).
     *
     * @throws IllegalArgumentException naming {@code what} and the setting at fault (never a secret's value)
     */
    static S3ColdTierConfig parse(String what, Function<String, Optional<String>> setting, long partSize,
                                  Optional<String> storageClass) {
        Function<String, String> required = required(what, "s3", setting);
        String prefix = setting.apply("prefix").orElse("");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix += "/";
        URI endpoint;
        try {
            endpoint = URI.create(required.apply("endpoint"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": 'endpoint' is not a URL");
        }
        try {
            return new S3ColdTierConfig(endpoint, setting.apply("region").orElse("us-east-1"),
                    required.apply("bucket"), prefix, required.apply("access-key"), required.apply("secret-key"),
                    setting.apply("path-style").map(Boolean::parseBoolean).orElse(true), partSize, storageClass);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    /** Writes back what {@link #parse} reads (the secret key included: for 0600 files only). */
    static void write(Map<String, String> m, S3ColdTierConfig c) {
        m.put("endpoint", c.endpoint().toString());
        m.put("region", c.region());
        m.put("bucket", c.bucket());
        m.put("prefix", c.prefix());
        m.put("access-key", c.accessKey());
        m.put("secret-key", c.secretKey());
        m.put("path-style", Boolean.toString(c.pathStyle()));
    }

    /** Where the data is, without secrets: for listings, the admin API and logs. */
    static String describe(Optional<Path> path, Optional<S3ColdTierConfig> s3) {
        if (path.isPresent()) return "local " + path.get();
        S3ColdTierConfig c = s3.orElseThrow();
        return "s3 " + c.endpoint() + " bucket " + c.bucket() + (c.prefix().isEmpty() ? "" : " prefix " + c.prefix());
    }
}
