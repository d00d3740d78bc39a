package io.strata.gateway.s3;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class S3OperationTest {

    @ParameterizedTest(name = "{0} bucket={1} key={2} query=[{3}] copy={4} -> {5}")
    @CsvSource({
            "GET,    false, false, '',                         false, LIST_BUCKETS",
            "PUT,    false, false, '',                         false, METHOD_NOT_ALLOWED",
            "PUT,    true,  false, '',                         false, CREATE_BUCKET",
            "HEAD,   true,  false, '',                         false, HEAD_BUCKET",
            "DELETE, true,  false, '',                         false, DELETE_BUCKET",
            "GET,    true,  false, location,                   false, GET_BUCKET_LOCATION",
            "GET,    true,  false, '',                         false, LIST_OBJECTS",
            "GET,    true,  false, list-type prefix,           false, LIST_OBJECTS_V2",
            "GET,    true,  false, uploads,                    false, LIST_MULTIPART_UPLOADS",
            "POST,   true,  false, delete,                     false, DELETE_OBJECTS",
            "GET,    true,  false, versioning,                 false, GET_BUCKET_VERSIONING",
            "PUT,    true,  false, versioning,                 false, PUT_BUCKET_VERSIONING",
            "GET,    true,  false, versions prefix key-marker, false, LIST_OBJECT_VERSIONS",
            "GET,    true,  true,  versionId,                  false, GET_OBJECT",
            "HEAD,   true,  true,  versionId,                  false, HEAD_OBJECT",
            "DELETE, true,  true,  versionId,                  false, DELETE_OBJECT",
            "GET,    true,  false, object-lock,                false, NOT_IMPLEMENTED",
            "PUT,    true,  false, policy,                     false, PUT_BUCKET_POLICY",
            "GET,    true,  false, policy,                     false, GET_BUCKET_POLICY",
            "DELETE, true,  false, policy,                     false, DELETE_BUCKET_POLICY",
            "GET,    true,  false, policyStatus,               false, GET_BUCKET_POLICY_STATUS",
            "PUT,    true,  false, policyStatus,               false, NOT_IMPLEMENTED",
            "GET,    true,  false, publicAccessBlock,          false, GET_PUBLIC_ACCESS_BLOCK",
            "PUT,    true,  false, publicAccessBlock,          false, PUT_PUBLIC_ACCESS_BLOCK",
            "DELETE, true,  false, publicAccessBlock,          false, DELETE_PUBLIC_ACCESS_BLOCK",
            "GET,    true,  false, ownershipControls,          false, GET_BUCKET_OWNERSHIP_CONTROLS",
            "PUT,    true,  false, ownershipControls,          false, PUT_BUCKET_OWNERSHIP_CONTROLS",
            "DELETE, true,  false, ownershipControls,          false, DELETE_BUCKET_OWNERSHIP_CONTROLS",
            "GET,    true,  true,  publicAccessBlock,          false, NOT_IMPLEMENTED",
            "GET,    true,  false, acl,                        false, GET_BUCKET_ACL",
            "PUT,    true,  false, acl,                        false, PUT_BUCKET_ACL",
            "POST,   true,  false, '',                         false, POST_OBJECT",
            "POST,   true,  false, tagging,                    false, NOT_IMPLEMENTED",
            "PUT,    true,  true,  acl,                        false, PUT_OBJECT_ACL",
            "DELETE, true,  false, cors,                       false, DELETE_BUCKET_CORS",
            "GET,    true,  false, cors,                       false, GET_BUCKET_CORS",
            "PUT,    true,  false, cors,                       false, PUT_BUCKET_CORS",
            "GET,    true,  false, tagging,                    false, GET_BUCKET_TAGGING",
            "PUT,    true,  false, tagging,                    false, PUT_BUCKET_TAGGING",
            "DELETE, true,  false, tagging,                    false, DELETE_BUCKET_TAGGING",
            "OPTIONS, true, false, '',                         false, CORS_PREFLIGHT",
            "OPTIONS, true, true,  '',                         false, CORS_PREFLIGHT",
            "OPTIONS, false, false, '',                        false, METHOD_NOT_ALLOWED",
            "GET,    true,  false, lifecycle,                  false, GET_BUCKET_LIFECYCLE",
            "PUT,    true,  false, lifecycle,                  false, PUT_BUCKET_LIFECYCLE",
            "DELETE, true,  false, lifecycle,                  false, DELETE_BUCKET_LIFECYCLE",
            "GET,    true,  false, replication,                false, GET_BUCKET_REPLICATION",
            "PUT,    true,  false, replication,                false, PUT_BUCKET_REPLICATION",
            "DELETE, true,  false, replication,                false, DELETE_BUCKET_REPLICATION",
            "POST,   true,  false, replication,                false, NOT_IMPLEMENTED",
            "GET,    true,  true,  replication,                false, NOT_IMPLEMENTED",
            "PUT,    true,  true,  '',                         false, PUT_OBJECT",
            "PUT,    true,  true,  '',                         true,  COPY_OBJECT",
            "PUT,    true,  true,  partNumber uploadId,        false, UPLOAD_PART",
            "GET,    true,  true,  partNumber,                 false, GET_OBJECT",
            "HEAD,   true,  true,  partNumber versionId,       false, HEAD_OBJECT",
            "PUT,    true,  true,  partNumber uploadId,        true,  UPLOAD_PART_COPY",
            "PUT,    true,  true,  tagging,                    false, PUT_OBJECT_TAGGING",
            "PUT,    true,  true,  tagging versionId,          false, PUT_OBJECT_TAGGING",
            "GET,    true,  true,  tagging,                    false, GET_OBJECT_TAGGING",
            "DELETE, true,  true,  tagging,                    false, DELETE_OBJECT_TAGGING",
            "GET,    true,  true,  attributes versionId,       false, GET_OBJECT_ATTRIBUTES",
            "HEAD,   true,  true,  attributes,                 false, NOT_IMPLEMENTED",
            "GET,    true,  true,  '',                         false, GET_OBJECT",
            "GET,    true,  true,  X-Amz-Signature X-Amz-Date, false, GET_OBJECT",
            "GET,    true,  true,  response-content-type,      false, GET_OBJECT",
            "GET,    true,  true,  acl,                        false, GET_OBJECT_ACL",
            "GET,    true,  true,  uploadId,                   false, LIST_PARTS",
            "HEAD,   true,  true,  '',                         false, HEAD_OBJECT",
            "DELETE, true,  true,  '',                         false, DELETE_OBJECT",
            "DELETE, true,  true,  uploadId,                   false, ABORT_MULTIPART_UPLOAD",
            "POST,   true,  true,  uploads,                    false, CREATE_MULTIPART_UPLOAD",
            "POST,   true,  true,  uploadId,                   false, COMPLETE_MULTIPART_UPLOAD",
            "POST,   true,  true,  restore,                    false, RESTORE_OBJECT",
            "POST,   true,  true,  restore versionId,          false, RESTORE_OBJECT",
            "POST,   true,  true,  restore select,             false, NOT_IMPLEMENTED",
            "POST,   true,  true,  select,                     false, NOT_IMPLEMENTED",
            "PATCH,  true,  true,  '',                         false, METHOD_NOT_ALLOWED",
    })
    void resolvesEveryOperation(String method, boolean bucket, boolean key, String query, boolean copy,
                                S3Operation expected) {
        Set<String> names = query.isBlank() ? Set.of()
                : Arrays.stream(query.trim().split("\\s+")).collect(Collectors.toSet());
        assertEquals(expected, S3Operation.resolve(method, bucket, key, names, copy));
    }

    @org.junit.jupiter.api.Test
    void onlyOperationsThatChangeNothingAreReadsAndANewOperationIsAChange() {
        Set<S3Operation> reads = Arrays.stream(S3Operation.values()).filter(S3Operation::readsOnly).collect(Collectors.toSet());
        for (S3Operation op : reads) {
            String name = op.name();
            org.junit.jupiter.api.Assertions.assertFalse(name.startsWith("PUT_") || name.startsWith("DELETE_")
                    || name.startsWith("CREATE_") || name.startsWith("COMPLETE_") || name.startsWith("ABORT_")
                    || name.startsWith("UPLOAD_") || name.equals("COPY_OBJECT") || name.equals("POST_OBJECT")
                    || name.equals("RESTORE_OBJECT"), name + " changes what is stored");
        }
        for (S3Operation op : Set.of(S3Operation.GET_OBJECT, S3Operation.HEAD_OBJECT, S3Operation.LIST_OBJECT_VERSIONS,
                S3Operation.GET_OBJECT_TAGGING, S3Operation.LIST_BUCKETS, S3Operation.GET_OBJECT_ATTRIBUTES)) {
            org.junit.jupiter.api.Assertions.assertTrue(op.readsOnly(), op.name());
        }
    }
}
