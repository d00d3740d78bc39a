package io.strata.tiering;

/**
 * An inclusive byte range as in HTTP {@code Range: bytes=first-last}; {@code last} may lie past
 * the end of the object and is then clamped, and {@link #all()} selects every byte.
 *
 * @param first the first byte offset, {@code >= 0}
 * @param last the last byte offset, inclusive, {@code >= first}; {@link Long#MAX_VALUE} for "to the end"
 */
public record ByteRange(long first, long last) {

    private static final ByteRange ALL = new ByteRange(0, Long.MAX_VALUE);

    /** Validates. */
    public ByteRange {
        if (first < 0 || last < first) throw new IllegalArgumentException("bad range: " + first + "-" + last);
    }

    /** The whole object. */
    public static ByteRange all() {
        return ALL;
    }

    /** From {@code first} to the end of the object. */
    public static ByteRange from(long first) {
        return new ByteRange(first, Long.MAX_VALUE);
    }

    /** Whether this is the whole object. */
    public boolean isAll() {
        return first == 0 && last == Long.MAX_VALUE;
    }

    /** The number of bytes this range selects in an object of {@code size} bytes (0 if it starts past the end). */
    public long lengthIn(long size) {
        if (first >= size) return 0;
        return Math.min(last, size - 1) - first + 1;
    }
}
