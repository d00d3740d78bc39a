/**
 * Objective-based placement: the policy ({@code placement.*}), pinned prefixes, the bounded access
 * tracker behind promotion on read, the bounded set of eviction candidates, and the
 * {@link io.strata.tiering.placement.PlacementService} that applies them (RestoreObject, promotion,
 * pins stored as a bucket config document, prefetch as a durable bulk job, watermark eviction), and the
 * keep-newest objectives ({@link io.strata.tiering.placement.KeepNewestRule}: the newest N versions or
 * directories under a prefix kept hot, older ones destaged by a background pass that ranks each
 * listing with a bounded {@code NewestRanking}).
 * Depends on namespace and tiering's root seams only; versions move through
 * {@link io.strata.tiering.placement.PlacementMoves}, which the gateway implements over its data
 * plane, and failures are {@link io.strata.tiering.placement.PlacementException}s, which the gateway
 * maps to S3 errors. The gateway also writes the service's counters into its metrics.
 */
package io.strata.tiering.placement;
