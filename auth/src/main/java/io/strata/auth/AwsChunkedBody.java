package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;

/**
 * Decodes an aws-chunked body, verifying as the bytes flow. The wire format (S3 API reference,
 * "Transferring Payload in Multiple Chunks" and "... Including Trailing Headers"):
 * <pre>
 *   hex-size[;chunk-signature=sig]\r\n  data  \r\n      (repeated)
 *   0[;chunk-signature=sig]\r\n
 *   [name:value\r\n ...]  [x-amz-trailer-signature:sig\r\n]    (trailer modes only)
 *   \r\n                                                        (tolerated if missing at EOF)
 * </pre>
 * Memory is bounded by one fixed buffer: chunk data streams through (a chunk may claim gigabytes) and
 * is hashed on the way. A chunk's signature is checked as soon as its data ends, before the read that
 * returns its last bytes completes, so no byte of the next chunk, and no EOF, is ever handed out after
 * an unverified chunk. When the declared decoded length is reached, the final chunk, trailer signature
 * and trailing checksum are checked eagerly too, so a reader stopping at the declared length is covered.
 *
 * <p>Failures are {@link AuthException}s thrown from {@code read}: SIGNATURE_MISMATCH (chunk or trailer
 * signature), MALFORMED_CHUNK (framing, over-long header lines, more data than declared, undeclared or
 * missing trailers), INVALID_CHUNK_SIZE (a data chunk under 8 KiB that is not the last), INCOMPLETE_BODY
 * (raw stream ended early, or fewer bytes than declared), CHECKSUM_MISMATCH (trailing checksum). After a failure every read throws the same exception.
 * Single-threaded. {@link #close()} closes the raw stream.
 */
final class AwsChunkedBody extends VerifiedBody {
    /** Longest chunk header or trailer line, CRLF excluded. */
    static final int MAX_LINE = 4096;
    static final int BUFFER_SIZE = 32 * 1024;
    /**
     * S3 refuses a data chunk smaller than 8 KiB unless it is the last one (400 InvalidChunkSizeError),
     * in every aws-chunked mode, signed or not: the AWS SDKs report that error for
     * STREAMING-UNSIGNED-PAYLOAD-TRAILER uploads too. Real clients send 64 KiB to 1 MiB chunks.
     */
    static final int MIN_CHUNK_SIZE = 8192;
    /** Reads at least this large bypass the buffer and go straight from the raw stream to the caller. */
    private static final int DIRECT_READ_MIN = 8 * 1024;
    private static final String CHUNK_SIGNATURE = "chunk-signature";
    private static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";

    private enum State { HEADER, DATA, DONE, FAILED }

    private final InputStream raw;
    private final PayloadMode mode;
    private final ChunkSigning signing;
    private final Mac mac;                 // null when chunks are unsigned
    private final MessageDigest chunkDigest; // null when chunks are unsigned
    private final long declaredLength;
    private final ChecksumAlgorithm trailerAlgorithm; // null when no trailer is declared
    private final Checksummer checksum;               // null when no trailer is declared
    private final byte[] buf = new byte[BUFFER_SIZE];
    private final byte[] one = new byte[1];
    private int pos;
    private int lim;
    private State state = State.HEADER;
    private String previousSignature;
    private String chunkSignature;
    private long chunkRemaining;
    private long previousChunkSize = -1; // the last data chunk's size, -1 before the first
    private int chunkNumber;             // data chunks seen, counting from 1
    private long decoded;
    private Map<String, String> trailers = Map.of();
    private Map<ChecksumAlgorithm, String> checked = Map.of();
    private AuthException failure;
    private IOException ioFailure;

