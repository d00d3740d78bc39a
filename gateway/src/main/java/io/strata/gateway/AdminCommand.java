package io.strata.gateway;

import io.strata.auth.Credentials;
import io.strata.auth.SigV4Signer;
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
final class AdminCommand {
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

    static int run(String command, String[] args, PrintStream out, PrintStream err) {
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
                if (json) out.print(Mini.write(status)); else printDrives(status);
                return 0;
            }
            Map<String, Object> before = call("GET", "/_strata/admin/heal", "");
            long passesBefore = number(before, "passes");
            Map<String, Object> started = call("POST", "/_strata/admin/heal", scrub ? "scrub=true" : "");
            if (!wait) {
                out.println((scrub ? "scrub" : "heal") + " pass requested");
                if (json) out.print(Mini.write(started));
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
                out.print(Mini.write(status));
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
        Object parsed = new Mini(res.body()).value();
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

    /** A minimal JSON reader and writer for the admin API's answers (objects, arrays, strings, numbers, booleans, null). */
    static final class Mini {
        private final String s;
        private int i;

        /**
         * Deepest nesting read. The server parses admin request bodies with this class, and without
         * a bound a body of 64 KiB of '[' recursed until the stack overflowed (an Error, not a 400).
         */
        static final int MAX_DEPTH = 32;
        /** Longest number literal: settings are counts, sizes and durations. */
        static final int MAX_NUMBER = 64;

        private int work;

        Mini(String s) {
            this.s = s;
        }

        /**
         * One JSON value filling the whole text.
         *
         * @throws IllegalArgumentException naming what is wrong and where, for text that is not JSON
         *                                  or breaks a limit
         */
        static Object parse(String text) {
            Mini m = new Mini(text);
            try {
                Object v = m.value();
                m.skip();
                if (m.i < text.length()) throw new IllegalArgumentException("unexpected text after the JSON value at " + m.i);
                return v;
            } catch (IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
        }

        /** Characters examined and values created by the last parse: its cost, bounded in tests. */
        int work() {
            return work;
        }

        Object value() {
            return value(0);
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) throw new IllegalArgumentException("JSON nested deeper than " + MAX_DEPTH + " at " + i);
            work++;
            skip();
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end of JSON");
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    skip();
                    if (s.charAt(i) == '}') {
                        i++;
                        return map;
                    }
                    while (true) {
                        skip();
                        String key = string();
                        skip();
                        expect(':');
                        map.put(key, value(depth + 1));
                        skip();
                        if (s.charAt(i) == ',') {
                            i++;
                            continue;
                        }
                        expect('}');
                        return map;
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> list = new ArrayList<>();
                    skip();
                    if (s.charAt(i) == ']') {
                        i++;
                        return list;
                    }
                    while (true) {
                        list.add(value(depth + 1));
                        skip();
                        if (s.charAt(i) == ',') {
                            i++;
                            continue;
                        }
                        expect(']');
                        return list;
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    int start = i;
                    while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
                    if (i - start > MAX_NUMBER) throw new IllegalArgumentException("JSON value longer than " + MAX_NUMBER + " characters at " + start);
                    work += i - start;
                    String word = s.substring(start, i);
                    return switch (word) {
                        case "true" -> Boolean.TRUE;
                        case "false" -> Boolean.FALSE;
                        case "null" -> null;
                        default -> number(word, start);
                    };
                }
            }
        }

        /** The message names the offset, never the text: a settings body may hold a secret key. */
        private static Object number(String word, int at) {
            try {
                return word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad JSON value at " + at);
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                work++;
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            try {
                                b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException x) {
                                throw new IllegalArgumentException("bad \\u escape at " + i);
                            }
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            if (s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i);
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                work++;
                i++;
            }
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(b, v);
            return b.append('\n').toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(StringBuilder b, Object v) {
            switch (v) {
                case null -> b.append("null");
                case Map<?, ?> m -> {
                    b.append('{');
                    boolean first = true;
                    for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                        if (!first) b.append(',');
                        first = false;
                        b.append(AdminApi.quote(e.getKey())).append(':');
                        write(b, e.getValue());
                    }
                    b.append('}');
                }
                case List<?> l -> {
                    b.append('[');
                    for (int k = 0; k < l.size(); k++) {
                        if (k > 0) b.append(',');
                        write(b, l.get(k));
                    }
                    b.append(']');
                }
                case String str -> b.append(AdminApi.quote(str));
                default -> b.append(v);
            }
        }
    }
}
