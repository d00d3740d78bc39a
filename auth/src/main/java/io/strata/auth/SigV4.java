package io.strata.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SigV4 primitives: hashing, HMAC, key derivation, the AWS URI encoding. Stateless and thread-safe. */
final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String ECDSA_ALGORITHM = "AWS4-ECDSA-P256-SHA256";
    static final String SERVICE = "s3";
    static final String TERMINATOR = "aws4_request";
    static final String HMAC = "HmacSHA256";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /** x-amz-date and X-Amz-Date: ISO 8601 basic format in UTC. */
    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final HexFormat HEX = HexFormat.of();

    private SigV4() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }

    static String sha256Hex(byte[] data) {
        return HEX.formatHex(sha256().digest(data));
    }

    static String sha256Hex(String data) {
        return sha256Hex(data.getBytes(StandardCharsets.UTF_8));
    }

    static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("JDK cannot do " + HMAC, e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return mac(new SecretKeySpec(key, HMAC)).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
    static SecretKeySpec deriveSigningKey(String secret, String date, String region) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, SERVICE);
        k = hmac(k, TERMINATOR);
        return new SecretKeySpec(k, HMAC);
    }

    /** Hex HMAC-SHA256 of {@code stringToSign} under the signing key. */
    static String sign(SecretKeySpec signingKey, String stringToSign) {
        return HEX.formatHex(mac(signingKey).doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Compares a computed (lower-case hex) signature with the one the client sent, in time independent
     * of where they differ. Upper-case hex from the client is accepted.
     */
    static boolean signaturesEqual(String computed, String provided) {
        if (provided == null) return false;
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                lowerAscii(provided).getBytes(StandardCharsets.US_ASCII));
    }

    static String lowerAscii(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) sb = new StringBuilder(s);
                sb.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** True if {@code s} is exactly {@code length} ASCII hex digits (either case). */
    static boolean isHex(String s, int length) {
        if (s.length() != length) return false;
        for (int i = 0; i < s.length(); i++) {
            if (hexValue(s.charAt(i)) < 0) return false;
        }
        return true;
    }

    /** Value of an ASCII hex digit, or -1 (unlike Character.digit, which accepts non-ASCII digits). */
    static int hexValue(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Unreserved characters of RFC 3986, the only ones SigV4 leaves unencoded (besides '/' in paths). */
    static boolean isUnreserved(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == '_' || b == '~';
    }

    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    /** AWS URI encoding of raw bytes: everything except unreserved (and '/' if {@code keepSlash}) as %XX. */
    static String uriEncode(byte[] bytes, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte value : bytes) {
            int b = value & 0xff;
            if (isUnreserved(b) || (keepSlash && b == '/')) {
                sb.append((char) b);
            } else {
                sb.append('%').append(UPPER_HEX[b >>> 4]).append(UPPER_HEX[b & 0xf]);
            }
        }
        return sb.toString();
    }

    /**
     * Percent-decodes to bytes. '+' stays '+' (SigV4 uses RFC 3986, not form encoding); a '%' not
     * followed by two hex digits is kept literally, as lenient clients sign it.
     */
    static byte[] percentDecode(String s) {
        if (s.indexOf('%') < 0) return s.getBytes(StandardCharsets.UTF_8);
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%' && i + 2 < in.length) {
                int hi = hexValue(in[i + 1]);
                int lo = hexValue(in[i + 2]);
                if (hi >= 0 && lo >= 0) {
                    out[n++] = (byte) ((hi << 4) | lo);
                    i += 2;
                    continue;
                }
            }
            out[n++] = b;
        }
        return Arrays.copyOf(out, n);
    }

    static String percentDecodeToString(String s) {
        return new String(percentDecode(s), StandardCharsets.UTF_8);
    }
}
