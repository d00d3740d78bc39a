package io.strata.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Deterministic test data: the byte at any offset of a (seed, length) object is a pure function of
 * the seed and the offset, so a test can generate gigabytes as a stream, regenerate any range for
 * comparison, and digest what comes back without ever holding an object in memory.
 */
public final class TestData {
    /** Data is generated in blocks; block i is filled from a PRNG seeded with (seed, i). */
    static final int BLOCK = 64 * 1024;

    private TestData() {
    }

    /** The whole object, for small sizes only. */
    public static byte[] bytes(long seed, int length) {
        byte[] out = new byte[length];
        fill(seed, 0, out, 0, length);
        return out;
    }

    /** Bytes {@code [offset, offset + length)} of the object with this seed. */
    public static byte[] range(long seed, long offset, int length) {
        byte[] out = new byte[length];
        fill(seed, offset, out, 0, length);
        return out;
    }

    /** A stream of exactly {@code length} bytes of the object with this seed. */
    public static InputStream stream(long seed, long length) {
        return new DataStream(seed, length);
    }

    /** SHA-256 hex of the object with this seed, computed by streaming it. */
    public static String sha256(long seed, long length) {
        try (InputStream in = stream(seed, length)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 hex of everything the stream yields; does not close it. */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest("SHA-256");
        byte[] buffer = new byte[256 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest("SHA-256").digest(data));
    }

    public static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(digest("MD5").digest(data));
    }

    public static String md5Base64(byte[] data) {
        return Base64.getEncoder().encodeToString(digest("MD5").digest(data));
    }

    /** The value of an {@code x-amz-checksum-crc32} header for these bytes. */
    public static String crc32Base64(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * The ETag S3 gives a multipart object: hex MD5 of the concatenated binary MD5s of its parts,
     * then {@code -N}.
     */
    public static String multipartEtag(byte[]... parts) {
        MessageDigest outer = digest("MD5");
        for (byte[] part : parts) {
            outer.update(digest("MD5").digest(part));
        }
        return HexFormat.of().formatHex(outer.digest()) + "-" + parts.length;
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fill(long seed, long offset, byte[] out, int outOffset, int length) {
        long block = offset / BLOCK;
        int within = (int) (offset % BLOCK);
        byte[] buffer = new byte[BLOCK];
        while (length > 0) {
            generateBlock(seed, block, buffer);
            int n = Math.min(length, BLOCK - within);
            System.arraycopy(buffer, within, out, outOffset, n);
            outOffset += n;
            length -= n;
            within = 0;
            block++;
        }
    }

    private static void generateBlock(long seed, long block, byte[] buffer) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + block);
        ByteBuffer view = ByteBuffer.wrap(buffer);
        while (view.remaining() >= 8) {
            view.putLong(random.nextLong());
        }
    }

    private static final class DataStream extends InputStream {
        private final long seed;
        private final long length;
        private final byte[] block = new byte[BLOCK];
        private long position;
        private long blockIndex = -1;

        DataStream(long seed, long length) {
            this.seed = seed;
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            long index = position / BLOCK;
            if (index != blockIndex) {
                generateBlock(seed, index, block);
                blockIndex = index;
            }
            int within = (int) (position % BLOCK);
            int n = (int) Math.min(Math.min(len, BLOCK - within), length - position);
            System.arraycopy(block, within, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, length - position);
        }
    }
}
