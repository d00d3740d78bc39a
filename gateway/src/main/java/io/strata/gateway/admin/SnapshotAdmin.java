package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.strata.gateway.config.SnapshotRepoSpec;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.snapshot.SnapshotLocator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

/**
 * The snapshot routes of the admin API ({@code strata snapshot ...}), all JSON:
 * <ul>
 *   <li>{@code GET /snapshots/repos}: the repositories (name, type, where, source), never a secret;
 *       {@code POST /snapshots/repos?name=N} with a JSON body of settings (as the configuration
 *       file's {@code snapshots.repositories.N}) checks the repository with a probe object and keeps
 *       it in {@code DATA_DIR/snapshot-repos/N.properties} (0600); {@code DELETE /snapshots/repos?name=N}
 *       forgets one added that way (409 RepositoryInUse while an export into it is unfinished);</li>
 *   <li>{@code POST /snapshots?repo=N[&buckets=a,b][&self-contained=true][&full=true]}: starts a
 *       durable export (202, the export); no {@code buckets}: every bucket;</li>
 *   <li>{@code GET /snapshots[?repo=N]}: the snapshots in the repositories and the exports
 *       (running, failed with attempts and last error, ended); {@code GET /snapshots/exports?id=N}: one export;
 *       {@code POST /snapshots/abort?id=N}: aborts one;</li>
 *   <li>{@code GET /snapshots/show?id=ID|locator=L[&repo=N]}: a snapshot's root and buckets;</li>
 *   <li>{@code POST /snapshots/verify?locator=L[&fraction=0.05][&repo=N]}: starts a verification
 *       (202); {@code GET /snapshots/verify?id=N}: its state, counts and problems.</li>
 * </ul>
 * Refusals are S3 errors: unknown repository, snapshot or export 404 NoSuchKey, unknown bucket 404
 * NoSuchBucket, malformed locator or argument 400 InvalidArgument, a repository that does not work
 * 400 InvalidRequest, too many exports or verifications 503 SlowDown. Thread-safe.
 */
public final class SnapshotAdmin {
    private static final String PATH = "/snapshots";

    private SnapshotAdmin() {
    }

