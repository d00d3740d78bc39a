package io.strata.erasure;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A systematic Reed-Solomon code over GF(2^8) with {@code k} data and {@code m} parity shards.
 *
 * <p>The encoding matrix is an {@code (k+m) x k} Vandermonde matrix (row {@code r} is
 * {@code r^0 .. r^(k-1)}) multiplied by the inverse of its top {@code k x k} square, so the top is
 * the identity (data shards are stored as they are) and, because every {@code k} rows of a
 * Vandermonde matrix with distinct points are independent, any {@code k} surviving shards decode.
 * Decoding inverts the {@code k x k} submatrix of the surviving rows; inverses are cached per
 * erasure pattern.
 *
 * <p>Coding runs over plain byte arrays in a {@link CodingKernel}: the Vector API kernel where the
 * JVM offers it, else the multiplication-table kernel ({@link CodingKernels} chooses once per JVM).
 * Encoding and decoding run the same kernel, encoding with the parity rows of the matrix, decoding
 * with rows of the inverse, every missing shard (data and parity) in one pass over the survivors.
 *
 * <p>Thread-safe: instances are immutable apart from the concurrent inverse cache; callers own the
 * shard arrays they pass in.
 */
final class ReedSolomon {
    /** Enough for every pattern of realistic codes; beyond it we stop caching rather than grow. */
    private static final int MAX_CACHED_INVERSES = 4096;
    private static final ConcurrentHashMap<Long, ReedSolomon> CODES = new ConcurrentHashMap<>();

    private final int dataShards;
    private final int parityShards;
    /** {@code (k+m) x k} encoding matrix; the top {@code k} rows are the identity. */
    private final byte[][] matrix;
    /** The bottom {@code m} rows of {@link #matrix}. */
    private final byte[][] parityRows;
    private final ConcurrentHashMap<BitSet, byte[][]> inverses = new ConcurrentHashMap<>();
    private final CodingKernel kernel;

