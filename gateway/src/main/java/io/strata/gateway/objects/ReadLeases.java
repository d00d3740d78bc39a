package io.strata.gateway.objects;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hot blobs that reads are streaming, so that the garbage cleaner does not delete them under a
 * reader: a GET that resolved a version to its hot blob, while a tier move relocated that version
 * and queued the blob as garbage, used to lose its shards mid-body (3 of 6 unreadable, a 500 or a
 * body cut short) although the data sat whole in the cold tier.
 *
 * <p>A reader {@link #acquire acquires} each hot blob before opening it and releases it when its
 * stream closes. The cleaner {@link #tryFree claims} a blob before deleting it and skips (requeues)
 * one that is being read; a blob being freed cannot be acquired, and the reader then resolves the
 * version again (the namespace already points elsewhere: garbage is queued in the same commit that
 * drops the reference). Claims and acquisitions are atomic per blob, so no read starts on a blob
 * whose deletion has begun and no deletion starts under a read.
 *
 * <p>Thread-safe, lock-free; one entry per blob being read or freed.
 */
final class ReadLeases {
    /** Marks a blob the cleaner is deleting. */
    private static final int FREEING = -1;

    private final Map<String, Integer> blobs = new ConcurrentHashMap<>();

    /** Counts one more reader of the blob; false if it is being freed (resolve the version again). */
    boolean acquire(String blobId) {
        boolean[] ok = {true};
        blobs.compute(blobId, (id, n) -> {
            if (n == null) return 1;
            if (n == FREEING) {
                ok[0] = false;
                return n;
            }
            return n + 1;
        });
        return ok[0];
    }

    /** Ends one reader's lease. */
    void release(String blobId) {
        blobs.computeIfPresent(blobId, (id, n) -> n <= 1 ? null : n - 1);
    }

    /** Claims the blob for deletion; false while anyone reads it (the cleaner retries later). */
    boolean tryFree(String blobId) {
        return blobs.putIfAbsent(blobId, FREEING) == null;
    }

    /** Ends a claim taken with {@link #tryFree}, once the blob is deleted (or its deletion failed). */
    void freed(String blobId) {
        blobs.remove(blobId, FREEING);
    }

    /** Blobs being read or freed right now. */
    int size() {
        return blobs.size();
    }
}
