package io.strata.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The S3 IAM action names a bucket policy may use, and the kind of resource each applies to. A
 * policy naming an action outside this list (or a wildcard matching none) is refused, as S3 does.
 */
final class S3Actions {
    /** What an action's Resource must name. */
    enum Kind { BUCKET, OBJECT, SERVICE }

    /** Lower-case "s3:name" to kind. */
    static final Map<String, Kind> ALL;

    static {
        Map<String, Kind> m = new LinkedHashMap<>();
        for (String a : ("GetObject GetObjectVersion PutObject DeleteObject DeleteObjectVersion GetObjectAcl "
                + "PutObjectAcl GetObjectVersionAcl PutObjectVersionAcl GetObjectTagging PutObjectTagging "
                + "DeleteObjectTagging GetObjectVersionTagging PutObjectVersionTagging DeleteObjectVersionTagging "
                + "AbortMultipartUpload ListMultipartUploadParts RestoreObject GetObjectAttributes "
                + "GetObjectVersionAttributes GetObjectRetention PutObjectRetention GetObjectLegalHold "
                + "PutObjectLegalHold BypassGovernanceRetention GetObjectTorrent GetObjectVersionTorrent "
                + "ReplicateObject ReplicateDelete ReplicateTags ObjectOwnerOverrideToBucketOwner "
                + "GetObjectVersionForReplication").split(" ")) {
            m.put("s3:" + a.toLowerCase(Locale.ROOT), Kind.OBJECT);
        }
        for (String a : ("ListBucket ListBucketVersions ListBucketMultipartUploads CreateBucket DeleteBucket "
                + "GetBucketLocation GetBucketPolicy PutBucketPolicy DeleteBucketPolicy GetBucketAcl PutBucketAcl "
                + "GetBucketVersioning PutBucketVersioning GetBucketTagging PutBucketTagging GetBucketCORS "
                + "PutBucketCORS GetLifecycleConfiguration PutLifecycleConfiguration GetBucketLogging "
                + "PutBucketLogging GetBucketNotification PutBucketNotification GetBucketWebsite PutBucketWebsite "
                + "DeleteBucketWebsite GetReplicationConfiguration PutReplicationConfiguration "
                + "GetEncryptionConfiguration PutEncryptionConfiguration GetBucketPolicyStatus "
                + "GetBucketPublicAccessBlock PutBucketPublicAccessBlock GetBucketOwnershipControls "
                + "PutBucketOwnershipControls GetBucketObjectLockConfiguration PutBucketObjectLockConfiguration "
                + "GetBucketRequestPayment PutBucketRequestPayment GetAccelerateConfiguration "
                + "PutAccelerateConfiguration").split(" ")) {
            m.put("s3:" + a.toLowerCase(Locale.ROOT), Kind.BUCKET);
        }
        m.put("s3:listallmybuckets", Kind.SERVICE);
        ALL = Map.copyOf(m);
    }

    private S3Actions() {
    }
}
