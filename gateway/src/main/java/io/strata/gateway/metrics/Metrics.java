package io.strata.gateway.metrics;

import io.strata.erasure.DriveStatus;
import io.strata.erasure.HealCounters;
import io.strata.erasure.HealStatus;
import io.strata.erasure.Healer;
import io.strata.namespace.ChangeCursor;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.NamespaceException;
import io.strata.tiering.lifecycle.LifecycleWorker;
import io.strata.namespace.BulkJob;
import io.strata.tiering.BulkJobs;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.TierMover;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and latency sums per S3 operation and status, exposed in the Prometheus text
 * format, with the sections of the other modules and of the gateway's components. Components of the
 * gateway hand in their own section ({@link MetricsSection}), so that metrics depends on none of
 * them. Thread-safe and lock-free on the request path.
 */
public final class Metrics {
    private record Key(String operation, int status) {
    }

    private static final class Series {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();
    private volatile LifecycleWorker lifecycle;
    private volatile Healer healer;
    private volatile ColdTiers tiers;
    private volatile TierMover mover;
    private volatile MetricsSection placement;
    private volatile MetricsSection orphans;
    private volatile MetricsSection segmentCompaction;
    private volatile MetricsSection connections;
    private volatile MetricsSection attachedSnapshots;
    private volatile MetricsSection snapshots;
    private volatile MetricsSection replication;
    private volatile ChangeFeed changeLog;
    private volatile BulkJobs jobs;

    /** Adds the cold tiers' counters and the lifecycle rules' transition status to the scrape. */
    public void tiers(ColdTiers coldTiers, TierMover tierMover) {
        this.mover = tierMover;
        this.tiers = coldTiers;
    }

    /** Adds placement's counters (promotions, evictions, prefetches) to the scrape. */
    public void placement(MetricsSection value) {
        this.placement = value;
    }

    /** Adds the hot tier's heal counters and drive states to the scrape. */
    public void healer(Healer value) {
        this.healer = value;
    }

    /** Adds the lifecycle worker's counters to the scrape. */
    public void lifecycle(LifecycleWorker worker) {
        this.lifecycle = worker;
    }

    /** Adds the orphan collector's counters to the scrape. */
    public void orphans(MetricsSection collector) {
        this.orphans = collector;
    }

    /** Adds the segment compactor's passes and rewrites to the scrape. */
    public void segmentCompaction(MetricsSection compactor) {
        this.segmentCompaction = compactor;
    }

    /** Adds the listener's uploads in progress and connections still sending headers to the scrape. */
    public void connections(MetricsSection guard) {
        this.connections = guard;
    }

    /** Adds the attached snapshots' count and their cache's figures to the scrape. */
    public void attachedSnapshots(MetricsSection section) {
        this.attachedSnapshots = section;
    }

    /** Adds the snapshot exports (last success per repository, exports by state, bytes, failures) to the scrape. */
    public void snapshots(MetricsSection section) {
        this.snapshots = section;
    }

    /** Adds the replication targets' backlog, lag, totals and state to the scrape. */
    public void replication(MetricsSection section) {
        this.replication = section;
    }

    /** Adds the change log's head, trim mark and each consumer's lag to the scrape. */
    public void changeLog(ChangeFeed feed) {
        this.changeLog = feed;
    }

    /** Adds the bulk jobs (tier moves, prefetches) by action and state to the scrape. */
    public void jobs(BulkJobs value) {
        this.jobs = value;
    }

    /** Counts one request of {@code operation} (an S3 operation's name, or "unknown") answered with {@code status}. */
    public void record(String operation, int status, long nanos) {
        Series s = series.computeIfAbsent(new Key(operation, status), k -> new Series());
        s.count.increment();
        s.nanos.add(nanos);
    }

