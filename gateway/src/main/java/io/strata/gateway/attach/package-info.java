/**
 * Attached snapshots: the durable registry of snapshots served as read-only buckets
 * ({@link io.strata.gateway.attach.Attachments}) and the namespace the S3 API sees, which adds them
 * ({@link io.strata.gateway.attach.AttachedNamespace}). Depends on {@code objects} (its refusals are
 * the data plane's) and on tiering's snapshot package, which reads and checks the snapshots.
 */
package io.strata.gateway.attach;
