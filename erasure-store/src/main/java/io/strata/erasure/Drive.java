package io.strata.erasure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One drive directory and its layout:
 * <pre>
 * &lt;root&gt;/format.strata                      magic, version, drive id, flags, drive ids of the set, crc32c
 * &lt;root&gt;/tmp/&lt;blobId&gt;.&lt;shard&gt;               shard files being written
 * &lt;root&gt;/blobs/&lt;2 hex&gt;/&lt;2 hex&gt;/&lt;blobId&gt;.&lt;shard&gt;  committed shard files
 * &lt;root&gt;/segments/&lt;segmentId&gt;.seg           segment files of small shards ({@link DriveSegments})
 * </pre>
 * Thread-safe; it holds paths and an fsync counter, not open files.
 */
final class Drive {
    static final String FORMAT_FILE = "format.strata";
    static final int FORMAT_MAGIC = 0x53544446; // "STDF"
    static final short FORMAT_VERSION_1 = 1;
    static final short FORMAT_VERSION = 2;
    private static final int FORMAT_V1_BYTES = 4 + 2 + 16 + 4;
    private static final byte FLAG_REBUILDING = 1;

    private final int index;
    private final java.util.concurrent.atomic.AtomicLong fsyncs = new java.util.concurrent.atomic.AtomicLong();
    private final Path root;
    private final Path tmp;
    private final Path blobs;

    Drive(int index, Path root) {
        this.index = index;
        this.root = root;
        this.tmp = root.resolve("tmp");
        this.blobs = root.resolve("blobs");
    }

    int index() {
        return index;
    }

    /** Counts one fsync (file or directory) on this drive, so benchmarks can report fsyncs per object. */
    void countFsync() {
        fsyncs.incrementAndGet();
    }

    /** Fsyncs (of files and directories) by writes, heals and segments on this drive since the store opened. */
    long fsyncs() {
        return fsyncs.get();
    }

    Path root() {
        return root;
    }

    Path blobsDir() {
        return blobs;
    }

    Path tmpDir() {
        return tmp;
    }

    Path shardDir(BlobId id) {
        return blobs.resolve(id.fanOut1()).resolve(id.fanOut2());
    }

    Path shardPath(BlobId id, int shard) {
        return shardDir(id).resolve(id.hex() + "." + shard);
    }

    Path tempPath(BlobId id, int shard) {
        return tmp.resolve(id.hex() + "." + shard);
    }

    /**
     * What {@code format.strata} says: the drive's id, whether it still awaits a full rebuild
     * (a replaced or empty drive), and the ids of every drive of the set as last recorded.
     *
     * @param members drive ids by index, as recorded (empty for a version-1 file)
     */
    record Format(BlobId id, boolean rebuilding, List<BlobId> members) {
        Format {
            members = List.copyOf(members);
        }

        Format withRebuilding(boolean value) {
            return new Format(id, value, members);
        }

        Format withMembers(List<BlobId> value) {
            return new Format(id, rebuilding, value);
        }
    }

