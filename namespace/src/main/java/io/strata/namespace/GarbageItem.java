package io.strata.namespace;

/**
 * A queued piece of unreachable data: its queue id (unique, increasing in queue order) and the
 * segment to free. Immutable and thread-safe.
 */
public record GarbageItem(long id, Segment segment) {
}
