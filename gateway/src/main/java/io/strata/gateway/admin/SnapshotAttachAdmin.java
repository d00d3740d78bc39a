package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.strata.gateway.attach.Attachments;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.Namespace;
import io.strata.tiering.snapshot.SnapshotCache;
import io.strata.tiering.snapshot.SnapshotException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Attached snapshots on the admin API ({@code strata snapshot attach|detach|attached}):
 * <ul>
 *   <li>{@code POST /snapshots/attach} with a JSON body {@code {"locator": L, "as": B, "bucket": SRC,
 *       "accessKey": K, "secretKey": S}} ({@code bucket} and the keys optional; the keys, needed for an
 *       S3 repository, travel in the signed body, never in the URL): serves the snapshot's bucket as
 *       the read-only bucket B at once. 409 BucketAlreadyExists when B is taken; 400 InvalidArgument
 *       for a bad locator, a bucket the snapshot does not hold, a root whose SHA-256 differs from the
 *       locator's or a damaged root; 404 NoSuchKey when the repository or snapshot is not there;
 *       503 ServiceUnavailable when the repository cannot be reached;</li>
 *   <li>{@code POST /snapshots/detach?bucket=B}: stops serving B and deletes its cache (404
 *       NoSuchBucket when B is not an attached snapshot);</li>
 *   <li>{@code GET /snapshots/attached}: the attached snapshots and the cache's figures.</li>
 * </ul>
 * An attachment's JSON never shows its secret key. Stateless; thread-safe.
 */
public final class SnapshotAttachAdmin {
    private SnapshotAttachAdmin() {
    }

    /** @param stored the stored namespace: an attach under the name of one of its buckets is refused */
    public static void register(AdminApi admin, Attachments attachments, Namespace stored, String owner) {
        admin.register("POST", "/snapshots/attach", (req, res) -> {
            Map<String, Object> body = TierAdmin.jsonBody(req);
            String locator = required(body, "locator");
            String as = required(body, "as");
            Attachments.Attachment a;
            try {
                new io.strata.namespace.BucketName(as);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "as: " + e.getMessage());
            }
            try {
                a = attachments.attach(locator, as, optional(body, "bucket"), owner, optional(body, "accessKey"),
                        optional(body, "secretKey"), name -> stored.bucket(new io.strata.namespace.BucketName(name)).isPresent());
            } catch (Attachments.AlreadyExists e) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_EXISTS, e.getMessage()).with("BucketName", as);
            } catch (SnapshotException e) {
                throw refusal(e);
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(json(a)));
        });
        admin.register("POST", "/snapshots/detach", (req, res) -> {
            String bucket = req.query().first("bucket").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required."));
            if (!attachments.detach(bucket)) {
                throw new S3Exception(S3Error.NO_SUCH_BUCKET, "Bucket " + bucket + " is not an attached snapshot.")
                        .with("BucketName", bucket);
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("detached", bucket)));
        });
        admin.register("GET", "/snapshots/attached", (req, res) -> {
            List<Object> list = new ArrayList<>();
            for (Attachments.Attachment a : attachments.list()) list.add(json(a));
            SnapshotCache cache = attachments.sources().cache();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("bytes", cache.bytes());
            c.put("maxBytes", cache.maxBytes());
            c.put("hits", cache.hits());
            c.put("misses", cache.misses());
            c.put("fetchedBytes", cache.fetchedBytes());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("attached", list);
            out.put("cache", c);
            AdminApi.sendJson(res, Status.OK_200, Json.write(out));
        });
    }

    /** Why a snapshot cannot be attached, as the S3 error an operator's script can act on. */
    static S3Exception refusal(SnapshotException e) {
        S3Error error = switch (e.reason()) {
            case INVALID, LOCATOR_MISMATCH, UNKNOWN_FORMAT, CORRUPT -> S3Error.INVALID_ARGUMENT;
            case NOT_FOUND -> S3Error.NO_SUCH_KEY;
            case REJECTED -> S3Error.ACCESS_DENIED;
            case UNAVAILABLE -> S3Error.SERVICE_UNAVAILABLE;
        };
        return new S3Exception(error, "Cannot attach the snapshot: " + e.getMessage());
    }

    static Map<String, Object> json(Attachments.Attachment a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket", a.bucket());
        m.put("locator", a.locator());
        m.put("source", a.source().orElse(null));
        m.put("attached", a.attached().toString());
        m.put("versioning", a.versioning().name());
        m.put("credentials", a.accessKey().isPresent());
        return m;
    }

    private static String required(Map<String, Object> body, String name) {
        return optional(body, name).orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, name + " is required."));
    }

    private static Optional<String> optional(Map<String, Object> body, String name) {
        Object v = body.get(name);
        if (v == null) return Optional.empty();
        if (!(v instanceof String s) || s.isEmpty()) throw new S3Exception(S3Error.INVALID_ARGUMENT, name + " must be a non-empty string.");
        return Optional.of(s);
    }
}