    /** Prometheus exposition format, version 0.0.4. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP strata_s3_requests_total S3 requests by operation and HTTP status.\n");
        out.append("# TYPE strata_s3_requests_total counter\n");
        series.forEach((k, s) -> out.append("strata_s3_requests_total{operation=\"").append(k.operation())
                .append("\",status=\"").append(k.status()).append("\"} ").append(s.count.sum()).append('\n'));
        out.append("# HELP strata_s3_request_seconds_total Time spent serving S3 requests.\n");
        out.append("# TYPE strata_s3_request_seconds_total counter\n");
        series.forEach((k, s) -> out.append("strata_s3_request_seconds_total{operation=\"").append(k.operation())
                .append("\",status=\"").append(k.status()).append("\"} ").append(s.nanos.sum() / 1e9).append('\n'));
        LifecycleWorker lc = lifecycle;
        if (lc != null) {
            LifecycleWorker.Summary t = lc.totals();
            out.append("# HELP strata_lifecycle_actions_total Lifecycle actions executed, by action.\n");
            out.append("# TYPE strata_lifecycle_actions_total counter\n");
            out.append("strata_lifecycle_actions_total{action=\"expire_current\"} ").append(t.expired()).append('\n');
            out.append("strata_lifecycle_actions_total{action=\"expire_noncurrent\"} ").append(t.noncurrentExpired()).append('\n');
            out.append("strata_lifecycle_actions_total{action=\"remove_delete_marker\"} ").append(t.deleteMarkersRemoved()).append('\n');
            out.append("strata_lifecycle_actions_total{action=\"abort_upload\"} ").append(t.uploadsAborted()).append('\n');
            out.append("# HELP strata_lifecycle_runs_total Lifecycle worker runs, by outcome.\n");
            out.append("# TYPE strata_lifecycle_runs_total counter\n");
            out.append("strata_lifecycle_runs_total{outcome=\"completed\"} ").append(lc.runs()).append('\n');
            out.append("strata_lifecycle_runs_total{outcome=\"failed\"} ").append(lc.failedRuns()).append('\n');
        }
        Healer h = healer;
        if (h != null) heal(out, h.status());
        ColdTiers ts = tiers;
        if (ts != null) tiers(out, ts, mover, lifecycle);
        MetricsSection oc = orphans;
        if (oc != null) oc.appendTo(out);
        MetricsSection sc = segmentCompaction;
        if (sc != null) sc.appendTo(out);
        MetricsSection p = placement;
        if (p != null) p.appendTo(out);
        MetricsSection g = connections;
        if (g != null) g.appendTo(out);
        MetricsSection as = attachedSnapshots;
        if (as != null) as.appendTo(out);
        ChangeFeed feed = changeLog;
        if (feed != null) changeLog(out, feed);
        BulkJobs bj = jobs;
        if (bj != null) jobs(out, bj);
        MetricsSection snap = snapshots;
        if (snap != null) snap.appendTo(out);
        MetricsSection repl = replication;
        if (repl != null) repl.appendTo(out);
        Runtime rt = Runtime.getRuntime();
        out.append("# HELP strata_jvm_heap_used_bytes JVM heap in use.\n# TYPE strata_jvm_heap_used_bytes gauge\n");
        out.append("strata_jvm_heap_used_bytes ").append(rt.totalMemory() - rt.freeMemory()).append('\n');
        return out.toString();
    }

    private static void jobs(StringBuilder out, BulkJobs jobs) {
        Map<String, Long> byActionAndState = new java.util.TreeMap<>();
        long versions = 0;
        List<BulkJob> all;
        try {
            all = jobs.jobs();
        } catch (NamespaceException e) {
            return;   // the metadata store is closing or failing: its own metrics say so
        }
        for (BulkJob j : all) {
            byActionAndState.merge("action=\"" + j.action() + "\",state=\"" + j.state().name().toLowerCase(java.util.Locale.ROOT)
                    + "\"", 1L, Long::sum);
            if (j.state() == BulkJob.State.RUNNING) versions += j.counters().visited();
        }
        out.append("# HELP strata_bulk_jobs Bulk jobs kept (running and the last ended ones), by action and state.\n");
        out.append("# TYPE strata_bulk_jobs gauge\n");
        byActionAndState.forEach((labels, n) -> out.append("strata_bulk_jobs{").append(labels).append("} ").append(n).append('\n'));
        gauge(out, "strata_bulk_jobs_running", "Bulk jobs whose runner is working now.", jobs.runningCount());
        gauge(out, "strata_bulk_jobs_running_versions_visited", "Versions the running bulk jobs have visited so far.", versions);
    }

    private static void tiers(StringBuilder out, ColdTiers coldTiers, TierMover mover, LifecycleWorker lc) {
        var list = coldTiers.list();
        String[][] counters = {
                {"strata_tier_moved_objects_total", "counter", "Versions moved into the tier."},
                {"strata_tier_moved_bytes_total", "counter", "Bytes moved into the tier."},
                {"strata_tier_failed_objects_total", "counter", "Moves into the tier that failed (retried later)."},
                {"strata_tier_recalled_objects_total", "counter", "Versions moved from the tier back to the hot tier."},
                {"strata_tier_recalled_bytes_total", "counter", "Bytes moved from the tier back to the hot tier."},
                {"strata_tier_cold_reads_total", "counter", "Reads served straight from the tier."},
                {"strata_tier_in_flight_objects", "gauge", "Moves into the tier under way."},
                {"strata_tier_in_flight_bytes", "gauge", "Bytes of the moves under way."}};
        for (String[] c : counters) {
            out.append("# HELP ").append(c[0]).append(' ').append(c[2]).append('\n');
            out.append("# TYPE ").append(c[0]).append(' ').append(c[1]).append('\n');
            for (var t : list) {
                var s = mover.stats(t.name());
                long v = switch (c[0]) {
                    case "strata_tier_moved_objects_total" -> s.movedObjects.sum();
                    case "strata_tier_moved_bytes_total" -> s.movedBytes.sum();
                    case "strata_tier_failed_objects_total" -> s.failedObjects.sum();
                    case "strata_tier_recalled_objects_total" -> s.recalledObjects.sum();
                    case "strata_tier_recalled_bytes_total" -> s.recalledBytes.sum();
                    case "strata_tier_cold_reads_total" -> s.coldReads.sum();
                    case "strata_tier_in_flight_objects" -> s.inFlight.sum();
                    default -> s.inFlightBytes.sum();
                };
                out.append(c[0]).append("{tier=\"").append(t.name()).append("\"} ").append(v).append('\n');
            }
        }
        if (lc == null) return;
        out.append("# HELP strata_lifecycle_transition_versions Versions a rule's last run found due, moved and failed to move.\n");
        out.append("# TYPE strata_lifecycle_transition_versions gauge\n");
        for (LifecycleWorker.RuleStatus r : lc.ruleStatus()) {
            String labels = "bucket=\"" + r.bucket() + "\",rule=\"" + r.rule().replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\",tier=\"" + r.storageClass() + "\"";
            out.append("strata_lifecycle_transition_versions{").append(labels).append(",state=\"due\"} ").append(r.dueSeen()).append('\n');
            out.append("strata_lifecycle_transition_versions{").append(labels).append(",state=\"moved\"} ").append(r.moved()).append('\n');
            out.append("strata_lifecycle_transition_versions{").append(labels).append(",state=\"failed\"} ").append(r.failed()).append('\n');
        }
    }

    /**
     * A consumer whose lag keeps growing will be overtaken by the change log's byte or age bound and
     * have to resynchronise: the lag and the trimmed-past flag are what an operator alerts on.
     */
    private static void changeLog(StringBuilder out, ChangeFeed feed) {
        long head;
        long trimmed;
        java.util.List<ChangeCursor> cursors;
        try {
            head = feed.head();
            trimmed = feed.trimmedThrough();
            cursors = feed.cursors();
        } catch (NamespaceException e) {
            return; // closing: a scrape racing shutdown leaves the section out rather than failing
        }
        longGauge(out, "strata_changelog_head_sequence", "Newest change log sequence readers can see.", head);
        longGauge(out, "strata_changelog_trimmed_through_sequence", "Every change log sequence up to this one is trimmed.",
                trimmed);
        out.append("# HELP strata_changelog_cursor_lag Change log entries a consumer has not acted on yet.\n")
                .append("# TYPE strata_changelog_cursor_lag gauge\n");
        for (ChangeCursor c : cursors) {
            out.append("strata_changelog_cursor_lag{cursor=\"").append(label(c.name())).append("\"} ")
                    .append(Math.max(0, head - c.position())).append('\n');
        }
        out.append("# HELP strata_changelog_cursor_trimmed_past 1 when the log's bounds trimmed entries a consumer had not"
                + " read (it must resynchronise).\n# TYPE strata_changelog_cursor_trimmed_past gauge\n");
        for (ChangeCursor c : cursors) {
            out.append("strata_changelog_cursor_trimmed_past{cursor=\"").append(label(c.name())).append("\"} ")
                    .append(c.trimmedPast() ? 1 : 0).append('\n');
        }
    }

