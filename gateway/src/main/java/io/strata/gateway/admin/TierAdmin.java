package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.strata.gateway.config.DurableFiles;
import io.strata.gateway.config.StrataConfig;
import io.strata.gateway.config.TierSpec;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.namespace.BulkJobRunner;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdTier;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.lifecycle.LifecycleWorker;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierException;
import io.strata.tiering.TierMover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cold-tier routes of the admin API ({@code strata tier ...}):
 * <ul>
 *   <li>{@code GET /tiers}: every tier with its counters, every lifecycle rule with transitions and
 *       what its last run saw (due, moved, failed, next due time), and the move jobs;</li>
 *   <li>{@code POST /tiers?name=N} with a JSON body of settings (as in the configuration file's
 *       {@code tiers.N}): checks the tier works (write, read back, delete a probe), adds it at once
 *       and keeps it in {@code DATA_DIR/tiers/N.properties} (0600) for the next start;</li>
 *   <li>{@code DELETE /tiers?name=N}: removes a tier added this way;</li>
 *   <li>{@code POST /tiers/check?name=N}: the probe alone;</li>
 *   <li>{@code POST /tiers/move?bucket=B&prefix=P&tier=N} ({@code tier=HOT} brings data back):
 *       moves every version under the prefix now, as a durable bulk job ({@value #MOVE}) that resumes
 *       after a restart where it stopped; {@code GET /tiers/move} lists those jobs, {@code /jobs}
 *       ({@link JobsAdmin}) shows and cancels them.</li>
 * </ul>
 * Thread-safe.
 */
public final class TierAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TierAdmin.class);
    public static final String DIR = "tiers";
    private static final int MAX_BODY = 64 * 1024;
    /** The bulk job action of {@code strata tier move}; its parameters are the target tier's name, or HOT. */
    static final String MOVE = "tier.move";
    static final String HOT = "HOT";

    private final ObjectService service;
    private final LifecycleWorker lifecycle;
    private final Path tierDir;
    private final Set<String> configured;
    private final BulkJobs jobs;

    /** Registers the {@value #MOVE} action with {@code jobs}; {@code jobs} is started by the wiring afterwards. */
    public TierAdmin(ObjectService service, LifecycleWorker lifecycle, BulkJobs jobs, Path dataDir, Set<String> configured) {
        this.jobs = jobs;
        // Moved data leaves through the garbage queue: wake the cleaner once a job ends rather than at its next round.
        jobs.register(MOVE, this::moveOne, ended -> service.signalCleanerNow());
        this.service = service;
        this.lifecycle = lifecycle;
        this.tierDir = dataDir.resolve(DIR);
        this.configured = Set.copyOf(configured);
    }

    /** The tiers added with {@code strata tier add} before, from {@code DATA_DIR/tiers}. */
    public static List<TierSpec> persisted(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        List<TierSpec> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".properties")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".properties", "");
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(f)) {
                    p.load(in);
                }
                out.add(TierSpec.parse(name, k -> Optional.ofNullable(p.getProperty(k)), dataDir));
            }
        } catch (IOException e) {
            throw new StrataConfig.ConfigException(dir.toString(), "cannot read the tiers added at run time: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StrataConfig.ConfigException(dir.toString(), e.getMessage());
        }
        return out;
    }

    public void register(AdminApi admin) {
        admin.register("GET", "/tiers", (req, res) -> AdminApi.sendJson(res, Status.OK_200, status()));
        admin.register("POST", "/tiers", (req, res) -> {
            String name = name(req);
            Map<String, Object> settings = jsonBody(req);
            TierSpec spec;
            try {
                spec = TierSpec.parse(name, k -> Optional.ofNullable(settings.get(k)).map(String::valueOf), tierDir);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            if (service.tiers().get(name).isPresent()) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "A tier named " + name + " exists already.");
            }
            ColdTier tier;
            try {
                tier = spec.open();
            } catch (TierException | IllegalArgumentException e) {
                // The operator's settings name a directory that cannot be made or an endpoint the
                // SDK refuses: the request is at fault, as when the probe fails below.
                throw new S3Exception(S3Error.INVALID_REQUEST, "Tier " + name + " does not work: " + e.getMessage());
            }
            String problem = probe(tier);
            if (problem != null) {
                tier.close();
                throw new S3Exception(S3Error.INVALID_REQUEST, "Tier " + name + " does not work: " + problem);
            }
            persist(spec);
            service.tiers().add(name, spec.description(), tier);
            LOG.info("cold tier {} added: {}", name, spec.description());
            AdminApi.sendJson(res, Status.CREATED_201, "{\"added\":" + Json.quote(name) + ",\"description\":"
                    + Json.quote(spec.description()) + "}\n");
        });
        admin.register("DELETE", "/tiers", (req, res) -> {
            String name = name(req);
            if (configured.contains(name)) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "Tier " + name
                        + " is defined in the configuration file; remove it there.");
            }
            if (service.tiers().get(name).isEmpty()) {
                throw new S3Exception(S3Error.NO_SUCH_KEY, "No tier named " + name + ".");
            }
            boolean force = req.query().first("force").map("true"::equals).orElse(false);
            long held = force ? 0 : copiesOn(name);
            if (held > 0) {
                // Removing it would leave those versions pointing at a tier the gateway no longer knows.
                throw new S3Exception(S3Error.TIER_NOT_EMPTY, "Tier " + name + " still holds " + held
                        + " cold copies (object versions, upload parts, or copies waiting to be deleted). Move them back"
                        + " first (strata tier move BUCKET[/PREFIX] hot), or remove it with --force: versions there"
                        + " are then unreadable until a tier of that name is added again.");
            }
            if (!service.tiers().remove(name)) {
                throw new S3Exception(S3Error.NO_SUCH_KEY, "No tier named " + name + ".");
            }
            Files.deleteIfExists(tierDir.resolve(name + ".properties"));
            LOG.info("cold tier {} removed (versions stored there are unreadable until it is added again)", name);
            AdminApi.sendJson(res, Status.OK_200, "{\"removed\":" + Json.quote(name) + "}\n");
        });
        admin.register("POST", "/tiers/check", (req, res) -> {
            String name = name(req);
            ColdTier tier = service.tiers().get(name).orElseThrow(() ->
                    new S3Exception(S3Error.NO_SUCH_KEY, "No tier named " + name + ".")).store();
            long t0 = System.nanoTime();
            String problem = probe(tier);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            AdminApi.sendJson(res, Status.OK_200, "{\"tier\":" + Json.quote(name) + ",\"ok\":" + (problem == null)
                    + ",\"millis\":" + ms + ",\"error\":" + (problem == null ? "null" : Json.quote(problem)) + "}\n");
        });
        admin.register("POST", "/tiers/move", (req, res) -> {
            String bucket = req.query().first("bucket").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required."));
            String prefix = req.query().first("prefix").orElse("");
            String tier = req.query().first("tier").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "tier is required (a tier name, or HOT)."));
            BucketName b;
            try {
                b = new BucketName(bucket);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_BUCKET_NAME, e.getMessage());
            }
            service.requireBucket(b);
            if (!tier.equals(HOT) && service.tiers().get(tier).isEmpty()) {
                throw new S3Exception(S3Error.INVALID_STORAGE_CLASS, "No tier named " + tier + ".");
            }
            BulkJob job = JobsAdmin.submit(jobs, MOVE, b, prefix, tier);
            AdminApi.sendJson(res, Status.ACCEPTED_202, Json.write(JobsAdmin.json(job)));
        });
        admin.register("GET", "/tiers/move", (req, res) -> {
            AdminApi.sendJson(res, Status.OK_200, Json.write(java.util.Map.of("jobs", JobsAdmin.jsonOf(jobs, MOVE))));
        });
    }

    /** Writes, reads back and deletes a small probe object; null when all worked, else what failed. */
    static String probe(ColdTier tier) {
        byte[] data = new byte[1024];
        ThreadLocalRandom.current().nextBytes(data);
        ColdObjectId id = new ColdObjectId("strata-check", "probe", "check." + Long.toHexString(System.nanoTime()));
        try {
            tier.put(id, ColdMetadata.empty(), new ByteArrayInputStream(data), data.length);
            try (InputStream in = tier.get(id, io.strata.tiering.ByteRange.all())) {
                if (!java.util.Arrays.equals(data, in.readAllBytes())) return "the probe read back different bytes";
            }
            tier.delete(id);
            return null;
        } catch (TierException | IOException e) {
            return e.getMessage();
        }
    }

    private void persist(TierSpec spec) throws IOException {
        Files.createDirectories(tierDir);
        Properties p = new Properties();
        p.putAll(spec.settings());
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        p.store(text, "cold tier added with strata tier add; holds a secret");
        DurableFiles.write(tierDir.resolve(spec.name() + ".properties"), text.toByteArray(), true);
    }

    /**
     * Cold copies on {@code tier} the namespace refers to, from one snapshot: the head segments of
     * object versions and upload parts, and the garbage queue's copies still to be deleted there.
     */
    private long copiesOn(String tier) {
        long[] held = {0};
        service.namespace().forEachSegment(segment -> {
            byte[] ref = segment.ref();
            if (ref.length == 0 || ref[0] != DataRef.COLD) return;
            if (DataRef.decode(ref) instanceof DataRef.Cold cold
                    && cold.head().map(h -> h.tier().equals(tier)).orElse(false)) {
                held[0]++;
            }
        });
        return held[0];
    }

    private static String name(ServerRequest req) {
        String name = req.query().first("name").orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, "name is required."));
        try {
            return ColdTiers.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /** The body, at most 64 KiB, checked against the signed x-amz-content-sha256, as a JSON object. */
    static Map<String, Object> jsonBody(ServerRequest req) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) throw new S3Exception(S3Error.INVALID_REQUEST, "The body is larger than 64 KiB.");
        String declared = req.headers().first(io.helidon.http.HeaderNames.create("x-amz-content-sha256")).orElse("");
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!actual.equals(declared)) {
            throw new S3Exception(S3Error.X_AMZ_CONTENT_SHA256_MISMATCH, "The body does not match its signed SHA-256.");
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // The parser's message names the problem and its offset, never the body's content.
            throw new S3Exception(S3Error.MALFORMED_XML, "The body is not a JSON object of settings: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new S3Exception(S3Error.MALFORMED_XML, "The body is not a JSON object.");
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    // ---- move jobs

    /**
     * One version of a {@value #MOVE} job: into the job's target tier, or hot for HOT. Idempotent, as a
     * bulk job's action must be: a version already there is SKIPPED (a redone page after a restart).
     */
    private BulkJobRunner.Outcome moveOne(BulkJob job, ObjectVersion v) {
        if (v.deleteMarker() || v.size() == 0) return BulkJobRunner.Outcome.SKIPPED;
        String target = new String(job.parameters(), StandardCharsets.UTF_8);
        TierMover.Outcome o = target.equals(HOT) ? service.mover().toHot(v) : service.mover().toCold(v, target);
        return o == TierMover.Outcome.MOVED ? BulkJobRunner.Outcome.DONE : BulkJobRunner.Outcome.SKIPPED;
    }

    // ---- status

    String status() {
        StringBuilder b = new StringBuilder(2048).append("{\"tiers\":[");
        boolean first = true;
        for (ColdTiers.Tier t : service.tiers().list()) {
            TierMover.TierStats s = service.mover().stats(t.name());
            if (!first) b.append(',');
            first = false;
            b.append("{\"name\":").append(Json.quote(t.name()))
                    .append(",\"description\":").append(Json.quote(t.description()))
                    .append(",\"source\":").append(Json.quote(configured.contains(t.name()) ? "config" : "admin"))
                    .append(",\"inFlight\":").append(s.inFlight.sum())
                    .append(",\"inFlightBytes\":").append(s.inFlightBytes.sum())
                    .append(",\"movedObjects\":").append(s.movedObjects.sum())
                    .append(",\"movedBytes\":").append(s.movedBytes.sum())
                    .append(",\"failedObjects\":").append(s.failedObjects.sum())
                    .append(",\"failedBytes\":").append(s.failedBytes.sum())
                    .append(",\"recalledObjects\":").append(s.recalledObjects.sum())
                    .append(",\"recalledBytes\":").append(s.recalledBytes.sum())
                    .append(",\"coldReads\":").append(s.coldReads.sum())
                    .append(",\"lastError\":").append(Json.quote(s.lastError)).append('}');
        }
        b.append("],\"rules\":[");
        first = true;
        for (LifecycleWorker.RuleStatus r : lifecycle.ruleStatus()) {
            if (!first) b.append(',');
            first = false;
            b.append("{\"bucket\":").append(Json.quote(r.bucket()))
                    .append(",\"rule\":").append(Json.quote(r.rule()))
                    .append(",\"storageClass\":").append(Json.quote(r.storageClass()))
                    .append(",\"waiting\":").append(Math.max(0, r.dueSeen() - r.moved()))
                    .append(",\"dueSeen\":").append(r.dueSeen())
                    .append(",\"dueBytes\":").append(r.dueBytes())
                    .append(",\"moved\":").append(r.moved())
                    .append(",\"movedBytes\":").append(r.movedBytes())
                    .append(",\"failed\":").append(r.failed())
                    .append(",\"lastError\":").append(Json.quote(r.lastError()))
                    .append(",\"lastRun\":").append(Json.quote(r.lastRun().toString()))
                    .append(",\"nextDue\":").append(r.nextDue().map(i -> Json.quote(i.toString())).orElse("null"))
                    .append('}');
        }
        b.append("],\"moves\":");
        b.append(Json.write(JobsAdmin.jsonOf(jobs, MOVE)).strip());
        return b.append("}\n").toString();
    }
}
