package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata snapshot restore|hydrate|restores}: load a snapshot's bucket into a new bucket of a
 * running gateway and hydrate it, through its admin API. Used once per process, from {@code Main}.
 */
public final class SnapshotRestoreCommand {
    /** The subcommands of {@code strata snapshot} this class runs. */
    public static final Set<String> COMMANDS = Set.of("restore", "hydrate", "restores");
    /** How often {@code --wait} asks for progress. */
    private static final long POLL_MS = 500;

    static final String USAGE = """
            Usage: strata snapshot restore LOCATOR [--bucket SRC] [--as BUCKET] [--prefix P] [--tier NAME]
                                           [--no-hydrate] [--wait] [--access-key K --secret-key S]
                   strata snapshot hydrate BUCKET [--tier NAME] [--wait]
                   strata snapshot restores [BUCKET]

              restore     Load the snapshot's bucket SRC (default: its only one) into the new bucket
                          BUCKET (default: SRC), metadata first: every version and delete marker
                          under P keeps its version id, time, ETag, checksums, tags and ACL, and is
                          readable and writable as soon as it is loaded, its bytes read from the
                          repository (checked) until hydrated. Then a bulk job (snapshot.hydrate,
                          see strata jobs list) copies the bytes into the hot tier (--tier: a cold
                          tier), checked; --no-hydrate leaves that for strata snapshot hydrate.
                          A hold (holds/SITE-RESTORE-ID.json) stays in the repository until the
                          hydration has copied everything. Refused if BUCKET exists.
              hydrate     Start (again) the hydration of a loaded restore
              restores    The restores and their hydration progress

            Options:
              --wait             Wait until loaded (--no-hydrate) or hydrated, printing progress
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON
            """;

    private final PrintStream out;
    private final PrintStream err;

