package io.strata.gateway.s3;

import io.helidon.webserver.http.ServerResponse;
import io.strata.gateway.http.Encoding;
import io.strata.gateway.objects.ObjectService;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;

import java.util.Optional;

/**
 * The object an {@code x-amz-copy-source} names, after read access to it is checked.
 *
 * @param requestedVersionId the versionId in the header, or null for the current version
 * @param bucketState        the source bucket (its versioning decides x-amz-copy-source-version-id)
 */
public record CopySource(BucketName bucket, ObjectKey key, String requestedVersionId, Bucket bucketState,
                         ObjectVersion version) {
    /** S3 names the source version when one was asked for or the source bucket has versioning. */
    public void versionHeader(ServerResponse res) {
        if (requestedVersionId != null || bucketState.versioning() != BucketVersioning.UNVERSIONED) {
            res.header("x-amz-copy-source-version-id", version.versionId());
        }
    }

    /** Resolves and authorizes the copy source of CopyObject and UploadPartCopy, then checks its x-amz-copy-source-if-*. */
    public static CopySource resolve(S3Request r, ObjectService service, AccessControl access) {
        String source = r.header("x-amz-copy-source").orElseThrow();
        String path = source;
        int q = path.indexOf('?');
        String versionId = null;
        if (q >= 0) {
            var params = S3Request.parseQuery(path.substring(q + 1));
            versionId = params.get("versionId");
            path = path.substring(0, q);
        }
        try {
            path = Encoding.percentDecode(path, false);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Invalid copy source encoding.");
        }
        if (path.startsWith("/")) path = path.substring(1);
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new S3Exception(S3Error.INVALID_ARGUMENT, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
                    .with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", source);
        }
        String srcBucketName = path.substring(0, slash);
        if (!BucketName.isValid(srcBucketName)) {
            throw new S3Exception(S3Error.INVALID_BUCKET_NAME).with("BucketName", srcBucketName);
        }
        BucketName srcBucket = new BucketName(srcBucketName);
        ObjectKey srcKey;
        try {
            srcKey = new ObjectKey(path.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.KEY_TOO_LONG);
        }
        if (versionId != null && !ObjectVersion.isWellFormedVersionId(versionId)) {
            throw AddressedVersion.invalidVersionId(versionId);
        }
        Bucket sourceBucket = service.requireBucket(srcBucket);
        // Copying reads the source: S3 checks read access to it as well as s3:PutObject on the target.
        access.require(r, r.auth(), versionId != null ? "s3:GetObjectVersion" : "s3:GetObject", srcBucket, srcKey);
        ObjectVersion src;
        Optional<ObjectVersion> found = AddressedVersion.find(service, srcBucket, srcKey, Optional.ofNullable(versionId));
        if (versionId != null) {
            String id = versionId;
            src = found.orElseThrow(() -> AddressedVersion.noSuchVersion(srcKey, id));
            if (src.deleteMarker()) {
                // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
                throw new S3Exception(S3Error.INVALID_REQUEST,
                        "The source of a copy request may not specifically refer to a delete marker by version id.");
            }
        } else {
            src = found.filter(v -> !v.deleteMarker()).orElseThrow(() -> AddressedVersion.noSuchKey(srcBucket, srcKey));
        }
        Conditions.copySource(r, src);
        return new CopySource(srcBucket, srcKey, versionId, sourceBucket, src);
    }
}
