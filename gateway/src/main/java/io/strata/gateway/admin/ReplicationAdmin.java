package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.strata.gateway.config.ReplicationTargetSpec;
import io.strata.gateway.config.StrataConfig;
import io.strata.gateway.replication.ReplicationResync;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.gateway.replication.ReplicationWorker;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import io.strata.tiering.replication.ReplicationTarget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The replication routes of the admin API ({@code strata replicate ...}), all JSON:
 * <ul>
 *   <li>{@code GET /replication/targets}: the targets (name, ARN, endpoint, region, bucket, addressing),
 *       never a key;</li>
 *   <li>{@code POST /replication/targets?name=N} with a JSON object of settings ({@code endpoint, bucket,
 *       access-key, secret-key}, optionally {@code region, path-style, kind}): keeps the target in
 *       {@code DATA_DIR/replication-targets/N.properties} (0600) and answers it (201);</li>
 *   <li>{@code DELETE /replication/targets?name=N}: forgets it.</li>
 * </ul>
 * Refusals are S3 errors: a bad name or setting 400 InvalidArgument, a name taken 400 InvalidRequest, an
 * unknown target 404 NoSuchKey, a target that a bucket's replication configuration sends to (or a second
 * target of such a destination ARN) 409 ReplicationTargetInUse. Thread-safe.
 */
