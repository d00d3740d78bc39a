package io.strata.namespace;

import java.util.Objects;

/**
 * One page request of ListObjectVersions, in S3's terms. Immutable and thread-safe; the constructor
 * throws {@link NullPointerException} for a null string and {@link IllegalArgumentException} for a
 * negative maxKeys, a version-id marker without a key marker, or a malformed version-id marker.
 *
 * @param prefix          only keys starting with this ("" for all)
 * @param delimiter       "" for none; otherwise keys containing it after the prefix roll up into common prefixes
 * @param keyMarker       "" for none; with no version-id marker, listing starts with the keys after it
 * @param versionIdMarker "" for none; otherwise listing starts with the versions of {@code keyMarker}
 *                        older than this one, then the keys after it
 * @param maxKeys         at most this many versions, delete markers and common prefixes in the page
 */
public record VersionQuery(String prefix, String delimiter, String keyMarker, String versionIdMarker, int maxKeys) {
    public VersionQuery {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(delimiter, "delimiter");
        Objects.requireNonNull(keyMarker, "keyMarker");
        Objects.requireNonNull(versionIdMarker, "versionIdMarker");
        if (maxKeys < 0) throw new IllegalArgumentException("maxKeys < 0");
        if (!versionIdMarker.isEmpty() && keyMarker.isEmpty()) {
            throw new IllegalArgumentException("a version-id marker needs a key marker");
        }
        if (!versionIdMarker.isEmpty() && !ObjectVersion.isWellFormedVersionId(versionIdMarker)) {
            throw new IllegalArgumentException("malformed version-id marker: " + versionIdMarker);
        }
    }
}
