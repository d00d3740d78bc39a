package io.strata.erasure;

import java.util.Arrays;
import java.util.Random;

/**
 * Run by {@link CodingKernelFallbackTest} in a separate JVM: encodes and decodes a 4+2 stripe with
 * the kernel that JVM selected and prints {@code probe: <kernel> ok}, or exits with status 1.
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
        if (!Arrays.deepEquals(shards, damaged)) {
            System.out.println("probe: decode differs");
            System.exit(1);
        }
        System.out.println("probe: " + code.kernel().description() + " ok");
    }
}
