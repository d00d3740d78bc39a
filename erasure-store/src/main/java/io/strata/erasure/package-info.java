/**
 * The erasure-coded hot tier: {@link io.strata.erasure.ErasureStore} stripes blobs with
 * Reed-Solomon over local drive directories and verifies every block it serves.
 *
 * <h2>On-disk format (version 1)</h2>
 * <pre>
 * &lt;drive&gt;/format.strata        u32 magic "STDF", u16 version=1, driveId[16], u32 crc32c
 * &lt;drive&gt;/tmp/&lt;blobId&gt;.&lt;i&gt;      shard files being written (garbage after a crash)
 * &lt;drive&gt;/blobs/&lt;b0&gt;/&lt;b1&gt;/&lt;blobId&gt;.&lt;i&gt;   committed shard i; b0, b1 = first two bytes of the id in hex
 *
 * shard file = header (44 bytes) + one record per stripe:
 *   header  u32 magic "STSH", u16 version=1, u16 shard, u16 k, u16 m, i32 blockSize,
 *           i64 blobSize, blobId[16], u32 crc32c(previous 40 bytes)
 *   record  block[L] + u32 crc32c(block), at 44 + stripe * (blockSize + 4)
 * </pre>
 * A stripe holds {@code k * blockSize} bytes of the blob; its shard blocks are {@code L = blockSize}
 * bytes, except in a short last stripe where {@code L = ceil(remaining / k)} and the last data
 * block is zero-padded. Shards {@code 0..k-1} hold the data as is (systematic code); shards
 * {@code k..k+m-1} the parity. Which drive holds which shard rotates with the blob id and is
 * recorded in the {@link io.strata.erasure.BlobLocation}. A zero-length blob has no files.
 *
 * <p>Files are written under a temporary name, fsynced, renamed, and their directory fsynced;
 * the blob exists for the rest of the system only once its location is committed to the namespace.
 */
package io.strata.erasure;
