package io.strata.namespace;

import static io.strata.namespace.Fixtures.T0;
import static io.strata.namespace.Fixtures.bucket;
import static io.strata.namespace.Fixtures.bucketName;
import static io.strata.namespace.Fixtures.key;
import static io.strata.namespace.Fixtures.part;
import static io.strata.namespace.Fixtures.segment;
import static io.strata.namespace.Fixtures.upload;
import static io.strata.namespace.Fixtures.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.NamespaceException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3's conditional writes and deletes ({@link WriteCondition}) and the record of completed uploads
 * that answers a repeated CompleteMultipartUpload: the condition is checked and the write committed
 * in one step under the key's lock.
 */
class ConditionalWriteTest {
    private static final BucketName B = bucketName("bucket");

    @TempDir
    Path dir;
    private final ChangeLogTest.MovableClock clock = new ChangeLogTest.MovableClock(T0);
    private RocksDbNamespace ns;

    @BeforeEach
    void open() {
        ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(16L << 20, false), clock);
        ns.createBucket(bucket("bucket"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private static void assertReason(Reason reason, Executable call) {
        assertEquals(reason, assertThrows(NamespaceException.class, call).reason());
    }

    private ObjectVersion put(String k, String etag, WriteCondition condition) {
        ObjectVersion v = version("bucket", k, segment(10));
        return ns.putObject(new ObjectVersion(v.bucket(), v.key(), v.versionId(), v.size(), etag, v.lastModified(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), 0, v.segments()), condition).version();
    }

    private String currentEtag(String k) {
        return ns.object(B, key(k)).map(ObjectVersion::etag).orElse("none");
    }

    @Test
    void ifAbsentCreatesAKeyWithoutCurrentVersionAndRefusesAnExistingOne() {
        put("k", "first", WriteCondition.ifAbsent());
        int garbageBefore = ns.garbage(100).size();

        assertReason(Reason.PRECONDITION_FAILED, () -> put("k", "second", WriteCondition.ifAbsent()));

        assertEquals("first", currentEtag("k"));
        assertEquals(garbageBefore, ns.garbage(100).size(), "the refused write queued nothing of the stored version");
    }

    @Test
    void ifAbsentSucceedsWhenADeleteMarkerIsCurrentInAVersionedBucket() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        put("k", "first", WriteCondition.NONE);
        ns.deleteObject(B, key("k"));

        put("k", "second", WriteCondition.ifAbsent());

        assertEquals("second", currentEtag("k"));
        assertEquals(3, ns.listVersions(B, new VersionQuery("k", "", "", "", 10)).versions().size());
    }

    @Test
    void ifAbsentIsRefusedWhenAnOlderVersionIsCurrentInAVersionedBucket() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        put("k", "first", WriteCondition.NONE);

        assertReason(Reason.PRECONDITION_FAILED, () -> put("k", "second", WriteCondition.ifAbsent()));
    }

    @Test
    void ifMatchReplacesOnlyTheVersionWithThatEtag() {
        put("k", "aaaa", WriteCondition.NONE);

        assertReason(Reason.PRECONDITION_FAILED, () -> put("k", "bbbb", WriteCondition.ifMatch("cccc")));
        assertEquals("aaaa", currentEtag("k"));

        put("k", "bbbb", WriteCondition.ifMatch("AAAA"));
        assertEquals("bbbb", currentEtag("k"));
    }

    @Test
    void ifMatchOnAKeyWithoutCurrentVersionIsKeyNotFound() {
        assertReason(Reason.KEY_NOT_FOUND, () -> put("k", "bbbb", WriteCondition.ifMatch("aaaa")));
        ns.setVersioning(B, BucketVersioning.ENABLED);
        put("k", "aaaa", WriteCondition.NONE);
        ns.deleteObject(B, key("k"));
        assertReason(Reason.KEY_NOT_FOUND, () -> put("k", "bbbb", WriteCondition.ifMatch("*")));
    }

    @Test
    void conditionalDeleteRemovesOnlyTheVersionWithThatEtag() {
        put("k", "aaaa", WriteCondition.NONE);

        assertReason(Reason.PRECONDITION_FAILED, () -> ns.deleteObject(B, key("k"), WriteCondition.ifMatch("bbbb")));
        assertEquals("aaaa", currentEtag("k"));
        assertReason(Reason.KEY_NOT_FOUND, () -> ns.deleteObject(B, key("other"), WriteCondition.ifMatch("*")));

        ns.deleteObject(B, key("k"), WriteCondition.ifMatch("aaaa"));
        assertEquals("none", currentEtag("k"));
    }

