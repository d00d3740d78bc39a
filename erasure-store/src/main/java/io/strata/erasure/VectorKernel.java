package io.strata.erasure;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernel on the Java Vector API ({@code jdk.incubator.vector}), with the split-nibble
 * table-lookup method of ISA-L and klauspost/reedsolomon: {@code c * x = c * (x & 0x0f) ^ c * (x
 * & 0xf0)}, so multiplying by a constant {@code c} is two lookups in 16-entry tables, done for a
 * whole vector of bytes at once by a byte permute ({@code selectFrom}, {@code vpermb} on
 * AVX-512 VBMI, {@code vpshufb} on AVX2/SSSE3).
 *
 * <p>The loop walks the shards once, one vector position at a time: each input vector is loaded
 * once and split into its two nibble vectors, and every output of a group of up to four is
 * accumulated in a register and stored once, so a pass costs {@code k} loads and {@code g} stores
 * per vector position, with no read-modify-write of the outputs. Outputs beyond four go in further
 * groups (another pass over the inputs). Bytes after the last full vector go to the
 * {@link TableKernel}.
 *
 * <p>{@link #SPECIES} is a {@code static final} constant on purpose: the JIT turns vector code
 * into vector instructions only when the species is a compile-time constant (about 4x slower
 * otherwise). Only loaded when the {@code jdk.incubator.vector} module is in the boot layer (see
 * {@link CodingKernels}); stateless and thread-safe.
 */
final class VectorKernel implements CodingKernel {
    static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Outputs accumulated per pass: four accumulators plus the nibble vectors fit any register file. */
    private static final int GROUP = 4;
    /**
     * For each coefficient {@code c} two tables of {@code LANES} bytes, the low table at
     * {@code c * 2 * LANES} ({@code c * x} for {@code x = 0..15}) then the high one ({@code c *
     * (x << 4)}), each 16-entry table repeated to the vector width so that lookups are correct
     * whether the permute works per 128-bit lane or across the whole vector. 32 KiB at 512 bits;
     * a code touches only its own coefficients' tables, which stay in L1.
     */
    private static final byte[] TABLES = new byte[256 * 2 * LANES];
    static final VectorKernel INSTANCE = new VectorKernel();

    static {
        for (int c = 0; c < 256; c++) {
            for (int x = 0; x < LANES; x++) {
                TABLES[c * 2 * LANES + x] = (byte) GaloisField.multiply(c, x & 0x0f);
                TABLES[c * 2 * LANES + LANES + x] = (byte) GaloisField.multiply(c, (x & 0x0f) << 4);
            }
        }
    }

    private VectorKernel() {
    }

    /** The width of the preferred species on this CPU and JVM, in bits. */
    static int vectorBits() {
        return SPECIES.vectorBitSize();
    }

    @Override
    public String description() {
        return "vector " + vectorBits() + "-bit";
    }

    @Override
    public String toString() {
        return description();
    }

    @Override
    public void code(byte[][] rows, byte[][] inputs, byte[][] outputs, int length) {
        int bound = SPECIES.loopBound(length);
        int k = inputs.length;
        for (int first = 0; first < outputs.length; first += GROUP) {
            int g = Math.min(GROUP, outputs.length - first);
            // tables[j * g + o]: where the tables of rows[first + o][j] start in TABLES.
            int[] tables = new int[k * g];
            for (int j = 0; j < k; j++) {
                for (int o = 0; o < g; o++) tables[j * g + o] = (rows[first + o][j] & 0xFF) * 2 * LANES;
            }
            switch (g) {
                case 1 -> code1(tables, inputs, outputs[first], bound);
                case 2 -> code2(tables, inputs, outputs[first], outputs[first + 1], bound);
                case 3 -> code3(tables, inputs, outputs[first], outputs[first + 1], outputs[first + 2], bound);
                default -> code4(tables, inputs, outputs[first], outputs[first + 1], outputs[first + 2],
                        outputs[first + 3], bound);
            }
        }
        if (bound < length) TableKernel.code(rows, inputs, outputs, bound, length);
    }

    // code1..code4 are the same loop with 1-4 accumulators. They are spelled out rather than
    // shared because the accumulators must be locals for the JIT to keep them in registers
    // (an array of vectors would be stored to memory on every input).

    private static void code1(int[] tables, byte[][] inputs, byte[] out0, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            for (int j = 0; j < k; j++) {
                ByteVector x = ByteVector.fromArray(SPECIES, inputs[j], i);
                ByteVector low = x.and((byte) 0x0f);
                ByteVector high = highNibbles(x);
                a0 = a0.lanewise(VectorOperators.XOR, multiply(low, high, tables[j]));
            }
            a0.intoArray(out0, i);
        }
    }

    private static void code2(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 2) {
                ByteVector x = ByteVector.fromArray(SPECIES, inputs[j], i);
                ByteVector low = x.and((byte) 0x0f);
                ByteVector high = highNibbles(x);
                a0 = a0.lanewise(VectorOperators.XOR, multiply(low, high, tables[t]));
                a1 = a1.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 1]));
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
        }
    }

    private static void code3(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, byte[] out2, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            ByteVector a2 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 3) {
                ByteVector x = ByteVector.fromArray(SPECIES, inputs[j], i);
                ByteVector low = x.and((byte) 0x0f);
                ByteVector high = highNibbles(x);
                a0 = a0.lanewise(VectorOperators.XOR, multiply(low, high, tables[t]));
                a1 = a1.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 1]));
                a2 = a2.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 2]));
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            a2.intoArray(out2, i);
        }
    }

    private static void code4(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, byte[] out2, byte[] out3,
                              int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            ByteVector a2 = a0;
            ByteVector a3 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 4) {
                ByteVector x = ByteVector.fromArray(SPECIES, inputs[j], i);
                ByteVector low = x.and((byte) 0x0f);
                ByteVector high = highNibbles(x);
                a0 = a0.lanewise(VectorOperators.XOR, multiply(low, high, tables[t]));
                a1 = a1.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 1]));
                a2 = a2.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 2]));
                a3 = a3.lanewise(VectorOperators.XOR, multiply(low, high, tables[t + 3]));
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            a2.intoArray(out2, i);
            a3.intoArray(out3, i);
        }
    }

    /**
     * {@code x >>> 4} per byte. x86 has no byte shift, so shift 16-bit lanes (one instruction)
     * and mask off the bits that crossed over from the neighbouring byte.
     */
    private static ByteVector highNibbles(ByteVector x) {
        return x.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4)
                .reinterpretAsBytes().and((byte) 0x0f);
    }

    /** {@code c * x} per byte, from the nibbles of {@code x} and the tables of {@code c} at {@code table}. */
    private static ByteVector multiply(ByteVector low, ByteVector high, int table) {
        ByteVector lowTable = ByteVector.fromArray(SPECIES, TABLES, table);
        ByteVector highTable = ByteVector.fromArray(SPECIES, TABLES, table + LANES);
        return low.selectFrom(lowTable).lanewise(VectorOperators.XOR, high.selectFrom(highTable));
    }
}
