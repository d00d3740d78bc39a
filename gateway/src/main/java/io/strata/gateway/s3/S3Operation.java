package io.strata.gateway.s3;

import java.util.Set;

/**
 * The S3 operations and how a request maps to one. {@link #resolve} is a pure function of the
 * method, whether the request names a bucket and a key, and the query parameter names.
 */
public enum S3Operation {
    LIST_BUCKETS,
    CREATE_BUCKET, HEAD_BUCKET, DELETE_BUCKET, GET_BUCKET_LOCATION,
    GET_BUCKET_VERSIONING, PUT_BUCKET_VERSIONING,
    LIST_OBJECTS, LIST_OBJECTS_V2, LIST_OBJECT_VERSIONS, LIST_MULTIPART_UPLOADS, DELETE_OBJECTS,
    PUT_OBJECT, COPY_OBJECT, GET_OBJECT, HEAD_OBJECT, DELETE_OBJECT,
    CREATE_MULTIPART_UPLOAD, UPLOAD_PART, UPLOAD_PART_COPY, COMPLETE_MULTIPART_UPLOAD, ABORT_MULTIPART_UPLOAD,
    LIST_PARTS,
    GET_BUCKET_POLICY, PUT_BUCKET_POLICY, DELETE_BUCKET_POLICY,
    GET_BUCKET_LIFECYCLE, PUT_BUCKET_LIFECYCLE, DELETE_BUCKET_LIFECYCLE,
    GET_BUCKET_REPLICATION, PUT_BUCKET_REPLICATION, DELETE_BUCKET_REPLICATION,
    GET_BUCKET_ACL, PUT_BUCKET_ACL, GET_OBJECT_ACL, PUT_OBJECT_ACL,
    GET_OBJECT_TAGGING, PUT_OBJECT_TAGGING, DELETE_OBJECT_TAGGING,
    GET_BUCKET_TAGGING, PUT_BUCKET_TAGGING, DELETE_BUCKET_TAGGING,
    GET_BUCKET_CORS, PUT_BUCKET_CORS, DELETE_BUCKET_CORS,
    GET_OBJECT_ATTRIBUTES,
    GET_PUBLIC_ACCESS_BLOCK, PUT_PUBLIC_ACCESS_BLOCK, DELETE_PUBLIC_ACCESS_BLOCK,
    GET_BUCKET_OWNERSHIP_CONTROLS, PUT_BUCKET_OWNERSHIP_CONTROLS, DELETE_BUCKET_OWNERSHIP_CONTROLS,
    GET_BUCKET_POLICY_STATUS,
    /** POST ?restore on an object: RestoreObject, a move of a cold version into the hot tier. */
    RESTORE_OBJECT,
    /** OPTIONS on a bucket or object: a browser's CORS preflight, answered without authentication. */
    CORS_PREFLIGHT,
    /** Browser-based upload: POST to the bucket with a multipart/form-data body. */
    POST_OBJECT,
    /** A real S3 operation this gateway does not offer (yet): 501 NotImplemented. */
    NOT_IMPLEMENTED,
    /** Not an S3 operation at all for this resource: 405 MethodNotAllowed. */
    METHOD_NOT_ALLOWED;

    /** The operations that change nothing stored: all a read-only bucket (an attached snapshot) answers. */
    private static final Set<S3Operation> READS = java.util.EnumSet.of(LIST_BUCKETS, HEAD_BUCKET, GET_BUCKET_LOCATION,
            GET_BUCKET_VERSIONING, LIST_OBJECTS, LIST_OBJECTS_V2, LIST_OBJECT_VERSIONS, LIST_MULTIPART_UPLOADS,
            GET_OBJECT, HEAD_OBJECT, LIST_PARTS, GET_BUCKET_POLICY, GET_BUCKET_LIFECYCLE, GET_BUCKET_REPLICATION, GET_BUCKET_ACL, GET_OBJECT_ACL,
            GET_OBJECT_TAGGING, GET_BUCKET_TAGGING, GET_BUCKET_CORS, GET_OBJECT_ATTRIBUTES, CORS_PREFLIGHT,
            GET_PUBLIC_ACCESS_BLOCK, GET_BUCKET_OWNERSHIP_CONTROLS, GET_BUCKET_POLICY_STATUS,
            NOT_IMPLEMENTED, METHOD_NOT_ALLOWED);

