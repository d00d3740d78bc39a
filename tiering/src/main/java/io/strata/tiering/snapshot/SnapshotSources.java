package io.strata.tiering.snapshot;

import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdTier;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierException;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The read path of versions whose bytes are in a snapshot repository ({@link DataRef.Snapshot}
 * segments): the repositories by source name, and one verified fetch per version. On first read
 * the whole data object is fetched into the {@link SnapshotCache} while its size, ETag (recomputed
 * with the version's part sizes) and checksums are computed, and it enters the cache only if they
 * equal the version's record (docs/snapshot-format.md §7.4); every range is then served from that
 * checked copy. Damaged bytes are refused, never served. A version the snapshot left in its
 * source's cold tier is fetched, and checked the same way, from the local cold tier of that name.
 * Thread-safe.
 */
public final class SnapshotSources {
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
            if (ch.size() != v.size()) {
                throw new SnapshotException(Reason.CORRUPT, what + ": cached copy holds " + ch.size() + " bytes, expected " + v.size());
            }
            ch.position(offset);
            return new Limited(Channels.newInputStream(ch), length);
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

    private static DataRef.SnapshotName head(ObjectVersion v) {
        if (v.segments().isEmpty() || !(DataRef.decode(v.segments().getFirst().ref()) instanceof DataRef.Snapshot s)
                || s.head().isEmpty()) {
            throw new IllegalArgumentException(v.bucket() + "/" + v.key() + " " + v.versionId() + " is not held in a snapshot");
        }
        return s.head().get();
    }

    private void fetch(ObjectVersion v, DataRef.SnapshotName head, String what, Path target) throws IOException {
        List<Long> parts = v.partCount() == 0 ? List.of() : v.segments().stream().map(Segment::size).toList();
        Digests digests = new Digests(parts, v.checksums(), v.partChecksums());
        try (InputStream in = source(head, what); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[256 << 10];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digests.update(buffer, 0, n);
                // A longer object is refused without reading it all.
                if (digests.count() > v.size()) break;
                out.write(buffer, 0, n);
            }
        } catch (TierException e) {
            throw new SnapshotException(e.reason() == TierException.Reason.CORRUPT ? Reason.CORRUPT : Reason.UNAVAILABLE,
                    what + ": cold tier " + head.cold().map(DataRef.ColdName::tier).orElse("") + ": " + e.getMessage(), e);
        }
        Optional<String> bad = digests.mismatch(v.size(), Optional.of(v.etag()));
        if (bad.isPresent()) {
            throw new SnapshotException(Reason.CORRUPT, what + ": data " + (head.path().isEmpty() ? "in the cold tier" : head.path())
                    + " fails its check: " + bad.get());
        }
    }

    private InputStream source(DataRef.SnapshotName head, String what) {
        if (head.cold().isPresent()) {
            DataRef.ColdName c = head.cold().get();
            ColdTier tier = coldTiers.apply(c.tier()).orElseThrow(() -> new SnapshotException(Reason.UNAVAILABLE, what
                    + " was left by the snapshot in its source's cold tier " + c.tier() + ", which this gateway does not have"));
            return tier.get(c.id(), ByteRange.all());
        }
        SnapshotRepository repository = repositories.get(head.source());
        if (repository == null) {
            throw new SnapshotException(Reason.UNAVAILABLE, what + " is held in snapshot " + head.source()
                    + ", which is not attached");
        }
        return repository.get(head.path(), 0, -1);
    }

    /** At most {@code remaining} bytes of the stream; closing closes it. */
    private static final class Limited extends FilterInputStream {
        private long remaining;

        Limited(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) return -1;
            int b = in.read();
            if (b >= 0) remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, remaining));
            remaining -= s;
            return s;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }
    }
}
