package io.strata.gateway.metrics;

/**
 * A component's own lines in the Prometheus scrape (its HELP, TYPE and samples), so that the metrics
 * package needs to know none of the components. Called on the scraping request's thread, concurrently
 * with the component's work: implementations read counters, never block.
 */
@FunctionalInterface
public interface MetricsSection {
    /** Appends this component's metrics in the Prometheus text format, version 0.0.4. */
    void appendTo(StringBuilder out);
}
