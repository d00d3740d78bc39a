package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.ReplicationStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.Tag;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HeadObject and GetObject answer a version's stored replication status in x-amz-replication-status as S3
 * does (nothing for a version no rule selected); new versions, copies included, start without one.
 */
class ReplicationStatusHeaderTest {
    @TempDir
    Path dir;

    private static void setStatus(Namespace ns, String bucket, String key, ReplicationStatus status) {
        ObjectVersion v = ns.latest(new BucketName(bucket), new ObjectKey(key)).orElseThrow();
        assertTrue(ns.replaceVersion(v, v.withAttributes(v.attributes().withReplicationStatus(status))));
    }

    @Test
    void headAndGetAnswerTheStoredStatus() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            Namespace ns = gateway.service().namespace();
            gateway.createBucket("photos");
            s3.putBucketVersioning(b -> b.bucket("photos").versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            s3.putObject(b -> b.bucket("photos").key("k"), RequestBody.fromString("data"));
            assertNull(s3.headObject(b -> b.bucket("photos").key("k")).replicationStatusAsString());

            for (ReplicationStatus status : new ReplicationStatus[] {ReplicationStatus.PENDING, ReplicationStatus.COMPLETED,
                    ReplicationStatus.FAILED, ReplicationStatus.REPLICA}) {
                setStatus(ns, "photos", "k", status);
                assertEquals(status.name(), s3.headObject(b -> b.bucket("photos").key("k")).replicationStatusAsString());
                try (var get = s3.getObject(b -> b.bucket("photos").key("k"))) {
                    assertEquals(status.name(), get.response().replicationStatusAsString());
                }
            }
            // A metadata change keeps it; a copy is a new version, which no rule has selected yet.
            s3.putObjectTagging(b -> b.bucket("photos").key("k").tagging(t -> t.tagSet(Tag.builder().key("a").value("b").build())));
            assertEquals("REPLICA", s3.headObject(b -> b.bucket("photos").key("k")).replicationStatusAsString());
            s3.copyObject(b -> b.sourceBucket("photos").sourceKey("k").destinationBucket("photos").destinationKey("copy"));
            assertNull(s3.headObject(b -> b.bucket("photos").key("copy")).replicationStatusAsString());
        }
    }
}
