package io.strata.gateway.s3.handler;

import io.strata.gateway.InProcessGateway;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.tiering.lifecycle.LifecycleConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** x-amz-expiration on PUT, HEAD and GET of an object a lifecycle Expiration selects. */
class ExpirationHeaderTest {
    private static final DateTimeFormatter RFC_1123 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void putHeadAndGetAnnounceTheExpirationOfTheRuleThatSelectsTheObject() throws IOException {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of())) {
            S3Client s3 = gateway.s3();
            gateway.createBucket("expiring");
            s3.putBucketLifecycleConfiguration(b -> b.bucket("expiring").lifecycleConfiguration(c -> c.rules(
                    LifecycleRule.builder().id("logs-3d").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("logs/"))
                            .expiration(e -> e.days(3)).build(),
                    LifecycleRule.builder().id("tmp-date").status(ExpirationStatus.ENABLED)
                            .filter(f -> f.tag(t -> t.key("tmp").value("1")))
                            .expiration(e -> e.date(Instant.parse("2030-01-01T00:00:00Z"))).build())));

            String put = s3.putObject(b -> b.bucket("expiring").key("logs/a"), RequestBody.fromString("v")).expiration();
            Instant created = gateway.service().namespace().latest(new BucketName("expiring"), new ObjectKey("logs/a"))
                    .orElseThrow().lastModified();
            String expected = "expiry-date=\"" + RFC_1123.format(LifecycleConfiguration.dueAt(created, 3)) + "\", rule-id=\"logs-3d\"";
            assertEquals(expected, put);
            assertEquals(expected, s3.headObject(b -> b.bucket("expiring").key("logs/a")).expiration());
            assertEquals(expected, s3.getObject(b -> b.bucket("expiring").key("logs/a")).response().expiration());

            s3.putObject(b -> b.bucket("expiring").key("data/t").tagging("tmp=1"), RequestBody.fromString("v"));
            assertEquals("expiry-date=\"Tue, 01 Jan 2030 00:00:00 GMT\", rule-id=\"tmp-date\"",
                    s3.headObject(b -> b.bucket("expiring").key("data/t")).expiration());
            s3.putObject(b -> b.bucket("expiring").key("data/kept"), RequestBody.fromString("v"));
            assertNull(s3.headObject(b -> b.bucket("expiring").key("data/kept")).expiration());
        }
    }
}
