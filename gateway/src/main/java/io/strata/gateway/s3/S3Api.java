package io.strata.gateway.s3;

import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.AuthException;
import io.strata.auth.Authentication;
import io.strata.auth.CredentialStore;
import io.strata.auth.SigV2Verifier;
import io.strata.auth.SigV4Verifier;
import io.strata.auth.SignedRequest;
import io.strata.erasure.ErasureException;
import io.strata.gateway.http.TransportError;
import io.strata.gateway.metrics.Metrics;
import io.strata.gateway.objects.ObjectException;
import io.strata.gateway.xml.XmlWriter;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.placement.PlacementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The S3 REST API: one Helidon handler that resolves addressing, authenticates, picks the
 * operation and turns every failure into S3's XML error. Runs each request on its own virtual
 * thread, so handlers are plain blocking code. Thread-safe.
 */
public final class S3Api implements Handler {
    private static final Logger LOG = LoggerFactory.getLogger(S3Api.class);

    private final SigV4Verifier verifier;
    private final SigV2Verifier v2Verifier;
    private final String domain;
    private final AccessControl access;
    private final Map<S3Operation, S3Handler> handlers;
    private final CorsRules cors;
    private final Metrics metrics;
    /** Buckets that serve reads only (attached snapshots); none until the wiring sets them. */
    private volatile java.util.function.Predicate<String> readOnlyBuckets = bucket -> false;
    private volatile java.util.function.Consumer<String> changeGate = bucket -> { };

    /**
     * @param access   authorization, shared with the handlers that show and change ACLs and policies
     * @param handlers the handler of each operation (the s3.handler package builds the table); an
     *                 operation without one is answered NotImplemented
     * @param cors     the buckets' CORS rules, applied before authentication
     */
    public S3Api(CredentialStore credentials, Clock clock, AccessControl access, Map<S3Operation, S3Handler> handlers,
                 CorsRules cors, String domain, Metrics metrics) {
        this.verifier = SigV4Verifier.create(credentials, clock);
        this.v2Verifier = SigV2Verifier.create(credentials, clock);
        this.domain = domain;
        this.access = access;
        this.handlers = new EnumMap<>(handlers);
        this.cors = cors;
        this.metrics = metrics;
    }

    /** Declares which buckets take no change (attached snapshots); called once by the wiring, at startup. */
    public void readOnlyBuckets(java.util.function.Predicate<String> readOnly) {
        this.readOnlyBuckets = readOnly;
    }

    /**
     * Test-only: {@code gate} sees the bucket of every change before it starts and may throw to refuse it. A
     * test fault uses it to make source writes depend on a replication target, which a test must catch.
     */
    public void changeGate(java.util.function.Consumer<String> gate) {
        this.changeGate = gate;
    }