    private ReedSolomon(int dataShards, int parityShards, CodingKernel kernel) {
        if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > 256) {
            throw new IllegalArgumentException("unsupported code " + dataShards + "+" + parityShards);
        }
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        int total = dataShards + parityShards;
        byte[][] vandermonde = new byte[total][dataShards];
        for (int r = 0; r < total; r++) {
            for (int c = 0; c < dataShards; c++) vandermonde[r][c] = (byte) GaloisField.power(r, c);
        }
        byte[][] top = new byte[dataShards][];
        System.arraycopy(vandermonde, 0, top, 0, dataShards);
        this.matrix = GaloisField.multiply(vandermonde, GaloisField.invert(top));
        this.parityRows = new byte[parityShards][];
        System.arraycopy(matrix, dataShards, parityRows, 0, parityShards);
        this.kernel = kernel;
    }

    private ReedSolomon(ReedSolomon code, CodingKernel kernel) {
        this.dataShards = code.dataShards;
        this.parityShards = code.parityShards;
        this.matrix = code.matrix;
        this.parityRows = code.parityRows;
        this.kernel = kernel;
    }

    /** The shared code for {@code k+m}; building the matrix costs more than looking it up. */
    static ReedSolomon of(int dataShards, int parityShards) {
        long key = ((long) dataShards << 32) | (parityShards & 0xFFFFFFFFL);
        return CODES.computeIfAbsent(key,
                ignored -> new ReedSolomon(dataShards, parityShards, CodingKernels.selected()));
    }

    /** The same code running on {@code kernel}, for tests and benchmarks; its inverse cache is its own. */
    ReedSolomon withKernel(CodingKernel kernel) {
        return new ReedSolomon(this, kernel);
    }

    CodingKernel kernel() {
        return kernel;
    }

    int dataShards() {
        return dataShards;
    }

    int parityShards() {
        return parityShards;
    }

    int totalShards() {
        return dataShards + parityShards;
    }

    /** A copy of encoding-matrix row {@code shard}, for tests. */
    byte[] matrixRow(int shard) {
        return matrix[shard].clone();
    }

    /** Data bytes each kernel path codes during {@link #warmUp}: the vector kernel ran at full speed after about 30 MB. */
    static final long WARM_UP_BYTES = 32L << 20;

    /**
     * Runs the kernel paths this code uses (encoding, and rebuilding 1 to m lost data shards) over
     * {@link #WARM_UP_BYTES} of synthetic data each, so that the JIT has compiled them before the
     * first request needs them: interpreted, the vector kernel codes at 0.01-0.1 GB/s, and a cold
     * gateway's first 64 MiB PUT took 0.8 s instead of 0.15 s. Each rebuild is checked against the
     * data it replaced.
     *
     * @return data bytes coded (0 without parity)
     * @throws IllegalStateException if a rebuild differs (a kernel fault, never expected)
     */
    long warmUp() {
        if (parityShards == 0) return 0; // nothing is ever coded
        int length = 64 << 10;
        int total = totalShards();
        byte[][] shards = new byte[total][length];
        java.util.SplittableRandom random = new java.util.SplittableRandom(length);
        for (int i = 0; i < dataShards; i++) {
            for (int j = 0; j < length; j += 8) {
                long r = random.nextLong();
                for (int b = 0; b < 8; b++) shards[i][j + b] = (byte) (r >>> (8 * b));
            }
        }
        long perCall = (long) dataShards * length;
        long calls = Math.max(1, WARM_UP_BYTES / perCall);
        long coded = 0;
        for (long c = 0; c < calls; c++) {
            encode(shards, length);
            coded += perCall;
        }
        byte[][] original = new byte[dataShards][];
        for (int i = 0; i < dataShards; i++) original[i] = shards[i].clone();
        boolean[] present = new boolean[total];
        for (int missing = 1; missing <= Math.min(parityShards, dataShards); missing++) {
            for (long c = 0; c < calls; c++) {
                Arrays.fill(present, true);
                for (int i = 0; i < missing; i++) {
                    int lost = (int) ((c + i) % dataShards);
                    present[lost] = false;
                    Arrays.fill(shards[lost], (byte) 0);
                }
                reconstructData(shards, present, length);
                coded += perCall;
            }
            for (int i = 0; i < dataShards; i++) {
                if (!Arrays.equals(original[i], shards[i])) {
                    throw new IllegalStateException("warm-up: rebuilding " + missing + " of " + dataShards + "+"
                            + parityShards + " shards gave other bytes (" + kernel + ")");
                }
            }
        }
        return coded;
    }

    /**
     * Computes the parity shards {@code shards[k..k+m)} from the data shards {@code shards[0..k)},
     * over bytes {@code [0, length)} of each.
     */
    void encode(byte[][] shards, int length) {
        checkShards(shards, length);
        if (parityShards == 0) return;
        byte[][] data = new byte[dataShards][];
        byte[][] parity = new byte[parityShards][];
        System.arraycopy(shards, 0, data, 0, dataShards);
        System.arraycopy(shards, dataShards, parity, 0, parityShards);
        kernel.code(parityRows, data, parity, length);
    }

    /**
     * Rebuilds the missing data shards (those with {@code present[i] == false}, {@code i < k})
     * from any {@code k} present shards, over bytes {@code [0, length)}. Parity shards are left as
     * they are. Arrays of missing shards must exist; their content is overwritten.
     *
     * @throws IllegalArgumentException if fewer than {@code k} shards are present
     */
    void reconstructData(byte[][] shards, boolean[] present, int length) {
        reconstruct(shards, present, length, false);
    }

    /** As {@link #reconstructData}, then recomputes every missing parity shard as well. */
    void reconstructAll(byte[][] shards, boolean[] present, int length) {
        reconstruct(shards, present, length, true);
    }

    private void reconstruct(byte[][] shards, boolean[] present, int length, boolean parityToo) {
        checkShards(shards, length);
        int total = totalShards();
        if (present.length != total) throw new IllegalArgumentException("present.length != " + total);
        BitSet chosen = new BitSet(total);
        for (int i = 0; i < total && chosen.cardinality() < dataShards; i++) {
            if (present[i]) chosen.set(i);
        }
        if (chosen.cardinality() < dataShards) {
            throw new IllegalArgumentException("only " + chosen.cardinality() + " of " + total
                    + " shards present, need " + dataShards);
        }
        // Every shard to rebuild is a row over the k chosen survivors: a missing data shard is
        // its row of the inverse, a missing parity shard its encoding row times the inverse.
        // All of them are then computed in one kernel pass, which reads each survivor once.
        int limit = parityToo ? total : dataShards;
        int missing = 0;
        for (int i = 0; i < limit; i++) if (!present[i]) missing++;
        if (missing == 0) return;
        byte[][] decode = decodeMatrix(chosen);
        byte[][] rows = new byte[missing][];
        byte[][] outputs = new byte[missing][];
        int o = 0;
        for (int i = 0; i < limit; i++) {
            if (present[i]) continue;
            rows[o] = i < dataShards ? decode[i] : GaloisField.multiply(new byte[][] {matrix[i]}, decode)[0];
            outputs[o++] = shards[i];
        }
        byte[][] inputs = new byte[dataShards][];
        int in = 0;
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) inputs[in++] = shards[i];
        kernel.code(rows, inputs, outputs, length);
    }

    /** The inverse of the encoding rows {@code chosen} ({@code k} of them), cached per pattern. */
    private byte[][] decodeMatrix(BitSet chosen) {
        byte[][] cached = inverses.get(chosen);
        if (cached != null) return cached;
        byte[][] sub = new byte[dataShards][];
        int r = 0;
        for (int i = chosen.nextSetBit(0); i >= 0; i = chosen.nextSetBit(i + 1)) sub[r++] = matrix[i];
        byte[][] inverse = GaloisField.invert(sub);
        if (inverses.size() < MAX_CACHED_INVERSES) inverses.putIfAbsent((BitSet) chosen.clone(), inverse);
        return inverse;
    }

    int cachedInverses() {
        return inverses.size();
    }

    private void checkShards(byte[][] shards, int length) {
        if (shards.length != totalShards()) {
            throw new IllegalArgumentException("expected " + totalShards() + " shards, got " + shards.length);
        }
        if (length < 0) throw new IllegalArgumentException("length < 0: " + length);
        for (byte[] s : shards) {
            if (s == null || s.length < length) throw new IllegalArgumentException("shard shorter than " + length);
        }
    }
}
