package io.strata.erasure;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded pool of full-size block buffers ({@code blockSize + 4} bytes), so big writes reuse
 * stripe buffers instead of allocating {@code k+m} humongous arrays each. Buffers of any other
 * length are plain allocations and are dropped on return. At most {@code maxIdle} buffers are
 * kept; beyond that returns are left to the garbage collector. Thread-safe.
 *
 * <p>A buffer must be returned only once its last user is done with it: pooled buffers are not
 * cleared, and every user writes before it reads.
 */
final class BufferPool {
    private final int bufferLength;
    private final int maxIdle;
    private final ConcurrentLinkedDeque<byte[]> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong allocated = new AtomicLong();

    BufferPool(int bufferLength, int maxIdle) {
        this.bufferLength = bufferLength;
        this.maxIdle = maxIdle;
    }

    byte[] take(int length) {
        if (length == bufferLength) {
            byte[] buffer = idle.pollFirst();
            if (buffer != null) {
                idleCount.decrementAndGet();
                return buffer;
            }
            allocated.incrementAndGet();
        }
        return new byte[length];
    }

    void give(byte[] buffer) {
        if (buffer == null || buffer.length != bufferLength) return;
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.offerFirst(buffer);
        } else {
            idleCount.decrementAndGet();
        }
    }

    int idle() {
        return idleCount.get();
    }

    /** Full-size buffers allocated because none was idle, since the pool was made. */
    long allocated() {
        return allocated.get();
    }
}
