package io.strata.conformance;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Transition;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The single namespace over two cold tiers: the embedded local-directory tier COLD and ARCHIVE, a
 * bucket on a real third-party S3 server (s3proxy on a file-system store, so it can be stopped and
 * started again). Objects are moved by lifecycle rules (a past Date makes them due at once; the
 * gateway runs its lifecycle every second here) and read through the SDK as if nothing happened.
 */
class TieringTest {
    private static final String PROXY_KEY = "archive-access";
    private static final String PROXY_SECRET = "archive-secret-0123456789";

    @TempDir
    static Path root;
    static StrataServer server;
    static S3Client s3;
    static S3Proxy proxy;
    static BlobStoreContext proxyContext;
    static int proxyPort;
    static S3Client archive;
    static int buckets;

    @BeforeAll
    static void start() throws Exception {
        proxyPort = StrataServer.freePort();
        startProxy();
        archive = S3Client.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(S3Clients.credentials(PROXY_KEY, PROXY_SECRET))
                .endpointOverride(URI.create("http://127.0.0.1:" + proxyPort)).forcePathStyle(true)
                // s3proxy answers the SDK's default x-amz-checksum-mode with 501.
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(S3Clients.httpClient()).build();
        archive.createBucket(b -> b.bucket("archive"));
        Path config = root.resolve("strata.yaml");
        // Promotion on access (by default the second GET within an hour) would move versions back hot
        // under this test's repeated reads; placement has its own test (PlacementTest).
        Files.writeString(config, """
                placement:
                  promote-after-reads: 0
                tiers:
                  COLD:
                    type: local
                    path: %s
                  ARCHIVE:
                    type: s3
                    endpoint: http://127.0.0.1:%d
                    bucket: archive
                    prefix: strata/
                    access-key: %s
                    secret-key: %s
                """.formatted(root.resolve("cold"), proxyPort, PROXY_KEY, PROXY_SECRET));
        server = StrataServer.start(root, Map.of("STRATA_LIFECYCLE_INTERVAL", "1s"),
                List.of("--config", config.toString()));
        s3 = S3Clients.pathStyle(server);
    }

