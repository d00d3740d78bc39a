package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code strata jobs list|show ID|cancel ID}: the durable bulk jobs of a running gateway ({@code strata
 * tier move}, {@code strata prefetch}) through its admin API ({@code /_strata/admin/jobs}). Jobs
 * survive restarts and resume where they stopped, so a job started before a restart is still here.
 * Used once per process, from {@code Main}; {@link #follow} is shared with the commands that start jobs.
 */
public final class JobsCommand {
    static final String USAGE = """
            Usage: strata jobs <command> [options]

              list               Every kept job (tier moves, prefetches): state, progress, counters
              show ID            One job; on a terminal it is followed with a progress bar until it
                                 ends (--no-wait: show it once)
              cancel ID          Cancel a running job: it stops after the versions in flight and
                                 stays cancelled across restarts (versions already moved stay moved)

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON
              --no-wait          show: print the job once instead of following it

            Exit status: 0 when the job (or every listed job) is running or done without failures,
            1 when it was cancelled, failed, or failed on some versions; 2 for usage errors, 3 when
            the gateway cannot be reached or refuses.
            """;

    private final PrintStream out;
    private final PrintStream err;

    private JobsCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "jobs". */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new JobsCommand(out, err).execute(args);
    }

    private int execute(String[] args) {
        return CommandFrame.run(args, USAGE, Set.of("json", "no-wait"), Set.of("gateway"), out, err, this::execute);
    }

    private int execute(Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        boolean json = a.has("json");
        if (positional.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        String sub = positional.getFirst();
        if (!Set.of("list", "show", "cancel").contains(sub)) {
            err.println("strata: unknown jobs command '" + sub + "'\n");
            err.print(USAGE);
            return 2;
        }
        long id = sub.equals("list") ? 0 : id(positional);
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        switch (sub) {
            case "list" -> {
                Map<String, Object> all = client.call("GET", "/_strata/admin/jobs", "");
                if (json) {
                    out.print(Json.write(all));
                } else {
                    out.printf("%-6s %-14s %-10s %-10s %6s %19s %8s  %s%n", "ID", "ACTION", "TARGET", "STATE", "DONE",
                            "VERSIONS", "FAILED", "BUCKET/PREFIX");
                    for (Map<String, Object> j : jobs(all)) {
                        out.printf(Locale.ROOT, "%-6d %-14s %-10s %-10s %5s%% %19s %8d  %s/%s%n", number(j, "id"),
                                j.get("action"), j.get("target"), j.get("state"), percent(j),
                                number(j, "done") + number(j, "skipped") + number(j, "failed") + "/" + total(j),
                                number(j, "failed"), j.get("bucket"), j.get("prefix"));
                    }
                }
                return jobs(all).stream().allMatch(JobsCommand::succeeding) ? 0 : 1;
            }
            case "show" -> {
                if (a.has("no-wait") || json) {
                    Map<String, Object> job = client.call("GET", "/_strata/admin/jobs", "id=" + id);
                    if (json) out.print(Json.write(job)); else out.println(line(job));
                    return succeeding(job) ? 0 : 1;
                }
                return follow(client, id, out);
            }
            default -> {
                Map<String, Object> job = client.call("POST", "/_strata/admin/jobs/cancel", "id=" + id);
                if (json) out.print(Json.write(job));
                else out.println("job " + id + " " + job.get("state") + " after " + visited(job) + " of " + total(job)
                        + " versions");
                return 0;
            }
        }
    }

    /**
     * Shows job {@code id}'s progress until it ends: a bar on a terminal, a line every few seconds on a
     * pipe. Interrupting the command (Ctrl-C) leaves the job running on the gateway.
     *
     * @return 0 when it ended DONE with no failed version, else 1
     */
    static int follow(AdminClient client, long id, PrintStream out)
            throws IOException, InterruptedException, AdminClient.AdminError {
        Progress progress = new Progress(out);
        while (true) {
            Map<String, Object> job = client.call("GET", "/_strata/admin/jobs", "id=" + id);
            boolean ended = !"running".equals(job.get("state"));
            double fraction = job.get("progress") instanceof Number n ? n.doubleValue() : 0;
            progress.show(String.format(Locale.ROOT, "%s %3d%%  %s   ", Progress.bar(fraction), (int) (fraction * 100),
                    counts(job)), ended);
            if (ended) {
                progress.end();
                out.println("job " + id + " " + job.get("state"));
                String error = String.valueOf(job.getOrDefault("lastError", ""));
                if (!error.isEmpty()) out.println("last error: " + error);
                return succeeding(job) ? 0 : 1;
            }
            Thread.sleep(progress.pollMillis());
        }
    }

    /** "job 7 tier.move photos/2024/ -> ARCHIVE: running 42%  420/1000 versions, ..." */
    static String line(Map<String, Object> j) {
        return "job " + number(j, "id") + " " + j.get("action") + " " + j.get("bucket") + "/" + j.get("prefix") + " -> "
                + j.get("target") + ": " + j.get("state") + " " + percent(j) + "%  " + counts(j)
                + (String.valueOf(j.getOrDefault("lastError", "")).isEmpty() ? "" : "  last error: " + j.get("lastError"));
    }

    private static String counts(Map<String, Object> j) {
        return visited(j) + "/" + total(j) + " versions, " + Progress.bytes(number(j, "bytes")) + " moved, "
                + number(j, "skipped") + " skipped, " + number(j, "failed") + " failed";
    }

    private static long visited(Map<String, Object> j) {
        return number(j, "done") + number(j, "skipped") + number(j, "failed");
    }

    private static String total(Map<String, Object> j) {
        long t = number(j, "total");
        return t < 0 ? "?" : Long.toString(t);
    }

    private static String percent(Map<String, Object> j) {
        return j.get("progress") instanceof Number n ? Integer.toString((int) (n.doubleValue() * 100)) : "-";
    }

    /** Running, or done with no failed version. */
    private static boolean succeeding(Map<String, Object> j) {
        Object state = j.get("state");
        return ("running".equals(state) || "done".equals(state)) && number(j, "failed") == 0;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jobs(Map<String, Object> all) {
        return (List<Map<String, Object>>) (List<?>) all.getOrDefault("jobs", List.of());
    }

    private static long id(List<String> positional) {
        if (positional.size() != 2) throw new IllegalArgumentException("give one job ID (see strata jobs --help)");
        String id = positional.get(1);
        if (id.isEmpty() || id.length() > 18 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("job ID must be a number: " + id);
        }
        return Long.parseLong(id);
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
