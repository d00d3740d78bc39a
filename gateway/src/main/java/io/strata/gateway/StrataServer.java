package io.strata.gateway;

import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.http.Status;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;
import io.strata.auth.CredentialStore;
import io.strata.auth.Credentials;
import io.strata.auth.PostFormVerifier;
import io.strata.auth.SigV4Verifier;
import io.strata.erasure.ErasureStore;
import io.strata.erasure.Healer;
import io.strata.gateway.admin.AdminApi;
import io.strata.gateway.admin.HealAdmin;
import io.strata.gateway.admin.PlacementAdmin;
import io.strata.gateway.admin.ReplicationAdmin;
import io.strata.gateway.replication.ReplicationResync;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.gateway.replication.ReplicationWorker;
import io.strata.gateway.config.SiteId;
import io.strata.gateway.config.TestClockOffset;
import io.strata.gateway.admin.SnapshotSchedules;
import io.strata.gateway.admin.JobsAdmin;
import io.strata.gateway.admin.SnapshotAttachAdmin;
import io.strata.gateway.admin.SnapshotRestoreAdmin;
import io.strata.gateway.attach.AttachedNamespace;
import io.strata.gateway.attach.Attachments;
import io.strata.gateway.attach.Restores;
import io.strata.tiering.snapshot.SnapshotCache;
import io.strata.tiering.snapshot.SnapshotSources;
import io.strata.gateway.admin.TierAdmin;
import io.strata.gateway.admin.SnapshotAdmin;
import io.strata.gateway.admin.SnapshotRepositories;
import io.strata.gateway.admin.SnapshotService;
import io.strata.gateway.config.RootCredentials;
import io.strata.gateway.config.StrataConfig;
import io.strata.gateway.config.TierSpec;
import io.strata.gateway.config.TlsSpec;
import io.strata.gateway.http.AwsChunkedEncoding;
import io.strata.gateway.http.ConnectionGuard;
import io.strata.gateway.http.FirstRequestLine;
import io.strata.gateway.http.TransportErrors;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.metrics.MetricsAccess;
import io.strata.gateway.metrics.PlacementMetrics;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.objects.OrphanCollector;
import io.strata.gateway.objects.SegmentCompactor;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.ErrorMapping;
import io.strata.gateway.s3.S3Api;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.handler.LifecycleHandlers;
import io.strata.gateway.s3.handler.S3Handlers;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.lifecycle.LifecycleWorker;
import io.strata.tiering.placement.PlacementMoves;
import io.strata.tiering.placement.PlacementService;
import io.strata.tiering.snapshot.SnapshotExporter;
import io.strata.tiering.snapshot.SnapshotExports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A running gateway: namespace, hot tier, object service and the HTTP listener, wired together.
 * {@link #close()} stops them in reverse order. Not reusable after close.
 */
public final class StrataServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StrataServer.class);
    /** Request headers larger than this are refused (S3 allows 8 KiB; SDKs stay well below). */
    static final int MAX_HEADERS_SIZE = 64 << 10;
    /**
     * Longest request line: a key of S3's maximum 1,024 bytes percent-encodes to 3 KiB, and a
     * presigned query with a session token adds 2-3 KiB; S3 itself limits a request's header
     * section to 8 KiB. Longer lines are answered 414 (Helidon's default, 4 KiB, would refuse
     * presigned URLs of long keys).
     */
    static final int MAX_REQUEST_LINE = 8 << 10;
    /** Encodings S3 stores as metadata and never decodes. */
    static final Set<String> PASS_THROUGH_ENCODINGS =
            Set.of("aws-chunked", "gzip", "x-gzip", "deflate", "br", "compress", "identity", "zstd");

    private final Namespace namespace;
    private final ErasureStore store;
    private final ObjectService service;
    private final LifecycleWorker lifecycle;
    private final PlacementService placement;
    private final BulkJobs jobs;
    private final Healer healer;
    private final OrphanCollector orphans;
    private final WebServer web;
    private final Credentials rootCredentials;
    private final boolean credentialsCreated;
    private final ConnectionGuard guard;
    private final Attachments attachments;
    private final SnapshotService snapshots;
    private final Restores restores;
    private final SnapshotSchedules schedules;
    private final ReplicationWorker replication;
    private final SegmentCompactor compactor;

    private StrataServer(Namespace namespace, ErasureStore store, ObjectService service, LifecycleWorker lifecycle,
                         PlacementService placement, BulkJobs jobs, Healer healer, OrphanCollector orphans, WebServer web,
                         Credentials rootCredentials, boolean credentialsCreated, ConnectionGuard guard,
                         Attachments attachments, SnapshotService snapshots, Restores restores,
                         SnapshotSchedules schedules, ReplicationWorker replication, SegmentCompactor compactor) {
        this.compactor = compactor;
        this.schedules = schedules;
        this.replication = replication;
        this.guard = guard;
        this.restores = restores;
        this.attachments = attachments;
        this.snapshots = snapshots;
        this.jobs = jobs;
        this.namespace = namespace;
        this.healer = healer;
        this.store = store;
        this.service = service;
        this.lifecycle = lifecycle;
        this.orphans = orphans;
        this.placement = placement;
        this.web = web;
        this.rootCredentials = rootCredentials;
        this.credentialsCreated = credentialsCreated;
    }

    /** Opens the data directory and starts listening. The caller closes the server. */
    public static StrataServer start(StrataConfig config) throws IOException {
        return start(config, UnaryOperator.identity());
    }

    /**
     * As {@link #start(StrataConfig)}, with the namespace seen through {@code wrapNamespace}: in-process
     * tests wrap it to inject faults (a metadata write failing for one key), as drives are wrapped.
     */
    static StrataServer start(StrataConfig config, UnaryOperator<Namespace> wrapNamespace) throws IOException {
        io.strata.gateway.http.HelidonMappers.pin();   // before anything reads a header through Helidon's mappers
        Files.createDirectories(config.dataDir());
        boolean[] created = {false};
        Credentials root = config.credentials().isPresent()
                ? config.credentials().get()
                : RootCredentials.loadOrCreate(config.dataDir(), created);
        // One clock for the whole gateway; tests of conflicting sites shift it (STRATA_TEST_CLOCK_OFFSET).
        Clock clock = TestClockOffset.clock(System.getenv());
        Namespace namespace = wrapNamespace.apply(Namespace.open(config.metaDir(), config.changeLog(), clock,
                config.site().number(), ObjectService.NEEDS_FREEING));
        ErasureStore store = null;
        ObjectService service = null;
        LifecycleWorker lifecycle = null;
        PlacementService placement = null;
        BulkJobs jobs = null;
        Healer healer = null;
        ColdTiers tiers = null;
        OrphanCollector orphans = null;
        ConnectionGuard guard = null;
        Attachments attachments = null;
        Restores restores = null;
        SnapshotRepositories snapshotRepos = null;
        SnapshotService snapshots = null;
        SnapshotSchedules schedules = null;
        ReplicationWorker replication = null;
        SegmentCompactor compactor = null;
        try {
            store = ErasureStore.open(config.erasure());
            healer = Healer.start(store, config.heal());
            tiers = new ColdTiers();
            List<TierSpec> specs = new java.util.ArrayList<>(config.tiers());
            for (TierSpec added : TierAdmin.persisted(config.dataDir())) {
                if (config.tiers().stream().anyMatch(t -> t.name().equals(added.name()))) {
                    throw new StrataConfig.ConfigException("tiers." + added.name(), "defined both in the configuration file and in "
                            + config.dataDir().resolve(TierAdmin.DIR) + " (added with strata tier add); remove one");
                }
                specs.add(added);
            }
            for (TierSpec spec : specs) {
                tiers.add(spec.name(), spec.description(), spec.open());
                LOG.info("cold tier {}: {}", spec.name(), spec.description());
            }
            // Attached snapshots: read-only buckets served from snapshot repositories, seen by the S3
            // API (and the object service) through the namespace that adds them; the background
            // workers (lifecycle, placement, jobs, orphans) see the stored namespace alone.
            ColdTiers localTiers = tiers;
            SnapshotSources sources = new SnapshotSources(SnapshotCache.open(config.dataDir().resolve(Attachments.DIR)
                    .resolve("cache"), config.snapshots().attachCacheBytes()), name -> localTiers.get(name).map(ColdTiers.Tier::store));
            String site = Restores.siteId(config.dataDir());
            attachments = Attachments.open(config.dataDir(), sources, config.region(), site);
            service = new ObjectService(new AttachedNamespace(namespace, attachments), store, clock, tiers, config.inlineThreshold());
            service.snapshots(sources);
            String siteName = config.site().resolveName(config.dataDir());
            service.siteName(siteName);
            LOG.info("site {} (site.number {})", siteName, config.site().number());
            ObjectService objects = service;
            service.lifecycleLookup(bucket -> LifecycleHandlers.stored(objects, bucket));
            // Tier moves and prefetches are durable bulk jobs: each owner registers its action here,
            // and jobs a restart interrupted resume once everything is wired (jobs.start below).
            jobs = new BulkJobs(namespace);
            for (var rule : config.keepNewest()) {
                if (rule.tier().isPresent() && service.tiers().get(rule.tier().get()).isEmpty()) {
                    throw new StrataConfig.ConfigException(io.strata.tiering.placement.KeepNewestRule.key(rule.name(), "tier"),
                            "no tier named " + rule.tier().get());
                }
            }
            placement = new PlacementService(namespace, service.tiers(), placementMoves(service), config.placement(),
                    config.keepNewest(), jobs, clock, config.drives(), (double) (config.dataShards() + config.parityShards()) / config.dataShards());
            // The data plane asks placement, through its own hook, whether a version stays hot before
            // any move cold; it does not know the placement package.
            service.placement(placement::keepsHot);
            // Restores: buckets loaded from snapshots, readable through the same sources until hydrated
            // by a bulk job (registered here, before jobs.start resumes interrupted hydrations).
            restores = Restores.open(config.dataDir(), namespace, sources, jobs, service.mover(),
                    site, config.region(), clock, config.snapshots().hydrateParallelism());
            Metrics metrics = new Metrics();
            metrics.placement(new PlacementMetrics(placement));
            lifecycle = new LifecycleWorker(namespace, service, clock);
            metrics.lifecycle(lifecycle);
            metrics.healer(healer);
            metrics.tiers(service.tiers(), service.mover());
            // Blobs of writes a crash cut off between the shard rename and the namespace commit.
            orphans = new OrphanCollector(namespace, store, config.orphanGrace(), clock, service.pins());
            metrics.orphans(orphans);
            compactor = new SegmentCompactor(namespace, store, service.mover(), service::signalCleanerNow,
                    config.compaction().threshold(), config.compaction().rate());
            metrics.segmentCompaction(compactor);
            metrics.changeLog(namespace.changeFeed());
            metrics.jobs(jobs);
            metrics.attachedSnapshots(attachMetrics(attachments, restores));
            AccessControl access = new AccessControl(service.namespace(), clock);
            // Replication targets: read from the data directory before the S3 API serves, as
            // PutBucketReplication resolves its destinations against them.
            ReplicationTargets replicationTargets = new ReplicationTargets(config.dataDir(), namespace.changeFeed());
            // The worker reads the stored namespace's log and queues; it reads object bytes through the service.
            replication = new ReplicationWorker(namespace, service, replicationTargets, clock, config.replication(), siteName);
            metrics.replication(replication::appendMetrics);
            S3Handlers.Routes routes = S3Handlers.create(service, Optional.of(placement), access,
                    PostFormVerifier.create(CredentialStore.of(root), clock), config.region(), replicationTargets);
            S3Api api = new S3Api(CredentialStore.of(root), clock, access, routes.handlers(), routes.cors(), config.domain(),
                    metrics);
            api.readOnlyBuckets(attachments::isAttached);
            if (ReplicationWorker.INLINE_FAULT.equals(System.getenv("STRATA_TEST_FAULT"))) {
                LOG.warn("STRATA_TEST_FAULT={}: source changes wait on the replication targets' health",
                        ReplicationWorker.INLINE_FAULT);
                api.changeGate(replication::inlineFault);
            }
            AdminApi admin = new AdminApi(SigV4Verifier.create(CredentialStore.of(root), clock), root);
            HealAdmin.register(admin, healer);
            new TierAdmin(service, lifecycle, jobs, config.dataDir(),
                    config.tiers().stream().map(TierSpec::name).collect(java.util.stream.Collectors.toSet())).register(admin);
            PlacementAdmin.register(admin, placement, jobs);
            JobsAdmin.register(admin, jobs);
            ReplicationAdmin.register(admin, replicationTargets, namespace);
            ReplicationAdmin.registerWorker(admin, replication, namespace);
            ReplicationAdmin.registerResync(admin, replication.resync());
            jobs.registerOwned(ReplicationResync.ACTION);   // walked by the replication worker, not by jobs
            SnapshotAttachAdmin.register(admin, attachments, namespace, root.accessKey());
            SnapshotRestoreAdmin.register(admin, restores, attachments, namespace, root.accessKey());
            // Snapshot exports: durable in the namespace's work queues, checkpoints and spooled range
            // files under the data directory (the namespace's file system: checkpoints are hard links).
            snapshotRepos = new SnapshotRepositories(config.snapshots().repositories(), config.dataDir());
            java.nio.file.Path snapshotWork = config.dataDir().resolve("snapshot-work");
            SnapshotExports exports = new SnapshotExports(namespace, snapshotRepos, service.snapshotData(), snapshotWork,
                    SnapshotExporter.Options.DEFAULT.withParallelUploads(config.snapshots().parallelUploads()), clock,
                    config.snapshots().exportRetryAfter());
            snapshots = new SnapshotService(namespace, snapshotRepos, exports, snapshotWork,
                    config.snapshots().maxRunningExports(), SiteId.loadOrCreate(config.dataDir()), clock);
            // --consistent-with reads the points this site, as a replication target, received from its sources.
            snapshots.receivedPoints((bucket, origin) -> replicationTargets.received().point(bucket, origin)
                    .map(io.strata.gateway.replication.ReceivedProgress.Point::until));
            SnapshotAdmin.register(admin, snapshots);
            schedules = new SnapshotSchedules(snapshots, config.dataDir(), clock);
            SnapshotAdmin.registerPolicies(admin, schedules);
            SnapshotService exportsSection = snapshots;
            SnapshotSchedules schedulesSection = schedules;
            metrics.snapshots(out -> {
                exportsSection.metrics().appendTo(out);
                schedulesSection.metrics().appendTo(out);
            });
            ContentEncodingContext encodings = AwsChunkedEncoding.context(PASS_THROUGH_ENCODINGS);
            guard = new ConnectionGuard(config.limits(), S3Api::refuse);
            ConnectionGuard connectionGuard = guard;
            metrics.connections(guard);
            // Everything is wired: the background work starts now, none of it from a constructor.
            service.start();
            placement.start(config.placementInterval(), config.keepNewestInterval());
            lifecycle.start(config.lifecycleInterval());
            orphans.start(config.orphanInterval());
            compactor.start(config.compaction().interval());
            jobs.start();
            restores.start();
            snapshots.start();
            schedules.start();
            replication.start();
            guard.start();
            var builder = WebServer.builder();
            if (config.tls().isPresent()) builder.tls(tls(config));
            WebServer web = builder
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    // Helidon 4.4.0's NIO socket writer drops bytes of large responses under load
                    // (helidon-io/helidon#11340: bodies cut short, transfer stalls); the classic
                    // blocking socket does not.
                    .useNio(false)
                    // Request bodies: Helidon 4.4.0 reads a socket 8 KiB at a time and copies each read
                    // into a new array (PlainSocket and NioSocket alike), the largest part of what a PUT
                    // allocates. Neither the read size nor the socket wrapper is configurable, and no public
                    // API reads an entity into the caller's buffers, so handlers read content().inputStream().
                    // Writes return once the socket has the bytes: ReadAhead refills a buffer as
                    // soon as its write returns, which a queued (asynchronous) writer would break.
                    .writeQueueLength(0)
                    .contentEncoding(encodings)
                    .directHandlers(transportErrors())
                    // Stalled clients: see ConnectionLimits. The read timeout is the socket's SO_TIMEOUT;
                    // idle keep-alive connections are looked for four times per idle timeout.
                    .connectionOptions(connectionGuard.socketOptions())
                    .idleConnectionTimeout(config.limits().idleTimeout())
                    .idleConnectionPeriod(Duration.ofMillis(Math.clamp(config.limits().idleTimeout().toMillis() / 4, 20, 5000)))
                    .maxTcpConnections(config.limits().maxConnections())
                    .addConnectionSelector(new FirstRequestLine(MAX_REQUEST_LINE, connectionGuard))
                    .addProtocol(Http1Config.builder()
                            .maxHeadersSize(MAX_HEADERS_SIZE)
                            .maxPrologueLength(MAX_REQUEST_LINE)
                            .validatePath(false)
                            .addReceiveListener(connectionGuard)
                            .build())
                    .routing(r -> r
                            .addFilter(connectionGuard)
                            .get("/_strata/health", (req, res) -> res.send("ok"))
                            .get("/_strata/metrics", metricsEndpoint(metrics, config.metrics(),
                                    SigV4Verifier.create(CredentialStore.of(root), clock), root))
                            .any(AdminApi.PREFIX + "/*", admin)
                            .any(api))
                    .build()
                    .start();
            return new StrataServer(namespace, store, service, lifecycle, placement, jobs, healer, orphans, web, root,
                    created[0], guard, attachments, snapshots, restores, schedules, replication, compactor);
        } catch (RuntimeException | Error e) {
            List<Step> steps = new ArrayList<>();
            if (guard != null) steps.add(new Step("connection guard", guard::close));
            if (schedules != null) steps.add(new Step("snapshot schedules", schedules::close));
            if (replication != null) steps.add(new Step("replication worker", replication::close));
            if (snapshots != null) steps.add(new Step("snapshot exports", snapshots::close));
            if (snapshotRepos != null) steps.add(new Step("snapshot repositories", snapshotRepos::close));
            if (compactor != null) steps.add(new Step("segment compactor", compactor::close));
            if (orphans != null) steps.add(new Step("orphan collector", orphans::close));
            if (lifecycle != null) steps.add(new Step("lifecycle worker", lifecycle::close));
            if (restores != null) steps.add(new Step("snapshot restores", restores::close));
            if (jobs != null) steps.add(new Step("bulk jobs", jobs::close));
            if (placement != null) steps.add(new Step("placement service", placement::close));
            if (healer != null) steps.add(new Step("healer", healer::close));
            if (service != null) steps.add(new Step("object service", service::close));
            if (store != null) steps.add(new Step("hot tier", store::close));
            if (tiers != null) steps.add(new Step("cold tiers", tiers::close));
            if (attachments != null) steps.add(new Step("attached snapshots", attachments::close));
            steps.add(new Step("namespace", namespace::close));
            closeAll(steps).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** The attached snapshots' lines in the scrape: how many, and their cache's fill, hits, misses and fetched bytes. */
    private static io.strata.gateway.metrics.MetricsSection attachMetrics(Attachments attachments, Restores restores) {
        return out -> {
            Metrics.counter(out, "strata_snapshot_hydrated_versions_total", "Restored versions copied from their snapshot and verified.",
                    restores.hydratedVersions());
            Metrics.counter(out, "strata_snapshot_hydrated_bytes_total", "Bytes of restored versions copied from their snapshot.",
                    restores.hydratedBytes());
            Metrics.gauge(out, "strata_snapshot_hydrate_remaining_versions", "Versions the running hydrations have still to visit.",
                    restores.remainingVersions());
            SnapshotCache c = attachments.sources().cache();
            Metrics.gauge(out, "strata_snapshot_attached_buckets", "Snapshots served as read-only buckets.", attachments.list().size());
            Metrics.gauge(out, "strata_snapshot_attach_cache_bytes", "Bytes the attached snapshots' disk cache holds.", c.bytes());
            Metrics.gauge(out, "strata_snapshot_attach_cache_max_bytes", "The attached snapshots' cache bound (snapshots.attach-cache-bytes).", c.maxBytes());
            Metrics.counter(out, "strata_snapshot_attach_cache_hits_total", "Range files and data objects served from the cache.", c.hits());
            Metrics.counter(out, "strata_snapshot_attach_cache_misses_total", "Range files and data objects fetched on first use.", c.misses());
            Metrics.counter(out, "strata_snapshot_attach_fetched_bytes_total", "Bytes fetched from repositories (and cold tiers) and verified.", c.fetchedBytes());
        };
    }

    /**
     * Placement moves versions through the data plane's move paths, not the tier mover directly:
     * those wake the garbage cleaner after a move (the replaced copy is freed at once) and ask the
     * pins before a move cold.
     */
    private static PlacementMoves placementMoves(ObjectService service) {
        return new PlacementMoves() {
            @Override
            public boolean toHot(ObjectVersion version) {
                return service.promote(version);
            }

            @Override
            public boolean toCold(ObjectVersion version, String tier) {
                return service.transition(version, tier);
            }
        };
    }

    /** Prometheus text, to the root credentials or the bearer token unless {@code metrics.public}. */
    private static io.helidon.webserver.http.Handler metricsEndpoint(Metrics metrics, MetricsAccess access,
                                                                     SigV4Verifier verifier, Credentials root) {
        return (req, res) -> {
            java.util.Optional<String> authorization = req.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION);
            if (!access.open() && !access.presentsToken(authorization)) {
                String denial = "The metrics need the root credentials (a signed request) or the bearer token of "
                        + "metrics.bearer-token-file; metrics.public: true opens them.";
                try {
                    if (authorization.map(a -> a.strip().regionMatches(true, 0, "Bearer ", 0, 7)).orElse(false)) {
                        throw new S3Exception(S3Error.ACCESS_DENIED, denial);
                    }
                    AdminApi.requireRoot(req, verifier, root, denial);
                } catch (S3Exception e) {
                    S3Api.fail(req, res, e, "/_strata/metrics", "metrics");
                    return;
                } catch (io.strata.auth.AuthException e) {
                    S3Api.fail(req, res, ErrorMapping.toS3(e), "/_strata/metrics", "metrics");
                    return;
                }
            }
            res.header("Content-Type", "text/plain; version=0.0.4");
            res.status(Status.OK_200).send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
        };
    }

    /** HTTPS from the configured (or once generated) PEM certificate and key. */
    private static Tls tls(StrataConfig config) {
        TlsSpec spec = config.tls().orElseThrow();
        try {
            if (spec.createIfMissing(config.host(), config.domain())) {
                LOG.info("created a self-signed certificate {} (clients: AWS_CA_BUNDLE={})", spec.certificate(), spec.certificate());
            }
            var chain = spec.loadChain();
            LOG.info("serving HTTPS with certificate {} ({}, valid until {})", spec.certificate(),
                    chain.getFirst().getSubjectX500Principal().getName(), chain.getFirst().getNotAfter().toInstant());
            return Tls.builder().privateKey(spec.loadPrivateKey()).privateKeyCertChain(chain).build();
        } catch (IOException e) {
            throw new StrataConfig.ConfigException(spec.selfSigned() ? "server.tls.self-signed" : "server.tls.certificate",
                    e.getMessage());
        }
    }

    private static DirectHandlers transportErrors() {
        TransportErrors handler = new TransportErrors();
        DirectHandlers.Builder b = DirectHandlers.builder();
        for (DirectHandler.EventType t : DirectHandler.EventType.values()) b.addHandler(t, handler);
        return b.build();
    }

    public int port() {
        return web.port();
    }

    public Credentials rootCredentials() {
        return rootCredentials;
    }

    public boolean credentialsCreated() {
        return credentialsCreated;
    }

    /** The object service behind the listener, for in-process tests that inject faults into its tiers. */
    ObjectService service() {
        return service;
    }

    /**
     * Stops the listener, then every component in reverse order of start. Each is closed even when
     * one before it fails (a tier whose client will not shut down must not leave RocksDB open, its
     * lock held and its last writes unflushed); each failure is logged, and the first is thrown with
     * the others suppressed.
     */
    @Override
    public void close() {
        List<RuntimeException> failures = closeAll(List.of(
                new Step("listener", web::stop),
                new Step("connection guard", guard::close),
                new Step("snapshot schedules", schedules::close),
                new Step("replication worker", replication::close),
                new Step("snapshot exports", snapshots::close),
                new Step("snapshot repositories", snapshots.repositories()::close),
                new Step("segment compactor", compactor::close),
                new Step("orphan collector", orphans::close),
                new Step("lifecycle worker", lifecycle::close),
                new Step("snapshot restores", restores::close),
                new Step("bulk jobs", jobs::close),
                new Step("placement service", placement::close),
                new Step("healer", healer::close),
                new Step("object service", service::close),
                new Step("cold tiers", service.tiers()::close),
                new Step("attached snapshots", attachments::close),
                new Step("hot tier", store::close),
                new Step("namespace", namespace::close)));
        if (failures.isEmpty()) return;
        RuntimeException first = failures.getFirst();
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        throw first;
    }

    /** One component to close, named for the log. */
    private record Step(String name, Runnable close) {
    }

    /** Runs every step, whatever the others do; returns the failures in order, each logged at ERROR. */
    private static List<RuntimeException> closeAll(List<Step> steps) {
        List<RuntimeException> failures = new ArrayList<>();
        for (Step step : steps) {
            try {
                step.close().run();
            } catch (RuntimeException e) {
                LOG.error("closing the {} failed: {}", step.name(), e.toString());
                failures.add(e);
            }
        }
        return failures;
    }
}
