package io.strata.tiering.placement;

import io.strata.namespace.ObjectVersion;
import io.strata.tiering.TierMover;

/**
 * How placement moves a version between the tiers. Implemented by the layer above over its own move
 * paths rather than by {@link TierMover} directly: the data plane wakes its garbage cleaner after a
 * move, so the copy a move replaced is freed at once instead of at the cleaner's next round, and it
 * asks whether a version is pinned hot before any move cold. Thread-safe; both calls are idempotent
 * (a version already where it is asked to go, or changed meanwhile, is left alone and gives false).
 */
public interface PlacementMoves {
    /**
     * Moves a cold version into the hot tier (see {@link TierMover#toHot}).
     *
     * @return true if it moved; false if it changed meanwhile or needed no move
     * @throws RuntimeException (typically {@link io.strata.tiering.TierException}) when the move
     *         failed; the version stays where it was
     */
    boolean toHot(ObjectVersion version);

    /**
     * Moves a hot version into the cold tier named {@code tier} (see {@link TierMover#toCold}).
     *
     * @return true if it moved; false if it changed meanwhile, needed no move or is pinned hot
     * @throws RuntimeException (typically {@link io.strata.tiering.TierException}) when the move
     *         failed; the version stays where it was
     */
    boolean toCold(ObjectVersion version, String tier);
}
