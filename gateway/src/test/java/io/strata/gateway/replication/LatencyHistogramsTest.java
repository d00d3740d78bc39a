package io.strata.gateway.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code strata_replication_latency_seconds} in the Prometheus text format: cumulative buckets, sum and count. */
class LatencyHistogramsTest {
    @Test
    void latenciesLandInCumulativeBucketsPerBucketAndTarget() {
        LatencyHistograms h = new LatencyHistograms();
        h.observe("photos", "dr", Duration.ofMillis(40));
        h.observe("photos", "dr", Duration.ofMillis(100));    // on a bound: counted in it (le = less or equal)
        h.observe("photos", "dr", Duration.ofMinutes(2));
        h.observe("photos", "dr", Duration.ofDays(3));        // beyond the last bound: +Inf only
        h.observe("logs", "dr", Duration.ofMillis(-5));       // a clock step back counts as zero
        StringBuilder out = new StringBuilder();
        h.append(out);
        String text = out.toString();
        assertTrue(text.startsWith("# HELP strata_replication_latency_seconds ")
                && text.contains("# TYPE strata_replication_latency_seconds histogram\n"), text);
        for (String line : new String[] {
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"0.05\"} 1",
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"0.1\"} 2",
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"60\"} 2",
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"300\"} 3",
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"86400\"} 3",
                "strata_replication_latency_seconds_bucket{bucket=\"photos\",target=\"dr\",le=\"+Inf\"} 4",
                "strata_replication_latency_seconds_sum{bucket=\"photos\",target=\"dr\"} 259320.14",
                "strata_replication_latency_seconds_count{bucket=\"photos\",target=\"dr\"} 4",
                "strata_replication_latency_seconds_bucket{bucket=\"logs\",target=\"dr\",le=\"0.05\"} 1",
                "strata_replication_latency_seconds_count{bucket=\"logs\",target=\"dr\"} 1"}) {
            assertTrue(text.contains(line + "\n"), line + " in\n" + text);
        }
        assertTrue(text.indexOf("bucket=\"logs\"") < text.indexOf("bucket=\"photos\""), "series in a stable order");
        assertEquals(2 * (LatencyHistograms.BOUNDS.length + 3) + 2, text.split("\n").length);
    }
}
