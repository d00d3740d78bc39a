package io.strata.erasure;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reed-Solomon coding speed on one core, for the embedded default code: 4 data + 2 parity shards
 * at 1 MiB blocks, i.e. one 4 MiB stripe per operation, the unit the write path encodes and a
 * degraded read decodes.
 *
 * <ul>
 *   <li>{@link #encode}: the two parity blocks from four data blocks (every write pays this).</li>
 *   <li>{@link #decodeTwoDataShardsMissing}: the worst degraded read, two data blocks rebuilt from
 *       the two surviving data and two parity blocks (inverse taken from the per-pattern cache).</li>
 * </ul>
 * 1 MiB blocks are the production default and far larger than L2, so this measures the streaming
 * loop, not a cache-resident toy. Each invocation counts as 4 operations, so the score in ops/s
 * reads directly as <b>MiB/s of object data</b> (parity bytes not counted).
 *
 * <p>Lives in {@code io.strata.erasure} (in this separate module) because the codec is
 * package-private: the benchmark measures the real loop without widening the module's API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ErasureEncodeBenchmark {
    static final int DATA_SHARDS = 4;
    static final int PARITY_SHARDS = 2;
    static final int BLOCK_SIZE = 1 << 20;
    /** Data MiB per invocation; keep equal to {@code DATA_SHARDS * BLOCK_SIZE / 1 MiB}. */
    static final int DATA_MIB = 4;

    private ReedSolomon code;
    private byte[][] shards;
    private boolean[] present;

    @Setup
    public void setUp() {
        code = ReedSolomon.of(DATA_SHARDS, PARITY_SHARDS);
        shards = new byte[DATA_SHARDS + PARITY_SHARDS][BLOCK_SIZE];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < DATA_SHARDS; i++) {
            for (int j = 0; j < BLOCK_SIZE; j++) shards[i][j] = (byte) random.nextInt();
        }
        code.encode(shards, BLOCK_SIZE);
        present = new boolean[] {false, true, false, true, true, true};
    }

    @Benchmark
    @OperationsPerInvocation(DATA_MIB)
    public byte[] encode() {
        code.encode(shards, BLOCK_SIZE);
        return shards[DATA_SHARDS];
    }

    @Benchmark
    @OperationsPerInvocation(DATA_MIB)
    public byte[] decodeTwoDataShardsMissing() {
        code.reconstructData(shards, present, BLOCK_SIZE);
        return shards[0];
    }
}
