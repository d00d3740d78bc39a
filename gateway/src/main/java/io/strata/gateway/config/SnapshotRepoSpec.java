package io.strata.gateway.config;

import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.snapshot.LocalDirectoryRepository;
import io.strata.tiering.snapshot.S3Repository;
import io.strata.tiering.snapshot.SnapshotRepository;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How one named snapshot repository is reached: a local directory, or a bucket and prefix on any
 * S3-compatible endpoint. Comes from the configuration file ({@code snapshots.repositories.NAME.*})
 * or from {@code strata snapshot repo add}; the same settings as flat {@code name=value} pairs either
 * way ({@link #settings()}, {@link #parse}), as a cold tier's. A record holding a secret:
 * {@link #toString()} and {@link #description()} hide it.
 */
public record SnapshotRepoSpec(String name, String type, Optional<Path> path, Optional<S3ColdTierConfig> s3) {
    /** The name of the embedded default repository, {@code DATA_DIR/snapshots}. */
    public static final String DEFAULT_NAME = "local";
    /**
     * Lower case, digits and dashes: the name is a file name in {@code DATA_DIR/snapshot-repos} and is
     * recorded in each export, so nothing that could leave that directory or need quoting.
     */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public SnapshotRepoSpec {
        checkName(name);
    }

    /** @throws IllegalArgumentException unless {@code name} is 1-63 of a-z, 0-9 and '-', not starting with '-' */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a snapshot repository name is 1-63 characters of a-z, 0-9 and -, "
                    + "starting with a letter or digit: " + name);
        }
        return name;
    }

    /** A local directory repository. */
    public static SnapshotRepoSpec local(String name, Path path) {
        return new SnapshotRepoSpec(name, "local", Optional.of(path.toAbsolutePath().normalize()), Optional.empty());
    }

    /**
     * Reads settings: {@code type} ({@code local} or {@code s3}); for local {@code path} (relative to
     * {@code base}); for s3 {@code endpoint, bucket, access-key, secret-key} and optionally
     * {@code region} (us-east-1), {@code prefix} (""; a trailing / is added), {@code path-style} (true).
     *
     * @throws IllegalArgumentException naming the setting at fault (never its value when it is a secret)
     */
    public static SnapshotRepoSpec parse(String name, Function<String, Optional<String>> setting, Path base) {
        checkName(name);
        String type = setting.apply("type").orElse("local").toLowerCase(Locale.ROOT);
        String what = "snapshot repository " + name;
        switch (type) {
            case "local" -> {
                Path p = Path.of(S3Settings.required(what, type, setting).apply("path"));
                return new SnapshotRepoSpec(name, type, Optional.of(base.resolve(p).toAbsolutePath().normalize()),
                        Optional.empty());
            }
            case "s3" -> {
                // The part size is not used: a data object keeps the part sizes of its version.
                return new SnapshotRepoSpec(name, type, Optional.empty(), Optional.of(
                        S3Settings.parse(what, setting, S3ColdTierConfig.DEFAULT_PART_SIZE, Optional.empty())));
            }
            default -> throw new IllegalArgumentException("snapshot repository " + name
                    + ": 'type' must be local or s3, got " + type);
        }
    }

    /** The settings {@link #parse} reads back (the secret key included: for the 0600 file only). */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", type);
        path.ifPresent(p -> m.put("path", p.toString()));
        s3.ifPresent(c -> S3Settings.write(m, c));
        return m;
    }

    /** Where the repository is, without secrets: for listings, the admin API and logs. */
    public String description() {
        return S3Settings.describe(path, s3);
    }

    /** Opens a client of the repository (nothing is contacted yet for s3); the caller closes it. */
    public SnapshotRepository open() {
        return path.isPresent() ? LocalDirectoryRepository.create(path.get()) : S3Repository.create(s3.orElseThrow());
    }

    @Override
    public String toString() {
        return "SnapshotRepoSpec[" + name + ": " + description() + "]";
    }
}
