package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads one range file as a stream of entries, trusting nothing: the file is first copied to a
 * temporary file while its SHA-256 and size are computed, and compared with the root's reference;
 * only then is a line parsed. A truncated, damaged or substituted file is refused before any of its
 * entries is used. Lines must parse, be in key order (UTF-8 bytes) and number what the root says.
 * Memory stays bounded by one line. Single-threaded; closing deletes the temporary file.
 */
final class RangeReader implements Iterator<SnapshotEntry>, AutoCloseable {
    private final SnapshotRoot.RangeRef ref;
    private final Path spool;
    private final BufferedReader lines;
    private SnapshotEntry next;
    private byte[] lastKey;
    private long count;

    private RangeReader(SnapshotRoot.RangeRef ref, Path spool, BufferedReader lines) {
        this.ref = ref;
        this.spool = spool;
        this.lines = lines;
    }

    /**
     * Fetches and checks the range.
     *
     * @throws SnapshotException CORRUPT (size or hash differs), NOT_FOUND, UNAVAILABLE
     */
    static RangeReader open(SnapshotRepository repository, SnapshotRoot.RangeRef ref, Path workDir) {
        Path spool = null;
        try {
            spool = Files.createTempFile(workDir, "range-", ".read");
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long size = 0;
            // Reading stops once past the declared size: a longer file is caught without being read whole.
            try (InputStream in = repository.get(ref.path(), 0, -1); OutputStream out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 << 10];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    size += n;
                    if (size > ref.bytes()) break;
                }
            }
            String hash = HexFormat.of().formatHex(sha.digest());
            if (size != ref.bytes() || !hash.equals(ref.sha256())) {
                throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " is damaged or truncated: "
                        + (size != ref.bytes() ? size + " bytes (or more), the root says " + ref.bytes()
                        : "SHA-256 " + hash));
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(spool), 64 << 10),
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)));
            RangeReader r = new RangeReader(ref, spool, reader);
            spool = null;
            r.advance();
            return r;
        } catch (IOException e) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " cannot be read: " + e, e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // a temporary file in the work directory; nothing refers to it
                }
            }
        }
    }

    private void advance() {
        try {
            String line = lines.readLine();
            if (line == null) {
                if (count != ref.entries()) {
                    throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " holds " + count
                            + " entries, the root says " + ref.entries());
                }
                next = null;
                return;
            }
            SnapshotEntry e = SnapshotFormat.parseLine(line);
            byte[] key = e.key().getBytes(StandardCharsets.UTF_8);
            if (lastKey != null && Arrays.compareUnsigned(lastKey, key) > 0) {
                throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " is out of key order at "
                        + e.key());
            }
            lastKey = key;
            count++;
            next = e;
        } catch (IOException e) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " cannot be read: " + e, e);
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " line " + (count + 1)
                    + " is malformed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public SnapshotEntry next() {
        if (next == null) throw new NoSuchElementException();
        SnapshotEntry e = next;
        advance();
        return e;
    }

    /** The next entry without consuming it, or null at the end. */
    SnapshotEntry peek() {
        return next;
    }

    @Override
    public void close() {
        try {
            lines.close();
            Files.deleteIfExists(spool);
        } catch (IOException ignored) {
            // a temporary file in the work directory; nothing refers to it
        }
    }
}
