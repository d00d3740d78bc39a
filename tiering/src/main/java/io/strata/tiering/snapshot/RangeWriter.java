package io.strata.tiering.snapshot;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one bucket's entries, in ListObjectVersions order, as range files with content-defined
 * boundaries: a range ends after the last version of a key whose SHA-256 has its low
 * {@code keyBits} bits zero, or at {@code maxEntries} entries. Inserting or deleting a key then
 * changes only the range holding it, and a range whose entries are unchanged comes out with the
 * same bytes (Java's gzip header carries no time), hence the same name, and is not uploaded again.
 * Each range is spooled to a temporary file (memory stays bounded by one line) and hashed as it is
 * written. A {@link Listener} is asked before each range file is created and told once it is in
 * the repository, with the place after its last entry: a range boundary is where a stopped export
 * resumes. Single-threaded; closing deletes the temporary file.
 */
final class RangeWriter implements AutoCloseable {
    /** Told about each range file. */
    interface Listener {
        /** Before the range file at {@code path} is created: false if it is known present (then it is not sent). */
        boolean creating(String path);

        /** The range file is in the repository; it ends with version {@code lastVersionId} of {@code lastKey}. */
        void finished(SnapshotRoot.RangeRef range, boolean created, String lastKey, String lastVersionId);
    }

    private final SnapshotRepository repository;
    private final Path spool;
    private final long boundaryMask;
    private final int maxEntries;
    private final List<SnapshotRoot.RangeRef> ranges;
    private final Listener listener;
    private int uploaded;
    private int reused;

    private OutputStream out;
    private MessageDigest sha256;
    private MessageDigest md5;
    private long entries;
    private String first;
    private String lastKey;
    private String lastVersionId;

    /** @param written the bucket's range files written before (an export resumed after them) */
    RangeWriter(SnapshotRepository repository, Path workDir, int keyBits, int maxEntries,
                List<SnapshotRoot.RangeRef> written, Listener listener) throws IOException {
        if (keyBits < 0 || keyBits > 62) throw new IllegalArgumentException("keyBits out of range: " + keyBits);
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries < 1");
        this.repository = repository;
        this.spool = Files.createTempFile(workDir, "range-", ".spool");
        this.boundaryMask = (1L << keyBits) - 1;
        this.maxEntries = maxEntries;
        this.ranges = new ArrayList<>(written);
        this.listener = listener;
    }

    /** Whether a range may end after {@code key}'s last version. */
    boolean isBoundary(String key) {
        byte[] h = hash(key);
        long low = 0;
        for (int i = 0; i < 8; i++) low |= (h[31 - i] & 0xffL) << (8 * i);
        return (low & boundaryMask) == 0;
    }

    private static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void add(SnapshotEntry e) throws IOException {
        if (out != null && !e.key().equals(lastKey) && isBoundary(lastKey)) finishRange();
        if (out != null && entries >= maxEntries) finishRange();
        if (out == null) startRange(e.key());
        out.write(SnapshotFormat.line(e).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        entries++;
        lastKey = e.key();
        lastVersionId = e.versionId();
    }

    private void startRange(String firstKey) throws IOException {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        OutputStream file = Files.newOutputStream(spool, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        out = new BufferedOutputStream(new GZIPOutputStream(new DigestOutputStream(new DigestOutputStream(
                new BufferedOutputStream(file, 64 << 10), sha256), md5), 64 << 10), 64 << 10);
        entries = 0;
        first = firstKey;
    }

    private void finishRange() throws IOException {
        out.close();
        out = null;
        String sha = HexFormat.of().formatHex(sha256.digest());
        String md5Hex = HexFormat.of().formatHex(md5.digest());
        long size = Files.size(spool);
        String path = SnapshotFormat.rangePath(sha);
        boolean created = listener.creating(path) && repository.putIfAbsent(path, (offset, length) -> open(offset, length),
                SnapshotRepository.Spec.document(size, "application/gzip", md5Hex)).created();
        if (created) uploaded++;
        else reused++;
        SnapshotRoot.RangeRef ref = new SnapshotRoot.RangeRef(path, sha, size, entries, first, lastKey);
        ranges.add(ref);
        listener.finished(ref, created, lastKey, lastVersionId);
    }

    private InputStream open(long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(spool, StandardOpenOption.READ);
            ch.position(offset);
            return Channels.newInputStream(ch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the last range; the bucket's ranges in key order. */
    List<SnapshotRoot.RangeRef> finish() throws IOException {
        if (out != null) finishRange();
        return ranges();
    }

    /** The bucket's range files finished so far, in key order. */
    List<SnapshotRoot.RangeRef> ranges() {
        return List.copyOf(ranges);
    }

    int uploaded() {
        return uploaded;
    }

    int reused() {
        return reused;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        Files.deleteIfExists(spool);
    }
}
