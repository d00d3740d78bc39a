package io.strata.erasure;

import java.io.InputStream;

/**
 * The erasure-coded hot tier: blobs striped with Reed-Solomon over drive directories, every shard
 * block checksummed and verified on read. Thread-safe; owns open files, so the creator closes it.
 */
public interface ErasureStore extends AutoCloseable {

    /** Opens (and on first use formats) the drive directories of {@code config}. */
    static ErasureStore open(ErasureConfig config) {
        return DriveErasureStore.open(config);
    }

    /**
     * Streams exactly {@code length} bytes from {@code data} into a new blob, coded as they arrive,
     * with memory bounded by one stripe. Returns only after every shard that was written is fsynced
     * and renamed into place; a failure leaves no readable blob (only garbage for the cleaner).
     * Does not close {@code data}. Unchecked exceptions thrown by {@code data} (for instance a
     * signature failure) propagate unchanged.
     *
     * @throws ErasureException INCOMPLETE_INPUT, EXCESS_INPUT, WRITE_QUORUM_LOST, IO
     */
    BlobLocation write(InputStream data, long length);

    /**
     * Streams {@code length} bytes of the blob starting at {@code offset}, every block checked
     * against its checksum and rebuilt from parity when a shard is missing or corrupt. The caller
     * closes the stream. Errors during reading surface as {@link ErasureException} (unchecked).
     *
     * @throws ErasureException READ_QUORUM_LOST, IO
     */
    InputStream read(BlobLocation location, long offset, long length);

    /** Removes the blob's shards. Idempotent: an absent blob is success. */
    void delete(BlobLocation location);

    @Override
    void close();
}
