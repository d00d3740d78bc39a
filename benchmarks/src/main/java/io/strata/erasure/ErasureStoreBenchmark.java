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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole hot-tier path for one 64 MiB blob, default 4+2 code at 1 MiB blocks, over six drive
 * directories in a fresh temporary directory (all on one device here, so this is an upper bound
 * on CPU cost and a lower bound on what separate NVMe drives would give):
 *
 * <ul>
 *   <li>{@link #write}: stream in, encode, CRC32C every block, write six shard files in parallel,
 *       fsync, rename, fsync directories. The blob is deleted after each invocation.</li>
 *   <li>{@link #read}: stream the blob back, every block checked (page cache warm).</li>
 *   <li>{@link #readTwoShardsMissing}: the same with two data shards' files gone, every stripe
 *       reconstructed from parity.</li>
 * </ul>
 * 64 MiB is 16 stripes: large enough that per-call costs (virtual threads, file creation, the
 * twelve fsyncs) are amortised the way they are for big objects, small enough to stay in the page
 * cache. Each invocation counts as 64 operations, so the score in ops/s reads as <b>MiB/s of
 * object data</b>.
 *
 * <p>{@code parallelReads} compares reading a stripe's blocks on one virtual thread per drive
 * (the default) with reading them one after another on the caller's thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ErasureStoreBenchmark {
    static final int SIZE_MIB = 64;
    static final long SIZE = (long) SIZE_MIB << 20;

    @Param({"true", "false"})
    public boolean parallelReads;

    private Path root;
    private ErasureStore store;
    private byte[] pattern;
    private BlobLocation readable;
    private BlobLocation degraded;
    private BlobLocation written;
    private final byte[] buffer = new byte[64 * 1024];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("strata-bench");
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 6; i++) drives.add(root.resolve("drive" + i));
        store = ErasureStore.open(new ErasureConfig(drives, ErasureConfig.DEFAULT_DATA_SHARDS,
                ErasureConfig.DEFAULT_PARITY_SHARDS, ErasureConfig.DEFAULT_BLOCK_SIZE));
        ((DriveErasureStore) store).parallelReads(parallelReads);
        pattern = new byte[(1 << 20) + 7]; // odd length: stripes do not line up with the pattern
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) random.nextInt();
        readable = store.write(source(), SIZE);
        degraded = store.write(source(), SIZE);
        ErasureBlobLocation location = (ErasureBlobLocation) degraded;
        for (int shard : new int[] {0, 2}) {
            Drive drive = new Drive(location.drive(shard), drives.get(location.drive(shard)));
            Files.delete(drive.shardPath(location.blobId(), shard));
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

    @TearDown(Level.Invocation)
    public void deleteWritten() {
        if (written != null) store.delete(written);
        written = null;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public BlobLocation write() {
        written = store.write(source(), SIZE);
        return written;
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long read() throws IOException {
        return drain(readable);
    }

    @Benchmark
    @OperationsPerInvocation(SIZE_MIB)
    public long readTwoShardsMissing() throws IOException {
        return drain(degraded);
    }

    private long drain(BlobLocation location) throws IOException {
        long total = 0;
        try (InputStream in = store.read(location, 0, location.size())) {
            for (int n; (n = in.read(buffer)) > 0; ) total += n;
        }
        return total;
    }

    /** {@code SIZE} bytes cycling over the pattern: costs a copy, no generation. */
    private InputStream source() {
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
