package io.strata.auth;

import java.io.IOException;
import java.io.InputStream;
import io.strata.checksum.ChecksumAlgorithm;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A signed payload: the raw bytes unchanged, their SHA-256 compared with x-amz-content-sha256 before
 * the read that reaches Content-Length returns, and again at end of stream if more bytes came.
 * Single-threaded; {@link #close()} closes the raw stream.
 */
final class Sha256CheckedBody extends VerifiedBody {
    private final InputStream raw;
    private final MessageDigest digest = SigV4.sha256();
    private final byte[] one = new byte[1];
    private final String expectedHex;
    private final long contentLength;
    private long count;
    private long checkedAt = -1;
    private boolean ended;
    private AuthException failure;

    /**
     * @param expectedHex   the payload hash as the client sent it (either case)
     * @param contentLength the Content-Length, or -1 if unknown (then the check runs only at end of stream)
     */
    Sha256CheckedBody(InputStream raw, String expectedHex, long contentLength) {
        this.raw = raw;
        this.expectedHex = SigV4.lowerAscii(expectedHex);
        this.contentLength = contentLength;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) throw failure;
        if (len == 0) return 0;
        int n = raw.read(b, off, len);
        if (n < 0) {
            if (checkedAt != count) check();
            ended = true;
            return -1;
        }
        digest.update(b, off, n);
        count += n;
        if (count == contentLength) check();
        return n;
    }

    private void check() {
        checkedAt = count;
        String actual;
        try {
            actual = SigV4.HEX.formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("JDK SHA-256 not cloneable", e);
        }
        if (!actual.equals(expectedHex)) {
            failure = new AuthException(AuthException.Reason.CONTENT_SHA256_MISMATCH,
                    "the SHA-256 of the body (" + count + " bytes) does not match x-amz-content-sha256");
            throw failure;
        }
    }

    @Override
    public int available() throws IOException {
        return raw.available();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }

    @Override
    public Set<ChecksumAlgorithm> checkedAlgorithms() {
        return Set.of(ChecksumAlgorithm.SHA256);
    }

    /**
     * Once every byte matched x-amz-content-sha256, that header is the body's SHA-256: an
     * x-amz-checksum-sha256 of the same body takes it instead of a second SHA-256 pass.
     */
    @Override
    public Map<ChecksumAlgorithm, String> checkedChecksums() {
        if (!ended || failure != null) return Map.of();
        return Map.of(ChecksumAlgorithm.SHA256, Base64.getEncoder().encodeToString(SigV4.HEX.parseHex(expectedHex)));
    }
}
