/**
 * Data mobility above the namespace: bucket lifecycle, and the cold tier seam ({@link io.strata.tiering.ColdTier})
 * with its local-directory and S3 adapters; transitions and recall come next (issue #4).
 */
package io.strata.tiering;
