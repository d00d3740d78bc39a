package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

/** Object behaviours pipelines rely on beyond the core API, through the SDK and boto3. */
class ObjectDetailsTest extends GatewayTest {

    @Test
    void putHeadAndGetAnnounceALifecycleExpiration() {
        String bucket = createBucket("expiration");
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("tmp-7d").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("tmp/"))
                        .expiration(e -> e.days(7)).build())));
        String put = s3.putObject(b -> b.bucket(bucket).key("tmp/a"), RequestBody.fromString("v")).expiration();
        assertTrue(put.matches("expiry-date=\"\\w{3}, \\d{2} \\w{3} \\d{4} 00:00:00 GMT\", rule-id=\"tmp-7d\""), put);
        assertEquals(put, s3.headObject(b -> b.bucket(bucket).key("tmp/a")).expiration());
        assertEquals(put, s3.getObject(b -> b.bucket(bucket).key("tmp/a")).response().expiration());
        s3.putObject(b -> b.bucket(bucket).key("kept"), RequestBody.fromString("v"));
        assertNull(s3.headObject(b -> b.bucket(bucket).key("kept")).expiration());
    }

    @Test
    void nonAsciiUserMetadataFromTheSdkIsStoredAndReturnedRfc2047Encoded() {
        String bucket = createBucket("metadata");
        s3.putObject(b -> b.bucket(bucket).key("k").metadata(java.util.Map.of("name", "café ü")), RequestBody.fromString("v"));
        assertEquals("=?UTF-8?B?Y2Fmw6kgw7w=?=", s3.headObject(b -> b.bucket(bucket).key("k")).metadata().get("name"));
    }

    @Test
    void boto3FirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Script.run(RealClients.onPathOrFail("python3", "python3").toString(), "boto3_object_details.py", server, root);
    }
}
