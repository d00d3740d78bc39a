package io.strata.erasure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Heal and scrub of one 64 MiB blob (4+2, 1 MiB blocks, six drive directories on one device,
 * page cache warm), one blob at a time on one thread, without a rate limit:
 * <ul>
 *   <li>{@link #healTwoShards}: shards 1 (data) and 5 (parity) deleted before each invocation,
 *       then {@code heal}: read 4 shards, verify every block, decode, write two shard files
 *       (fsync, rename, directory fsync).</li>
 *   <li>{@link #scrub}: {@code heal(location, true)} of an intact blob: read and verify all six
 *       shards (96 MiB), nothing to rebuild.</li>
 * </ul>
 * Each invocation counts as 64 operations, so the score in ops/s reads as <b>MiB/s of object
 * data</b> restored or verified. 64 MiB: 16 stripes, large enough to amortise the per-blob file
 * opens and fsyncs, small enough to stay in the page cache. Background passes heal four blobs at
 * a time, so they go faster than this single-blob figure on several cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class HealBenchmark {
    static final int SIZE_MIB = 64;
    static final long SIZE = (long) SIZE_MIB << 20;

    private Path root;
    private DriveErasureStore store;
    private ErasureBlobLocation damaged;
    private ErasureBlobLocation intact;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("strata-heal-bench");
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 6; i++) drives.add(root.resolve("drive" + i));
        store = (DriveErasureStore) ErasureStore.open(new ErasureConfig(drives, ErasureConfig.DEFAULT_DATA_SHARDS,
                ErasureConfig.DEFAULT_PARITY_SHARDS, ErasureConfig.DEFAULT_BLOCK_SIZE));
        byte[] pattern = new byte[(1 << 20) + 7];
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) random.nextInt();
        damaged = (ErasureBlobLocation) store.write(source(pattern), SIZE, BlobOwner.object("bench", "damaged"));
        intact = (ErasureBlobLocation) store.write(source(pattern), SIZE, BlobOwner.object("bench", "intact"));
    }

    @Setup(Level.Invocation)
    public void damage() throws IOException {
        for (int shard : new int[] {1, 5}) {
            Files.deleteIfExists(store.drive(damaged.drive(shard)).shardPath(damaged.blobId(), shard));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public HealResult healTwoShards() {
        HealResult result = store.heal(damaged);
        if (result.shardsRebuilt() != 2) throw new IllegalStateException("expected 2 shards rebuilt: " + result);
        return result;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public HealResult scrub() {
        HealResult result = store.heal(intact, true);
        if (result.outcome() != HealResult.Outcome.HEALTHY) throw new IllegalStateException("not healthy: " + result);
        return result;
    }

    private static InputStream source(byte[] pattern) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position >= SIZE) return -1;
                return pattern[(int) (position++ % pattern.length)] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                if (position >= SIZE) return -1;
                int at = (int) (position % pattern.length);
                int n = (int) Math.min(Math.min(len, pattern.length - at), SIZE - position);
                System.arraycopy(pattern, at, b, off, n);
                position += n;
                return n;
            }
        };
    }
}