    @Test
    void ofConcurrentIfAbsentCreatorsExactlyOneSucceeds() throws Exception {
        int writers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                String etag = "etag" + i;
                results.add(executor.submit(() -> {
                    start.await();
                    try {
                        put("k", etag, WriteCondition.ifAbsent());
                        return true;
                    } catch (NamespaceException e) {
                        assertEquals(Reason.PRECONDITION_FAILED, e.reason());
                        return false;
                    }
                }));
            }
            start.countDown();
            int won = 0;
            String winner = null;
            for (int i = 0; i < writers; i++) {
                if (results.get(i).get()) {
                    won++;
                    winner = "etag" + i;
                }
            }
            assertEquals(1, won);
            assertEquals(winner, currentEtag("k"));
        }
    }

    @Test
    void aFailedConditionOnCompleteLeavesTheUploadInProgress() {
        put("big", "aaaa", WriteCondition.NONE);
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        ns.putPart(B, key("big"), "u1", p1);

        assertReason(Reason.PRECONDITION_FAILED, () -> ns.completeUpload("u1",
                version("bucket", "big", p1.segment()), WriteCondition.ifAbsent(), "digest"));

        assertEquals(1, ns.parts(B, key("big"), "u1", 0, 10).size());
        assertEquals(Optional.empty(), ns.completedUpload(B, key("big"), "u1"));
        ns.completeUpload("u1", version("bucket", "big", p1.segment()), WriteCondition.ifMatch("aaaa"), "digest");
        assertEquals(Fixtures.version("bucket", "big").etag(), currentEtag("big"));
    }

    @Test
    void aCompletedUploadIsRecordedWithItsResultForTheRetentionPeriod() {
        ns.setVersioning(B, BucketVersioning.ENABLED);
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        ns.putPart(B, key("big"), "u1", p1);
        ObjectVersion committed = ns.completeUpload("u1", version("bucket", "big", p1.segment()),
                WriteCondition.NONE, "digest-1").version();

        CompletedUpload done = ns.completedUpload(B, key("big"), "u1").orElseThrow();
        assertEquals(committed.versionId(), done.versionId());
        assertEquals(committed.etag(), done.etag());
        assertEquals("digest-1", done.requestDigest());
        assertEquals(Optional.empty(), ns.completedUpload(B, key("other"), "u1"));

        // Survives a restart: it is written with the completion.
        ns.close();
        ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(16L << 20, false), clock);
        assertTrue(ns.completedUpload(B, key("big"), "u1").isPresent());

        clock.now = T0.plus(Namespace.COMPLETED_UPLOAD_RETENTION).plus(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), ns.completedUpload(B, key("big"), "u1"), "expired");
    }

    @Test
    void laterCompletionsPruneExpiredRecords() {
        for (int i = 0; i < 20; i++) {
            ns.createUpload(upload("bucket", "k" + i, "u" + i, T0));
            Part p = part(1);
            ns.putPart(B, key("k" + i), "u" + i, p);
            ns.completeUpload("u" + i, version("bucket", "k" + i, p.segment()), WriteCondition.NONE, "d");
        }
        clock.now = T0.plus(Namespace.COMPLETED_UPLOAD_RETENTION).plus(Duration.ofMinutes(1));
        for (int i = 20; i < 23; i++) {
            ns.createUpload(upload("bucket", "k" + i, "u" + i, clock.now));
            Part p = part(1);
            ns.putPart(B, key("k" + i), "u" + i, p);
            ns.completeUpload("u" + i, version("bucket", "k" + i, p.segment()), WriteCondition.NONE, "d");
        }
        // 3 completions prune up to 8 expired records each: 20 expired records are gone, 3 fresh ones stay.
        assertEquals(2 * 3, ns.completedUploadRows(), "record and time index of the 3 fresh completions");
    }

    @Test
    void deletingTheBucketDropsItsCompletedUploads() {
        ns.createUpload(upload("bucket", "big", "u1", T0));
        Part p1 = part(1);
        ns.putPart(B, key("big"), "u1", p1);
        ns.completeUpload("u1", version("bucket", "big", p1.segment()), WriteCondition.NONE, "d");
        ns.deleteObject(B, key("big"));
        ns.deleteBucket(B);
        ns.createBucket(bucket("bucket"));

        assertEquals(Optional.empty(), ns.completedUpload(B, key("big"), "u1"));
    }
}
