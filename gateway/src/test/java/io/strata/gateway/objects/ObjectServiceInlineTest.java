package io.strata.gateway.objects;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.erasure.ErasureStore;
import io.strata.gateway.s3.ErrorMapping;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.Segment;
import io.strata.tiering.DataRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Objects at or below the inline threshold live in the namespace record, on every path that reads or frees data. */
class ObjectServiceInlineTest {
    private static final int THRESHOLD = 16 << 10;
    private static final BucketName BUCKET = new BucketName("inline-bucket");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());

    @TempDir
    Path dir;
    private Namespace namespace;
    private ErasureStore store;
    private ObjectService service;
    private ServiceFixture fixture;

    @BeforeEach
    void open() {
        fixture = ServiceFixture.open(dir, new io.strata.tiering.ColdTiers(), THRESHOLD, BUCKET);
        namespace = fixture.namespace();
        store = fixture.store();
        service = fixture.service();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private ObjectVersion put(String key, byte[] data) {
        return service.put(BUCKET, new ObjectKey(key), new ByteArrayInputStream(data), data.length, META,
                ObjectService.Expectations.none());
    }

    private byte[] read(ObjectVersion v, long offset, long length) throws IOException {
        try (InputStream in = service.open(v, offset, length)) {
            return in.readAllBytes();
        }
    }

    private static DataRef refOf(ObjectVersion v, int segment) {
        return DataRef.decode(v.segments().get(segment).ref());
    }

    private int blobCount() {
        AtomicInteger n = new AtomicInteger();
        store.forEachBlob(b -> n.incrementAndGet());
        return n.get();
    }

    @Test
    void smallObjectIsInlineReadsWholeAndByRangeAndWritesNoShards() throws IOException {
        byte[] data = bytes(1, 4096);
        ObjectVersion v = put("small", data);
        assertInstanceOf(DataRef.Inline.class, refOf(v, 0));
        assertEquals(HexFormat.of().formatHex(ObjectService.md5(data)), v.etag());
        assertEquals(0, blobCount(), "no shard files for an inline object");
        ObjectVersion stored = service.latest(BUCKET, new ObjectKey("small")).orElseThrow();
        assertArrayEquals(data, read(stored, 0, data.length));
        assertArrayEquals(Arrays.copyOfRange(data, 100, 1100), read(stored, 100, 1000));
        assertArrayEquals(Arrays.copyOfRange(data, 4095, 4096), read(stored, 4095, 1));
    }

    @Test
    void thresholdIsInclusiveAndOneByteMoreGoesToTheHotTier() throws IOException {
        byte[] at = bytes(2, THRESHOLD);
        byte[] above = bytes(3, THRESHOLD + 1);
        assertInstanceOf(DataRef.Inline.class, refOf(put("at", at), 0));
        ObjectVersion hot = put("above", above);
        assertInstanceOf(DataRef.Hot.class, refOf(hot, 0));
        assertEquals(1, blobCount());
        assertArrayEquals(above, read(hot, 0, above.length));
        assertArrayEquals(at, read(service.latest(BUCKET, new ObjectKey("at")).orElseThrow(), 0, at.length));
    }

    @Test
    void zeroThresholdStoresNothingInline() throws IOException {
        service.close();
        // Closed here, not by the fixture (which closes the service it made): left running, its cleaner
        // polled the closed namespace and logged a WARN a second into later tests' log captures.
        try (ObjectService zero = new ObjectService(namespace, store, Clock.systemUTC(), new io.strata.tiering.ColdTiers(), 0)) {
            zero.start();
            service = zero;
            byte[] data = bytes(4, 10);
            ObjectVersion v = put("tiny", data);
            assertInstanceOf(DataRef.Hot.class, refOf(v, 0));
            assertArrayEquals(data, read(v, 0, 10));
        }
    }

    @Test
    void requestedChecksumsAndContentMd5AreCheckedForInlineObjects() {
        byte[] data = bytes(5, 1000);
        var expect = new ObjectService.Expectations(Optional.of(ObjectService.md5(bytes(6, 1000))), Map.of(),
                Set.of(ChecksumAlgorithm.CRC32C));
        S3Exception e = ErrorMapping.toS3(assertThrows(ObjectException.class, () -> service.put(BUCKET, new ObjectKey("bad"),
                new ByteArrayInputStream(data), data.length, META, expect)));
        assertEquals(S3Error.BAD_DIGEST, e.error());
        assertTrue(service.latest(BUCKET, new ObjectKey("bad")).isEmpty());

        var good = new ObjectService.Expectations(Optional.of(ObjectService.md5(data)), Map.of(),
                Set.of(ChecksumAlgorithm.CRC32C));
        ObjectVersion v = service.put(BUCKET, new ObjectKey("good"), new ByteArrayInputStream(data), data.length, META, good);
        assertTrue(v.checksums().containsKey("CRC32C"), v.checksums().toString());
    }

    @Test
    void shortAndLongBodiesAreRefusedWithoutAVersion() {
        byte[] data = bytes(7, 100);
        S3Exception shorter = ErrorMapping.toS3(assertThrows(ObjectException.class, () -> service.put(BUCKET, new ObjectKey("short"),
                new ByteArrayInputStream(data), 200, META, ObjectService.Expectations.none())));
        assertEquals(S3Error.INCOMPLETE_BODY, shorter.error());
        S3Exception longer = ErrorMapping.toS3(assertThrows(ObjectException.class, () -> service.put(BUCKET, new ObjectKey("long"),
                new ByteArrayInputStream(data), 50, META, ObjectService.Expectations.none())));
        assertEquals(S3Error.INVALID_REQUEST, longer.error());
        assertTrue(service.latest(BUCKET, new ObjectKey("short")).isEmpty());
        assertTrue(service.latest(BUCKET, new ObjectKey("long")).isEmpty());
    }

    @Test
    void copyOfAnInlineObjectIsInlineAndCopyOfASmallRangeOfAHotObjectToo() throws IOException {
        byte[] data = bytes(8, 5000);
        ObjectVersion source = put("source", data);
        ObjectVersion copy = service.copy(source, BUCKET, new ObjectKey("copy"), META);
        assertInstanceOf(DataRef.Inline.class, refOf(copy, 0));
        assertEquals(source.etag(), copy.etag());
        assertArrayEquals(data, read(copy, 0, data.length));

        byte[] big = bytes(9, 100_000);
        ObjectVersion hot = put("big", big);
        var upload = service.createUpload(BUCKET, new ObjectKey("assembled"), "owner", META, "");
        Part first = service.uploadPartCopy(hot, 0, big.length,
                BUCKET, new ObjectKey("assembled"), upload.uploadId(), 1);
        assertInstanceOf(DataRef.Hot.class, DataRef.decode(first.segment().ref()));
        Part second = service.uploadPartCopy(source, 10, 20, BUCKET, new ObjectKey("assembled"), upload.uploadId(), 2);
        assertInstanceOf(DataRef.Inline.class, DataRef.decode(second.segment().ref()));
        assertEquals(20, second.size());
    }

    /** One base64url id in 64 used to start with "-", which the aws CLI cannot pass as --upload-id. */
    @Test
    void uploadIdsNeverStartWithADash() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String id = ObjectService.newUploadId();
            assertEquals(32, id.length(), id);
            assertTrue(id.matches("[A-Za-z0-9_][A-Za-z0-9_-]{31}"), id);
            ids.add(id);
        }
        assertEquals(3000, ids.size());
    }

    @Test
    void multipartObjectMixesHotAndInlinePartsAndReadsAcrossThem() throws IOException {
        byte[] one = bytes(10, (int) ObjectService.MIN_PART_SIZE);
        byte[] two = bytes(11, 300);
        ObjectKey key = new ObjectKey("multi");
        var upload = service.createUpload(BUCKET, key, "owner", META, "");
        Part p1 = service.uploadPart(BUCKET, key, upload.uploadId(), 1, new ByteArrayInputStream(one), one.length,
                ObjectService.Expectations.none());
        Part p2 = service.uploadPart(BUCKET, key, upload.uploadId(), 2, new ByteArrayInputStream(two), two.length,
                ObjectService.Expectations.none());
        assertInstanceOf(DataRef.Inline.class, DataRef.decode(p2.segment().ref()));
        service.complete(BUCKET, key, upload.uploadId(),
                List.of(new ObjectService.CompletedPart(1, p1.etag()), new ObjectService.CompletedPart(2, p2.etag())), Map.of());
        ObjectVersion v = service.namespace().object(BUCKET, key).orElseThrow();
        assertEquals(one.length + two.length, v.size());
        byte[] all = read(v, 0, v.size());
        assertArrayEquals(one, Arrays.copyOfRange(all, 0, one.length));
        assertArrayEquals(two, Arrays.copyOfRange(all, one.length, all.length));
        byte[] across = read(v, one.length - 10, 20);
        assertArrayEquals(Arrays.copyOfRange(all, one.length - 10, one.length + 10), across);
        assertArrayEquals(Arrays.copyOfRange(two, 5, 15), read(v, one.length + 5, 10));
    }

    @Test
    void versionsOfInlineObjectsAreKeptAndDeletedIndependently() throws IOException {
        namespace.setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectVersion v1 = put("versioned", bytes(12, 700));
        ObjectVersion v2 = put("versioned", bytes(13, 800));
        assertArrayEquals(bytes(12, 700), read(service.version(BUCKET, new ObjectKey("versioned"), v1.versionId()).orElseThrow(), 0, 700));
        assertArrayEquals(bytes(13, 800), read(service.latest(BUCKET, new ObjectKey("versioned")).orElseThrow(), 0, 800));
        assertTrue(service.deleteVersion(BUCKET, new ObjectKey("versioned"), v2.versionId()).isPresent());
        assertArrayEquals(bytes(12, 700), read(service.latest(BUCKET, new ObjectKey("versioned")).orElseThrow(), 0, 700));
    }

    @Test
    void inlineGarbageIsDrainedAlongsideHotGarbage() throws InterruptedException {
        put("a", bytes(14, 100));
        put("a", bytes(15, 100));
        put("b", bytes(16, THRESHOLD + 1));
        service.delete(BUCKET, new ObjectKey("a"));
        service.delete(BUCKET, new ObjectKey("b"));
        // The cleaner runs on its own thread; bounded wait for it to drain the queue.
        for (int i = 0; i < 200 && !(namespace.garbage(10).isEmpty() && blobCount() == 0); i++) Thread.sleep(50);
        assertEquals(List.of(), namespace.garbage(10));
        assertEquals(0, blobCount());
    }

    @Test
    void inlineBytesFailingTheirChecksumAreNeverServed() {
        byte[] data = bytes(17, 64);
        ObjectVersion v = put("rot", data);
        byte[] ref = v.segments().getFirst().ref();
        ref[ref.length - 1] ^= 0x40;
        ObjectVersion rotten = new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), v.etag(), v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), 0, List.of(new Segment(v.size(), ref)));
        S3Exception e = ErrorMapping.toS3(assertThrows(ObjectException.class, () -> service.open(rotten, 0, 64)));
        assertEquals(S3Error.INTERNAL_ERROR, e.error());
    }
}
