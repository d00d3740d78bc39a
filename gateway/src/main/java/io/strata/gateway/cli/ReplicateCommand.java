package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;
import io.strata.gateway.config.ReplicationTargetSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata replicate ...}: the replication targets of a running gateway, through the admin API
 * ({@code /_strata/admin/replication/targets}). Used once per process, from {@code Main}.
 */
public final class ReplicateCommand {
    static final String USAGE = """
            Usage: strata replicate target <command> [arguments] [options]
                   strata replicate status [BUCKET] [options]
                   strata replicate retry --failed [--target NAME] [options]
                   strata replicate wait BUCKET --target NAME [--timeout 10m] [options]
                   strata replicate why BUCKET/KEY [--version-id V] [options]
                   strata replicate resync start|status|cancel ... [options]

              target add NAME --endpoint URL --bucket B --access-key K --secret-key S
                         [--region R] [--path-style] [--kind s3|strata]
                                Register a bucket on another Strata or any S3 service as a
                                replication target (kept across restarts, the secret key in a
                                0600 file). NAME: 1-63 of a-z, 0-9 and -. URL: http(s)://HOST[:PORT].
                                --region defaults to us-east-1; --path-style addresses the bucket
                                in the path (http://HOST/B) instead of the host name (B.HOST).
                                --kind strata: the target is another Strata, whose replicas keep
                                the source's version id, time and ETag (default s3: any S3 service).
              target list       The targets: name, ARN, addressing, region, kind, endpoint (no keys)
              target rm NAME    Forget a target; refused while a bucket's replication
                                configuration sends to it

              status [BUCKET]   Each target's state (OK, BACKOFF, OPEN, RESYNC_REQUIRED), pending
                                operations, oldest pending change, completed and failed counts,
                                the last error and next attempt, and every FAILED operation
                                with its reason (of BUCKET only, if given)
              retry --failed    Queue every FAILED operation again (of --target NAME only)
              wait BUCKET --target NAME [--timeout D]
                                Wait until every change of BUCKET committed before the call is
                                applied at the target (D: 500ms, 90s, 10m, 1h; default 10m),
                                printing progress. A FAILED change counts as not applied: the
                                wait stops at once and names it.
              why BUCKET/KEY [--version-id V]
                                A version's replication status (the key's newest entry if no
                                --version-id) and, per target, the rule that selects it, where
                                its operation is (QUEUED and due when, FAILED with the reason,
                                COMPLETED, NOT_QUEUED) and its last 8 failed attempts

              resync start BUCKET --target NAME [--wait]
                                Compare BUCKET's current versions that its rules send to the
                                target with what the target holds, and queue only what is
                                missing (backfill, existing objects, after a target was lost).
                                Never deletes at the target. A durable job: it resumes after
                                a restart. Clears the target's RESYNC_REQUIRED state (then every
                                bucket sending to it is resynced). --wait follows its progress
              resync status [BUCKET]
                                The resyncs: state, versions scanned, queued (missing at the
                                target), present, skipped (noncurrent, delete markers, not
                                selected) and errors
              resync cancel BUCKET --target NAME
                                Stop the resync; what it queued is still delivered

            A bucket's replication rules name their destination as S3 does, by bucket ARN, in
            aws s3api put-bucket-replication: <Destination><Bucket>arn:aws:s3:::B</Bucket>. That
            ARN resolves to the one target whose bucket is B (shown as ARN in target list); a
            destination matching no target, or several, is refused.

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON

            Exit status: 0 on success; 1 when wait timed out, found a FAILED change or a target
            that needs a resync; 2 for usage errors and bad settings (nothing is sent);
            3 when the gateway cannot be reached or refuses (name taken, unknown target, in use).
            """;
    private static final String API = "/_strata/admin/replication/targets";
    private static final String RESYNC_API = "/_strata/admin/replication/resync";
    /** The valued options that are target settings, passed to the admin API as given. */
    private static final Set<String> VALUED_SETTINGS = Set.of("endpoint", "bucket", "access-key", "secret-key", "region",
            "kind");

    private final PrintStream out;
    private final PrintStream err;

