/**
 * Bucket lifecycle: the configuration (free of XML) and its stored codec, and the worker that expires, aborts and
 * transitions what is due through a {@code LifecycleTarget}. Depends on the root package (TierMover) and on
 * namespace; not on cold or placement.
 */
package io.strata.tiering.lifecycle;
