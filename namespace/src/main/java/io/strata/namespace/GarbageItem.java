package io.strata.namespace;

/** A queued piece of unreachable data: its queue id and the segment to free. */
public record GarbageItem(long id, Segment segment) {
}
