package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectVersion;
import java.io.InputStream;

/**
 * How an export reads the bytes of a version, wherever they live (hot erasure-coded blobs, inline in
 * the record, a cold tier). The gateway wires the real one ({@link TieredVersionData}); every read
 * is verified by the store it comes from (shard checksums, inline CRC32C, cold block CRC32C), and
 * the export checks the whole again against the version's ETag and checksums. Thread-safe.
 */
@FunctionalInterface
public interface VersionData {
    /**
     * Streams {@code length} bytes of {@code version} from {@code offset}; the caller closes the stream.
     *
     * @throws RuntimeException the store's own exception when the data cannot be read
     */
    InputStream open(ObjectVersion version, long offset, long length);
}