    private ReplicateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "replicate". */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new ReplicateCommand(out, err).execute(args);
    }

    private int execute(String[] args) {
        Set<String> valued = new HashSet<>(VALUED_SETTINGS);
        valued.add("gateway");
        valued.add("target");
        valued.add("timeout");
        valued.add("version-id");
        // --path-style is a switch; --path-style=true|false is taken too.
        valued.add("path-style");
        return CommandFrame.run(args, USAGE, Set.of("json", "path-style", "failed", "wait"), valued, out, err, this::execute);
    }

    private int execute(Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        if (!positional.isEmpty() && positional.getFirst().equals("status")) return status(a, positional);
        if (!positional.isEmpty() && positional.getFirst().equals("retry")) return retry(a, positional);
        if (!positional.isEmpty() && positional.getFirst().equals("wait")) return await(a, positional);
        if (!positional.isEmpty() && positional.getFirst().equals("why")) return why(a, positional);
        if (!positional.isEmpty() && positional.getFirst().equals("resync")) return resync(a, positional);
        if (positional.isEmpty() || !positional.getFirst().equals("target")) {
            throw new IllegalArgumentException(positional.isEmpty() ? "missing command (see strata replicate --help)"
                    : "unknown replicate command '" + positional.getFirst() + "' (see strata replicate --help)");
        }
        String action = arg(positional, 1, "add|list|rm");
        boolean json = a.has("json");
        switch (action) {
            case "list" -> {
                noMore(positional, 2);
                Map<String, Object> r = connect(a).call("GET", API, "");
                if (json) {
                    out.print(Json.write(r));
                    return 0;
                }
                out.printf("%-16s %-30s %-8s %-10s %-7s %s%n", "NAME", "ARN", "ADDRESS", "REGION", "KIND", "ENDPOINT");
                for (Object o : r.get("targets") instanceof List<?> l ? l : List.of()) {
                    if (!(o instanceof Map<?, ?> t)) continue;
                    out.printf("%-16s %-30s %-8s %-10s %-7s %s%n", t.get("name"), t.get("arn"),
                            Boolean.TRUE.equals(t.get("pathStyle")) ? "path" : "vhost", t.get("region"), t.get("kind"),
                            t.get("endpoint"));
                }
                return 0;
            }
            case "add" -> {
                String name = arg(positional, 2, "NAME");
                noMore(positional, 3);
                Map<String, String> settings = a.settings(VALUED_SETTINGS);
                String pathStyle = a.has("path-style") ? "true" : a.option("path-style") == null ? "false" : a.option("path-style");
                settings.put("path-style", pathStyle);
                // Checked here as the gateway checks it: a bad command line sends nothing.
                ReplicationTargetSpec.parse(name, settings);
                Map<String, Object> r = connect(a).call("POST", API, "name=" + enc(name),
                        Json.write(new LinkedHashMap<>(settings)).getBytes(StandardCharsets.UTF_8));
                if (json) out.print(Json.write(r));
                else out.println("replication target " + name + " added: " + r.get("arn") + " at " + r.get("endpoint"));
                return 0;
            }
            case "rm", "remove" -> {
                String name = arg(positional, 2, "NAME");
                noMore(positional, 3);
                connect(a).call("DELETE", API, "name=" + enc(name));
                out.println("replication target " + name + " removed");
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown replicate target command '" + action
                    + "' (add, list or rm; see strata replicate --help)");
        }
    }

    private int status(Args a, List<String> positional) throws IOException, InterruptedException, AdminClient.AdminError {
        noMore(positional, 2);
        String query = positional.size() > 1 ? "bucket=" + enc(positional.get(1)) : "";
        Map<String, Object> r = connect(a).call("GET", "/_strata/admin/replication/status", query);
        if (a.has("json")) {
            out.print(Json.write(r));
            return 0;
        }
        out.printf("%-16s %-15s %8s %12s %-24s %10s %7s %s%n", "TARGET", "STATE", "PENDING", "BYTES", "OLDEST PENDING",
                "COMPLETED", "FAILED", "LAST ERROR (NEXT ATTEMPT)");
        for (Object o : r.get("targets") instanceof List<?> l ? l : List.of()) {
            if (!(o instanceof Map<?, ?> t)) continue;
            String error = String.valueOf(t.get("lastError"));
            out.printf("%-16s %-15s %8s %12s %-24s %10s %7s %s%n", t.get("target"), t.get("state"), t.get("pending"),
                    t.get("pendingBytes"), t.get("oldestPending") == null ? "-" : t.get("oldestPending"), t.get("completed"),
                    t.get("failed"), error.isEmpty() ? "-" : error + " (" + t.get("nextAttempt") + ")");
            if (t.get("completeUntil") != null) out.printf("  complete up to %s%n", t.get("completeUntil"));
            for (Object b : t.get("buckets") instanceof List<?> bl ? bl : List.of()) {
                if (b instanceof Map<?, ?> m) {
                    out.printf("  bucket %-24s pending %s (%s bytes), oldest %s, failed %s%n", m.get("bucket"), m.get("pending"),
                            m.get("pendingBytes"), m.get("oldestPending") == null ? "-" : m.get("oldestPending"), m.get("failed"));
                }
            }
            for (Object f : t.get("failures") instanceof List<?> fl ? fl : List.of()) {
                if (f instanceof Map<?, ?> m) {
                    out.printf("  FAILED %s/%s version %s: %s%n", m.get("bucket"), m.get("key"), m.get("versionId"), m.get("error"));
                }
            }
        }
        for (Object o : r.get("received") instanceof List<?> l ? l : List.of()) {
            if (o instanceof Map<?, ?> p) {
                out.printf("from site %s: bucket %s complete up to %s (recorded %s)%n", p.get("origin"), p.get("bucket"),
                        p.get("completeUntil"), p.get("recorded"));
            }
        }
        return 0;
    }

    private int retry(Args a, List<String> positional) throws IOException, InterruptedException, AdminClient.AdminError {
        noMore(positional, 1);
        if (!a.has("failed")) throw new IllegalArgumentException("say what to retry: --failed (see strata replicate --help)");
        String query = "failed" + (a.option("target") == null ? "" : "&target=" + enc(a.option("target")));
        Map<String, Object> r = connect(a).call("POST", "/_strata/admin/replication/retry", query);
        out.println(r.get("requeued") + " FAILED operation(s) queued again");
        return 0;
    }

    /** Longest single wait request; the loop below calls again until its own deadline. */
    private static final java.time.Duration WAIT_STEP = java.time.Duration.ofSeconds(5);
    static final java.time.Duration DEFAULT_WAIT = java.time.Duration.ofMinutes(10);

    private int await(Args a, List<String> positional) throws IOException, InterruptedException, AdminClient.AdminError {
        String bucket = arg(positional, 1, "BUCKET");
        noMore(positional, 2);
        String target = a.option("target");
        if (target == null) throw new IllegalArgumentException("say which target to wait for: --target NAME (see strata replicate --help)");
        java.time.Duration timeout;
        try {
            timeout = a.option("timeout") == null ? DEFAULT_WAIT : io.strata.gateway.config.StrataConfig.parseDuration(a.option("timeout"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--timeout must be a duration such as 30s, 10m or 1h: " + a.option("timeout"));
        }
        if (timeout.isNegative()) throw new IllegalArgumentException("--timeout must not be negative");
        AdminClient admin = connect(a);
        String base = "bucket=" + enc(bucket) + "&target=" + enc(target);
        long deadline = System.nanoTime() + timeout.toNanos();
        // The first answer fixes the change log's head at the call: later changes are not waited for.
        Map<String, Object> r = admin.call("POST", "/_strata/admin/replication/wait", base);
        String head = String.valueOf(r.get("head"));
        while (true) {
            if (Boolean.TRUE.equals(r.get("done"))) {
                out.printf("%s: every change of %s committed before the wait (log sequence %s) is applied at %s%n", target, bucket,
                        head, target);
                return 0;
            }
            List<?> failed = r.get("failed") instanceof List<?> l ? l : List.of();
            if (!failed.isEmpty()) {
                for (Object f : failed) {
                    if (f instanceof Map<?, ?> m) {
                        err.printf("  FAILED %s/%s version %s: %s%n", m.get("bucket"), m.get("key"), m.get("versionId"), m.get("error"));
                    }
                }
                err.printf("strata: %d change(s) of %s FAILED at %s and will not be applied: fix the cause, then run "
                        + "'strata replicate retry --failed --target %s'%n", failed.size(), bucket, target, target);
                return 1;
            }
            if ("RESYNC_REQUIRED".equals(r.get("state"))) {
                err.printf("strata: target %s needs a resync (the change log was trimmed past its cursor): its changes "
                        + "will not all arrive without one%n", target);
                return 1;
            }
            long left = deadline - System.nanoTime();
            String error = String.valueOf(r.get("lastError"));
            String progress = "%s: log %s of %s read, %s operation(s) of %s pending (oldest %s), state %s%s".formatted(target,
                    r.get("cursor"), head, r.get("pending"), bucket, r.get("oldestPending") == null ? "-" : r.get("oldestPending"),
                    r.get("state"), error.isEmpty() ? "" : ", last error: " + error);
            if (left <= 0) {
                err.println("strata: timed out after " + (a.option("timeout") == null ? "10m" : a.option("timeout")) + " waiting for "
                        + bucket + " at " + target + ": " + progress);
                return 1;
            }
            out.println("waiting: " + progress);
            long step = Math.min(left, WAIT_STEP.toNanos());
            java.time.Duration d = java.time.Duration.ofNanos(step);
            r = admin.call("POST", "/_strata/admin/replication/wait",
                    base + "&head=" + head + "&timeout=" + Math.max(0, d.toMillis()) + "ms", d.plusSeconds(30));
        }
    }

    private int why(Args a, List<String> positional) throws IOException, InterruptedException, AdminClient.AdminError {
        String path = arg(positional, 1, "BUCKET/KEY");
        noMore(positional, 2);
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new IllegalArgumentException("say which object: BUCKET/KEY (see strata replicate --help)");
        }
        String query = "bucket=" + enc(path.substring(0, slash)) + "&key=" + enc(path.substring(slash + 1))
                + (a.option("version-id") == null ? "" : "&versionId=" + enc(a.option("version-id")));
        Map<String, Object> r = connect(a).call("GET", "/_strata/admin/replication/why", query);
        if (a.has("json")) {
            out.print(Json.write(r));
            return 0;
        }
        out.printf("%s/%s version %s%s: %s%n", r.get("bucket"), r.get("key"), r.get("versionId"),
                Boolean.TRUE.equals(r.get("deleteMarker")) ? " (delete marker)" : "", r.get("status"));
        for (Object o : r.get("targets") instanceof List<?> l ? l : List.of()) {
            if (!(o instanceof Map<?, ?> t)) continue;
            String where = String.valueOf(t.get("where"));
            StringBuilder line = new StringBuilder("  " + t.get("target") + ": ");
            line.append(t.get("rule") == null ? "no rule selects it" : "rule " + t.get("rule")).append("; ").append(where);
            if (t.get("dueAt") != null) line.append(", next attempt ").append(t.get("dueAt"));
            if (t.get("appliedAt") != null) line.append(" at ").append(t.get("appliedAt"));
            if (!"0".equals(String.valueOf(t.get("attempts")))) line.append(", ").append(t.get("attempts")).append(" attempt(s)");
            String reason = String.valueOf(t.get("reason"));
            if (!reason.isEmpty()) line.append(": ").append(reason);
            out.println(line);
            for (Object h : t.get("history") instanceof List<?> hl ? hl : List.of()) {
                if (h instanceof Map<?, ?> m) out.printf("    %s %s %s: %s%n", m.get("at"), m.get("target"), m.get("outcome"), m.get("error"));
            }
        }
        return 0;
    }

    private int resync(Args a, List<String> positional) throws IOException, InterruptedException, AdminClient.AdminError {
        String action = arg(positional, 1, "start|status|cancel");
        boolean json = a.has("json");
        switch (action) {
            case "start", "cancel" -> {
                String bucket = arg(positional, 2, "BUCKET");
                noMore(positional, 3);
                String target = a.option("target");
                if (target == null) throw new IllegalArgumentException("missing --target NAME (see strata replicate --help)");
                String query = "bucket=" + enc(bucket) + "&target=" + enc(target);
                AdminClient client = connect(a);
                Map<String, Object> r = client.call(action.equals("start") ? "POST" : "DELETE", RESYNC_API, query);
                if (action.equals("start") && a.has("wait")) return follow(client, bucket, target, json);
                if (json) out.print(Json.write(r));
                else out.println("resync " + r.get("id") + " of " + bucket + " to " + target + ": " + line(r));
                return 0;
            }
            case "status" -> {
                noMore(positional, 3);
                String query = positional.size() > 2 ? "bucket=" + enc(positional.get(2)) : "";
                Map<String, Object> r = connect(a).call("GET", RESYNC_API, query);
                if (json) {
                    out.print(Json.write(r));
                    return 0;
                }
                out.printf("%-6s %-24s %-16s %-9s %9s %9s %9s %9s %7s%n", "ID", "BUCKET", "TARGET", "STATE", "SCANNED",
                        "QUEUED", "PRESENT", "SKIPPED", "ERRORS");
                for (Object o : r.get("jobs") instanceof List<?> l ? l : List.of()) {
                    if (!(o instanceof Map<?, ?> j)) continue;
                    out.printf("%-6s %-24s %-16s %-9s %9s %9s %9s %9s %7s%n", j.get("id"), j.get("bucket"), j.get("target"),
                            j.get("state"), j.get("scanned"), j.get("queued"), j.get("present"), j.get("skipped"),
                            j.get("errors"));
                    String error = String.valueOf(j.get("lastError"));
                    if (!error.isEmpty()) out.println("  " + error);
                }
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown replicate resync command '" + action
                    + "' (start, status or cancel; see strata replicate --help)");
        }
    }

    /**
     * Follows the resync of {@code bucket} to {@code target} to its end: a bar on a terminal, a line every few
     * seconds on a pipe. Ctrl-C leaves it running on the gateway.
     *
     * @return 0 when done, 1 when it was cancelled or failed
     */
    private int follow(AdminClient client, String bucket, String target, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        Progress progress = new Progress(json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out);
        while (true) {
            Map<?, ?> job = null;
            Map<String, Object> r = client.call("GET", RESYNC_API, "bucket=" + enc(bucket));
            for (Object o : r.get("jobs") instanceof List<?> l ? l : List.of()) {
                if (o instanceof Map<?, ?> j && target.equals(j.get("target"))) job = j;
            }
            if (job == null) throw new IOException("the gateway lists no resync of " + bucket + " to " + target);
            String state = String.valueOf(job.get("state"));
            boolean ended = !"RUNNING".equals(state);
            long total = job.get("total") instanceof Number n ? n.longValue() : -1;
            long scanned = job.get("scanned") instanceof Number n ? n.longValue() : 0;
            double fraction = "DONE".equals(state) ? 1 : total > 0 ? Math.min(1.0, scanned / (double) total) : 0;
            progress.show(String.format(Locale.ROOT, "%s %3d%%  %s   ", Progress.bar(fraction), (int) (fraction * 100),
                    line(job)), ended);
            if (ended) {
                progress.end();
                if (json) out.print(Json.write(job));
                else out.println("resync " + job.get("id") + " of " + bucket + " to " + target + " " + state
                        + (String.valueOf(job.get("lastError")).isEmpty() ? "" : ": " + job.get("lastError")));
                return "DONE".equals(state) ? 0 : 1;
            }
            Thread.sleep(progress.pollMillis());
        }
    }

    private static String line(Map<?, ?> j) {
        return j.get("state") + ", " + j.get("scanned") + " scanned, " + j.get("queued") + " queued, " + j.get("present")
                + " present, " + j.get("skipped") + " skipped, " + j.get("errors") + " errors";
    }

    private static AdminClient connect(Args a) throws IOException {
        return AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
    }

    private static String arg(List<String> positional, int i, String what) {
        if (positional.size() <= i) throw new IllegalArgumentException("missing " + what + " (see strata replicate --help)");
        return positional.get(i);
    }

    private static void noMore(List<String> positional, int count) {
        if (positional.size() > count) {
            throw new IllegalArgumentException("unexpected argument '" + positional.get(count) + "' (see strata replicate --help)");
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
