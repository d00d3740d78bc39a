package io.strata.gateway.replication;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code strata_replication_latency_seconds}: a Prometheus histogram per source bucket and target of the
 * time from the source's commit to the target's acknowledgement. The bounds span an idle pair's sub-second
 * lag to an outage of hours, so a quantile over them says which it is. Memory is one fixed array per
 * bucket and target. Thread-safe.
 */
final class LatencyHistograms {
    /** Upper bounds in seconds; +Inf is added when written. */
    static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400};

    private record Key(String bucket, String target) {
    }

    private static final class Histogram {
        final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
        final AtomicLong sumMillis = new AtomicLong();
    }

    private final Map<Key, Histogram> histograms = new ConcurrentHashMap<>();

    /** Records one operation's latency (a negative one, from a clock step, counts as zero). */
    void observe(String bucket, String target, Duration latency) {
        long millis = Math.max(0, latency.toMillis());
        Histogram h = histograms.computeIfAbsent(new Key(bucket, target), k -> new Histogram());
        double seconds = millis / 1000.0;
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) i++;
        h.counts.incrementAndGet(i);
        h.sumMillis.addAndGet(millis);
    }

    /** Appends the histogram family in the Prometheus text format (cumulative buckets, sum and count). */
    void append(StringBuilder out) {
        out.append("# HELP strata_replication_latency_seconds Time from the source's commit to the target's acknowledgement.\n")
                .append("# TYPE strata_replication_latency_seconds histogram\n");
        Map<Key, Histogram> sorted = new TreeMap<>((a, b) -> a.bucket().equals(b.bucket())
                ? a.target().compareTo(b.target()) : a.bucket().compareTo(b.bucket()));
        sorted.putAll(histograms);
        sorted.forEach((k, h) -> {
            String labels = "bucket=\"" + k.bucket() + "\",target=\"" + k.target() + "\"";
            long cumulative = 0;
            for (int i = 0; i <= BOUNDS.length; i++) {
                cumulative += h.counts.get(i);
                String le = i == BOUNDS.length ? "+Inf" : ReplicationWorker.number(BOUNDS[i]);
                out.append("strata_replication_latency_seconds_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("strata_replication_latency_seconds_sum{").append(labels).append("} ").append(h.sumMillis.get() / 1000.0)
                    .append('\n');
            out.append("strata_replication_latency_seconds_count{").append(labels).append("} ").append(cumulative).append('\n');
        });
    }
}
