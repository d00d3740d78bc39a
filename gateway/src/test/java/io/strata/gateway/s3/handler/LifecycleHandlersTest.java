package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.gateway.s3.xml.LifecycleXml;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.tiering.lifecycle.LifecycleConfiguration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfigurationCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetBucketLifecycleConfigurationResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where Put/Get/DeleteBucketLifecycleConfiguration keep the configuration, old buckets included. */
class LifecycleHandlersTest {
    private static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";

    @TempDir
    Path dir;

    private static LifecycleRule expireLogs() {
        return LifecycleRule.builder().id("expire-logs").status(ExpirationStatus.ENABLED)
                .filter(f -> f.prefix("logs/")).expiration(e -> e.days(30)).build();
    }

    @Test
    void putKeepsOneCodecDocumentThatGetAnswersAsSent() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("fresh");
            LifecycleRule everything = LifecycleRule.builder().id("everything").status(ExpirationStatus.DISABLED)
                    .filter(f -> f.and(LifecycleRuleAndOperator.builder().prefix("data/")
                            .tags(Tag.builder().key("z").value("1").build(), Tag.builder().key("a").value("2").build())
                            .objectSizeGreaterThan(1024L).build()))
                    .transitions(Transition.builder().days(0).storageClass("COLD").build())
                    .build();
            LifecycleRule all = LifecycleRule.builder().id("all").status(ExpirationStatus.ENABLED)
                    .filter(f -> f.prefix("")).abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(3)).build();
            gateway.s3().putBucketLifecycleConfiguration(b -> b.bucket("fresh").transitionDefaultMinimumObjectSize(
                    LifecycleHandlers.VARIES).lifecycleConfiguration(c -> c.rules(expireLogs(), everything, all)));

            Namespace ns = gateway.service().namespace();
            BucketName bucket = new BucketName("fresh");
            LifecycleConfiguration stored = LifecycleConfigurationCodec.decode(
                    ns.bucketConfig(bucket, LifecycleConfigurationCodec.KIND).orElseThrow());
            assertEquals(0, stored.transitionMinimumSize());
            assertEquals(List.of("expire-logs", "everything", "all"), stored.rules().stream().map(r -> r.id()).toList());
            assertTrue(ns.bucketConfig(bucket, LifecycleXml.KIND).isEmpty());
            assertTrue(ns.bucketConfig(bucket, LifecycleHandlers.MINIMUM_KIND).isEmpty());
            assertEquals(stored, gateway.service().lifecycle(bucket).orElseThrow());

            GetBucketLifecycleConfigurationResponse got = gateway.s3().getBucketLifecycleConfiguration(b -> b.bucket("fresh"));
            assertEquals(List.of(expireLogs(), everything, all), got.rules());
            assertEquals(LifecycleHandlers.VARIES, got.transitionDefaultMinimumObjectSizeAsString());
        }
    }

    @Test
    void aBucketConfiguredAsXmlByAnOlderGatewayKeepsItsRulesUntilReplaced() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("old");
            Namespace ns = gateway.service().namespace();
            BucketName bucket = new BucketName("old");
            // As older gateways stored it: the document as sent, and the minimum's setting beside it.
            String xml = "<LifecycleConfiguration xmlns=\"" + NS + "\"><Rule><ID>expire-logs</ID><Filter><Prefix>logs/"
                    + "</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>"
                    + "<Rule><ID>move</ID><Prefix>data/</Prefix><Status>Enabled</Status><Transition><Days>0</Days>"
                    + "<StorageClass>COLD</StorageClass></Transition></Rule></LifecycleConfiguration>";
            ns.putBucketConfig(bucket, LifecycleXml.KIND, xml.getBytes(StandardCharsets.UTF_8));
            ns.putBucketConfig(bucket, LifecycleHandlers.MINIMUM_KIND,
                    LifecycleHandlers.VARIES.getBytes(StandardCharsets.UTF_8));

            LifecycleConfiguration worker = gateway.service().lifecycle(bucket).orElseThrow();
            assertEquals(0, worker.transitionMinimumSize());
            assertEquals(List.of("expire-logs", "move"), worker.rules().stream().map(r -> r.id()).toList());
            assertEquals(Filter.Form.RULE_PREFIX, worker.rules().get(1).filter().form());
            assertEquals("data/", worker.rules().get(1).filter().prefix());

            GetBucketLifecycleConfigurationResponse got = gateway.s3().getBucketLifecycleConfiguration(b -> b.bucket("old"));
            assertEquals(expireLogs(), got.rules().getFirst());
            assertEquals("move", got.rules().get(1).id());
            assertEquals(List.of(Transition.builder().days(0).storageClass("COLD").build()), got.rules().get(1).transitions());
            assertEquals(LifecycleHandlers.VARIES, got.transitionDefaultMinimumObjectSizeAsString());

            gateway.s3().putBucketLifecycleConfiguration(b -> b.bucket("old")
                    .lifecycleConfiguration(c -> c.rules(expireLogs())));
            assertTrue(ns.bucketConfig(bucket, LifecycleXml.KIND).isEmpty());
            assertTrue(ns.bucketConfig(bucket, LifecycleHandlers.MINIMUM_KIND).isEmpty());
            got = gateway.s3().getBucketLifecycleConfiguration(b -> b.bucket("old"));
            assertEquals(List.of(expireLogs()), got.rules());
            assertEquals(LifecycleHandlers.ALL_128K, got.transitionDefaultMinimumObjectSizeAsString());
        }
    }

    @Test
    void deleteRemovesTheConfigurationInEitherForm() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            gateway.createBucket("gone");
            Namespace ns = gateway.service().namespace();
            BucketName bucket = new BucketName("gone");
            gateway.s3().putBucketLifecycleConfiguration(b -> b.bucket("gone")
                    .lifecycleConfiguration(c -> c.rules(expireLogs())));
            ns.putBucketConfig(bucket, LifecycleXml.KIND, ("<LifecycleConfiguration><Rule><ID>x</ID><Filter/><Status>Enabled"
                    + "</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>").getBytes(StandardCharsets.UTF_8));

            gateway.s3().deleteBucketLifecycle(b -> b.bucket("gone"));
            S3Exception e = assertThrows(S3Exception.class, () -> gateway.s3().getBucketLifecycleConfiguration(b -> b.bucket("gone")));
            assertEquals(404, e.statusCode());
            assertEquals("NoSuchLifecycleConfiguration", e.awsErrorDetails().errorCode());
            assertTrue(gateway.service().lifecycle(bucket).isEmpty());
        }
    }
}
