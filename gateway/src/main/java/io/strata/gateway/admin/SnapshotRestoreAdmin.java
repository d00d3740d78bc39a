package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.strata.gateway.attach.Attachments;
import io.strata.gateway.attach.Restores;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.TierException;
import io.strata.tiering.snapshot.SnapshotException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshot restores on the admin API ({@code strata snapshot restore|hydrate|restores}):
 * <ul>
 *   <li>{@code POST /snapshots/restore} with a JSON body {@code {"locator": L, "bucket": SRC, "as": B,
 *       "prefix": P, "hydrate": true, "tier": T, "accessKey": K, "secretKey": S}} (all but
 *       {@code locator} optional; {@code as} defaults to {@code bucket}, which defaults to the
 *       snapshot's only bucket): checks the root, places the hold, creates B and starts loading the
 *       metadata (then hydrating, unless {@code hydrate} is false). 409 BucketAlreadyExists when B
 *       exists (a bucket or an attached snapshot); 400 InvalidArgument for a bad locator, bucket name
 *       or tier, a root whose SHA-256 differs from the locator's, a damaged root; 404 NoSuchKey when
 *       the repository or snapshot is not there; 503 ServiceUnavailable when it cannot be reached;</li>
 *   <li>{@code POST /snapshots/hydrate?bucket=B[&tier=T]}: hydrates a loaded restore (again); 409
 *       RestoreAlreadyInProgress while it loads or hydrates, 503 ServiceUnavailable when too many
 *       bulk jobs run, 404 NoSuchBucket when B is not a restore;</li>
 *   <li>{@code GET /snapshots/restores[?bucket=B]}: the restores (or one), with their hydration job's
 *       progress.</li>
 * </ul>
 * Stateless; thread-safe.
 */
public final class SnapshotRestoreAdmin {
    private SnapshotRestoreAdmin() {
    }

    /** @param stored the stored namespace; a restore under the name of one of its buckets, or of an attached snapshot, is refused */
    public static void register(AdminApi admin, Restores restores, Attachments attachments, Namespace stored, String owner) {
        admin.register("POST", "/snapshots/restore", (req, res) -> {
            Map<String, Object> body = TierAdmin.jsonBody(req);
            String locator = string(body, "locator").orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "locator is required."));
            Optional<String> source = string(body, "bucket");
            String as = string(body, "as").or(() -> source).orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "as (or bucket) is required: the bucket to restore into."));
            try {
                new BucketName(as);
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "as: " + e.getMessage());
            }
            Object hydrate = body.getOrDefault("hydrate", Boolean.TRUE);
            if (!(hydrate instanceof Boolean)) throw new S3Exception(S3Error.INVALID_ARGUMENT, "hydrate must be true or false.");
            Object prefix = body.getOrDefault("prefix", "");
            if (!(prefix instanceof String)) throw new S3Exception(S3Error.INVALID_ARGUMENT, "prefix must be a string.");
            Map<String, Object> r;
            try {
                r = restores.restore(locator, source, as, (String) prefix, owner, string(body, "accessKey"),
                        string(body, "secretKey"), (Boolean) hydrate, string(body, "tier").orElse(""),
                        name -> attachments.isAttached(name) || stored.bucket(new BucketName(name)).isPresent());
            } catch (Restores.AlreadyExists e) {
                throw new S3Exception(S3Error.BUCKET_ALREADY_EXISTS, e.getMessage()).with("BucketName", as);
            } catch (SnapshotException e) {
                throw refusal(e);
            } catch (TierException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "Cannot restore the snapshot: " + e.getMessage());
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(r));
        });
        admin.register("POST", "/snapshots/hydrate", (req, res) -> {
            String bucket = req.query().first("bucket").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required."));
            Optional<Map<String, Object>> r;
            try {
                r = restores.hydrate(bucket, req.query().first("tier").asOptional());
            } catch (IllegalStateException e) {
                throw new S3Exception(S3Error.RESTORE_ALREADY_IN_PROGRESS, e.getMessage());
            } catch (BulkJobs.BusyException e) {
                throw new S3Exception(S3Error.SERVICE_UNAVAILABLE, e.getMessage());
            } catch (TierException e) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(r.orElseThrow(() -> notRestore(bucket))));
        });
        admin.register("GET", "/snapshots/restores", (req, res) -> {
            Optional<String> bucket = req.query().first("bucket").asOptional();
            if (bucket.isPresent()) {
                AdminApi.sendJson(res, Status.OK_200, Json.write(restores.show(bucket.get()).orElseThrow(() -> notRestore(bucket.get()))));
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("restores", restores.list());
            AdminApi.sendJson(res, Status.OK_200, Json.write(out));
        });
    }

    private static S3Exception notRestore(String bucket) {
        return new S3Exception(S3Error.NO_SUCH_BUCKET, "Bucket " + bucket + " is not a snapshot restore.").with("BucketName", bucket);
    }

    /** Why a snapshot cannot be restored, as the S3 error an operator's script can act on. */
    static S3Exception refusal(SnapshotException e) {
        S3Error error = switch (e.reason()) {
            case INVALID, LOCATOR_MISMATCH, UNKNOWN_FORMAT, CORRUPT -> S3Error.INVALID_ARGUMENT;
            case NOT_FOUND -> S3Error.NO_SUCH_KEY;
            case REJECTED -> S3Error.ACCESS_DENIED;
            case UNAVAILABLE -> S3Error.SERVICE_UNAVAILABLE;
        };
        return new S3Exception(error, "Cannot restore the snapshot: " + e.getMessage());
    }

    private static Optional<String> string(Map<String, Object> body, String name) {
        Object v = body.get(name);
        if (v == null) return Optional.empty();
        if (!(v instanceof String s) || s.isEmpty()) throw new S3Exception(S3Error.INVALID_ARGUMENT, name + " must be a non-empty string.");
        return Optional.of(s);
    }
}