    private SnapshotRestoreCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "snapshot", {@code args[1]} one of {@link #COMMANDS}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        SnapshotRestoreCommand c = new SnapshotRestoreCommand(out, err);
        return CommandFrame.run(args, USAGE, Set.of("json", "wait", "no-hydrate"),
                Set.of("as", "bucket", "prefix", "tier", "access-key", "secret-key", "gateway"), out, err, c::execute);
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
            case "restore" -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("locator", arg(positional, 1, "LOCATOR"));
                for (String[] o : new String[][]{{"bucket", "bucket"}, {"as", "as"}, {"prefix", "prefix"}, {"tier", "tier"},
                        {"access-key", "accessKey"}, {"secret-key", "secretKey"}}) {
                    if (a.option(o[0]) != null) body.put(o[1], a.option(o[0]));
                }
                boolean hydrate = !a.has("no-hydrate");
                body.put("hydrate", hydrate);
                Map<String, Object> r = client.call("POST", "/_strata/admin/snapshots/restore", "",
                        Json.write(body).getBytes(StandardCharsets.UTF_8));
                if (!json) out.println("restoring bucket " + r.get("source") + " of " + r.get("locator") + " into bucket " + r.get("bucket")
                        + " (" + r.get("id") + ")");
                return a.has("wait") ? await(client, (String) r.get("bucket"), hydrate, json) : print(r, json);
            }
            case "hydrate" -> {
                String bucket = arg(positional, 1, "BUCKET");
                String query = "bucket=" + URLEncoder.encode(bucket, StandardCharsets.UTF_8)
                        + (a.option("tier") == null ? "" : "&tier=" + URLEncoder.encode(a.option("tier"), StandardCharsets.UTF_8));
                Map<String, Object> r = client.call("POST", "/_strata/admin/snapshots/hydrate", query);
                return a.has("wait") ? await(client, bucket, true, json) : print(r, json);
            }
            case "restores" -> {
                if (positional.size() > 1) {
                    return print(client.call("GET", "/_strata/admin/snapshots/restores",
                            "bucket=" + URLEncoder.encode(positional.get(1), StandardCharsets.UTF_8)), json);
                }
                Map<String, Object> r = client.call("GET", "/_strata/admin/snapshots/restores", "");
                if (json) {
                    out.print(Json.write(r));
                    return 0;
                }
                out.printf("%-24s %-10s %10s %22s  %s%n", "BUCKET", "STATE", "LOADED", "HYDRATED", "LOCATOR");
                for (Object o : (List<Object>) r.getOrDefault("restores", List.of())) {
                    Map<String, Object> m = (Map<String, Object>) o;
                    out.printf("%-24s %-10s %10d %22s  %s%n", m.get("bucket"), m.get("state"), number(m, "loaded"),
                            number(m, "hydrated") + "/" + number(m, "total"), m.get("locator"));
                }
                return 0;
            }
            default -> {
                err.println("strata: unknown snapshot command '" + positional.getFirst() + "'\n");
                err.print(USAGE);
                return 2;
            }
        }
    }

    /** Polls until the restore is loaded (no hydration) or hydrated; 1 when it stops short with an error. */
    private int await(AdminClient client, String bucket, boolean hydrate, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        String query = "bucket=" + URLEncoder.encode(bucket, StandardCharsets.UTF_8);
        // A bar on a terminal; on a pipe a plain line when the state changes and every few seconds.
        Progress progress = new Progress(json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out);
        String lastState = "";
        while (true) {
            Map<String, Object> r = client.call("GET", "/_strata/admin/snapshots/restores", query);
            String state = String.valueOf(r.get("state"));
            boolean done = state.equals("HYDRATED") || !hydrate && state.equals("LOADED");
            boolean stopped = hydrate && state.equals("LOADED") && r.get("error") != null;
            progress.show(line(r), done || stopped || !state.equals(lastState));
            lastState = state;
            if (done || stopped) {
                progress.end();
                if (json) out.print(Json.write(r));
                if (stopped) err.println("strata: " + r.get("error"));
                return stopped ? 1 : 0;
            }
            Thread.sleep(Math.min(POLL_MS, progress.pollMillis()));
        }
    }

    /**
     * One progress line of a restore: while loading, entries loaded of about how many the range files
     * hold; once hydrating, versions hydrated of the job's total.
     */
    static String line(Map<String, Object> r) {
        String state = String.valueOf(r.get("state"));
        long loaded = number(r, "loaded");
        long entries = number(r, "entries");
        boolean hydrating = r.get("job") != null;
        long hydrated = number(r, "hydrated");
        long total = number(r, "total");
        double share = hydrating ? (total > 0 ? (double) hydrated / total : 0) : (entries > 0 ? (double) loaded / entries : 0);
        if (state.equals("HYDRATED") || !hydrating && state.equals("LOADED")) share = 1;
        share = Math.clamp(share, 0, 1);
        return String.format(java.util.Locale.ROOT, "%s %3d%%  %s: %d entries loaded%s   ", Progress.bar(share), (int) (share * 100),
                state.toLowerCase(java.util.Locale.ROOT), loaded, hydrating ? ", " + hydrated + " of " + total
                        + " versions hydrated (" + Progress.bytes(number(r, "hydratedBytes")) + ")" : " of about " + entries);
    }

    private int print(Map<String, Object> r, boolean json) {
        if (json) {
            out.print(Json.write(r));
        } else {
            out.println(r.get("bucket") + ": " + r.get("state") + ", " + number(r, "loaded") + " entries loaded"
                    + (r.get("job") == null ? "" : ", hydration job " + r.get("job") + ": " + number(r, "hydrated") + " of "
                    + number(r, "total") + " versions")
                    + (r.get("error") == null ? "" : " (" + r.get("error") + ")"));
        }
        return 0;
    }

    private static String arg(List<String> positional, int i, String what) {
        if (positional.size() <= i) throw new IllegalArgumentException("missing " + what + " (see strata snapshot restore --help)");
        return positional.get(i);
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
