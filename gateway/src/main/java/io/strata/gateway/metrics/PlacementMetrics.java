package io.strata.gateway.metrics;

import io.strata.tiering.placement.KeepNewestStatus;
import io.strata.tiering.placement.PlacementService;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Placement's lines in the scrape: its counters and the hot tier's fill at the last watermark check.
 * The names and help texts are what dashboards and alerts query, so they stay as they are; the
 * gauge appears once the first check has measured the tier. Thread-safe; reads counters only.
 */
public final class PlacementMetrics implements MetricsSection {
    private final PlacementService placement;

    public PlacementMetrics(PlacementService placement) {
        this.placement = placement;
    }

    @Override
    public void appendTo(StringBuilder out) {
        PlacementService.Counters c = placement.counters();
        Metrics.counter(out, "strata_placement_promotions_total", "Cold versions moved hot after repeated reads.", c.promotions());
        Metrics.counter(out, "strata_placement_promotions_dropped_total", "Promotions not queued because the move queue was full.", c.promotionsDropped());
        Metrics.counter(out, "strata_placement_restores_total", "Cold versions moved hot by RestoreObject.", c.restores());
        Metrics.counter(out, "strata_placement_evictions_total", "Hot versions moved cold by watermark eviction.", c.evictions());
        Metrics.counter(out, "strata_placement_evicted_bytes_total", "Bytes moved cold by watermark eviction.", c.evictedBytes());
        Metrics.counter(out, "strata_placement_prefetched_objects_total", "Cold versions moved hot by prefetch jobs.", c.prefetchedObjects());
        Metrics.counter(out, "strata_placement_prefetched_bytes_total", "Bytes moved hot by prefetch jobs.", c.prefetchedBytes());
        Metrics.counter(out, "strata_placement_move_failures_total", "Placement moves that failed (the version stayed where it was).", c.moveFailures());
        placement.usage().ifPresent(u -> Metrics.gauge(out, "strata_placement_hot_used_fraction", "Hot tier fill at the last watermark check.", u.fraction()));
        List<KeepNewestStatus> rules = placement.keepNewest();
        if (rules.isEmpty()) return;
        keepNewest(out, rules, "strata_placement_keep_newest_passes_total", "Passes of a keep-newest rule over its prefix.", KeepNewestStatus::passes);
        keepNewest(out, rules, "strata_placement_keep_newest_destaged_versions_total", "Versions a keep-newest rule moved cold (ranked beyond its newest N).", KeepNewestStatus::destagedVersions);
        keepNewest(out, rules, "strata_placement_keep_newest_destaged_bytes_total", "Bytes a keep-newest rule moved cold.", KeepNewestStatus::destagedBytes);
        keepNewest(out, rules, "strata_placement_keep_newest_failures_total", "Keep-newest moves that failed (the version stayed hot; the next pass tries again).", KeepNewestStatus::failures);
    }

    /** One counter per rule, labelled {@code rule} (rule names are [A-Za-z0-9_-], nothing to escape). */
    private static void keepNewest(StringBuilder out, List<KeepNewestStatus> rules, String name, String help,
                                   ToLongFunction<KeepNewestStatus> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        for (KeepNewestStatus r : rules) {
            out.append(name).append("{rule=\"").append(r.rule().name()).append("\"} ").append(value.applyAsLong(r)).append('\n');
        }
    }
}
