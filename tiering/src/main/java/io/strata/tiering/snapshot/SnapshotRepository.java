package io.strata.tiering.snapshot;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where snapshots are stored: a flat namespace of immutable objects addressed by relative paths
 * ({@code strata-snap.json}, {@code snapshots/ID.json}, {@code ranges/HASH.ndjson.gz},
 * {@code data/...}; see docs/snapshot-format.md). Objects are only ever created whole, read and
 * deleted, never rewritten, so every method is idempotent and may be retried.
 *
 * <p>Implementations are thread-safe and report failures as {@link SnapshotException}
 * (NOT_FOUND, UNAVAILABLE, REJECTED, CORRUPT). The creator closes the repository, which releases
 * clients, never stored data.
 */
public interface SnapshotRepository extends AutoCloseable {

    /** Reopenable bytes to store: each attempt (and each part) opens a fresh stream, so a retry replays. */
    @FunctionalInterface
    interface Source {
        /** Exactly {@code length} bytes from {@code offset}; the caller closes the stream. */
        InputStream open(long offset, long length);
    }

    /**
     * What an object is stored as: its length, its part sizes (empty: one PUT; otherwise a multipart
     * upload with exactly these parts, so the store's ETag is the original's), and the checksums and
     * headers it is sent with.
     *
     * @param contentMd5    hex MD5 of the whole object when known (a single part's ETag), sent as Content-MD5; else empty
     * @param checksums     full-object checksums by algorithm name ({@code CRC64NVME}...), base64; the store checks them
     * @param partChecksums for a multipart upload, each part's checksums (empty when none)
     */
    record Spec(long length, List<Long> partSizes, String contentType, Map<String, String> userMetadata,
                Optional<String> contentMd5, Map<String, String> checksums, List<Map<String, String>> partChecksums) {
        public Spec {
            if (length < 0) throw new IllegalArgumentException("length < 0");
            partSizes = List.copyOf(partSizes);
            Objects.requireNonNull(contentType, "contentType");
            userMetadata = Map.copyOf(userMetadata);
            Objects.requireNonNull(contentMd5, "contentMd5");
            checksums = Map.copyOf(checksums);
            partChecksums = partChecksums.stream().<Map<String, String>>map(Map::copyOf).toList();
            long sum = 0;
            for (long p : partSizes) sum += p;
            if (!partSizes.isEmpty() && sum != length) {
                throw new IllegalArgumentException("parts hold " + sum + " bytes, length is " + length);
            }
            if (!partChecksums.isEmpty() && partChecksums.size() != partSizes.size()) {
                throw new IllegalArgumentException(partChecksums.size() + " part checksums for " + partSizes.size() + " parts");
            }
        }

        /** A small document (marker, root, range file): one PUT with its MD5. */
        public static Spec document(long length, String contentType, String md5Hex) {
            return new Spec(length, List.of(), contentType, Map.of(), Optional.of(md5Hex), Map.of(), List.of());
        }
    }

    /** The outcome of {@link #putIfAbsent}: whether this call created the object, and the ETag the store answered. */
    record Stored(boolean created, String etag) {
    }

    /**
     * Creates the object at {@code path} from {@code source} as {@code spec} says, unless one exists
     * there already (then nothing is written and {@code created} is false: objects are immutable and
     * their paths name their content, so the one stored is the one wanted). The object becomes
     * visible only whole.
     *
     * @throws SnapshotException CORRUPT if the store or this repository computed another MD5/checksum
     *         than {@code spec} declares (nothing is stored then), UNAVAILABLE, REJECTED
     */
    Stored putIfAbsent(String path, Source source, Spec spec);

    /**
     * As {@link #putIfAbsent}, for a path the caller found absent with {@link #size} just before
     * (a durable export checks before it records what it creates): a repository may skip its own
     * existence check. Creation stays conditional, so an object created meanwhile is still kept.
     */
    default Stored putIfAbsentChecked(String path, Source source, Spec spec) {
        return putIfAbsent(path, source, spec);
    }

    /**
     * Streams {@code length} bytes from {@code offset} ({@code length} -1: to the end).
     *
     * @throws SnapshotException NOT_FOUND, UNAVAILABLE
     */
    InputStream get(String path, long offset, long length);

    /** The object's size, or empty when it does not exist. @throws SnapshotException UNAVAILABLE */
    Optional<Long> size(String path);

    /** Visits the paths under {@code prefix} in lexicographic order. @throws SnapshotException UNAVAILABLE */
    void list(String prefix, Consumer<String> visitor);

    /** Deletes the object; an absent one is success. @throws SnapshotException UNAVAILABLE, REJECTED */
    void delete(String path);

    /**
     * Deletes the object and whatever an unfinished create of it left (an S3 multipart upload never
     * completed, a local temporary file), as an aborted export does for each object it had begun:
     * a killed process leaves those behind. Costs more than {@link #delete}. Idempotent.
     *
     * @throws SnapshotException UNAVAILABLE, REJECTED
     */
    default void abandon(String path) {
        delete(path);
    }

    /** Where this repository is, as the locator spells it ({@code strata+file:///dir}, {@code strata+http://host/bucket/prefix}). */
    String location();

    @Override
    void close();
}
