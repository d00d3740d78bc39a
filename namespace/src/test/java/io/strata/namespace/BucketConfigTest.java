package io.strata.namespace;

import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketConfigTest {
    private static final BucketName B = bucketName("bucket");
    private static final byte[] DOC = "{\"Version\":\"2012-10-17\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void documentsArePutReadDeletedAndSurviveReopen() {
        try (Namespace ns = Namespace.open(dir)) {
            ns.createBucket(bucket("bucket"));
            assertTrue(ns.bucketConfig(B, "policy").isEmpty());
            ns.putBucketConfig(B, "policy", DOC);
            ns.putBucketConfig(B, "acl", "public-read".getBytes(StandardCharsets.UTF_8));
        }
        try (Namespace ns = Namespace.open(dir)) {
            assertArrayEquals(DOC, ns.bucketConfig(B, "policy").orElseThrow());
            assertTrue(ns.deleteBucketConfig(B, "policy"));
            assertFalse(ns.deleteBucketConfig(B, "policy"));
            assertTrue(ns.bucketConfig(B, "policy").isEmpty());
            assertEquals("public-read", new String(ns.bucketConfig(B, "acl").orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void documentsGoWithTheBucketAndNeedOne() {
        try (Namespace ns = Namespace.open(dir)) {
            ns.createBucket(bucket("bucket"));
            ns.putBucketConfig(B, "policy", DOC);
            ns.deleteBucket(B);
            for (var call : new org.junit.jupiter.api.function.Executable[] {
                    () -> ns.bucketConfig(B, "policy"), () -> ns.putBucketConfig(B, "policy", DOC),
                    () -> ns.deleteBucketConfig(B, "policy")}) {
                assertEquals(NamespaceException.Reason.BUCKET_NOT_FOUND, assertThrows(NamespaceException.class, call).reason());
            }
            ns.createBucket(bucket("bucket"));
            assertTrue(ns.bucketConfig(B, "policy").isEmpty(), "a new bucket of the same name starts without a policy");
            // A bucket whose name is a prefix of another never sees the other's documents.
            ns.createBucket(bucket("bucket-2"));
            ns.putBucketConfig(bucketName("bucket-2"), "policy", DOC);
            assertTrue(ns.bucketConfig(B, "policy").isEmpty());
        }
    }
}
