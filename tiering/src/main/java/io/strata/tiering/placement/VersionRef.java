package io.strata.tiering.placement;

import io.strata.namespace.ObjectVersion;

/** Names one version (bucket, key, version id) as placement tracks it. Immutable value. */
public record VersionRef(String bucket, String key, String versionId) {
    public static VersionRef of(ObjectVersion v) {
        return new VersionRef(v.bucket().value(), v.key().value(), v.versionId());
    }
}
