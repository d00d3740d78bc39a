package io.strata.gateway;

import io.strata.tiering.LifecycleWorker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counters and latency sums per S3 operation and status, exposed in the Prometheus text
 * format. Thread-safe and lock-free on the request path.
 */
final class Metrics {
    private record Key(String operation, int status) {
    }

    private static final class Series {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();
    private volatile LifecycleWorker lifecycle;

    /** Adds the lifecycle worker's counters to the scrape. */
    void lifecycle(LifecycleWorker worker) {
        this.lifecycle = worker;
    }

    void record(S3Operation op, int status, long nanos) {
        Series s = series.computeIfAbsent(new Key(op == null ? "unknown" : op.name(), status), k -> new Series());
        s.count.increment();
        s.nanos.add(nanos);
    }

    /** Prometheus exposition format, version 0.0.4. */
    String scrape() {
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
        Runtime rt = Runtime.getRuntime();
        out.append("# HELP strata_jvm_heap_used_bytes JVM heap in use.\n# TYPE strata_jvm_heap_used_bytes gauge\n");
        out.append("strata_jvm_heap_used_bytes ").append(rt.totalMemory() - rt.freeMemory()).append('\n');
        return out.toString();
    }
}
