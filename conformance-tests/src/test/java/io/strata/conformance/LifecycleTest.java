package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetBucketLifecycleConfigurationResponse;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionExpiration;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * Put/Get/DeleteBucketLifecycleConfiguration and their errors as the SDK sees them. What the
 * lifecycle worker does over days is covered by tiering's LifecycleWorkerTest, whose clock can jump.
 */
class LifecycleTest extends GatewayTest {

    private static LifecycleRule expireLogs() {
        return LifecycleRule.builder().id("expire-logs").status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix("logs/").build())
                .expiration(LifecycleExpiration.builder().days(30).build())
                .build();
    }

    @Test
    void configurationIsStoredReturnedAndDeleted() {
        String bucket = createBucket("lifecycle-crud");
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)));

        LifecycleRule everything = LifecycleRule.builder().id("everything").status(ExpirationStatus.DISABLED)
                .filter(LifecycleRuleFilter.builder().and(LifecycleRuleAndOperator.builder().prefix("data/")
                        .tags(Tag.builder().key("tier").value("cold").build())
                        .objectSizeGreaterThan(1024L).objectSizeLessThan(1L << 30).build()).build())
                .transitions(Transition.builder().days(90).storageClass("COLD").build())
                .noncurrentVersionExpiration(NoncurrentVersionExpiration.builder().noncurrentDays(7)
                        .newerNoncurrentVersions(2).build())
                .build();
        LifecycleRule uploads = LifecycleRule.builder().id("uploads").status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix("").build())
                .abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder().daysAfterInitiation(3).build())
                .expiration(LifecycleExpiration.builder().expiredObjectDeleteMarker(true).build())
                .build();
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(expireLogs(), everything, uploads).build()));

        GetBucketLifecycleConfigurationResponse got = s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket));
        assertEquals(List.of(expireLogs(), everything, uploads), got.rules());

        s3.deleteBucketLifecycle(b -> b.bucket(bucket));
        s3.deleteBucketLifecycle(b -> b.bucket(bucket));   // idempotent, as S3
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)));
        assertS3Error(404, "NoSuchBucket", () -> s3.getBucketLifecycleConfiguration(b -> b.bucket("no-such-bucket-lc")));
    }

    @Test
    void aRuleWithoutIdIsGivenOne() {
        String bucket = createBucket("lifecycle-noid");
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().status(ExpirationStatus.ENABLED).filter(f -> f.prefix("tmp/"))
                        .expiration(e -> e.date(Instant.parse("2031-01-01T00:00:00Z"))).build())));
        LifecycleRule rule = s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules().getFirst();
        assertFalse(rule.id() == null || rule.id().isEmpty());
        assertEquals(Instant.parse("2031-01-01T00:00:00Z"), rule.expiration().date());
    }

    @Test
    void invalidConfigurationsAreRefusedAndChangeNothing() {
        String bucket = createBucket("lifecycle-bad");
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(expireLogs())));

        assertS3Error(400, "InvalidArgument", () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(c -> c.rules(expireLogs().toBuilder().expiration(e -> e.days(0)).build()))));
        assertS3Error(400, "InvalidArgument", () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(c -> c.rules(expireLogs(), expireLogs()))));
        assertS3Error(400, "InvalidArgument", () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(c -> c.rules(expireLogs().toBuilder().id("x".repeat(256)).build()))));
        assertS3Error(400, "InvalidArgument", () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(c -> c.rules(expireLogs().toBuilder()
                        .expiration(e -> e.date(Instant.parse("2031-01-01T12:00:00Z"))).build()))));
        assertS3Error(400, "MalformedXML", () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .lifecycleConfiguration(c -> c.rules(expireLogs().toBuilder().expiration(e -> e.days(3)
                        .expiredObjectDeleteMarker(true)).build()))));

        assertEquals(List.of(expireLogs()), s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules());
    }

    @Test
    void theWorkerIsRunningAndCountsInTheMetrics() throws Exception {
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_lifecycle_actions_total{action=\"expire_current\"}"), metrics);
        assertTrue(metrics.contains("strata_lifecycle_runs_total{outcome=\"completed\"}"), metrics);
    }

    @Test
    void theBodyMustCarryAnIntegrityHeaderThatMatches() throws Exception {
        String bucket = createBucket("lifecycle-md5");
        String xml = "<LifecycleConfiguration><Rule><ID>r</ID><Filter/><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
        RawRequest.Response missing = RawRequest.of("PUT", "/" + bucket).query("lifecycle", "").body(xml).send(server);
        assertEquals(400, missing.status(), missing::toString);
        assertEquals("InvalidRequest", missing.errorCode());

        RawRequest.Response wrong = RawRequest.of("PUT", "/" + bucket).query("lifecycle", "").body(xml)
                .header("Content-MD5", Base64.getEncoder().encodeToString(new byte[16])).send(server);
        assertEquals(400, wrong.status(), wrong::toString);
        assertEquals("BadDigest", wrong.errorCode());
        assertS3Error(404, "NoSuchLifecycleConfiguration", () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)));

        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(xml.getBytes()));
        RawRequest.Response ok = RawRequest.of("PUT", "/" + bucket).query("lifecycle", "").body(xml)
                .header("Content-MD5", md5).send(server);
        assertEquals(200, ok.status(), ok::toString);
        assertTrue(s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).hasRules());
    }
}