    /**
     * @param trailerAlgorithm the checksum declared in x-amz-trailer, or null
     */
    AwsChunkedBody(InputStream raw, PayloadMode mode, ChunkSigning signing, long declaredLength,
                   ChecksumAlgorithm trailerAlgorithm) {
        if (!mode.chunked()) throw new IllegalArgumentException("not an aws-chunked mode: " + mode);
        if (declaredLength < 0) throw new IllegalArgumentException("declaredLength < 0: " + declaredLength);
        this.raw = Objects.requireNonNull(raw, "raw");
        this.mode = mode;
        this.signing = Objects.requireNonNull(signing, "signing");
        this.declaredLength = declaredLength;
        this.trailerAlgorithm = mode.trailer() ? trailerAlgorithm : null;
        this.checksum = this.trailerAlgorithm == null ? null : this.trailerAlgorithm.newChecksummer();
        if (mode.signedData()) {
            this.mac = signing.newMac();
            this.chunkDigest = SigV4.sha256();
        } else {
            this.mac = null;
            this.chunkDigest = null;
        }
        this.previousSignature = signing.seedSignature();
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (state == State.FAILED) rethrow();
        if (len == 0) return 0;
        try {
            while (state == State.HEADER) readChunkHeader();
            if (state == State.DONE) return -1;
            int want = (int) Math.min(len, chunkRemaining);
            int n;
            if (pos < lim) {
                n = Math.min(want, lim - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
            } else if (want >= DIRECT_READ_MIN) {
                n = readRaw(b, off, want);
            } else {
                if (!fill()) throw incomplete();
                n = Math.min(want, lim - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
            }
            if (chunkDigest != null) chunkDigest.update(b, off, n);
            if (checksum != null) checksum.update(b, off, n);
            chunkRemaining -= n;
            decoded += n;
            if (chunkRemaining == 0) endOfChunkData();
            return n;
        } catch (AuthException e) {
            state = State.FAILED;
            failure = e;
            throw e;
        } catch (IOException e) {
            state = State.FAILED;
            ioFailure = e;
            throw e;
        }
    }

    private void rethrow() throws IOException {
        if (failure != null) throw failure;
        throw new IOException("an earlier read of the request body failed", ioFailure);
    }

    private void readChunkHeader() throws IOException {
        String line = readLine(false);
        int semi = line.indexOf(';');
        long size = parseSize(semi < 0 ? line : line.substring(0, semi));
        String signature = null;
        if (semi >= 0) {
            for (String extension : line.substring(semi + 1).split(";", -1)) {
                int eq = extension.indexOf('=');
                String name = (eq < 0 ? extension : extension.substring(0, eq)).strip();
                if (name.equals(CHUNK_SIGNATURE)) {
                    if (signature != null) throw malformed("chunk header repeats chunk-signature");
                    signature = eq < 0 ? "" : extension.substring(eq + 1).strip();
                }
            }
        }
        if (mac != null) {
            if (signature == null) throw malformed("chunk header lacks chunk-signature");
            if (!SigV4.isHex(signature, 64)) throw malformed("chunk-signature is not 64 hex characters");
        }
        if (size > 0 && previousChunkSize >= 0 && previousChunkSize < MIN_CHUNK_SIZE) {
            // Another data chunk follows a small one, which therefore was not the last.
            throw new AuthException(Reason.INVALID_CHUNK_SIZE, "chunk " + chunkNumber + " carries " + previousChunkSize
                    + " bytes, but only the last chunk may be smaller than " + MIN_CHUNK_SIZE + " bytes",
                    Map.of("Chunk", Integer.toString(chunkNumber), "BadChunkSize", Long.toString(previousChunkSize)));
        }
        if (size > declaredLength - decoded) {
            throw malformed("chunks carry more than the " + declaredLength
                    + " bytes declared by x-amz-decoded-content-length");
        }
        chunkSignature = signature;
        if (size > 0) {
            previousChunkSize = size;
            chunkNumber++;
            chunkRemaining = size;
            state = State.DATA;
        } else {
            finalChunk();
        }
    }

    private static long parseSize(String text) {
        if (text.isEmpty() || text.length() > 16) throw malformed("chunk size is not 1-16 hex digits");
        long size = 0;
        for (int i = 0; i < text.length(); i++) {
            int d = SigV4.hexValue(text.charAt(i));
            if (d < 0) throw malformed("chunk size is not hexadecimal");
            size = (size << 4) | d;
        }
        if (size < 0) throw malformed("chunk size too large");
        return size;
    }

    /** The chunk's data is all read: check its signature, then the CRLF after it. */
    private void endOfChunkData() throws IOException {
        if (mac != null) verifyChunk(SigV4.HEX.formatHex(chunkDigest.digest()));
        expectCrlf();
        state = State.HEADER;
        // Everything declared has arrived: finish (final chunk, trailers, checksum) before handing out
        // the last bytes, so a reader that stops at the declared length still gets every check.
        if (decoded == declaredLength) readChunkHeader();
    }

    private void finalChunk() throws IOException {
        if (mac != null) verifyChunk(SigV4.EMPTY_SHA256);
        if (decoded < declaredLength) {
            throw new AuthException(Reason.INCOMPLETE_BODY, "aws-chunked body ended after " + decoded + " of the "
                    + declaredLength + " bytes declared by x-amz-decoded-content-length");
        }
        readTrailers();
        state = State.DONE;
    }

    private void verifyChunk(String dataSha256Hex) {
        String expected = ChunkSigning.sign(mac, signing.chunkStringToSign(previousSignature, dataSha256Hex));
        if (!SigV4.signaturesEqual(expected, chunkSignature)) {
            throw new AuthException(Reason.SIGNATURE_MISMATCH,
                    "chunk signature does not match for the chunk ending at decoded byte " + decoded);
        }
        previousSignature = expected;
    }

    private void readTrailers() throws IOException {
        Map<String, String> received = new LinkedHashMap<>();
        String trailerSignature = null;
        StringBuilder canonical = new StringBuilder();
        while (true) {
            String line = readLine(true);
            if (line == null || line.isEmpty()) break; // the closing CRLF, or EOF in its place
            if (!mode.trailer()) throw malformed("unexpected data after the final chunk");
            int colon = line.indexOf(':');
            if (colon <= 0) throw malformed("trailer line is not name:value");
            String name = SigV4.lowerAscii(line.substring(0, colon).strip());
            String value = line.substring(colon + 1).strip();
            if (name.equals(TRAILER_SIGNATURE)) {
                if (trailerSignature != null) throw malformed("trailer repeats x-amz-trailer-signature");
                trailerSignature = value;
                continue;
            }
            if (trailerAlgorithm == null || !name.equals(trailerAlgorithm.headerName())) {
                throw malformed("trailer " + SigV4Verifier.truncate(name) + " was not declared in x-amz-trailer");
            }
            if (received.putIfAbsent(name, value) != null) throw malformed("trailer repeats " + name);
            canonical.append(name).append(':').append(value).append('\n');
        }
        if (mode == PayloadMode.STREAMING_SIGNED_TRAILER) {
            if (trailerSignature == null) throw malformed("trailer lacks x-amz-trailer-signature");
            String expected = ChunkSigning.sign(mac, signing.trailerStringToSign(previousSignature,
                    SigV4.sha256Hex(canonical.toString())));
            if (!SigV4.signaturesEqual(expected, trailerSignature)) {
                throw new AuthException(Reason.SIGNATURE_MISMATCH, "trailer signature does not match");
            }
        }
        if (trailerAlgorithm != null) {
            String value = received.get(trailerAlgorithm.headerName());
            if (value == null) {
                throw malformed("trailer " + trailerAlgorithm.headerName() + " declared in x-amz-trailer never arrived");
            }
            if (!checksum.base64().equals(value)) {
                throw new AuthException(Reason.CHECKSUM_MISMATCH, "the " + trailerAlgorithm
                        + " checksum in the trailer does not match the " + decoded + " bytes received");
            }
        }
        trailers = Map.copyOf(received);
        if (trailerAlgorithm != null) checked = Map.of(trailerAlgorithm, received.get(trailerAlgorithm.headerName()));
    }

    /**
     * One CRLF-terminated line without its CRLF, at most {@link #MAX_LINE} bytes, as ISO-8859-1 (bytes
     * preserved). Returns null at EOF before any byte if {@code eofAllowed}.
     */
    private String readLine(boolean eofAllowed) throws IOException {
        StringBuilder spill = null; // only for a line split across buffer refills
        int total = 0;
        while (true) {
            if (pos == lim && !fill()) {
                if (total == 0 && eofAllowed) return null;
                throw incomplete();
            }
            int start = pos;
            int nl = -1;
            for (int i = start; i < lim; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? lim : nl;
            total += end - start;
            if (total > MAX_LINE + 1) throw malformed("chunk header or trailer line longer than " + MAX_LINE + " bytes");
            if (nl < 0) {
                if (spill == null) spill = new StringBuilder(Math.min(MAX_LINE + 1, 2 * total));
                spill.append(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
                pos = lim;
                continue;
            }
            pos = nl + 1;
            String line = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
            if (spill != null) line = spill.append(line).toString();
            if (line.isEmpty() || line.charAt(line.length() - 1) != '\r') {
                throw malformed("chunk header or trailer line not terminated by CRLF");
            }
            return line.substring(0, line.length() - 1);
        }
    }

    private void expectCrlf() throws IOException {
        for (int i = 0; i < 2; i++) {
            if (pos == lim && !fill()) throw incomplete();
            if (buf[pos++] != (i == 0 ? '\r' : '\n')) throw malformed("chunk data not followed by CRLF");
        }
    }

    /** Refills the (empty) buffer; false at EOF. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = raw.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        pos = 0;
        lim = n;
        return true;
    }

    private int readRaw(byte[] b, int off, int len) throws IOException {
        int n;
        do {
            n = raw.read(b, off, len);
        } while (n == 0);
        if (n < 0) throw incomplete();
        return n;
    }

    private AuthException incomplete() {
        return new AuthException(Reason.INCOMPLETE_BODY, "request body ended early, after " + decoded + " of the "
                + declaredLength + " bytes declared by x-amz-decoded-content-length");
    }

    private static AuthException malformed(String message) {
        return new AuthException(Reason.MALFORMED_CHUNK, message);
    }

    @Override
    public int available() {
        return state == State.DATA ? (int) Math.min(lim - pos, chunkRemaining) : 0;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    /** Verified trailing headers; empty until the body has been read to its end. */
    @Override
    public Map<String, String> trailers() {
        return trailers;
    }

    @Override
    public Set<ChecksumAlgorithm> checkedAlgorithms() {
        return trailerAlgorithm == null ? Set.of() : Set.of(trailerAlgorithm);
    }

    @Override
    public Map<ChecksumAlgorithm, String> checkedChecksums() {
        return checked;
    }
}
