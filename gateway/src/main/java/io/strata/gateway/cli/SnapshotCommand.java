package io.strata.gateway.cli;

import io.strata.gateway.admin.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code strata snapshot ...}: point-in-time snapshots of a running gateway into its repositories,
 * through the admin API ({@code /_strata/admin/snapshots}). Used once per process, from {@code Main}.
 */
public final class SnapshotCommand {
    static final String USAGE = """
            Usage: strata snapshot <command> [arguments] [options]

              repo add NAME --type local --path DIR
              repo add NAME --type s3 --endpoint URL --bucket B [--prefix P] [--region R]
                       --access-key K --secret-key S [--path-style true|false]
                                            Add a repository now (no restart): checked with a
                                            probe object first, kept across restarts
              repo list                     The repositories and where they are (no secrets)
              repo remove NAME              Forget a repository added with 'repo add' (its
                                            snapshots stay); refused while an export into it is
                                            unfinished
              create --repo NAME (--bucket B ... | --all) [--self-contained] [--full] [--wait]
                     [--consistent-with SITE]
                                            Start a durable export (it survives restarts):
                                            incremental from the newest snapshot in NAME covering
                                            the same buckets unless --full; cold-tier versions are
                                            referenced unless --self-contained. --wait follows it
                                            to its end and prints the locator. --consistent-with
                                            SITE leaves out the replicas from SITE modified after
                                            each bucket's received point (replicate status): a
                                            consistent failover point of SITE's history
              list [--repo NAME]            Snapshots (id, time, buckets, versions, new and not
                                            uploaded bytes, locator) and exports (running, failed
                                            with attempts and last error)
              show ID|LOCATOR [--repo NAME] A snapshot's root and its buckets
              verify LOCATOR [--read-data-subset 5%] [--repo NAME]
                                            Check the root's hash, every range file, and the data
                                            of that share of the versions (default none); with
                                            --repo, a copy of the repository
              abort EXPORT-ID               Abort an export: what it uploaded is deleted; a running
                                            one stops after its current range file
              forget ID... --repo NAME      Remove snapshots (their roots); data and range files
                                            stay until gc. Refused for a held snapshot
              diff A B --repo NAME          Versions added (+), removed (-) and changed (M) from A
                                            to B, reading only the range files that differ
              gc --repo NAME [--dry-run] [--claim] [--full]
                                            Delete what only forgotten snapshots referenced; only
                                            the repository's owner site collects (--claim makes
                                            this site the owner of a repository without one);
                                            --full also lists the repository whole and deletes
                                            objects no snapshot names (refused during an export);
                                            shows its progress (snapshots compared, objects
                                            deleted of planned) as a bar on a terminal
              hold add SNAPSHOT-ID --repo NAME [--reason TEXT]
                                            Keep a snapshot (and its data) from forget and gc
                                            (an operator's hold; its reason cannot be attach or
                                            restore)
              hold rm SNAPSHOT-ID --repo NAME [--hold ID]
                                            Release this site's operator holds on the snapshot
                                            (or only hold ID, as hold list shows it); the holds
                                            of this site's attaches and restores stay: detach,
                                            or the end of a restore's hydration, releases them
              hold list --repo NAME         Every site's holds: snapshot, site, created,
                                            purpose (attach, restore or the reason) and id
              policy set --repo NAME (--bucket B ... | --all) [--every 1h] [--keep-last N]
                       [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N]
                       [--keep-within 30d]
                                            Keep rules as restic's (applied to every snapshot of
                                            NAME after each scheduled one, then gc); --every
                                            snapshots the buckets on a schedule (s, m, h, d)
              policy show --repo NAME       The policy and its schedule's failures
              attach LOCATOR --as BUCKET [--bucket SRC] [--access-key K --secret-key S]
                                            Serve a snapshot's bucket as a read-only bucket at
                                            once (see strata snapshot attach --help)
              detach BUCKET                 Stop serving it and drop its cache
              attached                      The attached snapshots
              restore LOCATOR [--bucket SRC] [--as BUCKET] [--prefix P] [--wait]
                                            Load a snapshot's bucket into a new bucket, readable
                                            and writable at once, then hydrate it (see strata
                                            snapshot restore --help)
              hydrate BUCKET                Hydrate a loaded restore (again)
              restores                      The restores and their hydration progress

            Options:
              --gateway URL      The gateway (default http(s)://HOST:PORT from the configuration)
              --config FILE      YAML configuration file (for host, port, data dir, credentials)
              --host ADDR, --port N, --data-dir DIR   as for serve
              --json             Print the admin API's JSON

            Exit status: 0 on success; 1 when a verification finds problems or a followed export
            fails (it stays, and is retried); 2 for usage errors and malformed locators; 3 when the
            gateway cannot be reached or refuses (unknown repository, snapshot or bucket).
            """;

