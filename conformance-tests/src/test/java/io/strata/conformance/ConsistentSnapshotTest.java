package io.strata.conformance;

import static io.strata.conformance.ReplicationReceivedPointTest.BUCKET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;

/**
 * A snapshot at a replication target consistent with its source (issue #14): {@code strata snapshot create
 * --consistent-with site-a} at B leaves out the replicas from site-a modified after B's received point, so
 * it holds exactly A's history up to that point, a consistent failover point, even when B holds later
 * replicas whose acknowledgements A never saw. A plain snapshot of the same bucket holds them too: the two
 * differ only there.
 *
 * <p>The later replicas are made deterministic by a one-way link: A's requests reach B, B's answers are
 * dropped, so B commits what A sends while A's point for B cannot pass it.
 *
 * <p>Negative control: with {@code STRATA_TEST_FAULT=snapshot-ignore-consistency-cut} the export keeps
 * every replica and this test fails:
 * <pre>STRATA_TEST_FAULT=snapshot-ignore-consistency-cut mvn -o -B verify -pl conformance-tests -am \
 *     -Dtest=ConsistentSnapshotTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class ConsistentSnapshotTest {
    private static final Pattern LINE = Pattern.compile("\\{\"k\":\"((?:[^\"\\\\]|\\\\.)*)\",\"v\":\"([^\"]*)\"");
    private static final Pattern RANGE = Pattern.compile("\"path\":\"(ranges/[0-9a-f]{64}\\.ndjson\\.gz)\"");
    private static final Pattern CUT = Pattern.compile("\"consistentWith\":\\{\"site\":\"site-a\",\"until\":\\{\"" + BUCKET
            + "\":\"([^\"]+)\"\\}\\}");

    @TempDir
    Path root;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSnapshotConsistentWithTheSourceHoldsItsHistoryUpToTheReceivedPointAndNothingAfter() throws Exception {
        StrataServer b = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("b")), "site-b", 2);
        StrataServer a = ActiveActiveReplicationTest.site(StrataServer.create(root.resolve("a")), "site-a", 1);
        b.start();
        a.start();
        Path repo = root.resolve("repo");
        try (b; a; S3Client s3a = S3Clients.pathStyle(a); S3Client s3b = S3Clients.pathStyle(b);
             Link link = new Link(StrataServer.freePort(), b.port())) {
            FailoverFailbackTest.bucketNamed(s3a, BUCKET);
            FailoverFailbackTest.bucketNamed(s3b, BUCKET);
            FailoverFailbackTest.replicate(a, s3a, BUCKET, link.port, "to-b");

            // Checkpoint 1: four parts, then its manifest; whole at B, and B's point passes it.
            ReplicationReceivedPointTest.checkpoint(s3a, 1, 0, 4);
            s3a.putObject(p -> p.bucket(BUCKET).key("ckpt/1/manifest"), RequestBody.fromString("part-0 part-1 part-2 part-3"));
            var applied = ReplicationTest.run(a, "replicate", "wait", BUCKET, "--target", "to-b", "--timeout", "60s");
            assertEquals(0, applied.getKey(), applied.getValue());
            ReplicationReceivedPointTest.waitForPointAfter(b, ReplicationReceivedPointTest.newest(s3a));

            // Checkpoint 2: two parts reach B and are acknowledged, the point passes them.
            ReplicationReceivedPointTest.checkpoint(s3a, 2, 0, 2);
            applied = ReplicationTest.run(a, "replicate", "wait", BUCKET, "--target", "to-b", "--timeout", "60s");
            assertEquals(0, applied.getKey(), applied.getValue());
            Instant beforeCut = ReplicationReceivedPointTest.newest(s3a);
            ReplicationReceivedPointTest.waitForPointAfter(b, beforeCut);

            // Then the answers are lost: the other three parts and the delete of a checkpoint-1 part reach B,
            // but A never learns it, so B's point stays before them.
            link.dropAnswers();
            ReplicationReceivedPointTest.checkpoint(s3a, 2, 2, 5);
            s3a.deleteObject(d -> d.bucket(BUCKET).key("ckpt/1/part-3"));
            SnapshotHarness.await("B to hold A's 10 versions and its delete marker", Duration.ofSeconds(90), b, () -> {
                ListObjectVersionsResponse l = s3b.listObjectVersions(r -> r.bucket(BUCKET));
                return l.versions().size() == 10 && l.deleteMarkers().size() == 1;
            });
            // A write at B itself (origin site-b): no cut of site-a's history applies to it.
            s3b.putObject(p -> p.bucket(BUCKET).key("local/at-b"), RequestBody.fromString("written at B"));

            // part-3 was written after part-2's PUT returned: B's point may reach into part-2's write (its
            // time is taken before its commit) but never past part-3.
            Instant firstLost = lastModified(s3a, "ckpt/2/part-3");
            SnapshotHarness.strataOk(b, "snapshot", "repo", "add", "drill", "--type", "local", "--path", repo.toString());
            String consistentOut = SnapshotHarness.strataOk(b, "snapshot", "create", "--repo", "drill", "--bucket", BUCKET,
                    "--consistent-with", "site-a", "--full", "--wait");
            String plainOut = SnapshotHarness.strataOk(b, "snapshot", "create", "--repo", "drill", "--bucket", BUCKET,
                    "--full", "--wait");
            String consistentId = id(consistentOut);
            String plainId = id(plainOut);

            // The root records the cut; it is B's point: past what A saw acknowledged, before what it did not.
            Matcher cut = CUT.matcher(Files.readString(repo.resolve("snapshots/" + consistentId + ".json")));
            assertTrue(cut.find(), "no cut in the root of " + consistentId);
            Instant until = Instant.parse(cut.group(1));
            assertFalse(until.isBefore(beforeCut), until + " is before " + beforeCut);
            assertTrue(until.isBefore(firstLost), until + " is not before " + firstLost);
            assertFalse(Files.readString(repo.resolve("snapshots/" + plainId + ".json")).contains("consistentWith"));
            String shown = SnapshotHarness.strataOk(b, "snapshot", "show", consistentId, "--repo", "drill");
            assertTrue(shown.contains("consistent with site site-a: bucket " + BUCKET + " up to " + until), shown);

            // Exactly A's history up to the point, and B's own write. The listing gives times in
            // milliseconds: a version in the point's own millisecond may fall either side.
            ListObjectVersionsResponse atA = s3a.listObjectVersions(r -> r.bucket(BUCKET));
            Instant cutMillis = until.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Set<String> before = new TreeSet<>();
            Set<String> past = new TreeSet<>();
            Set<String> either = new TreeSet<>();
            Map<String, Instant> times = new TreeMap<>();
            atA.versions().forEach(v -> times.put(v.key() + " " + v.versionId(), v.lastModified()));
            atA.deleteMarkers().forEach(d -> times.put(d.key() + " " + d.versionId(), d.lastModified()));
            times.forEach((entry, t) -> (t.isBefore(cutMillis) ? before : t.isAfter(cutMillis) ? past : either).add(entry));
            String local = "local/at-b " + s3b.listObjectVersions(r -> r.bucket(BUCKET).prefix("local/")).versions()
                    .getFirst().versionId();
            Set<String> consistent = entries(repo, consistentId);
            Set<String> plain = entries(repo, plainId);
            Set<String> unexplained = new TreeSet<>(consistent);
            unexplained.removeAll(before);
            unexplained.removeAll(either);
            assertEquals(Set.of(local), unexplained, "entries neither before the point nor B's own: " + consistent);
            assertTrue(consistent.containsAll(before), before + " not all in " + consistent);
            for (String e : past) assertFalse(consistent.contains(e), e + " is after the point " + until + ": " + consistent);
            for (String part : new String[] {"ckpt/1/part-0", "ckpt/1/part-1", "ckpt/1/part-2", "ckpt/1/part-3",
                    "ckpt/1/manifest", "ckpt/2/part-0", "ckpt/2/part-1"}) {
                assertEquals(1, consistent.stream().filter(e -> e.startsWith(part + " ")).count(), part + " in " + consistent);
            }
            for (String lost : new String[] {"ckpt/2/part-3", "ckpt/2/part-4"}) {
                assertTrue(consistent.stream().noneMatch(e -> e.startsWith(lost + " ")), lost + " in " + consistent);
            }

            // The plain snapshot holds everything B has; the difference is exactly what came after the
            // point, checkpoint 1's part-3 delete included (the consistent one keeps checkpoint 1 whole).
            Set<String> all = new TreeSet<>(times.keySet());
            all.add(local);
            assertEquals(all, plain);
            Set<String> onlyPlain = new TreeSet<>(plain);
            onlyPlain.removeAll(consistent);
            Set<String> expectedAfter = new TreeSet<>(past);
            for (String e : either) if (!consistent.contains(e)) expectedAfter.add(e);
            assertEquals(expectedAfter, onlyPlain);
            Set<String> afterKeys = new TreeSet<>();
            for (String e : onlyPlain) afterKeys.add(e.substring(0, e.indexOf(' ')));
            afterKeys.remove("ckpt/2/part-2");   // either side, see above
            assertEquals(Set.of("ckpt/1/part-3", "ckpt/2/part-3", "ckpt/2/part-4"), afterKeys, onlyPlain.toString());

            // A site B has received nothing from: refused, naming the bucket; nothing is started.
            var refused = SnapshotHarness.strata(b, "snapshot", "create", "--repo", "drill", "--bucket", BUCKET,
                    "--consistent-with", "site-z");
            assertNotEquals(0, refused.getKey(), refused.getValue());
            assertTrue(refused.getValue().contains("Bucket " + BUCKET + " has received no replication point from site site-z"),
                    refused.getValue());
            String api = SnapshotHarness.admin(b, "POST", "/snapshots", Map.of("repo", "drill", "buckets", BUCKET,
                    "consistent-with", "site-z"), 400);
            assertTrue(api.contains("InvalidArgument") && api.contains("site-z"), api);
            SnapshotHarness.admin(b, "POST", "/snapshots", Map.of("repo", "drill", "buckets", BUCKET,
                    "consistent-with", "bad site"), 400);
            assertEquals(2, SnapshotHarness.files(repo, "snapshots").size());
        }
    }

    private static Instant lastModified(S3Client s3, String key) {
        return s3.listObjectVersions(l -> l.bucket(BUCKET).prefix(key)).versions().getFirst().lastModified();
    }

    /** The snapshot id in a {@code --wait} output's locator. */
    private static String id(String output) {
        Matcher m = Pattern.compile("\\?snap=([0-9A-Za-z_-]+)#").matcher(SnapshotHarness.locator(output));
        assertTrue(m.find(), output);
        return m.group(1);
    }

    /** "key versionId" of every entry of a snapshot, read from its range files as the format describes them. */
    private static Set<String> entries(Path repo, String snapshot) throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher ranges = RANGE.matcher(Files.readString(repo.resolve("snapshots/" + snapshot + ".json")));
        while (ranges.find()) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(repo.resolve(ranges.group(1))))) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) continue;
                    Matcher m = LINE.matcher(line);
                    assertTrue(m.find(), line);
                    out.add(m.group(1) + " " + m.group(2));
                }
            }
        }
        return out;
    }

    /**
     * A TCP link to {@code to} on one port: both ways until {@link #dropAnswers}, then requests only. One
     * listener throughout, so no other socket can take the port in between.
     */
    static final class Link implements AutoCloseable {
        final int port;
        private final ServerSocket listener;
        private final ReentrantLock lock = new ReentrantLock();
        private final List<Socket> connections = new ArrayList<>();
        private boolean deaf;

        Link(int port, int to) throws IOException {
            this.port = port;
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    Socket in;
                    try {
                        in = listener.accept();
                    } catch (IOException e) {
                        return;   // closed
                    }
                    Socket out = null;
                    try {
                        out = new Socket(InetAddress.getLoopbackAddress(), to);
                        Socket target = out;
                        boolean answers;
                        // Under the lock: a connection is either closed by dropAnswers or made after it, deaf.
                        lock.lock();
                        try {
                            connections.add(in);
                            connections.add(out);
                            answers = !deaf;
                        } finally {
                            lock.unlock();
                        }
                        OutputStream toTarget = out.getOutputStream();
                        OutputStream toSender = answers ? in.getOutputStream() : OutputStream.nullOutputStream();
                        Thread.ofVirtual().start(() -> copy(in, toTarget));
                        Thread.ofVirtual().start(() -> copy(target, toSender));
                    } catch (IOException e) {
                        close(in);   // the target refused or the link closed it: the sender sees a reset
                        if (out != null) close(out);
                    }
                }
            });
        }

        /** From now on answers are dropped; the connections open so far are closed (the sender reconnects). */
        void dropAnswers() throws IOException {
            lock.lock();
            try {
                deaf = true;
                for (Socket c : connections) c.close();
                connections.clear();
            } finally {
                lock.unlock();
            }
        }

        private static void copy(Socket from, OutputStream to) {
            try (InputStream in = from.getInputStream(); to) {
                in.transferTo(to);
            } catch (IOException e) {
                // either side closed
            }
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            dropAnswers();
        }
    }
}
