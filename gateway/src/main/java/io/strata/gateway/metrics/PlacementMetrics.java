package io.strata.gateway.metrics;

import io.strata.tiering.placement.PlacementService;

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
    }
}
