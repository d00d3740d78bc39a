package io.strata.tiering;

import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;

import java.util.Optional;

/**
 * The delete actions of {@link LifecycleTarget} over the namespace's client delete paths
 * ({@link Namespace#deleteObject}, {@link Namespace#deleteVersion}, {@link Namespace#abortUpload}),
 * each re-checking that the entry is still in the state the worker saw. Data goes to the namespace's
 * garbage queue; the caller wakes whatever frees it. Thread-safe and idempotent.
 *
 * <p>TODO(#3): the re-check and the delete are two namespace calls, so a client write landing between
 * them can still be expired; a compare-and-delete in the namespace would close that window.
 */
public final class NamespaceLifecycleActions {
    private final Namespace namespace;

    public NamespaceLifecycleActions(Namespace namespace) {
        this.namespace = namespace;
    }

    /** See {@link LifecycleTarget#expireCurrent}. */
    public boolean expireCurrent(ObjectVersion current) {
        try {
            Optional<ObjectVersion> latest = namespace.latest(current.bucket(), current.key());
            if (latest.isEmpty() || !same(latest.get(), current)) return false;
            namespace.deleteObject(current.bucket(), current.key());
            return true;
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.BUCKET_NOT_FOUND) return false;
            throw e;
        }
    }

    /** See {@link LifecycleTarget#deleteVersion}. */
    public boolean deleteVersion(ObjectVersion version) {
        try {
            Optional<ObjectVersion> latest = namespace.latest(version.bucket(), version.key());
            if (latest.isEmpty()) return false;
            if (version.deleteMarker()) {
                if (!same(latest.get(), version) || entriesOfKey(version) != 1) return false;
            } else {
                Optional<ObjectVersion> stored = namespace.version(version.bucket(), version.key(), version.versionId());
                if (stored.isEmpty() || !same(stored.get(), version) || same(latest.get(), version)) return false;
            }
            return namespace.deleteVersion(version.bucket(), version.key(), version.versionId()).isPresent();
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

    /** The null version keeps its id across overwrites, so identity also needs the time and the ETag. */
    private static boolean same(ObjectVersion a, ObjectVersion b) {
        return a.versionId().equals(b.versionId()) && a.deleteMarker() == b.deleteMarker()
                && a.lastModified().equals(b.lastModified()) && a.etag().equals(b.etag());
    }

    private int entriesOfKey(ObjectVersion v) {
        VersionPage page = namespace.listVersions(v.bucket(), new VersionQuery(v.key().value(), "", "", "", 2));
        return (int) page.versions().stream().filter(e -> e.version().key().equals(v.key())).count();
    }
}
