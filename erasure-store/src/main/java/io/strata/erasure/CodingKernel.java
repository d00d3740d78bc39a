package io.strata.erasure;

/**
 * The inner loop of Reed-Solomon coding: multiplies a small GF(2^8) coefficient matrix by a set of
 * equally long byte rows. Encoding passes the parity rows of the encoding matrix and the data
 * shards; decoding passes rows of the inverted matrix and the surviving shards. {@link ReedSolomon}
 * is the only caller, so the rest of the store never sees which implementation runs.
 *
 * <p>Implementations are stateless and thread-safe; callers own the arrays they pass in.
 */
interface CodingKernel {

    /**
     * {@code outputs[o][i] = XOR over j of rows[o][j] * inputs[j][i]} for {@code i < length}.
     * Every output is overwritten over {@code [0, length)} and left alone beyond it; no output may
     * be one of the inputs. Arguments are checked by the caller: {@code rows[o].length ==
     * inputs.length} and every array is at least {@code length} long.
     */
    void code(byte[][] rows, byte[][] inputs, byte[][] outputs, int length);

    /** What runs, for the start-up log line and benchmark reports: {@code "scalar"}, {@code "vector 512-bit"}. */
    String description();
}
