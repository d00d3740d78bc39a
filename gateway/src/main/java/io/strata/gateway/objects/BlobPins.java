package io.strata.gateway.objects;

import io.strata.erasure.BlobLocation;
import io.strata.namespace.Segment;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs written by this process and not yet committed to the namespace (nor queued as garbage):
 * the {@link OrphanCollector} leaves them alone whatever their age. A writer pins a blob as soon as
 * the erasure store returns its location and unpins it once its commit (or the queueing as
 * garbage) has returned, successfully or not. Pins are counted, so pinning the same blob twice
 * needs two unpins. Only erasure references pin anything; other segments are ignored.
 *
 * <p>Writers that commit elsewhere (the tier mover relocating a version onto several new blobs)
 * never unpin: the collector {@link #release releases} a pin once it finds the blob referenced by
 * the namespace, which is when the pin has done its job, and a pin older than {@link #MAX_AGE}
 * lapses (no write holds a blob uncommitted that long), so forgotten pins cannot pile up.
 *
 * <p>Thread-safe and lock-free; memory is one entry per blob written and not yet seen committed.
 */
final class BlobPins {
    static final Duration MAX_AGE = Duration.ofHours(24);

    private record Pin(int count, long pinnedAtNanos) {
    }

    private final Map<String, Pin> pins = new ConcurrentHashMap<>();

    void pin(BlobLocation location) {
        if (location == null) return;
        long now = System.nanoTime();
        pins.merge(location.id(), new Pin(1, now), (old, one) -> new Pin(old.count() + 1, old.pinnedAtNanos()));
    }

    /** Unpins the blob a segment names; null, empty and non-erasure segments are ignored. */
    void unpin(Segment segment) {
        if (segment == null) return;
        String id = OrphanCollector.erasureBlobId(segment.ref());
        if (id != null) unpin(id);
    }

    void unpin(BlobLocation location) {
        if (location != null) unpin(location.id());
    }

    private void unpin(String id) {
        pins.computeIfPresent(id, (k, p) -> p.count() == 1 ? null : new Pin(p.count() - 1, p.pinnedAtNanos()));
    }

    /** Drops every pin of a blob the namespace has been seen to refer to. */
    void release(String blobId) {
        pins.remove(blobId);
    }

    /** Whether the blob is pinned; a pin older than {@link #MAX_AGE} lapses here. */
    boolean isPinned(String blobId) {
        Pin p = pins.get(blobId);
        if (p == null) return false;
        if (System.nanoTime() - p.pinnedAtNanos() > MAX_AGE.toNanos()) {
            pins.remove(blobId, p);
            return false;
        }
        return true;
    }

    int size() {
        return pins.size();
    }
}
