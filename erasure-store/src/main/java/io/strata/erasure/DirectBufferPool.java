package io.strata.erasure;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of off-heap block buffers ({@code blockSize + 4} bytes) for read streams. A
 * positional read into a heap array goes through a temporary direct buffer and one more copy;
 * reading into a direct buffer lets the kernel fill it, and the stream copies each verified byte
 * once, into the caller's array. Every buffer handed out has the full capacity; users take the
 * prefix they need. At most {@code maxIdle} buffers are kept; beyond that returns are dropped and
 * their memory is freed when the garbage collector finds them. Thread-safe.
 *
 * <p>A buffer must be returned only once its last user is done with it (no reader thread still
 * filling it): pooled buffers are not cleared, and every user writes before it reads.
 */
final class DirectBufferPool {
    private final int capacity;
    private final int maxIdle;
    private final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    DirectBufferPool(int capacity, int maxIdle) {
        this.capacity = capacity;
        this.maxIdle = maxIdle;
    }

    /**
     * A direct buffer of at least {@code length} bytes, position 0 and limit at its capacity: a pooled
     * one of {@link #capacity()} bytes, or a new one of {@code length} bytes when that is more (a
     * blob written with a larger block size), which {@link #give} then drops.
     */
    ByteBuffer take(int length) {
        if (length > capacity) return ByteBuffer.allocateDirect(length);
        ByteBuffer buffer = idle.pollFirst();
        if (buffer == null) return ByteBuffer.allocateDirect(capacity);
        idleCount.decrementAndGet();
        return buffer.clear();
    }

    void give(ByteBuffer buffer) {
        if (buffer == null || buffer.capacity() != capacity || !buffer.isDirect()) return;
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.offerFirst(buffer);
        } else {
            idleCount.decrementAndGet();
        }
    }

    int capacity() {
        return capacity;
    }

    int idle() {
        return idleCount.get();
    }
}
