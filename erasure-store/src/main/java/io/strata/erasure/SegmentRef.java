package io.strata.erasure;

/**
 * Where one shard of a small blob lives: the record at {@code offset} of segment file
 * {@code segment} on the shard's drive, {@code length} bytes (record header and body). An
 * immutable value.
 */
record SegmentRef(long segment, long offset, int length) {
    SegmentRef {
        if (segment == 0) throw new IllegalArgumentException("segment id 0 is reserved for 'no record'");
        if (offset < 0 || length <= 0) throw new IllegalArgumentException("bad record position " + offset + "+" + length);
    }
}
