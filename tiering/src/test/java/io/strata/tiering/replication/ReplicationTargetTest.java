package io.strata.tiering.replication;

import io.strata.tiering.S3ColdTierConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationTargetTest {
    private static ReplicationTarget target(String name, String endpoint, String bucket) {
        return new ReplicationTarget(name, S3ColdTierConfig.of(URI.create(endpoint), "us-east-1", bucket, "", "AK",
                "very-secret", true));
    }

    @Test
    void aDestinationResolvesToTheOneTargetWithItsBucket() {
        ReplicationTarget west = target("west", "http://10.0.0.1:9000", "data");
        ReplicationTarget east = target("east", "http://10.0.0.2:9000", "logs");
        assertEquals("arn:aws:s3:::data", west.arn());
        assertEquals(List.of(west), ReplicationTarget.matching("arn:aws:s3:::data", List.of(west, east)));
        assertEquals(List.of(east), ReplicationTarget.matching(east.arn(), List.of(west, east)));
    }

    @Test
    void aDestinationNamingNoTargetOrSeveralDoesNotResolve() {
        ReplicationTarget west = target("west", "http://10.0.0.1:9000", "data");
        ReplicationTarget other = target("other", "http://10.0.0.3:9000", "data");
        assertEquals(List.of(), ReplicationTarget.matching("arn:aws:s3:::nothing", List.of(west)));
        assertEquals(List.of(west, other), ReplicationTarget.matching("arn:aws:s3:::data", List.of(west, other)));
        for (String notABucketArn : new String[] {"data", "arn:aws:s3:::", "arn:aws:s3:::data/key", "arn:aws:iam:::data"}) {
            assertEquals(List.of(), ReplicationTarget.matching(notABucketArn, List.of(west)), notABucketArn);
            assertEquals(Optional.empty(), ReplicationTarget.bucketOf(notABucketArn), notABucketArn);
        }
    }

    @Test
    void namesAreFileNameSafeAndSecretsStayOutOfToString() {
        for (String bad : new String[] {"", "-x", "West", "a/b", "a.b", "x".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> ReplicationTarget.checkName(bad), bad);
        }
        ReplicationTarget t = target("west-2", "http://10.0.0.1:9000", "data");
        assertFalse(t.toString().contains("very-secret"), t.toString());
        assertTrue(t.toString().contains("west-2"));
    }
}