public final class ReplicationAdmin {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicationAdmin.class);
    private static final String PATH = "/replication/targets";
    /** The longest one wait request blocks (the CLI's admin client gives up on an answer after 60 s). */
    static final long MAX_WAIT_SECONDS = 30;
    private static final String RESYNC_PATH = "/replication/resync";

    private ReplicationAdmin() {
    }

    /** @param namespace the stored namespace, whose buckets' replication configurations name destinations */
    public static void register(AdminApi admin, ReplicationTargets targets, Namespace namespace) {
        admin.register("GET", PATH, (req, res) -> {
            List<Object> list = new ArrayList<>();
            for (ReplicationTarget t : targets.list()) list.add(json(t));
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("targets", list)));
        });
        admin.register("POST", PATH, (req, res) -> {
            String name = name(req);
            Map<String, String> settings = new LinkedHashMap<>();
            TierAdmin.jsonBody(req).forEach((k, v) -> settings.put(k, String.valueOf(v)));
            ReplicationTarget target;
            try {
                target = ReplicationTargetSpec.parse(name, settings);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            if (targets.get(name).isPresent()) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "A replication target named " + name + " exists already; "
                        + "remove it first with 'strata replicate target rm " + name + "'.");
            }
            try {
                targets.add(target, arn -> usedBy(namespace, arn));
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.REPLICATION_TARGET_IN_USE, e.getMessage());
            }
            LOG.info("replication target {} added: {}", name, ReplicationTargetSpec.description(target));
            AdminApi.sendJson(res, Status.CREATED_201, Json.write(json(target)));
        });
        admin.register("DELETE", PATH, (req, res) -> {
            String name = name(req);
            try {
                targets.remove(name, arn -> usedBy(namespace, arn));
            } catch (NoSuchElementException e) {
                throw new S3Exception(S3Error.NO_SUCH_KEY, e.getMessage());
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.REPLICATION_TARGET_IN_USE, e.getMessage());
            }
            LOG.info("replication target {} removed", name);
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("removed", name)));
        });
    }

    /**
     * The worker's routes: {@code GET /replication/status[?bucket=B]}, each target's state, backlog, lag,
     * totals, the first waiting operation's last error and next attempt, and its FAILED operations with
     * their reasons ({@code strata replicate status}); {@code POST /replication/retry?failed[&target=T]}
     * queues the FAILED operations again ({@code strata replicate retry --failed});
     * {@code POST /replication/wait?bucket=B&target=T[&head=H][&timeout=D]} answers whether every change of B
     * committed up to log sequence H (default: the log's head now, returned as {@code head}) is applied at T,
     * waiting up to D (default 0, at most {@value #MAX_WAIT_SECONDS} s) for it ({@code strata replicate wait},
     * which calls again with the head of its first answer until done or its own timeout). A FAILED operation
     * of B at or before H is listed in {@code failed}: it will not be applied until retried;
     * {@code GET /replication/why?bucket=B&key=K[&versionId=V]}: a version's status, and per target the rule
     * that selects it, where its operation is and its last attempts ({@code strata replicate why}); a missing
     * key answers 404 NoSuchKey, a missing version 404 NoSuchVersion.
     */
    public static void registerWorker(AdminApi admin, ReplicationWorker worker, Namespace namespace) {
        admin.register("GET", "/replication/status", (req, res) -> {
            Optional<BucketName> bucket;
            try {
                bucket = req.query().first("bucket").asOptional().map(BucketName::new);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            List<Object> out = new ArrayList<>();
            for (ReplicationWorker.TargetStatus t : worker.status(bucket)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", t.target());
                m.put("state", t.state());
                m.put("pending", t.pending());
                m.put("pendingBytes", t.pendingBytes());
                m.put("oldestPending", t.oldestPending().map(Object::toString).orElse(null));
                m.put("completeUntil", t.completeUntil().map(Object::toString).orElse(null));
                m.put("completed", t.completed());
                m.put("failed", t.failed());
                m.put("lastError", t.lastError());
                m.put("nextAttempt", t.nextAttempt().map(Object::toString).orElse(null));
                List<Object> failures = new ArrayList<>();
                for (ReplicationWorker.FailedOperation f : t.failures()) {
                    Map<String, Object> fm = new LinkedHashMap<>();
                    fm.put("bucket", f.bucket());
                    fm.put("key", f.key());
                    fm.put("versionId", f.versionId());
                    fm.put("error", f.error());
                    failures.add(fm);
                }
                m.put("failures", failures);
                List<Object> buckets = new ArrayList<>();
                for (ReplicationWorker.BucketBacklog b : t.buckets()) {
                    Map<String, Object> bm = new LinkedHashMap<>();
                    bm.put("bucket", b.bucket());
                    bm.put("pending", b.pending());
                    bm.put("pendingBytes", b.pendingBytes());
                    bm.put("oldestPending", b.oldestPending().map(Object::toString).orElse(null));
                    bm.put("failed", b.failed());
                    buckets.add(bm);
                }
                m.put("buckets", buckets);
                out.add(m);
            }
            // What this site received as a target: per bucket and origin site, the point up to which it holds
            // every change from there (the consistent failover point).
            List<Object> received = new ArrayList<>();
            for (io.strata.gateway.replication.ReceivedProgress.Point p : worker.received()) {
                if (bucket.isPresent() && !bucket.get().value().equals(p.bucket())) continue;
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("bucket", p.bucket());
                pm.put("origin", p.origin());
                pm.put("completeUntil", p.until().toString());
                pm.put("recorded", p.recorded().toString());
                received.add(pm);
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("targets", out, "received", received)));
        });
        admin.register("POST", "/replication/retry", (req, res) -> {
            if (!req.query().contains("failed")) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "say which operations to retry: failed.");
            }
            Optional<String> target = req.query().first("target").asOptional();
            int n = worker.retryFailed(target);
            LOG.info("replication: {} FAILED operation(s) queued again", n);
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("requeued", n)));
        });
        admin.register("POST", "/replication/wait", (req, res) -> {
            BucketName bucket;
            try {
                bucket = new BucketName(req.query().first("bucket").orElseThrow(() ->
                        new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required (the source bucket to wait for).")));
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            String target = req.query().first("target").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "target is required (a replication target name)."));
            if (namespace.bucket(bucket).isEmpty()) throw new S3Exception(S3Error.NO_SUCH_BUCKET, bucket.value());
            long now = worker.logHead();
            long head;
            java.time.Duration timeout;
            try {
                head = req.query().first("head").asOptional().map(Long::parseLong).orElse(now);
                timeout = req.query().first("timeout").asOptional().map(StrataConfig::parseDuration).orElse(java.time.Duration.ZERO);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "head must be a log sequence and timeout a duration (e.g. 30s): "
                        + e.getMessage());
            }
            if (head < 0 || head > now) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "head must be between 0 and the change log's head " + now + ".");
            }
            if (timeout.isNegative() || timeout.getSeconds() > MAX_WAIT_SECONDS) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "timeout must be between 0 and " + MAX_WAIT_SECONDS + "s.");
            }
            ReplicationWorker.WaitProgress p;
            try {
                p = worker.await(target, bucket, head, timeout);
            } catch (NoSuchElementException e) {
                throw new S3Exception(S3Error.NO_SUCH_KEY, e.getMessage());
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bucket", p.bucket());
            m.put("target", p.target());
            m.put("head", p.head());
            m.put("cursor", p.cursor());
            m.put("state", p.state());
            m.put("pending", p.pending());
            m.put("oldestPending", p.oldestPending().map(Object::toString).orElse(null));
            m.put("lastError", p.lastError());
            List<Object> failed = new ArrayList<>();
            for (ReplicationWorker.FailedOperation f : p.failed()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("bucket", f.bucket());
                fm.put("key", f.key());
                fm.put("versionId", f.versionId());
                fm.put("error", f.error());
                failed.add(fm);
            }
            m.put("failed", failed);
            m.put("done", p.done());
            AdminApi.sendJson(res, Status.OK_200, Json.write(m));
        });
        admin.register("GET", "/replication/why", (req, res) -> {
            BucketName bucket;
            io.strata.namespace.ObjectKey key;
            try {
                bucket = new BucketName(req.query().first("bucket").orElseThrow(() ->
                        new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required.")));
                key = new io.strata.namespace.ObjectKey(req.query().first("key").orElseThrow(() ->
                        new S3Exception(S3Error.INVALID_ARGUMENT, "key is required.")));
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            Optional<String> versionId = req.query().first("versionId").asOptional();
            if (namespace.bucket(bucket).isEmpty()) throw new S3Exception(S3Error.NO_SUCH_BUCKET, bucket.value());
            ReplicationWorker.Why why = worker.why(bucket, key, versionId).orElseThrow(() -> versionId.isPresent()
                    ? new S3Exception(S3Error.NO_SUCH_VERSION, key.value() + " version " + versionId.get())
                    : new S3Exception(S3Error.NO_SUCH_KEY, key.value()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bucket", why.bucket());
            m.put("key", why.key());
            m.put("versionId", why.versionId());
            m.put("deleteMarker", why.deleteMarker());
            m.put("status", why.status());
            List<Object> views = new ArrayList<>();
            for (ReplicationWorker.TargetView t : why.targets()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("target", t.target());
                tm.put("rule", t.rule().orElse(null));
                tm.put("where", t.where());
                tm.put("dueAt", t.dueAt().map(Object::toString).orElse(null));
                tm.put("attempts", t.attempts());
                tm.put("reason", t.reason());
                tm.put("appliedAt", t.appliedAt().map(Object::toString).orElse(null));
                List<Object> history = new ArrayList<>();
                for (ReplicationWorker.Attempt a : t.history()) {
                    Map<String, Object> am = new LinkedHashMap<>();
                    am.put("at", a.at().toString());
                    am.put("target", a.target());
                    am.put("outcome", a.outcome());
                    am.put("error", a.error());
                    history.add(am);
                }
                tm.put("history", history);
                views.add(tm);
            }
            m.put("targets", views);
            AdminApi.sendJson(res, Status.OK_200, Json.write(m));
        });
    }

    /**
     * The resync routes ({@code strata replicate resync ...}): {@code POST /replication/resync?bucket=B&target=T}
     * starts one (201, the job; an unknown target 404 NoSuchKey, an unknown bucket 404 NoSuchBucket, a bucket
     * with no enabled rule sending to the target 400 InvalidRequest, one running already 409
     * ResyncAlreadyRunning); {@code GET /replication/resync[?bucket=B]} lists the latest job of each bucket and
     * target with its counters; {@code DELETE /replication/resync?bucket=B&target=T} cancels the running one
     * (what it queued stays queued; none: 404 NoSuchKey).
     */
    public static void registerResync(AdminApi admin, ReplicationResync resync) {
        admin.register("POST", RESYNC_PATH, (req, res) -> {
            BucketName bucket = bucket(req).orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required (the source bucket to resync)."));
            String target = target(req);
            ReplicationResync.Job job;
            try {
                job = resync.start(bucket, target);
            } catch (NoSuchElementException e) {
                throw new S3Exception(S3Error.NO_SUCH_KEY, e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_REQUEST, e.getMessage());
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.RESYNC_ALREADY_RUNNING, e.getMessage());
            }
            AdminApi.sendJson(res, Status.CREATED_201, Json.write(json(job)));
        });
        admin.register("GET", RESYNC_PATH, (req, res) -> {
            List<Object> out = new ArrayList<>();
            for (ReplicationResync.Job j : resync.status(bucket(req))) out.add(json(j));
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("jobs", out)));
        });
        admin.register("DELETE", RESYNC_PATH, (req, res) -> {
            BucketName bucket = bucket(req).orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required (the source bucket of the resync)."));
            String target = target(req);
            ReplicationResync.Job job = resync.cancel(bucket, target).orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_KEY,
                    "No resync of bucket " + bucket.value() + " to target " + target + "."));
            AdminApi.sendJson(res, Status.OK_200, Json.write(json(job)));
        });
    }

    private static Map<String, Object> json(ReplicationResync.Job j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("bucket", j.bucket());
        m.put("target", j.target());
        m.put("state", j.state());
        m.put("total", j.total());
        m.put("scanned", j.scanned());
        m.put("queued", j.queued());
        m.put("present", j.present());
        m.put("skipped", j.skipped());
        m.put("errors", j.errors());
        m.put("bytes", j.bytes());
        m.put("created", j.created().toString());
        m.put("updated", j.updated().toString());
        m.put("lastError", j.lastError());
        return m;
    }

    private static Optional<BucketName> bucket(ServerRequest req) {
        try {
            return req.query().first("bucket").asOptional().map(BucketName::new);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static String target(ServerRequest req) {
        String target = req.query().first("target").orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, "target is required (a replication target name)."));
        try {
            return ReplicationTarget.checkName(target);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /**
     * The buckets whose stored replication configuration has a rule sending to {@code arn}. A configuration
     * that no longer reads counts as sending there: it cannot be shown not to.
     */
    static List<String> usedBy(Namespace namespace, String arn) {
        List<String> buckets = new ArrayList<>();
        for (Bucket b : namespace.buckets()) {
            Optional<byte[]> stored;
            try {
                stored = namespace.bucketConfig(b.name(), ReplicationConfigurationCodec.KIND);
            } catch (NamespaceException e) {
                if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) continue;   // deleted meanwhile
                throw e;
            }
            if (stored.isEmpty()) continue;
            try {
                ReplicationConfiguration c = ReplicationConfigurationCodec.decode(stored.get());
                if (c.rules().stream().anyMatch(r -> r.destination().bucketArn().equals(arn))) buckets.add(b.name().value());
            } catch (IllegalArgumentException e) {
                LOG.warn("bucket {}: stored replication configuration is unreadable: {}", b.name(), e.getMessage());
                buckets.add(b.name().value());
            }
        }
        return buckets;
    }

    private static Map<String, Object> json(ReplicationTarget t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("arn", t.arn());
        m.put("endpoint", t.s3().endpoint().toString());
        m.put("region", t.s3().region());
        m.put("kind", t.kind().value());
        m.put("bucket", t.s3().bucket());
        m.put("pathStyle", t.s3().pathStyle());
        return m;
    }

    private static String name(ServerRequest req) {
        String name = req.query().first("name").orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, "name is required (a replication target name)."));
        try {
            return ReplicationTarget.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }
}
