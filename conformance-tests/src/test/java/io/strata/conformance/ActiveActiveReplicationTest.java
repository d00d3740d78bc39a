package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.ReplicationStatus;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Strata to Strata replication, active-active (issue #14): two gateways on 127.0.0.1, each replicating its
 * bucket {@value #BUCKET} to the other's ({@code --kind strata}). A replica keeps its source's version id,
 * Last-Modified, ETag (single and multipart), checksums, metadata and tags, and is REPLICA where it lands;
 * the same replica written again changes nothing; replicas are never sent back (the counters stay at the
 * writes each site made); concurrent writes of one key at both sites, with B's clock 5 s ahead, end with
 * the same current version and both versions at both sites; tag changes reach the same version id.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActiveActiveReplicationTest {
    static final String BUCKET = "shared";
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    static Path root;
    static StrataServer a;
    static StrataServer b;
    static S3Client s3a;
    static S3Client s3b;
    /** Versions and delete markers written by clients at each site: what each sends, nothing more. */
    static final AtomicInteger writesAtA = new AtomicInteger();
    static final AtomicInteger writesAtB = new AtomicInteger();

    @BeforeAll
    static void startTwoSites() throws Exception {
        a = StrataServer.create(root.resolve("a"));
        b = StrataServer.create(root.resolve("b"));
        site(a, "site-a", 1);
        // B's clock runs 5 s ahead of A's: the conflict must still be decided alike at both.
        site(b, "site-b", 2).environment("STRATA_TEST_CLOCK_OFFSET", "5s");
        // One after the other: started together on a busy 2-core machine, each took longer than the
        // harness's 30 s readiness bound.
        a.start();
        b.start();
        s3a = S3Clients.pathStyle(a);
        s3b = S3Clients.pathStyle(b);
        for (S3Client s3 : List.of(s3a, s3b)) {
            s3.createBucket(c -> c.bucket(BUCKET));
            s3.putBucketVersioning(v -> v.bucket(BUCKET).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        }
        replicate(a, s3a, b, "to-b");
        replicate(b, s3b, a, "to-a");
    }

    static StrataServer site(StrataServer s, String name, int number) {
        return s.environment("STRATA_SITE_NAME", name).environment("STRATA_SITE_NUMBER", Integer.toString(number))
                .environment("STRATA_REPLICATION_INTERVAL", "100ms").environment("STRATA_REPLICATION_MAX_BACKOFF", "1s");
    }

    /** {@code from}'s bucket sends everything, delete markers included, to {@code to}'s bucket of the same name. */
    static void replicate(StrataServer from, S3Client s3, StrataServer to, String target) throws Exception {
        ReplicationWorkerTest.admin(from, "POST", "/replication/targets", Map.of("name", target), """
                {"endpoint":"http://127.0.0.1:%d","bucket":"%s","access-key":"%s","secret-key":"%s","path-style":"true",
                 "kind":"strata"}
                """.formatted(to.port(), BUCKET, StrataServer.ACCESS_KEY, StrataServer.SECRET_KEY));
        s3.putBucketReplication(r -> r.bucket(BUCKET).replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(x -> x.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::" + BUCKET)))));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{s3a, s3b, a, b}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // closing what is left; the test's outcome is decided
            }
        }
    }

    static void waitFor(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after 30 s waiting for: " + what);
            try {
                TimeUnit.MILLISECONDS.sleep(20);   // a poll interval, not a wait for an outcome
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static List<ObjectVersion> versions(S3Client s3, String key) {
        return versions(s3, BUCKET, key);
    }

    static List<ObjectVersion> versions(S3Client s3, String bucket, String key) {
        return s3.listObjectVersions(l -> l.bucket(bucket).prefix(key)).versions().stream()
                .filter(v -> v.key().equals(key)).toList();
    }

    static boolean has(S3Client s3, String key, String versionId) {
        try {
            s3.headObject(h -> h.bucket(BUCKET).key(key).versionId(versionId));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 405) return true;   // a delete marker
            throw e;
        }
    }

    static ReplicationStatus status(S3Client s3, String key, String versionId) {
        return s3.headObject(h -> h.bucket(BUCKET).key(key).versionId(versionId)).replicationStatus();
    }

    @Test
    @Order(1)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aPutAtOneSiteAppearsAtTheOtherWithItsIdentityAndStatusReplica() {
        String single = s3a.putObject(p -> p.bucket(BUCKET).key("single").contentType("text/plain").cacheControl("no-cache")
                        .metadata(Map.of("color", "blue")).tagging("team=ml&stage=raw").checksumAlgorithm(ChecksumAlgorithm.CRC32),
                RequestBody.fromBytes(TestData.bytes(1, 3000))).versionId();
        writesAtA.incrementAndGet();
        byte[][] parts = {TestData.bytes(2, 5 << 20), TestData.bytes(3, 1234)};
        String upload = s3a.createMultipartUpload(c -> c.bucket(BUCKET).key("multi").metadata(Map.of("kind", "mp"))).uploadId();
        List<CompletedPart> done = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] d = parts[i];
            String etag = s3a.uploadPart(u -> u.bucket(BUCKET).key("multi").uploadId(upload).partNumber(n),
                    RequestBody.fromBytes(d)).eTag();
            done.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        String multi = s3a.completeMultipartUpload(c -> c.bucket(BUCKET).key("multi").uploadId(upload)
                .multipartUpload(m -> m.parts(done))).versionId();
        writesAtA.incrementAndGet();

        waitFor("both versions at B", () -> has(s3b, "single", single) && has(s3b, "multi", multi));
        for (String[] kv : new String[][]{{"single", single}, {"multi", multi}}) {
            HeadObjectResponse src = s3a.headObject(h -> h.bucket(BUCKET).key(kv[0]).versionId(kv[1]).checksumMode(ChecksumMode.ENABLED));
            HeadObjectResponse dst = s3b.headObject(h -> h.bucket(BUCKET).key(kv[0]).versionId(kv[1]).checksumMode(ChecksumMode.ENABLED));
            assertEquals(src.eTag(), dst.eTag(), kv[0]);
            assertEquals(src.lastModified(), dst.lastModified(), kv[0]);
            assertEquals(src.contentLength(), dst.contentLength(), kv[0]);
            assertEquals(src.contentType(), dst.contentType(), kv[0]);
            assertEquals(src.cacheControl(), dst.cacheControl(), kv[0]);
            assertEquals(src.metadata(), dst.metadata(), kv[0]);
            assertEquals(src.checksumCRC32(), dst.checksumCRC32(), kv[0]);
            assertEquals(src.partsCount(), dst.partsCount(), kv[0]);
            assertEquals(ReplicationStatus.REPLICA, dst.replicationStatus(), kv[0]);
            assertEquals(kv[1], dst.versionId());
        }
        assertTrue(s3b.headObject(h -> h.bucket(BUCKET).key("single").checksumMode(ChecksumMode.ENABLED)).checksumCRC32() != null);
        assertEquals("\"" + TestData.multipartEtag(parts) + "\"", s3b.headObject(h -> h.bucket(BUCKET).key("multi")).eTag());
        assertEquals(List.of(Tag.builder().key("stage").value("raw").build(), Tag.builder().key("team").value("ml").build()),
                s3b.getObjectTagging(t -> t.bucket(BUCKET).key("single")).tagSet().stream()
                        .sorted(java.util.Comparator.comparing(Tag::key)).toList());
        assertTrue(java.util.Arrays.equals(parts[1], java.util.Arrays.copyOfRange(
                s3b.getObjectAsBytes(g -> g.bucket(BUCKET).key("multi")).asByteArray(), 5 << 20, (5 << 20) + 1234)));
        waitFor("COMPLETED at A", () -> status(s3a, "single", single) == ReplicationStatus.COMPLETED
                && status(s3a, "multi", multi) == ReplicationStatus.COMPLETED);

        // A delete marker goes with its version id; B lists the same entries as A.
        String marker = s3a.deleteObject(d -> d.bucket(BUCKET).key("single")).versionId();
        writesAtA.incrementAndGet();
        waitFor("the delete marker at B", () -> s3b.listObjectVersions(l -> l.bucket(BUCKET).prefix("single")).deleteMarkers()
                .stream().anyMatch(m -> m.versionId().equals(marker) && m.isLatest()));
        assertThrowsNoSuchKey(s3b, "single");
    }

    static void assertThrowsNoSuchKey(S3Client s3, String key) {
        try {
            s3.headObject(h -> h.bucket(BUCKET).key(key));
            fail(key + " should be deleted");
        } catch (NoSuchKeyException expected) {
            // the current entry is a delete marker
        }
    }

    /** A replica write as A's worker sends it, by hand. */
    static RawRequest replicaPut(String key, byte[] body, String versionId, String etag) {
        return RawRequest.of("PUT", "/" + BUCKET + "/" + key).body(body)
                .header("x-strata-replica-version-id", versionId)
                .header("x-strata-replica-last-modified", "2026-01-02T03:04:05.678901Z")
                .header("x-strata-replica-etag", etag)
                .header("x-strata-replica-origin-site", "site-a")
                .header("x-strata-replica-sites", "site-a");
    }

    @Test
    @Order(2)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void theSameReplicaAgainChangesNothingAndMalformedOnesAreRefusedNamingTheHeader() throws Exception {
        byte[] data = "replica bytes".getBytes(StandardCharsets.UTF_8);
        String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
        String id = "fff9d0b95662edbf" + "0123456789abcdef";   // an order of 2025, flipped
        RawRequest.Response first = replicaPut("by-hand", data, id, md5).send(b);
        assertEquals(200, first.status(), first.toString());
        assertEquals(id, first.header("x-amz-version-id").orElse(""));
        List<ObjectVersion> before = versions(s3b, "by-hand");
        assertEquals(1, before.size());
        assertEquals(ReplicationStatus.REPLICA, status(s3b, "by-hand", id));
        RawRequest.Response again = replicaPut("by-hand", data, id, md5).send(b);
        assertEquals(200, again.status(), again.toString());
        assertEquals(before, versions(s3b, "by-hand"));

        // Bytes that are not the ETag's: BadDigest, nothing kept.
        RawRequest.Response corrupt = replicaPut("corrupt", "other bytes!!".getBytes(StandardCharsets.UTF_8), id, md5).send(b);
        assertEquals(400, corrupt.status(), corrupt.toString());
        assertEquals("BadDigest", corrupt.errorCode());
        // Malformed headers: 400 InvalidArgument naming the header, nothing kept.
        for (String[] bad : new String[][]{{"x-strata-replica-version-id", "not-a-version"},
                {"x-strata-replica-version-id", "7ffffe00000000000123456789abcdef"},
                {"x-strata-replica-last-modified", "yesterday"}, {"x-strata-replica-etag", "abc"},
                {"x-strata-replica-part-sizes", "5,x"}, {"x-strata-replica-origin-site", "Site A"}}) {
            RawRequest r = RawRequest.of("PUT", "/" + BUCKET + "/malformed").body(data);
            Map<String, String> headers = new java.util.LinkedHashMap<>(Map.of("x-strata-replica-version-id", id,
                    "x-strata-replica-last-modified", "2026-01-02T03:04:05Z", "x-strata-replica-etag", md5,
                    "x-strata-replica-origin-site", "site-a"));
            headers.put(bad[0], bad[1]);
            headers.forEach(r::header);
            RawRequest.Response res = r.send(b);
            assertEquals(400, res.status(), bad[0] + ": " + res);
            assertEquals("InvalidArgument", res.errorCode(), bad[0]);
            assertTrue(res.text().contains(bad[0]), res.text());
        }
        assertEquals(List.of(), versions(s3b, "malformed"));
        assertEquals(List.of(), versions(s3b, "corrupt"));
        // A bucket without versioning cannot keep another site's version ids.
        s3b.createBucket(c -> c.bucket("plain"));
        RawRequest.Response unversioned = RawRequest.of("PUT", "/plain/k").body(data)
                .header("x-strata-replica-version-id", id).header("x-strata-replica-last-modified", "2026-01-02T03:04:05Z")
                .header("x-strata-replica-etag", md5).header("x-strata-replica-origin-site", "site-a").send(b);
        assertEquals(400, unversioned.status(), unversioned.toString());
        assertEquals("InvalidRequest", unversioned.errorCode());
        // Only the bucket's owner may write replicas, even where a policy lets anyone PUT.
        s3b.createBucket(c -> c.bucket("open"));
        s3b.putBucketVersioning(v -> v.bucket("open").versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
        s3b.putBucketPolicy(p -> p.bucket("open").policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::open/*\"}]}"));
        RawRequest.Response anyone = RawRequest.of("PUT", "/open/plain").body(data).unsigned().send(b);
        assertEquals(200, anyone.status(), anyone.toString());
        RawRequest.Response forged = RawRequest.of("PUT", "/open/forged").body(data).unsigned()
                .header("x-strata-replica-version-id", id).header("x-strata-replica-last-modified", "2026-01-02T03:04:05Z")
                .header("x-strata-replica-etag", md5).header("x-strata-replica-origin-site", "site-a").send(b);
        assertEquals(403, forged.status(), forged.toString());
        assertEquals("AccessDenied", forged.errorCode());
        assertEquals(List.of(), versions(s3b, "open", "forged"));
        // A replica back at its origin site is a no-op.
        RawRequest.Response home = replicaPut("home", data, id, md5).header("x-strata-replica-origin-site", "site-b").send(b);
        assertEquals(200, home.status(), home.toString());
        assertEquals(List.of(), versions(s3b, "home"));
    }

    @Test
    @Order(3)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void concurrentPutsOfOneKeyAtBothSitesEndWithTheSameCurrentVersionAndBothVersions() throws Exception {
        CompletableFuture<String> atA = CompletableFuture.supplyAsync(() -> s3a.putObject(p -> p.bucket(BUCKET).key("conflict"),
                RequestBody.fromBytes(TestData.bytes(10, 100))).versionId());
        CompletableFuture<String> atB = CompletableFuture.supplyAsync(() -> s3b.putObject(p -> p.bucket(BUCKET).key("conflict"),
                RequestBody.fromBytes(TestData.bytes(11, 200))).versionId());
        String va = atA.get(30, TimeUnit.SECONDS);
        String vb = atB.get(30, TimeUnit.SECONDS);
        writesAtA.incrementAndGet();
        writesAtB.incrementAndGet();
        waitFor("both versions at both sites", () -> versions(s3a, "conflict").size() == 2 && versions(s3b, "conflict").size() == 2);
        List<String> idsA = versions(s3a, "conflict").stream().map(ObjectVersion::versionId).toList();
        List<String> idsB = versions(s3b, "conflict").stream().map(ObjectVersion::versionId).toList();
        assertEquals(idsA, idsB);
        assertEquals(java.util.Set.of(va, vb), java.util.Set.copyOf(idsA));
        String currentA = s3a.headObject(h -> h.bucket(BUCKET).key("conflict")).versionId();
        String currentB = s3b.headObject(h -> h.bucket(BUCKET).key("conflict")).versionId();
        assertEquals(currentA, currentB);
        // B's clock is 5 s ahead and neither write saw the other: B's is the greater (time, site).
        assertEquals(vb, currentA);
    }

    @Test
    @Order(4)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void tagChangesReachTheSameVersionAtTheOtherSiteAndTagChangesOfReplicasAreNotSentBack() {
        String v = s3a.putObject(p -> p.bucket(BUCKET).key("tagged").tagging("a=1"), RequestBody.fromBytes(TestData.bytes(20, 10)))
                .versionId();
        writesAtA.incrementAndGet();
        waitFor("tagged at B", () -> has(s3b, "tagged", v));
        s3a.putObjectTagging(t -> t.bucket(BUCKET).key("tagged").versionId(v).tagging(g -> g.tagSet(
                Tag.builder().key("a").value("2").build(), Tag.builder().key("b").value("x").build())));
        writesAtA.incrementAndGet();
        waitFor("the new tags at B", () -> tags(s3b, v).equals(Map.of("a", "2", "b", "x")));
        s3a.deleteObjectTagging(t -> t.bucket(BUCKET).key("tagged").versionId(v));
        writesAtA.incrementAndGet();
        waitFor("no tags at B", () -> tags(s3b, v).isEmpty());
        // A change of the replica at B stays at B: it is not sent back to A (the counters below show it).
        s3b.putObjectTagging(t -> t.bucket(BUCKET).key("tagged").versionId(v).tagging(g -> g.tagSet(
                Tag.builder().key("local").value("b").build())));
        assertEquals(ReplicationStatus.REPLICA, status(s3b, "tagged", v));
    }

    static Map<String, String> tags(S3Client s3, String versionId) {
        Map<String, String> out = new java.util.TreeMap<>();
        s3.getObjectTagging(t -> t.bucket(BUCKET).key("tagged").versionId(versionId)).tagSet().forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    @Test
    @Order(5)
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void afterQuiescenceEachSiteHasSentOnlyItsOwnWrites() {
        // Once each site's worker has read its whole change log (replicas included) and has nothing
        // pending, its sent count is exactly the writes made there: a replica sent back or on would push
        // it past that (the counters are refreshed once a second, so the loop polls for the exact value).
        waitFor("each site quiet, having sent exactly its own writes (A " + writesAtA + ", B " + writesAtB + ")",
                () -> quiet(a, "to-b") && quiet(b, "to-a") && completed(a, "to-b") == writesAtA.get()
                        && completed(b, "to-a") == writesAtB.get());
        assertEquals(writesAtA.get(), completed(a, "to-b"), ReplicationWorkerTest.metrics(a));
        assertEquals(writesAtB.get(), completed(b, "to-a"), ReplicationWorkerTest.metrics(b));
    }

    static boolean quiet(StrataServer s, String target) {
        String m = ReplicationWorkerTest.metrics(s);
        return m.contains("strata_changelog_cursor_lag{cursor=\"replication:" + target + "\"} 0\n")
                && m.contains("strata_replication_pending{target=\"" + target + "\"} 0\n");
    }

    static long completed(StrataServer s, String target) {
        Matcher m = Pattern.compile("strata_replication_completed_total\\{target=\"" + target + "\"} (\\d+)")
                .matcher(ReplicationWorkerTest.metrics(s));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }
}