    /** The settings of {@code strata snapshot repo add}, passed to the admin API as given. */
    private static final Set<String> REPO_SETTINGS = Set.of("type", "path", "endpoint", "bucket", "prefix", "access-key",
            "secret-key", "region", "path-style");
    /** As the gateway's SnapshotLocator parses it; checked here too so a typo fails before any request. */
    private static final Pattern LOCATOR = Pattern.compile(
            "strata\\+(?:https?|file)://[^?#]*\\?snap=[0-9A-Za-z][0-9A-Za-z_-]{0,63}#sha256=[0-9a-f]{64}");
    private static final String API = "/_strata/admin/snapshots";

    private final PrintStream out;
    private final PrintStream err;

    private SnapshotCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code args[0]} is "snapshot". */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new SnapshotCommand(out, err).execute(args);
    }

    private int execute(String[] args) {
        Set<String> valued = new HashSet<>(REPO_SETTINGS);
        valued.addAll(Set.of("gateway", "repo", "read-data-subset", "consistent-with"));
        valued.addAll(Set.of("reason", "hold", "every", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
                "keep-within"));
        return CommandFrame.run(args, USAGE, Set.of("json", "wait", "all", "self-contained", "full", "dry-run", "claim"), valued,
                out, err,
                this::execute);
    }

    private int execute(Args a) throws IOException, InterruptedException, AdminClient.AdminError {
        List<String> positional = a.positional();
        boolean json = a.has("json");
        if (positional.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        String sub = positional.getFirst();
        if (!Set.of("repo", "create", "list", "show", "verify", "abort", "forget", "diff", "gc", "hold", "policy").contains(sub)) {
            err.println("strata: unknown snapshot command '" + sub + "'\n");
            err.print(USAGE);
            return 2;
        }
        // Arguments are checked before the gateway is contacted: a bad command line changes nothing.
        String locatorArg = null;
        double fraction = 0;
        if (sub.equals("verify")) {
            locatorArg = locator(arg(positional, 1, "LOCATOR"));
            fraction = subset(a.option("read-data-subset"));
        }
        if (sub.equals("create") && a.option("repo") == null) {
            throw new IllegalArgumentException("create needs --repo NAME (see strata snapshot repo list)");
        }
        if (sub.equals("create") && a.all("bucket").isEmpty() == !a.has("all")) {
            throw new IllegalArgumentException("create needs --bucket B (repeatable) or --all, not both");
        }
        if (sub.equals("abort")) id(arg(positional, 1, "EXPORT-ID"));
        if (sub.equals("show")) {
            String what = arg(positional, 1, "ID|LOCATOR");
            if (what.startsWith("strata+")) locator(what);
        }
        if (Set.of("forget", "diff", "gc", "hold").contains(sub)) return retention(sub, positional, a, json);
        if (sub.equals("policy")) return policy(positional, a, json);
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        String repoQuery = a.option("repo") == null ? "" : "repo=" + enc(a.option("repo"));
        switch (sub) {
            case "repo" -> {
                return repo(client, positional, a, json);
            }
            case "create" -> {
                StringBuilder q = new StringBuilder(repoQuery);
                if (!a.has("all")) q.append("&buckets=").append(enc(String.join(",", a.all("bucket"))));
                if (a.has("self-contained")) q.append("&self-contained=true");
                if (a.has("full")) q.append("&full=true");
                if (a.option("consistent-with") != null) q.append("&consistent-with=").append(enc(a.option("consistent-with")));
                Map<String, Object> e = client.call("POST", API, q.toString());
                long id = number(e, "id");
                if (!a.has("wait")) {
                    if (json) out.print(Json.write(e));
                    else out.println("snapshot export " + id + " started: snapshot " + e.get("snapshot") + " into repository "
                            + e.get("repository") + (e.get("parent") == null ? " (full)" : " (incremental from "
                            + e.get("parent") + ")") + "; follow it with strata snapshot list, stop it with strata snapshot abort " + id);
                    return 0;
                }
                if (!json) out.println("snapshot export " + id + ": snapshot " + e.get("snapshot") + " into repository "
                        + e.get("repository") + (e.get("parent") == null ? " (full)" : " (incremental from " + e.get("parent") + ")"));
                return follow(client, id, json);
            }
            case "list" -> {
                Map<String, Object> all = new LinkedHashMap<>(client.call("GET", API, repoQuery));
                all.put("policies", client.call("GET", API + "/policy", "").get("policies"));
                if (json) {
                    out.print(Json.write(all));
                } else {
                    printList(all);
                }
                return 0;
            }
            case "show" -> {
                String what = positional.get(1);
                String q = (what.startsWith("strata+") ? "locator=" : "id=") + enc(what)
                        + (repoQuery.isEmpty() ? "" : "&" + repoQuery);
                Map<String, Object> s = client.call("GET", API + "/show", q);
                if (json) out.print(Json.write(s));
                else printShow(s);
                return 0;
            }
            case "verify" -> {
                String q = "locator=" + enc(locatorArg) + "&fraction=" + fraction + (repoQuery.isEmpty() ? "" : "&" + repoQuery);
                Map<String, Object> v = client.call("POST", API + "/verify", q);
                return followVerify(client, number(v, "id"), json);
            }
            default -> {
                long id = id(positional.get(1));
                Map<String, Object> r = client.call("POST", API + "/abort", "id=" + id);
                if (json) out.print(Json.write(r));
                else out.println("snapshot export " + id + " " + r.get("state")
                        + ("aborting".equals(r.get("state")) ? " (it stops after its current range file)" : ""));
                return 0;
            }
        }
    }

    /** forget, diff, gc and hold: each needs --repo; arguments are checked before the gateway is contacted. */
    private int retention(String sub, List<String> positional, Args a, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        if (a.option("repo") == null) throw new IllegalArgumentException(sub + " needs --repo NAME (see strata snapshot repo list)");
        String repo = "repo=" + enc(a.option("repo"));
        String what = sub.equals("hold") ? arg(positional, 1, "add|rm|list") : "";
        if (sub.equals("hold") && !Set.of("add", "rm", "list").contains(what)) {
            throw new IllegalArgumentException("hold takes add, rm or list, not " + what);
        }
        if (sub.equals("forget")) arg(positional, 1, "ID");
        if (sub.equals("diff")) arg(positional, 2, "B");
        if (sub.equals("hold") && !what.equals("list")) arg(positional, 2, "SNAPSHOT-ID");
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        Map<String, Object> r = switch (sub) {
            case "forget" -> client.call("POST", API + "/forget", repo + "&ids="
                    + enc(String.join(",", positional.subList(1, positional.size()))));
            case "diff" -> client.call("GET", API + "/diff", repo + "&from=" + enc(positional.get(1)) + "&to=" + enc(positional.get(2)));
            case "gc" -> followGc(client, repo, repo + (a.has("dry-run") ? "&dry-run=true" : "")
                    + (a.has("claim") ? "&claim=true" : "") + (a.has("full") ? "&full=true" : ""), json);
            default -> switch (what) {
                case "add" -> client.call("POST", API + "/holds", repo + "&snapshot=" + enc(positional.get(2))
                        + (a.option("reason") == null ? "" : "&reason=" + enc(a.option("reason"))));
                case "rm" -> client.call("DELETE", API + "/holds", repo + "&snapshot=" + enc(positional.get(2))
                        + (a.option("hold") == null ? "" : "&hold=" + enc(a.option("hold"))));
                default -> client.call("GET", API + "/holds", repo);
            };
        };
        if (json) {
            out.print(Json.write(r));
            return 0;
        }
        switch (sub) {
            case "forget" -> out.println("forgotten: " + String.join(" ", strings(r.get("forgotten")))
                    + " (their data stays until strata snapshot gc)");
            case "diff" -> {
                for (String kind : List.of("added", "removed", "changed")) {
                    String mark = kind.equals("added") ? "+" : kind.equals("removed") ? "-" : "M";
                    for (Map<String, Object> c : maps(r.get(kind))) {
                        out.println(mark + " " + c.get("bucket") + "/" + c.get("key") + " " + c.get("versionId")
                                + (Boolean.TRUE.equals(c.get("deleteMarker")) ? " (delete marker)" : ""));
                    }
                }
                out.println(maps(r.get("added")).size() + " added, " + maps(r.get("removed")).size() + " removed, "
                        + maps(r.get("changed")).size() + " changed; " + r.get("rangesRead") + " range files read");
            }
            case "gc" -> {
                out.println((Boolean.TRUE.equals(r.get("dryRun")) ? "would delete " : "deleted ") + r.get("dataDeleted")
                        + " data objects and " + r.get("rangesDeleted") + " range files of "
                        + strings(r.get("collected")).size() + " forgotten snapshots"
                        + (Boolean.TRUE.equals(r.get("full")) ? " and orphans" : "") + " (" + r.get("rangesRead")
                        + " range files read)");
                if (!strings(r.get("replayedPlans")).isEmpty()) {
                    out.println("finished the plans of an interrupted gc: " + String.join(" ", strings(r.get("replayedPlans"))));
                }
                if (r.get("deferred") instanceof Map<?, ?> d) {
                    d.forEach((id, why) -> out.println("deferred " + id + ": " + why));
                }
            }
            default -> {
                if (what.equals("list")) {
                    for (Map<String, Object> h : maps(r.get("holds"))) {
                        out.println(h.get("snapshot") + "  " + h.get("site") + (Boolean.TRUE.equals(h.get("mine")) ? " (this site)" : "")
                                + "  " + h.get("created") + "  " + h.get("purpose") + "  " + h.get("id"));
                    }
                } else if (what.equals("add")) {
                    out.println("snapshot " + r.get("snapshot") + " held by this site (" + r.get("site") + "): " + r.get("path"));
                } else {
                    out.println(maps(r.get("released")).size() + " operator holds of this site on " + r.get("snapshot") + " released");
                    for (Map<String, Object> h : maps(r.get("kept"))) {
                        out.println("kept " + h.get("id") + " (" + h.get("purpose") + "): "
                                + ("attach".equals(h.get("purpose")) ? "detach the bucket to release it"
                                : "released when the restore's hydration completes"));
                    }
                }
            }
        }
        return 0;
    }

    /** policy set|show: a repository's keep rules and schedule. */
    private int policy(List<String> positional, Args a, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        String what = arg(positional, 1, "set|show");
        if (!what.equals("set") && !what.equals("show")) throw new IllegalArgumentException("policy takes set or show, not " + what);
        if (a.option("repo") == null) throw new IllegalArgumentException("policy " + what + " needs --repo NAME");
        StringBuilder q = new StringBuilder("repo=" + enc(a.option("repo")));
        if (what.equals("set")) {
            if (a.all("bucket").isEmpty() == !a.has("all")) {
                throw new IllegalArgumentException("policy set needs --bucket B (repeatable) or --all, not both");
            }
            if (a.has("all")) q.append("&all=true");
            else q.append("&buckets=").append(enc(String.join(",", a.all("bucket"))));
            for (String o : List.of("every", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-within")) {
                if (a.option(o) != null) q.append('&').append(o).append('=').append(enc(a.option(o)));
            }
        }
        AdminClient client = AdminClient.connect(a.configFile(), a.configFlags(), a.option("gateway"));
        Map<String, Object> p = client.call(what.equals("set") ? "POST" : "GET", API + "/policy", q.toString());
        if (json) {
            out.print(Json.write(p));
            return 0;
        }
        out.println("repository " + p.get("repository") + ": buckets "
                + (Boolean.TRUE.equals(p.get("all")) ? "all" : String.join(",", strings(p.get("buckets"))))
                + ", every " + (p.get("every") == null ? "- (no schedule)" : p.get("every")) + ", keep " + p.get("keep")
                + (number(p, "failures") > 0 ? ", " + p.get("failures") + " failures, last: " + p.get("lastError") : ""));
        return 0;
    }

    private int repo(AdminClient client, List<String> positional, Args a, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        String action = arg(positional, 1, "add|list|remove");
        switch (action) {
            case "list" -> {
                Map<String, Object> r = client.call("GET", API + "/repos", "");
                if (json) {
                    out.print(Json.write(r));
                    return 0;
                }
                out.printf("%-16s %-6s %-7s %s%n", "NAME", "TYPE", "SOURCE", "WHERE");
                for (Map<String, Object> e : maps(r.get("repositories"))) {
                    out.printf("%-16s %-6s %-7s %s%n", e.get("name"), e.get("type"), e.get("source"), e.get("description"));
                }
                return 0;
            }
            case "add" -> {
                String name = arg(positional, 2, "NAME");
                Map<String, String> settings = a.settings(REPO_SETTINGS);
                if (!settings.containsKey("type")) settings.put("type", settings.containsKey("endpoint") ? "s3" : "local");
                if ("local".equals(settings.get("type")) && settings.containsKey("path")) {
                    // The gateway resolves paths itself: send what this shell means by a relative one.
                    settings.put("path", java.nio.file.Path.of(settings.get("path")).toAbsolutePath().normalize().toString());
                }
                Map<String, Object> r = client.call("POST", API + "/repos", "name=" + enc(name),
                        Json.write(new LinkedHashMap<>(settings)).getBytes(StandardCharsets.UTF_8));
                if (json) out.print(Json.write(r));
                else out.println("snapshot repository " + name + " added: " + r.get("description"));
                return 0;
            }
            case "remove" -> {
                String name = arg(positional, 2, "NAME");
                client.call("DELETE", API + "/repos", "name=" + enc(name));
                out.println("snapshot repository " + name + " removed (its snapshots stay where they are)");
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown snapshot repo command '" + action
                    + "' (add, list or remove; see strata snapshot --help)");
        }
    }

    /**
     * Follows export {@code id} to its end: a bar on a terminal, a line every few seconds on a pipe.
     * Ctrl-C leaves the export running on the gateway.
     *
     * @return 0 when done, 1 when it failed (it stays and is retried) or was aborted
     */
    private int follow(AdminClient client, long id, boolean json) throws IOException, InterruptedException, AdminClient.AdminError {
        Progress progress = new Progress(json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out);
        while (true) {
            Map<String, Object> e = client.call("GET", API + "/exports", "id=" + id);
            String state = String.valueOf(e.get("state"));
            boolean ended = !Set.of("running", "queued", "resuming", "waiting", "aborting").contains(state);
            @SuppressWarnings("unchecked")
            Map<String, Object> c = e.get("counters") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            long total = number(e, "totalVersions");
            double fraction = total > 0 ? Math.min(1.0, number(c, "versions") / (double) total) : 0;
            if (ended && "done".equals(state)) fraction = 1;
            progress.show(String.format(Locale.ROOT, "%s %3d%%  %s   ", Progress.bar(fraction), (int) (fraction * 100),
                    counts(c, total)), ended);
            if (ended) {
                progress.end();
                if (json) {
                    out.print(Json.write(e));
                } else if ("done".equals(state)) {
                    out.println("snapshot " + e.get("snapshot") + " done in " + seconds(e) + ": " + counts(c, -1));
                    out.println("locator: " + e.get("locator"));
                } else {
                    out.println("snapshot export " + id + " " + state + (String.valueOf(e.getOrDefault("lastError", "")).isEmpty()
                            ? "" : ": " + e.get("lastError")));
                    if ("failed".equals(state)) {
                        out.println("it stays and is retried; strata snapshot list shows it, strata snapshot abort " + id
                                + " drops it");
                    }
                }
                return "done".equals(state) ? 0 : 1;
            }
            Thread.sleep(progress.pollMillis());
        }
    }

    /**
     * Runs a GC (the admin call answers when it has ended) and meanwhile asks the gateway how far it
     * has got: a bar on a terminal, a line every few seconds on a pipe. Ctrl-C leaves it running.
     */
    /**
     * How long the CLI waits for a GC's answer: the POST answers when the GC has ended, which for a
     * repository of 10^6 versions is many minutes; its progress is followed meanwhile, and a gateway
     * that stops answering the progress route is still noticed by the connection.
     */
    private static final java.time.Duration GC_ANSWER_TIMEOUT = java.time.Duration.ofHours(24);

    private Map<String, Object> followGc(AdminClient client, String repo, String query, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        Progress progress = new Progress(json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out);
        boolean shown = false;
        boolean ask = true;
        try (java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.Future<Map<String, Object>> gc = one.submit(() -> client.call("POST", API + "/gc", query, GC_ANSWER_TIMEOUT));
            while (true) {
                try {
                    Map<String, Object> r = gc.get(progress.pollMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (shown) progress.end();
                    return r;
                } catch (java.util.concurrent.TimeoutException running) {
                    if (!ask) continue;
                    try {
                        Map<String, Object> p = client.call("GET", API + "/gc", repo);
                        if (Boolean.TRUE.equals(p.get("running"))) {
                            progress.show(gcLine(p), false);
                            shown = true;
                        }
                    } catch (AdminClient.AdminError older) {
                        ask = false;   // a gateway without the progress route: wait for the answer only
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (shown) progress.end();
                    switch (e.getCause()) {
                        case AdminClient.AdminError x -> throw x;
                        case IOException x -> throw x;
                        case InterruptedException x -> throw x;
                        case RuntimeException x -> throw x;
                        default -> throw new IllegalStateException(e.getCause());
                    }
                }
            }
        }
    }

    /** One progress line of a verification: entries checked of the root's total, range files, data read. */
    static String verifyLine(Map<String, Object> v) {
        long entries = number(v, "entriesTotal");
        long checked = number(v, "entriesChecked");
        return String.format(Locale.ROOT, "%s %3d%%  verifying %s: %d of %d entries, %d of %d range files, %d data objects read   ",
                Progress.bar(share(checked, entries)), percent(checked, entries), shortLocator(String.valueOf(v.get("locator"))),
                checked, entries, number(v, "rangesChecked"), number(v, "rangesTotal"), number(v, "dataChecked"));
    }

    /** One progress line of a GC: the phase's bar and its counts. */
    static String gcLine(Map<String, Object> p) {
        String phase = String.valueOf(p.get("phase"));
        long snapshots = number(p, "snapshots");
        long done = number(p, "snapshotsDone");
        long planned = number(p, "objectsPlanned");
        long deleted = number(p, "objectsDeleted");
        long ranges = number(p, "rangesRead");
        if (phase.equals("replaying") && planned == 0) phase = "reading the repository";
        return switch (phase) {
            case "comparing" -> String.format(Locale.ROOT, "%s %3d%%  comparing %d of %d forgotten snapshots with their "
                    + "neighbours, %d range files read   ", Progress.bar(share(done, snapshots)), percent(done, snapshots), done,
                    snapshots, ranges);
            case "sweeping" -> String.format(Locale.ROOT, "%s %3d%%  full sweep: %d of %d snapshots' range files read (%d)   ",
                    Progress.bar(share(done, snapshots)), percent(done, snapshots), done, snapshots, ranges);
            case "deleting", "replaying" -> String.format(Locale.ROOT, "%s %3d%%  deleting: %d of %d objects%s   ",
                    Progress.bar(share(deleted, planned)), percent(deleted, planned), deleted, planned,
                    phase.equals("replaying") ? " (the plan of an interrupted gc)" : "");
            default -> phase + "   ";
        };
    }

    private static double share(long done, long total) {
        return total <= 0 ? 0 : Math.min(1.0, done / (double) total);
    }

    private static int percent(long done, long total) {
        return (int) (share(done, total) * 100);
    }

    private int followVerify(AdminClient client, long id, boolean json)
            throws IOException, InterruptedException, AdminClient.AdminError {
        Progress progress = new Progress(json ? new PrintStream(java.io.OutputStream.nullOutputStream()) : out);
        while (true) {
            Map<String, Object> v = client.call("GET", API + "/verify", "id=" + id);
            boolean ended = !"running".equals(v.get("state"));
            progress.show(verifyLine(v), ended);
            if (ended) {
                progress.end();
                boolean ok = Boolean.TRUE.equals(v.get("ok"));
                if (json) {
                    out.print(Json.write(v));
                } else {
                    out.println((ok ? "ok: " : "FAILED: ") + number(v, "rangesChecked") + " range files, "
                            + number(v, "entriesChecked") + " entries, " + number(v, "dataChecked")
                            + " data objects read and checked");
                    for (Object p : v.get("problems") instanceof List<?> l ? l : List.of()) out.println("  problem: " + p);
                }
                return ok ? 0 : 1;
            }
            Thread.sleep(progress.pollMillis());
        }
    }

    private void printList(Map<String, Object> all) {
        out.printf("%-26s %-10s %-20s %10s %12s %12s  %s%n", "SNAPSHOT", "REPOSITORY", "TAKEN", "VERSIONS", "NEW", "NOT UPLOADED",
                "BUCKETS");
        for (Map<String, Object> s : maps(all.get("snapshots"))) {
            if (s.containsKey("error")) {
                out.printf("%-26s %-10s unreadable: %s%n", s.getOrDefault("id", "(repository)"), s.get("repository"),
                        s.get("error"));
                continue;
            }
            out.printf(Locale.ROOT, "%-26s %-10s %-20s %10d %12s %12s  %s%n", s.get("id"), s.get("repository"),
                    String.valueOf(s.get("takenAt")).replaceAll("\\.\\d+Z$", "Z"), number(s, "versions"),
                    Progress.bytes(number(s, "newDataBytes")), Progress.bytes(number(s, "notUploadedBytes")),
                    String.join(",", strings(s.get("buckets"))));
            out.println("  " + s.get("locator"));
            if (s.get("consistentWith") != null) out.println("  " + cut(s.get("consistentWith")));
        }
        List<Map<String, Object>> policies = maps(all.get("policies"));
        if (!policies.isEmpty()) {
            out.println();
            out.printf("%-10s %-8s %-9s %8s  %s%n", "SCHEDULE", "EVERY", "NEXT", "FAILURES", "KEEP / LAST ERROR");
            for (Map<String, Object> p : policies) {
                out.printf(Locale.ROOT, "%-10s %-8s %-9s %8d  %s%s%n", p.get("repository"),
                        p.get("every") == null ? "-" : p.get("every"),
                        p.get("nextRun") == null ? "-" : String.valueOf(p.get("nextRun")).replaceAll("^.*T|\\.\\d+Z$", ""),
                        number(p, "failures"), p.get("keep"),
                        String.valueOf(p.getOrDefault("lastError", "")).isEmpty() ? "" : "  LAST ERROR: " + p.get("lastError"));
            }
        }
        List<Map<String, Object>> exports = maps(all.get("exports"));
        if (exports.isEmpty()) return;
        out.println();
        out.printf("%-6s %-26s %-10s %-9s %8s %10s  %s%n", "EXPORT", "SNAPSHOT", "REPOSITORY", "STATE", "ATTEMPTS", "VERSIONS",
                "LAST ERROR");
        for (Map<String, Object> e : exports) {
            @SuppressWarnings("unchecked")
            Map<String, Object> c = e.get("counters") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            out.printf(Locale.ROOT, "%-6d %-26s %-10s %-9s %8d %10d  %s%n", number(e, "id"), e.get("snapshot"),
                    e.get("repository"), e.get("state"), number(e, "attempts"), number(c, "versions"),
                    e.getOrDefault("lastError", ""));
        }
    }

    /** "consistent with site S: bucket B up to T, ..." from a snapshot's consistentWith JSON. */
    private static String cut(Object json) {
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) json;
        @SuppressWarnings("unchecked")
        Map<String, Object> until = c.get("until") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        StringBuilder b = new StringBuilder("consistent with site " + c.get("site") + ":");
        String sep = " ";
        for (var e : new java.util.TreeMap<>(until).entrySet()) {
            b.append(sep).append("bucket ").append(e.getKey()).append(" up to ").append(e.getValue());
            sep = ", ";
        }
        return b.toString();
    }

    private void printShow(Map<String, Object> s) {
        out.println("snapshot     " + s.get("id"));
        out.println("repository   " + s.get("repository"));
        out.println("taken at     " + s.get("takenAt") + " (change log sequence " + s.get("sequence") + ")");
        out.println("parent       " + (s.get("parent") == null ? "none (full)" : s.get("parent")));
        out.println("self-contained " + s.get("selfContained"));
        if (s.get("consistentWith") != null) out.println(cut(s.get("consistentWith")));
        out.println("versions     " + number(s, "versions") + ", " + Progress.bytes(number(s, "bytes")) + " ("
                + Progress.bytes(number(s, "newDataBytes")) + " new, " + Progress.bytes(number(s, "notUploadedBytes"))
                + " not uploaded)");
        out.println("locator      " + s.get("locator"));
        out.println();
        out.printf("%-24s %-10s %10s %7s  %s%n", "BUCKET", "VERSIONING", "ENTRIES", "RANGES", "SETTINGS");
        for (Map<String, Object> b : maps(s.get("bucketDetails"))) {
            out.printf(Locale.ROOT, "%-24s %-10s %10d %7d  %s%n", b.get("name"), b.get("versioning"), number(b, "entries"),
                    number(b, "ranges"), String.join(",", strings(b.get("configs"))));
        }
    }

    private static String counts(Map<String, Object> c, long total) {
        return number(c, "versions") + (total > 0 ? "/" + total : "") + " versions, " + number(c, "newData")
                + " new data objects (" + Progress.bytes(number(c, "newDataBytes")) + "), " + number(c, "reusedData")
                + " reused, " + number(c, "presentData") + " present, " + number(c, "coldReferences") + " cold references";
    }

    private static String seconds(Map<String, Object> e) {
        return String.format(Locale.ROOT, "%.1f s", number(e, "durationMillis") / 1000.0);
    }

    private static String shortLocator(String locator) {
        int q = locator.indexOf("?snap=");
        int h = locator.indexOf('#');
        return q >= 0 && h > q ? locator.substring(q + 6, h) : locator;
    }

    /** "5%", "0.05" or "1/20" as a fraction from 0 to 1; null is 0 (no data read). */
    static double subset(String text) {
        if (text == null) return 0;
        String t = text.strip();
        double f;
        try {
            if (t.endsWith("%")) {
                f = Double.parseDouble(t.substring(0, t.length() - 1)) / 100;
            } else if (t.contains("/")) {
                String[] p = t.split("/", 2);
                f = Double.parseDouble(p[0]) / Double.parseDouble(p[1]);
            } else {
                f = Double.parseDouble(t);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--read-data-subset must be a percentage (5%), a fraction (0.05) or n/t (1/20): "
                    + text);
        }
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("--read-data-subset must be between 0 and 100%: " + text);
        }
        return f;
    }

    static String locator(String text) {
        if (!LOCATOR.matcher(text.strip()).matches()) {
            throw new IllegalArgumentException("not a snapshot locator (expected strata+https://HOST/BUCKET/PREFIX?snap=ID"
                    + "#sha256=HEX, as strata snapshot list prints it): " + text);
        }
        return text.strip();
    }

    private static long id(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("EXPORT-ID must be a number: " + text);
        }
        return Long.parseLong(text);
    }

    private static String arg(List<String> positional, int i, String what) {
        if (positional.size() <= i) throw new IllegalArgumentException("missing " + what + " (see strata snapshot --help)");
        return positional.get(i);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) for (Object x : l) out.add(String.valueOf(x));
        return out;
    }
}
