package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3's conditional writes and deletes through a running gateway with the AWS SDK v2:
 * {@code If-None-Match: *} and {@code If-Match} on PutObject and CompleteMultipartUpload,
 * {@code If-Match} on DeleteObject and {@code ETag} in DeleteObjects, checked and committed in one
 * step, so that of concurrent creators exactly one wins and a read-ETag/PUT-If-Match loop loses no
 * increment.
 */
class ConditionalWriteTest extends GatewayTest {
    private static final int MIB = 1024 * 1024;

    private static PutObjectResponse put(String bucket, String key, String body) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    private static String get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8);
    }

    @Test
    void putIfNoneMatchCreatesOnlyAKeyThatDoesNotExist() {
        String bucket = createBucket("cw-none-match");
        s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("first"));

        S3Exception e = assertS3Error(412, "PreconditionFailed", () ->
                s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("second")));
        assertTrue(e.getMessage().contains("precondition"), e::getMessage);
        assertEquals("first", get(bucket, "k"));
    }

    @Test
    void putIfNoneMatchSucceedsWhenADeleteMarkerIsTheCurrentVersion() {
        String bucket = createBucket("cw-marker");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        put(bucket, "k", "first");
        s3.deleteObject(b -> b.bucket(bucket).key("k"));

        s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("second"));

        assertEquals("second", get(bucket, "k"));
        assertS3Error(412, "PreconditionFailed", () ->
                s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("third")));
    }

    @Test
    void putIfMatchReplacesOnlyTheVersionWithThatEtag() {
        String bucket = createBucket("cw-match");
        String etag = put(bucket, "k", "first").eTag();

        assertS3Error(412, "PreconditionFailed", () -> s3.putObject(b -> b.bucket(bucket).key("k")
                .ifMatch("\"" + TestData.md5Hex("other".getBytes(StandardCharsets.UTF_8)) + "\""),
                RequestBody.fromString("second")));
        assertEquals("first", get(bucket, "k"));

        s3.putObject(b -> b.bucket(bucket).key("k").ifMatch(etag), RequestBody.fromString("second"));
        assertEquals("second", get(bucket, "k"));
    }

    @Test
    void putIfMatchOnAMissingKeyIsNoSuchKey() {
        String bucket = createBucket("cw-match-missing");
        assertS3Error(404, "NoSuchKey", () -> s3.putObject(b -> b.bucket(bucket).key("absent")
                .ifMatch("\"0123456789abcdef0123456789abcdef\""), RequestBody.fromString("x")));
        assertS3Error(404, "NoSuchKey", () -> s3.headObject(b -> b.bucket(bucket).key("absent")));
    }

    @Test
    void copyIfNoneMatchAndIfMatchConditionTheTargetKey() {
        String bucket = createBucket("cw-copy");
        put(bucket, "src", "source");
        String targetEtag = put(bucket, "dst", "target").eTag();

        assertS3Error(412, "PreconditionFailed", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src")
                .destinationBucket(bucket).destinationKey("dst").ifNoneMatch("*")));
        assertEquals("target", get(bucket, "dst"));
        assertS3Error(404, "NoSuchKey", () -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src")
                .destinationBucket(bucket).destinationKey("absent").ifMatch(targetEtag)));

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("dst")
                .ifMatch(targetEtag));
        assertEquals("source", get(bucket, "dst"));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("new")
                .ifNoneMatch("*"));
        assertEquals("source", get(bucket, "new"));
    }

    @Test
    void ifNoneMatchWithAnEtagIsNotImplemented() {
        String bucket = createBucket("cw-none-match-etag");
        assertS3Error(501, "NotImplemented", () -> s3.putObject(b -> b.bucket(bucket).key("k")
                .ifNoneMatch("\"0123456789abcdef0123456789abcdef\""), RequestBody.fromString("x")));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void ofConcurrentIfNoneMatchCreatorsExactlyOneSucceedsAndItsBytesAreStored() throws Exception {
        String bucket = createBucket("cw-race");
        int writers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int i = 0; i < writers; i++) {
                // 200 KiB each: big enough that the uploads overlap, above the inline threshold.
                byte[] body = TestData.bytes(1000 + i, 200 * 1024);
                statuses.add(pool.submit(() -> {
                    start.await();
                    try {
                        s3.putObject(b -> b.bucket(bucket).key("race").ifNoneMatch("*"), RequestBody.fromBytes(body));
                        return 200;
                    } catch (S3Exception e) {
                        return e.statusCode();
                    }
                }));
            }
            start.countDown();
            int winner = -1;
            for (int i = 0; i < writers; i++) {
                int status = statuses.get(i).get(90, TimeUnit.SECONDS);
                if (status == 200) {
                    assertEquals(-1, winner, "a second writer succeeded: " + i);
                    winner = i;
                } else {
                    assertTrue(status == 412 || status == 409, "writer " + i + " got " + status);
                }
            }
            assertTrue(winner >= 0, "no writer succeeded");
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket(bucket).key("race")).asByteArray();
            assertEquals(TestData.md5Hex(TestData.bytes(1000 + winner, 200 * 1024)), TestData.md5Hex(stored));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anIfMatchCompareAndSwapLoopLosesNoIncrement() throws Exception {
        String bucket = createBucket("cw-counter");
        put(bucket, "counter", "0");
        int writers = 4;
        int incrementsEach = 10;
        int maxAttempts = 500;
        List<Future<Integer>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    int succeeded = 0;
                    for (int attempt = 0; attempt < maxAttempts && succeeded < incrementsEach; attempt++) {
                        var read = s3.getObjectAsBytes(b -> b.bucket(bucket).key("counter"));
                        long value = Long.parseLong(read.asString(StandardCharsets.UTF_8));
                        String etag = read.response().eTag();
                        try {
                            s3.putObject(b -> b.bucket(bucket).key("counter").ifMatch(etag),
                                    RequestBody.fromString(Long.toString(value + 1)));
                            succeeded++;
                        } catch (S3Exception e) {
                            if (e.statusCode() != 412 && e.statusCode() != 409) throw e;
                        }
                    }
                    return succeeded;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) total += f.get(150, TimeUnit.SECONDS);
            assertEquals(Long.toString(total), get(bucket, "counter"), "every acknowledged increment is counted once");
            assertEquals(writers * incrementsEach, total, "each writer finished within " + maxAttempts + " attempts");
        }
    }

    private static List<CompletedPart> uploadParts(String bucket, String key, String uploadId, byte[]... parts) {
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            byte[] data = parts[i];
            String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(n),
                    RequestBody.fromBytes(data)).eTag();
            completed.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        return completed;
    }

    @Test
    void completeIfNoneMatchOnAnExistingKeyFailsAndLeavesTheUploadInProgress() {
        String bucket = createBucket("cw-complete");
        put(bucket, "k", "existing");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        List<CompletedPart> parts = uploadParts(bucket, "k", uploadId, TestData.bytes(5, 5 * MIB), TestData.bytes(6, 10));

        assertS3Error(412, "PreconditionFailed", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).ifNoneMatch("*").multipartUpload(m -> m.parts(parts))));
        assertEquals("existing", get(bucket, "k"));
        assertEquals(2, s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId)).parts().size());

        String etag = s3.headObject(b -> b.bucket(bucket).key("k")).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId).ifMatch(etag)
                .multipartUpload(m -> m.parts(parts)));
        assertEquals(5 * MIB + 10, s3.headObject(b -> b.bucket(bucket).key("k")).contentLength());
    }

    @Test
    void completeIfMatchOnAMissingKeyIsNoSuchKey() {
        String bucket = createBucket("cw-complete-missing");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        List<CompletedPart> parts = uploadParts(bucket, "k", uploadId, TestData.bytes(7, 10));
        assertS3Error(404, "NoSuchKey", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).ifMatch("\"0123456789abcdef0123456789abcdef\"").multipartUpload(m -> m.parts(parts))));
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId).ifNoneMatch("*")
                .multipartUpload(m -> m.parts(parts)));
        assertEquals(10, s3.headObject(b -> b.bucket(bucket).key("k")).contentLength());
    }

    @Test
    void deleteIfMatchDeletesOnlyTheVersionWithThatEtag() {
        String bucket = createBucket("cw-delete");
        String etag = put(bucket, "k", "first").eTag();

        assertS3Error(412, "PreconditionFailed", () -> s3.deleteObject(b -> b.bucket(bucket).key("k")
                .ifMatch("\"0123456789abcdef0123456789abcdef\"")));
        assertEquals("first", get(bucket, "k"));
        assertS3Error(404, "NoSuchKey", () -> s3.deleteObject(b -> b.bucket(bucket).key("absent").ifMatch(etag)));

        s3.deleteObject(b -> b.bucket(bucket).key("k").ifMatch(etag));
        assertS3Error(404, "NoSuchKey", () -> s3.headObject(b -> b.bucket(bucket).key("k")));
    }

    @Test
    void deleteObjectsDeletesOnlyTheEntriesWhoseEtagStillMatches() {
        String bucket = createBucket("cw-delete-objects");
        String etagA = put(bucket, "a", "a").eTag();
        put(bucket, "b", "b");
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("a").eTag(etagA).build(),
                ObjectIdentifier.builder().key("b").eTag(etagA).build())));

        assertEquals(List.of("a"), response.deleted().stream().map(x -> x.key()).toList());
        assertEquals(1, response.errors().size());
        assertEquals("b", response.errors().getFirst().key());
        assertEquals("PreconditionFailed", response.errors().getFirst().code());
        assertEquals("b", get(bucket, "b"));
        assertS3Error(404, "NoSuchKey", () -> s3.headObject(b -> b.bucket(bucket).key("a")));
    }

    @Test
    void aRepeatedCompleteAnswersTheFirstResultAndAnotherPartListIsNoSuchUpload() {
        String bucket = createBucket("cw-complete-twice");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        List<CompletedPart> parts = uploadParts(bucket, "k", uploadId, TestData.bytes(8, 5 * MIB), TestData.bytes(9, 10));

        CompleteMultipartUploadResponse first = s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        // A newer version made meanwhile does not change what the retry answers.
        put(bucket, "k", "newer");
        CompleteMultipartUploadResponse again = s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));

        assertEquals(first.eTag(), again.eTag());
        assertNotNull(first.versionId());
        assertEquals(first.versionId(), again.versionId());
        assertEquals(first.location(), again.location());
        assertEquals(first.bucket(), again.bucket());
        assertEquals(first.key(), again.key());
        assertS3Error(404, "NoSuchUpload", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("k")
                .uploadId(uploadId).multipartUpload(m -> m.parts(parts.getFirst()))));
        assertS3Error(404, "NoSuchUpload", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("other")
                .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
    }

    @Test
    void putAndCompleteToAnUnversionedBucketReturnNoVersionId() {
        String bucket = createBucket("cw-unversioned");
        assertEquals(null, put(bucket, "k", "x").versionId());
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("m")).uploadId();
        List<CompletedPart> parts = uploadParts(bucket, "m", uploadId, TestData.bytes(10, 10));
        assertEquals(null, s3.completeMultipartUpload(b -> b.bucket(bucket).key("m").uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))).versionId());
        var deleted = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertEquals(null, deleted.deleteMarker());
        assertEquals(null, deleted.versionId());
    }

    @Test
    void deleteAnswersTheDeleteMarkerItCreatesOrRemoves() {
        String bucket = createBucket("cw-markers");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        String v1 = put(bucket, "k", "x").versionId();
        var marker = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertTrue(marker.deleteMarker());
        assertNotNull(marker.versionId());
        assertFalse(marker.versionId().equals(v1));
        var removedMarker = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker.versionId()));
        assertTrue(removedMarker.deleteMarker());
        assertEquals(marker.versionId(), removedMarker.versionId());
        var removedVersion = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v1));
        assertEquals(null, removedVersion.deleteMarker());
        assertEquals(v1, removedVersion.versionId());

        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
        put(bucket, "s", "x");
        var suspended = s3.deleteObject(b -> b.bucket(bucket).key("s"));
        assertTrue(suspended.deleteMarker());
        assertEquals("null", suspended.versionId());
    }

    /** The same behaviours as boto3 1.43 (the first python3 on PATH) sends them. */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void boto3SendsAndReadsThemAsTheSdkDoes() throws Exception {
        RealClients.skipIfOptedOut();
        java.nio.file.Path python = RealClients.onPathOrFail("python3", "python3");
        if (!RealClients.hasBoto3(python)) RealClients.missing(python + " has no boto3", "run " + python + " -m pip install boto3");
        java.nio.file.Path script = java.nio.file.Path.of(System.getProperty("strata.scripts", "scripts"))
                .toAbsolutePath().resolve("boto3_behaviours_test.py");
        RealClients.run(server, root, "boto3_behaviours_test.py", java.util.Map.of(), python.toString(), script.toString());
    }
}
