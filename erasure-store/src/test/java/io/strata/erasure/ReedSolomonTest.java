package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReedSolomonTest {

    @ParameterizedTest(name = "RS({0},{1})")
    @CsvSource({"4,2", "8,3", "3,0", "1,2"})
    void warmUpCodesEveryPathAndLeavesTheCodeAsItWas(int k, int m) {
        ReedSolomon code = ReedSolomon.of(k, m);
        long perCall = k * (64L << 10);
        long calls = ReedSolomon.WARM_UP_BYTES / perCall;
        // Encoding, then rebuilding 1 .. min(m, k) lost data shards, each checked inside warmUp.
        assertEquals(m == 0 ? 0 : (1 + Math.min(m, k)) * calls * perCall, code.warmUp());
        int length = 10_000;
        byte[][] warm = new byte[k + m][length];
        new Random(7).ints(0, 256).limit(length * (long) k).forEach(new java.util.function.IntConsumer() {
            int at;

            public void accept(int b) {
                warm[at / length][at % length] = (byte) b;
                at++;
            }
        });
        byte[][] table = new byte[k + m][];
        for (int i = 0; i < k + m; i++) table[i] = warm[i].clone();
        code.encode(warm, length);
        code.withKernel(TableKernel.INSTANCE).encode(table, length);
        for (int i = 0; i < k + m; i++) assertArrayEquals(table[i], warm[i], "shard " + i);
    }

    @Test
    void galoisFieldMultiplicationHasInversesAndDistributes() {
        for (int a = 1; a < 256; a++) {
            assertEquals(1, GaloisField.multiply(a, GaloisField.inverse(a)), "a=" + a);
            for (int b = 0; b < 256; b += 7) {
                assertEquals(GaloisField.multiply(a, b), GaloisField.multiply(b, a));
                int c = (a * 31 + b) & 0xFF;
                assertEquals(GaloisField.multiply(a, b ^ c), GaloisField.multiply(a, b) ^ GaloisField.multiply(a, c));
            }
        }
        assertEquals(0x1D, GaloisField.multiply(0x80, 2), "reduction by 0x11D");
    }

    @Test
    void invertedMatrixTimesMatrixIsIdentity() {
        Random random = new Random(1);
        byte[][] m = new byte[6][6];
        for (byte[] row : m) random.nextBytes(row);
        byte[][] product = GaloisField.multiply(m, GaloisField.invert(m));
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) assertEquals(r == c ? 1 : 0, product[r][c]);
        }
    }

    @Test
    void codeIsSystematic() {
        ReedSolomon rs = ReedSolomon.of(4, 2);
        for (int r = 0; r < 4; r++) {
            byte[] expected = new byte[4];
            expected[r] = 1;
            assertArrayEquals(expected, rs.matrixRow(r));
        }
    }

    @Test
    void decodesWhenAnyTwoShardsAreMissingFor4Plus2() {
        assertDecodesEveryPattern(4, 2, 8192 + 13);
    }

    @ParameterizedTest(name = "{0}+{1}")
    @CsvSource({"1,0", "1,1", "2,1", "3,3", "5,3", "8,4"})
    void decodesEveryPatternOfUpToParityCountMissingShards(int k, int m) {
        assertDecodesEveryPattern(k, m, 1000);
    }

    @Test
    void decodesSampledPatternsFor10Plus4AndWideCodes() {
        assertDecodesSampledPatterns(10, 4, 300, 257);
        assertDecodesSampledPatterns(17, 3, 50, 100);
        assertDecodesSampledPatterns(200, 56, 8, 64);
    }

    @Test
    void refusesToDecodeWithFewerThanDataShardCountPresent() {
        ReedSolomon rs = ReedSolomon.of(4, 2);
        byte[][] shards = randomShards(rs, 16, new Random(3));
        boolean[] present = {true, false, true, false, false, true};
        assertThrows(IllegalArgumentException.class, () -> rs.reconstructData(shards, present, 16));
    }

    @Test
    void cachesOneInversePerErasurePattern() {
        ReedSolomon rs = ReedSolomon.of(3, 2);
        Random random = new Random(5);
        for (int round = 0; round < 3; round++) {
            byte[][] shards = randomShards(rs, 32, random);
            rs.reconstructData(shards, new boolean[] {false, true, true, true, true}, 32);
        }
        assertEquals(1, rs.cachedInverses());
    }

    @Test
    void encodesOnlyTheGivenPrefixOfEachShard() {
        ReedSolomon rs = ReedSolomon.of(4, 2);
        byte[][] shards = randomShards(rs, 100, new Random(9));
        byte[] tail = Arrays.copyOfRange(shards[4], 50, 100);
        rs.encode(shards, 50);
        assertArrayEquals(tail, Arrays.copyOfRange(shards[4], 50, 100));
    }

    private static void assertDecodesEveryPattern(int k, int m, int length) {
        ReedSolomon rs = ReedSolomon.of(k, m);
        byte[][] original = randomShards(rs, length, new Random(k * 100L + m));
        int n = k + m;
        for (int missing = 0; missing <= m; missing++) {
            for (int[] pattern : combinations(n, missing)) assertDecodes(rs, original, pattern, length);
        }
    }

    private static void assertDecodesSampledPatterns(int k, int m, int samples, int length) {
        ReedSolomon rs = ReedSolomon.of(k, m);
        Random random = new Random(k * 1000L + m);
        byte[][] original = randomShards(rs, length, random);
        for (int i = 0; i < samples; i++) {
            List<Integer> all = new ArrayList<>();
            for (int s = 0; s < k + m; s++) all.add(s);
            java.util.Collections.shuffle(all, random);
            int[] pattern = all.subList(0, m).stream().mapToInt(Integer::intValue).toArray();
            assertDecodes(rs, original, pattern, length);
        }
    }

    private static void assertDecodes(ReedSolomon rs, byte[][] original, int[] missing, int length) {
        byte[][] shards = new byte[original.length][];
        for (int i = 0; i < shards.length; i++) shards[i] = original[i].clone();
        boolean[] present = new boolean[shards.length];
        Arrays.fill(present, true);
        for (int s : missing) {
            present[s] = false;
            Arrays.fill(shards[s], (byte) 0x5A);
        }
        rs.reconstructAll(shards, present, length);
        for (int i = 0; i < shards.length; i++) {
            int shard = i;
            assertArrayEquals(original[i], shards[i], () -> "shard " + shard + " with missing " + Arrays.toString(missing)
                    + " for " + rs.dataShards() + "+" + rs.parityShards());
        }
    }

    private static byte[][] randomShards(ReedSolomon rs, int length, Random random) {
        byte[][] shards = new byte[rs.totalShards()][length];
        for (int i = 0; i < rs.dataShards(); i++) random.nextBytes(shards[i]);
        rs.encode(shards, length);
        return shards;
    }

    /** Every {@code r}-element subset of {@code 0..n-1}, in lexicographic order. */
    static List<int[]> combinations(int n, int r) {
        List<int[]> out = new ArrayList<>();
        combine(n, r, 0, new int[r], 0, out);
        return out;
    }

    private static void combine(int n, int r, int start, int[] current, int depth, List<int[]> out) {
        if (depth == r) {
            out.add(current.clone());
            return;
        }
        for (int i = start; i < n; i++) {
            current[depth] = i;
            combine(n, r, i + 1, current, depth + 1, out);
        }
    }
}
