/**
 * The Prometheus scrape: request counters, the lower modules' counters, and the sections the
 * gateway's components hand in as {@link io.strata.gateway.metrics.MetricsSection}. Depends only on
 * the lower modules, never on another gateway package, so that any component may register here.
 */
package io.strata.gateway.metrics;
