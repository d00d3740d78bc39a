package io.strata.gateway.admin;

import io.helidon.http.Status;
import io.strata.erasure.DriveStatus;
import io.strata.erasure.HealCounters;
import io.strata.erasure.HealStatus;
import io.strata.erasure.Healer;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import java.time.Instant;
import java.util.Optional;

/**
 * The heal routes of the admin API: {@code GET /_strata/admin/heal} answers the healer's status
 * (drives, the running pass and its progress, the last pass, totals) as JSON;
 * {@code POST /_strata/admin/heal} starts a pass now ({@code ?scrub=true}: a scrub pass reading
 * and verifying every block) and answers {@code 202} with the status. {@code GET
 * /_strata/admin/drives} answers the drives alone. Stateless; thread-safe.
 */
public final class HealAdmin {
    private HealAdmin() {
    }

    public static void register(AdminApi admin, Healer healer) {
        admin.register("GET", "/heal", (req, res) -> AdminApi.sendJson(res, Status.OK_200, json(healer.status())));
        admin.register("POST", "/heal", (req, res) -> {
            String scrub = req.query().first("scrub").orElse("false");
            if (!scrub.equals("true") && !scrub.equals("false")) {
                throw new S3Exception(S3Error.INVALID_ARGUMENT, "scrub must be true or false.");
            }
            healer.requestPass(scrub.equals("true"));
            AdminApi.sendJson(res, Status.ACCEPTED_202, json(healer.status()));
        });
        admin.register("GET", "/drives", (req, res) -> {
            StringBuilder b = new StringBuilder("{\"drives\":");
            drives(b, healer.status());
            AdminApi.sendJson(res, Status.OK_200, b.append("}\n").toString());
        });
    }

    static String json(HealStatus s) {
        StringBuilder b = new StringBuilder(1024).append('{');
        b.append("\"running\":").append(s.running());
        b.append(",\"scrub\":").append(s.scrub());
        b.append(",\"progress\":").append(String.format(java.util.Locale.ROOT, "%.4f", s.progress()));
        b.append(",\"passStarted\":").append(instant(s.passStarted()));
        b.append(",\"pass\":");
        counters(b, s.pass());
        b.append(",\"lastPassFinished\":").append(instant(s.lastPassFinished()));
        b.append(",\"lastPass\":");
        counters(b, s.lastPass());
        b.append(",\"total\":");
        counters(b, s.total());
        b.append(",\"passes\":").append(s.passes());
        b.append(",\"queued\":").append(s.queued());
        b.append(",\"queueDropped\":").append(s.queueDropped());
        b.append(",\"rateBytesPerSecond\":").append(s.rateBytesPerSecond());
        b.append(",\"drives\":");
        drives(b, s);
        return b.append("}\n").toString();
    }

    private static void drives(StringBuilder b, HealStatus s) {
        b.append('[');
        for (int i = 0; i < s.drives().size(); i++) {
            DriveStatus d = s.drives().get(i);
            if (i > 0) b.append(',');
            b.append("{\"index\":").append(d.index()).append(",\"path\":").append(Json.quote(d.root().toString()))
                    .append(",\"state\":").append(Json.quote(d.state().name()))
                    .append(",\"detail\":").append(Json.quote(d.detail()))
                    .append(",\"segments\":").append(d.segments())
                    .append(",\"segmentLiveBytes\":").append(d.segmentLiveBytes())
                    .append(",\"segmentDeadBytes\":").append(d.segmentDeadBytes())
                    .append(",\"fsyncs\":").append(d.fsyncs()).append('}');
        }
        b.append(']');
    }

    private static void counters(StringBuilder b, HealCounters c) {
        b.append("{\"blobsScanned\":").append(c.blobsScanned())
                .append(",\"blobsHealed\":").append(c.blobsHealed())
                .append(",\"blobsFailed\":").append(c.blobsFailed())
                .append(",\"shardsRebuilt\":").append(c.shardsRebuilt())
                .append(",\"corruptBlocks\":").append(c.corruptBlocks())
                .append(",\"bytesRead\":").append(c.bytesRead())
                .append(",\"bytesWritten\":").append(c.bytesWritten()).append('}');
    }

    private static String instant(Optional<Instant> i) {
        return i.map(v -> Json.quote(v.toString())).orElse("null");
    }
}
