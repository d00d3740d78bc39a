package io.strata.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;

/** Test-side aws-chunked encoder, written from the AWS page, to frame bodies the decoder must accept or refuse. */
final class AwsChunkedEncoder {
    private final ChunkSigning signing; // null: unsigned chunks
    private final boolean signTrailer;
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private boolean finalCrlf = true;

    private AwsChunkedEncoder(ChunkSigning signing, boolean signTrailer) {
        this.signing = signing;
        this.signTrailer = signTrailer;
    }

    static AwsChunkedEncoder signed(ChunkSigning signing) {
        return new AwsChunkedEncoder(signing, false);
    }

    static AwsChunkedEncoder signedWithTrailer(ChunkSigning signing) {
        return new AwsChunkedEncoder(signing, true);
    }

    static AwsChunkedEncoder unsigned() {
        return new AwsChunkedEncoder(null, false);
    }

    AwsChunkedEncoder trailer(String name, String value) {
        trailers.put(name, value);
        return this;
    }

    AwsChunkedEncoder withoutFinalCrlf() {
        finalCrlf = false;
        return this;
    }

    byte[] encode(byte[] data, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Mac mac = signing == null ? null : signing.newMac();
        String previous = signing == null ? null : signing.seedSignature();
        int off = 0;
        while (true) {
            int n = Math.min(chunkSize, data.length - off);
            String header = Integer.toHexString(n);
            if (mac != null) {
                MessageDigest sha = SigV4.sha256();
                sha.update(data, off, n);
                previous = ChunkSigning.sign(mac, signing.chunkStringToSign(previous, SigV4.HEX.formatHex(sha.digest())));
                header += ";chunk-signature=" + previous;
            }
            write(out, header + "\r\n");
            out.write(data, off, n);
            off += n;
            if (n == 0) break;
            write(out, "\r\n");
        }
        StringBuilder canonical = new StringBuilder();
        trailers.forEach((k, v) -> {
            write(out, k + ":" + v + "\r\n");
            canonical.append(k).append(':').append(v).append('\n');
        });
        if (signTrailer) {
            String sig = ChunkSigning.sign(mac, signing.trailerStringToSign(previous, SigV4.sha256Hex(canonical.toString())));
            write(out, "x-amz-trailer-signature:" + sig + "\r\n");
        }
        if (finalCrlf) write(out, "\r\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
