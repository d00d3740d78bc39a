package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

/** CreateMultipartUpload, UploadPart, ListParts, ListMultipartUploads, Complete and Abort. */
class MultipartTest extends GatewayTest {
    private static final int MIB = 1024 * 1024;

    private static String upload(String bucket, String key, int partNumber, byte[] data, String uploadId) {
        return s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber), RequestBody.fromBytes(data)).eTag();
    }

    @Test
    void partsUploadedInParallelCompleteIntoOneObject() throws Exception {
        String bucket = createBucket("multipart");
        String key = "big/multi part ü.bin";
        byte[][] parts = {TestData.bytes(31, 5 * MIB), TestData.bytes(32, 5 * MIB), TestData.bytes(33, 1234)};
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                .contentType("application/x-multipart").metadata(Map.of("kind", "multipart"))).uploadId();

        List<MultipartUpload> uploads = s3.listMultipartUploads(b -> b.bucket(bucket)).uploads();
        assertTrue(uploads.stream().anyMatch(u -> u.uploadId().equals(uploadId) && u.key().equals(key)), "ListMultipartUploads: " + uploads);

        String[] etags = new String[parts.length];
        try (var executor = Executors.newFixedThreadPool(3)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = parts.length - 1; i >= 0; i--) {
                int index = i;
                futures.add(executor.submit(() -> etags[index] = upload(bucket, key, index + 1, parts[index], uploadId)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        for (int i = 0; i < parts.length; i++) {
            assertEquals("\"" + TestData.md5Hex(parts[i]) + "\"", etags[i], "ETag of part " + (i + 1));
        }

        ListPartsResponse listed = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        assertEquals(List.of(1, 2, 3), listed.parts().stream().map(Part::partNumber).toList());
        assertEquals(List.of((long) 5 * MIB, (long) 5 * MIB, 1234L), listed.parts().stream().map(Part::size).toList());
        assertEquals(List.of(etags), listed.parts().stream().map(Part::eTag).toList());

        // Not visible before completion.
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key(key)));

        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            completed.add(CompletedPart.builder().partNumber(i + 1).eTag(etags[i]).build());
        }
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed)));
        String expectedEtag = "\"" + TestData.multipartEtag(parts) + "\"";
        assertEquals(expectedEtag, done.eTag(), "ETag of a multipart object: MD5 of the part MD5s, then -3");
        assertEquals(key, done.key());
        assertEquals(bucket, done.bucket());

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        byte[] whole = concat(parts);
        assertEquals(TestData.sha256(whole), TestData.sha256(got.asByteArray()), "bytes of the completed object");
        assertEquals(expectedEtag, got.response().eTag());
        assertEquals("application/x-multipart", got.response().contentType());
        assertEquals(Map.of("kind", "multipart"), got.response().metadata());

        // A range across the boundary of parts 1 and 2.
        byte[] across = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=" + (5 * MIB - 100) + "-" + (5 * MIB + 99))).asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, 5 * MIB - 100, 5 * MIB + 100), across);

        assertFalse(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().anyMatch(u -> u.uploadId().equals(uploadId)),
                "completed upload still listed");
        assertS3Error(404, "NoSuchUpload", () -> s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)));
    }

    /**
     * Transfer managers and the aws CLI send all parts of an upload at once: each part commits on
     * its own row under the upload, so none waits for or overwrites another, and every one lands.
     */
    @Test
    void sixteenPartsSentAtOnceFromSixteenThreadsAllLandAndReadBackByteIdentical() throws Exception {
        String bucket = createBucket("multipart-parallel");
        String key = "sixteen";
        int count = 16;
        byte[][] parts = new byte[count][];
        for (int i = 0; i < count; i++) parts[i] = TestData.bytes(500 + i, i < count - 1 ? 5 * MIB : 777_777);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String[] etags = new String[count];
        CountDownLatch start = new CountDownLatch(1);
        try (var executor = Executors.newFixedThreadPool(count)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(executor.submit(() -> {
                    start.await();
                    etags[index] = upload(bucket, key, index + 1, parts[index], uploadId);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) f.get();
        }
        List<Part> listed = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts();
        assertEquals(count, listed.size(), "parts listed: " + listed);
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            assertEquals("\"" + TestData.md5Hex(parts[i]) + "\"", etags[i], "ETag of part " + (i + 1));
            assertEquals(etags[i], listed.get(i).eTag(), "listed ETag of part " + (i + 1));
            completed.add(CompletedPart.builder().partNumber(i + 1).eTag(etags[i]).build());
        }
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key(key)
                .uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
        assertEquals("\"" + TestData.multipartEtag(parts) + "\"", done.eTag());
        try (var in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            assertEquals(TestData.sha256(concat(parts)), TestData.sha256(in), "bytes of the completed object");
        }
    }

    @Test
    void reuploadedPartReplacesTheEarlierOne() {
        String bucket = createBucket("multipart-reupload");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        upload(bucket, "k", 1, TestData.bytes(41, 5 * MIB), uploadId);
        byte[] second = TestData.bytes(42, 5 * MIB);
        String etag1 = upload(bucket, "k", 1, second, uploadId);
        byte[] last = TestData.bytes(43, 10);
        String etag2 = upload(bucket, "k", 2, last, uploadId);
        assertEquals(1, s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId)).parts().stream().filter(p -> p.partNumber() == 1).count());
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(etag1).build(), CompletedPart.builder().partNumber(2).eTag(etag2).build())));
        assertEquals(TestData.sha256(concat(new byte[][] {second, last})),
                TestData.sha256(s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asByteArray()));
    }

    @Test
    void singleSmallPartIsAllowed() {
        String bucket = createBucket("multipart-single");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("one")).uploadId();
        String etag = upload(bucket, "one", 1, "tiny".getBytes(java.nio.charset.StandardCharsets.UTF_8), uploadId);
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("one").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
        assertTrue(done.eTag().endsWith("-1\""), "ETag " + done.eTag());
        assertEquals("tiny", s3.getObjectAsBytes(b -> b.bucket(bucket).key("one")).asUtf8String());
    }

    @Test
    void abortedUploadIsGone() {
        String bucket = createBucket("multipart-abort");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("aborted")).uploadId();
        String etag = upload(bucket, "aborted", 1, TestData.bytes(44, 1000), uploadId);
        s3.abortMultipartUpload(b -> b.bucket(bucket).key("aborted").uploadId(uploadId));

        assertTrue(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty());
        assertS3Error(404, "NoSuchUpload", () -> upload(bucket, "aborted", 2, TestData.bytes(45, 1000), uploadId));
        assertS3Error(404, "NoSuchUpload", () -> s3.listParts(b -> b.bucket(bucket).key("aborted").uploadId(uploadId)));
        assertS3Error(404, "NoSuchUpload", () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("aborted").uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build()))));
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("aborted")));
        s3.deleteBucket(b -> b.bucket(bucket));
    }

    @Test
    void unknownUploadIdIsNoSuchUpload() {
        String bucket = createBucket("multipart-unknown");
        assertS3Error(404, "NoSuchUpload", () -> upload(bucket, "k", 1, new byte[10], "no-such-upload-id"));
    }

    @Test
    void completeWithBadPartListFails() {
        String bucket = createBucket("multipart-bad-list");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        String first = upload(bucket, "k", 1, TestData.bytes(46, 5 * MIB), uploadId);
        String second = upload(bucket, "k", 2, TestData.bytes(47, 5 * MIB), uploadId);
        String smallThird = upload(bucket, "k", 3, TestData.bytes(48, 1024), uploadId);
        String smallFourth = upload(bucket, "k", 4, TestData.bytes(49, 1024), uploadId);

        assertS3Error(400, "InvalidPart", () -> complete(bucket, uploadId, part(1, "\"0123456789abcdef0123456789abcdef\"")));
        assertS3Error(400, "InvalidPart", () -> complete(bucket, uploadId, part(7, first)));
        assertS3Error(400, "InvalidPartOrder", () -> complete(bucket, uploadId, part(2, second), part(1, first)));
        // Every part but the last must be at least 5 MiB.
        assertS3Error(400, "EntityTooSmall", () -> complete(bucket, uploadId, part(3, smallThird), part(4, smallFourth)));
        // None of that made an object, and the upload is still open with its parts.
        assertS3Error(404, null, () -> s3.headObject(b -> b.bucket(bucket).key("k")));
        assertEquals(4, s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId)).parts().size());
        // A subset of the parts is a valid completion.
        complete(bucket, uploadId, part(1, first), part(3, smallThird));
        assertEquals(5L * MIB + 1024, s3.headObject(b -> b.bucket(bucket).key("k")).contentLength());
    }

    /** Uploads {@code parts} as one multipart object and completes it; returns its ETag. */
    static String multipartObject(String bucket, String key, byte[]... parts) {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            completed.add(CompletedPart.builder().partNumber(i + 1).eTag(upload(bucket, key, i + 1, parts[i], uploadId)).build());
        }
        return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed))).eTag();
    }

    @Test
    void getAndHeadByPartNumberAnswerThatPart() {
        String bucket = createBucket("multipart-part-get");
        byte[][] parts = {TestData.bytes(51, 5 * MIB), TestData.bytes(52, 5 * MIB), TestData.bytes(53, 777)};
        String etag = multipartObject(bucket, "k", parts);
        long total = 10L * MIB + 777;
        long offset = 0;
        for (int n = 1; n <= 3; n++) {
            int number = n;
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(number));
            assertEquals(206, got.response().sdkHttpResponse().statusCode());
            assertArrayEquals(parts[n - 1], got.asByteArray(), "bytes of part " + n);
            assertEquals("bytes " + offset + "-" + (offset + parts[n - 1].length - 1) + "/" + total, got.response().contentRange());
            assertEquals(3, got.response().partsCount());
            assertEquals(etag, got.response().eTag(), "the ETag stays the whole object's");
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").partNumber(number));
            assertEquals((long) parts[n - 1].length, head.contentLength());
            assertEquals(3, head.partsCount());
            offset += parts[n - 1].length;
        }
        assertEquals(3, s3.headObject(b -> b.bucket(bucket).key("k")).partsCount());
        assertS3Error(416, "InvalidPartNumber", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(4)));
        assertS3Error(416, null, () -> s3.headObject(b -> b.bucket(bucket).key("k").partNumber(4)));
        assertS3Error(400, "InvalidArgument", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(0)));
        assertS3Error(400, "InvalidRequest", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(1).range("bytes=0-1")));
    }

    @Test
    void uploadPartCopyTakesWholeObjectsAndRangesFromSingleAndMultipartSources() {
        String bucket = createBucket("multipart-part-copy");
        byte[] single = TestData.bytes(61, 6 * MIB);
        s3.putObject(b -> b.bucket(bucket).key("single"), RequestBody.fromBytes(single));
        byte[][] sourceParts = {TestData.bytes(62, 5 * MIB), TestData.bytes(63, 3 * MIB)};
        multipartObject(bucket, "multi", sourceParts);
        byte[] multi = concat(sourceParts);

        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("target")).uploadId();
        UploadPartCopyResponse first = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("single")
                .destinationBucket(bucket).destinationKey("target").uploadId(uploadId).partNumber(1));
        assertEquals("\"" + TestData.md5Hex(single) + "\"", first.copyPartResult().eTag());
        assertTrue(first.copyPartResult().lastModified() != null, "LastModified");
        int from = 100;
        int to = 5 * MIB + 100;   // across the source's part boundary, and at least 5 MiB: not the last part
        UploadPartCopyResponse second = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("multi")
                .copySourceRange("bytes=" + from + "-" + to)
                .destinationBucket(bucket).destinationKey("target").uploadId(uploadId).partNumber(2));
        byte[] range = java.util.Arrays.copyOfRange(multi, from, to + 1);
        assertEquals("\"" + TestData.md5Hex(range) + "\"", second.copyPartResult().eTag());
        UploadPartCopyResponse third = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("multi")
                .destinationBucket(bucket).destinationKey("target").uploadId(uploadId).partNumber(3));
        assertEquals("\"" + TestData.md5Hex(multi) + "\"", third.copyPartResult().eTag());

        List<Part> listed = s3.listParts(b -> b.bucket(bucket).key("target").uploadId(uploadId)).parts();
        assertEquals(List.of((long) single.length, (long) range.length, (long) multi.length), listed.stream().map(Part::size).toList());
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("target").uploadId(uploadId).multipartUpload(m -> m.parts(
                part(1, first.copyPartResult().eTag()), part(2, second.copyPartResult().eTag()), part(3, third.copyPartResult().eTag()))));
        byte[] expected = concat(new byte[][]{single, range, multi});
        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("target")).asByteArray();
        assertEquals(TestData.sha256(expected), TestData.sha256(got));
    }

    @Test
    void uploadPartCopyErrors() {
        String bucket = createBucket("multipart-part-copy-errors");
        byte[] data = TestData.bytes(64, 1000);
        s3.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromBytes(data));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        assertS3Error(416, "InvalidRange", () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src")
                .copySourceRange("bytes=0-1000").destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1)));
        for (String bad : List.of("bytes=5-2", "bytes=-5", "bytes=5-", "0-5", "bytes=0-1,3-4")) {
            assertS3Error(400, "InvalidArgument", () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src")
                    .copySourceRange(bad).destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1)));
        }
        assertS3Error(404, "NoSuchKey", () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("missing")
                .destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1)));
        assertS3Error(404, "NoSuchUpload", () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src")
                .destinationBucket(bucket).destinationKey("k").uploadId("no-such-upload").partNumber(1)));
        assertS3Error(412, "PreconditionFailed", () -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src")
                .copySourceIfMatch("\"0123456789abcdef0123456789abcdef\"")
                .destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1)));
        // A matching condition and an inclusive last byte are fine.
        UploadPartCopyResponse ok = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src")
                .copySourceIfMatch("\"" + TestData.md5Hex(data) + "\"").copySourceRange("bytes=10-999")
                .destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1));
        assertEquals("\"" + TestData.md5Hex(java.util.Arrays.copyOfRange(data, 10, 1000)) + "\"", ok.copyPartResult().eTag());
    }

    @Test
    void uploadPartCopyFromASourceVersion() {
        String bucket = createBucket("multipart-part-copy-version");
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        byte[] old = TestData.bytes(65, 2000);
        String oldId = s3.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromBytes(old)).versionId();
        s3.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromBytes(TestData.bytes(66, 3000)));
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        UploadPartCopyResponse copied = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(oldId)
                .destinationBucket(bucket).destinationKey("k").uploadId(uploadId).partNumber(1));
        assertEquals(oldId, copied.copySourceVersionId());
        assertEquals("\"" + TestData.md5Hex(old) + "\"", copied.copyPartResult().eTag());
    }

    @Test
    void listPartsPagesWithPartNumberMarker() {
        String bucket = createBucket("multipart-list-parts");
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k")).uploadId();
        for (int n : new int[]{1, 2, 5}) upload(bucket, "k", n, TestData.bytes(80 + n, 100), uploadId);
        ListPartsResponse first = s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId).maxParts(2));
        assertTrue(first.isTruncated());
        assertEquals(List.of(1, 2), first.parts().stream().map(Part::partNumber).toList());
        assertEquals(2, first.nextPartNumberMarker());
        assertEquals(2, first.maxParts());
        ListPartsResponse second = s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId).maxParts(2)
                .partNumberMarker(first.nextPartNumberMarker()));
        assertFalse(second.isTruncated());
        assertEquals(List.of(5), second.parts().stream().map(Part::partNumber).toList());
        assertEquals(2, second.partNumberMarker());
        assertS3Error(400, "InvalidArgument", () -> s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId).maxParts(-1)));
    }

    @Test
    void listMultipartUploadsPagesWithKeyAndUploadIdMarkers() {
        String bucket = createBucket("multipart-list-uploads");
        List<String> expected = new ArrayList<>();   // "key uploadId" in listing order
        for (String key : List.of("a", "a", "b", "c/x", "c/y", "d")) {
            String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            expected.add(key + " " + id);
        }
        List<String> seen = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        for (int page = 0; page < 10; page++) {
            String km = keyMarker;
            String im = idMarker;
            var r = s3.listMultipartUploads(b -> b.bucket(bucket).maxUploads(2).keyMarker(km).uploadIdMarker(im));
            r.uploads().forEach(u -> seen.add(u.key() + " " + u.uploadId()));
            if (!r.isTruncated()) break;
            assertEquals(2, r.uploads().size());
            keyMarker = r.nextKeyMarker();
            idMarker = r.nextUploadIdMarker();
        }
        assertEquals(expected.size(), seen.size(), "every upload once: " + seen);
        assertEquals(expected.stream().map(e -> e.split(" ")[0]).toList(), seen.stream().map(e -> e.split(" ")[0]).toList());
        assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(seen));

        // Without upload-id-marker, key-marker lists only keys after it.
        var afterA = s3.listMultipartUploads(b -> b.bucket(bucket).keyMarker("a"));
        assertEquals(List.of("b", "c/x", "c/y", "d"), afterA.uploads().stream().map(MultipartUpload::key).toList());
        var grouped = s3.listMultipartUploads(b -> b.bucket(bucket).delimiter("/"));
        assertEquals(List.of("a", "a", "b", "d"), grouped.uploads().stream().map(MultipartUpload::key).toList());
        assertEquals(List.of("c/"), grouped.commonPrefixes().stream().map(p -> p.prefix()).toList());
        var prefixed = s3.listMultipartUploads(b -> b.bucket(bucket).prefix("c/"));
        assertEquals(List.of("c/x", "c/y"), prefixed.uploads().stream().map(MultipartUpload::key).toList());
    }

    @Test
    void singlePartObjectIsItsOwnPartOne() {
        String bucket = createBucket("multipart-part-single");
        byte[] data = TestData.bytes(54, 4321);
        s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromBytes(data));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(1));
        assertArrayEquals(data, got.asByteArray());
        assertEquals(4321L, s3.headObject(b -> b.bucket(bucket).key("k").partNumber(1)).contentLength());
        assertS3Error(416, "InvalidPartNumber", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").partNumber(2)));
    }

    private static CompletedPart part(int number, String etag) {
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private static void complete(String bucket, String uploadId, CompletedPart... parts) {
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    }

    static byte[] concat(byte[][] parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
