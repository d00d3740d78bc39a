package io.strata.namespace;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Fixed arrays of locks chosen by hash, so memory stays bounded however many buckets and keys exist;
 * unrelated names may share a stripe, which costs only contention. {@code ReentrantLock}, not
 * {@code synchronized}: they are held over a synced RocksDB write, and on JDK 21 a virtual thread
 * blocked inside {@code synchronized} pins its carrier. Thread-safe.
 */
final class StripedLocks {
    private final ReentrantLock[] locks;
    private final ReentrantReadWriteLock[] rwLocks;

    StripedLocks(int stripes, boolean readWrite) {
        if (Integer.bitCount(stripes) != 1) throw new IllegalArgumentException("stripes must be a power of two");
        if (readWrite) {
            locks = null;
            rwLocks = new ReentrantReadWriteLock[stripes];
            for (int i = 0; i < stripes; i++) rwLocks[i] = new ReentrantReadWriteLock();
        } else {
            rwLocks = null;
            locks = new ReentrantLock[stripes];
            for (int i = 0; i < stripes; i++) locks[i] = new ReentrantLock();
        }
    }

    private static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    static int hash(Object... parts) {
        int h = 1;
        for (Object p : parts) h = h * 31 + p.hashCode();
        return h;
    }

    ReentrantLock lock(int hash) {
        return locks[spread(hash) & (locks.length - 1)];
    }

    ReentrantReadWriteLock readWrite(int hash) {
        return rwLocks[spread(hash) & (rwLocks.length - 1)];
    }
}
