package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Reads a snapshot from its locator and a repository, checking everything it reads
 * (docs/snapshot-format.md §7): the marker's format, the root's SHA-256 against the locator, each
 * range file's size and SHA-256 before any of its lines is used, and every data object's size, ETag
 * (recomputed with the entry's part sizes) and checksums as its bytes stream. Thread-safe (each call
 * reads on its own); the repository stays the caller's.
 */
public final class SnapshotReader {
    /** A root larger than this is refused unread (a root names range files, not versions). */
    static final int MAX_ROOT_BYTES = 64 << 20;

    private final SnapshotRepository repository;
    private final SnapshotRoot root;
    private final Path workDir;

    private SnapshotReader(SnapshotRepository repository, SnapshotRoot root, Path workDir) {
        this.repository = repository;
        this.root = root;
        this.workDir = workDir;
    }

    /**
     * Finds and verifies the snapshot {@code locator} names in {@code repository} (the repository the
     * locator's location resolves to, or a copy of it: paths inside are relative).
     *
     * @param workDir where range files are checked before use (must exist)
     * @throws SnapshotException NOT_FOUND (no repository marker or no such root), UNKNOWN_FORMAT,
     *         LOCATOR_MISMATCH (the root's bytes are not the ones the locator pins), CORRUPT
     */
    public static SnapshotReader open(SnapshotRepository repository, SnapshotLocator locator, Path workDir) {
        checkMarker(repository);
        byte[] bytes = readSmall(repository, SnapshotFormat.rootPath(locator.snapshot()));
        String sha = SnapshotFormat.sha256Hex(bytes);
        if (!sha.equals(locator.rootSha256())) {
            throw new SnapshotException(Reason.LOCATOR_MISMATCH, "snapshot " + locator.snapshot() + ": root SHA-256 is "
                    + sha + ", the locator pins " + locator.rootSha256());
        }
        SnapshotRoot root = SnapshotRoot.decode(new String(bytes, StandardCharsets.UTF_8));
        if (!root.snapshot().equals(locator.snapshot())) {
            throw new SnapshotException(Reason.CORRUPT, "root " + SnapshotFormat.rootPath(locator.snapshot())
                    + " names snapshot " + root.snapshot());
        }
        return new SnapshotReader(repository, root, workDir);
    }

    /** A root by id without a pinned hash: for the exporter reading its own parent. */
    static SnapshotRoot readRoot(SnapshotRepository repository, String snapshotId) {
        checkMarker(repository);
        return SnapshotRoot.decode(new String(readSmall(repository, SnapshotFormat.rootPath(snapshotId)),
                StandardCharsets.UTF_8));
    }

    /** A root's bytes by id, unchecked. @throws SnapshotException NOT_FOUND, UNAVAILABLE, CORRUPT (too large) */
    static byte[] readRootBytes(SnapshotRepository repository, String snapshotId) {
        return readSmall(repository, SnapshotFormat.rootPath(snapshotId));
    }

    /**
     * Checks the repository's format marker.
     *
     * @throws SnapshotException NOT_FOUND without one, UNKNOWN_FORMAT for another format or major version
     */
    static void checkMarker(SnapshotRepository repository) {
        byte[] bytes;
        try {
            bytes = readSmall(repository, SnapshotFormat.MARKER);
        } catch (SnapshotException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                throw new SnapshotException(Reason.NOT_FOUND, "no snapshot repository at " + repository.location()
                        + " (no " + SnapshotFormat.MARKER + ")", e);
            }
            throw e;
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(Reason.UNKNOWN_FORMAT, SnapshotFormat.MARKER + " is not JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m) || !SnapshotFormat.FORMAT.equals(m.get("format"))
                || !(m.get("major") instanceof BigDecimal major)) {
            throw new SnapshotException(Reason.UNKNOWN_FORMAT, repository.location() + " is not a strata-snapshot repository");
        }
        if (major.compareTo(BigDecimal.valueOf(SnapshotFormat.MAJOR)) != 0) {
            throw new SnapshotException(Reason.UNKNOWN_FORMAT, "repository " + repository.location()
                    + " has format major version " + major + "; this version reads " + SnapshotFormat.MAJOR);
        }
    }

