package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.ReplicationStatus;

/**
 * Failover and failback between two Strata sites (issue #14), as the runbook does it: A and B on
 * 127.0.0.1 replicate bucket {@value #BUCKET} to each other ({@code --kind strata}, site numbers 1 and 2).
 * A takes writes and B receives them; the link to B is cut, A writes more (a backlog to B) and is killed
 * with {@code kill -9}; clients move to B and write, overwrite and delete there, none of it blocked by A
 * being gone (B's changes for A stay PENDING). Then (a) A returns with its data: both backlogs drain and
 * both sites hold the same versions and current versions, and clients fail back to A; (b) A returns with an
 * empty data directory (its disk was lost): the operator recreates the bucket and its rule at A, B's
 * {@code replicate resync start --target to-a} backfills every current object, those A wrote itself
 * included (history is not backfilled: only current versions), B's live changes keep flowing, and clients
 * fail back again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverFailbackTest {
    static final String BUCKET = "models";

    @TempDir
    static Path root;
    static StrataServer a;
    static StrataServer b;
    static S3Client s3a;
    static S3Client s3b;
    /** A's way to B, which the test cuts: A's target {@code to-b} points here. */
    static ReplicationOutageTest.Forwarder linkAtoB;

    @BeforeAll
    static void startTwoSites() throws Exception {
        a = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("a")), "site-a", 1);
        b = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("b")), "site-b", 2);
        a.start();
        b.start();
        s3a = S3Clients.pathStyle(a);
        s3b = S3Clients.pathStyle(b);
        linkAtoB = new ReplicationOutageTest.Forwarder(StrataServer.freePort(), b.port());
        linkAtoB.open();
        bucket(s3a);
        bucket(s3b);
        replicate(a, s3a, linkAtoB.port, "to-b");
        replicate(b, s3b, a.port(), "to-a");
    }

    /** A fresh client for A after its restart. */
    static void reconnectA() {
        s3a.close();
        s3a = S3Clients.pathStyle(a);
    }

    static void bucket(S3Client s3) {
        bucketNamed(s3, BUCKET);
    }

    static void bucketNamed(S3Client s3, String bucket) {
        s3.createBucket(c -> c.bucket(bucket));
        s3.putBucketVersioning(v -> v.bucket(bucket).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
    }

    static void replicate(StrataServer from, S3Client s3, int port, String target) throws Exception {
        replicate(from, s3, BUCKET, port, target);
    }

    /** {@code from}'s bucket sends everything, delete markers included, to the same bucket of the Strata on {@code port}. */
    static void replicate(StrataServer from, S3Client s3, String bucket, int port, String target) throws Exception {
        ReplicationWorkerTest.admin(from, "POST", "/replication/targets", Map.of("name", target), """
                {"endpoint":"http://127.0.0.1:%d","bucket":"%s","access-key":"%s","secret-key":"%s","path-style":"true",
                 "kind":"strata"}
                """.formatted(port, bucket, StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
        s3.putBucketReplication(r -> r.bucket(bucket).replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(x -> x.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::" + bucket)))));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{s3a, s3b, a, b, linkAtoB}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // closing what is left; the test's outcome is decided
            }
        }
    }

    static String put(S3Client s3, String key, int seed, int size) {
        return s3.putObject(p -> p.bucket(BUCKET).key(key), RequestBody.fromBytes(TestData.bytes(seed, size))).versionId();
    }

    /** {@code strata replicate wait BUCKET --target T} at {@code on}: must return 0, "applied". */
    static void waitApplied(StrataServer on, String target) throws Exception {
        var r = ReplicationTest.run(on, "replicate", "wait", BUCKET, "--target", target, "--timeout", "60s");
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("is applied at " + target), r.getValue());
    }

    /**
     * As {@link #waitApplied} through the admin API ({@code POST /_strata/admin/replication/wait}), without
     * starting a CLI process: the same wait, cheaper where the test waits often.
     */
    static void applied(StrataServer on, String target) throws Exception {
        String r = ReplicationWorkerTest.admin(on, "POST", "/replication/wait", Map.of("bucket", BUCKET, "target", target,
                "timeout", "30s"), null);
        assertTrue(r.contains("\"done\":true"), r);
    }

    static String status(StrataServer on) throws Exception {
        return ReplicationOutageTest.status(on, BUCKET);
    }

    /** Every version and delete marker of the bucket, as "key version-id" (markers with a trailing " marker"). */
    static Set<String> history(S3Client s3) {
        ListObjectVersionsResponse l = s3.listObjectVersions(v -> v.bucket(BUCKET));
        assertFalse(l.isTruncated());
        Set<String> out = new TreeSet<>();
        l.versions().forEach(v -> out.add(v.key() + " " + v.versionId()));
        l.deleteMarkers().forEach(m -> out.add(m.key() + " " + m.versionId() + " marker"));
        return out;
    }

    /** Each live key's current version id and ETag, by key (keys whose newest entry is a marker are absent). */
    static Map<String, String> current(S3Client s3) {
        Map<String, String> out = new TreeMap<>();
        s3.listObjectVersions(v -> v.bucket(BUCKET)).versions().stream().filter(v -> v.isLatest())
                .forEach(v -> out.put(v.key(), v.versionId() + " " + v.eTag()));
        return out;
    }

    /** The current object's bytes, ETag and version id are the same at both sites, and what was written. */
    static void sameObject(String key, int seed, int size) {
        ResponseBytes<GetObjectResponse> atA = s3a.getObjectAsBytes(g -> g.bucket(BUCKET).key(key));
        ResponseBytes<GetObjectResponse> atB = s3b.getObjectAsBytes(g -> g.bucket(BUCKET).key(key));
        assertArrayEquals(TestData.bytes(seed, size), atA.asByteArray(), key + " at A");
        assertArrayEquals(TestData.bytes(seed, size), atB.asByteArray(), key + " at B");
        assertEquals(atA.response().eTag(), atB.response().eTag(), key);
        assertEquals(atA.response().versionId(), atB.response().versionId(), key);
    }

    static void gone(S3Client s3, String key) {
        try {
            s3.headObject(h -> h.bucket(BUCKET).key(key));
            fail(key + " should be deleted");
        } catch (NoSuchKeyException expected) {
            // its newest entry is a delete marker, or it has none
        }
    }

    static ReplicationStatus replication(S3Client s3, String key) {
        return s3.headObject(h -> h.bucket(BUCKET).key(key)).replicationStatus();
    }

    @Test
    @Order(1)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void siteALostWithABacklogThenClientsWriteAtBWithoutBlocking() throws Exception {
        put(s3a, "ckpt/1", 1, 2000);
        put(s3a, "ckpt/2", 2, 3000);
        put(s3a, "shared", 3, 100);
        waitApplied(a, "to-b");
        assertEquals(current(s3a), current(s3b));
        assertEquals(ReplicationStatus.REPLICA, replication(s3b, "ckpt/1"));

        // The link to B breaks; A takes two more writes it cannot send, then dies with them queued.
        linkAtoB.close();
        put(s3a, "ckpt/3", 4, 4000);
        put(s3a, "late", 5, 500);
        ReplicationWorkerTest.waitFor("A's backlog of 2 to B", () -> {
            try {
                return status(a).contains("\"pending\":2,");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(ReplicationStatus.PENDING, replication(s3a, "late"));
        a.kill();

        // Clients move to B: a new key, an overwrite and a delete, none of them waits on A.
        put(s3b, "from-b", 6, 600);
        put(s3b, "shared", 7, 700);
        s3b.deleteObject(d -> d.bucket(BUCKET).key("ckpt/2"));
        gone(s3b, "ckpt/2");
        ReplicationWorkerTest.waitFor("the overwrite PENDING at B", () -> replication(s3b, "shared") == ReplicationStatus.PENDING);
        ReplicationWorkerTest.waitFor("B's 3 changes for A pending, A named as unreachable", () -> {
            try {
                String st = status(b);
                return st.contains("\"pending\":3,") && !st.contains("\"lastError\":\"\"");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        var timedOut = ReplicationTest.run(b, "replicate", "wait", BUCKET, "--target", "to-a", "--timeout", "1s");
        assertEquals(1, timedOut.getKey(), timedOut.getValue());
    }

    @Test
    @Order(2)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aReturningWithItsDataConvergesWithBAndClientsFailBack() throws Exception {
        a.start();
        reconnectA(); // the client's pooled connections died with the old process (and the SDK retries nothing here)
        linkAtoB.open();
        waitApplied(a, "to-b");
        applied(b, "to-a");
        assertEquals(history(s3a), history(s3b));
        assertEquals(current(s3a), current(s3b));
        sameObject("ckpt/3", 4, 4000);
        sameObject("late", 5, 500);
        sameObject("from-b", 6, 600);
        sameObject("shared", 7, 700);
        gone(s3a, "ckpt/2");
        ReplicationWorkerTest.waitFor("statuses settled", () -> replication(s3a, "late") == ReplicationStatus.COMPLETED
                && replication(s3b, "shared") == ReplicationStatus.COMPLETED);
        assertEquals(ReplicationStatus.REPLICA, replication(s3b, "late"));
        assertEquals(ReplicationStatus.REPLICA, replication(s3a, "shared"));

        // Fail back: clients write at A again, and B receives it.
        put(s3a, "after-failback", 8, 800);
        applied(a, "to-b");
        sameObject("after-failback", 8, 800);
    }

    @Test
    @Order(3)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aReturningEmptyIsBackfilledFromBWithEveryCurrentObjectAndClientsFailBack() throws Exception {
        // A's disk is lost: it dies, B takes a write meanwhile, and A comes back with an empty data directory.
        a.kill();
        put(s3b, "while-a-rebuilt", 9, 900);
        Set<String> historyAtB = history(s3b);
        Map<String, String> currentAtB = current(s3b);
        try (Stream<Path> files = Files.walk(a.dataDir())) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(a.dataDir())) Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        a.start();
        reconnectA(); // the client's pooled connections died with the old process (and the SDK retries nothing here)
        // The operator recreates the bucket and A's side of the replication, then lets B refill A: what B's
        // queue sent while the bucket was missing is retried, and a resync sends every current object.
        bucket(s3a);
        replicate(a, s3a, linkAtoB.port, "to-b");
        var retried = ReplicationTest.run(b, "replicate", "retry", "--failed", "--target", "to-a");
        assertEquals(0, retried.getKey(), retried.getValue());
        var resync = ReplicationTest.run(b, "replicate", "resync", "start", BUCKET, "--target", "to-a", "--wait");
        assertEquals(0, resync.getKey(), resync.getValue());
        waitApplied(b, "to-a");

        // Every current object is back at A with its version id, bytes and ETag, A's own writes included.
        assertEquals(currentAtB, current(s3a));
        for (String[] k : new String[][]{{"ckpt/1", "1", "2000"}, {"ckpt/3", "4", "4000"}, {"late", "5", "500"},
                {"from-b", "6", "600"}, {"shared", "7", "700"}, {"after-failback", "8", "800"}, {"while-a-rebuilt", "9", "900"}}) {
            sameObject(k[0], Integer.parseInt(k[1]), Integer.parseInt(k[2]));
            assertEquals(ReplicationStatus.REPLICA, replication(s3a, k[0]), k[0]);
        }
        gone(s3a, "ckpt/2");
        // History is not backfilled: A holds the current versions only, B every version and marker.
        Set<String> atA = history(s3a);
        assertTrue(historyAtB.containsAll(atA), atA.toString());
        assertEquals(currentAtB.size(), atA.size(), atA.toString());
        assertTrue(historyAtB.size() > atA.size(), historyAtB.toString());

        // B's live changes keep flowing to A, and clients fail back to A, whose writes reach B.
        put(s3b, "from-b", 10, 1000);
        s3b.deleteObject(d -> d.bucket(BUCKET).key("late"));
        applied(b, "to-a");
        sameObject("from-b", 10, 1000);
        gone(s3a, "late");
        put(s3a, "after-rebuild", 11, 1100);
        applied(a, "to-b");
        sameObject("after-rebuild", 11, 1100);
        assertEquals(ReplicationStatus.COMPLETED, replication(s3a, "after-rebuild"));
        assertEquals(current(s3a), current(s3b));
    }
}
