package io.strata.checksum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Implementations of the S3 flexible checksums. CRC32 and CRC32C come from {@code java.util.zip}
 * (intrinsified), SHA-1 and SHA-256 from the JDK's {@link MessageDigest} (the Bouncy Castle providers
 * are 2-8x slower, see docs/traps.md), CRC64NVME is a slicing-by-8 table implementation here.
 * Every {@link Checksummer} returned is single-threaded.
 */
final class Checksums {
    private Checksums() {
    }

    static Checksummer create(ChecksumAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        return switch (algorithm) {
            case CRC32 -> new ZipChecksummer(algorithm, new CRC32());
            case CRC32C -> new ZipChecksummer(algorithm, new CRC32C());
            case CRC64NVME -> new Crc64NvmeChecksummer();
            case SHA1 -> new DigestChecksummer(algorithm, "SHA-1");
            case SHA256 -> new DigestChecksummer(algorithm, "SHA-256");
        };
    }

    /** Reflected polynomial and width of each CRC; all three use init = xorout = all ones. */
    private static long polynomial(ChecksumAlgorithm a) {
        return switch (a) {
            case CRC32 -> 0xedb88320L;
            case CRC32C -> 0x82f63b78L;
            case CRC64NVME -> Crc64NvmeChecksummer.POLY;
            case SHA1, SHA256 -> throw new IllegalArgumentException(a + " is not a CRC");
        };
    }

    static int width(ChecksumAlgorithm a) {
        return a == ChecksumAlgorithm.CRC64NVME ? 64 : 32;
    }

    /**
     * The CRC of {@code A || B} from {@code crcA}, {@code crcB} and the length of B, without the data
     * (zlib's crc32_combine, generalised to any reflected CRC whose init and xorout are all ones: the
     * two cancel, so crc(A||B) = crcA * x^(8 * lenB) mod P xor crcB, multiplication over GF(2)).
     * Costs O(log lenB) polynomial multiplications of width bits each.
     */
    static long combine(ChecksumAlgorithm a, long crcA, long crcB, long lengthB) {
        if (lengthB < 0) throw new IllegalArgumentException("lengthB < 0: " + lengthB);
        long poly = polynomial(a);
        int width = width(a);
        long mask = width == 64 ? ~0L : (1L << width) - 1;
        // x^(8 * lengthB): square-and-multiply over the bits of lengthB, starting from x^8 (one byte).
        long top = 1L << (width - 1);     // x^0 in reflected order
        long power = top;
        long square = top >>> 8;          // x^8
        for (long n = lengthB; n != 0; n >>>= 1) {
            if ((n & 1) != 0) power = multiplyModP(power, square, poly, top);
            square = multiplyModP(square, square, poly, top);
        }
        return (multiplyModP(power, crcA & mask, poly, top) ^ (crcB & mask)) & mask;
    }

    /** a * b mod P for reflected polynomials (bit {@code top} is x^0). */
    private static long multiplyModP(long a, long b, long poly, long top) {
        long product = 0;
        for (long m = top; m != 0; m >>>= 1) {
            if ((a & m) != 0) product ^= b;
            b = (b & 1) != 0 ? (b >>> 1) ^ poly : b >>> 1;
        }
        return product;
    }

    /** The big-endian CRC value carried in base64. */
    static long decodeCrc(ChecksumAlgorithm a, String base64) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        if (bytes.length != width(a) / 8) throw new IllegalArgumentException(a + " value has " + bytes.length + " bytes");
        long v = 0;
        for (byte b : bytes) v = (v << 8) | (b & 0xff);
        return v;
    }

    /** Big-endian bytes of the low {@code bytes} bytes of {@code value}, base64-encoded. */
    static String base64BigEndian(long value, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = bytes - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return Base64.getEncoder().encodeToString(out);
    }

    /** CRC32 / CRC32C: 4 bytes big-endian. */
    private static final class ZipChecksummer implements Checksummer {
        private final ChecksumAlgorithm algorithm;
        private final Checksum checksum;

        ZipChecksummer(ChecksumAlgorithm algorithm, Checksum checksum) {
            this.algorithm = algorithm;
            this.checksum = checksum;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            checksum.update(b, off, len);
        }

        @Override
        public String base64() {
            return base64BigEndian(checksum.getValue(), 4);
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return algorithm;
        }
    }

    /** SHA-1 / SHA-256: the digest bytes. {@link #base64()} does not reset the running digest. */
    private static final class DigestChecksummer implements Checksummer {
        private final ChecksumAlgorithm algorithm;
        private final MessageDigest digest;

        DigestChecksummer(ChecksumAlgorithm algorithm, String jdkName) {
            this.algorithm = algorithm;
            try {
                this.digest = MessageDigest.getInstance(jdkName);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("JDK lacks " + jdkName, e);
            }
        }

        @Override
        public void update(byte[] b, int off, int len) {
            digest.update(b, off, len);
        }

        @Override
        public String base64() {
            try {
                // clone so that asking for the value mid-stream does not reset the digest
                return Base64.getEncoder().encodeToString(((MessageDigest) digest.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("JDK digest not cloneable: " + digest.getAlgorithm(), e);
            }
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return algorithm;
        }
    }

    /**
     * CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones; check value for
     * "123456789" is 0xae8b14860a799888. Slicing-by-8 over little-endian longs.
     */
    static final class Crc64NvmeChecksummer implements Checksummer {
        static final long POLY = 0x9a6c9329ac4bc9b5L;
        private static final long[][] TABLES = tables();
        private static final VarHandle LONG_LE =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private long crc = ~0L;

        private static long[][] tables() {
            long[][] t = new long[8][256];
            for (int i = 0; i < 256; i++) {
                long c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
                t[0][i] = c;
            }
            for (int s = 1; s < 8; s++) {
                for (int i = 0; i < 256; i++) {
                    long prev = t[s - 1][i];
                    t[s][i] = (prev >>> 8) ^ t[0][(int) (prev & 0xff)];
                }
            }
            return t;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            long c = crc;
            long[] t0 = TABLES[0], t1 = TABLES[1], t2 = TABLES[2], t3 = TABLES[3];
            long[] t4 = TABLES[4], t5 = TABLES[5], t6 = TABLES[6], t7 = TABLES[7];
            int i = off;
            int end = off + len;
            for (; end - i >= 8; i += 8) {
                c ^= (long) LONG_LE.get(b, i);
                c = t7[(int) (c & 0xff)] ^ t6[(int) ((c >>> 8) & 0xff)]
                        ^ t5[(int) ((c >>> 16) & 0xff)] ^ t4[(int) ((c >>> 24) & 0xff)]
                        ^ t3[(int) ((c >>> 32) & 0xff)] ^ t2[(int) ((c >>> 40) & 0xff)]
                        ^ t1[(int) ((c >>> 48) & 0xff)] ^ t0[(int) (c >>> 56)];
            }
            for (; i < end; i++) c = (c >>> 8) ^ t0[(int) ((c ^ b[i]) & 0xff)];
            crc = c;
        }

        /** The CRC so far (after xorout). */
        long value() {
            return ~crc;
        }

        @Override
        public String base64() {
            return base64BigEndian(value(), 8);
        }

        @Override
        public ChecksumAlgorithm algorithm() {
            return ChecksumAlgorithm.CRC64NVME;
        }
    }
}
