package io.strata.erasure;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The header that starts every shard file, and the file's layout. Immutable and thread-safe.
 *
 * <p>Version 2 (written now), big-endian, variable length (at most {@value #MAX_SIZE} bytes):
 * {@code u32 magic "STSH", u16 version=2, u16 headerLength, u16 shardIndex, u16 k, u16 m,
 * i32 blockSize, i64 blobSize, blobId[16], u16 drive[k+m], u16 n + bucket[n], u16 n + key[n],
 * u16 n + uploadId[n], u32 partNumber, u32 crc32c} (strings in UTF-8; the CRC covers every
 * preceding header byte). It makes a shard self-describing: what blob, which shard, the code, the
 * drive of every sibling shard, and the owner ({@link BlobOwner}: bucket, key, upload id and part
 * number; the version id does not exist yet when shards are written).
 *
 * <p>Version 1 (still read), {@value #V1_SIZE} bytes: {@code u32 magic, u16 version=1,
 * u16 shardIndex, u16 k, u16 m, i32 blockSize, i64 blobSize, blobId[16], u32 crc32c}.
 *
 * <p>After the header, for each stripe {@code s}, the shard's block followed by the CRC32C of that
 * block: a block is {@code blockSize} bytes except in a short last stripe, so block {@code s}
 * starts at {@code headerLength + s * (blockSize + 4)}.
 *
 * @param placement drive index of every shard (version 2), null for version 1
 * @param owner what the blob was written for; {@link BlobOwner#UNKNOWN} for version 1
 */
record ShardHeader(int version, BlobId blobId, int shardIndex, int dataShards, int parityShards, int blockSize,
                   long blobSize, int[] placement, BlobOwner owner) {
    static final int MAGIC = 0x53545348; // "STSH"
    static final short VERSION_1 = 1;
    static final short VERSION_2 = 2;
    static final int V1_SIZE = 44;
    /** Bytes read to find a header of any version; a version-2 header never exceeds it. */
    static final int MAX_SIZE = 4096;
    static final int CRC_BYTES = 4;
    private static final int V2_FIXED = 4 + 2 + 2 + 2 + 2 + 2 + 4 + 8 + 16 + 2 + 2 + 2 + 4 + 4;

    ShardHeader {
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(owner, "owner");
        if (version != VERSION_1 && version != VERSION_2) throw new IllegalArgumentException("version " + version);
        if ((version == VERSION_2) != (placement != null)) throw new IllegalArgumentException("placement is for version 2");
        placement = placement == null ? null : placement.clone();
    }

    /** The version-2 header of {@code shard} of the blob at {@code location}. */
    static ShardHeader of(ErasureBlobLocation location, int shard, BlobOwner owner) {
        return new ShardHeader(VERSION_2, location.blobId(), shard, location.dataShards(), location.parityShards(),
                location.blockSize(), location.size(), location.drives(), owner);
    }

    /** A version-1 header, as older stores wrote it (tests of compatibility, nothing else). */
    static ShardHeader v1(ErasureBlobLocation location, int shard) {
        return new ShardHeader(VERSION_1, location.blobId(), shard, location.dataShards(), location.parityShards(),
                location.blockSize(), location.size(), null, BlobOwner.UNKNOWN);
    }

    /** Whether this header belongs to shard {@code shard} of the blob at {@code location}. */
    boolean describes(ErasureBlobLocation location, int shard) {
        return blobId.equals(location.blobId()) && shardIndex == shard && dataShards == location.dataShards()
                && parityShards == location.parityShards() && blockSize == location.blockSize()
                && blobSize == location.size() && (placement == null || Arrays.equals(placement, location.drives()));
    }

    /** A copy of the recorded placement, or null (version 1). */
    @Override
    public int[] placement() {
        return placement == null ? null : placement.clone();
    }

    /** Encoded length in bytes: where the first block starts. */
    int length() {
        if (version == VERSION_1) return V1_SIZE;
        return V2_FIXED + 2 * placement.length + utf8(owner.bucket()).length + utf8(owner.key()).length
                + utf8(owner.uploadId()).length;
    }

    /** File position of the block of {@code stripe}. */
    long blockPosition(long stripe) {
        return length() + stripe * ((long) blockSize + CRC_BYTES);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(length());
        b.putInt(MAGIC).putShort((short) version);
        if (version == VERSION_1) {
            b.putShort((short) shardIndex).putShort((short) dataShards).putShort((short) parityShards)
                    .putInt(blockSize).putLong(blobSize).putLong(blobId.high()).putLong(blobId.low());
        } else {
            b.putShort((short) length()).putShort((short) shardIndex).putShort((short) dataShards)
                    .putShort((short) parityShards).putInt(blockSize).putLong(blobSize)
                    .putLong(blobId.high()).putLong(blobId.low());
            for (int drive : placement) b.putShort((short) drive);
            putString(b, owner.bucket());
            putString(b, owner.key());
            putString(b, owner.uploadId());
            b.putInt(owner.partNumber());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The header at the start of {@code channel} (positional reads), or null when it is not valid. */
    static ShardHeader read(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(MAX_SIZE);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
            // positional reads until full or end of file
        }
        return decode(header.array(), header.position());
    }

    /** The header in {@code bytes[0..available)}, or null when it is not a valid header of a known version. */
    static ShardHeader decode(byte[] bytes, int available) {
        if (available < V1_SIZE) return null;
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, available);
        if (b.getInt() != MAGIC) return null;
        int version = b.getShort();
        try {
            if (version == VERSION_1) {
                if (!crcMatches(bytes, V1_SIZE)) return null;
                int shard = Short.toUnsignedInt(b.getShort());
                int k = Short.toUnsignedInt(b.getShort());
                int m = Short.toUnsignedInt(b.getShort());
                int blockSize = b.getInt();
                long blobSize = b.getLong();
                return new ShardHeader(VERSION_1, new BlobId(b.getLong(), b.getLong()), shard, k, m, blockSize,
                        blobSize, null, BlobOwner.UNKNOWN);
            }
            if (version != VERSION_2) return null;
            int length = Short.toUnsignedInt(b.getShort());
            if (length < V2_FIXED || length > available || !crcMatches(bytes, length)) return null;
            b.limit(length - CRC_BYTES);
            int shard = Short.toUnsignedInt(b.getShort());
            int k = Short.toUnsignedInt(b.getShort());
            int m = Short.toUnsignedInt(b.getShort());
            int blockSize = b.getInt();
            long blobSize = b.getLong();
            BlobId id = new BlobId(b.getLong(), b.getLong());
            int[] placement = new int[k + m];
            for (int i = 0; i < placement.length; i++) placement[i] = Short.toUnsignedInt(b.getShort());
            BlobOwner owner = new BlobOwner(getString(b), getString(b), getString(b), b.getInt());
            if (b.hasRemaining()) return null;
            return new ShardHeader(VERSION_2, id, shard, k, m, blockSize, blobSize, placement, owner);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null; // CRC-valid but impossible: written by something else
        }
    }

    private static boolean crcMatches(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length - CRC_BYTES);
        return ByteBuffer.wrap(bytes).getInt(length - CRC_BYTES) == (int) crc.getValue();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = utf8(s);
        b.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        byte[] bytes = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardHeader h && version == h.version && blobId.equals(h.blobId)
                && shardIndex == h.shardIndex && dataShards == h.dataShards && parityShards == h.parityShards
                && blockSize == h.blockSize && blobSize == h.blobSize && Arrays.equals(placement, h.placement)
                && owner.equals(h.owner);
    }

    @Override
    public int hashCode() {
        return blobId.hashCode() * 31 + shardIndex;
    }

    @Override
    public String toString() {
        return "ShardHeader[v" + version + ", blob=" + blobId + ", shard=" + shardIndex + ", code=" + dataShards + "+"
                + parityShards + ", blockSize=" + blockSize + ", size=" + blobSize + ", placement="
                + Arrays.toString(placement) + ", owner=" + owner + "]";
    }
}
