/**
 * The cold tiers: a local directory and any S3-compatible bucket (AWS SDK v2 wrapped in Resilience4j), with the
 * metadata sidecar each cold object carries. Implements the root package's {@code ColdTier}; depends on the root
 * package only, and nothing in tiering depends on it but the wiring above.
 */
package io.strata.tiering.cold;