    static byte[] readSmall(SnapshotRepository repository, String path) {
        try (InputStream in = repository.get(path, 0, -1)) {
            byte[] bytes = in.readNBytes(MAX_ROOT_BYTES + 1);
            if (bytes.length > MAX_ROOT_BYTES) {
                throw new SnapshotException(Reason.CORRUPT, path + " is larger than " + MAX_ROOT_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot read: " + e, e);
        }
    }

    public SnapshotRoot root() {
        return root;
    }

    /**
     * Visits every entry of {@code bucket} in ListObjectVersions order, one range file in memory
     * and on disk at a time.
     *
     * @throws SnapshotException INVALID for a bucket not in the snapshot, CORRUPT for a bad range file
     */
    public void forEachEntry(String bucket, Consumer<SnapshotEntry> visitor) {
        SnapshotRoot.BucketRoot b = root.bucket(bucket).orElseThrow(() -> new SnapshotException(Reason.INVALID,
                "bucket " + bucket + " is not in snapshot " + root.snapshot()));
        try (BucketEntries entries = new BucketEntries(repository, b.ranges(), workDir)) {
            while (entries.hasNext()) visitor.accept(entries.next());
        }
    }

    /**
     * Streams a version's bytes from the repository, checked as they flow: when the last byte has
     * been read, a size, ETag or checksum that differs from the entry makes the read throw
     * {@link SnapshotException} CORRUPT (so the caller must read to the end before trusting them).
     *
     * @throws SnapshotException INVALID for a delete marker or a version referenced in a cold tier
     *         (read it through that tier), NOT_FOUND, UNAVAILABLE
     */
    public InputStream open(SnapshotEntry entry) {
        if (!(entry.data().orElse(null) instanceof SnapshotEntry.InRepository r)) {
            throw new SnapshotException(Reason.INVALID, entry.key() + " " + entry.versionId()
                    + (entry.deleteMarker() ? " is a delete marker" : " is in a cold tier, not in the repository"));
        }
        return new VerifyingStream(repository.get(r.path(), 0, -1), entry, r.path());
    }

    /** What {@link #verify} found. */
    /** How often (in entries) a verification reports its progress within a range file. */
    static final int PROGRESS_ENTRIES = 256;

    public record VerifyReport(long rangesChecked, long entriesChecked, long dataChecked, List<String> problems) {
        public VerifyReport {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks every range file of every bucket and reads and checks the data of {@code fraction}
     * (0 to 1) of the versions held in the repository, chosen with {@code seed}. Problems are
     * collected, not thrown, so one report lists them all (a bad range hides its own entries only).
     */
    public VerifyReport verify(double fraction, long seed) {
        return verify(fraction, seed, MAX_PROBLEMS, r -> { });
    }

    /**
     * As {@link #verify(double, long)}, telling {@code progress} the counts so far after each range
     * file and every {@value #PROGRESS_ENTRIES} entries (against the root's totals, a progress bar).
     */
    public VerifyReport verify(double fraction, long seed, java.util.function.Consumer<VerifyReport> progress) {
        return verify(fraction, seed, MAX_PROBLEMS, progress);
    }

    /**
     * Problems listed at most by one verification; the rest are counted in a last line. A repository
     * that lost its data objects would otherwise list one line per version: 10^6 of them are more
     * memory than a small gateway has, and more than anyone reads.
     */
    static final int MAX_PROBLEMS = 1000;

    /** As {@link #verify(double, long)}, listing at most {@code maxProblems} problems. */
    VerifyReport verify(double fraction, long seed, int maxProblems) {
        return verify(fraction, seed, maxProblems, r -> { });
    }

    private VerifyReport verify(double fraction, long seed, int maxProblems,
                                java.util.function.Consumer<VerifyReport> progress) {
        if (fraction < 0 || fraction > 1) throw new IllegalArgumentException("fraction out of [0, 1]: " + fraction);
        Random random = new Random(seed);
        long[] more = {0};
        List<String> problems = new ArrayList<>() {
            @Override
            public boolean add(String problem) {
                if (size() < maxProblems) return super.add(problem);
                more[0]++;
                return false;
            }
        };
        long[] counts = new long[3];
        for (SnapshotRoot.BucketRoot b : root.buckets()) {
            for (SnapshotRoot.RangeRef ref : b.ranges()) {
                try (RangeReader range = RangeReader.open(repository, ref, workDir)) {
                    counts[0]++;
                    while (range.hasNext()) {
                        SnapshotEntry e = range.next();
                        counts[1]++;
                        if (e.data().orElse(null) instanceof SnapshotEntry.InRepository && random.nextDouble() < fraction) {
                            counts[2]++;
                            checkData(b.name(), e).ifPresent(problems::add);
                        }
                        if (counts[1] % PROGRESS_ENTRIES == 0) progress.accept(new VerifyReport(counts[0], counts[1], counts[2], problems));
                    }
                } catch (SnapshotException e) {
                    problems.add(b.name() + ": " + e.getMessage());
                }
                progress.accept(new VerifyReport(counts[0], counts[1], counts[2], problems));
            }
        }
        List<String> listed = new ArrayList<>(problems);
        if (more[0] > 0) listed.add("... and " + more[0] + " more problems");
        return new VerifyReport(counts[0], counts[1], counts[2], listed);
    }

    private Optional<String> checkData(String bucket, SnapshotEntry e) {
        try (InputStream in = open(e)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return Optional.empty();
        } catch (SnapshotException | IOException x) {
            return Optional.of(bucket + "/" + e.key() + " " + e.versionId() + ": " + x.getMessage());
        }
    }

    /** Feeds every byte to {@link Digests}; at the end, a mismatch throws CORRUPT. */
    private static final class VerifyingStream extends FilterInputStream {
        private final SnapshotEntry entry;
        private final String path;
        private final Digests digests;
        private boolean checked;

        VerifyingStream(InputStream in, SnapshotEntry entry, String path) {
            super(in);
            this.entry = entry;
            this.path = path;
            this.digests = new Digests(entry.partSizes(), entry.checksums(), entry.partChecksums());
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digests.update(b, off, n);
                if (digests.count() > entry.size()) check();
            } else if (n < 0) {
                check();
            }
            return n;
        }

        private void check() {
            if (checked) return;
            checked = true;
            Optional<String> bad = digests.mismatch(entry.size(), Optional.of(entry.etag()));
            if (bad.isPresent()) {
                throw new SnapshotException(Reason.CORRUPT, "data object " + path + " fails its check: " + bad.get());
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // Every byte must be hashed: skip by reading.
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) break;
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