    /**
     * Refuses every operation that would change a read-only bucket before it starts (no body is
     * read, nothing is stored): 403 AccessDenied saying the bucket is an attached snapshot.
     */
    private void refuseChangesToReadOnly(S3Request r, S3Operation op) {
        if (r.hasBucket() && !op.readsOnly() && readOnlyBuckets.test(r.rawBucket())) {
            throw new S3Exception(S3Error.ACCESS_DENIED, io.strata.gateway.attach.AttachedNamespace.readOnly(r.rawBucket()));
        }
        if (r.hasBucket() && !op.readsOnly()) changeGate.accept(r.rawBucket());
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        byte[] idBytes = new byte[8];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(idBytes);
        String requestId = HexFormat.of().withUpperCase().formatHex(idBytes);
        res.header("x-amz-request-id", requestId);
        res.header("x-amz-id-2", requestId);
        res.header("Server", "Strata");
        // botocore (aws CLI 1.x, boto3) keeps the pre-parsed status line of a final response that
        // came without "100 Continue" and misreads the next response on the same connection, which
        // stalls for 60 s. Helidon sends no 100 for an empty body, so such a connection is not reused.
        if (req.headers().contentLength().orElse(-1) == 0 && expectsContinue(req)) {
            res.header("Connection", "close");
        }
        S3Operation op = null;
        String method = req.prologue().method().text();
        String resource = req.prologue().uriPath().rawPath();
        try {
            S3Request r = S3Request.of(req, requestId, domain);
            resource = r.resource();
            if (r.method().equals("OPTIONS") && r.hasBucket()) {
                // Browsers send preflights without credentials: S3 answers them from the CORS rules alone.
                op = S3Operation.CORS_PREFLIGHT;
                cors.preflight(r, res);
                return;
            }
            // S3 adds CORS headers to any answer (errors included) when the Origin matches a rule.
            cors.responseHeaders(r, res);
            r.auth(authenticate(r));
            op = S3Operation.resolve(r.method(), r.hasBucket(), r.hasKey(), r.query().keySet(),
                    r.header("x-amz-copy-source").isPresent());
            access.checkExpectedOwner(r, op);
            access.authorize(r, op);
            refuseChangesToReadOnly(r, op);
            refuseAnonymousChunked(r);
            refuseEncryption(r.headers().keySet());
            dispatch(op, r, res);
        } catch (S3Exception e) {
            fail(req, res, e, resource, requestId);
        } catch (ObjectException e) {
            fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (PlacementException e) {
            fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (AuthException e) {
            fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UNAVAILABLE) LOG.error("namespace unavailable: {}", e.toString());
            fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (ErasureException e) {
            if (readTimedOut(e)) {
                requestTimeout(req, res, resource, requestId);
                return;
            }
            switch (e.reason()) {
                case INCOMPLETE_INPUT, EXCESS_INPUT -> LOG.debug("bad upload body {}: {}", requestId, e.getMessage());
                default -> LOG.error("hot tier failure on {} {} ({}): {}", method, resource, requestId, e.toString());
            }
            fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (io.strata.tiering.TierException e) {
            io.strata.tiering.CorruptColdDataException corrupt = corruption(e);
            if (corrupt != null) {
                logCorruption(method, resource, requestId, corrupt);
            } else {
                LOG.error("cold tier failure on {} {} ({}): {}", method, resource, requestId, e.toString());
            }
            if (!res.isSent()) fail(req, res, ErrorMapping.toS3(e), resource, requestId);
        } catch (io.strata.tiering.snapshot.SnapshotException e) {
            LOG.error("snapshot repository read failure on {} {} ({}): {}", method, resource, requestId, e.getMessage());
            if (!res.isSent()) fail(req, res, ErrorMapping.toS3Read(e), resource, requestId);
        } catch (BrokenBodyException e) {
            // The headers are out: log it once, here, and drop the connection so that the client sees
            // a body shorter than its Content-Length. Helidon closes the socket on this exception
            // without logging it again or trying to answer.
            io.strata.tiering.CorruptColdDataException corrupt = corruption(e);
            ObjectVersion v = e.version();
            if (e.store().isEmpty()) {
                LOG.warn("connection failed during {} {} ({}): {}", method, resource, requestId, e.getCause().toString());
            } else if (corrupt != null) {
                logCorruption(method, resource, requestId, corrupt);
            } else {
                LOG.error("{} failed mid-body, response cut short, on {} {} ({}): bucket={} key={} version={}: {}",
                        e.store().get(), method, resource, requestId, v.bucket(), v.key(), v.versionId(),
                        e.getCause().toString());
            }
            throw new CloseConnectionException("body cut short: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            io.strata.tiering.CorruptColdDataException corrupt = corruption(e);
            if (corrupt != null) {
                // The client sees a body cut short (the 200 may be out already); the operator must
                // hear that a cold copy is damaged, and which.
                logCorruption(method, resource, requestId, corrupt);
                if (!res.isSent()) fail(req, res, new S3Exception(S3Error.INTERNAL_ERROR,
                        "stored data failed its integrity check"), resource, requestId);
                return;
            }
            if (readTimedOut(e)) {
                requestTimeout(req, res, resource, requestId);
                return;
            }
            LOG.warn("connection failed during {} {} ({})", method, resource, requestId, e);
            if (!res.isSent()) fail(req, res, new S3Exception(S3Error.INCOMPLETE_BODY), resource, requestId);
        } catch (RuntimeException e) {
            if (readTimedOut(e)) {   // Helidon reports a failed body read as its own ServerConnectionException
                requestTimeout(req, res, resource, requestId);
                return;
            }
            LOG.error("unexpected failure on {} {} ({})", method, resource, requestId, e);
            fail(req, res, new S3Exception(S3Error.INTERNAL_ERROR), resource, requestId);
        } finally {
            metrics.record(op == null ? "unknown" : op.name(), res.status().code(), System.nanoTime() - start);
        }
    }

    /** A cold copy failed its checksums: an operator must repair it, so the tier and the object are named. */
    private static void logCorruption(String method, String resource, String requestId,
                                      io.strata.tiering.CorruptColdDataException corrupt) {
        LOG.error("corrupt cold copy served to {} {} ({}): tier={} bucket={} key={} version={}: {}", method,
                resource, requestId, corrupt.tier(), corrupt.object().bucket(), corrupt.object().key(),
                corrupt.object().versionId(), corrupt.getMessage());
    }

    /** The cold-tier corruption behind a failed body, if that is what it was. */
    private static io.strata.tiering.CorruptColdDataException corruption(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.strata.tiering.CorruptColdDataException c) return c;
        }
        return null;
    }

    /**
     * The client stopped sending its body for server.read-timeout, or sent it slower than
     * server.min-body-rate: S3's answer, then the connection is closed (the rest of the body will
     * never be read). Nothing was stored: an object becomes visible only once all of its bytes arrived.
     */
    private static void requestTimeout(ServerRequest req, ServerResponse res, String resource, String requestId) {
        LOG.debug("request body stalled during {} {} ({})", req.prologue().method().text(), resource, requestId);
        if (res.isSent()) throw new UncheckedIOException(new java.io.IOException("request body stalled"));
        res.header("Connection", "close");
        fail(req, res, new S3Exception(S3Error.REQUEST_TIMEOUT), resource, requestId);
    }

    /** Whether a body read ended because the socket's read timeout passed (or the body was too slow). */
    private static boolean readTimedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) return true;
        }
        return false;
    }

    /**
     * SigV2 when the request claims it, else SigV4; a request with no credentials at all is
     * anonymous (authorization then decides, from the bucket's policy and ACLs).
     */
    private Authentication authenticate(S3Request r) {
        SignedRequest signed = r.signedRequest();
        if (SigV2Verifier.applies(signed)) return v2Verifier.verify(signed, r.hostBucket());
        try {
            return verifier.verify(signed);
        } catch (AuthException e) {
            if (e.reason() != AuthException.Reason.MISSING_AUTHENTICATION) throw e;
        }
        return Authentication.anonymousRequest();
    }

    /**
     * Without a signature nothing decodes aws-chunked framing (it would end up in the object): an
     * anonymous aws-chunked upload that authorization let through is refused. Checked after
     * authorization so that a request that may not write at all still gets AccessDenied.
     * TODO(#3): decode STREAMING-UNSIGNED-PAYLOAD-TRAILER for anonymous uploads, as S3 does.
     */
    private static void refuseAnonymousChunked(S3Request r) {
        if (!r.auth().anonymous()) return;
        if (r.headers().getOrDefault("content-encoding", java.util.List.of()).stream()
                .anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("aws-chunked"))
                || r.header("x-amz-content-sha256").filter(v -> v.startsWith("STREAMING-")).isPresent()) {
            throw new S3Exception(S3Error.NOT_IMPLEMENTED, "aws-chunked uploads without credentials are not supported.");
        }
    }

    /**
     * Strata does not encrypt yet. A request asking for server-side encryption (SSE-S3, SSE-KMS or
     * SSE-C, for the object or a copy source) would otherwise be stored in plain text while the client
     * believes it is encrypted: refused with 501, as AWS answers a header it does not implement.
     * Header names arrive lower-case. A POST form's fields are checked the same way.
     */
    public static void refuseEncryption(java.util.Collection<String> names) {
        for (String name : names) {
            String n = name.toLowerCase(java.util.Locale.ROOT);
            if (n.startsWith("x-amz-server-side-encryption") || n.startsWith("x-amz-copy-source-server-side-encryption")) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Server-side encryption is not implemented by Strata: "
                        + "the request was refused so that nothing is stored unencrypted.").with("Header", n);
            }
        }
    }

    private void dispatch(S3Operation op, S3Request r, ServerResponse res) {
        switch (op) {
            case NOT_IMPLEMENTED -> throw new S3Exception(S3Error.NOT_IMPLEMENTED,
                    "This operation is not implemented by Strata yet.");
            case METHOD_NOT_ALLOWED -> throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
            default -> {
                S3Handler handler = handlers.get(op);
                if (handler == null) {
                    throw new S3Exception(S3Error.NOT_IMPLEMENTED, "This operation is not implemented by Strata yet.");
                }
                handler.handle(r, res);
            }
        }
    }

    private static boolean expectsContinue(ServerRequest req) {
        return req.headers().first(io.helidon.http.HeaderNames.EXPECT).map(v -> v.equalsIgnoreCase("100-continue"))
                .orElse(false);
    }

    /** Headers that describe an object's body; an error document replacing it must not carry them. */
    private static final java.util.Set<String> OBJECT_HEADERS = java.util.Set.of("content-length", "content-range", "etag",
            "last-modified", "accept-ranges", "content-type", "content-disposition", "content-encoding", "x-amz-expiration",
            "content-language", "cache-control", "expires");

    /**
     * The transport's refusal of a request (the {@link io.strata.gateway.http.ErrorResponder} the wiring
     * gives the connection guard), answered as any S3 failure.
     */
    public static void refuse(ServerRequest req, ServerResponse res, TransportError error, String message,
                              Map<String, String> extra, String requestId) {
        S3Exception e = ErrorMapping.toS3(error, message);
        extra.forEach(e::with);
        fail(req, res, e, req.prologue().uriPath().rawPath(), requestId);
    }

    /** Streams S3's XML error; HEAD gets status only. A half-sent body cannot be repaired: the connection is dropped. */
    public static void fail(ServerRequest req, ServerResponse res, S3Exception e, String resource, String requestId) {
        if (res.isSent()) {
            LOG.warn("failure after the response started ({}): {}", requestId, e.getMessage());
            throw new UncheckedIOException(new java.io.IOException("response aborted: " + e.getMessage()));
        }
        LOG.debug("{} {} -> {} {}", req.prologue().method().text(), resource, e.error().code(), e.getMessage());
        // A handler may have described the object's body before opening it failed (a GET whose
        // cold tier is down): those headers must not describe the error document.
        List<io.helidon.http.HeaderName> describing = new java.util.ArrayList<>();
        for (io.helidon.http.Header h : res.headers()) {
            String n = h.name().toLowerCase(java.util.Locale.ROOT);
            if (OBJECT_HEADERS.contains(n) || n.startsWith("x-amz-checksum") || n.startsWith("x-amz-meta-")
                    || n.startsWith("x-amz-mp-") || n.startsWith("x-amz-tagging") || n.startsWith("x-amz-storage-class")) {
                describing.add(h.headerName());
            }
        }
        describing.forEach(res.headers()::remove);
        // A client that sent Expect: 100-continue holds its body back until told to go on. The error
        // goes out at once, without that go-ahead and without reading the body; the connection then
        // cannot be reused (the server would read the client's next request as this body, and botocore
        // misreads the next response and stalls for its read timeout), so it is closed, as S3 does.
        if (expectsContinue(req) && !req.content().consumed()) res.header("Connection", "close");
        res.status(Status.create(e.error().status()));
        if (e.error() == S3Error.NOT_MODIFIED) {
            res.send();
            return;
        }
        if (req.prologue().method().text().equals("HEAD")) {
            res.send();
            return;
        }
        XmlWriter xml = XmlWriter.create().bareRoot("Error")
                .element("Code", e.error().code())
                .element("Message", e.getMessage());
        for (Map.Entry<String, String> x : e.extra().entrySet()) xml.element(x.getKey(), x.getValue());
        xml.element("Resource", e.resource() != null ? e.resource() : resource)
                .element("RequestId", requestId)
                .element("HostId", requestId);
        res.header("Content-Type", "application/xml");
        res.send(xml.toBytes());
    }
}
