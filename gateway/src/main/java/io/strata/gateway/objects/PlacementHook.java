package io.strata.gateway.objects;

import io.strata.namespace.ObjectVersion;

/**
 * What objective-based placement tells the data plane, without the data plane knowing placement:
 * whether a version must stay in the hot tier (it lies under a prefix pinned hot), asked before a
 * lifecycle transition or a watermark eviction moves it cold. The wiring attaches the placement
 * service once at startup; thread-safe, cheap (called per version a transition considers).
 */
@FunctionalInterface
public interface PlacementHook {
    /** Never keeps anything hot: the gateway without placement (tests of the hot path). */
    PlacementHook NONE = version -> false;

    /** True if {@code version} must not leave the hot tier. */
    boolean keepsHot(ObjectVersion version);
}
