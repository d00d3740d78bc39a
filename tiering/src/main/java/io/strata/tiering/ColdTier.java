package io.strata.tiering;

import java.io.InputStream;

/**
 * The cold tier as the rest of the system sees it: a store of immutable object versions addressed by
 * {@link ColdObjectId}, each with the user-visible {@link ColdMetadata} that must survive the move.
 *
 * <p>Implementations are thread-safe and every method is idempotent, so callers (and the
 * retry wrappers around remote tiers) may repeat any call after a failure. Every method reports
 * failures as {@link TierException}, whose {@link TierException.Reason} says what went wrong.
 * The owner of a tier closes it; closing releases clients and threads, never stored data.
 */
public interface ColdTier extends AutoCloseable {

    /**
     * Stores exactly {@code length} bytes read from {@code data} under {@code id}, replacing any
     * earlier copy. The copy becomes readable only once every byte has arrived.
     *
     * @param data the bytes; the caller closes it, and it is read to {@code length} and one byte past
     * @throws TierException {@code LENGTH_MISMATCH} when {@code data} holds fewer or more bytes than
     *         {@code length} (nothing is stored then), {@code UNAVAILABLE} or {@code REJECTED} otherwise
     */
    void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length);

    /**
     * Streams the bytes of {@code range} (clamped to the object's end).
     *
     * @return a stream the caller must close
     * @throws TierException {@code NOT_FOUND} when absent, {@code INVALID_RANGE} when the range starts
     *         past the end of a non-empty object, {@code CORRUPT} or {@code UNAVAILABLE}
     */
    InputStream get(ColdObjectId id, ByteRange range);

    /**
     * Returns the size and metadata of a stored version.
     *
     * @throws TierException {@code NOT_FOUND} when absent, {@code CORRUPT} or {@code UNAVAILABLE}
     */
    ColdObjectInfo stat(ColdObjectId id);

    /**
     * Removes the version; an absent version is success, so retries are safe.
     *
     * @throws TierException {@code UNAVAILABLE} or {@code REJECTED}
     */
    void delete(ColdObjectId id);

    /** Releases the tier's clients and threads; stored data is untouched. Never throws checked exceptions. */
    @Override
    void close();
}
