package io.strata.gateway;

import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A cold tier that passes every call to another one, except for the fault it is set to inject into
 * reads: unreachable on {@code get}, a stream that breaks after some bytes (a connection reset by a
 * remote tier), or one byte flipped at an offset of the object (bitrot the move did not see); and
 * a {@code close} that fails.
 * Thread-safe; faults apply to reads started after they are set.
 */
final class FaultyColdTier implements ColdTier {
    private final ColdTier delegate;
    private volatile boolean unreachable;
    private volatile long breakAt = -1;
    private volatile long flipAt = -1;
    private volatile RuntimeException closeFault;

    FaultyColdTier(ColdTier delegate) {
        this.delegate = delegate;
    }

    /** Every following {@code get} fails as a tier that cannot be reached. */
    void unreachable() {
        unreachable = true;
    }

    /** Reads fail with an IOException once they reach byte {@code offset} of the object. */
    void breakAt(long offset) {
        breakAt = offset;
    }

    /** Reads see byte {@code offset} of the object with its lowest bit flipped. */
    void flipAt(long offset) {
        flipAt = offset;
    }

    /** {@code close} throws {@code fault} (after closing the tier it wraps). */
    void failClose(RuntimeException fault) {
        closeFault = fault;
    }

    /** No faults from now on. */
    void heal() {
        unreachable = false;
        breakAt = -1;
        flipAt = -1;
    }

    @Override
    public void put(ColdObjectId id, ColdMetadata metadata, InputStream data, long length) {
        delegate.put(id, metadata, data, length);
    }

    @Override
    public InputStream get(ColdObjectId id, ByteRange range) {
        if (unreachable) throw new TierException(TierException.Reason.UNAVAILABLE, "test fault: tier unreachable");
        long breakOffset = breakAt;
        long flipOffset = flipAt;
        return new FilterInputStream(delegate.get(id, range)) {
            private long position = range.first();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (breakOffset >= 0 && position >= breakOffset) throw new IOException("test fault: connection reset");
                if (breakOffset >= 0) len = (int) Math.min(len, breakOffset - position);
                int n = super.read(b, off, len);
                if (n > 0 && flipOffset >= position && flipOffset < position + n) {
                    b[off + (int) (flipOffset - position)] ^= 1;
                }
                if (n > 0) position += n;
                return n;
            }
        };
    }

    @Override
    public ColdObjectInfo stat(ColdObjectId id) {
        return delegate.stat(id);
    }

    @Override
    public void delete(ColdObjectId id) {
        delegate.delete(id);
    }

    @Override
    public void close() {
        delegate.close();
        if (closeFault != null) throw closeFault;
    }
}
