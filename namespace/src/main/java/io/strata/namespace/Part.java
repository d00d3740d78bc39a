package io.strata.namespace;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One uploaded part of a multipart upload. {@code etag} is the unquoted hex MD5 of the part.
 * Immutable and thread-safe; the constructor throws {@link IllegalArgumentException} for a part
 * number outside 1..10000 or a size that differs from the segment's.
 */
public record Part(int partNumber, long size, String etag, Instant lastModified, Map<String, String> checksums,
                   Segment segment) {
    public static final int MIN_NUMBER = 1;
    public static final int MAX_NUMBER = 10_000;

    public Part {
        if (partNumber < MIN_NUMBER || partNumber > MAX_NUMBER) {
            throw new IllegalArgumentException("part number out of range: " + partNumber);
        }
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(segment, "segment");
        checksums = Map.copyOf(checksums);
        if (segment.size() != size) throw new IllegalArgumentException("segment size differs from part size");
    }
}
