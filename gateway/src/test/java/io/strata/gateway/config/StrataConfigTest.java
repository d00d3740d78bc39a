package io.strata.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StrataConfigTest {

    @Test
    void defaultsGiveTheEmbeddedSingleNodeLayout(@TempDir Path dir) {
        StrataConfig c = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(9000, c.port());
        assertEquals("127.0.0.1", c.host());
        assertEquals(6, c.drives().size());
        assertEquals(dir.resolve("drives/d1"), c.drives().getFirst());
        assertEquals(4, c.dataShards());
        assertEquals(2, c.parityShards());
        assertTrue(c.credentials().isEmpty());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                server:
                  port: 9100
                  domain: s3.example.test
                erasure:
                  data-shards: 2
                  parity-shards: 1
                  block-size: 256KiB
                auth:
                  access-key: fileaccess
                  secret-key: filesecret123
                """);
        StrataConfig c = StrataConfig.load(file, Map.of("STRATA_PORT", "9200", "STRATA_ACCESS_KEY", "envaccess",
                "STRATA_SECRET_KEY", "envsecret123", "STRATA_DATA_DIR", dir.toString()), Map.of("server.port", "9300"));
        assertEquals(9300, c.port());
        assertEquals("s3.example.test", c.domain());
        assertEquals(3, c.drives().size());
        assertEquals(256 << 10, c.blockSize());
        assertEquals("envaccess", c.credentials().orElseThrow().accessKey());
    }

    @Test
    void metricsAreProtectedByDefaultAndTheTokenComesFromAFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        StrataConfig defaults = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertFalse(defaults.metrics().open());
        assertTrue(defaults.metrics().token().isEmpty());
        Path tokenFile = dir.resolve("metrics.token");
        Files.writeString(tokenFile, "file-token-0123456789\n");
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, "metrics:\n  public: true\n  bearer-token-file: " + tokenFile + "\n");
        StrataConfig c = StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertTrue(c.metrics().open());
        assertEquals("file-token-0123456789", c.metrics().token().orElseThrow());
        assertFalse(c.metrics().toString().contains("file-token"), "the token stays out of logs");
        assertTrue(c.metrics().presentsToken(java.util.Optional.of("Bearer file-token-0123456789")));
        assertFalse(c.metrics().presentsToken(java.util.Optional.of("Bearer file-token-012345678")));
        assertFalse(c.metrics().presentsToken(java.util.Optional.of("Basic file-token-0123456789")));
        var shortToken = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_METRICS_TOKEN", "short"), Map.of()));
        assertTrue(shortToken.getMessage().contains("STRATA_METRICS_TOKEN"), shortToken.getMessage());
        var missing = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_METRICS_TOKEN_FILE", dir.resolve("nope").toString()), Map.of()));
        assertTrue(missing.getMessage().contains("metrics.bearer-token-file"), missing.getMessage());
    }

    @Test
    void badValuesAreRefusedNamingTheKey(@TempDir Path dir) {
        var e = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, Map.of(), Map.of("server.port", "ninety")));
        assertTrue(e.getMessage().contains("server.port"), e.getMessage());
        var e2 = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, Map.of("STRATA_ACCESS_KEY", "only"), Map.of()));
        assertTrue(e2.getMessage().contains("auth.secret-key"), e2.getMessage());
    }

    @Test
    void healSettingsHaveDefaultsAndAreReadFromTheFileAndEnvironment(@TempDir Path dir) throws Exception {
        StrataConfig defaults = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(io.strata.erasure.HealConfig.defaults(), defaults.heal());
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                erasure:
                  heal-rate: 16MiB/s
                  heal-interval: 30m
                  scrub-interval: 7d
                  heal-min-age: 0s
                  heal-queue: 50
                """);
        var heal = StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of()).heal();
        assertEquals(16L << 20, heal.rateBytesPerSecond());
        assertEquals(java.time.Duration.ofMinutes(30), heal.interval());
        assertEquals(java.time.Duration.ofDays(7), heal.scrubInterval());
        assertEquals(java.time.Duration.ZERO, heal.minAge());
        assertEquals(50, heal.queueCapacity());
        assertEquals(0, StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_HEAL_RATE", "0"), Map.of())
                .heal().rateBytesPerSecond());
        var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_HEAL_INTERVAL", "0s"), Map.of()));
        assertTrue(e.getMessage().contains("erasure.heal-interval"), e.getMessage());
    }

    @Test
    void replicationParallelismDefaultsToEightTakesTheFileOrEnvironmentAndMustBeOneToSixtyFour(@TempDir Path dir)
            throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(8, StrataConfig.load(null, env, Map.of()).replication().parallelism());
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, "replication:\n  parallelism: 16\n");
        assertEquals(16, StrataConfig.load(file, env, Map.of()).replication().parallelism());
        assertEquals(2, StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(),
                "STRATA_REPLICATION_PARALLELISM", "2"), Map.of()).replication().parallelism());
        for (String bad : new String[] {"0", "65", "many"}) {
            StrataConfig.ConfigException e = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(null, env, Map.of("replication.parallelism", bad)), bad);
            assertTrue(e.getMessage().contains("replication.parallelism"), e.getMessage());
        }
    }

    @Test
    void lifecycleIntervalDefaultsToAnHourAndTakesShortDurations(@TempDir Path dir) {
        assertEquals(java.time.Duration.ofHours(1),
                StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of()).lifecycleInterval());
        assertEquals(java.time.Duration.ofMinutes(5), StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()),
                Map.of("lifecycle.interval", "5m")).lifecycleInterval());
        assertEquals(java.time.Duration.ofMillis(500), StrataConfig.parseDuration("500ms"));
        assertEquals(java.time.Duration.ofSeconds(90), StrataConfig.parseDuration("90s"));
        assertEquals(java.time.Duration.ofDays(1), StrataConfig.parseDuration("1d"));
        assertEquals(java.time.Duration.ofHours(2), StrataConfig.parseDuration("PT2H"));
        StrataConfig.ConfigException e = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, Map.of(), Map.of("lifecycle.interval", "soon")));
        assertTrue(e.getMessage().contains("lifecycle.interval"), e.getMessage());
        assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, Map.of(), Map.of("lifecycle.interval", "0s")));
    }

    @Test
    void orphanCollectionSettingsHaveDefaultsAndAreValidated(@TempDir Path dir) {
        StrataConfig c = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(java.time.Duration.ofMinutes(15), c.orphanGrace());
        assertEquals(java.time.Duration.ofHours(1), c.orphanInterval());
        StrataConfig tiny = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(),
                "STRATA_ORPHAN_GRACE", "0s", "STRATA_ORPHAN_INTERVAL", "500ms"), Map.of());
        assertEquals(java.time.Duration.ZERO, tiny.orphanGrace());
        assertEquals(java.time.Duration.ofMillis(500), tiny.orphanInterval());
        var negative = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_ORPHAN_GRACE", "-1s"), Map.of()));
        assertTrue(negative.getMessage().contains("erasure.orphan-grace"), negative.getMessage());
        var zero = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_ORPHAN_INTERVAL", "0s"), Map.of()));
        assertTrue(zero.getMessage().contains("erasure.orphan-interval"), zero.getMessage());
    }

    @Test
    void segmentCompactionSettingsHaveDefaultsAndAreValidatedNamingTheKey(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        CompactionSettings defaults = StrataConfig.load(null, env, Map.of()).compaction();
        assertEquals(java.time.Duration.ofMinutes(1), defaults.interval());
        assertEquals(0.5, defaults.threshold());
        assertEquals(32L << 20, defaults.rate());
        CompactionSettings set = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(),
                "STRATA_COMPACTION_INTERVAL", "10s", "STRATA_COMPACTION_RATE", "4MiB"),
                Map.of("erasure.compaction-threshold", "0.8")).compaction();
        assertEquals(new CompactionSettings(java.time.Duration.ofSeconds(10), 0.8, 4L << 20), set);
        assertEquals(0, StrataConfig.load(null, env, Map.of("erasure.compaction-rate", "0")).compaction().rate(),
                "0 is no limit");
        for (var bad : List.of(Map.of("erasure.compaction-interval", "0s"), Map.of("erasure.compaction-threshold", "0"),
                Map.of("erasure.compaction-threshold", "1.5"), Map.of("erasure.compaction-threshold", "half"),
                Map.of("erasure.compaction-rate", "-1"))) {
            var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env, bad));
            String key = bad.keySet().iterator().next();
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void connectionLimitsHaveDefaultsAndAreValidatedNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(ConnectionLimits.DEFAULTS, StrataConfig.load(null, env, Map.of()).limits());
        assertEquals(java.time.Duration.ofSeconds(20), ConnectionLimits.DEFAULTS.readTimeout());
        Path file = java.nio.file.Files.writeString(dir.resolve("limits.yaml"), "server: { idle-timeout: 5s, header-timeout: 500ms, "
                + "read-timeout: 1m, min-body-rate: 1KiB, max-connections: 10, max-uploads: 3 }\n");
        assertEquals(new ConnectionLimits(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(500),
                java.time.Duration.ofMinutes(1), 1024, 10, 3), StrataConfig.load(file, env, Map.of()).limits());
        for (var bad : Map.of("server.idle-timeout", "0s", "server.header-timeout", "-1s", "server.read-timeout", "soon",
                "server.max-connections", "0", "server.max-uploads", "-2", "server.min-body-rate", "-1").entrySet()) {
            var e = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(null, env, Map.of(bad.getKey(), bad.getValue())), bad::toString);
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }

    @Test
    void changeLogBoundsDefaultTo256MiBAndSevenDaysAndAreValidatedNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        StrataConfig d = StrataConfig.load(null, env, Map.of());
        assertEquals(256L << 20, d.changeLog().maxBytes());
        assertEquals(java.time.Duration.ofDays(7), d.changeLog().maxAge());
        Path file = Files.writeString(dir.resolve("changes.yaml"),
                "namespace: { change-log: { max-bytes: 1GiB, max-age: 36h } }\n");
        StrataConfig c = StrataConfig.load(file, env, Map.of());
        assertEquals(1L << 30, c.changeLog().maxBytes());
        assertEquals(java.time.Duration.ofHours(36), c.changeLog().maxAge());
        for (var bad : Map.of("namespace.change-log.max-bytes", "0", "namespace.change-log.max-age", "0s").entrySet()) {
            var e = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(null, env, Map.of(bad.getKey(), bad.getValue())), bad::toString);
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        var notASize = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, env, Map.of("namespace.change-log.max-bytes", "plenty")));
        assertTrue(notASize.getMessage().contains("namespace.change-log.max-bytes"), notASize.getMessage());
    }

    @Test
    void inlineThresholdDefaultsTo64KiBAndIsBounded(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(64 << 10, StrataConfig.load(null, env, Map.of()).inlineThreshold());
        assertEquals(16 << 10, StrataConfig.load(null, env, Map.of("storage.inline-threshold", "16KiB")).inlineThreshold());
        assertEquals(0, StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_INLINE_THRESHOLD", "0"),
                Map.of()).inlineThreshold());
        StrataConfig.ConfigException e = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, env, Map.of("storage.inline-threshold", "2MiB")));
        assertTrue(e.getMessage().contains("storage.inline-threshold"), e.getMessage());
        assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, env, Map.of("storage.inline-threshold", "lots")));
    }

    @Test
    void erasureStoreSizesItsWriteBuffersForServerMaxUploads(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(64, StrataConfig.load(null, env, Map.of()).erasure().concurrentWrites());
        assertEquals(8, StrataConfig.load(null, env, Map.of("server.max-uploads", "8")).erasure().concurrentWrites());
    }

    @Test
    void segmentShardMaxDefaultsTo1MiBCanBeTurnedOffAndIsBounded(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(1 << 20, StrataConfig.load(null, env, Map.of()).erasure().segmentShardMax());
        assertEquals(256 << 10, StrataConfig.load(null, env, Map.of("erasure.segment-shard-max", "256KiB")).erasure().segmentShardMax());
        assertEquals(0, StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_SEGMENT_SHARD_MAX", "0"),
                Map.of()).erasure().segmentShardMax());
        StrataConfig.ConfigException e = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, env, Map.of("erasure.segment-shard-max", "32MiB")));
        assertTrue(e.getMessage().contains("erasure.segment-shard-max"), e.getMessage());
    }

    @Test
    void placementSettingsHaveDefaultsAndAreValidatedNamingTheKey(@TempDir Path dir) throws Exception {
        StrataConfig d = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(2, d.placement().promoteAfterReads());
        assertEquals(0.90, d.placement().highWatermark());
        assertEquals(0.75, d.placement().lowWatermark());
        assertTrue(d.placement().hotCapacity().isEmpty());
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                placement:
                  promote-after-reads: 0
                  hot-capacity: 10MiB
                  eviction-tier: COLD
                  check-interval: 5s
                """);
        StrataConfig c = StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(0, c.placement().promoteAfterReads());
        assertEquals(10L << 20, c.placement().hotCapacity().getAsLong());
        assertEquals(java.time.Duration.ofSeconds(5), c.placementInterval());
        for (var bad : Map.of("placement.low-watermark", "0.95", "placement.high-watermark", "1.5",
                "placement.eviction-tier", "NOPE", "placement.promote-after-reads", "-1").entrySet()) {
            var e = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of(bad.getKey(), bad.getValue())));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }

    @Test
    void keepNewestRulesAreReadInFileOrderWithTheirDefaults(@TempDir Path dir) throws Exception {
        StrataConfig d = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(java.util.List.of(), d.keepNewest());
        assertEquals(java.time.Duration.ofSeconds(30), d.keepNewestInterval());
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                placement:
                  keep-newest-interval: 2s
                  keep-newest:
                    ckpt:
                      bucket: train
                      prefix: runs/ckpt/
                      versions: 2
                      tier: COLD
                      group-by: directory
                    logs:
                      bucket: train
                      versions: 5
                """);
        StrataConfig c = StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(java.time.Duration.ofSeconds(2), c.keepNewestInterval());
        assertEquals(2, c.keepNewest().size());
        var ckpt = c.keepNewest().get(0);
        assertEquals("ckpt", ckpt.name());
        assertEquals("train", ckpt.bucket());
        assertEquals("runs/ckpt/", ckpt.prefix());
        assertEquals(2, ckpt.versions());
        assertEquals(java.util.Optional.of("COLD"), ckpt.tier());
        assertEquals(io.strata.tiering.placement.KeepNewestRule.GroupBy.DIRECTORY, ckpt.groupBy());
        var logs = c.keepNewest().get(1);
        assertEquals("", logs.prefix());
        assertEquals(java.util.Optional.empty(), logs.tier());
        assertEquals(io.strata.tiering.placement.KeepNewestRule.GroupBy.VERSION, logs.groupBy());
    }

    @Test
    void badKeepNewestRulesAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("placement.keep-newest.ckpt.versions", "bucket: train\n      versions: 0");
        cases.put("placement.keep-newest.ckpt.versions ", "bucket: train\n      versions: many");
        cases.put("placement.keep-newest.ckpt.versions  ", "bucket: train");
        cases.put("placement.keep-newest.ckpt.bucket", "versions: 2");
        cases.put("placement.keep-newest.ckpt.bucket ", "bucket: Not_A_Bucket\n      versions: 2");
        cases.put("placement.keep-newest.ckpt.group-by", "bucket: train\n      versions: 2\n      group-by: file");
        cases.put("placement.keep-newest.ckpt.versoins", "bucket: train\n      versoins: 2");
        for (var bad : cases.entrySet()) {
            Path file = dir.resolve("bad.yaml");
            Files.writeString(file, "placement:\n  keep-newest:\n    ckpt:\n      " + bad.getValue() + "\n");
            var e = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of()), bad.getValue());
            assertTrue(e.getMessage().startsWith("configuration key '" + bad.getKey().strip() + "'"), e.getMessage());
        }
        var interval = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString()), Map.of("placement.keep-newest-interval", "0s")));
        assertTrue(interval.getMessage().contains("placement.keep-newest-interval"), interval.getMessage());
    }

    @Test
    void tlsNeedsACertificateAndAKeyOrTheSelfSignedPair(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertTrue(StrataConfig.load(null, env, Map.of()).tls().isEmpty());
        assertEquals("http://127.0.0.1:9000", StrataConfig.load(null, env, Map.of()).localEndpoint(9000).toString());
        var halfSet = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, env, Map.of("server.tls.certificate", dir.resolve("c.pem").toString())));
        assertTrue(halfSet.getMessage().contains("server.tls.private-key"), halfSet.getMessage());
        Files.writeString(dir.resolve("c.pem"), "x");
        var missing = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env,
                Map.of("server.tls.certificate", dir.resolve("c.pem").toString(), "server.tls.private-key", dir.resolve("none.pem").toString())));
        assertTrue(missing.getMessage().contains("server.tls.private-key") && missing.getMessage().contains("cannot read"),
                missing.getMessage());
        var bad = assertThrows(StrataConfig.ConfigException.class,
                () -> StrataConfig.load(null, Map.of("STRATA_TLS_SELF_SIGNED", "perhaps"), Map.of()));
        assertTrue(bad.getMessage().contains("server.tls.self-signed"), bad.getMessage());

        StrataConfig c = StrataConfig.load(null, env, Map.of("server.tls.self-signed", "true", "server.host", "0.0.0.0"));
        TlsSpec spec = c.tls().orElseThrow();
        assertEquals(dir.resolve("tls/cert.pem"), spec.certificate());
        assertEquals("https://127.0.0.1:9000", c.localEndpoint(9000).toString());
        assertTrue(spec.createIfMissing(c.host(), c.domain()));
        assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(spec.privateKey()));
        var chain = spec.loadChain();
        chain.getFirst().checkValidity();
        chain.getFirst().verify(chain.getFirst().getPublicKey());
        assertTrue(chain.getFirst().getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("*.localhost")));
        assertEquals("EC", spec.loadPrivateKey().getAlgorithm());
        String before = Files.readString(spec.certificate());
        assertTrue(!spec.createIfMissing(c.host(), c.domain()), "an existing pair is kept");
        assertEquals(before, Files.readString(spec.certificate()));

        Files.writeString(spec.privateKey(), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        var encrypted = assertThrows(java.io.IOException.class, spec::loadPrivateKey);
        assertTrue(encrypted.getMessage().contains(spec.privateKey().toString()), encrypted.getMessage());
    }

    @Test
    void sizesParseWithUnits() {
        assertEquals(1 << 20, StrataConfig.parseSize("1MiB"));
        assertEquals(256 << 10, StrataConfig.parseSize("256KiB"));
        assertEquals(4096, StrataConfig.parseSize("4096"));
    }

    @Test
    void theAttachedSnapshotsCacheBoundDefaultsToTenGibAndMustBePositive(@TempDir Path dir) {
        assertEquals(10L << 30, StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of()).snapshots().attachCacheBytes());
        assertEquals(2L << 20, StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()),
                Map.of("snapshots.attach-cache-bytes", "2MiB")).snapshots().attachCacheBytes());
        var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null,
                Map.of("STRATA_DATA_DIR", dir.toString()), Map.of("snapshots.attach-cache-bytes", "0")));
        assertTrue(e.getMessage().contains("snapshots.attach-cache-bytes"), e.getMessage());
    }

    @Test
    void aFailedExportIsRetriedAfterOneMinuteUnlessConfiguredWithinOneSecondToOneDay(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(java.time.Duration.ofMinutes(1), StrataConfig.load(null, env, Map.of()).snapshots().exportRetryAfter());
        assertEquals(java.time.Duration.ofSeconds(10), StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(),
                "STRATA_SNAPSHOT_RETRY_AFTER", "10s"), Map.of()).snapshots().exportRetryAfter());
        assertEquals(java.time.Duration.ofMinutes(5), StrataConfig.load(null, env,
                Map.of("snapshots.export-retry-after", "5m")).snapshots().exportRetryAfter());
        for (String bad : new String[] {"0s", "500ms", "2d", "soon"}) {
            var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env,
                    Map.of("snapshots.export-retry-after", bad)));
            assertTrue(e.getMessage().contains("snapshots.export-retry-after"), e.getMessage());
        }
    }

    @Test
    void snapshotsDefaultToALocalRepositoryInTheDataDirWithFourParallelUploads(@TempDir Path dir) {
        StrataConfig c = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(1, c.snapshots().repositories().size());
        SnapshotRepoSpec local = c.snapshots().repositories().getFirst();
        assertEquals("local", local.name());
        assertEquals(dir.resolve("snapshots"), local.path().orElseThrow());
        assertEquals(4, c.snapshots().parallelUploads());
        assertEquals(2, c.snapshots().maxRunningExports());
    }

    @Test
    void hydrationCopiesFourVersionsAtOnceUnlessConfiguredAndRefusesZero(@TempDir Path dir) {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        assertEquals(4, StrataConfig.load(null, env, Map.of()).snapshots().hydrateParallelism());
        assertEquals(16, StrataConfig.load(null, env, Map.of("snapshots.hydrate-parallelism", "16")).snapshots().hydrateParallelism());
        var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env,
                Map.of("snapshots.hydrate-parallelism", "0")));
        assertTrue(e.getMessage().contains("snapshots.hydrate-parallelism"), e.getMessage());
    }

    @Test
    void snapshotRepositoriesComeFromTheFileAsTiersDoAndHideTheirSecret(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                snapshots:
                  parallel-uploads: 8
                  max-running-exports: 3
                  repositories:
                    offsite:
                      type: s3
                      endpoint: https://s3.example.test
                      bucket: dr
                      prefix: strata
                      access-key: AKIAEXAMPLE
                      secret-key: very-secret-value
                    nearby:
                      type: local
                      path: snaps
                """);
        StrataConfig c = StrataConfig.load(file, Map.of("STRATA_DATA_DIR", dir.toString()), Map.of());
        assertEquals(8, c.snapshots().parallelUploads());
        assertEquals(3, c.snapshots().maxRunningExports());
        Map<String, SnapshotRepoSpec> byName = new java.util.TreeMap<>();
        c.snapshots().repositories().forEach(r -> byName.put(r.name(), r));
        assertEquals(java.util.Set.of("offsite", "nearby"), byName.keySet(), "no embedded default once the file names some");
        assertEquals(dir.resolve("snaps"), byName.get("nearby").path().orElseThrow(), "relative to the file");
        SnapshotRepoSpec offsite = byName.get("offsite");
        assertEquals("strata/", offsite.s3().orElseThrow().prefix());
        assertFalse(offsite.toString().contains("very-secret-value"));
        assertFalse(offsite.description().contains("very-secret-value"));
        assertEquals("very-secret-value", offsite.settings().get("secret-key"), "kept for the 0600 file only");
    }

    @Test
    void badSnapshotSettingsAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        for (var bad : Map.of("snapshots.parallel-uploads", "0", "snapshots.max-running-exports", "100").entrySet()) {
            var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env,
                    Map.of(bad.getKey(), bad.getValue())));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
        Path file = dir.resolve("strata.yaml");
        Files.writeString(file, """
                snapshots:
                  repositories:
                    offsite:
                      type: s3
                      endpoint: https://s3.example.test
                      access-key: AKIAEXAMPLE
                      secret-key: very-secret-value
                """);
        var e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(file, env, Map.of()));
        assertTrue(e.getMessage().contains("snapshots.repositories.offsite") && e.getMessage().contains("'bucket' is required"),
                e.getMessage());
        assertFalse(e.getMessage().contains("very-secret-value"));
        Files.writeString(file, """
                snapshots:
                  repositories:
                    Bad_Name:
                      type: local
                      path: x
                """);
        e = assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(file, env, Map.of()));
        assertTrue(e.getMessage().contains("snapshots.repositories.Bad_Name"), e.getMessage());
    }

    @Test
    void theSiteNameDefaultsToTheDataDirectorysSiteIdAndTheNumberToZeroAndBothAreValidated(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("STRATA_DATA_DIR", dir.toString());
        StrataConfig d = StrataConfig.load(null, env, Map.of());
        assertEquals(0, d.site().number());
        assertTrue(d.site().name().isEmpty());
        String id = d.site().resolveName(dir);
        assertTrue(id.matches("site-[0-9a-f]{16}"), id);
        assertEquals(id, d.site().resolveName(dir), "kept in the data directory: the same at every start");
        Path file = Files.writeString(dir.resolve("site.yaml"), "site: { name: paris, number: 7 }\n");
        StrataConfig c = StrataConfig.load(file, env, Map.of());
        assertEquals("paris", c.site().resolveName(dir));
        assertEquals(7, c.site().number());
        StrataConfig e = StrataConfig.load(null, Map.of("STRATA_DATA_DIR", dir.toString(), "STRATA_SITE_NAME", "lyon",
                "STRATA_SITE_NUMBER", "1023"), Map.of());
        assertEquals("lyon", e.site().resolveName(dir));
        assertEquals(1023, e.site().number());
        for (var bad : Map.of("site.number", "1024", "site.name", "Paris").entrySet()) {
            var x = assertThrows(StrataConfig.ConfigException.class,
                    () -> StrataConfig.load(null, env, Map.of(bad.getKey(), bad.getValue())), bad::toString);
            assertTrue(x.getMessage().contains(bad.getKey()), x.getMessage());
        }
        assertThrows(StrataConfig.ConfigException.class, () -> StrataConfig.load(null, env, Map.of("site.number", "-1")));
    }

    @Test
    void theTestClockOffsetShiftsTheClockOnlyWhenSet() {
        assertEquals(java.time.Clock.systemUTC(), TestClockOffset.clock(Map.of()));
        java.time.Instant ahead = TestClockOffset.clock(Map.of(TestClockOffset.ENV, "1h")).instant();
        assertTrue(ahead.isAfter(java.time.Instant.now().plusSeconds(3000)), ahead.toString());
        java.time.Instant behind = TestClockOffset.clock(Map.of(TestClockOffset.ENV, "-1h")).instant();
        assertTrue(behind.isBefore(java.time.Instant.now().minusSeconds(3000)), behind.toString());
        var e = assertThrows(StrataConfig.ConfigException.class, () -> TestClockOffset.clock(Map.of(TestClockOffset.ENV, "soon")));
        assertTrue(e.getMessage().contains(TestClockOffset.ENV), e.getMessage());
    }
}
