package io.strata.gateway.config;

import io.strata.tiering.ColdTier;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.cold.LocalDirectoryColdTier;
import io.strata.tiering.cold.S3ColdTier;
import io.strata.tiering.S3ColdTierConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How one named cold tier is reached: a local directory, or a bucket on any S3-compatible endpoint.
 * Comes from the configuration file ({@code tiers.NAME.*}) or from {@code strata tier add}; the
 * same settings as flat {@code name=value} pairs either way ({@link #settings()}, {@link #parse}).
 * A record holding a secret: {@link #toString()} hides it.
 */
public record TierSpec(String name, String type, Optional<Path> path, Optional<S3ColdTierConfig> s3) {

    public TierSpec {
        ColdTiers.checkName(name);
    }

    /** The embedded default: a local directory tier named COLD. */
    public static TierSpec local(String name, Path path) {
        return new TierSpec(name, "local", Optional.of(path.toAbsolutePath().normalize()), Optional.empty());
    }

    /**
     * Reads settings: {@code type} ({@code local} or {@code s3}); for local {@code path}; for s3
     * {@code endpoint, bucket, access-key, secret-key} and optionally {@code region} (us-east-1),
     * {@code prefix} (""; a trailing / is added), {@code path-style} (true), {@code storage-class}
     * (the class to write with in the remote bucket), {@code part-size} (16MiB).
     *
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static TierSpec parse(String name, Function<String, Optional<String>> setting, Path base) {
        String type = setting.apply("type").orElse("local").toLowerCase(Locale.ROOT);
        String what = "tier " + name;
        switch (type) {
            case "local" -> {
                Path p = Path.of(S3Settings.required(what, type, setting).apply("path"));
                return new TierSpec(name, type, Optional.of(base.resolve(p).toAbsolutePath().normalize()), Optional.empty());
            }
            case "s3" -> {
                long partSize = setting.apply("part-size").map(StrataConfig::parseSize).orElse(S3ColdTierConfig.DEFAULT_PART_SIZE);
                return new TierSpec(name, type, Optional.empty(), Optional.of(S3Settings.parse(what, setting, partSize,
                        setting.apply("storage-class").filter(s -> !s.isBlank()))));
            }
            default -> throw new IllegalArgumentException("tier " + name + ": 'type' must be local or s3, got " + type);
        }
    }

    /** The settings {@link #parse} reads back. */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", type);
        path.ifPresent(p -> m.put("path", p.toString()));
        s3.ifPresent(c -> {
            S3Settings.write(m, c);
            m.put("part-size", Long.toString(c.partSize()));
            c.storageClass().ifPresent(s -> m.put("storage-class", s));
        });
        return m;
    }

    /** Where the tier is, without secrets: for status and logs. */
    public String description() {
        return S3Settings.describe(path, s3);
    }

    public ColdTier open() {
        return path.isPresent() ? LocalDirectoryColdTier.create(path.get()) : S3ColdTier.create(s3.orElseThrow());
    }

    @Override
    public String toString() {
        return "TierSpec[" + name + ": " + description() + "]";
    }
}