    static void startProxy() throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", root.resolve("s3proxy").toString());
        proxyContext = ContextBuilder.newBuilder("filesystem").overrides(p).credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(proxyContext.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, PROXY_KEY, PROXY_SECRET)
                .endpoint(URI.create("http://127.0.0.1:" + proxyPort)).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) Thread.sleep(10);
    }

    static void stopProxy() throws Exception {
        proxy.stop();
        proxyContext.close();
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) s3.close();
        if (server != null) server.close();
        if (archive != null) archive.close();
        if (proxy != null) stopProxy();
    }

    static String bucket(String hint) {
        String name = "t" + (++buckets) + "-" + hint;
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    static void moveNow(String bucket, String prefix, String tier) {
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                .transitionDefaultMinimumObjectSize(software.amazon.awssdk.services.s3.model.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS)
                .lifecycleConfiguration(BucketLifecycleConfiguration
                .builder().rules(LifecycleRule.builder().id("to-" + tier).status(ExpirationStatus.ENABLED)
                        .filter(LifecycleRuleFilter.builder().prefix(prefix).build())
                        .transitions(Transition.builder().date(Instant.parse("2020-01-01T00:00:00Z")).storageClass(tier).build())
                        .build()).build()));
    }

    static String storageClass(String bucket, String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).storageClassAsString();
    }

    static void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (long polls = limit.toMillis() / 100 + 1; polls > 0 && System.nanoTime() < deadline; polls--) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        fail("timed out waiting for: " + what + "; gateway output:\n" + server.outputTail());
    }

    static byte[] get(String bucket, String key, String range) {
        return s3.getObjectAsBytes(b -> {
            b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED);
            if (range != null) b.range(range);
        }).asByteArray();
    }

    static String multipart(String bucket, String key, long seed, int... partSizes) {
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < partSizes.length; i++) {
            int n = i + 1;
            byte[] data = TestData.range(seed, offset, partSizes[i]);
            var r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(n)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(data));
            parts.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build());
            offset += partSizes[i];
        }
        return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload)
                .multipartUpload(m -> m.parts(parts))).eTag();
    }

    static List<Path> coldFiles(String bucket) throws IOException {
        Path dir = root.resolve("cold").resolve(bucket);
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();   // temporaries live in cold/~tmp, not here
        }
    }

    @Test
    void aCorruptColdCopyIsNeverServedWholeAndIsLoggedAsCorruptionNamingTierAndVersion() throws Exception {
        String bucket = bucket("corrupt");
        byte[] data = TestData.bytes(31, 3 << 20);
        String version = s3.putObject(b -> b.bucket(bucket).key("damaged"), RequestBody.fromBytes(data)).versionId();
        moveNow(bucket, "", "COLD");
        await("damaged in COLD", Duration.ofSeconds(60), () -> "COLD".equals(storageClass(bucket, "damaged")));
        List<Path> files = coldFiles(bucket).stream().filter(p -> !p.getFileName().toString().endsWith("~meta")).toList();
        assertEquals(1, files.size(), files.toString());
        // The fault: one bit flipped in the last MiB block of the cold copy, after the move verified it.
        try (var f = java.nio.channels.FileChannel.open(files.getFirst(), java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            long at = (2L << 20) + 12345;
            f.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 1)).rewind();
            f.write(one, at);
        }
        // The first blocks go out before the bad one is read: the client sees a body cut short (or an
        // error), never all the bytes.
        boolean whole;
        try {
            whole = java.util.Arrays.equals(data, s3.getObjectAsBytes(b -> b.bucket(bucket).key("damaged")).asByteArray());
        } catch (RuntimeException e) {
            whole = false;
        }
        assertFalse(whole, "a corrupt cold copy was served whole");
        await("corruption logged", Duration.ofSeconds(10), () -> server.output().lines().anyMatch(l ->
                l.contains("corrupt cold copy") && l.contains("tier=COLD") && l.contains("key=damaged")
                        && l.contains(version == null ? "version=" : "version=" + version)));
        assertTrue(server.output().lines().filter(l -> l.contains("corrupt cold copy")).allMatch(l ->
                l.contains("level=ERROR")), "corruption is logged at ERROR");
    }

    @Test
    void lifecycleMovesObjectsToTheLocalTierAndEveryReadWorksTheSame() throws Exception {
        String bucket = bucket("local");
        byte[] small = TestData.bytes(1, 3000);
        String smallEtag = s3.putObject(b -> b.bucket(bucket).key("cold/small.txt").contentType("text/plain")
                .metadata(Map.of("owner", "data-team")), RequestBody.fromBytes(small)).eTag();
        int[] parts = {5 << 20, 5 << 20, 1234567};
        long bigSize = (10L << 20) + 1234567;
        String bigEtag = multipart(bucket, "cold/big.bin", 2, parts);
        s3.putObject(b -> b.bucket(bucket).key("hot/stays.txt"), RequestBody.fromBytes(small));

        moveNow(bucket, "cold/", "COLD");
        await("both objects in COLD", Duration.ofSeconds(60), () ->
                "COLD".equals(storageClass(bucket, "cold/small.txt")) && "COLD".equals(storageClass(bucket, "cold/big.bin")));

        // One namespace: listing, HEAD and GET look as before, only the storage class tells.
        Map<String, String> classes = new java.util.TreeMap<>();
        for (S3Object o : s3.listObjectsV2(b -> b.bucket(bucket)).contents()) classes.put(o.key(), o.storageClassAsString());
        assertEquals(Map.of("cold/big.bin", "COLD", "cold/small.txt", "COLD", "hot/stays.txt", "STANDARD"), classes);
        var head = s3.headObject(b -> b.bucket(bucket).key("cold/small.txt"));
        assertEquals(smallEtag, head.eTag());
        assertEquals("text/plain", head.contentType());
        assertEquals(Map.of("owner", "data-team"), head.metadata());
        assertArrayEquals(small, get(bucket, "cold/small.txt", null));
        ResponseBytes<GetObjectResponse> whole = s3.getObjectAsBytes(b -> b.bucket(bucket).key("cold/big.bin")
                .checksumMode(ChecksumMode.ENABLED));
        assertEquals(bigEtag, whole.response().eTag());
        assertEquals("COLD", whole.response().storageClassAsString());
        assertArrayEquals(TestData.range(2, 0, (int) bigSize), whole.asByteArray());
        assertArrayEquals(TestData.range(2, (5 << 20) - 10, 20), get(bucket, "cold/big.bin", "bytes=" + ((5 << 20) - 10)
                + "-" + ((5 << 20) + 9)));
        assertArrayEquals(TestData.range(2, bigSize - 100, 100), get(bucket, "cold/big.bin", "bytes=-100"));
        assertArrayEquals(TestData.range(2, 5 << 20, 5 << 20), s3.getObjectAsBytes(b -> b.bucket(bucket)
                .key("cold/big.bin").partNumber(2)).asByteArray());
        assertEquals("COLD", s3.getObjectAttributes(b -> b.bucket(bucket).key("cold/big.bin")
                .objectAttributes(ObjectAttributes.STORAGE_CLASS)).storageClassAsString());

        // Copies from a cold source are ordinary hot objects.
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("cold/big.bin").destinationBucket(bucket).destinationKey("copy.bin"));
        assertEquals("STANDARD", storageClass(bucket, "copy.bin"));
        assertArrayEquals(TestData.range(2, 0, (int) bigSize), get(bucket, "copy.bin", null));
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("partcopy.bin")).uploadId();
        String partEtag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("cold/big.bin").destinationBucket(bucket)
                .destinationKey("partcopy.bin").uploadId(upload).partNumber(1).copySourceRange("bytes=1000-5243879"))
                .copyPartResult().eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("partcopy.bin").uploadId(upload).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(partEtag).build())));
        assertArrayEquals(TestData.range(2, 1000, 5242880), get(bucket, "partcopy.bin", null));

        // Without Strata: the files mirror bucket and key, and the sidecar keeps the record.
        List<Path> files = coldFiles(bucket);
        assertEquals(4, files.size(), files::toString);
        Path bigFile = files.stream().filter(p -> p.getFileName().toString().startsWith("big.bin~null.")
                && !p.toString().endsWith("~meta")).findFirst().orElseThrow();
        assertEquals(root.resolve("cold").resolve(bucket).resolve("cold"), bigFile.getParent());
        assertArrayEquals(TestData.range(2, 0, (int) bigSize), Files.readAllBytes(bigFile));
        String sidecar = Files.readString(Path.of(bigFile + "~meta"), StandardCharsets.UTF_8);
        assertTrue(sidecar.contains("strata.etag=" + bigEtag.replace("\"", "")), sidecar);
        assertTrue(sidecar.contains("strata.parts=5242880%2C5242880%2C1234567"), sidecar);

        // Overwrite and delete remove the cold copies.
        s3.deleteBucketLifecycle(b -> b.bucket(bucket));
        s3.putObject(b -> b.bucket(bucket).key("cold/small.txt"), RequestBody.fromString("new"));
        assertEquals("STANDARD", storageClass(bucket, "cold/small.txt"));
        assertEquals("new", s3.getObjectAsBytes(b -> b.bucket(bucket).key("cold/small.txt")).asUtf8String());
        s3.deleteObject(b -> b.bucket(bucket).key("cold/big.bin"));
        await("cold copies freed", Duration.ofSeconds(20), () -> {
            try {
                return coldFiles(bucket).isEmpty();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void theS3TierHoldsPlainObjectsAndAnOutageOnlyDelaysMoves() throws Exception {
        String bucket = bucket("remote");
        byte[] data = TestData.bytes(3, 70_000);
        s3.putObject(b -> b.bucket(bucket).key("a/b.bin"), RequestBody.fromBytes(data));
        moveNow(bucket, "a/", "ARCHIVE");
        await("a/b.bin in ARCHIVE", Duration.ofSeconds(60), () -> "ARCHIVE".equals(storageClass(bucket, "a/b.bin")));
        assertArrayEquals(data, get(bucket, "a/b.bin", null));
        assertArrayEquals(TestData.range(3, 1000, 5000), get(bucket, "a/b.bin", "bytes=1000-5999"));

        // Plain S3 clients read the cold bucket without Strata.
        List<String> keys = archive.listObjectsV2(b -> b.bucket("archive").prefix("strata/" + bucket + "/"))
                .contents().stream().map(S3Object::key).filter(k -> !k.endsWith("/")).sorted().toList();   // s3proxy's directory markers
        assertEquals(2, keys.size(), keys::toString);
        assertTrue(keys.get(0).startsWith("strata/" + bucket + "/a/b.bin~null."), keys::toString);
        assertArrayEquals(data, archive.getObjectAsBytes(b -> b.bucket("archive").key(keys.get(0))).asByteArray());
        assertTrue(archive.getObjectAsBytes(b -> b.bucket("archive").key(keys.get(1))).asUtf8String()
                .contains("strata.version-id=null"));

        // Outage: hot data is untouched, cold reads fail cleanly, moves wait.
        byte[] hot = TestData.bytes(4, 5000);
        s3.putObject(b -> b.bucket(bucket).key("hot.bin"), RequestBody.fromBytes(hot));
        stopProxy();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) assertArrayEquals(hot, get(bucket, "hot.bin", null));
            s3.putObject(b -> b.bucket(bucket).key("a/later.bin"), RequestBody.fromBytes(hot));
            System.out.printf("20 hot GETs + 1 PUT during the cold outage: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            GatewayTest.assertS3Error(503, "ServiceUnavailable", () -> get(bucket, "a/b.bin", null));
            Thread.sleep(3000);   // a few lifecycle runs fail to move a/later.bin
            assertEquals("STANDARD", storageClass(bucket, "a/later.bin"));
        } finally {
            startProxy();
        }
        await("a/later.bin moved after the outage", Duration.ofSeconds(90),
                () -> "ARCHIVE".equals(storageClass(bucket, "a/later.bin")));
        assertArrayEquals(hot, get(bucket, "a/later.bin", null));
        assertArrayEquals(data, get(bucket, "a/b.bin", null));
    }

    @Test
    void smallObjectsStayHotUnderS3sDefaultTransitionMinimum() {
        String bucket = bucket("minimum");
        s3.putObject(b -> b.bucket(bucket).key("small"), RequestBody.fromBytes(TestData.bytes(20, 3000)));
        s3.putObject(b -> b.bucket(bucket).key("large"), RequestBody.fromBytes(TestData.bytes(21, 200_000)));
        var put = s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(BucketLifecycleConfiguration
                .builder().rules(LifecycleRule.builder().id("all").status(ExpirationStatus.ENABLED)
                        .filter(LifecycleRuleFilter.builder().prefix("").build())
                        .transitions(Transition.builder().date(Instant.parse("2020-01-01T00:00:00Z")).storageClass("COLD").build())
                        .build()).build()));
        assertEquals("all_storage_classes_128K", put.transitionDefaultMinimumObjectSizeAsString());
        assertEquals("all_storage_classes_128K", s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket))
                .transitionDefaultMinimumObjectSizeAsString());
        await("large in COLD", Duration.ofSeconds(60), () -> "COLD".equals(storageClass(bucket, "large")));
        assertEquals("STANDARD", storageClass(bucket, "small"));
    }

    @Test
    void glacierClassesAndUnknownTiersAreRefused() {
        String bucket = bucket("refuse");
        GatewayTest.assertS3Error(400, "InvalidStorageClass", () -> moveNow(bucket, "", "GLACIER"));
        GatewayTest.assertS3Error(400, "InvalidStorageClass", () -> moveNow(bucket, "", "NOPE"));
    }

    /**
     * Kills the gateway while a lifecycle move of a 160 MiB version into the local tier is writing
     * its copy, and checks what the move protocol promises: nothing is lost, the version is moved
     * again after the restart, once, and the restart frees what the killed move left behind.
     *
     * <p>The test asserts that its fault happened: the kill must land while the copy's temporary
     * file in {@code cold/~tmp/} exists, and the file must still be there after the kill (a finished
     * upload renames or removes it). Its negative control is a fault the gateway injects into itself
     * when started with {@code STRATA_TEST_FAULT=skip-move-recovery}: the restarted gateway then
     * leaves the interrupted move unrecovered, and this test must fail:
     * <pre>STRATA_TEST_FAULT=skip-move-recovery mvn -o -B verify -pl conformance-tests -am \
     *     -Dtest='TieringTest#aKillDuringAMove*' -Dsurefire.failIfNoSpecifiedTests=false</pre>
     */
    @Test
    void aKillDuringAMoveLosesNothingAndTheMoveFinishesAfterRestart() throws Exception {
        String bucket = bucket("crash");
        long size = 160L << 20;
        s3.putObject(b -> b.bucket(bucket).key("big"), RequestBody.fromInputStream(TestData.stream(5, size), size));
        Path temps = root.resolve("cold").resolve("~tmp");   // where the local tier writes before renaming
        Path partial;
        try (WatchService watcher = temps.getFileSystem().newWatchService()) {
            // Watching before the move starts, so the temporary file's creation cannot be missed.
            temps.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            moveNow(bucket, "", "COLD");
            partial = awaitCreated(watcher, temps, ".data", Duration.ofSeconds(60));
        }
        server.kill();
        assertTrue(Files.exists(partial), "the kill landed after the upload had ended (" + partial
                + " is gone): no move was in flight");
        System.out.printf("killed the move with %,d of %,d bytes in its partial copy%n", Files.size(partial), size);
        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
        // The object reads back whole, then ends up cold, once.
        try {
            assertEquals(TestData.sha256(5, size), TestData.sha256(s3.getObject(b -> b.bucket(bucket).key("big"))));
        } catch (RuntimeException e) {
            throw new AssertionError("GET after restart failed; gateway output:\n" + server.outputTail(), e);
        }
        await("moved after restart", Duration.ofSeconds(60), () -> "COLD".equals(storageClass(bucket, "big")));
        try (InputStream in = s3.getObject(b -> b.bucket(bucket).key("big"))) {
            assertEquals(TestData.sha256(5, size), TestData.sha256(in));
        }
        await("one cold copy left", Duration.ofSeconds(20), () -> {
            try {
                return coldFiles(bucket).size() == 2;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        // Recovery at the restart freed the killed move's copy: its partial file goes at once, not at
        // a start ten minutes later.
        await("the killed move's partial file " + partial.getFileName() + " freed", Duration.ofSeconds(20),
                () -> !Files.exists(partial));
    }

    /**
     * Kills the gateway while a {@code strata tier move} job is half done and checks what a durable
     * bulk job promises: after the restart it resumes where its last recorded page ended, finishes on
     * its own, moves every version, and counts each version exactly once (versions the killed page had
     * moved already are counted as skipped, not twice).
     *
     * <p>The fault is asserted: the kill lands while the job is running with some but not all versions
     * recorded, and the restarted gateway logs that it resumed the job after that many versions. Its
     * negative control is {@code STRATA_TEST_FAULT=skip-job-resume}, with which the restarted gateway
     * leaves the job alone, and this test must fail:
     * <pre>STRATA_TEST_FAULT=skip-job-resume mvn -o -B verify -pl conformance-tests -am \
     *     -Dtest='TieringTest#aTierMoveJob*' -Dsurefire.failIfNoSpecifiedTests=false</pre>
     */
    @Test
    void aTierMoveJobKilledHalfwayResumesAfterRestartAndCountsEachVersionOnce() throws Exception {
        String bucket = bucket("resume");
        int count = 400;
        for (int i = 0; i < count; i++) {
            String key = String.format("d/%04d", i);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(TestData.bytes(1000 + i, 70_000)));
        }
        String started = PlacementTest.admin(server, "POST", "/tiers/move", Map.of("bucket", bucket, "prefix", "d/",
                "tier", "COLD"), 202);
        long id = PlacementTest.number(started, "id");
        assertEquals(count, PlacementTest.number(started, "total"), started);
        String[] seen = {""};
        await("the job's first pages recorded", Duration.ofSeconds(60), () -> {
            try {
                seen[0] = PlacementTest.admin(server, "GET", "/jobs", Map.of("id", Long.toString(id)), 200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return visited(seen[0]) > 0;
        });
        server.kill();
        long before = visited(seen[0]);
        assertTrue(seen[0].contains("\"state\":\"running\"") && before < count,
                "the job had ended before the kill, nothing was interrupted: " + seen[0]);

        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
        String[] last = {""};
        await("the resumed job ended", Duration.ofSeconds(120), () -> {
            try {
                last[0] = PlacementTest.admin(server, "GET", "/jobs", Map.of("id", Long.toString(id)), 200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !last[0].contains("\"state\":\"running\"");
        });
        assertTrue(server.output().contains("bulk job " + id + " (tier.move on " + bucket + "/d/) resumes after "),
                "the restarted gateway resumed the job: " + server.outputTail());
        assertTrue(last[0].contains("\"state\":\"done\""), last[0]);
        assertEquals(count, visited(last[0]), "each version counted once: " + last[0]);
        assertEquals(0, PlacementTest.number(last[0], "failed"), last[0]);
        // Only versions of the page the kill cut short can have been moved already: at most one page.
        assertTrue(PlacementTest.number(last[0], "skipped") <= BULK_PAGE, last[0]);
        for (int i = 0; i < count; i += 37) {
            String key = String.format("d/%04d", i);
            assertEquals("COLD", storageClass(bucket, key), key);
        }
        assertArrayEquals(TestData.bytes(1000 + 399, 70_000), get(bucket, "d/0399", null));
        var list = strata("jobs", "list");
        assertEquals(0, list.getKey(), list.getValue());
        assertTrue(list.getValue().contains("tier.move") && list.getValue().contains(count + "/" + count), list.getValue());
        var shown = strata("jobs", "show", Long.toString(id), "--json");
        assertTrue(shown.getValue().contains("\"state\":\"done\""), shown.getValue());
        var cancel = strata("jobs", "cancel", Long.toString(id));
        assertEquals(0, cancel.getKey(), cancel.getValue());
        assertTrue(cancel.getValue().contains("done"), "an ended job stays as it ended: " + cancel.getValue());
        assertEquals(3, strata("jobs", "show", "999999").getKey());
        assertTrue(server.metrics().contains("strata_bulk_jobs{action=\"tier.move\",state=\"done\"} "), server.metrics());
    }

    /** Versions per page of a bulk job (tiering's BulkJobs.PAGE_SIZE): what a killed job redoes. */
    private static final int BULK_PAGE = 64;

    private static long visited(String job) {
        return PlacementTest.number(job, "done") + PlacementTest.number(job, "skipped") + PlacementTest.number(job, "failed");
    }

    /**
     * Waits, at most {@code limit} and at most 10,000 events, for a file whose name ends with
     * {@code suffix} to be created in {@code dir}; fails at the limit.
     */
    private static Path awaitCreated(WatchService watcher, Path dir, String suffix, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        for (int events = 0; events < 10_000; ) {
            long left = deadline - System.nanoTime();
            WatchKey key = left <= 0 ? null : watcher.poll(left, TimeUnit.NANOSECONDS);
            if (key == null) break;
            for (WatchEvent<?> event : key.pollEvents()) {
                events++;
                if (event.context() instanceof Path name && name.toString().endsWith(suffix)) return dir.resolve(name);
            }
            if (!key.reset()) break;
        }
        return fail("no file *" + suffix + " was created in " + dir + " within " + limit.toSeconds()
                + " s: no move was in flight to kill; gateway output:\n" + server.outputTail());
    }

    /** Runs the packaged {@code strata} command against the gateway; returns exit status and output. */
    static Map.Entry<Integer, String> strata(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", StrataServer.jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--gateway", server.endpoint().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("STRATA_ACCESS_KEY", StrataServer.ACCESS_KEY);
        pb.environment().put("STRATA_SECRET_KEY", StrataServer.SECRET_KEY);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("strata " + String.join(" ", args) + " did not finish");
        }
        return Map.entry(p.exitValue(), output);
    }

    @Test
    void operatorsAddMoveAndRemoveTiersWithTheStrataCommandWithoutRestart() throws Exception {
        archive.createBucket(b -> b.bucket("archive2"));
        var added = strata("tier", "add", "REMOTE2", "--type", "s3", "--endpoint", "http://127.0.0.1:" + proxyPort,
                "--bucket", "archive2", "--prefix", "p", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(0, added.getKey(), added.getValue());
        var bad = strata("tier", "add", "BROKEN", "--type", "s3", "--endpoint", "http://127.0.0.1:" + proxyPort,
                "--bucket", "no-such-bucket", "--access-key", PROXY_KEY, "--secret-key", PROXY_SECRET);
        assertEquals(3, bad.getKey(), bad.getValue());
        assertTrue(bad.getValue().contains("does not work"), bad.getValue());
        var list = strata("tier", "list");
        assertEquals(0, list.getKey(), list.getValue());
        assertTrue(list.getValue().contains("REMOTE2") && list.getValue().contains("COLD") && !list.getValue().contains("BROKEN"),
                list.getValue());

        String bucket = bucket("cli");
        for (int i = 0; i < 5; i++) {
            byte[] data = TestData.bytes(10 + i, 20_000 * (i + 1));
            String key = "data/" + i;
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
        }
        s3.putObject(b -> b.bucket(bucket).key("other"), RequestBody.fromString("stays"));
        var moved = strata("tier", "move", bucket + "/data/", "REMOTE2");
        assertEquals(0, moved.getKey(), moved.getValue());
        assertTrue(moved.getValue().contains("5/5 versions"), moved.getValue());
        for (int i = 0; i < 5; i++) {
            assertEquals("REMOTE2", storageClass(bucket, "data/" + i));
            assertArrayEquals(TestData.bytes(10 + i, 20_000 * (i + 1)), get(bucket, "data/" + i, null));
        }
        assertEquals("STANDARD", storageClass(bucket, "other"));
        var status = strata("tier", "status", "--json");
        assertTrue(status.getValue().contains("\"name\":\"REMOTE2\""), status.getValue());
        assertEquals(0, strata("tier", "check", "REMOTE2").getKey());

        // Kept across a restart; then brought back hot and removed.
        server.stop();
        server.start();
        s3.close();
        s3 = S3Clients.pathStyle(server);
        assertArrayEquals(TestData.bytes(12, 60_000), get(bucket, "data/2", null));
        // A tier that still holds versions is not removed: they would point at a tier nobody knows.
        var refused = strata("tier", "remove", "REMOTE2");
        assertEquals(3, refused.getKey(), refused.getValue());
        assertTrue(refused.getValue().contains("still holds 5 cold copies"), refused.getValue());
        assertArrayEquals(TestData.bytes(13, 80_000), get(bucket, "data/3", null));
        var back = strata("tier", "move", bucket + "/data/", "hot");
        assertEquals(0, back.getKey(), back.getValue());
        assertEquals("STANDARD", storageClass(bucket, "data/4"));
        assertArrayEquals(TestData.bytes(14, 100_000), get(bucket, "data/4", null));
        // The cold copies leave through the garbage queue; once they are deleted the tier goes.
        await("REMOTE2 emptied and removed", Duration.ofSeconds(60), () -> {
            try {
                return strata("tier", "remove", "REMOTE2").getKey() == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        var config = strata("tier", "remove", "COLD");
        assertEquals(3, config.getKey(), config.getValue());
        assertTrue(config.getValue().contains("configuration file"), config.getValue());
        assertTrue(server.output().contains("(tier.move on " + bucket + "/data/) DONE"), "move jobs are logged");
        String metrics = server.metrics();
        assertTrue(metrics.contains("strata_tier_moved_objects_total{tier=\"COLD\"}"), metrics);
    }
}
