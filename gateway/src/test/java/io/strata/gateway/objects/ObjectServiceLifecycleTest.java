package io.strata.gateway.objects;

import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.tiering.ColdTiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The garbage cleaner runs from {@link ObjectService#start()}, not from the constructor: the wiring
 * builds and connects every component before any background work begins.
 */
class ObjectServiceLifecycleTest {
    private static final BucketName BUCKET = new BucketName("lifecycle-bucket");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());

    @Test
    void garbageWaitsForStartAndIsFreedOnceStarted(@TempDir Path dir) throws InterruptedException {
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 6; i++) drives.add(dir.resolve("drives").resolve("d" + i));
        try (Namespace namespace = Namespace.open(dir.resolve("meta"));
             ErasureStore store = ErasureStore.open(new ErasureConfig(drives, 4, 2, 64 << 10));
             ObjectService service = new ObjectService(namespace, store, Clock.systemUTC(), new ColdTiers(), 0)) {
            namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
            byte[] data = new byte[1000];
            for (int i = 0; i < 2; i++) {
                // The overwrite of an unversioned key makes the first version's hot blob garbage.
                service.put(BUCKET, new ObjectKey("k"), new ByteArrayInputStream(data), data.length, META,
                        ObjectService.Expectations.none());
            }
            assertEquals(1, namespace.garbage(10).size(), "without start() the garbage stays queued");

            service.start();

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!namespace.garbage(10).isEmpty()) {
                if (System.nanoTime() > deadline) fail("the started cleaner never freed the garbage");
                Thread.sleep(20);
            }
            assertFalse(namespace.garbage(10).iterator().hasNext());
        }
    }

    @Test
    void replacedOrDeletedInlineObjectsQueueNoGarbageButBlobsDo(@TempDir Path dir) {
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 6; i++) drives.add(dir.resolve("drives").resolve("d" + i));
        // Not started: whatever is queued stays queued, so the test sees exactly what the writes queued.
        try (Namespace namespace = Namespace.open(dir.resolve("meta"), io.strata.namespace.ChangeLogLimits.DEFAULT,
                Clock.systemUTC(), 0, ObjectService.NEEDS_FREEING);
             ErasureStore store = ErasureStore.open(new ErasureConfig(drives, 4, 2, 64 << 10));
             ObjectService service = new ObjectService(namespace, store, Clock.systemUTC(), new ColdTiers(), 4096)) {
            namespace.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "owner"));
            byte[] small = new byte[4096];
            byte[] large = new byte[4097];
            for (int i = 0; i < 3; i++) {
                service.put(BUCKET, new ObjectKey("small"), new ByteArrayInputStream(small), small.length, META,
                        ObjectService.Expectations.none());
            }
            service.delete(BUCKET, new ObjectKey("small"));
            assertEquals(List.of(), namespace.garbage(10), "inline bytes went with their records");
            for (int i = 0; i < 2; i++) {
                service.put(BUCKET, new ObjectKey("large"), new ByteArrayInputStream(large), large.length, META,
                        ObjectService.Expectations.none());
            }
            assertEquals(1, namespace.garbage(10).size(), "the replaced blob waits for the cleaner");
        }
    }
}