    /** A Prometheus label value: backslash, double quote and line feed escaped (cursor names are free text). */
    private static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void heal(StringBuilder out, HealStatus s) {
        HealCounters t = s.total();
        counter(out, "strata_heal_blobs_scanned_total", "Blobs examined by heal and scrub.", t.blobsScanned());
        counter(out, "strata_heal_blobs_healed_total", "Blobs that had shards rebuilt.", t.blobsHealed());
        counter(out, "strata_heal_blobs_failed_total", "Blobs heal could not make whole (lost, or a drive out of service).", t.blobsFailed());
        counter(out, "strata_heal_shards_rebuilt_total", "Shard files rebuilt from the others.", t.shardsRebuilt());
        counter(out, "strata_heal_corrupt_blocks_total", "Shard blocks and headers found failing their checksum.", t.corruptBlocks());
        out.append("# HELP strata_heal_bytes_total Bytes read and written by heal and scrub.\n# TYPE strata_heal_bytes_total counter\n");
        out.append("strata_heal_bytes_total{direction=\"read\"} ").append(t.bytesRead()).append('\n');
        out.append("strata_heal_bytes_total{direction=\"written\"} ").append(t.bytesWritten()).append('\n');
        counter(out, "strata_heal_passes_total", "Heal and scrub passes completed.", s.passes());
        counter(out, "strata_heal_queue_dropped_total", "Damaged blobs not queued because the heal queue was full.", s.queueDropped());
        gauge(out, "strata_heal_running", "1 while a heal or scrub pass runs.", s.running() ? 1 : 0);
        gauge(out, "strata_heal_progress", "Fraction of the running pass done.", s.progress());
        gauge(out, "strata_heal_queue", "Damaged blobs waiting for heal.", s.queued());
        out.append("# HELP strata_drive_state 1 for the state each drive is in.\n# TYPE strata_drive_state gauge\n");
        for (DriveStatus d : s.drives()) {
            for (DriveStatus.State state : DriveStatus.State.values()) {
                out.append("strata_drive_state{drive=\"").append(d.index()).append("\",state=\"")
                        .append(state.name().toLowerCase(java.util.Locale.ROOT)).append("\"} ")
                        .append(d.state() == state ? 1 : 0).append('\n');
            }
        }
        // Per drive: fsyncs (so a benchmark can report fsyncs per object) and the segment store's space.
        out.append("# HELP strata_erasure_fsyncs_total Fsyncs of files and directories per drive since start.\n"
                + "# TYPE strata_erasure_fsyncs_total counter\n");
        for (DriveStatus d : s.drives()) {
            out.append("strata_erasure_fsyncs_total{drive=\"").append(d.index()).append("\"} ").append(d.fsyncs()).append('\n');
        }
        out.append("# HELP strata_erasure_segments Segment files of small shards per drive.\n# TYPE strata_erasure_segments gauge\n");
        for (DriveStatus d : s.drives()) {
            out.append("strata_erasure_segments{drive=\"").append(d.index()).append("\"} ").append(d.segments()).append('\n');
        }
        out.append("# HELP strata_erasure_segment_bytes Bytes of live and of deleted (dead) records in segment files per drive.\n"
                + "# TYPE strata_erasure_segment_bytes gauge\n");
        for (DriveStatus d : s.drives()) {
            out.append("strata_erasure_segment_bytes{drive=\"").append(d.index()).append("\",state=\"live\"} ")
                    .append(d.segmentLiveBytes()).append('\n');
            out.append("strata_erasure_segment_bytes{drive=\"").append(d.index()).append("\",state=\"dead\"} ")
                    .append(d.segmentDeadBytes()).append('\n');
        }
    }

    /** Appends a counter with its HELP and TYPE lines. */
    public static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        out.append(name).append(' ').append(value).append('\n');
    }

    /** Appends a gauge with its HELP and TYPE lines. */
    public static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(' ').append(value).append('\n');
    }

    /** A gauge printed as an exact integer (a sequence number past 2^53 would lose digits as a double). */
    private static void longGauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(' ').append(value).append('\n');
    }
}
