package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Background segment compaction in the packaged gateway (issue #16): small objects written into
 * segment files that a restart seals, then mostly overwritten and deleted, have their live data
 * rewritten by the compaction job; the gateway is killed with SIGKILL in the middle of a throttled
 * pass, restarted, and once compaction finished every old segment file is gone while every object
 * reads back byte-identical and every deleted one stays deleted.
 */
class SegmentCompactionTest {
    private static final int OBJECTS = 40;
    /** Above the default inline threshold (64 KiB), so the bytes go to the drives' segments. */
    private static final int SIZE = 100 << 10;
    private static final Pattern REWRITTEN = Pattern.compile("(?m)^strata_erasure_compaction_rewritten_versions_total (\\d+)");

    @TempDir
    Path root;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void killedMidPassTheCompactionResumesAndFreesTheSparseSegmentsWithEveryObjectIntact() throws Exception {
        // 64 KiB/s: each 100 KiB object waits about 1.5 s for the throttle, so the kill lands inside the
        // pass even when a loaded machine takes seconds between the metrics poll and the kill.
        try (StrataServer server = StrataServer.start(root, Map.of("STRATA_COMPACTION_INTERVAL", "200ms",
                "STRATA_COMPACTION_RATE", "64KiB"), List.of())) {
            String bucket = "compaction";
            Map<String, byte[]> expected = new LinkedHashMap<>();
            Random random = new Random(16);
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(bucket));
                for (int i = 0; i < OBJECTS; i++) put(s3, bucket, key(i), bytes(random, SIZE), expected);
            }
            server.stop();
            Set<Path> sealed = segmentFiles(server);
            assertFalse(sealed.isEmpty(), "the objects went into segment files");

            // Restarted, the gateway seals those segments; three quarters of their data dies.
            server.start();
            int rewrittenAtKill;
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                for (int i = 3; i < OBJECTS; i += 4) {
                    String k = key(i);
                    s3.deleteObject(b -> b.bucket(bucket).key(k));
                    expected.remove(k);
                }
                for (int i = 0; i < OBJECTS; i++) {
                    if (i % 4 == 1 || i % 4 == 2) put(s3, bucket, key(i), bytes(random, SIZE + i), expected);
                }
                rewrittenAtKill = awaitRewritten(server, 1);
                server.kill();
            }
            assertTrue(rewrittenAtKill < OBJECTS / 4, "killed mid-pass: " + rewrittenAtKill + " rewritten");

            server.environment("STRATA_COMPACTION_RATE", "0");
            server.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Collections.disjoint(segmentFiles(server), sealed)) {
                if (System.nanoTime() > deadline) {
                    fail("the sparse segments were never freed: " + segmentFiles(server) + "\n" + server.outputTail());
                }
                Thread.sleep(100);
            }
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                for (int i = 0; i < OBJECTS; i++) {
                    String k = key(i);
                    if (expected.containsKey(k)) {
                        assertArrayEquals(expected.get(k), s3.getObjectAsBytes(b -> b.bucket(bucket).key(k)).asByteArray(), k);
                    } else {
                        assertThrows(NoSuchKeyException.class, () -> s3.getObject(b -> b.bucket(bucket).key(k)), k);
                    }
                }
                assertEquals(expected.size(), s3.listObjectsV2(b -> b.bucket(bucket)).keyCount());
            }
        }
    }

    private static void put(S3Client s3, String bucket, String key, byte[] data, Map<String, byte[]> expected) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
        expected.put(key, data);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String key(int i) {
        return String.format("sample/%03d", i);
    }

    /** Polls the metrics until at least {@code atLeast} versions were rewritten; returns the count seen. */
    private static int awaitRewritten(StrataServer server, int atLeast) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            Matcher m = REWRITTEN.matcher(server.metrics());
            int n = m.find() ? Integer.parseInt(m.group(1)) : 0;
            if (n >= atLeast) return n;
            if (System.nanoTime() > deadline) fail("no version was rewritten by the compaction:\n" + server.outputTail());
            Thread.sleep(20);
        }
    }

    /** Every segment file on the gateway's drives. */
    private static Set<Path> segmentFiles(StrataServer server) {
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("drives"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
