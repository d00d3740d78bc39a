package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;
import io.strata.gateway.config.StrataConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code strata heal} and {@code strata drives} commands: clients of a running gateway's admin
 * API, signed with the root credentials (from the environment, the configuration, or the data
 * directory's {@code credentials.properties}). {@code heal} starts a pass and shows a progress bar
 * until it ends. Used once per process, from {@code Main}.
 */
public final class AdminCommand {
    static final String USAGE = """
            Usage: strata heal [--scrub] [--no-wait] [options]
                   strata drives [options]

              heal       Start a heal pass on the running gateway (rebuild missing shards, rebuild
                         replaced drives) and show its progress; --scrub also reads and verifies
                         every block (bitrot). Exit status 1 when blobs could not be healed.
              drives     Show the state of every drive (ONLINE, OFFLINE, FAULTY, REPLACED).

            Options:
              --endpoint URL     The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON instead of a table
            """;

    private final PrintStream out;
    private final PrintStream err;

    private AdminCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int run(String command, String[] args, PrintStream out, PrintStream err) {
        return new AdminCommand(out, err).execute(command, args);
    }

    private int execute(String command, String[] args) {
        Args a;
        try {
            a = Args.parse(args, 1, Set.of("scrub", "no-wait", "json"), Set.of("endpoint"));
            if (!a.positional().isEmpty()) throw new Args.UsageException("unknown option " + a.positional().getFirst() + "\n", true);
        } catch (Args.UsageException e) {
            err.println("strata: " + e.getMessage());
            if (e.showUsage()) err.print(USAGE);
            return 2;
        }
        if (a.help()) {
            out.print(USAGE);
            return 0;
        }
        boolean scrub = a.has("scrub");
        boolean json = a.has("json");
        AdminClient client;
        try {
            client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("endpoint"));
        } catch (StrataConfig.ConfigException | IllegalArgumentException | IOException e) {
            err.println("strata: " + e.getMessage());
            return 2;
        }
        try {
            if (command.equals("drives")) {
                Map<String, Object> status = client.call("GET", "/_strata/admin/heal", "");
                if (json) out.print(Json.write(status)); else printDrives(status);
                return 0;
            }
            Map<String, Object> before = client.call("GET", "/_strata/admin/heal", "");
            long passesBefore = number(before, "passes");
            Map<String, Object> started = client.call("POST", "/_strata/admin/heal", scrub ? "scrub=true" : "");
            if (a.has("no-wait")) {
                out.println((scrub ? "scrub" : "heal") + " pass requested");
                if (json) out.print(Json.write(started));
                return 0;
            }
            Map<String, Object> status = started;
            Progress progress = new Progress(out);
            while (!(number(status, "passes") > passesBefore && !Boolean.TRUE.equals(status.get("running")))) {
                if (Boolean.TRUE.equals(status.get("running"))) progress.show(progressLine(status), false);
                Thread.sleep(progress.pollMillis());
                status = client.call("GET", "/_strata/admin/heal", "");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) status.get("lastPass");
            progress.finish(Progress.bar(1.0) + "  done" + " ".repeat(60));
            if (json) {
                out.print(Json.write(status));
            } else {
                out.printf(Locale.ROOT, "%s pass: %d blobs scanned, %d healed (%d shards rebuilt), %d failed, %d corrupt blocks, %s read, %s written%n",
                        Boolean.TRUE.equals(status.get("scrub")) ? "scrub" : "heal", number(last, "blobsScanned"),
                        number(last, "blobsHealed"), number(last, "shardsRebuilt"), number(last, "blobsFailed"),
                        number(last, "corruptBlocks"), Progress.bytes(number(last, "bytesRead")),
                        Progress.bytes(number(last, "bytesWritten")));
                printDrives(status);
            }
            return number(last, "blobsFailed") > 0 ? 1 : 0;
        } catch (AdminClient.AdminError | IllegalArgumentException e) {
            err.println("strata: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("strata: cannot reach the gateway at " + client.endpoint() + ": " + e);
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static String progressLine(Map<String, Object> status) {
        double progress = status.get("progress") instanceof Number n ? n.doubleValue() : 0;
        Map<String, Object> pass = (Map<String, Object>) status.get("pass");
        return String.format(Locale.ROOT, "%s %3d%%  %s: %d scanned, %d healed, %d failed, %s written   ", Progress.bar(progress),
                (int) (progress * 100), Boolean.TRUE.equals(status.get("scrub")) ? "scrub" : "heal",
                number(pass, "blobsScanned"), number(pass, "blobsHealed"), number(pass, "blobsFailed"),
                Progress.bytes(number(pass, "bytesWritten")));
    }

    @SuppressWarnings("unchecked")
    private void printDrives(Map<String, Object> status) {
        out.printf("%-5s %-9s %8s %10s %10s %10s  %s%n", "DRIVE", "STATE", "SEGMENTS", "LIVE", "DEAD", "FSYNCS", "PATH");
        for (Object o : (List<Object>) status.getOrDefault("drives", List.of())) {
            Map<String, Object> d = (Map<String, Object>) o;
            String detail = String.valueOf(d.getOrDefault("detail", ""));
            out.printf("%-5d %-9s %8d %10s %10s %10d  %s%s%n", number(d, "index"), d.get("state"), number(d, "segments"),
                    Progress.bytes(number(d, "segmentLiveBytes")), Progress.bytes(number(d, "segmentDeadBytes")),
                    number(d, "fsyncs"), d.get("path"), detail.isEmpty() ? "" : "  (" + detail + ")");
        }
    }
}
