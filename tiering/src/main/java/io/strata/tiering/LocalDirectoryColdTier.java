package io.strata.tiering;

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
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The embedded default's cold tier: plain files under a root directory that mirror bucket and key.
 *
 * <p>Layout: version {@code v} of key {@code a/b/c.txt} in bucket {@code photos} is the file
 * {@code ROOT/photos/a/b/c.txt~v}, its metadata the text sidecar {@code ROOT/photos/a/b/c.txt~v~meta}.
 * Each key segment is percent-encoded as UTF-8 except {@code [A-Za-z0-9._-]}; the segments
 * {@code .} and {@code ..} become {@code %2E} and {@code %2E%2E} and an empty segment becomes
 * {@code %}, so no key can name a path outside the root, and since {@code ~} is always encoded,
 * the suffixes can never collide with a key. Files are written to a temporary name, fsynced and
 * renamed; the sidecar goes first, so a data file always has its metadata. A key segment whose
 * file name would pass 255 bytes is {@code REJECTED}.
 *
 * <p>The sidecar's format is {@link ColdSidecar}'s.
 *
 * <p>Thread-safe; every method is idempotent. Closing does nothing; the caller owns the directory.
 */
public final class LocalDirectoryColdTier implements ColdTier {

    private static final String META_SUFFIX = "~meta";
    private static final int MAX_NAME_LENGTH = 255;
    private static final String LONGEST_TEMP_SUFFIX = "~tmp-" + new UUID(0, 0);

    private final Path root;

    private LocalDirectoryColdTier(Path root) {
        this.root = root;
    }

    /**
     * Opens a tier rooted at {@code root}, creating the directory if needed.
     *
     * @throws TierException {@code UNAVAILABLE} if the directory cannot be created
     */
    public static LocalDirectoryColdTier create(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot create cold tier root " + absolute, e);
        }
        return new LocalDirectoryColdTier(absolute);
    }

    @Override
    public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        Path file = dataFile(id);
        Path meta = metaFile(file);
        Path tmp = file.resolveSibling(file.getFileName() + "~tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), TierStreams.BUFFER_SIZE)) {
                TierStreams.copyExactly(data, out, length, id);
                out.flush();
                ch.force(true);
            }
            writeAtomically(meta, ColdSidecar.encode(length, metadata));
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
        } catch (IOException e) {
            throw new TierException(TierException.Reason.UNAVAILABLE, "cannot delete " + id + " at " + file, e);
        }
    }

    @Override
    public void close() {
        // Nothing to release: every call opens and closes its own files.
    }

    /** The data file of {@code id}; package-private so tests can check it stays under the root. */
    Path dataFile(ColdObjectId id) {
        Path dir = root.resolve(fileName(id, encodeSegment(id.bucket())));
        String[] segments = id.key().split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            dir = dir.resolve(fileName(id, encodeSegment(segments[i])));
        }
        String last = encodeSegment(segments[segments.length - 1]) + "~" + id.versionId();
        // The longest sibling is the temporary name of the sidecar: NAME~meta~tmp-UUID.
        fileName(id, last + META_SUFFIX + LONGEST_TEMP_SUFFIX);
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

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "~tmp-" + UUID.randomUUID());
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
            // A leftover temporary name is garbage that never looks like an object (it has ~tmp-).
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
