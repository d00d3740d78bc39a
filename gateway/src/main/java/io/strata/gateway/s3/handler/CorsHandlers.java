package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.CorsRules;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.CorsConfig;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Put/Get/DeleteBucketCors, the unauthenticated OPTIONS preflight, and the CORS headers S3 adds to
 * ordinary requests whose Origin matches a rule. Thread-safe.
 */
final class CorsHandlers implements CorsRules {
    private final ObjectService service;

    CorsHandlers(ObjectService service) {
        this.service = service;
    }

    void put(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        CorsConfig config = CorsConfig.parse(Responses.readSmallBody(r));
        service.namespace().putBucketConfig(b.name(), CorsConfig.KIND, config.xml().toBytes());
        res.status(Status.OK_200).send();
    }

    void get(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        CorsConfig config = stored(service.namespace(), b.name())
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_CORS_CONFIGURATION).with("BucketName", b.name().value()));
        Responses.xml(res, config.xml());
    }

    void delete(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        service.namespace().deleteBucketConfig(b.name(), CorsConfig.KIND);
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * OPTIONS on a bucket or object. Browsers send preflights without credentials, so S3 answers them
     * unauthenticated: 200 with the Access-Control-* headers when a rule allows the Origin, the
     * Access-Control-Request-Method and every Access-Control-Request-Headers name; else 403 AccessForbidden.
     */
    @Override
    public void preflight(S3Request r, ServerResponse res) {
        BucketName bucket = r.bucket();
        String origin = r.header("origin").orElseThrow(() -> new S3Exception(S3Error.BAD_REQUEST,
                "Insufficient information. Origin request header needed."));
        String method = r.header("access-control-request-method").orElseThrow(() -> new S3Exception(S3Error.BAD_REQUEST,
                "Invalid Access-Control-Request-Method: null"));
        service.requireBucket(bucket);
        CorsConfig config = stored(service.namespace(), bucket).orElseThrow(() -> new S3Exception(S3Error.ACCESS_FORBIDDEN,
                "CORSResponse: CORS is not enabled for this bucket.").with("Method", method).with("ResourceType", "BUCKET"));
        List<String> requested = headerList(r.header("access-control-request-headers").orElse(""));
        CorsConfig.Rule rule = config.match(origin, method, requested).orElseThrow(() ->
                new S3Exception(S3Error.ACCESS_FORBIDDEN).with("Method", method)
                        .with("ResourceType", r.hasKey() ? "OBJECT" : "BUCKET"));
        allowOrigin(res, rule, origin);
        res.header("Access-Control-Allow-Methods", String.join(", ", rule.methods()));
        if (!requested.isEmpty()) res.header("Access-Control-Allow-Headers", String.join(", ", requested));
        if (!rule.expose().isEmpty()) res.header("Access-Control-Expose-Headers", String.join(", ", rule.expose()));
        if (rule.maxAgeSeconds() != null) res.header("Access-Control-Max-Age", Integer.toString(rule.maxAgeSeconds()));
        res.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        res.header("Content-Length", "0");
        res.status(Status.OK_200).send();
    }

    /**
     * Adds S3's CORS response headers to an ordinary request carrying Origin when a rule of the
     * bucket matches its origin and method. Never fails the request: a missing bucket or an
     * unreadable configuration just means no CORS headers.
     */
    @Override
    public void responseHeaders(S3Request r, ServerResponse res) {
        Optional<String> origin = r.header("origin");
        if (origin.isEmpty() || !r.hasBucket() || !BucketName.isValid(r.rawBucket())) return;
        try {
            Optional<CorsConfig> config = stored(service.namespace(), new BucketName(r.rawBucket()));
            if (config.isEmpty()) return;
            Optional<CorsConfig.Rule> rule = config.get().match(origin.get(), r.method(), List.of());
            if (rule.isEmpty()) return;
            allowOrigin(res, rule.get(), origin.get());
            res.header("Access-Control-Allow-Methods", String.join(", ", rule.get().methods()));
            if (!rule.get().expose().isEmpty()) {
                res.header("Access-Control-Expose-Headers", String.join(", ", rule.get().expose()));
            }
            if (rule.get().maxAgeSeconds() != null) {
                res.header("Access-Control-Max-Age", Integer.toString(rule.get().maxAgeSeconds()));
            }
            res.header("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        } catch (RuntimeException e) {
            // CORS headers are advisory: a failure here must not change the answer to the request itself.
            org.slf4j.LoggerFactory.getLogger(CorsHandlers.class).debug("no CORS headers for {}: {}", r.resource(), e.toString());
        }
    }

    /** {@code *} for a rule allowing any origin (no credentials then); else the origin echoed, with credentials. */
    private static void allowOrigin(ServerResponse res, CorsConfig.Rule rule, String origin) {
        if (rule.anyOrigin()) {
            res.header("Access-Control-Allow-Origin", "*");
        } else {
            res.header("Access-Control-Allow-Origin", origin);
            res.header("Access-Control-Allow-Credentials", "true");
        }
    }

    static Optional<CorsConfig> stored(Namespace namespace, BucketName bucket) {
        return namespace.bucketConfig(bucket, CorsConfig.KIND).map(CorsConfig::parse);
    }

    private static List<String> headerList(String value) {
        List<String> out = new ArrayList<>();
        for (String h : value.split(",")) {
            String t = h.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }
}
