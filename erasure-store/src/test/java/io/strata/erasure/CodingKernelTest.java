package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The vector kernel against the table kernel: identical parity over random data and lengths that
 * are not multiples of the vector width, every erasure pattern decoded byte-identical, and the
 * scalar fallback chosen (and working) where the Vector API is absent or refused.
 */
class CodingKernelTest {
    /** Around multiples of 64 bytes (the widest vector) and 256 (the widest step), and odd sizes well beyond. */
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 255, 256, 257, 511, 512, 513,
        1000, 4096 + 17, 65536 + 3, 3 * 65536 - 1};

    @BeforeEach
    void vectorKernelRunsHere() {
        assumeTrue(CodingKernels.vectorAvailable(), CodingKernels::vectorUnavailableReason);
    }

    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"4,2", "8,3", "6,3", "1,1", "3,1", "10,4", "5,6", "12,9"})
    void vectorAndScalarEncodeIdenticalParity(int k, int m) {
        ReedSolomon vector = ReedSolomon.of(k, m).withKernel(VectorKernel.INSTANCE);
        ReedSolomon scalar = vector.withKernel(TableKernel.INSTANCE);
        Random random = new Random(k * 31L + m);
        for (int length : LENGTHS) {
            byte[][] a = new byte[k + m][length + 5];
            for (int i = 0; i < k; i++) random.nextBytes(a[i]);
            byte[][] b = deepCopy(a);
            vector.encode(a, length);
            scalar.encode(b, length);
            for (int i = 0; i < k + m; i++) {
                int shard = i;
                assertArrayEquals(b[i], a[i], () -> k + "+" + m + " shard " + shard + " length " + length);
            }
        }
    }

    @Test
    void vectorAndScalarKernelsAgreeOnRandomMatrices() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int inputs = 1 + random.nextInt(12);
            int outputs = 1 + random.nextInt(9);
            int length = random.nextInt(700);
            byte[][] rows = new byte[outputs][inputs];
            for (byte[] row : rows) {
                random.nextBytes(row);
                row[random.nextInt(inputs)] = (byte) (random.nextBoolean() ? 0 : 1);
            }
            byte[][] in = new byte[inputs][length];
            for (byte[] x : in) random.nextBytes(x);
            byte[][] expected = new byte[outputs][length];
            byte[][] actual = new byte[outputs][length];
            for (byte[] o : actual) random.nextBytes(o);
            TableKernel.INSTANCE.code(rows, in, expected, length);
            VectorKernel.INSTANCE.code(rows, in, actual, length);
            for (int o = 0; o < outputs; o++) {
                assertArrayEquals(expected[o], actual[o], "round " + round + " output " + o);
            }
        }
    }

    @Test
    void vectorKernelMultipliesEveryByteByEveryCoefficient() {
        byte[] all = new byte[256];
        for (int x = 0; x < 256; x++) all[x] = (byte) x;
        for (int c = 0; c < 256; c++) {
            byte[] out = new byte[256];
            VectorKernel.INSTANCE.code(new byte[][] {{(byte) c}}, new byte[][] {all}, new byte[][] {out}, 256);
            for (int x = 0; x < 256; x++) assertEquals(GaloisField.multiply(c, x), out[x] & 0xFF, c + "*" + x);
        }
    }

    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"4,2", "8,3", "6,3"})
    void vectorDecodesEveryPatternOfUpToParityCountMissingShards(int k, int m) {
        ReedSolomon vector = ReedSolomon.of(k, m).withKernel(VectorKernel.INSTANCE);
        for (int length : new int[] {64 * 17 + 13, 1}) {
            Random random = new Random(k * 100L + m + length);
            byte[][] original = new byte[k + m][length];
            for (int i = 0; i < k; i++) random.nextBytes(original[i]);
            ReedSolomon.of(k, m).withKernel(TableKernel.INSTANCE).encode(original, length);
            int patterns = 0;
            for (int missing = 1; missing <= m; missing++) {
                for (int[] pattern : ReedSolomonTest.combinations(k + m, missing)) {
                    byte[][] shards = deepCopy(original);
                    boolean[] present = new boolean[k + m];
                    Arrays.fill(present, true);
                    for (int s : pattern) {
                        present[s] = false;
                        random.nextBytes(shards[s]);
                    }
                    vector.reconstructAll(shards, present, length);
                    for (int i = 0; i < k + m; i++) {
                        int shard = i;
                        assertArrayEquals(original[i], shards[i], () -> k + "+" + m + " shard " + shard
                                + " with missing " + Arrays.toString(pattern));
                    }
                    patterns++;
                }
            }
            assertTrue(patterns > 0);
        }
    }

    @Test
    void theCodesOfTheStoreRunTheSelectedKernel() {
        assertSame(CodingKernels.selected(), ReedSolomon.of(4, 2).kernel());
    }

    private static byte[][] deepCopy(byte[][] shards) {
        byte[][] copy = new byte[shards.length][];
        for (int i = 0; i < shards.length; i++) copy[i] = shards[i].clone();
        return copy;
    }
}