    /** The format file, or null when it is absent, unreadable or invalid. */
    Format readFormat() {
        Path file = root.resolve(FORMAT_FILE);
        try {
            byte[] bytes = Files.readAllBytes(file); // a small file we own, not object data
            if (bytes.length < FORMAT_V1_BYTES) return null;
            ByteBuffer b = ByteBuffer.wrap(bytes);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if (b.getInt() != FORMAT_MAGIC || b.getInt(bytes.length - 4) != (int) crc.getValue()) return null;
            short version = b.getShort();
            BlobId id = new BlobId(b.getLong(), b.getLong());
            if (version == FORMAT_VERSION_1) return bytes.length == FORMAT_V1_BYTES ? new Format(id, false, List.of()) : null;
            if (version != FORMAT_VERSION) return null;
            boolean rebuilding = (b.get() & FLAG_REBUILDING) != 0;
            int count = Short.toUnsignedInt(b.getShort());
            if (bytes.length != FORMAT_V1_BYTES + 1 + 2 + 16 * count) return null;
            List<BlobId> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) members.add(new BlobId(b.getLong(), b.getLong()));
            return new Format(id, rebuilding, members);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Creates the directory layout (and the drive directory itself) and writes a new format file
     * holding {@code format}: temp name, fsync, rename, directory fsync.
     */
    void format(Format format) throws IOException {
        Files.createDirectories(root);
        Files.createDirectories(tmp);
        Files.createDirectories(blobs);
        writeFormat(format);
        Path parent = root.toAbsolutePath().getParent();
        if (parent != null) fsyncDirectory(parent);
    }

    /** Replaces the format file of a formatted drive: temp name, fsync, rename, directory fsync. */
    void writeFormat(Format format) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(FORMAT_V1_BYTES + 1 + 2 + 16 * format.members().size());
        b.putInt(FORMAT_MAGIC).putShort(FORMAT_VERSION).putLong(format.id().high()).putLong(format.id().low())
                .put(format.rebuilding() ? FLAG_REBUILDING : 0).putShort((short) format.members().size());
        for (BlobId member : format.members()) b.putLong(member.high()).putLong(member.low());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        Path temp = root.resolve(FORMAT_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(temp, root.resolve(FORMAT_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(root);
    }

    static final String SCRUB_FILE = "scrub.strata";
    private static final int SCRUB_MAGIC = 0x53545343; // "STSC"

    /** When the last complete scrub pass ended, as recorded on this drive; null when never or unreadable. */
    java.time.Instant readLastScrub() {
        try {
            byte[] bytes = Files.readAllBytes(root.resolve(SCRUB_FILE)); // 18 bytes we own
            if (bytes.length != 4 + 2 + 8 + 4) return null;
            ByteBuffer b = ByteBuffer.wrap(bytes);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if (b.getInt() != SCRUB_MAGIC || b.getShort() != 1 || b.getInt(bytes.length - 4) != (int) crc.getValue()) return null;
            return java.time.Instant.ofEpochMilli(b.getLong());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Records when a scrub pass ended ({@code u32 magic "STSC", u16 version=1, i64 epoch millis,
     * u32 crc32c}): temp name, fsync, rename, directory fsync.
     */
    void writeLastScrub(java.time.Instant when) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 8 + 4);
        b.putInt(SCRUB_MAGIC).putShort((short) 1).putLong(when.toEpochMilli());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        Path temp = root.resolve(SCRUB_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(temp, root.resolve(SCRUB_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(root);
    }

    /**
     * Checks that the drive answers: its layout exists and a small file can be created, synced
     * and removed in {@code tmp/}.
     *
     * @throws IOException what the drive said
     */
    void probeWrite() throws IOException {
        if (!Files.isDirectory(blobs)) throw new NoSuchFileException(blobs.toString(), null, "drive layout missing");
        Path probe = tmp.resolve("probe-" + Long.toHexString(System.nanoTime()));
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}));
            ch.force(true);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Makes sure {@code tmp/} and {@code blobs/} exist under an existing, formatted root, and
     * removes what a crash left in {@code tmp/}: shard files of writes that never completed, which
     * no namespace record can refer to (a blob is renamed out of tmp before it is committed).
     * Called only when the store opens, before any write starts.
     *
     * @return the number of leftover temp files removed
     */
    int ensureLayout() throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(blobs);
        int removed = 0;
        try (var leftovers = Files.newDirectoryStream(tmp)) {
            for (Path p : leftovers) {
                if (Files.isRegularFile(p) && Files.deleteIfExists(p)) removed++;
            }
        }
        return removed;
    }

    /** Recreates {@code tmp/} and {@code blobs/} under the root if they are missing (never the root). */
    void ensureDirectories() throws IOException {
        if (!Files.isDirectory(root)) throw new NoSuchFileException(root.toString(), null, "drive directory missing");
        Files.createDirectories(tmp);
        Files.createDirectories(blobs);
    }

    /**
     * Creates the fan-out directories for {@code id} below {@code blobs/} (never the drive root:
     * a vanished drive must not be silently recreated mid-run) and fsyncs the parent of each new one.
     */
    Path ensureShardDir(BlobId id) throws IOException {
        Path level1 = blobs.resolve(id.fanOut1());
        Path level2 = level1.resolve(id.fanOut2());
        if (Files.isDirectory(level2)) return level2;
        if (!Files.isDirectory(blobs)) throw new NoSuchFileException(blobs.toString(), null, "drive layout missing");
        createDirectory(level1, blobs);
        createDirectory(level2, level1);
        return level2;
    }

    private void createDirectory(Path dir, Path parent) throws IOException {
        try {
            Files.createDirectory(dir);
            fsyncDirectory(parent);
            countFsync();
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
