package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.tiering.BulkJobs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The durable bulk jobs on the admin API ({@code strata jobs ...}), whatever started them
 * ({@code strata tier move}, {@code strata prefetch}):
 * <ul>
 *   <li>{@code GET /jobs}: every kept job, oldest first ({@code ?action=tier.move} for one kind);</li>
 *   <li>{@code GET /jobs?id=N}: one job;</li>
 *   <li>{@code POST /jobs/cancel?id=N}: cancels it (durably; its runner stops after the page in flight).</li>
 * </ul>
 * A job's JSON ({@link #json}) is the same everywhere the admin API shows one. Stateless; thread-safe.
 */
public final class JobsAdmin {
    private JobsAdmin() {
    }

    public static void register(AdminApi admin, BulkJobs jobs) {
        admin.register("GET", "/jobs", (req, res) -> {
            if (req.query().contains("id")) {
                BulkJob job = jobs.job(id(req)).orElseThrow(() -> noSuchJob(req));
                AdminApi.sendJson(res, Status.OK_200, Json.write(json(job)));
                return;
            }
            String action = req.query().first("action").orElse("");
            List<Object> list = new ArrayList<>();
            for (BulkJob j : jobs.jobs()) {
                if (action.isEmpty() || j.action().equals(action)) list.add(json(j));
            }
            AdminApi.sendJson(res, Status.OK_200, Json.write(Map.of("jobs", list)));
        });
        admin.register("POST", "/jobs/cancel", (req, res) -> {
            BulkJob job = jobs.cancel(id(req)).orElseThrow(() -> noSuchJob(req));
            AdminApi.sendJson(res, Status.OK_200, Json.write(json(job)));
        });
    }

    /**
     * Starts a job through {@code jobs}, with the admin API's errors: a malformed prefix is
     * InvalidArgument, too many jobs running is 503 SlowDown.
     */
    static BulkJob submit(BulkJobs jobs, String action, BucketName bucket, String prefix, String target) {
        try {
            return jobs.submit(action, bucket, prefix, target.getBytes(StandardCharsets.UTF_8));
        } catch (BulkJobs.BusyException e) {
            throw new S3Exception(S3Error.SLOW_DOWN, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /**
     * A job as the admin API shows it: what it does ({@code action}, {@code bucket}, {@code prefix},
     * {@code target}: the tier its versions go to, HOT for the hot tier), where it is ({@code state},
     * {@code total} versions, {@code done}, {@code skipped}, {@code failed}, {@code bytes} acted on,
     * {@code progress} 0..1 or null) and when.
     */
    static Map<String, Object> json(BulkJob j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("action", j.action());
        m.put("bucket", j.bucket().value());
        m.put("prefix", j.prefix());
        m.put("target", new String(j.parameters(), StandardCharsets.UTF_8));
        m.put("state", j.state().name().toLowerCase(Locale.ROOT));
        m.put("total", j.total());
        m.put("done", j.counters().done());
        m.put("skipped", j.counters().skipped());
        m.put("failed", j.counters().failed());
        m.put("bytes", j.counters().bytes());
        m.put("progress", j.progress().isPresent() ? (Object) j.progress().getAsDouble() : null);
        m.put("created", j.created().toString());
        m.put("updated", j.updated().toString());
        m.put("lastError", j.lastError());
        return m;
    }

    /** Every kept job of {@code action}, as {@link #json}. */
    static List<Object> jsonOf(BulkJobs jobs, String action) {
        List<Object> list = new ArrayList<>();
        for (BulkJob j : jobs.jobs()) if (j.action().equals(action)) list.add(json(j));
        return list;
    }

    private static long id(ServerRequest req) {
        String id = req.query().first("id").orElseThrow(() -> new S3Exception(S3Error.INVALID_ARGUMENT, "id is required."));
        if (id.isEmpty() || id.length() > 18 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "id must be a job number.");
        }
        return Long.parseLong(id);
    }

    private static S3Exception noSuchJob(ServerRequest req) {
        return new S3Exception(S3Error.NO_SUCH_KEY, "No job " + req.query().first("id").orElse("") + ".");
    }
}
