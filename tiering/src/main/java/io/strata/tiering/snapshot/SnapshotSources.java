package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdTier;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierException;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * The read path of versions whose bytes are in a snapshot repository ({@link DataRef.Snapshot}
 * segments): the repositories by source name, and one verified fetch per version. On first read
 * the whole data object is fetched into the {@link SnapshotCache} while its size, ETag (recomputed
 * with the version's part sizes) and checksums are computed, and it enters the cache only if they
 * equal the version's record (docs/snapshot-format.md §7.4); every range is then served from that
 * checked copy, whose blocks carry their CRC32C, checked on every read, as the hot tier's do. Damaged bytes are refused, never served. A version the snapshot left in its
 * source's cold tier is fetched, and checked the same way, from the local cold tier of that name.
 * Thread-safe.
 */
public final class SnapshotSources {
    /** Bytes per checked block of a cached copy. */
    static final int BLOCK = 1 << 20;
    /** Ends a cached copy's block table ("SCK1"): a copy without it is not one this code wrote. */
    static final int MAGIC = 0x53434b31;
    /** The block count and the magic after the table. */
    private static final int TRAILER = 8;
    private final SnapshotCache cache;
    private final Function<String, Optional<ColdTier>> coldTiers;
    private final Map<String, SnapshotRepository> repositories = new ConcurrentHashMap<>();

    /** @param coldTiers this gateway's cold tiers by name */
    public SnapshotSources(SnapshotCache cache, Function<String, Optional<ColdTier>> coldTiers) {
        this.cache = cache;
        this.coldTiers = coldTiers;
    }

    public SnapshotCache cache() {
        return cache;
    }

    /** Makes the versions naming {@code source} readable from {@code repository} (the caller keeps closing it). */
    public void register(String source, SnapshotRepository repository) {
        repositories.put(source, repository);
    }

    /** Forgets {@code source} and deletes what the cache holds of it. */
    public void unregister(String source) {
        repositories.remove(source);
        cache.removeGroup(source);
    }

    /**
     * Streams {@code length} bytes from {@code offset} of a snapshot-held version, after the whole
     * version has been fetched and checked once (by this call or an earlier one).
     *
     * @throws SnapshotException CORRUPT when the fetched bytes differ from the version's record,
     *         NOT_FOUND when its data object is missing, UNAVAILABLE when the repository or cold tier
     *         cannot be reached or this gateway has no such source or cold tier
     */
    public InputStream open(ObjectVersion v, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > v.size()) throw new IllegalArgumentException("range outside object");
        DataRef.SnapshotName head = head(v);
        String what = v.bucket() + "/" + v.key() + " version " + v.versionId();
        String name = "d-" + SnapshotFormat.sha256Hex((head.path() + "\n" + head.cold().map(c -> c.tier() + "\n"
                + c.id().bucket() + "\n" + c.id().key() + "\n" + c.id().versionId()).orElse("")).getBytes(StandardCharsets.UTF_8));
        FileChannel ch = cache.open(head.source(), name, target -> fetch(v, head, what, target));
        try {
            int blocks = blocks(v.size());
            if (ch.size() != v.size() + 4L * blocks + TRAILER) {
                cache.invalidate(head.source(), name);
                throw new SnapshotException(Reason.CORRUPT, what + ": the cached copy holds " + ch.size() + " bytes, expected "
                        + (v.size() + 4L * blocks + TRAILER) + "; it is fetched again on the next read");
            }
            ByteBuffer table = ByteBuffer.allocate(4 * blocks + TRAILER);
            while (table.hasRemaining()) {
                if (ch.read(table, v.size() + table.position()) < 0) throw new IOException("cached copy ends early");
            }
            table.flip();
            int[] crcs = new int[blocks];
            for (int i = 0; i < blocks; i++) crcs[i] = table.getInt();
            if (table.getInt() != blocks || table.getInt() != MAGIC) {
                cache.invalidate(head.source(), name);
                throw new SnapshotException(Reason.CORRUPT, what + ": the cached copy's block table is damaged; it is fetched again on the next read");
            }
            return new CheckedRange(ch, crcs, offset, length, () -> cache.invalidate(head.source(), name), what);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) throw r;
            throw new SnapshotException(Reason.UNAVAILABLE, what + ": cannot read the cached copy: " + e, e);
        }
    }

    /**
     * Streams {@code length} bytes from {@code offset} of a snapshot-held version straight from its
     * repository (or its source's cold tier), unchecked and uncached: only for a caller that checks
     * every byte itself before using them (a hydration recomputes the ETag and checksums before the
     * version points at its copy). Reading through {@link #open} would first write a checked copy
     * of the whole object into the cache: a second disk pass, and one cache entry per version.
     *
     * @throws SnapshotException NOT_FOUND when its data object is missing, UNAVAILABLE when the
     *         repository or cold tier cannot be reached or this gateway has no such source or tier
     */
    public InputStream openUnchecked(ObjectVersion v, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > v.size()) throw new IllegalArgumentException("range outside object");
        DataRef.SnapshotName head = head(v);
        String what = v.bucket() + "/" + v.key() + " version " + v.versionId();
        if (length == 0) return InputStream.nullInputStream();
        try {
            if (head.cold().isPresent()) {
                return coldTier(head, what).get(head.cold().get().id(), new ByteRange(offset, offset + length - 1));
            }
            return repository(head, what).get(head.path(), offset, length);
        } catch (TierException e) {
            throw new SnapshotException(e.reason() == TierException.Reason.CORRUPT ? Reason.CORRUPT : Reason.UNAVAILABLE,
                    what + ": cold tier " + head.cold().map(DataRef.ColdName::tier).orElse("") + ": " + e.getMessage(), e);
        }
    }

    private static DataRef.SnapshotName head(ObjectVersion v) {
        if (v.segments().isEmpty() || !(DataRef.decode(v.segments().getFirst().ref()) instanceof DataRef.Snapshot s)
                || s.head().isEmpty()) {
            throw new IllegalArgumentException(v.bucket() + "/" + v.key() + " " + v.versionId() + " is not held in a snapshot");
        }
        return s.head().get();
    }

    private static int blocks(long size) {
        return Math.toIntExact((size + BLOCK - 1) / BLOCK);
    }

    /**
     * Fetches the whole version into {@code target}, checking it as S3 would (size, ETag, checksums);
     * behind the bytes it writes the CRC32C of each {@value #BLOCK}-byte block, then the block count
     * and {@link #MAGIC}: every later read checks the blocks it serves, so bytes the local disk
     * damaged after the fetch are refused as well.
     */
    private void fetch(ObjectVersion v, DataRef.SnapshotName head, String what, Path target) throws IOException {
        List<Long> parts = v.partCount() == 0 ? List.of() : v.segments().stream().map(Segment::size).toList();
        Digests digests = new Digests(parts, v.checksums(), v.partChecksums());
        int[] crcs = new int[blocks(v.size())];
        try (InputStream in = source(head, what); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[256 << 10];
            CRC32C crc = new CRC32C();
            for (int n; (n = in.read(buffer)) > 0; ) {
                long before = digests.count();
                digests.update(buffer, 0, n);
                // A longer object is refused without reading it all.
                if (digests.count() > v.size()) break;
                for (int off = 0; off < n; ) {
                    long at = before + off;
                    int take = (int) Math.min(n - off, BLOCK - at % BLOCK);
                    crc.update(buffer, off, take);
                    off += take;
                    if ((at + take) % BLOCK == 0 || at + take == v.size()) {
                        crcs[(int) ((at + take - 1) / BLOCK)] = (int) crc.getValue();
                        crc.reset();
                    }
                }
                out.write(buffer, 0, n);
            }
            Optional<String> bad = digests.mismatch(v.size(), Optional.of(v.etag()));
            if (bad.isPresent()) {
                throw new SnapshotException(Reason.CORRUPT, what + ": data " + (head.path().isEmpty() ? "in the cold tier" : head.path())
                        + " fails its check: " + bad.get());
            }
            ByteBuffer table = ByteBuffer.allocate(4 * crcs.length + TRAILER);
            for (int c : crcs) table.putInt(c);
            table.putInt(crcs.length).putInt(MAGIC);
            out.write(table.array());
        } catch (TierException e) {
            throw new SnapshotException(e.reason() == TierException.Reason.CORRUPT ? Reason.CORRUPT : Reason.UNAVAILABLE,
                    what + ": cold tier " + head.cold().map(DataRef.ColdName::tier).orElse("") + ": " + e.getMessage(), e);
        }
    }

    private InputStream source(DataRef.SnapshotName head, String what) {
        if (head.cold().isPresent()) return coldTier(head, what).get(head.cold().get().id(), ByteRange.all());
        return repository(head, what).get(head.path(), 0, -1);
    }

    private ColdTier coldTier(DataRef.SnapshotName head, String what) {
        DataRef.ColdName c = head.cold().orElseThrow();
        return coldTiers.apply(c.tier()).orElseThrow(() -> new SnapshotException(Reason.UNAVAILABLE, what
                + " was left by the snapshot in its source's cold tier " + c.tier() + ", which this gateway does not have"));
    }

    private SnapshotRepository repository(DataRef.SnapshotName head, String what) {
        SnapshotRepository repository = repositories.get(head.source());
        if (repository == null) {
            throw new SnapshotException(Reason.UNAVAILABLE, what + " is held in snapshot " + head.source()
                    + ", which is not attached");
        }
        return repository;
    }

    /**
     * Bytes {@code [offset, offset + length)} of a cached copy, read a block at a time by position and
     * each block checked against its CRC32C before any of it is handed out. A block that fails drops
     * the copy from the cache (the next read fetches and checks it again) and throws CORRUPT.
     * Not thread-safe; closing closes the channel.
     */
    private static final class CheckedRange extends InputStream {
        private final FileChannel ch;
        private final int[] crcs;
        private final Runnable invalidate;
        private final String what;
        private final long end;
        private long position;
        private ByteBuffer block;

        CheckedRange(FileChannel ch, int[] crcs, long offset, long length, Runnable invalidate, String what) {
            this.ch = ch;
            this.crcs = crcs;
            this.invalidate = invalidate;
            this.what = what;
            this.position = offset;
            this.end = offset + length;
        }

        /** The checked block holding {@link #position}, positioned there; null at the end. */
        private ByteBuffer current() throws IOException {
            if (position >= end) return null;
            if (block != null && block.hasRemaining()) return block;
            int index = (int) (position / BLOCK);
            long start = (long) index * BLOCK;
            int size = (int) Math.min(BLOCK, crcs.length == index + 1 ? lastBlockEnd() - start : BLOCK);
            ByteBuffer b = block != null && block.capacity() >= size ? block.clear().limit(size) : ByteBuffer.allocate(size);
            while (b.hasRemaining()) {
                if (ch.read(b, start + b.position()) < 0) throw new IOException("cached copy ends early");
            }
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, size);
            if ((int) crc.getValue() != crcs[index]) {
                invalidate.run();
                throw new SnapshotException(Reason.CORRUPT, what + ": block " + index + " of the cached copy fails its CRC32C "
                        + "(damaged on local disk); it is fetched again on the next read");
            }
            b.position((int) (position - start));
            b.limit((int) Math.min(size, end - start));
            block = b;
            return b;
        }

        /** Where the object's bytes end (the table follows them). */
        private long lastBlockEnd() throws IOException {
            return ch.size() - 4L * crcs.length - TRAILER;
        }

        @Override
        public int read() throws IOException {
            ByteBuffer b = current();
            if (b == null) return -1;
            position++;
            return b.get() & 0xff;
        }

        @Override
        public int read(byte[] dst, int off, int len) throws IOException {
            if (len == 0) return 0;
            ByteBuffer b = current();
            if (b == null) return -1;
            int n = Math.min(len, b.remaining());
            b.get(dst, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return block == null || position >= end ? 0 : block.remaining();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
