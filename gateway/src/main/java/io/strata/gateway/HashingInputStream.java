package io.strata.gateway;

import io.strata.auth.ChecksumAlgorithm;
import io.strata.auth.Checksummer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Computes the MD5 (for the ETag) and any requested flexible checksums of the bytes read through
 * it, on the same pass that stores them. Not thread-safe; does not buffer.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest md5;
    private final Map<ChecksumAlgorithm, Checksummer> checksums = new EnumMap<>(ChecksumAlgorithm.class);
    private long count;

    HashingInputStream(InputStream in, Set<ChecksumAlgorithm> algorithms) {
        super(in);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (ChecksumAlgorithm a : algorithms) checksums.put(a, a.newChecksummer());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            md5.update(b, off, n);
            for (Checksummer c : checksums.values()) c.update(b, off, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skipping would leave bytes unhashed");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    long count() {
        return count;
    }

    byte[] md5() {
        return md5.digest();
    }

    String md5Hex() {
        return HexFormat.of().formatHex(md5());
    }

    /** Base64 values of the requested checksums, keyed by algorithm. */
    Map<ChecksumAlgorithm, String> checksums() {
        Map<ChecksumAlgorithm, String> out = new EnumMap<>(ChecksumAlgorithm.class);
        checksums.forEach((a, c) -> out.put(a, c.base64()));
        return out;
    }
}
