package io.strata.namespace;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One contiguous piece of an object's data: its length and an opaque reference the data store
 * understands (for the hot tier an encoded erasure blob location). A single-part object has one
 * segment; a multipart object one per part, in order, so completing an upload never copies data.
 * Immutable (the reference is copied in and out) and thread-safe; equality compares size and bytes.
 */
public record Segment(long size, byte[] ref) {
    public Segment {
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        ref = ref.clone();
    }

    @Override
    public byte[] ref() {
        return ref.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && s.size == size && Arrays.equals(s.ref, ref);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(ref);
    }

    @Override
    public String toString() {
        return "Segment[size=" + size + ", ref=" + HexFormat.of().formatHex(ref, 0, Math.min(ref.length, 16)) + "]";
    }
}
