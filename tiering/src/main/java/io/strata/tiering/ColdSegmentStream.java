package io.strata.tiering;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Bytes {@code [from, from + length)} of one cold segment, read from the cold tier in whole blocks
 * so that each block's CRC32C (recorded when the version moved) is checked before any of its bytes
 * are served. Memory: one block. Not thread-safe; the caller closes it, which closes the tier's stream.
 * The first block is loaded by {@link #open}: a failure there is a {@link TierException} ({@code CORRUPT}
 * with the {@link CorruptColdDataException} as its cause, or {@code UNAVAILABLE}). Later, a mismatch or a
 * short cold object surfaces as a {@link CorruptColdDataException} from {@code read}, a failure of the
 * tier's own stream as the IOException it threw.
 */
final class ColdSegmentStream extends InputStream {
    private final InputStream source;
    private final DataRef.Cold ref;
    private final long segmentSize;
    private final byte[] block;
    private int blockIndex;
    private int blockLength;
    private int pos;            // next byte to serve within the current block
    private long remaining;     // bytes still to serve
    private final String tier;
    private final ColdObjectId object;

    /**
     * @param tier        the tier holding the object named by {@code head}
     * @param head        the version's naming segment
     * @param ref         this segment
     * @param segmentSize this segment's size
     */
    static ColdSegmentStream open(ColdTier tier, DataRef.ColdName head, DataRef.Cold ref, long segmentSize,
                                  long from, long length) {
        if (from < 0 || length < 0 || from + length > segmentSize) throw new IllegalArgumentException("range outside segment");
        int first = (int) (from / ref.blockSize());
        long lastByte = from + length == 0 ? from : from + length - 1;
        long endBlock = Math.min(segmentSize, ((lastByte / ref.blockSize()) + 1) * (long) ref.blockSize());
        long start = (long) first * ref.blockSize();
        InputStream in = length == 0 ? InputStream.nullInputStream()
                : tier.get(head.id(), new ByteRange(ref.offset() + start, ref.offset() + endBlock - 1));
        ColdSegmentStream stream = new ColdSegmentStream(in, ref, segmentSize, first, (int) (from - start), length,
                head.tier(), head.id());
        if (length == 0) return stream;
        // The first block is read and checked now, as the hot tier reads its first stripe when opened:
        // a copy that is damaged or unreachable from its start fails before the caller has sent a
        // status line, so the client gets an error instead of a 200 whose body stops at once.
        try {
            stream.load();
            return stream;
        } catch (CorruptColdDataException e) {
            closeQuietly(stream, e);
            throw new TierException(TierException.Reason.CORRUPT, e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(stream, e);
            throw new TierException(TierException.Reason.UNAVAILABLE, "reading cold object " + head.id() + " from tier "
                    + head.tier() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(stream, e);
            throw e;
        }
    }

    private static void closeQuietly(InputStream in, Throwable failure) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private ColdSegmentStream(InputStream source, DataRef.Cold ref, long segmentSize, int firstBlock, int skip,
                              long length, String tier, ColdObjectId object) {
        this.source = source;
        this.ref = ref;
        this.segmentSize = segmentSize;
        this.block = new byte[length == 0 ? 0 : (int) Math.min(ref.blockSize(), segmentSize)];
        this.blockIndex = firstBlock - 1;
        this.remaining = length;
        this.tier = tier;
        this.object = object;
        this.pos = skip;
        this.blockLength = -1;   // nothing loaded; the first load keeps pos = skip
    }

    private boolean load() throws IOException {
        int skip = blockLength < 0 ? pos : 0;
        blockIndex++;
        if (blockIndex >= ref.blockCount()) throw new CorruptColdDataException(tier, object, "cold segment has no block " + blockIndex);
        long blockStart = (long) blockIndex * ref.blockSize();
        int n = (int) Math.min(ref.blockSize(), segmentSize - blockStart);
        int got = 0;
        while (got < n) {
            int r = source.read(block, got, n - got);
            if (r < 0) throw new CorruptColdDataException(tier, object, "cold object ended early in block " + blockIndex);
            got += r;
        }
        CRC32C crc = new CRC32C();
        crc.update(block, 0, n);
        if ((int) crc.getValue() != ref.blockCrc(blockIndex)) {
            throw new CorruptColdDataException(tier, object, "block " + blockIndex + " fails its CRC32C");
        }
        blockLength = n;
        pos = skip;
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (remaining == 0) return -1;
        if (blockLength < 0 || pos >= blockLength) load();
        int n = (int) Math.min(Math.min(len, blockLength - pos), remaining);
        System.arraycopy(block, pos, b, off, n);
        pos += n;
        remaining -= n;
        return n;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
