package io.strata.gateway;

import io.strata.gateway.cli.AdminClient;
import io.strata.gateway.replication.ReplicationResync;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.namespace.BulkJob;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.NamespaceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A resync's counters count each source version once even when the store fails between queueing a page's
 * operations and recording the page (what a crash there does): the page is redone and counted once, and the
 * operations queued twice reach the target as one. The gateway replicates to a bucket of its own (a Strata
 * target), and the objects were written before the rule existed: a resync is how existing objects are sent.
 */
class ResyncCountsTest {
    private static final String RESYNC = "/_strata/admin/replication/resync";

    @TempDir
    Path dir;

    private static void waitFor(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after 30 s waiting for: " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(20);   // a poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aStoreFailureBetweenQueueingAPageAndRecordingItCountsThePageOnce() throws Exception {
        AtomicInteger records = new AtomicInteger();
        Map<String, String> flags = Map.of("replication.interval", "50ms", "replication.resync-page-size", "3");
        try (InProcessGateway gateway = InProcessGateway.start(dir, flags, ns -> FaultyNamespace.wrap(ns, call -> {
            // The first page's record fails, after its operations were queued.
            if (call.method().equals("recordBulkProgress") && call.args()[0] instanceof BulkJob j
                    && j.action().equals(ReplicationResync.ACTION) && records.incrementAndGet() == 1) {
                return new NamespaceException(NamespaceException.Reason.UNAVAILABLE, "injected: the page is not recorded");
            }
            return null;
        }))) {
            AdminClient admin = AdminClient.connect(null, Map.of("auth.access-key", InProcessGateway.ACCESS_KEY,
                    "auth.secret-key", InProcessGateway.SECRET_KEY), "http://127.0.0.1:" + gateway.port());
            admin.call("POST", "/_strata/admin/replication/targets", "name=self", ("{\"endpoint\":\"http://127.0.0.1:"
                    + gateway.port() + "\",\"bucket\":\"dst\",\"access-key\":\"" + InProcessGateway.ACCESS_KEY
                    + "\",\"secret-key\":\"" + InProcessGateway.SECRET_KEY + "\",\"path-style\":\"true\"}")
                    .getBytes(StandardCharsets.UTF_8));
            gateway.createBucket("dst");
            // S3 replication needs versioning at the destination too: the sender refuses an unversioned one.
            gateway.s3().putBucketVersioning(b -> b.bucket("dst")
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            gateway.createBucket("src");
            gateway.s3().putBucketVersioning(b -> b.bucket("src")
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
            List<String> keys = List.of("k0", "k1", "k2", "k3", "k4");
            for (String k : keys) gateway.s3().putObject(b -> b.bucket("src").key(k), RequestBody.fromString("data of " + k));
            // The worker has read those writes with no rule in place: they are existing objects.
            ChangeFeed feed = gateway.service().namespace().changeFeed();
            long head = feed.head();
            waitFor("the writes read", () -> feed.cursor(ReplicationTargets.cursorName("self")).orElseThrow().position() >= head);
            gateway.s3().putBucketReplication(b -> b.bucket("src").replicationConfiguration(c -> c
                    .role("arn:aws:iam::123456789012:role/replication")
                    .rules(ReplicationRule.builder().id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                            .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                            .destination(d -> d.bucket("arn:aws:s3:::dst")).build())));

            admin.call("POST", RESYNC, "bucket=src&target=self");
            waitFor("the resync DONE", () -> {
                try {
                    List<?> jobs = (List<?>) admin.call("GET", RESYNC, "bucket=src").get("jobs");
                    return "DONE".equals(((Map<?, ?>) jobs.getFirst()).get("state"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Map<?, ?> job = (Map<?, ?>) ((List<?>) admin.call("GET", RESYNC, "bucket=src").get("jobs")).getFirst();
            assertEquals(List.of(5L, 5L, 0L, 0L, 0L), List.of(job.get("scanned"), job.get("queued"), job.get("present"),
                    job.get("skipped"), job.get("errors")).stream().map(n -> ((Number) n).longValue()).toList(), job.toString());
            assertEquals(3, records.get(), "the first page recorded at its second attempt, then the second page");
            waitFor("every object at the target", () -> keys.stream().allMatch(k -> {
                try {
                    gateway.s3().headObject(h -> h.bucket("dst").key(k));
                    return true;
                } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                    return false;
                }
            }));
            for (String k : keys) {
                assertArrayEquals(("data of " + k).getBytes(StandardCharsets.UTF_8),
                        gateway.s3().getObjectAsBytes(g -> g.bucket("dst").key(k)).asByteArray());
            }
        }
    }
}
