package io.strata.erasure;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The header of one record in a segment file. Immutable and thread-safe.
 *
 * <p>Big-endian: {@code u32 magic "STSR", u16 version=1, u8 type, u8 flags=0, u32 headerLength,
 * u32 bodyLength, i64 writeTimeMillis}, then by type
 * <ul>
 * <li>{@code 1} shard: the shard's {@link ShardHeader} (version 2: blob id, shard index, k, m,
 *     block size, blob size, placement, owner, its own CRC), and after this header a body of
 *     {@code bodyLength} bytes laid out as a shard file's blocks (each block followed by its
 *     CRC32C), so a read verifies it exactly as it verifies a shard file;</li>
 * <li>{@code 2} tombstone: {@code blobId[16], u16 shard, i64 targetSegment, i64 targetOffset},
 *     no body: the shard record there is deleted;</li>
 * </ul>
 * then {@code u32 crc32c} over every preceding header byte. A record is therefore
 * self-describing: a scan of a segment alone tells which blob, shard and owner each record holds,
 * when it was written, and which records are deleted.
 *
 * @param shard the shard header (type shard), else null
 * @param target the deleted record (type tombstone), else null
 */
record SegmentRecord(int type, int headerLength, int bodyLength, long writeTimeMillis, ShardHeader shard,
                     BlobId tombstoneBlob, int tombstoneShard, SegmentRef target) {
    static final int MAGIC = 0x53545352; // "STSR"
    static final short VERSION = 1;
    static final int TYPE_SHARD = 1;
    static final int TYPE_TOMBSTONE = 2;
    static final int FIXED = 4 + 2 + 1 + 1 + 4 + 4 + 8;
    private static final int TOMBSTONE_BYTES = FIXED + 16 + 2 + 8 + 8 + 4;
    /** The longest header: the fixed part, a shard header of the largest size, the CRC. */
    static final int MAX_HEADER = FIXED + ShardHeader.MAX_SIZE + 4;

    /** Bytes of the whole record: header and body. */
    long length() {
        return (long) headerLength + bodyLength;
    }

    /** The encoded header of a shard record whose body is {@code bodyLength} bytes. */
    static byte[] shard(ShardHeader header, int bodyLength, long writeTimeMillis) {
        byte[] inner = header.encode();
        ByteBuffer b = ByteBuffer.allocate(FIXED + inner.length + 4);
        b.putInt(MAGIC).putShort(VERSION).put((byte) TYPE_SHARD).put((byte) 0).putInt(b.capacity()).putInt(bodyLength)
                .putLong(writeTimeMillis).put(inner);
        return seal(b);
    }

    /** The encoded tombstone of shard {@code shard} of {@code blob}, whose record is at {@code target}. */
    static byte[] tombstone(BlobId blob, int shard, SegmentRef target, long writeTimeMillis) {
        ByteBuffer b = ByteBuffer.allocate(TOMBSTONE_BYTES);
        b.putInt(MAGIC).putShort(VERSION).put((byte) TYPE_TOMBSTONE).put((byte) 0).putInt(TOMBSTONE_BYTES).putInt(0)
                .putLong(writeTimeMillis).putLong(blob.high()).putLong(blob.low()).putShort((short) shard)
                .putLong(target.segment()).putLong(target.offset());
        return seal(b);
    }

    private static byte[] seal(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * The record header at {@code offset} of {@code channel} (positional reads), or null when the
     * bytes there are not a valid record header (a torn or zero tail, garbage) or would run past
     * {@code limit}.
     */
    static SegmentRecord read(FileChannel channel, long offset, long limit) throws IOException {
        int want = (int) Math.min(MAX_HEADER, limit - offset);
        if (want < FIXED + 4) return null;
        ByteBuffer buffer = ByteBuffer.allocate(Math.min(want, 512));
        if (!readFully(channel, buffer, offset)) return null;
        int headerLength = buffer.getInt(8);
        if (buffer.getInt(0) != MAGIC || headerLength < FIXED + 4 || headerLength > want) return null;
        if (headerLength > buffer.capacity()) {
            buffer = ByteBuffer.allocate(headerLength);
            if (!readFully(channel, buffer, offset)) return null;
        }
        SegmentRecord record = decode(buffer.array(), headerLength);
        if (record == null || offset + record.length() > limit) return null;
        return record;
    }

    private static boolean readFully(FileChannel channel, ByteBuffer buffer, long offset) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) return false;
        }
        return true;
    }

    /** The header in {@code bytes[0..headerLength)}, or null when it is not a valid one. */
    static SegmentRecord decode(byte[] bytes, int headerLength) {
        if (headerLength < FIXED + 4 || headerLength > bytes.length) return null;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, headerLength - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, headerLength);
        if (b.getInt(headerLength - 4) != (int) crc.getValue()) return null;
        try {
            if (b.getInt() != MAGIC || b.getShort() != VERSION) return null;
            int type = b.get();
            b.get();
            if (b.getInt() != headerLength) return null;
            int bodyLength = b.getInt();
            long time = b.getLong();
            if (bodyLength < 0) return null;
            if (type == TYPE_SHARD) {
                byte[] inner = Arrays.copyOfRange(bytes, FIXED, headerLength - 4);
                ShardHeader shard = ShardHeader.decode(inner, inner.length);
                if (shard == null || shard.version() != ShardHeader.VERSION_2 || shard.length() != inner.length) return null;
                return new SegmentRecord(type, headerLength, bodyLength, time, shard, null, 0, null);
            }
            if (type == TYPE_TOMBSTONE && headerLength == TOMBSTONE_BYTES && bodyLength == 0) {
                BlobId blob = new BlobId(b.getLong(), b.getLong());
                int shard = Short.toUnsignedInt(b.getShort());
                long segment = b.getLong();
                long offset = b.getLong();
                if (segment == 0 || offset < 0) return null;
                return new SegmentRecord(type, headerLength, 0, time, null, blob, shard, new SegmentRef(segment, offset, 1));
            }
            return null;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null; // CRC-valid but impossible: written by something else
        }
    }
}