    /**
     * Whether the operation changes nothing stored. A new operation is a change until listed here,
     * so a read-only bucket refuses what it does not know.
     */
    public boolean readsOnly() {
        return READS.contains(this);
    }

    /**
     * Query parameters that select a sub-resource (an S3 operation of its own). A request carrying
     * one we do not handle is answered 501 instead of being mistaken for a plain GET/PUT.
     * {@code partNumber} is not one: on GET/HEAD it selects a part of the object, on PUT it goes with uploadId.
     */
    static final Set<String> SUB_RESOURCES = Set.of(
            "acl", "accelerate", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
            "inventory", "legal-hold", "lifecycle", "list-type", "location", "logging", "metadataTable",
            "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
            "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select", "session",
            "tagging", "torrent", "uploadId", "uploads", "versioning", "versions", "website", "renameObject");

    /**
     * @param method    upper-case HTTP method
     * @param hasBucket the request names a bucket
     * @param hasKey    the request names an object key
     * @param query     names of the query parameters present
     * @param copy      an x-amz-copy-source header is present
     */
    public static S3Operation resolve(String method, boolean hasBucket, boolean hasKey, Set<String> query,
                                      boolean copy) {
        if (!hasBucket) {
            return method.equals("GET") ? LIST_BUCKETS : METHOD_NOT_ALLOWED;
        }
        if (method.equals("OPTIONS")) return CORS_PREFLIGHT;
        return hasKey ? objectOperation(method, query, copy) : bucketOperation(method, query);
    }

    private static S3Operation bucketOperation(String method, Set<String> q) {
        return switch (method) {
            case "GET" -> {
                if (q.contains("location")) yield GET_BUCKET_LOCATION;
                if (q.contains("publicAccessBlock")) yield GET_PUBLIC_ACCESS_BLOCK;
                if (q.contains("ownershipControls")) yield GET_BUCKET_OWNERSHIP_CONTROLS;
                if (q.contains("policyStatus")) yield GET_BUCKET_POLICY_STATUS;
                if (q.contains("policy")) yield GET_BUCKET_POLICY;
                if (q.contains("lifecycle")) yield GET_BUCKET_LIFECYCLE;
                if (q.contains("replication")) yield GET_BUCKET_REPLICATION;
                if (q.contains("acl")) yield GET_BUCKET_ACL;
                if (q.contains("tagging")) yield GET_BUCKET_TAGGING;
                if (q.contains("cors")) yield GET_BUCKET_CORS;
                if (q.contains("uploads")) yield LIST_MULTIPART_UPLOADS;
                if (q.contains("versioning")) yield GET_BUCKET_VERSIONING;
                if (q.contains("versions")) yield LIST_OBJECT_VERSIONS;
                if (hasOtherSubResource(q, "list-type")) yield NOT_IMPLEMENTED;
                yield q.contains("list-type") ? LIST_OBJECTS_V2 : LIST_OBJECTS;
            }
            case "HEAD" -> HEAD_BUCKET;
            case "PUT" -> {
                if (q.contains("versioning")) yield PUT_BUCKET_VERSIONING;
                if (q.contains("publicAccessBlock")) yield PUT_PUBLIC_ACCESS_BLOCK;
                if (q.contains("ownershipControls")) yield PUT_BUCKET_OWNERSHIP_CONTROLS;
                if (q.contains("policy")) yield PUT_BUCKET_POLICY;
                if (q.contains("lifecycle")) yield PUT_BUCKET_LIFECYCLE;
                if (q.contains("replication")) yield PUT_BUCKET_REPLICATION;
                if (q.contains("acl")) yield PUT_BUCKET_ACL;
                if (q.contains("tagging")) yield PUT_BUCKET_TAGGING;
                if (q.contains("cors")) yield PUT_BUCKET_CORS;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : CREATE_BUCKET;
            }
            case "DELETE" -> {
                if (q.contains("policy")) yield DELETE_BUCKET_POLICY;
                if (q.contains("publicAccessBlock")) yield DELETE_PUBLIC_ACCESS_BLOCK;
                if (q.contains("ownershipControls")) yield DELETE_BUCKET_OWNERSHIP_CONTROLS;
                if (q.contains("tagging")) yield DELETE_BUCKET_TAGGING;
                if (q.contains("cors")) yield DELETE_BUCKET_CORS;
                if (q.contains("lifecycle")) yield DELETE_BUCKET_LIFECYCLE;
                if (q.contains("replication")) yield DELETE_BUCKET_REPLICATION;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : DELETE_BUCKET;
            }
            case "POST" -> {
                if (q.contains("delete")) yield DELETE_OBJECTS;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : POST_OBJECT;
            }
            default -> METHOD_NOT_ALLOWED;
        };
    }

