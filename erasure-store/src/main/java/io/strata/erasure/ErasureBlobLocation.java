package io.strata.erasure;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The erasure store's location record: which blob, how it was coded and which drive (index into
 * {@link ErasureConfig#drives()}) holds each shard. Immutable and thread-safe.
 *
 * <p>Encoding, version 1 (big-endian): {@code u8 version=1, blobId[16], i64 size, u16 k, u16 m,
 * i32 blockSize, u16 drive[k+m], u32 crc32c} where the CRC covers every preceding byte. The
 * coding parameters travel with the blob so a store reconfigured later still reads old blobs.
 * Blobs stored as shard files are still written in version 1.
 *
 * <p>Version 2, for blobs whose shards are segment records: version 1's fields, then per shard
 * {@code i64 segment, i64 offset, i32 length} (segment 0: no record, the shard is a shard file or
 * missing), then the CRC. Each shard is found without a lookup: its drive, segment file and offset.
 *
 * @param segmentRefs per shard, its segment record (null entries: none); null for a shard-file blob
 */
record ErasureBlobLocation(BlobId blobId, long size, int dataShards, int parityShards, int blockSize,
                           int[] drives, SegmentRef[] segmentRefs) implements BlobLocation {
    static final byte VERSION_1 = 1;
    static final byte VERSION_2 = 2;
    private static final int FIXED_BYTES = 1 + 16 + 8 + 2 + 2 + 4 + 4;
    private static final int REF_BYTES = 8 + 8 + 4;

    /** A blob stored as shard files (version 1). */
    ErasureBlobLocation(BlobId blobId, long size, int dataShards, int parityShards, int blockSize, int[] drives) {
        this(blobId, size, dataShards, parityShards, blockSize, drives, null);
    }

    ErasureBlobLocation {
        if (blobId == null) throw new IllegalArgumentException("blobId is null");
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > 256) {
            throw new IllegalArgumentException("bad code " + dataShards + "+" + parityShards);
        }
        if (blockSize < 1) throw new IllegalArgumentException("blockSize < 1: " + blockSize);
        if ((long) dataShards * blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("stripe of " + dataShards + " x " + blockSize + " bytes too large");
        }
        drives = drives.clone();
        if (drives.length != dataShards + parityShards) {
            throw new IllegalArgumentException("need " + (dataShards + parityShards) + " drives, got " + drives.length);
        }
        // Sized by the largest index, not by every possible one: a location is decoded several
        // times per GET, and a table of all 65536 drive indexes cost 64 KiB of zeroed heap each time.
        java.util.BitSet seen = new java.util.BitSet();
        for (int d : drives) {
            if (d < 0 || d > 0xFFFF) throw new IllegalArgumentException("bad drive index " + d);
            if (seen.get(d)) throw new IllegalArgumentException("drive " + d + " holds two shards");
            seen.set(d);
        }
        if (segmentRefs != null) {
            segmentRefs = segmentRefs.clone();
            if (segmentRefs.length != drives.length) {
                throw new IllegalArgumentException("need " + drives.length + " segment refs, got " + segmentRefs.length);
            }
        }
    }

    /** A copy of the segment records, or null for a blob stored as shard files. */
    @Override
    public SegmentRef[] segmentRefs() {
        return segmentRefs == null ? null : segmentRefs.clone();
    }

    /** The segment record of {@code shard}, or null when it has none (a shard file, or missing). */
    SegmentRef segmentRef(int shard) {
        return segmentRefs == null ? null : segmentRefs[shard];
    }

    /** Whether the blob was written to segments (its shards are found by their records first). */
    boolean inSegments() {
        return segmentRefs != null;
    }

    /** A copy of the drive index of every shard. */
    @Override
    public int[] drives() {
        return drives.clone();
    }

    @Override
    public String id() {
        return blobId.hex();
    }

    int drive(int shard) {
        return drives[shard];
    }

    int totalShards() {
        return dataShards + parityShards;
    }

    /** Data bytes per full stripe. */
    long stripeSize() {
        return (long) dataShards * blockSize;
    }

    long stripeCount() {
        return size == 0 ? 0 : (size + stripeSize() - 1) / stripeSize();
    }

    /** Data bytes in stripe {@code s} (only the last stripe may be short). */
    int stripeLength(long stripe) {
        return (int) Math.min(stripeSize(), size - stripe * stripeSize());
    }

    /** Bytes of each shard's block in stripe {@code s}: {@code blockSize}, or less in a short last stripe. */
    int shardBlockLength(long stripe) {
        return (stripeLength(stripe) + dataShards - 1) / dataShards;
    }

    @Override
    public byte[] encode() {
        int refBytes = segmentRefs == null ? 0 : REF_BYTES * segmentRefs.length;
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + 2 * drives.length + refBytes);
        b.put(segmentRefs == null ? VERSION_1 : VERSION_2).putLong(blobId.high()).putLong(blobId.low()).putLong(size)
                .putShort((short) dataShards).putShort((short) parityShards).putInt(blockSize);
        for (int d : drives) b.putShort((short) d);
        if (segmentRefs != null) {
            for (SegmentRef ref : segmentRefs) {
                if (ref == null) b.putLong(0).putLong(0).putInt(0);
                else b.putLong(ref.segment()).putLong(ref.offset()).putInt(ref.length());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Reads any version this code has written.
     *
     * @throws IllegalArgumentException for bytes that are not a location (wrong length, unknown
     *     version, checksum mismatch, impossible values)
     */
    static ErasureBlobLocation decode(byte[] bytes) {
        if (bytes == null || bytes.length < FIXED_BYTES) {
            throw new IllegalArgumentException("not a blob location: too short");
        }
        if (bytes[0] != VERSION_1 && bytes[0] != VERSION_2) {
            throw new IllegalArgumentException("not a blob location: unknown version " + bytes[0]);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("not a blob location: checksum mismatch");
        }
        try {
            b.get();
            BlobId id = new BlobId(b.getLong(), b.getLong());
            long size = b.getLong();
            int k = Short.toUnsignedInt(b.getShort());
            int m = Short.toUnsignedInt(b.getShort());
            int blockSize = b.getInt();
            boolean v2 = bytes[0] == VERSION_2;
            if (bytes.length != FIXED_BYTES + (2 + (v2 ? REF_BYTES : 0)) * (k + m)) {
                throw new IllegalArgumentException("not a blob location: length " + bytes.length + " for " + k + "+" + m);
            }
            int[] drives = new int[k + m];
            for (int i = 0; i < drives.length; i++) drives[i] = Short.toUnsignedInt(b.getShort());
            if (!v2) return new ErasureBlobLocation(id, size, k, m, blockSize, drives);
            SegmentRef[] refs = new SegmentRef[k + m];
            for (int i = 0; i < refs.length; i++) {
                long segment = b.getLong();
                long offset = b.getLong();
                int length = b.getInt();
                if (segment != 0) refs[i] = new SegmentRef(segment, offset, length);
            }
            return new ErasureBlobLocation(id, size, k, m, blockSize, drives, refs);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("not a blob location: truncated", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErasureBlobLocation l && blobId.equals(l.blobId) && size == l.size
                && dataShards == l.dataShards && parityShards == l.parityShards && blockSize == l.blockSize
                && Arrays.equals(drives, l.drives) && Arrays.equals(segmentRefs, l.segmentRefs);
    }

    @Override
    public int hashCode() {
        return blobId.hashCode() * 31 + Arrays.hashCode(drives);
    }

    @Override
    public String toString() {
        return "ErasureBlobLocation[blob=" + blobId + ", size=" + size + ", code=" + dataShards + "+" + parityShards
                + ", blockSize=" + blockSize + ", drives=" + Arrays.toString(drives)
                + (segmentRefs == null ? "" : ", segments=" + Arrays.toString(segmentRefs)) + "]";
    }
}
