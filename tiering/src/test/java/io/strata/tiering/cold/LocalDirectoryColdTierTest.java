package io.strata.tiering.cold;

import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against files under a temporary directory, plus the layout only this tier has. */
class LocalDirectoryColdTierTest extends ColdTierContractTest {

    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("cold");
    }

    @Override
    ColdTier createTier() {
        return LocalDirectoryColdTier.create(root());
    }

    private LocalDirectoryColdTier local() {
        return (LocalDirectoryColdTier) tier();
    }

    @Test
    void layoutMirrorsBucketAndKeyWithAReadableSidecar() throws IOException {
        tier().put(new ColdObjectId("photos", "2024/cat 1.jpg", "v7"),
                new ColdMetadata("image/jpeg", Map.of("who", "tom")), new java.io.ByteArrayInputStream(new byte[3]), 3);
        Path data = root().resolve("photos/2024/cat%201.jpg~v7");
        assertArrayEquals(new byte[3], Files.readAllBytes(data));
        String sidecar = Files.readString(data.resolveSibling("cat%201.jpg~v7~meta"));
        assertTrue(sidecar.startsWith("strata-cold-metadata 1 "), sidecar);
        assertTrue(sidecar.contains("\ncontent-type=image%2Fjpeg\n"), sidecar);
        assertTrue(sidecar.contains("\nmeta.who=tom\n"), sidecar);
    }

    @Test
    void noKeyLeavesTheRoot() throws IOException {
        for (String key : Stream.concat(AWKWARD_KEYS.stream(),
                Stream.of("nul\0byte", "\0", "../", "..\\..\\windows", "~", "a/~tmp-x")).toList()) {
            Path file = local().dataFile(id(key));
            assertTrue(file.normalize().startsWith(root().toAbsolutePath().normalize().resolve("photos")),
                    key + " -> " + file);
            assertEquals(file, file.normalize(), key);
            put(id(key), key.getBytes(StandardCharsets.UTF_8));
        }
        try (Stream<Path> all = Files.walk(dir)) {
            assertTrue(all.allMatch(p -> p.equals(dir) || p.startsWith(root())));
        }
        assertEquals("nul\0byte", new String(read(id("nul\0byte"), ByteRange.all()), StandardCharsets.UTF_8));
    }

    @Test
    void keySegmentTooLongForAFileNameIsRejected() {
        String longSegment = "é".repeat(60);   // 360 bytes once percent-encoded
        TierException e = assertThrows(TierException.class, () -> put(id("a/" + longSegment + "/b"), new byte[1]));
        assertEquals(TierException.Reason.REJECTED, e.reason());
        put(id("a/" + "x".repeat(150)), new byte[1]);
    }

    @Test
    void damagedSidecarIsCorrupt() throws IOException {
        put(id("x"), new byte[10]);
        Path sidecar = root().resolve("photos/x~v1~meta");
        Files.writeString(sidecar, Files.readString(sidecar).replace("size=10", "size=11"));
        assertEquals(TierException.Reason.CORRUPT,
                assertThrows(TierException.class, () -> tier().stat(id("x"))).reason());
    }

    @Test
    void truncatedDataFileIsCorrupt() throws IOException {
        put(id("x"), new byte[10]);
        Files.write(root().resolve("photos/x~v1"), new byte[9]);
        assertEquals(TierException.Reason.CORRUPT,
                assertThrows(TierException.class, () -> tier().get(id("x"), ByteRange.all())).reason());
    }

    @Test
    void putsLeaveNoTemporaryFilesWhetherTheySucceedOrFail() throws IOException {
        put(id("ok"), new byte[5]);
        assertThrows(TierException.class, () -> tier().put(id("t"), ColdMetadata.empty(),
                new java.io.ByteArrayInputStream(new byte[5]), 6));
        try (Stream<Path> temps = Files.list(root().resolve(LocalDirectoryColdTier.TEMP_DIR))) {
            assertEquals(0, temps.count());
        }
        try (Stream<Path> all = Files.walk(root())) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().contains("~tmp-")));
        }
    }

    /**
     * A put stuck in the middle of its data stands for one a kill cut short: deleting its id (what
     * the mover does for an interrupted move when the gateway starts again) removes its partial
     * file at once, not ten minutes later.
     */
    @Test
    void deletingAnIdRemovesThePartialFileOfAPutOfItCutShort() throws Exception {
        ColdObjectId id = id("big");
        put(id("other"), new byte[3]);
        CountDownLatch midway = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream stuck = new InputStream() {
            private boolean first = true;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (first) {
                    first = false;
                    return Math.min(len, 1000);
                }
                midway.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("test: the writer died");
            }
        };
        Path temps = root().resolve(LocalDirectoryColdTier.TEMP_DIR);
        try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
            Future<?> put = writer.submit(() -> tier().put(id, ColdMetadata.empty(), stuck, 5000));
            try {
                assertTrue(midway.await(60, TimeUnit.SECONDS), "the put started writing");
                try (Stream<Path> files = Files.list(temps)) {
                    assertEquals(1, files.filter(p -> p.getFileName().toString()
                            .startsWith(LocalDirectoryColdTier.tempPrefix(id))).count(), "the partial file is there");
                }

                tier().delete(id);

                try (Stream<Path> files = Files.list(temps)) {
                    assertEquals(List.of(), files.toList());
                }
            } finally {
                release.countDown();
            }
            assertThrows(ExecutionException.class, () -> put.get(60, TimeUnit.SECONDS));
        }
        assertEquals(TierException.Reason.NOT_FOUND, assertThrows(TierException.class, () -> tier().stat(id)).reason());
        assertArrayEquals(new byte[3], read(id("other"), ByteRange.all()));
    }

    @Test
    void deleteStillWorksWhenTheTemporaryDirectoryWasRemovedByHand() throws IOException {
        put(id("x"), new byte[4]);
        Files.delete(root().resolve(LocalDirectoryColdTier.TEMP_DIR));
        tier().delete(id("x"));
        assertEquals(TierException.Reason.NOT_FOUND, assertThrows(TierException.class, () -> tier().stat(id("x"))).reason());
    }

    /** What a kill in the middle of a put leaves, and what the next start does with it. */
    @Test
    void temporaryFilesLeftByACrashAreRemovedWhenTheTierOpensAgain() throws IOException {
        put(id("kept"), new byte[7]);
        Path temps = root().resolve(LocalDirectoryColdTier.TEMP_DIR);
        Path abandoned = Files.write(temps.resolve("0-abandoned.data"), new byte[100]);
        Path sidecar = Files.write(temps.resolve("1-abandoned.meta"), new byte[10]);
        Path inFlight = Files.write(temps.resolve("2-being-written.data"), new byte[100]);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofMinutes(LocalDirectoryColdTier.ABANDONED_MINUTES + 1)));
        Files.setLastModifiedTime(abandoned, old);
        Files.setLastModifiedTime(sidecar, old);

        LocalDirectoryColdTier reopened = LocalDirectoryColdTier.create(root());
        assertFalse(Files.exists(abandoned));
        assertFalse(Files.exists(sidecar));
        assertTrue(Files.exists(inFlight), "a file written within the last minutes may belong to a running write");
        try (java.io.InputStream in = reopened.get(id("kept"), ByteRange.all())) {
            assertArrayEquals(new byte[7], in.readAllBytes());
        }
    }
}
