/**
 * Objective-based placement: pins, promotion after repeated cold reads, RestoreObject, prefetch
 * jobs and hot-tier watermark eviction. Depends on {@code objects} (whose
 * {@link io.strata.gateway.objects.PlacementHook} it implements) and {@code metrics}; the S3 and admin
 * APIs call it. Moves into the tiering module (io.strata.tiering.placement) with the bulk jobs (#12).
 */
package io.strata.gateway.placement;
