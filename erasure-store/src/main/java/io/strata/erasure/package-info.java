/**
 * The erasure-coded hot tier: {@link io.strata.erasure.ErasureStore} stripes blobs with
 * Reed-Solomon over local drive directories and verifies every block it serves.
 *
 * <p>The on-disk format (drive format file, shard file header versions 1 and 2, block records)
 * is documented in the module's {@code README.md}; {@code ShardHeader} and
 * {@code Drive} hold the code. Files are written under a temporary name,
 * fsynced, renamed, and their directory fsynced; the blob exists for the rest of the system only
 * once its location is committed to the namespace.
 */
package io.strata.erasure;
