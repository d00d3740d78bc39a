package io.strata.namespace;

import java.util.List;

/**
 * One page of ListObjectVersions: versions and delete markers ordered by key (UTF-8 binary order),
 * newest first within a key, plus common prefixes when a delimiter was given. Immutable (the lists
 * are copied) and thread-safe.
 *
 * @param nextKeyMarker       when truncated, the key of the last version or the last common prefix; "" otherwise
 * @param nextVersionIdMarker when truncated and the page ends with a version, its id; "" otherwise.
 *                            Passing both back as markers continues with no gap or repeat.
 */
public record VersionPage(List<Entry> versions, List<String> commonPrefixes, boolean truncated,
                          String nextKeyMarker, String nextVersionIdMarker) {
    public VersionPage {
        versions = List.copyOf(versions);
        commonPrefixes = List.copyOf(commonPrefixes);
    }

    /**
     * One listed version or delete marker ({@link ObjectVersion#deleteMarker()}).
     *
     * @param latest it is the newest entry of its key (S3's IsLatest)
     */
    public record Entry(ObjectVersion version, boolean latest) {
    }
}
