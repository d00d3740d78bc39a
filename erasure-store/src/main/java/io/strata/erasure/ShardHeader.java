package io.strata.erasure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The fixed header that starts every shard file, and the file's layout.
 *
 * <p>Version 1, big-endian, {@value #SIZE} bytes: {@code u32 magic "STSH", u16 version=1,
 * u16 shardIndex, u16 k, u16 m, i32 blockSize, i64 blobSize, blobId[16], u32 crc32c} (the CRC
 * covers the preceding 40 bytes). Then, for each stripe {@code s}, the shard's block followed by
 * the CRC32C of that block: a block is {@code blockSize} bytes except in a short last stripe, so
 * block {@code s} starts at {@code SIZE + s * (blockSize + 4)}.
 */
record ShardHeader(BlobId blobId, int shardIndex, int dataShards, int parityShards, int blockSize, long blobSize) {
    static final int MAGIC = 0x53545348; // "STSH"
    static final short VERSION_1 = 1;
    static final int SIZE = 44;
    static final int CRC_BYTES = 4;

    static ShardHeader of(ErasureBlobLocation location, int shard) {
        return new ShardHeader(location.blobId(), shard, location.dataShards(), location.parityShards(),
                location.blockSize(), location.size());
    }

    /** File position of the block of {@code stripe}. */
    static long blockPosition(long stripe, int blockSize) {
        return SIZE + stripe * ((long) blockSize + CRC_BYTES);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.putInt(MAGIC).putShort(VERSION_1).putShort((short) shardIndex).putShort((short) dataShards)
                .putShort((short) parityShards).putInt(blockSize).putLong(blobSize)
                .putLong(blobId.high()).putLong(blobId.low());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** The header at the start of {@code channel} (positional read), or null when it is not valid. */
    static ShardHeader read(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(SIZE);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
            // positional reads until full or end of file
        }
        return decode(header.array());
    }

    /** The header in {@code bytes[0..SIZE)}, or null when it is not a valid version-1 header. */
    static ShardHeader decode(byte[] bytes) {
        if (bytes.length < SIZE) return null;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SIZE - CRC_BYTES);
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, SIZE);
        if (b.getInt() != MAGIC || b.getShort() != VERSION_1) return null;
        if (b.getInt(SIZE - CRC_BYTES) != (int) crc.getValue()) return null;
        int shard = Short.toUnsignedInt(b.getShort());
        int k = Short.toUnsignedInt(b.getShort());
        int m = Short.toUnsignedInt(b.getShort());
        int blockSize = b.getInt();
        long blobSize = b.getLong();
        return new ShardHeader(new BlobId(b.getLong(), b.getLong()), shard, k, m, blockSize, blobSize);
    }
}
