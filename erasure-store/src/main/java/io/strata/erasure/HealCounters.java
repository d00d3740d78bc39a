package io.strata.erasure;

/**
 * Counts of heal work, as a snapshot. An immutable value.
 *
 * @param blobsScanned blobs looked at
 * @param blobsHealed blobs that had shards rebuilt
 * @param blobsFailed blobs that could not be made whole (LOST, PARTIAL, or an error)
 * @param shardsRebuilt shard files rebuilt
 * @param corruptBlocks blocks (and headers) found failing their checksum
 * @param bytesRead bytes read by heal and scrub
 * @param bytesWritten bytes written by heal
 */
public record HealCounters(long blobsScanned, long blobsHealed, long blobsFailed, long shardsRebuilt,
                           long corruptBlocks, long bytesRead, long bytesWritten) {
    public static final HealCounters ZERO = new HealCounters(0, 0, 0, 0, 0, 0, 0);
}
