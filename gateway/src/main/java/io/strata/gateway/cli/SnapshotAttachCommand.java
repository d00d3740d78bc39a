package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata snapshot attach|detach|attached}: serve a snapshot as a read-only bucket of a
 * running gateway, through its admin API. Used once per process, from {@code Main}.
 */
public final class SnapshotAttachCommand {
    /** The subcommands of {@code strata snapshot} this class runs. */
    public static final Set<String> COMMANDS = Set.of("attach", "detach", "attached");

    static final String USAGE = """
            Usage: strata snapshot attach LOCATOR --as BUCKET [--bucket SRC] [--access-key K --secret-key S]
                   strata snapshot detach BUCKET
                   strata snapshot attached

              attach      Serve the snapshot's bucket as the read-only bucket BUCKET, at once: only
                          the snapshot's root is read now (checked against the locator's SHA-256);
                          listings fetch the range files they need and reads fetch each object
                          once, checked, into a disk cache (snapshots.attach-cache-bytes). Writes
                          to BUCKET answer 403 AccessDenied. Kept across restarts.
                          LOCATOR: strata+file:///DIR?snap=ID#sha256=HEX or
                          strata+https://HOST/BUCKET/PREFIX?snap=ID#sha256=HEX (quote it: it holds ? and #)
                          --bucket SRC picks the bucket of a snapshot of several (default: the only one);
                          --access-key/--secret-key: for an S3 repository (kept with the attach, 0600)
              detach      Stop serving BUCKET and delete its cache
              attached    The attached snapshots and the cache's fill, hits and misses

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON
            """;

    private final PrintStream out;
    private final PrintStream err;

    private SnapshotAttachCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "snapshot", {@code args[1]} one of {@link #COMMANDS}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        SnapshotAttachCommand c = new SnapshotAttachCommand(out, err);
        return CommandFrame.run(args, USAGE, Set.of("json"), Set.of("as", "bucket", "access-key", "secret-key", "gateway"),
                out, err, c::execute);
    }

    @SuppressWarnings("unchecked")
    private int execute(Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        if (positional.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        boolean json = a.has("json");
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        switch (positional.getFirst()) {
            case "attach" -> {
                String locator = arg(positional, 1, "LOCATOR");
                String as = a.option("as");
                if (as == null) throw new IllegalArgumentException("missing --as BUCKET (see strata snapshot attach --help)");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("locator", locator);
                body.put("as", as);
                if (a.option("bucket") != null) body.put("bucket", a.option("bucket"));
                if (a.option("access-key") != null) body.put("accessKey", a.option("access-key"));
                if (a.option("secret-key") != null) body.put("secretKey", a.option("secret-key"));
                Map<String, Object> r = client.call("POST", "/_strata/admin/snapshots/attach", "",
                        Json.write(body).getBytes(StandardCharsets.UTF_8));
                if (json) out.print(Json.write(r));
                else out.println("attached bucket " + r.get("source") + " of " + r.get("locator") + " as read-only bucket " + as);
                return 0;
            }
            case "detach" -> {
                String bucket = arg(positional, 1, "BUCKET");
                client.call("POST", "/_strata/admin/snapshots/detach",
                        "bucket=" + java.net.URLEncoder.encode(bucket, StandardCharsets.UTF_8));
                out.println("detached " + bucket);
                return 0;
            }
            case "attached" -> {
                Map<String, Object> r = client.call("GET", "/_strata/admin/snapshots/attached", "");
                if (json) {
                    out.print(Json.write(r));
                    return 0;
                }
                out.printf("%-24s %-12s %s%n", "BUCKET", "SOURCE", "LOCATOR");
                for (Object o : (List<Object>) r.getOrDefault("attached", List.of())) {
                    Map<String, Object> m = (Map<String, Object>) o;
                    out.printf("%-24s %-12s %s%n", m.get("bucket"), m.get("source"), m.get("locator"));
                }
                Map<String, Object> c = (Map<String, Object>) r.getOrDefault("cache", Map.of());
                out.println("cache: " + Progress.bytes(number(c, "bytes")) + " of " + Progress.bytes(number(c, "maxBytes"))
                        + ", " + number(c, "hits") + " hits, " + number(c, "misses") + " misses, "
                        + Progress.bytes(number(c, "fetchedBytes")) + " fetched");
                return 0;
            }
            default -> {
                err.println("strata: unknown snapshot command '" + positional.getFirst() + "'\n");
                err.print(USAGE);
                return 2;
            }
        }
    }

    private static String arg(List<String> positional, int i, String what) {
        if (positional.size() <= i) throw new IllegalArgumentException("missing " + what + " (see strata snapshot --help)");
        return positional.get(i);
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
