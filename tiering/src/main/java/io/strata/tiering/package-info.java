/**
 * Tiering's seams, as the gateway uses them: the cold tier ({@link io.strata.tiering.ColdTier}, the named set
 * {@link io.strata.tiering.ColdTiers}) and its values, {@link io.strata.tiering.DataRef} (where a segment's bytes
 * live) and {@link io.strata.tiering.TierMover}, which moves versions between hot and cold and reads cold copies
 * block by block, verified. Depends on namespace, erasure-store and checksum; never on its own subpackages.
 */
package io.strata.tiering;
