package io.strata.gateway.s3;

import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;

import java.util.Optional;

/**
 * The one place that resolves which version a request addresses: the version a {@code versionId}
 * names, else the key's newest entry, which may be a delete marker. What a delete marker or a missing
 * version means differs per operation (a GET answers 405 for a marker named by id, a copy source 400,
 * an ACL request NoSuchVersion), so the handlers decide that; the lookup itself is this. Stateless.
 */
public final class AddressedVersion {
    private AddressedVersion() {
    }

    /**
     * The request's {@code versionId} query parameter, if given.
     *
     * @throws S3Exception InvalidArgument "Invalid version id specified" when it is malformed, as S3 answers
     */
    public static Optional<String> versionId(S3Request r) {
        Optional<String> versionId = r.param("versionId");
        if (versionId.isPresent() && !ObjectVersion.isWellFormedVersionId(versionId.get())) {
            throw invalidVersionId(versionId.get());
        }
        return versionId;
    }

    /** The entry {@code versionId} names, or without one the key's newest entry (possibly a delete marker). */
    public static Optional<ObjectVersion> find(ObjectService service, BucketName bucket, ObjectKey key,
                                               Optional<String> versionId) {
        return versionId.isPresent() ? service.version(bucket, key, versionId.get()) : service.latest(bucket, key);
    }

    /** S3's answer to a malformed version id (query parameter or copy source). */
    public static S3Exception invalidVersionId(String versionId) {
        return new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid version id specified")
                .with("ArgumentName", "versionId").with("ArgumentValue", versionId);
    }
}
