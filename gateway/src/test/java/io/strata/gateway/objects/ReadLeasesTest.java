package io.strata.gateway.objects;

import io.strata.gateway.config.TierSpec;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.TierMover;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads and the garbage cleaner: a hot blob is never deleted under a reader, and a stale lookup still reads. */
class ReadLeasesTest {
    private static final BucketName BUCKET = new BucketName("leases");
    private static final ObjectService.Metadata META = new ObjectService.Metadata("application/octet-stream", Map.of(), Map.of());
    private static final int SIZE = 3 << 20;

    @TempDir
    Path dir;
    private Namespace namespace;
    private ObjectService service;
    private ServiceFixture fixture;

    @BeforeEach
    void open() {
        ColdTiers tiers = new ColdTiers();
        TierSpec cold = TierSpec.local("COLD", dir.resolve("cold"));
        tiers.add(cold.name(), cold.description(), cold.open());
        fixture = ServiceFixture.open(dir, tiers, 0, BUCKET);
        namespace = fixture.namespace();
        service = fixture.service();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void leasesAndClaimsExcludeEachOther() {
        ReadLeases leases = new ReadLeases();
        assertTrue(leases.acquire("a"));
        assertTrue(leases.acquire("a"));
        assertFalse(leases.tryFree("a"));
        leases.release("a");
        assertFalse(leases.tryFree("a"), "one reader is left");
        leases.release("a");
        assertTrue(leases.tryFree("a"));
        assertFalse(leases.acquire("a"), "a blob being freed is not read");
        leases.freed("a");
        assertEquals(0, leases.size());
        assertTrue(leases.acquire("a"));
    }

    @Test
    void aVersionMovedColdWhileItIsReadIsReadWholeAndItsHotBlobFreedAfterwards() throws Exception {
        byte[] data = bytes(7, SIZE);
        ObjectVersion hot = put("k", data);
        byte[] got = new byte[SIZE];
        try (InputStream in = service.open(hot, 0, SIZE)) {
            assertEquals(1 << 20, in.readNBytes(got, 0, 1 << 20));
            // The fault: the version moves to the cold tier mid-read and its hot blob becomes garbage.
            assertEquals(TierMover.Outcome.MOVED, service.mover().toCold(hot, "COLD"));
            service.signalCleanerNow();
            await("the cleaner saw the garbage and left it queued", () -> !namespace.garbage(10).isEmpty()
                    && shardFiles() == 6);
            assertEquals(SIZE - (1 << 20), in.readNBytes(got, 1 << 20, SIZE - (1 << 20)));
        }
        assertArrayEquals(data, got);
        service.signalCleanerNow();
        await("the hot blob freed once the read ended", () -> namespace.garbage(10).isEmpty() && shardFiles() == 0);
    }

    @Test
    void aReadThatResolvedTheVersionBeforeItMovedAndWasFreedReadsItFromItsNewPlace() throws Exception {
        byte[] data = bytes(8, SIZE);
        ObjectVersion stale = put("k", data);
        assertEquals(TierMover.Outcome.MOVED, service.mover().toCold(stale, "COLD"));
        service.signalCleanerNow();
        await("the hot blob freed", () -> namespace.garbage(10).isEmpty() && shardFiles() == 0);
        try (InputStream in = service.open(stale, 0, SIZE)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    private ObjectVersion put(String key, byte[] data) {
        return service.put(BUCKET, new ObjectKey(key), new ByteArrayInputStream(data), data.length, META,
                ObjectService.Expectations.none());
    }

    /** Shard files on all drives (one blob of 4+2 is six). */
    private long shardFiles() {
        try (Stream<Path> s = Files.walk(dir.resolve("drives"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().contains("/blobs/")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(20);
        }
        fail("timed out waiting: " + what);
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
