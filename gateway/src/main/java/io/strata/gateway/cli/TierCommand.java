package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

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
 * {@code strata tier ...}: operate the cold tiers of a running gateway through its admin API, in the
 * spirit of {@code mc ilm tier}. Used once per process, from {@code Main}.
 */
public final class TierCommand {
    static final String USAGE = """
            Usage: strata tier <command> [arguments] [options]

              list                          The tiers, where they are, and what moved in and out
              status                        Tiers, lifecycle rules with transitions (due, moved,
                                            failed, next due time) and move jobs: why a transition
                                            did or did not happen
              add NAME --type s3 --endpoint URL --bucket B [--prefix P] --access-key K --secret-key S
                       [--region R] [--path-style true|false] [--storage-class C] [--part-size 16MiB]
              add NAME --type local --path DIR
                                            Add a tier now (no restart): checked with a probe
                                            object first, kept across restarts. NAME is the storage
                                            class lifecycle rules use (upper case, e.g. ARCHIVE).
              check NAME                    Write, read back and delete a probe object; time it
              remove NAME [--force]         Remove a tier added with 'add'; refused while any
                                            version, part or pending deletion is on it (move
                                            them back hot first); --force leaves those versions
                                            unreadable until the tier is added again
              move BUCKET[/PREFIX] NAME|hot Move every version under the prefix into tier NAME,
                                            or back to the hot tier, now, as a job that survives
                                            restarts; progress until done (--no-wait: start it
                                            and return; strata jobs show|cancel ID)

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON
            """;

    private final PrintStream out;
    private final PrintStream err;

    private TierCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "tier". */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new TierCommand(out, err).execute(args);
    }

    /** The settings of {@code strata tier add}, passed to the admin API as given. */
    private static final Set<String> TIER_SETTINGS = Set.of("type", "path", "endpoint", "bucket", "prefix", "access-key",
            "secret-key", "region", "path-style", "storage-class", "part-size");

    private int execute(String[] args) {
        Set<String> valued = new HashSet<>(TIER_SETTINGS);
        valued.add("gateway");
        return CommandFrame.run(args, USAGE, Set.of("json", "no-wait", "force"), valued, out, err, this::execute);
    }

    private int execute(Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        Map<String, String> options = a.settings(TIER_SETTINGS);
        boolean json = a.has("json");
        boolean wait = !a.has("no-wait");
        boolean force = a.has("force");
        if (positional.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        String sub = positional.getFirst();
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        switch (sub) {
            case "list", "status" -> {
                Map<String, Object> status = client.call("GET", "/_strata/admin/tiers", "");
                if (json) out.print(Json.write(status));
                else print(status, sub.equals("status"));
                return 0;
            }
            case "add" -> {
                String name = arg(positional, 1, "NAME");
                if (!options.containsKey("type")) options.put("type", options.containsKey("endpoint") ? "s3" : "local");
                Map<String, Object> body = new LinkedHashMap<>(options);
                Map<String, Object> r = client.call("POST", "/_strata/admin/tiers", "name=" + enc(name),
                        Json.write(body).getBytes(StandardCharsets.UTF_8));
                out.println("tier " + name + " added: " + r.get("description"));
                return 0;
            }
            case "check" -> {
                String name = arg(positional, 1, "NAME");
                Map<String, Object> r = client.call("POST", "/_strata/admin/tiers/check", "name=" + enc(name));
                if (json) out.print(Json.write(r));
                else if (Boolean.TRUE.equals(r.get("ok"))) out.println("tier " + name + ": ok (probe written, read back and deleted in " + r.get("millis") + " ms)");
                else out.println("tier " + name + ": FAILED: " + r.get("error"));
                return Boolean.TRUE.equals(r.get("ok")) ? 0 : 1;
            }
            case "remove" -> {
                String name = arg(positional, 1, "NAME");
                client.call("DELETE", "/_strata/admin/tiers", "name=" + enc(name) + (force ? "&force=true" : ""));
                out.println("tier " + name + " removed");
                return 0;
            }
            case "move" -> {
                String target = arg(positional, 1, "BUCKET[/PREFIX]");
                String tier = arg(positional, 2, "NAME|hot");
                if (tier.equalsIgnoreCase("hot")) tier = "HOT";
                int slash = target.indexOf('/');
                String bucket = slash < 0 ? target : target.substring(0, slash);
                String prefix = slash < 0 ? "" : target.substring(slash + 1);
                Map<String, Object> job = client.call("POST", "/_strata/admin/tiers/move",
                        "bucket=" + enc(bucket) + "&prefix=" + enc(prefix) + "&tier=" + enc(tier));
                if (!wait) {
                    out.println("move job " + job.get("id") + " started (strata jobs show " + job.get("id") + ")");
                    return 0;
                }
                int status = JobsCommand.follow(client, number(job, "id"), out);
                if (json) out.print(Json.write(client.call("GET", "/_strata/admin/jobs", "id=" + number(job, "id"))));
                return status;
            }
            default -> {
                err.println("strata: unknown tier command '" + sub + "'\n");
                err.print(USAGE);
                return 2;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void print(Map<String, Object> status, boolean full) {
        out.printf("%-12s %-7s %10s %12s %8s %10s %10s  %s%n", "TIER", "SOURCE", "MOVED", "BYTES", "FAILED", "IN FLIGHT",
                "RECALLED", "WHERE");
        for (Object o : (List<Object>) status.getOrDefault("tiers", List.of())) {
            Map<String, Object> t = (Map<String, Object>) o;
            out.printf(Locale.ROOT, "%-12s %-7s %10d %12s %8d %10d %10d  %s%n", t.get("name"), t.get("source"),
                    number(t, "movedObjects"), Progress.bytes(number(t, "movedBytes")), number(t, "failedObjects"),
                    number(t, "inFlight"), number(t, "recalledObjects"), t.get("description"));
            String error = String.valueOf(t.getOrDefault("lastError", ""));
            if (full && !error.isEmpty()) out.println("             last error: " + error);
        }
        if (!full) return;
        out.println();
        out.printf("%-20s %-16s %-10s %8s %8s %8s  %-24s %s%n", "BUCKET", "RULE", "TIER", "WAITING", "MOVED", "FAILED",
                "LAST RUN", "NEXT DUE");
        for (Object o : (List<Object>) status.getOrDefault("rules", List.of())) {
            Map<String, Object> r = (Map<String, Object>) o;
            out.printf(Locale.ROOT, "%-20s %-16s %-10s %8d %8d %8d  %-24s %s%n", r.get("bucket"), r.get("rule"),
                    r.get("storageClass"), number(r, "waiting"), number(r, "moved"), number(r, "failed"), r.get("lastRun"),
                    r.get("nextDue") == null ? "-" : r.get("nextDue"));
            String error = String.valueOf(r.getOrDefault("lastError", ""));
            if (!error.isEmpty()) out.println("  last error: " + error);
        }
        List<Object> moves = (List<Object>) status.getOrDefault("moves", List.of());
        if (!moves.isEmpty()) {
            out.println();
            for (Object o : moves) {
                Map<String, Object> j = (Map<String, Object>) o;
                out.println(JobsCommand.line(j));
            }
        }
    }

    private static String arg(List<String> positional, int i, String what) {
        if (positional.size() <= i) throw new IllegalArgumentException("missing " + what + " (see strata tier --help)");
        return positional.get(i);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }

}
