package io.strata.namespace;

import java.util.List;

/**
 * One page of a key listing. Keys and common prefixes are each in UTF-8 binary order (S3's order).
 * Immutable (the lists are copied) and thread-safe.
 *
 * @param truncated  more entries follow
 * @param nextAfter  when truncated, the last key or common prefix in this page: pass it as
 *                   {@link ListQuery#after()} to continue with no gap or repeat; "" otherwise
 */
public record ListPage(List<ObjectVersion> objects, List<String> commonPrefixes, boolean truncated, String nextAfter) {
    public ListPage {
        objects = List.copyOf(objects);
        commonPrefixes = List.copyOf(commonPrefixes);
    }
}
