package io.strata.gateway.cli;

import io.strata.auth.Credentials;
import io.strata.auth.SigV4Signer;
import io.strata.gateway.admin.Json;
import io.strata.gateway.config.RootCredentials;
import io.strata.gateway.config.StrataConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * A client of a running gateway's admin API, for the {@code strata} commands: finds the gateway
 * and the root credentials the way {@code serve} would (flags, {@code STRATA_*} environment,
 * configuration file, the data directory's {@code credentials.properties}) and sends requests
 * signed with SigV4, bodies included. Not thread-safe; one per command.
 */
public final class AdminClient {
    private final HttpClient http;
    private final URI endpoint;
    private final Credentials credentials;
    private final String region;

    /** Thrown for an answer that is not 2xx: the gateway's error code and message. */
    public static final class AdminError extends Exception {
        AdminError(String message) {
            super(message, null, false, false);
        }
    }

    private AdminClient(HttpClient http, URI endpoint, Credentials credentials, String region) {
        this.http = http;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.region = region;
    }

    /**
     * @param configFile   a YAML file or null ({@code STRATA_CONFIG} is used then, if set)
     * @param flags        configuration keys given as flags ({@code server.port}, ...)
     * @param endpointFlag the gateway's URL, or null for http(s)://HOST:PORT of the configuration
     * @throws IOException when no credentials can be found
     * @throws StrataConfig.ConfigException for a bad configuration
     */
    public static AdminClient connect(Path configFile, Map<String, String> flags, String endpointFlag) throws IOException {
        if (configFile == null && System.getenv("STRATA_CONFIG") != null) configFile = Path.of(System.getenv("STRATA_CONFIG"));
        StrataConfig config = StrataConfig.load(configFile, System.getenv(), flags);
        URI endpoint = endpointFlag != null ? URI.create(endpointFlag) : config.localEndpoint(config.port());
        Credentials credentials = config.credentials().isPresent() ? config.credentials().get() : storedCredentials(config.dataDir());
        HttpClient http = config.adminHttpClient().connectTimeout(Duration.ofSeconds(5)).build();
        return new AdminClient(http, endpoint, credentials, config.region());
    }

    URI endpoint() {
        return endpoint;
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

    /** Sends a request with an empty body. */
    public Map<String, Object> call(String method, String path, String query) throws IOException, InterruptedException, AdminError {
        return call(method, path, query, new byte[0]);
    }

    /** Sends a request whose body is signed (its SHA-256 is part of the signature); answers the JSON object. */
    public Map<String, Object> call(String method, String path, String query, byte[] body)
            throws IOException, InterruptedException, AdminError {
        return call(method, path, query, body, REQUEST_TIMEOUT);
    }

    /** The answer deadline of a request: an admin call answers at once or starts a job it reports on. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /**
     * As {@link #call(String, String, String)}, waiting up to {@code timeout} for the answer: for the
     * few calls that answer only when their work has ended (a GC deleting 10^6 objects takes longer
     * than a minute), whose progress the caller follows meanwhile through another route.
     */
    public Map<String, Object> call(String method, String path, String query, Duration timeout)
            throws IOException, InterruptedException, AdminError {
        return call(method, path, query, new byte[0], timeout);
    }

    private Map<String, Object> call(String method, String path, String query, byte[] body, Duration timeout)
            throws IOException, InterruptedException, AdminError {
        String host = endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "");
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> headers = SigV4Signer.sign(method, path, query, host, credentials, region, Instant.now(), sha);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path + (query.isEmpty() ? "" : "?" + query)))
                .timeout(timeout)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((k, v) -> {
            if (!k.equals("host")) b.header(k, v);
        });
        HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
}
