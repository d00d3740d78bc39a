package io.strata.namespace;

import java.util.Objects;

/**
 * One page request of a key listing, in S3's terms. Immutable and thread-safe; the constructor throws
 * {@link NullPointerException} for a null string and {@link IllegalArgumentException} for a negative maxKeys.
 *
 * @param prefix    only keys starting with this ("" for all)
 * @param delimiter "" for none; otherwise keys containing it after the prefix roll up into common prefixes
 * @param after     exclusive start: only keys (and common prefixes) sorting strictly after this
 *                  (ListObjects marker, ListObjectsV2 start-after or decoded continuation token); "" for none
 * @param maxKeys   at most this many keys plus common prefixes in the page, 0..1000
 */
public record ListQuery(String prefix, String delimiter, String after, int maxKeys) {
    public ListQuery {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(delimiter, "delimiter");
        Objects.requireNonNull(after, "after");
        if (maxKeys < 0) throw new IllegalArgumentException("maxKeys < 0");
    }
}
