package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.gateway.config.ReplicationTargetSpec;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.tiering.replication.ReplicationConfigurationCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ExistingObjectReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicaModificationsStatus;
import software.amazon.awssdk.services.s3.model.ReplicationConfiguration;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleAndOperator;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Put/Get/DeleteBucketReplication through the AWS SDK against an in-process gateway whose targets were
 * registered before it started: what S3 checks against the bucket (versioning), what Strata checks against
 * its targets, and that a refused request changes nothing stored.
 */
class ReplicationHandlersTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/replication";

    @TempDir
    Path dir;

    /** Registers a target before the gateway starts (which registers its change log cursor then). */
    private void target(String name, String endpoint, String bucket) throws Exception {
        try (Namespace scratch = Namespace.open(dir.resolve("scratch-meta"))) {
            new ReplicationTargets(dir, scratch.changeFeed()).add(ReplicationTargetSpec.parse(name, Map.of("endpoint", endpoint, "bucket", bucket,
                    "access-key", "AK", "secret-key", "SK")), arn -> List.of());
        }
    }

    private static ReplicationRule rule(String id, int priority, String destinationBucket) {
        return ReplicationRule.builder().id(id).priority(priority).status(ReplicationRuleStatus.ENABLED)
                .filter(f -> f.prefix("logs/"))
                .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                .destination(d -> d.bucket("arn:aws:s3:::" + destinationBucket)).build();
    }

    private static void put(S3Client s3, String bucket, ReplicationRule... rules) {
        s3.putBucketReplication(b -> b.bucket(bucket).replicationConfiguration(c -> c.role(ROLE).rules(rules)));
    }

    private static S3Exception refused(int status, String code, Runnable call) {
        S3Exception e = assertThrows(S3Exception.class, call::run);
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        return e;
    }

    private static void enableVersioning(S3Client s3, String bucket) {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    }

    @Test
    void aConfigurationIsStoredReturnedAsSentAndDeleted() throws Exception {
        target("west", "http://127.0.0.1:9100", "west-data");
        target("east", "https://s3.example.com", "east-data");
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("photos");
            refused(404, "ReplicationConfigurationNotFoundError", () -> s3.getBucketReplication(b -> b.bucket("photos")));
            enableVersioning(s3, "photos");
            ReplicationRule everything = ReplicationRule.builder().id("tagged").priority(2)
                    .status(ReplicationRuleStatus.DISABLED)
                    .filter(f -> f.and(ReplicationRuleAndOperator.builder().prefix("raw/")
                            .tags(Tag.builder().key("z").value("1").build(), Tag.builder().key("a").value("2").build()).build()))
                    .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                    .existingObjectReplication(x -> x.status(ExistingObjectReplicationStatus.ENABLED))
                    .sourceSelectionCriteria(c -> c.replicaModifications(m -> m.status(ReplicaModificationsStatus.ENABLED)))
                    .destination(d -> d.bucket("arn:aws:s3:::east-data").storageClass(StorageClass.STANDARD_IA)).build();
            put(s3, "photos", rule("logs", 1, "west-data"), everything);

            ReplicationConfiguration got = s3.getBucketReplication(b -> b.bucket("photos")).replicationConfiguration();
            assertEquals(ROLE, got.role());
            assertEquals(List.of(rule("logs", 1, "west-data"), everything), got.rules());
            assertTrue(gateway.service().namespace().bucketConfig(new BucketName("photos"), ReplicationConfigurationCodec.KIND)
                    .isPresent(), "kept in the codec's form");

            s3.deleteBucketReplication(b -> b.bucket("photos"));
            s3.deleteBucketReplication(b -> b.bucket("photos"));   // idempotent, as S3
            refused(404, "ReplicationConfigurationNotFoundError", () -> s3.getBucketReplication(b -> b.bucket("photos")));
            refused(404, "NoSuchBucket", () -> s3.getBucketReplication(b -> b.bucket("no-such-bucket")));
        }
    }

    @Test
    void versioningMustBeEnabledAndStayEnabledWhileAConfigurationExists() throws Exception {
        target("west", "http://127.0.0.1:9100", "west-data");
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("photos");
            S3Exception unversioned = refused(400, "InvalidRequest", () -> put(s3, "photos", rule("r", 1, "west-data")));
            assertTrue(unversioned.getMessage().contains(
                    "Versioning must be 'Enabled' on the bucket to apply a replication configuration"), unversioned.getMessage());
            enableVersioning(s3, "photos");
            s3.putBucketVersioning(b -> b.bucket("photos").versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
            refused(400, "InvalidRequest", () -> put(s3, "photos", rule("r", 1, "west-data")));

            enableVersioning(s3, "photos");
            put(s3, "photos", rule("r", 1, "west-data"));
            S3Exception suspend = refused(409, "InvalidBucketState", () -> s3.putBucketVersioning(b -> b.bucket("photos")
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED))));
            assertTrue(suspend.getMessage().contains("A replication configuration is present on this bucket"), suspend.getMessage());
            assertEquals(BucketVersioningStatus.ENABLED, s3.getBucketVersioning(b -> b.bucket("photos")).status());
            enableVersioning(s3, "photos");   // Enabled again is no change, and allowed

            s3.deleteBucketReplication(b -> b.bucket("photos"));
            s3.putBucketVersioning(b -> b.bucket("photos").versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
        }
    }

    @Test
    void aDestinationMustResolveToExactlyOneTargetAndARefusalChangesNothing() throws Exception {
        target("west", "http://127.0.0.1:9100", "west-data");
        target("twin-a", "http://127.0.0.1:9101", "twin");
        target("twin-b", "http://127.0.0.1:9102", "twin");
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("photos");
            enableVersioning(s3, "photos");
            put(s3, "photos", rule("r", 1, "west-data"));
            byte[] before = gateway.service().namespace().bucketConfig(new BucketName("photos"),
                    ReplicationConfigurationCodec.KIND).orElseThrow();

            S3Exception none = refused(400, "InvalidRequest", () -> put(s3, "photos", rule("r", 1, "nowhere")));
            assertTrue(none.getMessage().contains("strata replicate target add"), none.getMessage());
            assertTrue(none.getMessage().contains("arn:aws:s3:::nowhere"), none.getMessage());
            S3Exception several = refused(400, "InvalidRequest", () -> put(s3, "photos", rule("r", 1, "twin")));
            assertTrue(several.getMessage().contains("twin-a, twin-b"), several.getMessage());
            assertTrue(several.getMessage().contains("strata replicate target add"), several.getMessage());
            refused(400, "InvalidRequest", () -> put(s3, "photos", rule("a", 1, "west-data"), rule("b", 1, "west-data")));

            assertArrayEquals(before, gateway.service().namespace().bucketConfig(new BucketName("photos"),
                    ReplicationConfigurationCodec.KIND).orElseThrow(), "refused requests left the configuration as it was");
            assertEquals(Optional.of("r"), s3.getBucketReplication(b -> b.bucket("photos")).replicationConfiguration()
                    .rules().stream().map(ReplicationRule::id).findFirst());
        }
    }

    @Test
    void anUnconfiguredBucketAnswersS3sErrorBody() throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("plain");
            Consumer<SdkServiceException> check = e -> assertTrue(e.getMessage().contains("The replication configuration was not found"),
                    e.getMessage());
            check.accept(refused(404, "ReplicationConfigurationNotFoundError",
                    () -> gateway.s3().getBucketReplication(b -> b.bucket("plain"))));
        }
    }
}
