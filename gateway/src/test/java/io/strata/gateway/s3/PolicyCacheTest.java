package io.strata.gateway.s3;

import io.strata.auth.AuthException;
import io.strata.namespace.BucketName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PolicyCacheTest {
    private static final BucketName PHOTOS = new BucketName("photos");
    private static final BucketName LOGS = new BucketName("logs");

    private static byte[] publicRead(String bucket, String action) {
        return ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"" + action
                + "\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anUnchangedDocumentIsParsedOnceAndAChangedOneAgain() {
        PolicyCache cache = new PolicyCache();
        var first = cache.policy(PHOTOS, publicRead("photos", "s3:GetObject"));
        assertSame(first, cache.policy(PHOTOS, publicRead("photos", "s3:GetObject")));
        var changed = cache.policy(PHOTOS, publicRead("photos", "s3:PutObject"));
        assertNotSame(first, changed);
        assertSame(changed, cache.policy(PHOTOS, publicRead("photos", "s3:PutObject")));
    }

    @Test
    void bucketsDoNotShareEntriesAndAForgottenOneIsParsedAgain() {
        PolicyCache cache = new PolicyCache();
        var photos = cache.policy(PHOTOS, publicRead("photos", "s3:GetObject"));
        var logs = cache.policy(LOGS, publicRead("logs", "s3:GetObject"));
        assertNotSame(photos, logs);
        assertSame(photos, cache.policy(PHOTOS, publicRead("photos", "s3:GetObject")));
        cache.forget(PHOTOS);
        assertNotSame(photos, cache.policy(PHOTOS, publicRead("photos", "s3:GetObject")));
    }

    @Test
    void aDocumentThatDoesNotParseIsRefusedEveryTimeAndNotCached() {
        PolicyCache cache = new PolicyCache();
        // A policy naming another bucket is malformed for this one.
        assertThrows(AuthException.class, () -> cache.policy(PHOTOS, publicRead("logs", "s3:GetObject")));
        assertThrows(AuthException.class, () -> cache.policy(PHOTOS, publicRead("logs", "s3:GetObject")));
    }
}
