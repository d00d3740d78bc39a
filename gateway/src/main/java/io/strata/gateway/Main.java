package io.strata.gateway;

import io.strata.auth.Credentials;
import io.strata.gateway.cli.AdminCommand;
import io.strata.gateway.cli.JobsCommand;
import io.strata.gateway.cli.PlacementCommand;
import io.strata.gateway.cli.ReplicateCommand;
import io.strata.gateway.cli.SnapshotAttachCommand;
import io.strata.gateway.cli.SnapshotCommand;
import io.strata.gateway.cli.SnapshotRestoreCommand;
import io.strata.gateway.cli.TierCommand;
import io.strata.gateway.config.Logging;
import io.strata.gateway.config.RootCredentials;
import io.strata.gateway.config.StrataConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.LogManager;

/** The {@code strata} command line. */
public final class Main {
    private static final String USAGE = """
            Strata - an S3-compatible tiered object gateway

            Usage: strata <command> [options]

            Commands:
              serve        Run the S3 gateway (single node, embedded default storage)
              heal         Start a heal pass on a running gateway and show its progress
                           (--scrub: also verify every block; see strata heal --help)
              drives       Show the state of a running gateway's drives
              tier         Cold tiers of a running gateway: list, status, add, check, remove,
                           move BUCKET[/PREFIX] NAME|hot (see strata tier --help)
              pin, unpin   Keep BUCKET[/PREFIX] hot (transitions and eviction skip it), or stop
              prefetch     Move every cold version under BUCKET[/PREFIX] hot now, with progress
              placement    Pins, prefetch jobs, promotion counters, hot tier watermarks
              jobs         Bulk jobs (tier moves, prefetches): list, show ID with a progress
                           bar, cancel ID; they survive restarts (see strata jobs --help)
              snapshot     Point-in-time snapshots into a local or S3 repository: repo add|list|
                           remove, create, list, show, verify, abort; attach LOCATOR --as BUCKET
                           serves one as a read-only bucket at once, detach, attached
                           (see strata snapshot --help)
              replicate    Replication targets: target add NAME --endpoint URL --bucket B
                           --access-key K --secret-key S, target list, target rm NAME
                           (see strata replicate --help)
              help         Show this help

            Options for serve:
              --config FILE      YAML configuration file (see README: Configuration)
              --port N           Listen port (default 9000; env STRATA_PORT)
              --host ADDR        Listen address (default 127.0.0.1; env STRATA_HOST)
              --data-dir DIR     Data directory: RocksDB metadata and drive directories
                                 (default ./strata-data; env STRATA_DATA_DIR)
              --domain NAME      Base domain for virtual-hosted-style requests (default localhost)
              --log-level LEVEL  ERROR, WARN, INFO or DEBUG (default INFO)
              --tls-cert FILE    Serve HTTPS with this PEM certificate chain ...
              --tls-key FILE     ... and this PEM private key (server.tls.*)
              --tls-self-signed  Serve HTTPS with a certificate generated once into
                                 DATA_DIR/tls/ (clients: AWS_CA_BUNDLE=DATA_DIR/tls/cert.pem)

            Root credentials come from STRATA_ACCESS_KEY / STRATA_SECRET_KEY, the config file
            (auth.access-key / auth.secret-key), or are generated on first start and kept in
            DATA_DIR/credentials.properties.

            Prometheus metrics at /_strata/metrics need a request signed with the root
            credentials or "Authorization: Bearer TOKEN" with the token of
            metrics.bearer-token-file (or STRATA_METRICS_TOKEN); metrics.public: true
            (STRATA_METRICS_PUBLIC) opens them to anyone who reaches the port.

            Example:
              strata serve --port 9000 --data-dir /var/lib/strata
              aws --endpoint-url http://127.0.0.1:9000 s3 ls
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("heal") || args[0].equals("drives")) {
            return AdminCommand.run(args[0], args, out, err);
        }
        if (args[0].equals("tier")) {
            return TierCommand.run(args, out, err);
        }
        if (args[0].equals("jobs")) {
            return JobsCommand.run(args, out, err);
        }
        if (args[0].equals("snapshot")) {
            // attach, detach and attached have their own command (a read-only bucket, not an export).
            if (args.length > 1 && SnapshotAttachCommand.COMMANDS.contains(args[1])) {
                return SnapshotAttachCommand.run(args, out, err);
            }
            if (args.length > 1 && SnapshotRestoreCommand.COMMANDS.contains(args[1])) {
                return SnapshotRestoreCommand.run(args, out, err);
            }
            return SnapshotCommand.run(args, out, err);
        }
        if (args[0].equals("replicate")) {
            return ReplicateCommand.run(args, out, err);
        }
        if (java.util.Set.of("pin", "unpin", "prefetch", "placement").contains(args[0])) {
            return PlacementCommand.run(args, out, err);
        }
        if (!args[0].equals("serve")) {
            err.println("strata: unknown command '" + args[0] + "'\n");
            err.print(USAGE);
            return 2;
        }
        Map<String, String> flags = new HashMap<>();
        Path configFile = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            if (a.equals("--tls-self-signed")) {
                flags.put("server.tls.self-signed", "true");
                continue;
            }
            String value;
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                err.println("strata: option " + a + " needs a value");
                return 2;
            }
            switch (name) {
                case "--config" -> configFile = Path.of(value);
                case "--port" -> flags.put("server.port", value);
                case "--host" -> flags.put("server.host", value);
                case "--data-dir" -> flags.put("storage.data-dir", value);
                case "--domain" -> flags.put("server.domain", value);
                case "--log-level" -> flags.put("log.level", value);
                case "--tls-cert" -> flags.put("server.tls.certificate", value);
                case "--tls-key" -> flags.put("server.tls.private-key", value);
                default -> {
                    err.println("strata: unknown option " + name + "\n");
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        if (configFile == null && System.getenv("STRATA_CONFIG") != null) configFile = Path.of(System.getenv("STRATA_CONFIG"));
        StrataConfig config;
        try {
            config = StrataConfig.load(configFile, System.getenv(), flags);
        } catch (StrataConfig.ConfigException | IllegalArgumentException e) {
            err.println("strata: refusing to start: " + e.getMessage());
            return 2;
        }
        Logging.configure(config.logLevel());
        StrataServer server;
        try {
            server = StrataServer.start(config);
        } catch (Exception e) {
            err.println("strata: could not start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("strata: shutting down");
            try {
                server.close();
            } catch (RuntimeException e) {
                // close logged each failure, after closing everything else: the exit goes on.
                err.println("strata: shutdown was not clean: " + e);
            } finally {
                stopped.countDown();
                LogManager.getLogManager().reset();
            }
        }, "strata-shutdown"));
        String endpoint = config.localEndpoint(server.port()).toString();
        Credentials c = server.rootCredentials();
        out.println("Strata S3 gateway");
        out.println("  data:   " + config.dataDir() + " (" + config.drives().size() + " drives, erasure "
                + config.dataShards() + "+" + config.parityShards() + ")");
        out.println("  region: " + config.region());
        out.println();
        out.println("Point the aws CLI at it:");
        out.println("  export AWS_ACCESS_KEY_ID=" + c.accessKey());
        if (config.credentials().isPresent()) {
            out.println("  export AWS_SECRET_ACCESS_KEY=\"$STRATA_SECRET_KEY\"   # the secret you configured");
        } else {
            out.println("  export AWS_SECRET_ACCESS_KEY=" + c.secretKey()
                    + "   # kept in " + config.dataDir().resolve(RootCredentials.FILE));
        }
        out.println("  export AWS_DEFAULT_REGION=" + config.region());
        if (config.tls().isPresent() && config.tls().get().selfSigned()) {
            out.println("  export AWS_CA_BUNDLE=" + config.tls().get().certificate() + "   # the self-signed certificate");
        }
        out.println("  aws --endpoint-url " + endpoint + " s3 mb s3://my-bucket");
        out.println("  aws --endpoint-url " + endpoint + " s3 ls");
        out.println();
        out.println("listening on " + endpoint + "  (Ctrl-C to stop)");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
