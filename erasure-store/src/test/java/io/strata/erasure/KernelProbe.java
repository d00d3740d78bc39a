package io.strata.erasure;

import java.util.Arrays;
import java.util.Random;

/**
 * Run by {@link CodingKernelFallbackTest} in a separate JVM: encodes and decodes a 4+2 stripe with
 * the kernel that JVM selected, checks every output against the table kernel over several codes
 * and odd lengths, and prints {@code probe: <kernel> ok}, or exits with status 1.
 */
final class KernelProbe {
    private KernelProbe() {
    }

    public static void main(String[] args) {
        ReedSolomon code = ReedSolomon.of(4, 2);
        int length = 1000 + 7;
        byte[][] shards = new byte[6][length];
        Random random = new Random(1);
        for (int i = 0; i < 4; i++) random.nextBytes(shards[i]);
        code.encode(shards, length);
        byte[][] damaged = new byte[6][];
        for (int i = 0; i < 6; i++) damaged[i] = shards[i].clone();
        Arrays.fill(damaged[0], (byte) 0);
        Arrays.fill(damaged[5], (byte) 0);
        code.reconstructAll(damaged, new boolean[] {false, true, true, true, true, false}, length);
        check(Arrays.deepEquals(shards, damaged), "decode differs");
        int[][] codes = {{4, 2}, {8, 3}, {6, 3}, {3, 1}, {5, 7}};
        for (int[] km : codes) {
            for (int size : new int[] {0, 1, 127, 128, 129, 1000, 4097}) {
                byte[][] a = new byte[km[0] + km[1]][size];
                for (int i = 0; i < km[0]; i++) random.nextBytes(a[i]);
                byte[][] b = new byte[a.length][];
                for (int i = 0; i < a.length; i++) b[i] = a[i].clone();
                ReedSolomon.of(km[0], km[1]).encode(a, size);
                ReedSolomon.of(km[0], km[1]).withKernel(TableKernel.INSTANCE).encode(b, size);
                check(Arrays.deepEquals(a, b), km[0] + "+" + km[1] + " length " + size + " differs from the table kernel");
            }
        }
        // VectorKernel is touched only when it runs: this JVM may lack the module.
        String how = code.kernel().description().startsWith("vector") && !VectorKernel.WRAPS ? " (masked indexes)" : "";
        System.out.println("probe: " + code.kernel().description() + how + " ok");
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            System.out.println("probe: " + failure);
            System.exit(1);
        }
    }
}
