package io.strata.erasure;

/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), the
 * field most Reed-Solomon storage codes use. Multiplication is a lookup in a precomputed
 * 256 x 256 table (64 KiB) so coding loops index one 256-byte row per coefficient.
 * Stateless and thread-safe.
 */
final class GaloisField {
    static final int POLYNOMIAL = 0x11D;

    /** {@code MUL[a][b] = a * b}; rows are shared, never modify them. */
    private static final byte[][] MUL = new byte[256][256];
    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) x ^= POLYNOMIAL;
        }
        for (int i = 255; i < EXP.length; i++) EXP[i] = EXP[i - 255];
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                MUL[a][b] = (byte) (a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]]);
            }
        }
    }

    private GaloisField() {
    }

    static int multiply(int a, int b) {
        return MUL[a & 0xFF][b & 0xFF] & 0xFF;
    }

    static int inverse(int a) {
        if ((a & 0xFF) == 0) throw new ArithmeticException("0 has no inverse in GF(2^8)");
        return EXP[255 - LOG[a & 0xFF]];
    }

    /** {@code a^n}, with {@code 0^0 = 1} as a Vandermonde matrix needs. */
    static int power(int a, int n) {
        if (n == 0) return 1;
        if ((a & 0xFF) == 0) return 0;
        return EXP[(LOG[a & 0xFF] * n) % 255];
    }

    /** The multiplication row for {@code c}: {@code row[b] = c * b}. Shared; read only. */
    static byte[] mulRow(int c) {
        return MUL[c & 0xFF];
    }

    /** Inverts a square matrix by Gauss-Jordan elimination; the input is not modified. */
    static byte[][] invert(byte[][] matrix) {
        int size = matrix.length;
        byte[][] work = new byte[size][2 * size];
        for (int r = 0; r < size; r++) {
            if (matrix[r].length != size) throw new IllegalArgumentException("not square");
            System.arraycopy(matrix[r], 0, work[r], 0, size);
            work[r][size + r] = 1;
        }
        for (int col = 0; col < size; col++) {
            int pivot = col;
            while (pivot < size && work[pivot][col] == 0) pivot++;
            if (pivot == size) throw new ArithmeticException("singular matrix");
            if (pivot != col) {
                byte[] t = work[pivot];
                work[pivot] = work[col];
                work[col] = t;
            }
            int scale = inverse(work[col][col]);
            byte[] scaleRow = mulRow(scale);
            for (int c = 0; c < 2 * size; c++) work[col][c] = scaleRow[work[col][c] & 0xFF];
            for (int r = 0; r < size; r++) {
                int factor = work[r][col] & 0xFF;
                if (r == col || factor == 0) continue;
                byte[] factorRow = mulRow(factor);
                for (int c = 0; c < 2 * size; c++) work[r][c] ^= factorRow[work[col][c] & 0xFF];
            }
        }
        byte[][] inverse = new byte[size][size];
        for (int r = 0; r < size; r++) System.arraycopy(work[r], size, inverse[r], 0, size);
        return inverse;
    }

    /** {@code a x b} for matrices of bytes. */
    static byte[][] multiply(byte[][] a, byte[][] b) {
        int rows = a.length;
        int inner = b.length;
        int cols = b[0].length;
        byte[][] out = new byte[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int v = 0;
                for (int i = 0; i < inner; i++) v ^= multiply(a[r][i], b[i][c]);
                out[r][c] = (byte) v;
            }
        }
        return out;
    }
}
