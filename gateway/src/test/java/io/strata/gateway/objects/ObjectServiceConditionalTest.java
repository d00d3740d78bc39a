package io.strata.gateway.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.CompletedUpload;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.Part;
import io.strata.namespace.WriteCondition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Conditional writes through the object service (a refused one stores nothing) and the idempotent
 * CompleteMultipartUpload: a repeat of the same request, also racing the first, answers its result.
 */
class ObjectServiceConditionalTest {
    private static final BucketName BUCKET = new BucketName("cond-bucket");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());

    @TempDir
    Path dir;
    private ObjectService service;
    private ServiceFixture fixture;

    @BeforeEach
    void open() {
        fixture = ServiceFixture.open(dir, new io.strata.tiering.ColdTiers(), 1024, BUCKET);
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

    private void put(String key, byte[] data, WriteCondition condition) {
        service.put(BUCKET, new ObjectKey(key), new ByteArrayInputStream(data), data.length, META,
                ObjectService.Expectations.none(), condition);
    }

    private byte[] read(String key) throws IOException {
        var v = service.namespace().object(BUCKET, new ObjectKey(key)).orElseThrow();
        try (InputStream in = service.open(v, 0, v.size())) {
            return in.readAllBytes();
        }
    }

    @Test
    void aRefusedConditionalPutLeavesTheStoredObject() throws IOException {
        byte[] first = bytes(1, 100_000);
        put("k", first, WriteCondition.ifAbsent());

        NamespaceException e = assertThrows(NamespaceException.class,
                () -> put("k", bytes(2, 100_000), WriteCondition.ifAbsent()));
        assertEquals(NamespaceException.Reason.PRECONDITION_FAILED, e.reason());
        assertArrayEquals(first, read("k"));
    }

    private List<ObjectService.CompletedPart> parts(ObjectKey key, String uploadId) {
        List<ObjectService.CompletedPart> out = new ArrayList<>();
        byte[][] data = {bytes(3, (int) ObjectService.MIN_PART_SIZE), bytes(4, 10)};
        for (int i = 0; i < data.length; i++) {
            Part p = service.uploadPart(BUCKET, key, uploadId, i + 1, new ByteArrayInputStream(data[i]), data[i].length,
                    ObjectService.Expectations.none());
            out.add(new ObjectService.CompletedPart(i + 1, "\"" + p.etag() + "\""));
        }
        return out;
    }

    @Test
    void aRepeatedCompleteWithTheSamePartsAnswersTheFirstResult() {
        service.namespace().setVersioning(BUCKET, BucketVersioning.ENABLED);
        ObjectKey key = new ObjectKey("multi");
        String uploadId = service.createUpload(BUCKET, key, "owner", META, "").uploadId();
        List<ObjectService.CompletedPart> parts = parts(key, uploadId);

        CompletedUpload first = service.complete(BUCKET, key, uploadId, parts, Map.of());
        put("multi", bytes(5, 10), WriteCondition.NONE);
        CompletedUpload again = service.complete(BUCKET, key, uploadId, parts, Map.of());

        assertEquals(first.versionId(), again.versionId());
        assertEquals(first.etag(), again.etag());
        ObjectException other = assertThrows(ObjectException.class,
                () -> service.complete(BUCKET, key, uploadId, parts.subList(0, 1), Map.of()));
        assertEquals(ObjectException.Reason.NO_SUCH_UPLOAD, other.reason());
    }

    @Test
    void concurrentCompletesOfOneUploadAllAnswerTheOneResult() throws Exception {
        ObjectKey key = new ObjectKey("raced");
        String uploadId = service.createUpload(BUCKET, key, "owner", META, "").uploadId();
        List<ObjectService.CompletedPart> parts = parts(key, uploadId);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CompletedUpload>> results = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                results.add(executor.submit(() -> {
                    start.await();
                    return service.complete(BUCKET, key, uploadId, parts, Map.of());
                }));
            }
            start.countDown();
            String etag = results.getFirst().get().etag();
            for (Future<CompletedUpload> f : results) assertEquals(etag, f.get().etag());
        }
    }

    @Test
    void theRequestDigestNamesThePartListWhateverTheEtagsQuotingOrCase() {
        var a = List.of(new ObjectService.CompletedPart(1, "\"ABCDEF\""), new ObjectService.CompletedPart(2, "0123"));
        var same = List.of(new ObjectService.CompletedPart(1, "abcdef"), new ObjectService.CompletedPart(2, "\"0123\""));
        var other = List.of(new ObjectService.CompletedPart(1, "abcdef"));
        assertEquals(ObjectService.requestDigest(a), ObjectService.requestDigest(same));
        assertNotEquals(ObjectService.requestDigest(a), ObjectService.requestDigest(other));
    }
}
