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
 * <p>The loop walks the shards once, four vectors (256 bytes at 512 bits) at a time for one or
 * two outputs, three for three, two for four: each input vector is loaded once and split into its
 * two nibble vectors, each coefficient's two tables are loaded once for all vectors of the step,
 * and every output of a group of up to four is accumulated in registers and stored once. A pass thus costs {@code k} loads and {@code g} stores per position,
 * with no read-modify-write of the outputs; outputs beyond four go in further groups (another
 * pass over the inputs). Bytes after the last full step go to the {@link TableKernel}. Several vectors
 * per step, which divides the table loads, and leaving the nibble masking to
 * {@code selectFrom}'s index wrapping (below) each measured faster on this AVX-512 machine.
 *
 * <p>Index wrapping: since JDK 24 {@code selectFrom} is specified to wrap each index to
 * {@code index & (VLENGTH - 1)}; on JDK 21-23 an index out of range throws. The tables repeat every 16
 * bytes, so with wrapping a byte {@code x} and a 16-bit-lane shift of it can index them directly
 * (only bits 0-3 of the index select a value); on older JDKs, or with the system property
 * {@code strata.erasure.vector.maskIndexes=true} (for tests), the nibbles are masked explicitly.
 *
 * <p>{@link #SPECIES} is a {@code static final} constant on purpose: the JIT turns vector code
 * into vector instructions only when the species is a compile-time constant (about 4x slower
 * otherwise). Only loaded when the {@code jdk.incubator.vector} module is in the boot layer (see
 * {@link CodingKernels}); stateless and thread-safe.
 */
final class VectorKernel implements CodingKernel {
    static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * The loops' bound is a multiple of this: four vectors, the step for one or two outputs; three
     * outputs take three vectors per step, four outputs two (see code1..code4).
     */
    private static final int STEP = 4 * LANES;
    /** Whether {@code selectFrom} wraps indexes itself, so that nibbles need no mask (see above). */
    static final boolean WRAPS = Runtime.version().feature() >= 24
            && !Boolean.getBoolean("strata.erasure.vector.maskIndexes");
    /** Outputs accumulated per pass: 8 accumulators plus 4 nibble and 2 table vectors fit 32 registers. */
    private static final int GROUP = 4;
    /**
     * For each coefficient {@code c} two tables of {@code LANES} bytes, the low table at
     * {@code c * 2 * LANES} ({@code c * x} for {@code x = 0..15}) then the high one ({@code c *
     * (x << 4)}), each 16-entry table repeated to the vector width so that lookups are correct
     * whatever bits 4-5 of an index hold and whether the permute works per 128-bit lane or across
     * the whole vector. 32 KiB at 512 bits; a code touches only its own coefficients' tables,
     * which stay in L1.
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
        int bound = length - length % STEP;
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
                default -> code4(tables, inputs, outputs[first], outputs[first + 1], outputs[first + 2], outputs[first + 3], bound);
            }
        }
        if (bound < length) TableKernel.code(rows, inputs, outputs, bound, length);
    }

    // code1..code4 are the same loop with 1-4 outputs. They are spelled out rather than shared
    // because the accumulators must be locals for the JIT to keep them in registers (an array of
    // vectors would be stored to memory on every input). Steps are as wide as measured best on
    // JDK 25: four vectors for one or two outputs, three for three, two for four. Twelve or more
    // accumulators (four vectors for three or four outputs) made C2's code 10-20x slower.

    /** The low nibbles of {@code x} as table indexes. */
    private static ByteVector low(ByteVector x) {
        return WRAPS ? x : x.and((byte) 0x0f);
    }

    /**
     * The high nibbles of {@code x} as table indexes: x86 has no byte shift, so shift 16-bit lanes
     * (one instruction); bits 4-7 then hold the neighbour's low bits, which wrapping or the mask drops.
     */
    private static ByteVector high(ByteVector x) {
        ByteVector shifted = x.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
        return WRAPS ? shifted : shifted.and((byte) 0x0f);
    }

    /** The vector of table bytes at {@code at} in {@link #TABLES}. */
    private static ByteVector table(int at) {
        return ByteVector.fromArray(SPECIES, TABLES, at);
    }

    /** {@code acc ^ c * x}, with {@code x} given as its nibbles and {@code c} as its two tables. */
    private static ByteVector mac(ByteVector acc, ByteVector low, ByteVector high, ByteVector lowTable, ByteVector highTable) {
        return acc.lanewise(VectorOperators.XOR, low.selectFrom(lowTable)).lanewise(VectorOperators.XOR, high.selectFrom(highTable));
    }

    private static void code1(int[] tables, byte[][] inputs, byte[] out0, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += STEP) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector b0 = a0, c0 = a0, d0 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 1) {
                byte[] in = inputs[j];
                ByteVector x = ByteVector.fromArray(SPECIES, in, i);
                ByteVector y = ByteVector.fromArray(SPECIES, in, i + LANES);
                ByteVector z = ByteVector.fromArray(SPECIES, in, i + 2 * LANES);
                ByteVector w = ByteVector.fromArray(SPECIES, in, i + 3 * LANES);
                ByteVector xl = low(x), xh = high(x);
                ByteVector yl = low(y), yh = high(y);
                ByteVector zl = low(z), zh = high(z);
                ByteVector wl = low(w), wh = high(w);
                int t0 = tables[t];
                ByteVector l0 = table(t0), h0 = table(t0 + LANES);
                a0 = mac(a0, xl, xh, l0, h0);
                b0 = mac(b0, yl, yh, l0, h0);
                c0 = mac(c0, zl, zh, l0, h0);
                d0 = mac(d0, wl, wh, l0, h0);
            }
            a0.intoArray(out0, i);
            b0.intoArray(out0, i + LANES);
            c0.intoArray(out0, i + 2 * LANES);
            d0.intoArray(out0, i + 3 * LANES);
        }
    }

    private static void code2(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += STEP) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector b0 = a0, c0 = a0, d0 = a0, a1 = a0, b1 = a0, c1 = a0, d1 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 2) {
                byte[] in = inputs[j];
                ByteVector x = ByteVector.fromArray(SPECIES, in, i);
                ByteVector y = ByteVector.fromArray(SPECIES, in, i + LANES);
                ByteVector z = ByteVector.fromArray(SPECIES, in, i + 2 * LANES);
                ByteVector w = ByteVector.fromArray(SPECIES, in, i + 3 * LANES);
                ByteVector xl = low(x), xh = high(x);
                ByteVector yl = low(y), yh = high(y);
                ByteVector zl = low(z), zh = high(z);
                ByteVector wl = low(w), wh = high(w);
                int t0 = tables[t];
                ByteVector l0 = table(t0), h0 = table(t0 + LANES);
                a0 = mac(a0, xl, xh, l0, h0);
                b0 = mac(b0, yl, yh, l0, h0);
                c0 = mac(c0, zl, zh, l0, h0);
                d0 = mac(d0, wl, wh, l0, h0);
                int t1 = tables[t + 1];
                ByteVector l1 = table(t1), h1 = table(t1 + LANES);
                a1 = mac(a1, xl, xh, l1, h1);
                b1 = mac(b1, yl, yh, l1, h1);
                c1 = mac(c1, zl, zh, l1, h1);
                d1 = mac(d1, wl, wh, l1, h1);
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            b0.intoArray(out0, i + LANES);
            b1.intoArray(out1, i + LANES);
            c0.intoArray(out0, i + 2 * LANES);
            c1.intoArray(out1, i + 2 * LANES);
            d0.intoArray(out0, i + 3 * LANES);
            d1.intoArray(out1, i + 3 * LANES);
        }
    }


    private static void code3(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, byte[] out2, int bound) {
        int k = inputs.length;
        int i = 0;
        // Three vectors per step (nine accumulators), then one at a time for the rest of the
        // bound, which is a multiple of four vectors.
        for (; i + 3 * LANES <= bound; i += 3 * LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector b0 = a0, c0 = a0, a1 = a0, b1 = a0, c1 = a0, a2 = a0, b2 = a0, c2 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 3) {
                byte[] in = inputs[j];
                ByteVector x = ByteVector.fromArray(SPECIES, in, i);
                ByteVector y = ByteVector.fromArray(SPECIES, in, i + LANES);
                ByteVector z = ByteVector.fromArray(SPECIES, in, i + 2 * LANES);
                ByteVector xl = low(x), xh = high(x);
                ByteVector yl = low(y), yh = high(y);
                ByteVector zl = low(z), zh = high(z);
                int t0 = tables[t];
                ByteVector l0 = table(t0), h0 = table(t0 + LANES);
                a0 = mac(a0, xl, xh, l0, h0);
                b0 = mac(b0, yl, yh, l0, h0);
                c0 = mac(c0, zl, zh, l0, h0);
                int t1 = tables[t + 1];
                ByteVector l1 = table(t1), h1 = table(t1 + LANES);
                a1 = mac(a1, xl, xh, l1, h1);
                b1 = mac(b1, yl, yh, l1, h1);
                c1 = mac(c1, zl, zh, l1, h1);
                int t2 = tables[t + 2];
                ByteVector l2 = table(t2), h2 = table(t2 + LANES);
                a2 = mac(a2, xl, xh, l2, h2);
                b2 = mac(b2, yl, yh, l2, h2);
                c2 = mac(c2, zl, zh, l2, h2);
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            a2.intoArray(out2, i);
            b0.intoArray(out0, i + LANES);
            b1.intoArray(out1, i + LANES);
            b2.intoArray(out2, i + LANES);
            c0.intoArray(out0, i + 2 * LANES);
            c1.intoArray(out1, i + 2 * LANES);
            c2.intoArray(out2, i + 2 * LANES);
        }
        for (; i < bound; i += LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0, a2 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 3) {
                byte[] in = inputs[j];
                ByteVector x = ByteVector.fromArray(SPECIES, in, i);
                ByteVector xl = low(x), xh = high(x);
                int t0 = tables[t];
                ByteVector l0 = table(t0), h0 = table(t0 + LANES);
                a0 = mac(a0, xl, xh, l0, h0);
                int t1 = tables[t + 1];
                ByteVector l1 = table(t1), h1 = table(t1 + LANES);
                a1 = mac(a1, xl, xh, l1, h1);
                int t2 = tables[t + 2];
                ByteVector l2 = table(t2), h2 = table(t2 + LANES);
                a2 = mac(a2, xl, xh, l2, h2);
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            a2.intoArray(out2, i);
        }
    }

    private static void code4(int[] tables, byte[][] inputs, byte[] out0, byte[] out1, byte[] out2, byte[] out3, int bound) {
        int k = inputs.length;
        for (int i = 0; i < bound; i += 2 * LANES) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
            for (int j = 0, t = 0; j < k; j++, t += 4) {
                byte[] in = inputs[j];
                ByteVector x = ByteVector.fromArray(SPECIES, in, i);
                ByteVector y = ByteVector.fromArray(SPECIES, in, i + LANES);
                ByteVector xl = low(x), xh = high(x);
                ByteVector yl = low(y), yh = high(y);
                int t0 = tables[t];
                ByteVector l0 = table(t0), h0 = table(t0 + LANES);
                a0 = mac(a0, xl, xh, l0, h0);
                b0 = mac(b0, yl, yh, l0, h0);
                int t1 = tables[t + 1];
                ByteVector l1 = table(t1), h1 = table(t1 + LANES);
                a1 = mac(a1, xl, xh, l1, h1);
                b1 = mac(b1, yl, yh, l1, h1);
                int t2 = tables[t + 2];
                ByteVector l2 = table(t2), h2 = table(t2 + LANES);
                a2 = mac(a2, xl, xh, l2, h2);
                b2 = mac(b2, yl, yh, l2, h2);
                int t3 = tables[t + 3];
                ByteVector l3 = table(t3), h3 = table(t3 + LANES);
                a3 = mac(a3, xl, xh, l3, h3);
                b3 = mac(b3, yl, yh, l3, h3);
            }
            a0.intoArray(out0, i);
            a1.intoArray(out1, i);
            a2.intoArray(out2, i);
            a3.intoArray(out3, i);
            b0.intoArray(out0, i + LANES);
            b1.intoArray(out1, i + LANES);
            b2.intoArray(out2, i + LANES);
            b3.intoArray(out3, i + LANES);
        }
    }
}
