package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The target knows its consistent failover point (issue #14): a Strata source reports to a Strata target,
 * signed, its complete-until for it, after deliveries and while idle; the target keeps the latest per bucket
 * and origin site durably and shows it ({@code replicate status} "from site A: … complete up to T", the admin
 * JSON, {@code strata_replication_received_until_seconds}). A checkpoint written at A as many objects while
 * the link to B is cut half-way: every version A wrote before B's point is at B, and the parts A wrote after
 * the cut are after it; the point survives B's restart; a report by anyone but the bucket's owner is refused.
 */
class ReplicationReceivedPointTest {
    static final String BUCKET = "ckpts";
    private static final Pattern RECEIVED = Pattern.compile(
            "\\{\"bucket\":\"" + BUCKET + "\",\"origin\":\"site-a\",\"completeUntil\":\"([^\"]+)\"");

    @TempDir
    Path root;

    /** B's recorded point for bucket {@value #BUCKET} from site-a, from its admin JSON; null if none. */
    static Instant point(StrataServer b) throws Exception {
        Matcher m = RECEIVED.matcher(ReplicationOutageTest.status(b, BUCKET));
        return m.find() ? Instant.parse(m.group(1)) : null;
    }

    static Instant waitForPointAfter(StrataServer b, Instant after) {
        Instant[] seen = new Instant[1];
        ReplicationWorkerTest.waitFor("B's point from site-a past " + after, () -> {
            try {
                seen[0] = point(b);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return seen[0] != null && seen[0].isAfter(after);
        });
        return seen[0];
    }

    static void checkpoint(S3Client s3, int n, int from, int to) {
        for (int i = from; i < to; i++) {
            int part = i;
            s3.putObject(p -> p.bucket(BUCKET).key("ckpt/" + n + "/part-" + part), RequestBody.fromBytes(TestData.bytes(n * 100 + part, 1000)));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theTargetKnowsUpToWhenItHoldsEveryChangeOfItsSourceAndKeepsItAcrossARestart() throws Exception {
        StrataServer b = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("b")), "site-b", 2);
        StrataServer a = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("a")), "site-a", 1);
        b.start();
        a.start();
        try (b; a; S3Client s3a = S3Clients.pathStyle(a); S3Client s3b = S3Clients.pathStyle(b);
             ReplicationOutageTest.Forwarder link = new ReplicationOutageTest.Forwarder(StrataServer.freePort(), b.port())) {
            link.open();
            FailoverFailbackTest.bucketNamed(s3a, BUCKET);
            FailoverFailbackTest.bucketNamed(s3b, BUCKET);
            FailoverFailbackTest.replicate(a, s3a, BUCKET, link.port, "to-b");

            // Checkpoint 1, whole at B; the point passes its writes, and moves on while A is idle.
            checkpoint(s3a, 1, 0, 5);
            var applied = ReplicationTest.run(a, "replicate", "wait", BUCKET, "--target", "to-b", "--timeout", "60s");
            assertEquals(0, applied.getKey(), applied.getValue());
            Instant afterFirst = newest(s3a);
            Instant idle = waitForPointAfter(b, afterFirst);
            waitForPointAfter(b, idle);

            // Checkpoint 2: two parts reach B, then the link is cut and A writes the other three.
            checkpoint(s3a, 2, 0, 2);
            applied = ReplicationTest.run(a, "replicate", "wait", BUCKET, "--target", "to-b", "--timeout", "60s");
            assertEquals(0, applied.getKey(), applied.getValue());
            Instant beforeCut = newest(s3a);
            waitForPointAfter(b, beforeCut);
            link.close();
            checkpoint(s3a, 2, 2, 5);
            // part-3 was written after part-2's PUT returned, so after part-2 was committed: a point at or
            // past part-3 would claim part-2, which B lacks.
            Instant secondLost = s3a.listObjectVersions(l -> l.bucket(BUCKET).prefix("ckpt/2/part-3")).versions().getFirst()
                    .lastModified();
            ReplicationWorkerTest.waitFor("A's 3 parts pending for B", () -> {
                try {
                    return ReplicationOutageTest.status(a, BUCKET).contains("\"pending\":3,");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Instant atB = point(b);

            // The point covers what B received before the cut, and stops before what it lacks: the versions
            // A committed before it are exactly the 7 at B (a cut of A's history by time).
            assertFalse(atB.isBefore(beforeCut), atB + " is before " + beforeCut);
            assertTrue(atB.isBefore(secondLost), atB + " is not before " + secondLost);
            Set<String> heldAtB = ids(s3b);
            assertEquals(7, heldAtB.size(), heldAtB.toString());
            for (ObjectVersion v : s3a.listObjectVersions(l -> l.bucket(BUCKET)).versions()) {
                assertEquals(!v.key().startsWith("ckpt/2/part-") || v.key().endsWith("-0") || v.key().endsWith("-1"),
                        heldAtB.contains(v.versionId()), v.key());
            }

            // Shown by status at B, its admin JSON and its metrics.
            var status = ReplicationTest.run(b, "replicate", "status", BUCKET);
            assertEquals(0, status.getKey(), status.getValue());
            assertTrue(status.getValue().contains("from site site-a: bucket " + BUCKET + " complete up to " + atB), status.getValue());
            String metric = "strata_replication_received_until_seconds{bucket=\"" + BUCKET + "\",origin=\"site-a\"} ";
            ReplicationWorkerTest.waitFor("the point in B's metrics", () -> ReplicationWorkerTest.metrics(b).contains(metric));

            // Durable: B restarts while cut off from A and shows the same point.
            b.restart();
            assertEquals(atB, point(b));

            // Only the bucket's owner may move the point: unsigned, 403; malformed, 400 naming the header.
            RawRequest.Response forged = RawRequest.of("HEAD", "/" + BUCKET).unsigned()
                    .header("x-strata-replica-origin-site", "site-a").header("x-strata-replica-complete-until", "2099-01-01T00:00:00Z")
                    .send(b);
            assertEquals(403, forged.status(), forged.toString());
            RawRequest.Response malformed = RawRequest.of("HEAD", "/" + BUCKET)
                    .header("x-strata-replica-origin-site", "site-a").header("x-strata-replica-complete-until", "tomorrow").send(b);
            assertEquals(400, malformed.status(), malformed.toString());
            assertEquals(atB, point(b));

            // The link back: the rest of checkpoint 2 arrives and the point passes it.
            link.open();
            applied = ReplicationTest.run(a, "replicate", "wait", BUCKET, "--target", "to-b", "--timeout", "60s");
            assertEquals(0, applied.getKey(), applied.getValue());
            waitForPointAfter(b, newest(s3a));
            assertEquals(10, ids(s3b).size());
        }
    }

    static Instant newest(S3Client s3) {
        return s3.listObjectVersions(l -> l.bucket(BUCKET)).versions().stream().map(ObjectVersion::lastModified)
                .max(Instant::compareTo).orElseThrow();
    }

    static Set<String> ids(S3Client s3) {
        Set<String> out = new TreeSet<>();
        for (ObjectVersion v : s3.listObjectVersions(l -> l.bucket(BUCKET)).versions()) out.add(v.versionId());
        return out;
    }
}
