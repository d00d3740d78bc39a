package io.strata.tiering.cold;

import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's cold tier: plain files under a root directory that mirror bucket and key.
 *
 * <p>Layout: version {@code v} of key {@code a/b/c.txt} in bucket {@code photos} is the file
 * {@code ROOT/photos/a/b/c.txt~v}, its metadata the text sidecar {@code ROOT/photos/a/b/c.txt~v~meta}.
 * Each key segment is percent-encoded as UTF-8 except {@code [A-Za-z0-9._-]}; the segments
 * {@code .} and {@code ..} become {@code %2E} and {@code %2E%2E} and an empty segment becomes
 * {@code %}, so no key can name a path outside the root, and since {@code ~} is always encoded,
 * the suffixes can never collide with a key. Files are written under {@code ROOT/~tmp/} (a name
 * no bucket can have), fsynced and renamed into place; the sidecar goes first, so a data file
 * always has its metadata. A temporary file's name starts with a digest of the id it is written
 * for, so deleting an id also removes what a killed put of it left in {@code ~tmp/} (the mover
 * deletes an interrupted move's copy when the gateway starts again). Any other temporary file nobody
 * has written to for {@value #ABANDONED_MINUTES} minutes was left by a crash and is removed when the
 * tier opens. A key segment whose file name would pass 255 bytes is {@code REJECTED}.
 *
 * <p>The sidecar's format is {@link ColdSidecar}'s.
 *
 * <p>Thread-safe; every method is idempotent. Closing does nothing; the caller owns the directory.
 */
public final class LocalDirectoryColdTier implements ColdTier {

    private static final String META_SUFFIX = "~meta";
    private static final int MAX_NAME_LENGTH = 255;
    static final String TEMP_DIR = "~tmp";
    /** Minutes without a write after which a temporary file is taken for a crash's leftover. */
    static final int ABANDONED_MINUTES = 10;
    private static final Logger LOG = LoggerFactory.getLogger(LocalDirectoryColdTier.class);

    private final Path root;
    private final Path temps;

    private LocalDirectoryColdTier(Path root) {
        this.root = root;
        this.temps = root.resolve(TEMP_DIR);
    }

    /**
     * Opens a tier rooted at {@code root}, creating the directory if needed.
     *
     * @throws TierException {@code UNAVAILABLE} if the directory cannot be created
     */
    public static LocalDirectoryColdTier create(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute.resolve(TEMP_DIR));
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot create cold tier root " + absolute, e);
        }
        LocalDirectoryColdTier tier = new LocalDirectoryColdTier(absolute);
        tier.removeAbandonedTemps(java.time.Instant.now().minus(java.time.Duration.ofMinutes(ABANDONED_MINUTES)));
        return tier;
    }

    /**
     * Deletes the temporary files last written before {@code cutoff}: writes a kill interrupted.
     * One being written now is modified continuously and stays. Failures are logged, not thrown.
     *
     * @return how many were deleted
     */
    int removeAbandonedTemps(java.time.Instant cutoff) {
        int removed = 0;
        try (var entries = Files.newDirectoryStream(temps)) {
            for (Path p : entries) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) removed++;
                } catch (IOException e) {
                    LOG.warn("cannot remove abandoned temporary file {}: {}", p, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {} for abandoned temporary files: {}", temps, e.toString());
        }
        if (removed > 0) LOG.info("cold tier {}: removed {} temporary files left by an interrupted write", root, removed);
        return removed;
    }

    @Override
    public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        Path file = dataFile(id);
        Path meta = metaFile(file);
        Path tmp = temps.resolve(tempPrefix(id) + UUID.randomUUID() + ".data");
        try {
            Files.createDirectories(temps);
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), TierStreams.BUFFER_SIZE)) {
                TierStreams.copyExactly(data, out, length, id);
                out.flush();
                ch.force(true);
            }
            writeAtomically(meta, tempPrefix(id), ColdSidecar.encode(length, metadata));
            move(tmp, file);
            fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot write " + id + " to " + file, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public InputStream get(ColdObjectId id, ByteRange range) {
        Path file = dataFile(id);
        ColdObjectInfo info = stat(id);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            long size = ch.size();
            if (size != info.size()) {
                throw new TierException(TierException.Reason.CORRUPT,
                        id + ": file holds " + size + " bytes, metadata says " + info.size());
            }
            if (!range.isAll() && range.first() >= size && size > 0) {
                throw new TierException(TierException.Reason.INVALID_RANGE, id + ": range " + range + " of " + size);
            }
            ch.position(Math.min(range.first(), size));
            InputStream in = TierStreams.limit(Channels.newInputStream(ch), range.lengthIn(size));
            ch = null;
            return in;
        } catch (NoSuchFileException e) {
            throw new TierException(TierException.Reason.NOT_FOUND, id.toString(), e);
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot read " + id + " from " + file, e);
        } finally {
            closeQuietly(ch);
        }
    }

    @Override
    public ColdObjectInfo stat(ColdObjectId id) {
        Path file = dataFile(id);
        if (!Files.exists(file)) throw new TierException(TierException.Reason.NOT_FOUND, id.toString());
        try {
            return ColdSidecar.decode(Files.readString(metaFile(file), StandardCharsets.UTF_8), id);
        } catch (NoSuchFileException e) {
            throw new TierException(TierException.Reason.CORRUPT, id + ": data without metadata sidecar", e);
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot read metadata of " + id, e);
        }
    }

    @Override
    public void delete(ColdObjectId id) {
        Path file = dataFile(id);
        try {
            // Data first: without it the version is gone even if we crash before the sidecar goes.
            Files.deleteIfExists(file);
            Files.deleteIfExists(metaFile(file));
            // A put of this id killed mid-write left its partial file here; waiting for the
            // ten-minute sweep at the next open would keep up to a whole object's bytes for nothing.
            // No put of the id is running then: cold names are unique to one move and deleted only
            // once its put has ended, or its process has died.
            try (var partials = Files.newDirectoryStream(temps, tempPrefix(id) + "*")) {
                for (Path p : partials) Files.deleteIfExists(p);
            } catch (NoSuchFileException e) {
                // No ~tmp/ (removed by hand): no partial file either; the next put creates it again.
            }
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot delete " + id + " at " + file, e);
        }
    }

    @Override
    public void close() {
        // Nothing to release: every call opens and closes its own files.
    }

    /**
     * The start of the names of {@code id}'s temporary files: 16 bytes of the SHA-256 of the id, in
     * hex (the id itself may be longer than a file name may be), and a dot.
     */
    static String tempPrefix(ColdObjectId id) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{id.bucket(), id.key(), id.versionId()}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                // Bucket and version id hold no NUL, so the first and last NUL delimit the key:
                // no two ids make the same bytes.
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16) + ".";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The data file of {@code id}; package-private so tests can check it stays under the root. */
    Path dataFile(ColdObjectId id) {
        Path dir = root.resolve(fileName(id, encodeSegment(id.bucket())));
        String[] segments = id.key().split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            dir = dir.resolve(fileName(id, encodeSegment(segments[i])));
        }
        String last = encodeSegment(segments[segments.length - 1]) + "~" + id.versionId();
        // The longest sibling is the sidecar: NAME~meta.
        fileName(id, last + META_SUFFIX);
        Path file = dir.resolve(last);
        if (!file.normalize().startsWith(root)) {
            throw new IllegalStateException("escaped key left the root: " + id);   // unreachable by construction
        }
        return file;
    }

    /**
     * Refuses names longer than the 255 bytes most file systems allow: such a key cannot be stored
     * here, and retrying will not change that, so it is {@code REJECTED} rather than {@code UNAVAILABLE}.
     */
    private static String fileName(ColdObjectId id, String name) {
        if (name.length() > MAX_NAME_LENGTH) {
            throw new TierException(TierException.Reason.REJECTED,
                    id + ": a key segment encodes to more than " + MAX_NAME_LENGTH + " bytes of file name");
        }
        return name;
    }

    private static Path metaFile(Path dataFile) {
        return dataFile.resolveSibling(dataFile.getFileName() + META_SUFFIX);
    }

    /** Percent-encodes one key segment so it is a plain, safe file name (see the class comment). */
    static String encodeSegment(String segment) {
        if (segment.isEmpty()) return "%";
        if (segment.equals(".")) return "%2E";
        if (segment.equals("..")) return "%2E%2E";
        return percentEncode(segment);
    }

    static String percentEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String percentDecode(String s) {
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw new IllegalArgumentException("truncated escape");
                bytes[n++] = (byte) Integer.parseInt(s, i + 1, i + 3, 16);
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private void writeAtomically(Path target, String tempPrefix, String content) throws IOException {
        Path tmp = temps.resolve(tempPrefix + UUID.randomUUID() + ".meta");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void fsyncDirectory(Path dir) {
        // Makes the rename durable on Linux; other platforms may refuse to open a directory.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Best effort: the data itself is already fsynced.
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // A leftover in ~tmp/ never looks like an object; the next open removes it.
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException e) {
            // Already failing; the original exception is what matters.
        }
    }
}
