package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.strata.tiering.placement.PlacementService;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.BulkJob;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.placement.Pins;
import io.strata.tiering.placement.KeepNewestStatus;
import io.strata.tiering.placement.PlacementPolicy;

import java.util.Locale;
import java.util.Map;

/**
 * The placement routes of the admin API, all answering JSON:
 * {@code GET /_strata/admin/placement} (pins, prefetch jobs, promotion counters, watermark state,
 * keep-newest rules with their counters);
 * {@code POST|DELETE /_strata/admin/placement/pin?bucket=B&prefix=P} (pin or unpin a prefix hot;
 * no prefix = the whole bucket); {@code POST /_strata/admin/placement/prefetch?bucket=B&prefix=P}
 * (starts a prefetch job, a durable bulk job, {@code 202} with the job as {@link JobsAdmin#json} shows it);
 * {@code GET /_strata/admin/placement/prefetch?id=N} (one job's progress; {@code /jobs} shows every job). Unknown bucket: {@code 404 NoSuchBucket}. Stateless; thread-safe.
 */
public final class PlacementAdmin {
    private PlacementAdmin() {
    }

    public static void register(AdminApi admin, PlacementService placement, BulkJobs jobs) {
        admin.register("GET", "/placement", (req, res) -> AdminApi.sendJson(res, Status.OK_200, json(placement, jobs)));
        admin.register("POST", "/placement/pin", (req, res) -> {
            BucketName bucket = bucket(req, placement);
            placement.pin(bucket, req.query().first("prefix").orElse(""));
            AdminApi.sendJson(res, Status.OK_200, "{\"pins\":" + pins(placement.pins()) + "}\n");
        });
        admin.register("DELETE", "/placement/pin", (req, res) -> {
            BucketName bucket = bucket(req, placement);
            boolean removed = placement.unpin(bucket, req.query().first("prefix").orElse(""));
            AdminApi.sendJson(res, Status.OK_200, "{\"removed\":" + removed + ",\"pins\":" + pins(placement.pins()) + "}\n");
        });
        admin.register("POST", "/placement/prefetch", (req, res) -> {
            BucketName bucket = bucket(req, placement);
            BulkJob job = JobsAdmin.submit(jobs, PlacementService.PREFETCH, bucket, req.query().first("prefix").orElse(""),
                    "HOT");
            AdminApi.sendJson(res, Status.ACCEPTED_202, Json.write(JobsAdmin.json(job)));
        });
        admin.register("GET", "/placement/prefetch", (req, res) -> {
            String id = req.query().first("id").orElseThrow(() ->
                    new S3Exception(S3Error.INVALID_ARGUMENT, "id is required."));
            BulkJob job = (id.isEmpty() || id.length() > 18 || !id.chars().allMatch(c -> c >= '0' && c <= '9')
                    ? java.util.Optional.<BulkJob>empty() : jobs.job(Long.parseLong(id)))
                    .filter(j -> j.action().equals(PlacementService.PREFETCH))
                    .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_KEY, "No prefetch job " + id + "."));
            AdminApi.sendJson(res, Status.OK_200, Json.write(JobsAdmin.json(job)));
        });
    }

    private static BucketName bucket(ServerRequest req, PlacementService placement) {
        String name = req.query().first("bucket").orElseThrow(() ->
                new S3Exception(S3Error.INVALID_ARGUMENT, "bucket is required."));
        if (!BucketName.isValid(name)) throw new S3Exception(S3Error.INVALID_BUCKET_NAME).with("BucketName", name);
        BucketName bucket = new BucketName(name);
        placement.requireBucket(bucket);
        return bucket;
    }

    static String json(PlacementService p, BulkJobs jobs) {
        PlacementPolicy policy = p.policy();
        PlacementService.Counters counters = p.counters();
        StringBuilder b = new StringBuilder(1024).append('{');
        b.append("\"pins\":").append(pins(p.pins()));
        b.append(",\"prefetch\":").append(Json.write(JobsAdmin.jsonOf(jobs, PlacementService.PREFETCH)).strip());
        b.append(",\"promotion\":{\"afterReads\":").append(policy.promoteAfterReads())
                .append(",\"windowSeconds\":").append(policy.promoteWindow().toSeconds());
        for (Map.Entry<String, Long> e : p.promotionCounters().entrySet()) {
            b.append(',').append(Json.quote(e.getKey())).append(':').append(e.getValue());
        }
        b.append("},\"watermark\":{\"high\":").append(policy.highWatermark())
                .append(",\"low\":").append(policy.lowWatermark())
                .append(",\"keepHotSeconds\":").append(policy.keepHotWindow().toSeconds())
                .append(",\"evictionTier\":").append(p.evictionTier().map(Json::quote).orElse("null"))
                .append(",\"evicting\":").append(p.evicting())
                .append(",\"evictions\":").append(counters.evictions())
                .append(",\"evictedBytes\":").append(counters.evictedBytes())
                .append(",\"passes\":").append(counters.evictionPasses());
        p.usage().ifPresent(u -> b.append(",\"used\":").append(u.used())
                .append(",\"capacity\":").append(u.capacity())
                .append(",\"capacityConfigured\":").append(u.configured())
                .append(",\"usedFraction\":").append(String.format(Locale.ROOT, "%.4f", u.fraction()))
                .append(",\"measured\":").append(Json.quote(u.measured().toString())));
        b.append("},\"keepNewest\":[");
        int i = 0;
        for (KeepNewestStatus k : p.keepNewest()) {
            if (i++ > 0) b.append(',');
            b.append("{\"name\":").append(Json.quote(k.rule().name()))
                    .append(",\"bucket\":").append(Json.quote(k.rule().bucket()))
                    .append(",\"prefix\":").append(Json.quote(k.rule().prefix()))
                    .append(",\"versions\":").append(k.rule().versions())
                    .append(",\"groupBy\":").append(Json.quote(k.rule().groupBy().label()))
                    .append(",\"tier\":").append(k.tier().map(Json::quote).orElse("null"))
                    .append(",\"groups\":").append(k.groups())
                    .append(",\"passes\":").append(k.passes())
                    .append(",\"destaged\":").append(k.destagedVersions())
                    .append(",\"destagedBytes\":").append(k.destagedBytes())
                    .append(",\"failed\":").append(k.failures())
                    .append(",\"lastPass\":").append(k.lastPass().map(t -> Json.quote(t.toString())).orElse("null"))
                    .append(",\"lastError\":").append(Json.quote(k.lastError())).append('}');
        }
        return b.append("]}\n").toString();
    }

    private static String pins(Pins pins) {
        StringBuilder b = new StringBuilder("[");
        int i = 0;
        for (Pins.Pin pin : pins.pins()) {
            if (i++ > 0) b.append(',');
            b.append("{\"bucket\":").append(Json.quote(pin.bucket())).append(",\"prefix\":")
                    .append(Json.quote(pin.prefix())).append('}');
        }
        return b.append(']').toString();
    }
}
