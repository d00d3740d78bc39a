package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A repository in a local directory (the embedded default): the object at {@code a/b/c} is the file
 * {@code ROOT/a/b/c}. A put writes a temporary file beside the target, fsyncs it, then hard-links
 * it to the target name, which fails if the name exists: creation is atomic and never replaces
 * an object, even between two processes. The directory entry is fsynced too. The bytes are checked
 * as S3 checks them (Content-MD5, declared checksums) before they become visible, and the ETag is
 * the one S3 would answer for the declared parts.
 *
 * <p>Paths are checked to stay inside the root (no {@code ..}, no empty or absolute segment): a
 * range file or root naming {@code ../../etc/passwd} is refused, not followed. Temporary files
 * end in {@value #TEMP_SUFFIX} and are skipped by {@link #list}. Thread-safe.
 */
public final class LocalDirectoryRepository implements SnapshotRepository {
    static final String TEMP_SUFFIX = ".strata-tmp";
    private static final int BUFFER = 256 << 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    private LocalDirectoryRepository(Path root) {
        this.root = root;
    }

    /** A repository in {@code root}, created with its parents if absent. */
    public static LocalDirectoryRepository create(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot create repository directory " + abs, e);
        }
        return new LocalDirectoryRepository(abs);
    }

    /** The file of a relative path, refused unless it stays inside the root. */
    Path file(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            throw new SnapshotException(Reason.INVALID, "not a repository path: " + path);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.endsWith(TEMP_SUFFIX)) {
                throw new SnapshotException(Reason.INVALID, "not a repository path: " + path);
            }
        }
        return root.resolve(path);
    }

    @Override
    public Stored putIfAbsent(String path, Source source, Spec spec) {
        Path target = file(path);
        if (Files.exists(target)) return new Stored(false, "");
        Path temp = target.resolveSibling(target.getFileName() + "." + HexFormat.of().formatHex(randomBytes()) + TEMP_SUFFIX);
        try {
            Files.createDirectories(target.getParent());
            Digests digests = new Digests(spec.partSizes(), spec.checksums(), spec.partChecksums());
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch);
                 InputStream in = source.open(0, spec.length())) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digests.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                ch.force(true);
            }
            Optional<String> bad = digests.mismatch(spec.length(), spec.contentMd5());
            if (bad.isPresent()) {
                throw new SnapshotException(Reason.CORRUPT, path + ": the bytes to store fail their check: " + bad.get());
            }
            boolean created;
            try {
                Files.createLink(target, temp);
                created = true;
            } catch (FileAlreadyExistsException e) {
                created = false; // another writer got there first: objects are immutable, theirs is ours
            }
            fsyncDirectory(target.getParent());
            return new Stored(created, created ? digests.etag() : "");
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot write to repository " + root + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // Left for an operator: list() skips it, and its name can never be an object's.
                org.slf4j.LoggerFactory.getLogger(LocalDirectoryRepository.class)
                        .warn("cannot delete temporary file {}: {}", temp, e.toString());
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public InputStream get(String path, long offset, long length) {
        Path f = file(path);
        try {
            SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.READ);
            try {
                ch.position(offset);
                InputStream in = Channels.newInputStream(ch);
                return length < 0 ? in : new BoundedStream(in, length);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotException(Reason.NOT_FOUND, path + ": not in repository " + root, e);
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot read repository " + root + ": " + e, e);
        }
    }

    @Override
    public Optional<Long> size(String path) {
        Path f = file(path);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.size(f)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot stat in repository " + root, e);
        }
    }

    @Override
    public void list(String prefix, Consumer<String> visitor) {
        // Walk only the directory holding the prefix; collect that subtree's names, sort, filter.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!start.normalize().startsWith(root) || !Files.isDirectory(start)) return;
        List<String> names = new ArrayList<>();
        try {
            walk(start, names);
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot list " + prefix + " in repository " + root, e);
        }
        names.stream().filter(n -> n.startsWith(prefix)).sorted().forEach(visitor);
    }

    private void walk(Path dir, List<String> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    walk(p, out);
                } else if (!p.getFileName().toString().endsWith(TEMP_SUFFIX)) {
                    out.add(root.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
                }
            }
        }
    }

    /** Whether {@code file} is a temporary file of a create of {@code name} (see {@link #putIfAbsent}). */
    static boolean isTempOf(String file, String name) {
        return file.length() == name.length() + 1 + 16 + TEMP_SUFFIX.length() && file.startsWith(name + ".")
                && file.endsWith(TEMP_SUFFIX)
                && file.substring(name.length() + 1, name.length() + 17).matches("[0-9a-f]{16}");
    }

    /** Deletes the object and the temporary files of creates of it that a killed process left behind. */
    @Override
    public void abandon(String path) {
        Path target = file(path);
        delete(path);
        try {
            if (Files.isDirectory(target.getParent())) {
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(target.getParent(),
                        p -> isTempOf(p.getFileName().toString(), target.getFileName().toString()))) {
                    for (Path t : temps) Files.deleteIfExists(t);
                }
            }
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot delete in repository " + root, e);
        }
    }

    @Override
    public void delete(String path) {
        try {
            Files.deleteIfExists(file(path));
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, path + ": cannot delete in repository " + root, e);
        }
    }

    @Override
    public String location() {
        return "strata+file://" + root.toUri().getRawPath().replaceAll("/$", "");
    }

    @Override
    public void close() {
        // Nothing held between calls.
    }

    /** At most {@code remaining} bytes of a stream; closes it. */
    private static final class BoundedStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedStream(InputStream in, long remaining) {
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
    }
}
