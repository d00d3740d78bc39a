/**
 * The data plane: {@link io.strata.gateway.objects.ObjectService} writes, reads and commits objects
 * and multipart uploads over the namespace, the hot tier and the cold tiers, and runs the garbage
 * cleaner and the orphan collector. It speaks in records and {@link io.strata.gateway.objects.ObjectException};
 * it never imports io.helidon or the s3 package (the S3 API maps its failures). It depends on the
 * lower modules and {@code metrics} only; placement (in tiering) and lifecycle lookups come in through hooks.
 */
package io.strata.gateway.objects;
