package io.strata.tiering.replication;

import java.io.InputStream;

/**
 * The bytes of the version being replicated, opened by range: a retried request, or a part of a multipart
 * upload, opens its range again, so nothing is held in memory. Thread-safe.
 */
@FunctionalInterface
public interface ReplicaData {
    /** Exactly {@code length} bytes from {@code offset}; the caller closes the stream. */
    InputStream open(long offset, long length);
}