    private static S3Operation objectOperation(String method, Set<String> q, boolean copy) {
        boolean upload = q.contains("uploadId");
        return switch (method) {
            case "GET" -> {
                if (upload) yield LIST_PARTS;
                if (q.contains("acl")) yield GET_OBJECT_ACL;
                if (q.contains("tagging")) yield GET_OBJECT_TAGGING;
                if (q.contains("attributes")) yield GET_OBJECT_ATTRIBUTES;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : GET_OBJECT;
            }
            case "HEAD" -> hasOtherSubResource(q) ? NOT_IMPLEMENTED : HEAD_OBJECT;
            case "PUT" -> {
                if (upload && q.contains("partNumber")) yield copy ? UPLOAD_PART_COPY : UPLOAD_PART;
                if (q.contains("acl")) yield PUT_OBJECT_ACL;
                if (q.contains("tagging")) yield PUT_OBJECT_TAGGING;
                if (hasOtherSubResource(q)) yield NOT_IMPLEMENTED;
                yield copy ? COPY_OBJECT : PUT_OBJECT;
            }
            case "DELETE" -> {
                if (upload) yield ABORT_MULTIPART_UPLOAD;
                if (q.contains("tagging")) yield DELETE_OBJECT_TAGGING;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : DELETE_OBJECT;
            }
            case "POST" -> {
                if (q.contains("uploads")) yield CREATE_MULTIPART_UPLOAD;
                if (upload) yield COMPLETE_MULTIPART_UPLOAD;
                if (q.contains("restore") && !hasOtherSubResource(q, "restore")) yield RESTORE_OBJECT;
                yield NOT_IMPLEMENTED;
            }
            default -> METHOD_NOT_ALLOWED;
        };
    }

