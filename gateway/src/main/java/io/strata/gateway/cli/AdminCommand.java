package io.strata.gateway.cli;

import io.strata.auth.Credentials;
import io.strata.auth.SigV4Signer;
import io.strata.gateway.Main;
import io.strata.gateway.admin.Json;
import io.strata.gateway.config.RootCredentials;
import io.strata.gateway.config.StrataConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code strata heal} and {@code strata drives} commands: clients of a running gateway's admin
 * API, signed with the root credentials (from the environment, the configuration, or the data
 * directory's {@code credentials.properties}). {@code heal} starts a pass and shows a progress bar
 * until it ends. Used once per process, from {@link Main}.
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
    private HttpClient http;
    private URI endpoint;
    private Credentials credentials;
    private String region;

    private AdminCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int run(String command, String[] args, PrintStream out, PrintStream err) {
        return new AdminCommand(out, err).execute(command, args);
    }

    private int execute(String command, String[] args) {
        Map<String, String> flags = new HashMap<>();
        Path configFile = null;
        String endpointFlag = null;
        boolean scrub = false;
        boolean wait = true;
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--scrub" -> scrub = true;
                case "--no-wait" -> wait = false;
                case "--json" -> json = true;
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    int eq = a.indexOf('=');
                    String name = eq > 0 ? a.substring(0, eq) : a;
                    String value;
                    if (eq > 0) {
                        value = a.substring(eq + 1);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        err.println("strata: option " + a + " needs a value");
                        return 2;
                    }
                    switch (name) {
                        case "--endpoint" -> endpointFlag = value;
                        case "--config" -> configFile = Path.of(value);
                        case "--port" -> flags.put("server.port", value);
                        case "--host" -> flags.put("server.host", value);
                        case "--data-dir" -> flags.put("storage.data-dir", value);
                        default -> {
                            err.println("strata: unknown option " + name + "\n");
                            err.print(USAGE);
                            return 2;
                        }
                    }
                }
            }
        }
        if (configFile == null && System.getenv("STRATA_CONFIG") != null) configFile = Path.of(System.getenv("STRATA_CONFIG"));
        try {
            StrataConfig config = StrataConfig.load(configFile, System.getenv(), flags);
            endpoint = endpointFlag != null ? URI.create(endpointFlag) : config.localEndpoint(config.port());
            http = config.adminHttpClient().connectTimeout(Duration.ofSeconds(5)).build();
            region = config.region();
            credentials = config.credentials().isPresent() ? config.credentials().get() : storedCredentials(config.dataDir());
        } catch (StrataConfig.ConfigException | IllegalArgumentException | IOException e) {
            err.println("strata: " + e.getMessage());
            return 2;
        }
        try {
            if (command.equals("drives")) {
                Map<String, Object> status = call("GET", "/_strata/admin/heal", "");
                if (json) out.print(Json.write(status)); else printDrives(status);
                return 0;
            }
            Map<String, Object> before = call("GET", "/_strata/admin/heal", "");
            long passesBefore = number(before, "passes");
            Map<String, Object> started = call("POST", "/_strata/admin/heal", scrub ? "scrub=true" : "");
            if (!wait) {
                out.println((scrub ? "scrub" : "heal") + " pass requested");
                if (json) out.print(Json.write(started));
                return 0;
            }
            Map<String, Object> status = started;
            boolean tty = System.console() != null;
            long lastLine = 0;
            while (!(number(status, "passes") > passesBefore && !Boolean.TRUE.equals(status.get("running")))) {
                if (Boolean.TRUE.equals(status.get("running"))) {
                    long now = System.nanoTime();
                    if (tty || now - lastLine > 5_000_000_000L) {
                        out.print((tty ? "\r" : "") + progressLine(status) + (tty ? "" : "\n"));
                        out.flush();
                        lastLine = now;
                    }
                }
                Thread.sleep(tty ? 250 : 1000);
                status = call("GET", "/_strata/admin/heal", "");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> last = (Map<String, Object>) status.get("lastPass");
            out.print((tty ? "\r" : "") + bar(1.0) + "  done" + " ".repeat(60) + "\n");
            if (json) {
                out.print(Json.write(status));
            } else {
                out.printf(Locale.ROOT, "%s pass: %d blobs scanned, %d healed (%d shards rebuilt), %d failed, %d corrupt blocks, %s read, %s written%n",
                        Boolean.TRUE.equals(status.get("scrub")) ? "scrub" : "heal", number(last, "blobsScanned"),
                        number(last, "blobsHealed"), number(last, "shardsRebuilt"), number(last, "blobsFailed"),
                        number(last, "corruptBlocks"), bytes(number(last, "bytesRead")), bytes(number(last, "bytesWritten")));
                printDrives(status);
            }
            return number(last, "blobsFailed") > 0 ? 1 : 0;
        } catch (AdminError e) {
            err.println("strata: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("strata: cannot reach the gateway at " + endpoint + ": " + e);
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static Credentials storedCredentials(Path dataDir) throws IOException {
        Path file = dataDir.resolve(RootCredentials.FILE);
        if (!Files.exists(file)) {
            throw new IOException("no credentials: set STRATA_ACCESS_KEY and STRATA_SECRET_KEY, or use --data-dir of the gateway");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return new Credentials(p.getProperty("access-key", ""), p.getProperty("secret-key", ""));
    }

    /** Thrown for an answer that is not 2xx: the gateway's error code and message. */
    private static final class AdminError extends Exception {
        AdminError(String message) {
            super(message, null, false, false);
        }
    }

    private Map<String, Object> call(String method, String path, String query) throws IOException, InterruptedException, AdminError {
        String host = endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "");
        Map<String, String> headers = SigV4Signer.signEmptyBody(method, path, query, host, credentials, region, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path + (query.isEmpty() ? "" : "?" + query)))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach((k, v) -> {
            if (!k.equals("host")) b.header(k, v);
        });
        HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            String code = between(res.body(), "<Code>", "</Code>");
            String message = between(res.body(), "<Message>", "</Message>");
            throw new AdminError(endpoint + " answered " + res.statusCode() + " " + code + ": " + message);
        }
        Object parsed = Json.parse(res.body());
        if (!(parsed instanceof Map<?, ?>)) throw new AdminError("unexpected answer: " + res.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) parsed;
        return map;
    }

    private static String between(String s, String open, String close) {
        int a = s.indexOf(open);
        int b = s.indexOf(close, a + 1);
        return a < 0 || b < 0 ? "" : s.substring(a + open.length(), b);
    }

    private static long number(Map<String, Object> map, String key) {
        return map != null && map.get(key) instanceof Number n ? n.longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static String progressLine(Map<String, Object> status) {
        double progress = status.get("progress") instanceof Number n ? n.doubleValue() : 0;
        Map<String, Object> pass = (Map<String, Object>) status.get("pass");
        return String.format(Locale.ROOT, "%s %3d%%  %s: %d scanned, %d healed, %d failed, %s written   ", bar(progress),
                (int) (progress * 100), Boolean.TRUE.equals(status.get("scrub")) ? "scrub" : "heal",
                number(pass, "blobsScanned"), number(pass, "blobsHealed"), number(pass, "blobsFailed"),
                bytes(number(pass, "bytesWritten")));
    }

    static String bar(double progress) {
        int width = 30;
        int filled = (int) Math.round(Math.clamp(progress, 0, 1) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

    @SuppressWarnings("unchecked")
    private void printDrives(Map<String, Object> status) {
        out.printf("%-5s %-9s %s%n", "DRIVE", "STATE", "PATH");
        for (Object o : (List<Object>) status.getOrDefault("drives", List.of())) {
            Map<String, Object> d = (Map<String, Object>) o;
            String detail = String.valueOf(d.getOrDefault("detail", ""));
            out.printf("%-5d %-9s %s%s%n", number(d, "index"), d.get("state"), d.get("path"),
                    detail.isEmpty() ? "" : "  (" + detail + ")");
        }
    }
}
