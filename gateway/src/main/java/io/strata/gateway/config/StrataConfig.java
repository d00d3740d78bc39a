package io.strata.gateway.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.strata.auth.Credentials;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.HealConfig;
import io.strata.gateway.metrics.MetricsAccess;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.objects.OrphanCollector;
import io.strata.namespace.ChangeLogLimits;
import io.strata.namespace.BucketName;
import io.strata.tiering.lifecycle.LifecycleWorker;
import io.strata.tiering.placement.KeepNewestRule;
import io.strata.tiering.placement.PlacementPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's settings. Precedence: built-in defaults, then the YAML file, then environment
 * variables, then command-line flags. Every key is documented in the README's configuration table.
 *
 * @param credentials root credentials, or empty to load/generate them in the data directory
 * @param lifecycleInterval time between two runs of the bucket lifecycle worker
 * @param heal background heal and scrub of the hot tier ({@code erasure.heal-*}, {@code erasure.scrub-interval})
 * @param tiers             the cold tiers of the configuration file (the embedded default: one
 *                          local-directory tier COLD under the data directory)
 * @param segmentShardMax   blobs whose shards hold at most this many bytes each are appended to segment
 *                          files per drive, group-committed ({@code erasure.segment-shard-max}, 1MiB; 0 = off)
 * @param orphanGrace how old a blob with no namespace reference must be before the orphan collector deletes it
 * @param orphanInterval time between two orphan collection passes (the first runs at start-up)
 * @param inlineThreshold   objects of at most this many bytes are kept in the namespace record
 *                          instead of erasure-coded shard files ({@code storage.inline-threshold})
 * @param placement         objective-based placement ({@code placement.*}: promotion, watermarks)
 * @param placementInterval time between two watermark checks ({@code placement.check-interval})
 * @param tls               HTTPS for the S3 endpoint ({@code server.tls.*}); empty = plain HTTP
 * @param metrics           who may read {@code /_strata/metrics} ({@code metrics.public}, {@code metrics.bearer-token-file})
 * @param limits            timeouts for stalled clients and caps on connections and uploads
 *                          ({@code server.idle-timeout}, {@code server.max-uploads}, ...)
 * @param changeLog         the change log's bounds ({@code namespace.change-log.max-bytes},
 *                          {@code namespace.change-log.max-age}); defaults in {@link ChangeLogLimits}
 * @param snapshots         snapshot repositories, export settings and the attach cache ({@code snapshots.*})
 * @param replication       the replication worker's pace ({@code replication.interval}, {@code replication.max-backoff}),
 *                          backlog budget ({@code replication.backlog-budget}) and resync page
 *                          ({@code replication.resync-page-size})
 * @param site              this site's name and number among replicating Strata sites ({@code site.name},
 *                          {@code site.number})
 * @param keepNewest        the "keep the newest N hot" objectives ({@code placement.keep-newest.NAME.*}), in file order
 * @param keepNewestInterval time between two passes over every keep-newest rule ({@code placement.keep-newest-interval})
 * @param compaction        the background segment compaction ({@code erasure.compaction-*})
 */
