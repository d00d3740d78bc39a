package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.ReplicationStatus;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Resync safety (issue #14): a resync of a bucket whose target was wiped, while the source deletes, brings
 * back nothing deleted, sends everything live, never deletes at the target, and its counters are exact
 * through a {@code kill -9} in the middle of the job and a restart after it.
 *
 * <p>The order of events is made certain, not timed: s3proxy's blob store is wrapped so that the target
 * listing of the job's second page blocks until the test lets it go. While the replication worker waits
 * there, nothing is delivered; the test deletes at the source (delete markers, a version delete), checks
 * that the job is mid-walk and kills the gateway. The operations the first page queued are thus delivered
 * only after the deletes, which is the case a check at delivery must catch: the rule does not replicate
 * delete markers, so nothing later would hide a deleted object sent by mistake. Its negative control,
 * {@code STRATA_TEST_FAULT=resync-no-recheck} (deliver the version the job listed without checking it is
 * still current), must turn the check red.
 */
class ReplicationResyncTest {
    private static final String PROXY_KEY = "resync-access";
    private static final String PROXY_SECRET = "resync-secret-0123456789";
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Pages of 5 versions: the 13 versions below make three pages. */
    private static final Map<String, String> ENV = Map.of("STRATA_REPLICATION_INTERVAL", "100ms",
            "STRATA_REPLICATION_MAX_BACKOFF", "1s", "STRATA_REPLICATION_RESYNC_PAGE_SIZE", "5");

    @TempDir
    static Path root;
    static BlobStoreContext proxyContext;
    static S3Proxy proxy;
    static int proxyPort;
    static S3Client target;
    /** Target listings of the armed bucket seen since {@link #arm}; the second one blocks. */
    static final AtomicInteger listings = new AtomicInteger();
    static volatile String armed;
    static volatile CountDownLatch blocked = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void startTarget() throws Exception {
        proxyPort = StrataServer.freePort();
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.resolve("s3proxy").toString());
        proxyContext = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        BlobStore real = proxyContext.getBlobStore();
        InvocationHandler gate = (self, method, args) -> {
            if (method.getName().equals("list") && args != null && args.length == 2 && args[0].equals(armed)
                    && listings.incrementAndGet() == 2) {
                blocked.countDown();
                if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the test never released the listing");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        BlobStore gated = (BlobStore) java.lang.reflect.Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
                new Class<?>[] {BlobStore.class}, gate);
        proxy = S3Proxy.builder().blobStore(gated)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, PROXY_KEY, PROXY_SECRET)
                .endpoint(URI.create("http://127.0.0.1:" + proxyPort)).build();
        proxy.start();
        waitFor("s3proxy started", () -> "STARTED".equals(proxy.getState()));
        target = S3Client.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(S3Clients.credentials(PROXY_KEY, PROXY_SECRET))
                .endpointOverride(URI.create("http://127.0.0.1:" + proxyPort)).forcePathStyle(true)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(S3Clients.httpClient()).build();
    }

    @AfterAll
    static void stopTarget() throws Exception {
        release.countDown();
        if (target != null) target.close();
        if (proxy != null) {
            proxy.stop();
            proxyContext.close();
        }
    }

    /** From now on the second listing of {@code bucket} at the target blocks until {@link #release}. */
    static void arm(String bucket) {
        listings.set(0);
        blocked = new CountDownLatch(1);
        release = new CountDownLatch(1);
        armed = bucket;
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

    static RawRequest.Response admin(StrataServer on, String method, String path, Map<String, String> query) throws Exception {
        RawRequest r = RawRequest.of(method, "/_strata/admin" + path);
        query.forEach(r::query);
        return r.send(on);
    }

    /** The resync job of {@code bucket} as the admin API shows it: its state and counters. */
    static Map<String, String> job(StrataServer on, String bucket) {
        try {
            RawRequest.Response res = admin(on, "GET", "/replication/resync", Map.of("bucket", bucket));
            assertEquals(200, res.status(), res.text());
            Map<String, String> out = new LinkedHashMap<>();
            Matcher m = Pattern.compile("\"(state|total|scanned|queued|present|skipped|errors)\":\"?([A-Z0-9-]+)\"?")
                    .matcher(res.text());
            while (m.find()) out.put(m.group(1), m.group(2));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the target's queue is empty, read from the queue now (the metrics lag up to a second). */
    static boolean nothingPending(StrataServer on) {
        try {
            RawRequest.Response res = admin(on, "GET", "/replication/status", Map.of());
            assertEquals(200, res.status(), res.text());
            return res.text().contains("\"pending\":0");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final String TARGET_NAME = "resync-dst";

    /**
     * A gateway's target and a versioned bucket replicating everything to it, without delete markers (see the
     * class comment), and 12 keys, a03 with two versions: 13 versions, replicated and COMPLETED.
     */
    static List<String> setUp(StrataServer on, S3Client s3, String bucket) throws Exception {
        if (!target.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(TARGET_NAME))) {
            target.createBucket(b -> b.bucket(TARGET_NAME));
        }
        RawRequest.Response added = RawRequest.of("POST", "/_strata/admin/replication/targets").query("name", TARGET_NAME)
                .body("""
                        {"endpoint":"http://127.0.0.1:%d","bucket":"%s","access-key":"%s","secret-key":"%s","path-style":"true"}
                        """.formatted(proxyPort, TARGET_NAME, PROXY_KEY, PROXY_SECRET).getBytes(StandardCharsets.UTF_8))
                .send(on);
        assertEquals(201, added.status(), added.text());
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        s3.putBucketReplication(b -> b.bucket(bucket).replicationConfiguration(c -> c
                .role("arn:aws:iam::123456789012:role/replication")
                .rules(ReplicationRule.builder().id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                        .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.DISABLED))
                        .destination(d -> d.bucket("arn:aws:s3:::" + TARGET_NAME)).build())));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String key = String.format("a%02d", i);
            keys.add(key);
            int seed = i;
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(seed, 100 + seed)));
        }
        s3.putObject(b -> b.bucket(bucket).key("a03"), RequestBody.fromBytes(TestData.bytes(99, 333)));
        waitFor("every key COMPLETED", () -> keys.stream().allMatch(k ->
                s3.headObject(h -> h.bucket(bucket).key(k)).replicationStatus() == ReplicationStatus.COMPLETED));
        waitFor("nothing pending", () -> nothingPending(on));
        return keys;
    }

    /** Deletes every object of the target bucket, as a lost target would be. */
    static void wipeTarget() {
        List<S3Object> objects = target.listObjectsV2(l -> l.bucket(TARGET_NAME)).contents();
        assertEquals(12, objects.size());
        for (S3Object o : objects) target.deleteObject(d -> d.bucket(TARGET_NAME).key(o.key()));
        assertEquals(0, target.listObjectsV2(l -> l.bucket(TARGET_NAME)).contents().size());
    }

    /**
     * Starts the resync with the second target listing blocked, waits until the job waits there (page one
     * queued, nothing delivered since), then deletes at the source: a01 (page one, queued) and a07, a10
     * (later pages) get delete markers, and a03's current version is deleted by id (a03 was queued with it).
     * @return the version id deleted
     */
    static String resyncWhileDeleting(StrataServer on, S3Client s3, String bucket) throws Exception {
        arm(TARGET_NAME);
        RawRequest.Response started = admin(on, "POST", "/replication/resync", Map.of("bucket", bucket, "target", TARGET_NAME));
        assertEquals(201, started.status(), started.text());
        assertTrue(blocked.await(30, TimeUnit.SECONDS), "the job never listed its second page at the target");
        String a03 = s3.headObject(h -> h.bucket(bucket).key("a03")).versionId();
        s3.deleteObject(d -> d.bucket(bucket).key("a01"));
        s3.deleteObject(d -> d.bucket(bucket).key("a03").versionId(a03));
        s3.deleteObject(d -> d.bucket(bucket).key("a07"));
        s3.deleteObject(d -> d.bucket(bucket).key("a10"));
        return a03;
    }

    /**
     * What the target holds wrongly, [] if nothing: a key whose source current entry is a delete marker (or
     * that has none) must be absent, every other key present with the source's current ETag and bytes.
     */
    static List<String> differences(S3Client s3, String bucket, List<String> keys) {
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            HeadObjectResponse source;
            try {
                source = s3.headObject(h -> h.bucket(bucket).key(key));
            } catch (NoSuchKeyException deleted) {
                try {
                    target.headObject(h -> h.bucket(TARGET_NAME).key(key));
                    problems.add(key + ": deleted at the source, back at the target");
                } catch (NoSuchKeyException expected) {
                    // nothing deleted came back
                }
                continue;
            }
            try {
                HeadObjectResponse replica = target.headObject(h -> h.bucket(TARGET_NAME).key(key));
                if (!replica.eTag().equals(source.eTag())) problems.add(key + ": ETag " + replica.eTag() + " != " + source.eTag());
                byte[] a = s3.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray();
                byte[] b = target.getObjectAsBytes(g -> g.bucket(TARGET_NAME).key(key)).asByteArray();
                if (!java.util.Arrays.equals(a, b)) problems.add(key + ": bytes differ");
            } catch (NoSuchKeyException missing) {
                problems.add(key + ": live at the source, missing at the target");
            }
        }
        return problems;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aResyncWhileTheSourceDeletesBringsNothingDeletedBackAndCountsExactlyThroughAKill() throws Exception {
        String bucket = "resync-src";
        try (StrataServer server = StrataServer.start(root.resolve("safety"), ENV, List.of())) {
            List<String> keys;
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                keys = setUp(server, s3, bucket);
                wipeTarget();
                resyncWhileDeleting(server, s3, bucket);
            }
            // The kill lands mid-job: page one (5 versions: a00..a03, a03 twice) recorded, the rest not.
            Map<String, String> mid = job(server, bucket);
            assertEquals(Map.of("state", "RUNNING", "total", "13", "scanned", "5", "queued", "4", "present", "0",
                    "skipped", "1", "errors", "0"), mid);
            server.kill();
            release.countDown();
            server.start();

            try (S3Client s3 = S3Clients.pathStyle(server)) {
                waitFor("the job DONE", () -> job(server, bucket).get("state").equals("DONE"));
                waitFor("its operations delivered", () -> nothingPending(server));
                assertEquals(List.of(), differences(s3, bucket, keys));
                // After the deletes: 15 versions; page one was counted as it was before them (5 versions, 4
                // queued, a03's older version skipped), the rest after: 6 live keys queued; the two delete
                // markers and the versions under them skipped. The target had nothing: none present.
                Map<String, String> expected = Map.of("state", "DONE", "total", "13", "scanned", "15", "queued", "10",
                        "present", "0", "skipped", "5", "errors", "0");
                assertEquals(expected, job(server, bucket));

                // A second resync, from the CLI, finds every live key there and queues nothing.
                var again = ReplicationTest.run(server, "replicate", "resync", "start", bucket, "--target", TARGET_NAME,
                        "--wait");
                assertEquals(0, again.getKey(), again.getValue());
                assertTrue(again.getValue().contains("DONE, 15 scanned, 0 queued, 9 present, 6 skipped, 0 errors"),
                        again.getValue());
                assertEquals(Map.of("state", "DONE", "total", "15", "scanned", "15", "queued", "0", "present", "9",
                        "skipped", "6", "errors", "0"), job(server, bucket));
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void withoutTheCheckAtDeliveryTheResyncSafetyCheckTurnsRed() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(ENV);
        env.put("STRATA_TEST_FAULT", "resync-no-recheck");
        String bucket = "negative-src";
        try (StrataServer server = StrataServer.start(root.resolve("negative"), env, List.of());
             S3Client s3 = S3Clients.pathStyle(server)) {
            List<String> keys = setUp(server, s3, bucket);
            wipeTarget();
            resyncWhileDeleting(server, s3, bucket);
            release.countDown();
            waitFor("the job DONE", () -> job(server, bucket).get("state").equals("DONE"));
            waitFor("its operations delivered", () -> nothingPending(server));
            List<String> problems = differences(s3, bucket, keys);
            assertFalse(problems.isEmpty(), "the safety check did not see a deleted object come back");
            assertTrue(problems.contains("a01: deleted at the source, back at the target"), problems.toString());
        }
    }
}
