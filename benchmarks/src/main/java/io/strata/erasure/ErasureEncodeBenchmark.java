package io.strata.erasure;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Reed-Solomon coding speed on one core (one thread), the Vector API kernel and the
 * multiplication-table kernel side by side in one run ({@code coder} = {@code vector} /
 * {@code table}), for RS(4,2) (the embedded default) and RS(8,3), with 64 KiB shards (the
 * working set of a stripe fits L2, as in ISA-L's and klauspost's published figures) and 1 MiB
 * shards (the production block size, far larger than L2: the streaming case).
 *
 * <ul>
 *   <li>{@link #encode}: the {@code m} parity shards from the {@code k} data shards (every write
 *       pays this).</li>
 *   <li>{@link #decodeMaxErasures}: the worst degraded read, {@code m} data shards rebuilt from
 *       the other data shards and every parity shard (inverse from the per-pattern cache).</li>
 * </ul>
 *
 * <p><b>Read the {@code dataBytes} line</b>: it counts bytes of object data (the {@code k} data
 * shards; parity not counted) and, in {@code ops/us}, reads directly as <b>MB/s of data per
 * core</b> (divide by 1000 for GB/s). The primary score is stripes per microsecond. After each
 * iteration the same rate per second of the thread's CPU time is printed too ({@code [encode
 * vector 4+2 65536: 19.50 GB/s of data per CPU-second]}), the figure to quote when other work
 * shares the cores.
 *
 * <p>Run: {@code mvn -o -q -B -Pbenchmarks -pl benchmarks -am package -DskipTests}, then
 * {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ErasureEncodeBenchmark -f 1 -wi 3 -i 5}. The fork adds the module itself, so a missing flag
 * on the command line does not silently measure the scalar fallback; {@code coder=vector} fails
 * if the Vector API cannot run.
 *
 * <p>Lives in {@code io.strata.erasure} (in this separate module) because the codec is
 * package-private: the benchmark measures the real loop without widening the module's API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ErasureEncodeBenchmark {

    @Param({"vector", "table"})
    public String coder;

    /** {@code k+m}. */
    @Param({"4+2", "8+3"})
    public String code;

    @Param({"65536", "1048576"})
    public int shardSize;

    private ReedSolomon rs;
    private byte[][] shards;
    private boolean[] present;
    private long dataBytesPerStripe;

    /**
     * Bytes of object data coded; see the class comment for how to read it. Also prints, after
     * each iteration, the same bytes per second of the benchmark thread's own CPU time: on a
     * machine shared with other work the wall-clock score drops with the load, this rate much
     * less.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Data {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long dataBytes;
        private long cpuStart;

        @Setup(Level.Iteration)
        public void reset() {
            dataBytes = 0;
            cpuStart = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void report(BenchmarkParams params) {
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            System.out.printf(" [%s %s %s %s: %.2f GB/s of data per CPU-second]", name, params.getParam("coder"),
                    params.getParam("code"), params.getParam("shardSize"), cpu > 0 ? dataBytes / (double) cpu : 0.0);
        }
    }

    @Setup
    public void setUp() {
        String[] km = code.split("\\+");
        int k = Integer.parseInt(km[0]);
        int m = Integer.parseInt(km[1]);
        CodingKernel kernel = switch (coder) {
            case "table" -> TableKernel.INSTANCE;
            case "vector" -> {
                if (!CodingKernels.vectorAvailable()) {
                    throw new IllegalStateException(CodingKernels.vectorUnavailableReason());
                }
                yield VectorKernel.INSTANCE;
            }
            default -> throw new IllegalArgumentException("coder " + coder);
        };
        rs = ReedSolomon.of(k, m).withKernel(kernel);
        shards = new byte[k + m][shardSize];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < shardSize; j++) shards[i][j] = (byte) random.nextInt();
        }
        rs.encode(shards, shardSize);
        present = new boolean[k + m];
        java.util.Arrays.fill(present, true);
        for (int i = 0; i < m; i++) present[i] = false;
        dataBytesPerStripe = (long) k * shardSize;
    }

    @Benchmark
    public byte[] encode(Data data) {
        rs.encode(shards, shardSize);
        data.dataBytes += dataBytesPerStripe;
        return shards[shards.length - 1];
    }

    @Benchmark
    public byte[] decodeMaxErasures(Data data) {
        rs.reconstructData(shards, present, shardSize);
        data.dataBytes += dataBytesPerStripe;
        return shards[0];
    }
}
