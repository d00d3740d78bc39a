package io.strata.gateway.admin;

import io.helidon.http.Header;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.AuthException;
import io.strata.auth.Authentication;
import io.strata.auth.Credentials;
import io.strata.auth.SigV4Verifier;
import io.strata.auth.SignedRequest;
import io.strata.erasure.ErasureException;
import io.strata.gateway.objects.ObjectException;
import io.strata.gateway.s3.ErrorMapping;
import io.strata.gateway.s3.S3Api;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.TierException;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.placement.PlacementException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API under {@value #PREFIX}: every request must be signed (AWS Signature V4, header
 * or presigned) with the root credentials, else {@code 403 AccessDenied} as S3 XML. Features add
 * their routes with {@link #register} at startup ({@code GET /heal}, {@code POST /heal}, ...);
 * an unknown path is {@code 404 NoSuchKey}, a known path with another method
 * {@code 405 MethodNotAllowed}. Routes answer JSON. Failures the lower modules name
 * (NamespaceException, TierException, ErasureException) are answered as S3 requests answer them
 * (e.g. {@code 404 NoSuchBucket}, {@code 503 ServiceUnavailable}); only the unexpected are
 * {@code 500 InternalError}. Thread-safe; routes may be added while
 * serving.
 */
public final class AdminApi implements Handler {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    public static final String PREFIX = "/_strata/admin";

    /** One admin operation; runs on the request's virtual thread and sends the response. */
    @FunctionalInterface
    interface Route {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    private final Map<String, Map<String, Route>> routes = new ConcurrentHashMap<>();
    private final SigV4Verifier verifier;
    private final Credentials root;

    public AdminApi(SigV4Verifier verifier, Credentials root) {
        this.verifier = verifier;
        this.root = root;
    }

    /**
     * Adds a route; {@code path} is below the prefix and starts with '/' (e.g. {@code "/heal"}).
     *
     * @throws IllegalArgumentException when the method and path are already taken
     */
    AdminApi register(String method, String path, Route route) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("admin path must start with '/': " + path);
        Route previous = routes.computeIfAbsent(path, p -> new ConcurrentHashMap<>())
                .putIfAbsent(method.toUpperCase(Locale.ROOT), route);
        if (previous != null) throw new IllegalArgumentException("admin route taken: " + method + " " + path);
        return this;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        byte[] idBytes = new byte[8];
        ThreadLocalRandom.current().nextBytes(idBytes);
        String requestId = HexFormat.of().withUpperCase().formatHex(idBytes);
        res.header("x-amz-request-id", requestId);
        res.header("Server", "Strata");
        String rawPath = req.prologue().uriPath().rawPath();
        try {
            authenticate(req);
            String path = rawPath.substring(Math.min(rawPath.length(), PREFIX.length()));
            if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
            Map<String, Route> byMethod = routes.get(path);
            if (byMethod == null) throw new S3Exception(S3Error.NO_SUCH_KEY, "No admin operation at " + rawPath + ".");
            Route route = byMethod.get(req.prologue().method().text().toUpperCase(Locale.ROOT));
            if (route == null) throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
            route.handle(req, res);
        } catch (S3Exception e) {
            S3Api.fail(req, res, e, rawPath, requestId);
        } catch (ObjectException e) {
            S3Api.fail(req, res, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (PlacementException e) {
            S3Api.fail(req, res, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (AuthException e) {
            S3Api.fail(req, res, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (NamespaceException e) {
            failKnown(req, res, e, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (TierException e) {
            failKnown(req, res, e, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (ErasureException e) {
            failKnown(req, res, e, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (SnapshotException e) {
            failKnown(req, res, e, ErrorMapping.toS3(e), rawPath, requestId);
        } catch (Exception e) {
            LOG.error("admin request {} {} ({}) failed", req.prologue().method().text(), rawPath, requestId, e);
            S3Api.fail(req, res, new S3Exception(S3Error.INTERNAL_ERROR), rawPath, requestId);
        }
    }

    /**
     * A failure a module names by its reason (a bucket deleted meanwhile, a tier or the metadata
     * store out of reach) gets the status and code S3 requests get for it, through the same
     * mappings, instead of a bare 500: an operator's script can tell "retry later" from "fix the
     * request". Logged at ERROR only when it is the server's failure (5xx).
     */
    private static void failKnown(ServerRequest req, ServerResponse res, RuntimeException e, S3Exception mapped,
                                  String rawPath, String requestId) {
        if (mapped.error().status() >= 500) {
            LOG.error("admin request {} {} ({}) failed: {}", req.prologue().method().text(), rawPath, requestId, e.toString());
        } else {
            LOG.debug("admin request {} {} ({}) refused: {}", req.prologue().method().text(), rawPath, requestId, e.toString());
        }
        S3Api.fail(req, res, mapped, rawPath, requestId);
    }

    /** Only the root credentials may use the admin API; anonymous requests are AccessDenied. */
    private void authenticate(ServerRequest req) {
        requireRoot(req, verifier, root, "The admin API needs a request signed with the root credentials.");
    }

    /**
     * Refuses with AccessDenied ({@code denial} as the message) unless the request is signed (SigV4,
     * header or presigned) with the root credentials; a bad signature gets its own S3 error.
     */
    public static void requireRoot(ServerRequest req, SigV4Verifier verifier, Credentials root, String denial) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : req.headers()) {
            headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(h.allValues());
        }
        SignedRequest signed = new SignedRequest(req.prologue().method().text(), req.prologue().uriPath().rawPath(),
                req.prologue().query().rawValue(), headers);
        Authentication auth;
        try {
            auth = verifier.verify(signed);
        } catch (AuthException e) {
            if (e.reason() == AuthException.Reason.MISSING_AUTHENTICATION) {
                throw new S3Exception(S3Error.ACCESS_DENIED, denial);
            }
            throw e;
        }
        if (auth.anonymous() || !root.accessKey().equals(auth.accessKey())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, denial);
        }
    }

    /** Sends {@code json} with {@code status}. */
    static void sendJson(ServerResponse res, Status status, String json) {
        res.status(status);
        res.header("Content-Type", "application/json");
        res.send(json.getBytes(StandardCharsets.UTF_8));
    }
}
