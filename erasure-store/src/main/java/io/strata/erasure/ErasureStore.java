package io.strata.erasure;

import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * The erasure-coded hot tier: blobs striped with Reed-Solomon over drive directories, every shard
 * block checksummed and verified on read. Thread-safe: any number of concurrent writes, reads and
 * deletes. The creator closes it; after {@link #close()} new calls throw
 * {@link IllegalStateException}, while streams already returned keep working until closed.
 *
 * <p>Arguments that can never be valid (negative length, a range outside the blob, a location
 * from elsewhere) throw {@link IllegalArgumentException}; everything the drives or the source can
 * cause is an {@link ErasureException} with a {@link ErasureException.Reason}.
 */
public interface ErasureStore extends AutoCloseable {

    /**
     * Opens (and on first use formats) the drive directories of {@code config}. A drive directory
     * that has vanished is recreated empty (logged at WARN); its shards are rebuilt on read.
     *
     * @throws ErasureException IO when a drive directory cannot be created or formatted
     */
    static ErasureStore open(ErasureConfig config) {
        return DriveErasureStore.open(config);
    }

    /**
     * Streams exactly {@code length} bytes from {@code data} into a new blob, coded as they arrive,
     * with memory bounded by one stripe. Returns only after every shard that was written is fsynced
     * and renamed into place, or, for a blob whose shards are at most
     * {@link ErasureConfig#segmentShardMax()} bytes, appended to a segment file and covered by the
     * drive's group-committed fsync (memory: the blob's {@code k+m} shards). A failure removes every file the write created and leaves nothing
     * readable (only a crash mid-write leaves temporary files, garbage for the cleaner). An
     * interrupt of the calling thread ends the write with IO. Does not close {@code data}. Unchecked exceptions thrown by {@code data} (for instance a
     * signature failure) propagate unchanged, after cleanup.
     *
     * <p>The write succeeds when at least {@code k + 1} shards (all {@code k} without parity)
     * land, so one drive failing mid-write is tolerated; reads rebuild the missing shard.
     *
     * <p>Every shard header records {@code owner}, so the drives alone tell what a blob belongs to.
     *
     * @throws ErasureException INCOMPLETE_INPUT, EXCESS_INPUT, WRITE_QUORUM_LOST, IO
     */
    BlobLocation write(InputStream data, long length, BlobOwner owner);

    /**
     * {@link #write(InputStream, long, BlobOwner)} with {@link BlobOwner#UNKNOWN}: for blobs that
     * belong to no bucket and key (tests, tools). Object data should name its owner.
     */
    default BlobLocation write(InputStream data, long length) {
        return write(data, length, BlobOwner.UNKNOWN);
    }

    /**
     * Streams {@code length} bytes of the blob starting at {@code offset}, every block checked
     * against its checksum and rebuilt from parity when a shard is missing or corrupt. The caller
     * closes the stream; it is not thread-safe and holds the shard files open until closed.
     * The first stripe is read before this returns, so a blob that cannot be served fails here,
     * before a caller commits to a response; later errors surface from the stream's {@code read}
     * methods as {@link ErasureException} (unchecked). Memory per stream is bounded by one stripe.
     *
     * @throws ErasureException READ_QUORUM_LOST, IO
     */
    InputStream read(BlobLocation location, long offset, long length);

    /**
     * Removes the blob's shards. Idempotent: an absent blob (or shard, or drive) is success.
     *
     * @throws ErasureException IO when a shard file exists but cannot be removed
     */
    void delete(BlobLocation location);

    /**
     * Calls {@code action} once for every blob that has at least one committed shard file or live
     * segment record on an online drive, on the calling thread, in no promised order (the drive
     * store walks its fan-out directories in order). Memory is bounded by one fan-out directory
     * plus one small entry per blob stored in segments. Blobs written or deleted during the walk may or may not be reported, and a blob whose
     * write is being committed may be reported with some shards still missing: callers judge
     * freshness by {@link StoredBlob#lastModified()}. Zero-length blobs have no files and are
     * never reported. Shard files whose header cannot be read are skipped (logged at WARN).
     * A drive that cannot be listed is left out of the rest of the walk (logged at WARN), so its
     * shards count as missing; drive errors never end the walk. Exceptions thrown by
     * {@code action} end the walk and propagate.
     *
     * @throws IllegalStateException when the store is closed
     */
    void forEachBlob(Consumer<? super StoredBlob> action);

    /**
     * Makes the blob whole again: shards that are missing, or whose header does not match, are
     * rebuilt from {@code k} sound shards (every block read is checked against its CRC32C; a
     * corrupt source joins the rebuilt set) and written under a temporary name, fsynced and
     * renamed into place. With {@code verify} (scrub), every block of every shard is read and
     * checked first, so bitrot anywhere is found and repaired. Shards on drives out of service are
     * left for later (PARTIAL). Idempotent; safe to run concurrently with reads and writes (at
     * most one heal per blob runs, a second returns BUSY). Racing a delete of the same blob may
     * leave rebuilt shards behind for the orphan collector. Memory: one stripe.
     *
     * @throws ErasureException IO when writing a rebuilt shard fails (its drive is marked faulty)
     * @throws IllegalStateException when the store is closed
     */
    HealResult heal(BlobLocation location, boolean verify);

    /** {@link #heal(BlobLocation, boolean)} without verifying shards whose header is sound. */
    default HealResult heal(BlobLocation location) {
        return heal(location, false);
    }

    /**
     * Every segment file of small shards on the drives in service, with its live and dead bytes,
     * so a compaction job can pick the mostly dead ones. Cheap: counters kept in memory. Stores
     * without segments return an empty list.
     */
    default List<SegmentUsage> segments() {
        return List.of();
    }

    /**
     * Calls {@code action} for each blob with a live shard record in {@code segment}, reading
     * record headers only. A compaction job rewrites those blobs (read, write anew, point the
     * version at the new location, delete the old blob once no reader holds it) until the
     * segment is all dead, when the store deletes it. A segment gone meanwhile reports nothing.
     *
     * @throws ErasureException IO when the segment cannot be read
     */
    default void forEachBlobIn(SegmentUsage segment, Consumer<? super SegmentBlob> action) {
    }

    /** The state of every configured drive, in configuration order. Cheap: at most a directory check per drive. */
    List<DriveStatus> drives();

    /** Refuses new calls; idempotent. Streams already returned are closed by their owners. */
    @Override
    void close();
}
