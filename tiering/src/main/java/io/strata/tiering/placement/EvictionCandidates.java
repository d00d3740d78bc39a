package io.strata.tiering.placement;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code limit} least recently used versions seen during one eviction pass: a bounded heap whose
 * top is the most recently used candidate kept, evicted when a older one arrives. Memory is
 * bounded by the limit whatever the number of versions offered. Not thread-safe (one pass, one thread).
 *
 * @param <T> what a candidate carries (the version to move)
 */
public final class EvictionCandidates<T> {
    /** One candidate: its item, last access, and bytes it would free. */
    public record Candidate<T>(T item, Instant lastAccess, long size) {
    }

    private final int limit;
    private final PriorityQueue<Candidate<T>> heap;

    public EvictionCandidates(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit < 1");
        this.limit = limit;
        this.heap = new PriorityQueue<>(Comparator.comparing((Candidate<T> c) -> c.lastAccess()).reversed());
    }

    /** Keeps the candidate if it is among the {@code limit} oldest seen so far. */
    public void offer(T item, Instant lastAccess, long size) {
        if (heap.size() < limit) {
            heap.add(new Candidate<>(item, lastAccess, size));
        } else if (lastAccess.isBefore(heap.peek().lastAccess())) {
            heap.poll();
            heap.add(new Candidate<>(item, lastAccess, size));
        }
    }

    public int size() {
        return heap.size();
    }

    /** The kept candidates, least recently used first. */
    public List<Candidate<T>> oldestFirst() {
        List<Candidate<T>> list = new ArrayList<>(heap);
        list.sort(Comparator.comparing(Candidate::lastAccess));
        return list;
    }
}