    public static void register(AdminApi admin, SnapshotService service) {
        registerRetention(admin, service);
        SnapshotRepositories repos = service.repositories();
        admin.register("GET", PATH + "/repos", (req, res) -> {
            List<Object> list = new ArrayList<>();
            for (SnapshotRepositories.Entry e : repos.list()) list.add(json(e));
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("repositories", list)));
        });
        admin.register("POST", PATH + "/repos", (req, res) -> {
            String name = repoName(req, "name");
            Map<String, Object> settings = TierAdmin.jsonBody(req);
            SnapshotRepoSpec spec;
            try {
                spec = SnapshotRepoSpec.parse(name, k -> Optional.ofNullable(settings.get(k)).map(String::valueOf),
                        java.nio.file.Path.of(""));
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            SnapshotRepositories.Entry added;
            try {
                added = repos.add(spec);
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_REQUEST, e.getMessage());
            }
            AdminApi.sendJson(res, Status.CREATED_201, Json.write(json(added)));
        });
        admin.register("DELETE", PATH + "/repos", (req, res) -> {
            String name = repoName(req, "name");
            repos.entry(name);
            for (Map<String, Object> e : service.exportsJson()) {
                Object state = e.get("state");
                if (name.equals(e.get("repository")) && !"done".equals(state) && !"aborted".equals(state)) {
                    // The export records the repository by name: it could neither resume nor be aborted.
                    throw new S3Exception(S3Error.REPOSITORY_IN_USE, "Snapshot export " + e.get("id") + " into repository "
                            + name + " is " + state + "; wait for it or abort it first.");
                }
            }
            try {
                repos.remove(name);
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.INVALID_REQUEST, e.getMessage());
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("removed", name)));
        });
        admin.register("POST", PATH, (req, res) -> {
            String repo = repoName(req, "repo");
            List<BucketName> buckets = new ArrayList<>();
            for (String b : req.query().first("buckets").orElse("").split(",")) {
                if (b.isBlank()) continue;
                try {
                    buckets.add(new BucketName(b.strip()));
                } catch (IllegalArgumentException e) {
                    throw new S3Exception(S3Error.INVALID_BUCKET_NAME, e.getMessage());
                }
            }
            SnapshotService.Tracked t;
            try {
                t = service.create(new SnapshotService.Request(repo, buckets, flag(req, "self-contained"), flag(req, "full"),
                        consistentWith(req)));
            } catch (SnapshotService.BadRequest e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            } catch (SnapshotException e) {
                if (e.reason() == SnapshotException.Reason.INVALID) throw new S3Exception(S3Error.NO_SUCH_BUCKET, e.getMessage());
                throw e;
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.REPOSITORY_IN_USE, e.getMessage());
            } catch (RejectedExecutionException e) {
                throw new S3Exception(S3Error.SLOW_DOWN, e.getMessage());
            }
            AdminApi.sendJson(res, Status.ACCEPTED_202, Json.write(service.export(t.id).orElseThrow()));
        });
        admin.register("GET", PATH, (req, res) -> {
            Optional<String> repo = req.query().contains("repo") ? Optional.of(repoName(req, "repo")) : Optional.empty();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("snapshots", service.snapshots(repo));
            List<Map<String, Object>> exports = service.exportsJson();
            if (repo.isPresent()) exports = exports.stream().filter(e -> repo.get().equals(e.get("repository"))).toList();
            m.put("exports", exports);
            AdminApi.sendJson(res, Status.OK_200, Json.write(m));
        });
        admin.register("GET", PATH + "/exports", (req, res) -> {
            if (!req.query().contains("id")) {
                AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("exports", service.exportsJson())));
                return;
            }
            long id = id(req);
            AdminApi.sendJson(res, Status.OK_200, Json.write(service.export(id).orElseThrow(() ->
                    new S3Exception(S3Error.NO_SUCH_KEY, "No snapshot export " + id + "."))));
        });
        admin.register("POST", PATH + "/abort", (req, res) -> {
            long id = id(req);
            String state = service.abort(id);
            AdminApi.sendJson(res, Status.OK_200, Json.write(service.export(id).orElse(Map.of("id", id, "state", state))));
        });
        admin.register("GET", PATH + "/show", (req, res) -> {
            Optional<String> repo = req.query().contains("repo") ? Optional.of(repoName(req, "repo")) : Optional.empty();
            Map<String, Object> shown;
            if (req.query().contains("locator")) {
                shown = service.show(SnapshotLocator.parse(req.query().first("locator").orElse("")), repo);
            } else {
                shown = service.show(req.query().first("id").orElseThrow(() ->
                        new S3Exception(S3Error.INVALID_ARGUMENT, "id or locator is required.")), repo);
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(shown));
        });
        admin.register("POST", PATH + "/verify", (req, res) -> {
            SnapshotLocator locator = SnapshotLocator.parse(req.query().first("locator").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "locator is required.")));
            Optional<String> repo = req.query().contains("repo") ? Optional.of(repoName(req, "repo")) : Optional.empty();
            double fraction;
            try {
                fraction = Double.parseDouble(req.query().first("fraction").orElse("0"));
            } catch (NumberFormatException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "fraction must be a number from 0 to 1.");
            }
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "fraction must be a number from 0 to 1.");
            }
            SnapshotService.Verification v;
            try {
                v = service.verify(locator, fraction, repo);
            } catch (RejectedExecutionException e) {
                throw new S3Exception(S3Error.SLOW_DOWN, e.getMessage());
            }
            AdminApi.sendJson(res, Status.ACCEPTED_202, Json.write(SnapshotService.json(v)));
        });
        admin.register("GET", PATH + "/verify", (req, res) -> {
            long id = id(req);
            SnapshotService.Verification v = service.verification(id).orElseThrow(() ->
                    new S3Exception(S3Error.NO_SUCH_KEY, "No verification " + id + "."));
            AdminApi.sendJson(res, Status.OK_200, Json.write(SnapshotService.json(v)));
        });
    }

    /**
     * {@code POST /snapshots/policy?repo=N[&buckets=a,b|&all=true][&every=1h][&keep-last=N][&keep-hourly=N]
     * [&keep-daily=N][&keep-weekly=N][&keep-monthly=N][&keep-within=30d]} sets a repository's policy
     * (201); {@code GET /snapshots/policy[?repo=N]} shows them with their schedules' state.
     */
    public static void registerPolicies(AdminApi admin, SnapshotSchedules schedules) {
        admin.register("POST", PATH + "/policy", (req, res) -> {
            String repo = repoName(req, "repo");
            List<String> buckets = new ArrayList<>();
            for (String b : req.query().first("buckets").orElse("").split(",")) {
                if (b.isBlank()) continue;
                try {
                    buckets.add(new BucketName(b.strip()).value());
                } catch (IllegalArgumentException e) {
                    throw new S3Exception(S3Error.INVALID_BUCKET_NAME, e.getMessage());
                }
            }
            if (buckets.isEmpty() == !flag(req, "all")) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "give buckets or all=true, not both.");
            }
            SnapshotSchedules.Policy policy;
            try {
                java.time.Duration every = req.query().first("every").map(SnapshotSchedules::parseEvery)
                        .orElse(java.time.Duration.ZERO);
                io.strata.tiering.snapshot.KeepPolicy keep = new io.strata.tiering.snapshot.KeepPolicy(
                        count(req, "keep-last"), count(req, "keep-hourly"), count(req, "keep-daily"),
                        count(req, "keep-weekly"), count(req, "keep-monthly"),
                        req.query().first("keep-within").map(io.strata.tiering.snapshot.KeepPolicy.Within::parse)
                                .orElse(io.strata.tiering.snapshot.KeepPolicy.Within.NONE));
                policy = new SnapshotSchedules.Policy(repo, buckets, every, keep);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            AdminApi.sendJson(res, Status.CREATED_201, Json.write(schedules.json(schedules.set(policy))));
        });
        admin.register("GET", PATH + "/policy", (req, res) -> {
            if (req.query().contains("repo")) {
                String repo = repoName(req, "repo");
                SnapshotSchedules.Policy p = schedules.policy(repo).orElseThrow(() ->
                        new S3Exception(S3Error.NO_SUCH_KEY, "No snapshot policy for repository " + repo + "."));
                AdminApi.sendJson(res, Status.OK_200, Json.write(schedules.json(p)));
                return;
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("policies", schedules.json())));
        });
    }

    private static int count(ServerRequest req, String name) {
        Optional<String> v = req.query().first(name).asOptional();
        if (v.isEmpty()) return 0;
        if (!v.get().matches("\\d{1,6}")) throw new IllegalArgumentException(name + " must be a whole number, not " + v.get());
        return Integer.parseInt(v.get());
    }

    /** The retention routes: forget, diff, gc and holds (docs/snapshot-format.md §9). */
    private static void registerRetention(AdminApi admin, SnapshotService service) {
        admin.register("POST", PATH + "/forget", (req, res) -> {
            String repo = repoName(req, "repo");
            List<String> ids = new ArrayList<>();
            for (String id : req.query().first("ids").orElse("").split(",")) if (!id.isBlank()) ids.add(id.strip());
            if (ids.isEmpty()) throw new S3Exception(S3Error.INVALID_ARGUMENT, "ids is required (snapshot ids, comma-separated).");
            AdminApi.sendJson(res, Status.OK_200, Json.write(service.forget(repo, ids)));
        });
        admin.register("GET", PATH + "/diff", (req, res) -> {
            String repo = repoName(req, "repo");
            String from = req.query().first("from").orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "from is required."));
            String to = req.query().first("to").orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "to is required."));
            AdminApi.sendJson(res, Status.OK_200, Json.write(service.diff(repo, from, to)));
        });
        admin.register("POST", PATH + "/gc", (req, res) -> {
            String repo = repoName(req, "repo");
            Map<String, Object> done;
            try {
                done = service.gc(repo, flag(req, "claim"), flag(req, "dry-run"), flag(req, "full"));
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.REPOSITORY_IN_USE, e.getMessage());
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(done));
        });
        admin.register("GET", PATH + "/gc", (req, res) ->
                AdminApi.sendJson(res, Status.OK_200, Json.write(service.gcProgress(repoName(req, "repo")))));
        admin.register("GET", PATH + "/holds", (req, res) -> {
            String repo = repoName(req, "repo");
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("site", service.site(), "holds", service.holds(repo))));
        });
        admin.register("POST", PATH + "/holds", (req, res) -> {
            String repo = repoName(req, "repo");
            String snapshot = req.query().first("snapshot").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "snapshot is required."));
            AdminApi.sendJson(res, Status.CREATED_201, Json.write(service.hold(repo, snapshot,
                    req.query().first("reason").orElse("explicit hold"))));
        });
        admin.register("DELETE", PATH + "/holds", (req, res) -> {
            String repo = repoName(req, "repo");
            String snapshot = req.query().first("snapshot").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "snapshot is required."));
            AdminApi.sendJson(res, Status.OK_200, Json.write(service.release(repo, snapshot, req.query().first("hold").asOptional())));
        });
    }

    private static Map<String, Object> json(SnapshotRepositories.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.spec().name());
        m.put("type", e.spec().type());
        m.put("description", e.spec().description());
        m.put("location", e.repository().location());
        m.put("source", e.configured() ? "config" : "admin");
        return m;
    }

    /**
     * The {@code consistent-with} parameter: a site name as {@code site.name} or a site id has it. Checked
     * here, so a name the received points could never hold is a 400 rather than "no point".
     */
    private static Optional<String> consistentWith(ServerRequest req) {
        Optional<String> site = req.query().first("consistent-with").asOptional();
        if (site.isPresent() && !site.get().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "consistent-with must be a site name (letters, digits, '.', '_' "
                    + "and '-'), got '" + site.get() + "'.");
        }
        return site;
    }

    private static boolean flag(ServerRequest req, String name) {
        return req.query().first(name).map("true"::equals).orElse(false);
    }

    private static String repoName(ServerRequest req, String param) {
        String name = req.query().first(param).orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, param + " is required (a snapshot repository name)."));
        try {
            return SnapshotRepoSpec.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static long id(ServerRequest req) {
        String id = req.query().first("id").orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "id is required."));
        if (id.isEmpty() || id.length() > 18 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "id must be a number.");
        }
        return Long.parseLong(id);
    }
}
