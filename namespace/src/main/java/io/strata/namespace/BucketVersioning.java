package io.strata.namespace;

/**
 * A bucket's versioning state, as S3 defines it. A bucket starts {@link #UNVERSIONED}; once
 * versioning has been enabled it can only move between {@link #ENABLED} and {@link #SUSPENDED}.
 *
 * <ul>
 *   <li>UNVERSIONED: every object has the single version {@code null}; a write replaces it and a
 *       delete removes it.</li>
 *   <li>ENABLED: every write adds a version with a new id; a delete without a version id adds a
 *       delete marker with a new id.</li>
 *   <li>SUSPENDED: a write replaces the key's {@code null} version (wherever it sits in the stack)
 *       and becomes the newest; a delete without a version id replaces it with a {@code null}
 *       delete marker. Versions with ids stay.</li>
 * </ul>
 */
public enum BucketVersioning {
    UNVERSIONED,
    ENABLED,
    SUSPENDED
}
