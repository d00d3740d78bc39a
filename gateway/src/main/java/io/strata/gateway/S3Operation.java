package io.strata.gateway;

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
    /** A real S3 operation this gateway does not offer (yet): 501 NotImplemented. */
    NOT_IMPLEMENTED,
    /** Not an S3 operation at all for this resource: 405 MethodNotAllowed. */
    METHOD_NOT_ALLOWED;

    /**
     * Query parameters that select a sub-resource (an S3 operation of its own). A request carrying
     * one we do not handle is answered 501 instead of being mistaken for a plain GET/PUT.
     */
    static final Set<String> SUB_RESOURCES = Set.of(
            "acl", "accelerate", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
            "inventory", "legal-hold", "lifecycle", "list-type", "location", "logging", "metadataTable",
            "metrics", "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus",
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
        return hasKey ? objectOperation(method, query, copy) : bucketOperation(method, query);
    }

    private static S3Operation bucketOperation(String method, Set<String> q) {
        return switch (method) {
            case "GET" -> {
                if (q.contains("location")) yield GET_BUCKET_LOCATION;
                if (q.contains("uploads")) yield LIST_MULTIPART_UPLOADS;
                if (q.contains("versioning")) yield GET_BUCKET_VERSIONING;
                if (q.contains("versions")) yield LIST_OBJECT_VERSIONS;
                if (hasOtherSubResource(q, "list-type")) yield NOT_IMPLEMENTED;
                yield q.contains("list-type") ? LIST_OBJECTS_V2 : LIST_OBJECTS;
            }
            case "HEAD" -> HEAD_BUCKET;
            case "PUT" -> {
                if (q.contains("versioning")) yield PUT_BUCKET_VERSIONING;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : CREATE_BUCKET;
            }
            case "DELETE" -> hasOtherSubResource(q) ? NOT_IMPLEMENTED : DELETE_BUCKET;
            case "POST" -> {
                if (q.contains("delete")) yield DELETE_OBJECTS;
                yield NOT_IMPLEMENTED;   // presigned POST uploads: issue #3
            }
            default -> METHOD_NOT_ALLOWED;
        };
    }

    private static S3Operation objectOperation(String method, Set<String> q, boolean copy) {
        boolean upload = q.contains("uploadId");
        return switch (method) {
            case "GET" -> {
                if (upload) yield LIST_PARTS;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : GET_OBJECT;
            }
            case "HEAD" -> hasOtherSubResource(q) ? NOT_IMPLEMENTED : HEAD_OBJECT;
            case "PUT" -> {
                if (upload && q.contains("partNumber")) yield copy ? UPLOAD_PART_COPY : UPLOAD_PART;
                if (hasOtherSubResource(q)) yield NOT_IMPLEMENTED;
                yield copy ? COPY_OBJECT : PUT_OBJECT;
            }
            case "DELETE" -> {
                if (upload) yield ABORT_MULTIPART_UPLOAD;
                yield hasOtherSubResource(q) ? NOT_IMPLEMENTED : DELETE_OBJECT;
            }
            case "POST" -> {
                if (q.contains("uploads")) yield CREATE_MULTIPART_UPLOAD;
                if (upload) yield COMPLETE_MULTIPART_UPLOAD;
                yield NOT_IMPLEMENTED;
            }
            default -> METHOD_NOT_ALLOWED;
        };
    }

    private static boolean hasOtherSubResource(Set<String> q, String... allowed) {
        for (String name : q) {
            if (SUB_RESOURCES.contains(name) && !Set.of(allowed).contains(name)) return true;
        }
        return false;
    }
}
