package io.strata.tiering.lifecycle;

import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;

/**
 * The delete actions of {@link LifecycleTarget} over the namespace's compare-and-delete paths
 * ({@link Namespace#deleteObjectIf}, {@link Namespace#deleteVersionIf}) and {@link Namespace#abortUpload}.
 * Each acts only if the entry is still exactly the record the worker read, checked and deleted in one
 * namespace call under the key's lock: an overwrite, a tag change or a transition landing after the
 * worker's listing makes the action a no-op (the next run looks again), so lifecycle never deletes
 * an acknowledged write. Data goes to the namespace's garbage queue; the caller wakes whatever frees
 * it. Thread-safe and idempotent.
 */
public final class NamespaceLifecycleActions {
    private final Namespace namespace;

    public NamespaceLifecycleActions(Namespace namespace) {
        this.namespace = namespace;
    }

    /** See {@link LifecycleTarget#expireCurrent}. */
    public boolean expireCurrent(ObjectVersion current) {
        try {
            return namespace.deleteObjectIf(current).isPresent();
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return false;
            throw e;
        }
    }

    /** See {@link LifecycleTarget#deleteVersion}. */
    public boolean deleteVersion(ObjectVersion version) {
        // A delete marker goes only while nothing is behind it (ExpiredObjectDeleteMarker); a version
        // only while it is noncurrent (NoncurrentVersionExpiration never removes the current data).
        Namespace.Standing standing = version.deleteMarker() ? Namespace.Standing.ONLY_ENTRY
                : Namespace.Standing.NONCURRENT;
        try {
            return namespace.deleteVersionIf(version, standing).isPresent();
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return false;
            throw e;
        }
    }

    /** See {@link LifecycleTarget#abortUpload}. */
    public boolean abortUpload(MultipartUpload upload) {
        try {
            namespace.abortUpload(upload.bucket(), upload.key(), upload.uploadId());
            return true;
        } catch (NamespaceException e) {
            return switch (e.reason()) {
                case UPLOAD_NOT_FOUND, BUCKET_NOT_FOUND -> false;
                default -> throw e;
            };
        }
    }
}
