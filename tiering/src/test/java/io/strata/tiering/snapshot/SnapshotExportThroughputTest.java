package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.namespace.BucketName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export throughput, one upload at a time against {@link SnapshotExporter.Options#DEFAULT_PARALLEL_UPLOADS}
 * at once, into a local directory and into s3proxy (in this JVM, objects stored as files): 2,000
 * objects of 64 KiB (per-object cost: one create, fsync and rename locally, one PUT on S3) and 4
 * multipart objects of 2 × 16 MiB (bandwidth). The durable path (journal and cursor in the
 * namespace) is measured too. A measurement, not a check: it runs only with
 * {@code -Dstrata.bench=true} and prints its figures; the same versions must be exported each time.
 */
class SnapshotExportThroughputTest {
    private static final int SMALL = 2000;
    private static final int SMALL_SIZE = 64 << 10;
    private static final int LARGE = 4;
    private static final int PART = 16 << 20;

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        assumeTrue(Boolean.getBoolean("strata.bench"), "a measurement: run with -Dstrata.bench=true");
        S3ProxyServer s3 = S3ProxyServer.startOnDisk(Files.createDirectories(dir.resolve("s3proxy")));
        try (SnapshotFixture fx = new SnapshotFixture(dir.resolve("source"))) {
            fx.bucket("small");
            for (int i = 0; i < SMALL; i++) {
                fx.put("small", String.format("k%05d", i), SnapshotFixture.Extra.plain(), bytes(i, SMALL_SIZE));
            }
            fx.bucket("large");
            for (int i = 0; i < LARGE; i++) {
                fx.put("large", "big" + i, SnapshotFixture.Extra.plain(), bytes(10_000 + i, PART), bytes(20_000 + i, PART));
            }
            Path work = Files.createDirectories(dir.resolve("work"));
            int round = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (String target : List.of("local", "s3proxy")) {
                    for (String bucket : List.of("small", "large")) {
                        for (int parallel : new int[] {1, SnapshotExporter.Options.DEFAULT_PARALLEL_UPLOADS}) {
                            for (boolean durable : parallel == 1 ? new boolean[] {false} : new boolean[] {false, true}) {
                                int r = round++;
                                Supplier<SnapshotRepository> repo = () -> target.equals("local")
                                        ? LocalDirectoryRepository.create(dir.resolve("repo-" + r)) : s3.newRepository();
                                run(fx, work, repo, target, bucket, parallel, durable);
                            }
                        }
                    }
                }
            }
        } finally {
            s3.stop();
        }
    }

    private static void run(SnapshotFixture fx, Path work, Supplier<SnapshotRepository> repository, String target,
                            String bucket, int parallel, boolean durable) {
        SnapshotExporter.Options options = new SnapshotExporter.Options(false, 12, 65_536, parallel);
        try (SnapshotRepository repo = repository.get()) {
            long start = System.nanoTime();
            SnapshotExporter.Result r;
            if (durable) {
                SnapshotExports exports = new SnapshotExports(fx.namespace, name -> repo, fx.data, work, options,
                        Clock.systemUTC());
                r = exports.resume(exports.start("repo", List.of(new BucketName(bucket)), Optional.empty()).id());
            } else {
                r = new SnapshotExporter(repo, fx.data, work, options).snapshot(fx.namespace, List.of(new BucketName(bucket)),
                        Optional.empty());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(bucket.equals("small") ? SMALL : LARGE, r.dataUploaded());
            System.out.printf("export %-7s %-5s parallel=%d %-11s %6.2f s %8.1f objects/s %7.1f MiB/s%n", target, bucket,
                    parallel, durable ? "durable" : "not-durable", seconds, r.dataUploaded() / seconds,
                    r.dataUploadedBytes() / seconds / (1 << 20));
        }
    }
}
