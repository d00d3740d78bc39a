package io.strata.erasure;

import java.util.Objects;

/**
 * What one heal (or scrub) of a blob found and did. An immutable value.
 *
 * @param blobId the blob ({@link BlobLocation#id()})
 * @param outcome the verdict
 * @param shardsRebuilt shard files written anew from the others
 * @param corruptBlocks shard blocks that failed their CRC32C (and headers that did not match)
 * @param bytesRead bytes read from the drives
 * @param bytesWritten bytes written to the drives
 */
public record HealResult(String blobId, Outcome outcome, int shardsRebuilt, int corruptBlocks, long bytesRead,
                         long bytesWritten) {
    /** The verdict of one heal. */
    public enum Outcome {
        /** Every shard present and (when verified) sound; nothing written. */
        HEALTHY,
        /** Missing or corrupt shards were rebuilt: full redundancy again. */
        HEALED,
        /** Some shards could not be rebuilt now because their drive is out of service. */
        PARTIAL,
        /** Fewer than {@code k} sound shards: the blob cannot be rebuilt (an operator must act). */
        LOST,
        /** No shard of the blob exists any more: it was deleted. Nothing written. */
        GONE,
        /** Another heal of the same blob was running; this one did nothing. */
        BUSY
    }

    public HealResult {
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(outcome, "outcome");
    }
}