    /**
     * The IAM action a bucket policy names this operation by ("Actions, resources, and condition keys
     * for Amazon S3"), or null for requests that are not S3 operations here (they are refused to
     * anonymous callers and answered 501/405 to the rest). ListBuckets and CreateBucket have no bucket
     * policy to consult; POST_OBJECT is authorized as s3:PutObject by its handler, after the form.
     */
    public String iamAction() {
        return switch (this) {
            case LIST_BUCKETS -> "s3:ListAllMyBuckets";
            case CREATE_BUCKET -> "s3:CreateBucket";
            case HEAD_BUCKET, LIST_OBJECTS, LIST_OBJECTS_V2 -> "s3:ListBucket";
            case DELETE_BUCKET -> "s3:DeleteBucket";
            case GET_BUCKET_LOCATION -> "s3:GetBucketLocation";
            case GET_BUCKET_VERSIONING -> "s3:GetBucketVersioning";
            case PUT_BUCKET_VERSIONING -> "s3:PutBucketVersioning";
            case LIST_OBJECT_VERSIONS -> "s3:ListBucketVersions";
            case LIST_MULTIPART_UPLOADS -> "s3:ListBucketMultipartUploads";
            case DELETE_OBJECTS, DELETE_OBJECT -> "s3:DeleteObject";
            case PUT_OBJECT, COPY_OBJECT, CREATE_MULTIPART_UPLOAD, UPLOAD_PART, UPLOAD_PART_COPY,
                 COMPLETE_MULTIPART_UPLOAD, POST_OBJECT -> "s3:PutObject";
            case GET_OBJECT, HEAD_OBJECT -> "s3:GetObject";
            case ABORT_MULTIPART_UPLOAD -> "s3:AbortMultipartUpload";
            case LIST_PARTS -> "s3:ListMultipartUploadParts";
            case GET_BUCKET_POLICY -> "s3:GetBucketPolicy";
            case PUT_BUCKET_POLICY -> "s3:PutBucketPolicy";
            case DELETE_BUCKET_POLICY -> "s3:DeleteBucketPolicy";
            case GET_BUCKET_LIFECYCLE -> "s3:GetLifecycleConfiguration";
            // S3 has no separate action for DeleteBucketLifecycle.
            case PUT_BUCKET_LIFECYCLE, DELETE_BUCKET_LIFECYCLE -> "s3:PutLifecycleConfiguration";
            case GET_BUCKET_REPLICATION -> "s3:GetReplicationConfiguration";
            // S3 authorizes DeleteBucketReplication with s3:PutReplicationConfiguration too.
            case PUT_BUCKET_REPLICATION, DELETE_BUCKET_REPLICATION -> "s3:PutReplicationConfiguration";
            case GET_BUCKET_ACL -> "s3:GetBucketAcl";
            case PUT_BUCKET_ACL -> "s3:PutBucketAcl";
            case GET_OBJECT_ACL -> "s3:GetObjectAcl";
            case PUT_OBJECT_ACL -> "s3:PutObjectAcl";
            case GET_OBJECT_TAGGING -> "s3:GetObjectTagging";
            case PUT_OBJECT_TAGGING -> "s3:PutObjectTagging";
            case DELETE_OBJECT_TAGGING -> "s3:DeleteObjectTagging";
            case GET_BUCKET_TAGGING -> "s3:GetBucketTagging";
            case PUT_BUCKET_TAGGING, DELETE_BUCKET_TAGGING -> "s3:PutBucketTagging";   // S3 has no s3:DeleteBucketTagging
            case GET_BUCKET_CORS -> "s3:GetBucketCORS";
            case PUT_BUCKET_CORS, DELETE_BUCKET_CORS -> "s3:PutBucketCORS";           // nor s3:DeleteBucketCORS
            case GET_OBJECT_ATTRIBUTES -> "s3:GetObjectAttributes";
            case RESTORE_OBJECT -> "s3:RestoreObject";
            case GET_PUBLIC_ACCESS_BLOCK -> "s3:GetBucketPublicAccessBlock";
            // S3 authorizes the deletes of these configurations with their Put actions.
            case PUT_PUBLIC_ACCESS_BLOCK, DELETE_PUBLIC_ACCESS_BLOCK -> "s3:PutBucketPublicAccessBlock";
            case GET_BUCKET_OWNERSHIP_CONTROLS -> "s3:GetBucketOwnershipControls";
            case PUT_BUCKET_OWNERSHIP_CONTROLS, DELETE_BUCKET_OWNERSHIP_CONTROLS -> "s3:PutBucketOwnershipControls";
            case GET_BUCKET_POLICY_STATUS -> "s3:GetBucketPolicyStatus";
            case CORS_PREFLIGHT, NOT_IMPLEMENTED, METHOD_NOT_ALLOWED -> null;
        };
    }

    /** True if the operation names an object (its resource ARN is bucket/key). */
    public boolean onObject() {
        return switch (this) {
            case PUT_OBJECT, COPY_OBJECT, GET_OBJECT, HEAD_OBJECT, DELETE_OBJECT, CREATE_MULTIPART_UPLOAD,
                 UPLOAD_PART, UPLOAD_PART_COPY, COMPLETE_MULTIPART_UPLOAD, ABORT_MULTIPART_UPLOAD, LIST_PARTS,
                 GET_OBJECT_ACL, PUT_OBJECT_ACL, POST_OBJECT, GET_OBJECT_TAGGING, PUT_OBJECT_TAGGING,
                 DELETE_OBJECT_TAGGING, GET_OBJECT_ATTRIBUTES, RESTORE_OBJECT -> true;
            default -> false;
        };
    }

    private static boolean hasOtherSubResource(Set<String> q, String... allowed) {
        for (String name : q) {
            if (SUB_RESOURCES.contains(name) && !Set.of(allowed).contains(name)) return true;
        }
        return false;
    }
}
