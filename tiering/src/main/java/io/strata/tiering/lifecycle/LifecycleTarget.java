package io.strata.tiering.lifecycle;

import io.strata.namespace.BucketName;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.TierException;
import io.strata.tiering.TierMover;

import java.util.Optional;

/**
 * What the {@link LifecycleWorker} needs from the layer above: each bucket's configuration and the
 * same delete paths that clients' requests take, so that data is freed only through the namespace's
 * garbage queue. Implemented by the gateway's object service. Thread-safe; every action is
 * idempotent (acting on something already gone does nothing and returns false) and re-checks, just
 * before acting, that the entry is still in the state the worker saw.
 */
public interface LifecycleTarget {
    /** The bucket's lifecycle configuration, empty if it has none (or the bucket is gone). */
    Optional<LifecycleConfiguration> lifecycle(BucketName bucket);

    /**
     * Expires the current version, as a DELETE without version id does: a delete marker in a
     * versioned bucket, removal otherwise. Does nothing if {@code current} is no longer the newest entry.
     *
     * @return true if it acted
     */
    boolean expireCurrent(ObjectVersion current);

    /**
     * Permanently removes one version or delete marker. For a noncurrent version, does nothing if it
     * has meanwhile become the newest entry; for a delete marker, does nothing unless it is still the
     * key's only entry.
     *
     * @return true if it acted
     */
    boolean deleteVersion(ObjectVersion version);

    /** Aborts the upload, its parts going to the garbage queue. @return false if it no longer exists */
    boolean abortUpload(MultipartUpload upload);

    /**
     * Moves a version into the cold tier named {@code storageClass} (see {@link TierMover#toCold}).
     *
     * @return true if it moved; false if it changed meanwhile or needed no move
     * @throws RuntimeException (typically {@link TierException}) when the move failed; the version
     *         stays where it was and the next run tries again
     */
    boolean transition(ObjectVersion version, String storageClass);
}