public record StrataConfig(String host, int port, String domain, String region, Path dataDir,
                           List<Path> drives, int dataShards, int parityShards, int blockSize, int segmentShardMax,
                           Optional<Credentials> credentials, String logLevel, Duration lifecycleInterval,
                           HealConfig heal, List<TierSpec> tiers, Duration orphanGrace, Duration orphanInterval,
                           int inlineThreshold, PlacementPolicy placement, Duration placementInterval,
                           Optional<TlsSpec> tls, MetricsAccess metrics, ConnectionLimits limits,
                           ChangeLogLimits changeLog, SnapshotConfig snapshots, ReplicationSettings replication,
                           SiteSettings site, List<KeepNewestRule> keepNewest, Duration keepNewestInterval,
                           CompactionSettings compaction) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9000;
    public static final String DEFAULT_DOMAIN = "localhost";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_DATA_DIR = "strata-data";
    public static final Duration DEFAULT_PLACEMENT_INTERVAL = Duration.ofMinutes(1);

    public StrataConfig {
        if (port < 0 || port > 65535) throw new ConfigException("server.port", "must be 0..65535, got " + port);
        drives = List.copyOf(drives);
        tiers = List.copyOf(tiers);
        if (lifecycleInterval.isNegative() || lifecycleInterval.isZero()) {
            throw new ConfigException("lifecycle.interval", "must be positive, got " + lifecycleInterval);
        }
        if (orphanGrace.isNegative()) {
            throw new ConfigException("erasure.orphan-grace", "must not be negative, got " + orphanGrace);
        }
        if (orphanInterval.isNegative() || orphanInterval.isZero()) {
            throw new ConfigException("erasure.orphan-interval", "must be positive, got " + orphanInterval);
        }
        if (inlineThreshold < 0 || inlineThreshold > ObjectService.MAX_INLINE_THRESHOLD) {
            throw new ConfigException("storage.inline-threshold", "must be 0.." + ObjectService.MAX_INLINE_THRESHOLD
                    + " bytes (1MiB), got " + inlineThreshold);
        }
        if (placementInterval.isNegative() || placementInterval.isZero()) {
            throw new ConfigException("placement.check-interval", "must be positive, got " + placementInterval);
        }
        keepNewest = List.copyOf(keepNewest);
        if (keepNewestInterval.isNegative() || keepNewestInterval.isZero()) {
            throw new ConfigException("placement.keep-newest-interval", "must be positive, got " + keepNewestInterval);
        }
    }

    /** Thrown with the key at fault, so startup can refuse with a clear message. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String key, String problem) {
            super("configuration key '" + key + "': " + problem, null, false, false);
        }
    }

    public ErasureConfig erasure() {
        try {
            // The store keeps write buffers for as many blob writes as uploads may run at once.
            return new ErasureConfig(drives, dataShards, parityShards, blockSize, segmentShardMax, limits.maxUploads());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("erasure", e.getMessage());
        }
    }

    /** {@code https} when {@link #tls()} is set, else {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /**
     * How a client on this machine reaches the gateway listening on {@code port}: the listen address,
     * or the loopback address when it listens on every interface.
     */
    public java.net.URI localEndpoint(int port) {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (h.contains(":")) h = "[" + h + "]";
        return java.net.URI.create(scheme() + "://" + h + ":" + port);
    }

    /**
     * An HTTP client for the {@code strata} commands: it trusts the gateway's own certificate (the
     * configured one, or the self-signed one in the data directory when it exists, for a gateway
     * started with {@code --tls-self-signed} and reached with {@code --endpoint https://...}).
     */
    public java.net.http.HttpClient.Builder adminHttpClient() throws java.io.IOException {
        TlsSpec spec = tls.orElse(TlsSpec.selfSigned(dataDir));
        return Files.exists(spec.certificate()) ? spec.trustingClient() : java.net.http.HttpClient.newBuilder();
    }

    public Path metaDir() {
        return dataDir.resolve("meta");
    }

    /**
     * Builds the configuration.
     *
     * @param file  a YAML file, or null for none
     * @param env   the environment (STRATA_* variables)
     * @param flags flag values by key (e.g. "server.port")
     */
    public static StrataConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        Config yaml = Config.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new ConfigException("--config", "no such file: " + file);
            yaml = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                    .addSource(ConfigSources.file(file)).build();
        }
        Layers l = new Layers(yaml, env, flags);
        String host = l.string("server.host", "STRATA_HOST", DEFAULT_HOST);
        int port = l.integer("server.port", "STRATA_PORT", DEFAULT_PORT);
        String domain = l.string("server.domain", "STRATA_DOMAIN", DEFAULT_DOMAIN).toLowerCase(Locale.ROOT);
        String region = l.string("s3.region", "STRATA_REGION", DEFAULT_REGION);
        Path dataDir = Path.of(l.string("storage.data-dir", "STRATA_DATA_DIR", DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
        int k = l.integer("erasure.data-shards", null, ErasureConfig.DEFAULT_DATA_SHARDS);
        int m = l.integer("erasure.parity-shards", null, ErasureConfig.DEFAULT_PARITY_SHARDS);
        int blockSize = (int) l.size("erasure.block-size", ErasureConfig.DEFAULT_BLOCK_SIZE);
        long segmentShardMax = l.size("erasure.segment-shard-max", "STRATA_SEGMENT_SHARD_MAX",
                ErasureConfig.DEFAULT_SEGMENT_SHARD_MAX);
        if (segmentShardMax < 0 || segmentShardMax > ErasureConfig.MAX_SEGMENT_SHARD_MAX) {
            throw new ConfigException("erasure.segment-shard-max", "must be 0 (off) .. 16MiB, got " + segmentShardMax);
        }
        List<Path> drives = new ArrayList<>();
        Config driveNode = yaml.get("erasure.drives");
        if (driveNode.exists()) {
            for (String d : driveNode.asList(String.class).get()) drives.add(Path.of(d).toAbsolutePath().normalize());
        }
        if (drives.isEmpty()) {
            for (int i = 1; i <= k + m; i++) drives.add(dataDir.resolve("drives").resolve("d" + i));
        }
        String access = l.string("auth.access-key", "STRATA_ACCESS_KEY", "");
        String secret = l.string("auth.secret-key", "STRATA_SECRET_KEY", "");
        Optional<Credentials> creds = Optional.empty();
        if (!access.isEmpty() || !secret.isEmpty()) {
            if (access.isEmpty()) throw new ConfigException("auth.access-key", "set the secret key but not the access key");
            if (secret.isEmpty()) throw new ConfigException("auth.secret-key", "set the access key but not the secret key");
            if (secret.length() < 8) throw new ConfigException("auth.secret-key", "must be at least 8 characters");
            creds = Optional.of(new Credentials(access, secret));
        }
        String logLevel = l.string("log.level", "STRATA_LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT);
        Duration lifecycleInterval = l.duration("lifecycle.interval", "STRATA_LIFECYCLE_INTERVAL",
                LifecycleWorker.DEFAULT_INTERVAL);
        List<TierSpec> tiers = new ArrayList<>();
        Config tierNode = yaml.get("tiers");
        if (tierNode.exists()) {
            for (Config t : tierNode.asNodeList().orElse(List.of())) {
                String name = t.name();
                try {
                    tiers.add(TierSpec.parse(name, s -> t.get(s).asString().asOptional(),
                            file == null ? Path.of("") : file.toAbsolutePath().getParent()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("tiers." + name, e.getMessage());
                }
            }
        } else {
            tiers.add(TierSpec.local("COLD", dataDir.resolve("cold")));
        }
        HealConfig heal = healConfig(l);
        PlacementPolicy placement = placement(l);
        if (placement.evictionTier().isPresent()
                && tiers.stream().noneMatch(t -> t.name().equals(placement.evictionTier().get()))) {
            throw new ConfigException("placement.eviction-tier", "no tier named " + placement.evictionTier().get());
        }
        Duration placementInterval = l.duration("placement.check-interval", null, DEFAULT_PLACEMENT_INTERVAL);
        Duration orphanGrace = l.duration("erasure.orphan-grace", "STRATA_ORPHAN_GRACE", OrphanCollector.DEFAULT_GRACE);
        Duration orphanInterval = l.duration("erasure.orphan-interval", "STRATA_ORPHAN_INTERVAL",
                OrphanCollector.DEFAULT_INTERVAL);
        long inlineThreshold = l.size("storage.inline-threshold", "STRATA_INLINE_THRESHOLD", ObjectService.DEFAULT_INLINE_THRESHOLD);
        if (inlineThreshold < 0 || inlineThreshold > ObjectService.MAX_INLINE_THRESHOLD) {
            throw new ConfigException("storage.inline-threshold", "must be 0.." + ObjectService.MAX_INLINE_THRESHOLD
                    + " bytes (1MiB), got " + inlineThreshold);
        }
        StrataConfig c = new StrataConfig(host, port, domain, region, dataDir, drives, k, m, blockSize, (int) segmentShardMax, creds, logLevel,
                lifecycleInterval, heal, tiers, orphanGrace, orphanInterval, (int) inlineThreshold, placement,
                placementInterval, tls(l, dataDir), metricsAccess(l), limits(l), changeLog(l),
                snapshots(l, yaml, file, dataDir), new ReplicationSettings(
                        l.duration("replication.interval", "STRATA_REPLICATION_INTERVAL", ReplicationSettings.DEFAULT_INTERVAL),
                        l.duration("replication.max-backoff", "STRATA_REPLICATION_MAX_BACKOFF",
                                ReplicationSettings.DEFAULT_MAX_BACKOFF),
                        l.integer("replication.backlog-budget", "STRATA_REPLICATION_BACKLOG_BUDGET",
                                (int) ReplicationSettings.DEFAULT_BACKLOG_BUDGET),
                        l.integer("replication.resync-page-size", "STRATA_REPLICATION_RESYNC_PAGE_SIZE",
                                ReplicationSettings.DEFAULT_RESYNC_PAGE_SIZE),
                        l.integer("replication.parallelism", "STRATA_REPLICATION_PARALLELISM",
                                ReplicationSettings.DEFAULT_PARALLELISM)),
                new SiteSettings(Optional.of(l.string("site.name", "STRATA_SITE_NAME", "").trim()).filter(n -> !n.isEmpty()),
                        l.integer("site.number", "STRATA_SITE_NUMBER", SiteSettings.DEFAULT_NUMBER)),
                keepNewest(l, yaml), l.duration("placement.keep-newest-interval", null, KeepNewestRule.DEFAULT_INTERVAL),
                new CompactionSettings(
                        l.duration("erasure.compaction-interval", "STRATA_COMPACTION_INTERVAL", CompactionSettings.DEFAULT_INTERVAL),
                        l.fraction("erasure.compaction-threshold", CompactionSettings.DEFAULT_THRESHOLD),
                        l.size("erasure.compaction-rate", "STRATA_COMPACTION_RATE", CompactionSettings.DEFAULT_RATE)));
        c.erasure();   // validates the erasure settings now, naming the key
        return c;
    }

    /**
     * {@code snapshots.repositories.NAME.*} as a tier's settings are read (paths relative to the
     * file); none configured gives the embedded default, a local repository in the data directory.
     */
    private static SnapshotConfig snapshots(Layers l, Config yaml, Path file, Path dataDir) {
        List<SnapshotRepoSpec> repositories = new ArrayList<>();
        Config node = yaml.get("snapshots.repositories");
        if (node.exists()) {
            for (Config r : node.asNodeList().orElse(List.of())) {
                String name = r.name();
                try {
                    repositories.add(SnapshotRepoSpec.parse(name, s -> r.get(s).asString().asOptional(),
                            file == null ? Path.of("") : file.toAbsolutePath().getParent()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("snapshots.repositories." + name, e.getMessage());
                }
            }
        }
        if (repositories.isEmpty()) {
            repositories.add(SnapshotRepoSpec.local(SnapshotRepoSpec.DEFAULT_NAME, dataDir.resolve("snapshots")));
        }
        return new SnapshotConfig(repositories,
                l.integer("snapshots.parallel-uploads", null, SnapshotConfig.DEFAULT_PARALLEL_UPLOADS),
                l.integer("snapshots.max-running-exports", null, SnapshotConfig.DEFAULT_MAX_RUNNING_EXPORTS),
                l.size("snapshots.attach-cache-bytes", SnapshotConfig.DEFAULT_ATTACH_CACHE_BYTES),
                l.duration("snapshots.export-retry-after", "STRATA_SNAPSHOT_RETRY_AFTER", SnapshotConfig.DEFAULT_EXPORT_RETRY_AFTER),
                l.integer("snapshots.hydrate-parallelism", null, SnapshotConfig.DEFAULT_HYDRATE_PARALLELISM));
    }

    /**
     * The token comes from a file (or the environment), never from the YAML itself, so that the
     * configuration can be shared without the secret.
     */
    private static MetricsAccess metricsAccess(Layers l) {
        boolean open = l.bool("metrics.public", "STRATA_METRICS_PUBLIC", false);
        String file = l.string("metrics.bearer-token-file", "STRATA_METRICS_TOKEN_FILE", "");
        String token = l.env().getOrDefault("STRATA_METRICS_TOKEN", "");
        String key = "STRATA_METRICS_TOKEN";
        if (!file.isEmpty()) {
            if (!token.isEmpty()) {
                throw new ConfigException("metrics.bearer-token-file", "set it or STRATA_METRICS_TOKEN, not both");
            }
            key = "metrics.bearer-token-file";
            try {
                token = Files.readString(Path.of(file)).strip();
            } catch (java.io.IOException | RuntimeException e) {
                throw new ConfigException(key, "cannot read " + Path.of(file).toAbsolutePath() + ": " + e.getMessage());
            }
        }
        try {
            return new MetricsAccess(open, token.isEmpty() ? Optional.empty() : Optional.of(token));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    private static Optional<TlsSpec> tls(Layers l, Path dataDir) {
        String certificate = l.string("server.tls.certificate", "STRATA_TLS_CERTIFICATE", "");
        String key = l.string("server.tls.private-key", "STRATA_TLS_PRIVATE_KEY", "");
        boolean selfSigned = l.bool("server.tls.self-signed", "STRATA_TLS_SELF_SIGNED", false);
        if (certificate.isEmpty() != key.isEmpty()) {
            throw new ConfigException(certificate.isEmpty() ? "server.tls.certificate" : "server.tls.private-key",
                    "set both server.tls.certificate and server.tls.private-key, or neither");
        }
        if (!certificate.isEmpty()) {
            if (selfSigned) {
                throw new ConfigException("server.tls.self-signed", "cannot be combined with server.tls.certificate");
            }
            for (var e : Map.of("server.tls.certificate", certificate, "server.tls.private-key", key).entrySet()) {
                if (!Files.isReadable(Path.of(e.getValue()))) {
                    throw new ConfigException(e.getKey(), "cannot read " + Path.of(e.getValue()).toAbsolutePath());
                }
            }
            return Optional.of(new TlsSpec(Path.of(certificate).toAbsolutePath().normalize(),
                    Path.of(key).toAbsolutePath().normalize(), false));
        }
        if (selfSigned) return Optional.of(TlsSpec.selfSigned(dataDir));
        return Optional.empty();
    }

    private static ConnectionLimits limits(Layers l) {
        return new ConnectionLimits(
                l.duration("server.idle-timeout", null, ConnectionLimits.DEFAULT_IDLE_TIMEOUT),
                l.duration("server.header-timeout", null, ConnectionLimits.DEFAULT_HEADER_TIMEOUT),
                l.duration("server.read-timeout", null, ConnectionLimits.DEFAULT_READ_TIMEOUT),
                l.size("server.min-body-rate", ConnectionLimits.DEFAULT_MIN_BODY_RATE),
                l.integer("server.max-connections", null, ConnectionLimits.DEFAULT_MAX_CONNECTIONS),
                l.integer("server.max-uploads", null, ConnectionLimits.DEFAULT_MAX_UPLOADS));
    }

    /**
     * The bounds a slow or abandoned change log consumer may hold; past either, its oldest entries
     * are trimmed and the consumer must resynchronise.
     */
    private static ChangeLogLimits changeLog(Layers l) {
        long maxBytes = l.size("namespace.change-log.max-bytes", ChangeLogLimits.DEFAULT_MAX_BYTES);
        if (maxBytes <= 0) throw new ConfigException("namespace.change-log.max-bytes", "must be positive, got " + maxBytes);
        Duration maxAge = l.duration("namespace.change-log.max-age", null, ChangeLogLimits.DEFAULT_MAX_AGE);
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new ConfigException("namespace.change-log.max-age", "must be positive, got " + maxAge);
        }
        return new ChangeLogLimits(maxBytes, maxAge);
    }

    private static PlacementPolicy placement(Layers l) {
        int reads = l.integer("placement.promote-after-reads", null, PlacementPolicy.DEFAULT_PROMOTE_AFTER_READS);
        Duration window = l.duration("placement.promote-window", null, PlacementPolicy.DEFAULT_PROMOTE_WINDOW);
        double high = l.fraction("placement.high-watermark", PlacementPolicy.DEFAULT_HIGH_WATERMARK);
        double low = l.fraction("placement.low-watermark", PlacementPolicy.DEFAULT_LOW_WATERMARK);
        Duration keep = l.duration("placement.keep-hot-window", null, PlacementPolicy.DEFAULT_KEEP_HOT_WINDOW);
        long capacity = l.size("placement.hot-capacity", 0);
        String tier = l.string("placement.eviction-tier", null, "");
        int tracked = l.integer("placement.tracked-versions", null, PlacementPolicy.DEFAULT_TRACKED_VERSIONS);
        try {
            return new PlacementPolicy(reads, window, high, low, keep,
                    capacity == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(capacity),
                    tier.isEmpty() ? Optional.empty() : Optional.of(tier), tracked);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int space = message.indexOf(' ');
            throw new ConfigException(message.substring(0, space), message.substring(space + 1));
        }
    }

    private static final Set<String> KEEP_NEWEST_SETTINGS = Set.of("bucket", "prefix", "versions", "tier", "group-by");

    /**
     * {@code placement.keep-newest.NAME.*}: one rule per name, in file order. A rule's tier is checked
     * against every tier once they are all known (tiers added with {@code strata tier add} too), at startup.
     */
    private static List<KeepNewestRule> keepNewest(Layers l, Config yaml) {
        Config node = yaml.get("placement.keep-newest");
        if (!node.exists()) return List.of();
        if (node.type() != Config.Type.OBJECT) {
            throw new ConfigException("placement.keep-newest", "must map rule names to their settings "
                    + "(bucket, prefix, versions, tier, group-by)");
        }
        List<KeepNewestRule> rules = new ArrayList<>();
        for (Config r : node.asNodeList().orElse(List.of())) {
            String name = r.name();
            for (Config setting : r.asNodeList().orElse(List.of())) {
                if (!KEEP_NEWEST_SETTINGS.contains(setting.name())) {
                    throw new ConfigException(KeepNewestRule.key(name, setting.name()),
                            "unknown setting (bucket, prefix, versions, tier, group-by)");
                }
            }
            String bucket = l.string(KeepNewestRule.key(name, "bucket"), null, "").trim();
            if (bucket.isEmpty()) throw new ConfigException(KeepNewestRule.key(name, "bucket"), "is required");
            if (!BucketName.isValid(bucket)) {
                throw new ConfigException(KeepNewestRule.key(name, "bucket"), "not a valid bucket name: " + bucket);
            }
            if (!r.get("versions").exists()) {
                throw new ConfigException(KeepNewestRule.key(name, "versions"), "is required (how many of the newest stay hot)");
            }
            int versions = l.integer(KeepNewestRule.key(name, "versions"), null, 0);
            String tier = l.string(KeepNewestRule.key(name, "tier"), null, "").trim();
            KeepNewestRule.GroupBy groupBy;
            try {
                groupBy = KeepNewestRule.GroupBy.parse(l.string(KeepNewestRule.key(name, "group-by"), null, "version"));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(KeepNewestRule.key(name, "group-by"), e.getMessage());
            }
            try {
                rules.add(new KeepNewestRule(name, bucket, l.string(KeepNewestRule.key(name, "prefix"), null, ""), versions,
                        tier.isEmpty() ? Optional.empty() : Optional.of(tier), groupBy));
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                int space = message.indexOf(' ');
                throw new ConfigException(message.substring(0, space), message.substring(space + 1));
            }
        }
        return rules;
    }

    private static HealConfig healConfig(Layers l) {
        long rate = l.size("erasure.heal-rate", "STRATA_HEAL_RATE", HealConfig.DEFAULT_RATE);
        Duration interval = l.duration("erasure.heal-interval", "STRATA_HEAL_INTERVAL", HealConfig.DEFAULT_INTERVAL);
        Duration scrub = l.duration("erasure.scrub-interval", "STRATA_SCRUB_INTERVAL", HealConfig.DEFAULT_SCRUB_INTERVAL);
        Duration minAge = l.duration("erasure.heal-min-age", null, HealConfig.DEFAULT_MIN_AGE);
        int queue = l.integer("erasure.heal-queue", null, HealConfig.DEFAULT_QUEUE_CAPACITY);
        try {
            return new HealConfig(rate, interval, scrub, minAge, queue);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String key = message.substring(0, Math.max(0, message.indexOf(' ')));
            throw new ConfigException(key.isEmpty() ? "erasure" : key, message.substring(message.indexOf(' ') + 1));
        }
    }

    private record Layers(Config yaml, Map<String, String> env, Map<String, String> flags) {
        String string(String key, String envName, String dflt) {
            if (flags.containsKey(key)) return flags.get(key);
            if (envName != null && env.get(envName) != null && !env.get(envName).isEmpty()) return env.get(envName);
            return yaml.get(key).asString().orElse(dflt);
        }

        int integer(String key, String envName, int dflt) {
            String v = string(key, envName, Integer.toString(dflt));
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "not an integer: " + v);
            }
        }

        Duration duration(String key, String envName, Duration dflt) {
            String v = string(key, envName, null);
            if (v == null) return dflt;
            try {
                return parseDuration(v);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "not a duration (e.g. 1h, 30m, 90s, 500ms, PT1H): " + v);
            }
        }

        boolean bool(String key, String envName, boolean dflt) {
            String v = string(key, envName, Boolean.toString(dflt)).trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new ConfigException(key, "not true or false: " + v);
            };
        }

        double fraction(String key, double dflt) {
            String v = string(key, null, Double.toString(dflt));
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "not a number (e.g. 0.9): " + v);
            }
        }

        long size(String key, long dflt) {
            return size(key, null, dflt);
        }

        long size(String key, String envName, long dflt) {
            String v = string(key, envName, Long.toString(dflt)).trim();
            if (v.toLowerCase(Locale.ROOT).endsWith("/s")) v = v.substring(0, v.length() - 2).trim(); // "64MiB/s"
            try {
                return parseSize(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "not a size (e.g. 1MiB, 256KiB, 1048576): " + v);
            }
        }
    }

    /** "500ms", "90s", "30m", "1h", "1d" or ISO-8601 ("PT1H"). @throws IllegalArgumentException otherwise */
    public static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(v, e);
            }
        }
        for (var unit : List.of(Map.entry("ms", ChronoUnit.MILLIS), Map.entry("s", ChronoUnit.SECONDS),
                Map.entry("m", ChronoUnit.MINUTES), Map.entry("h", ChronoUnit.HOURS), Map.entry("d", ChronoUnit.DAYS))) {
            if (s.endsWith(unit.getKey())) {
                String n = s.substring(0, s.length() - unit.getKey().length()).trim();
                try {
                    return Duration.of(Long.parseLong(n), unit.getValue());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(v, e);
                }
            }
        }
        throw new IllegalArgumentException(v);
    }

    static long parseSize(String v) {
        String s = v.trim();
        long mult = 1;
        String lower = s.toLowerCase(Locale.ROOT);
        for (var unit : List.of(Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
                Map.entry("kb", 1000L), Map.entry("mb", 1000_000L), Map.entry("gb", 1000_000_000L), Map.entry("b", 1L))) {
            if (lower.endsWith(unit.getKey())) {
                mult = unit.getValue();
                s = s.substring(0, s.length() - unit.getKey().length()).trim();
                break;
            }
        }
        return Long.parseLong(s) * mult;
    }
}
