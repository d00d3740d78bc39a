package io.strata.erasure;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed budget of off-heap block buffers ({@code blockSize + 4} bytes) for read streams. A
 * positional read into a heap array goes through a temporary direct buffer and one more copy;
 * reading into a direct buffer lets the kernel fill it, and the stream copies each verified byte
 * once, into the caller's array.
 *
 * <p>At most {@code maxBuffers} direct buffers are ever allocated, and all of them stay in the pool
 * once returned, so off-heap memory is bounded and never left to the garbage collector (which, with
 * little heap allocation, may not run before the direct memory limit is reached). When every
 * direct buffer is taken, or a blob's blocks are larger (written with another block size),
 * {@link #take} hands out a heap buffer of the exact length: slower by one copy, same behaviour.
 * Thread-safe.
 *
 * <p>A buffer must be returned only once its last user is done with it (no reader thread still
 * filling it): pooled buffers are not cleared, and every user writes before it reads.
 */
final class DirectBufferPool {
    private final int capacity;
    private final int maxBuffers;
    private final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger allocated = new AtomicInteger();

    DirectBufferPool(int capacity, int maxBuffers) {
        this.capacity = capacity;
        this.maxBuffers = maxBuffers;
    }

    /**
     * A buffer of at least {@code length} bytes, position 0 and limit at its capacity: a direct one
     * of {@link #capacity()} bytes while the budget lasts, else a heap one of {@code length} bytes.
     */
    ByteBuffer take(int length) {
        if (length <= capacity) {
            ByteBuffer buffer = idle.pollFirst();
            if (buffer != null) return buffer.clear();
            if (allocated.getAndIncrement() < maxBuffers) return ByteBuffer.allocateDirect(capacity);
            allocated.decrementAndGet();
        }
        return ByteBuffer.allocate(length);
    }

    /** Takes back a buffer from {@link #take}; heap buffers are simply dropped. Null is ignored. */
    void give(ByteBuffer buffer) {
        if (buffer != null && buffer.isDirect() && buffer.capacity() == capacity) idle.offerFirst(buffer);
    }

    int capacity() {
        return capacity;
    }

    /** Direct buffers in the pool, not taken. */
    int idle() {
        return idle.size();
    }
}
