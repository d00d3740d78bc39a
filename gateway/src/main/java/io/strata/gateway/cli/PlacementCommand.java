package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata pin|unpin|prefetch|placement}: objective-based placement of a running gateway
 * through its admin API ({@code /_strata/admin/placement}). Used once per process, from {@code Main}.
 */
public final class PlacementCommand {
    static final String USAGE = """
            Usage: strata pin BUCKET[/PREFIX]        Keep the prefix hot: transitions and eviction skip it
                   strata unpin BUCKET[/PREFIX]      Remove that pin
                   strata prefetch BUCKET[/PREFIX]   Move every cold version under the prefix hot now;
                                                     progress until done (--no-wait: start and return);
                                                     a job that survives restarts (strata jobs)
                   strata placement                  Pins, prefetch jobs, promotion counters, watermarks, keep-newest rules

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON
            """;

    private final PrintStream out;
    private final PrintStream err;

    private PlacementCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is the command: pin, unpin, prefetch or placement. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new PlacementCommand(out, err).execute(args);
    }

    private int execute(String[] args) {
        return CommandFrame.run(args, USAGE, Set.of("json", "no-wait"), Set.of("gateway", "endpoint"), out, err,
                a -> execute(args[0], a));
    }

    private int execute(String command, Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        boolean json = a.has("json");
        boolean wait = !a.has("no-wait");
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway", "endpoint"));
        if (command.equals("placement")) {
            Map<String, Object> status = client.call("GET", "/_strata/admin/placement", "");
            if (json) out.print(Json.write(status)); else print(status);
            return 0;
        }
        if (positional.size() != 1) throw new IllegalArgumentException("give one BUCKET[/PREFIX] (see strata " + command + " --help)");
        String target = positional.getFirst();
        int slash = target.indexOf('/');
        String query = "bucket=" + enc(slash < 0 ? target : target.substring(0, slash))
                + "&prefix=" + enc(slash < 0 ? "" : target.substring(slash + 1));
        switch (command) {
            case "pin" -> {
                client.call("POST", "/_strata/admin/placement/pin", query);
                out.println("pinned hot: " + target);
                return 0;
            }
            case "unpin" -> {
                Map<String, Object> r = client.call("DELETE", "/_strata/admin/placement/pin", query);
                out.println(Boolean.TRUE.equals(r.get("removed")) ? "unpinned: " + target : "was not pinned: " + target);
                return 0;
            }
            default -> {
                Map<String, Object> job = client.call("POST", "/_strata/admin/placement/prefetch", query);
                if (!wait) {
                    out.println("prefetch job " + number(job, "id") + " started (strata jobs show " + number(job, "id") + ")");
                    return 0;
                }
                int status = JobsCommand.follow(client, number(job, "id"), out);
                if (json) out.print(Json.write(client.call("GET", "/_strata/admin/jobs", "id=" + number(job, "id"))));
                return status;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void print(Map<String, Object> s) {
        List<Object> pins = (List<Object>) s.getOrDefault("pins", List.of());
        out.println("pinned hot: " + (pins.isEmpty() ? "none" : ""));
        for (Object o : pins) {
            Map<String, Object> p = (Map<String, Object>) o;
            out.println("  " + p.get("bucket") + "/" + p.get("prefix"));
        }
        Map<String, Object> pr = (Map<String, Object>) s.getOrDefault("promotion", Map.of());
        out.printf(Locale.ROOT, "promotion: after %d cold reads within %ds; %d promoted, %d restored, %d dropped, %d failed, "
                        + "%d versions tracked%n", number(pr, "afterReads"), number(pr, "windowSeconds"), number(pr, "promoted"),
                number(pr, "restored"), number(pr, "dropped"), number(pr, "failed"), number(pr, "tracked"));
        Map<String, Object> w = (Map<String, Object>) s.getOrDefault("watermark", Map.of());
        out.printf(Locale.ROOT, "hot tier: %s of %s used (%s), high %s, low %s, eviction to %s; %d evicted (%s)%s%n",
                Progress.bytes(number(w, "used")), Progress.bytes(number(w, "capacity")), w.getOrDefault("usedFraction", "?"),
                w.get("high"), w.get("low"), w.get("evictionTier"), number(w, "evictions"),
                Progress.bytes(number(w, "evictedBytes")), Boolean.TRUE.equals(w.get("evicting")) ? ", evicting now" : "");
        for (Object o : (List<Object>) s.getOrDefault("prefetch", List.of())) {
            out.println(JobsCommand.line((Map<String, Object>) o));
        }
        List<Object> keep = (List<Object>) s.getOrDefault("keepNewest", List.of());
        if (!keep.isEmpty()) out.println("keep newest hot:");
        for (Object o : keep) {
            Map<String, Object> k = (Map<String, Object>) o;
            out.printf(Locale.ROOT, "  %s: %s/%s newest %d by %s, older to %s; %d %s seen, %d destaged (%s), %d failed, "
                            + "%d passes%s%n", k.get("name"), k.get("bucket"), k.get("prefix"), number(k, "versions"),
                    k.get("groupBy"), k.get("tier"), number(k, "groups"),
                    "directory".equals(k.get("groupBy")) ? "directories" : "versions", number(k, "destaged"),
                    Progress.bytes(number(k, "destagedBytes")), number(k, "failed"), number(k, "passes"),
                    k.get("lastError") instanceof String e && !e.isEmpty() ? ", last error: " + e : "");
        }
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
