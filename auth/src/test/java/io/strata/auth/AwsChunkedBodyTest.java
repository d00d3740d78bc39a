package io.strata.auth;

import static io.strata.auth.SigV4VerifierAwsExamplesTest.assertReason;
import static io.strata.auth.TestRequests.AWS_EXAMPLE_TIME;
import static io.strata.auth.TestRequests.request;
import static io.strata.auth.TestRequests.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AuthException.Reason;
import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * aws-chunked decoding: the AWS example "Signature Calculations for the Authorization Header:
 * Transferring Payload in Multiple Chunks", then framing, truncation, tampering and trailers.
 */
class AwsChunkedBodyTest {
    static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    static final String SIG1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    static final String SIG2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    static final String SIG3 = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
    static final byte[] DATA = filled(66560, 'a');
    static final int CHUNK1_END = 88 + 65536; // end of chunk 1's data in the framed body

    static final ChunkSigning EXAMPLE_SIGNING = new ChunkSigning(
            SigV4.deriveSigningKey(TestRequests.SECRET_KEY, "20130524", "us-east-1"),
            "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", SEED);

    static TestRequests.Builder exampleRequest() {
        return request("PUT", "/examplebucket/chunkObject.txt", "")
                .header("Host", "s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                        + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                        + "x-amz-decoded-content-length;x-amz-storage-class,Signature=" + SEED)
                .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                .header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "66560")
                .header("Content-Length", "66824");
    }

    static byte[] exampleBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("10000;chunk-signature=" + SIG1 + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(DATA, 0, 65536);
        out.writeBytes(("\r\n400;chunk-signature=" + SIG2 + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(DATA, 0, 1024);
        out.writeBytes(("\r\n0;chunk-signature=" + SIG3 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static Authentication exampleAuthentication() {
        return verifierAt(AWS_EXAMPLE_TIME).verify(exampleRequest().build());
    }

    @Test
    void awsChunkedExampleDecodesToItsData() {
        byte[] body = exampleBody();
        assertEquals(66824, body.length);
        Authentication auth = exampleAuthentication();
        assertTrue(auth.chunked());
        assertEquals(PayloadMode.STREAMING_SIGNED, auth.payloadMode());
        assertEquals(OptionalLong.of(66560), auth.decodedContentLength());
        for (long seed = 0; seed < 5; seed++) {
            VerifiedBody decoded = auth.body(TestRequests.trickle(body, seed));
            assertArrayEquals(DATA, TestRequests.readRandomly(decoded, seed));
            assertEquals(Map.of(), decoded.trailers());
        }
        assertArrayEquals(DATA, TestRequests.readAll(auth.body(new ByteArrayInputStream(body))));
    }

    @Test
    void testEncoderReproducesTheAwsExampleByteForByte() {
        assertArrayEquals(exampleBody(), AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(DATA, 65536));
    }

    @Test
    void tamperedChunkDataIsSignatureMismatchBeforeTheChunkIsHandedOut() throws IOException {
        for (int position : new int[] {88, 100, CHUNK1_END - 1}) {
            byte[] body = exampleBody();
            body[position] = 'b';
            VerifiedBody decoded = exampleAuthentication().body(new ByteArrayInputStream(body));
            long returned = readUntilFailure(decoded, Reason.SIGNATURE_MISMATCH);
            assertTrue(returned < 65536, "returned " + returned + " bytes of an unverified chunk");
        }
        byte[] body = exampleBody();
        body[body.length - 100] = 'b'; // inside chunk 2
        long returned = readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(body)), Reason.SIGNATURE_MISMATCH);
        assertTrue(returned >= 65536 && returned < 66560, "returned " + returned);
    }

    @Test
    void tamperedChunkSignatureIsSignatureMismatch() {
        for (String sig : new String[] {SIG1, SIG2, SIG3}) {
            String altered = sig.substring(0, 63) + (sig.endsWith("0") ? "1" : "0");
            byte[] body = new String(exampleBody(), StandardCharsets.ISO_8859_1).replace(sig, altered)
                    .getBytes(StandardCharsets.ISO_8859_1);
            readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(body)), Reason.SIGNATURE_MISMATCH);
        }
    }

    @Test
    void reorderedChunksAreSignatureMismatch() {
        // Same chunk sizes, data swapped between otherwise valid chunks: the chain of signatures breaks.
        byte[] data = DATA.clone();
        data[0] = 'x';
        byte[] body = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(data, 65536);
        byte[] forged = exampleBody();
        System.arraycopy(body, 0, forged, 0, 88); // chunk 1 header (signature) from the other body
        readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(forged)), Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void truncatedBodyIsIncompleteBodyWherever()  {
        byte[] body = exampleBody();
        int finalLineEnd = body.length - 2;
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            int cut = i < 10 ? new int[] {0, 1, 50, 87, 88, CHUNK1_END, CHUNK1_END + 1, CHUNK1_END + 2,
                    finalLineEnd - 1, finalLineEnd + 1}[i] : random.nextInt(finalLineEnd);
            byte[] truncated = Arrays.copyOf(body, cut);
            readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(truncated)), Reason.INCOMPLETE_BODY);
        }
    }

    @Test
    void missingFinalCrlfAtEndOfStreamIsTolerated() {
        byte[] body = Arrays.copyOf(exampleBody(), exampleBody().length - 2);
        assertArrayEquals(DATA, TestRequests.readAll(exampleAuthentication().body(new ByteArrayInputStream(body))));
    }

    @Test
    void readingExactlyTheDeclaredLengthRunsTheFinalChecks() throws IOException {
        byte[] body = new String(exampleBody(), StandardCharsets.ISO_8859_1).replace(SIG3, SIG1)
                .getBytes(StandardCharsets.ISO_8859_1);
        VerifiedBody decoded = exampleAuthentication().body(new ByteArrayInputStream(body));
        byte[] first = decoded.readNBytes(65536);
        assertEquals(65536, first.length);
        assertReason(Reason.SIGNATURE_MISMATCH, () -> decoded.readNBytes(1024));
        assertReason(Reason.SIGNATURE_MISMATCH, decoded::read); // and it stays failed
    }

    @Test
    void brokenFramingIsMalformedChunk() {
        String good = new String(exampleBody(), StandardCharsets.ISO_8859_1);
        String[] broken = {
                good.replace("10000;chunk-signature", "1000g;chunk-signature"),
                good.replace("10000;chunk-signature", ";chunk-signature"),
                good.replace("10000;chunk-signature=" + SIG1, "10000"),
                good.replace("10000;chunk-signature=" + SIG1, "10000;chunk-signature=abc"),
                good.replace("10000;chunk-signature=" + SIG1 + "\r\n", "10000;chunk-signature=" + SIG1 + "\n"),
                good.replace("\r\n400;", "\n\n400;"),
                good.replace("\r\n400;", "xx400;"),
                good.replace("10000;chunk-signature", "10000;chunk-signature=" + SIG1 + ";chunk-signature"),
                good.replace("\r\n0;chunk-signature=" + SIG3 + "\r\n\r\n", "\r\n0;chunk-signature=" + SIG3 + "\r\nextra\r\n\r\n"),
        };
        for (String body : broken) {
            readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1))),
                    Reason.MALFORMED_CHUNK);
        }
    }

    @Test
    void overlongHeaderLineIsMalformedChunk() {
        byte[] body = ("10000;chunk-signature=" + SIG1 + ";x=" + "y".repeat(5000) + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        readUntilFailure(exampleAuthentication().body(TestRequests.trickle(body, 3)), Reason.MALFORMED_CHUNK);
        byte[] endless = "a".repeat(100_000).getBytes(StandardCharsets.ISO_8859_1);
        readUntilFailure(exampleAuthentication().body(new ByteArrayInputStream(endless)), Reason.MALFORMED_CHUNK);
    }

    @Test
    void moreDataThanDeclaredIsMalformedChunkBeforeAnyOfItIsReturned() {
        byte[] data = filled(30_000, 'z');
        byte[] body = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(data, 10_000);
        VerifiedBody decoded = new AwsChunkedBody(new ByteArrayInputStream(body), PayloadMode.STREAMING_SIGNED,
                EXAMPLE_SIGNING, 25_000, null);
        assertEquals(20_000, readUntilFailure(decoded, Reason.MALFORMED_CHUNK));
        VerifiedBody huge = new AwsChunkedBody(new ByteArrayInputStream(
                ("7fffffffffffffff;chunk-signature=" + SIG1 + "\r\n").getBytes(StandardCharsets.US_ASCII)),
                PayloadMode.STREAMING_SIGNED, EXAMPLE_SIGNING, 2500, null);
        readUntilFailure(huge, Reason.MALFORMED_CHUNK);
        VerifiedBody overflow = new AwsChunkedBody(new ByteArrayInputStream(
                ("ffffffffffffffff;chunk-signature=" + SIG1 + "\r\n").getBytes(StandardCharsets.US_ASCII)),
                PayloadMode.STREAMING_SIGNED, EXAMPLE_SIGNING, 2500, null);
        readUntilFailure(overflow, Reason.MALFORMED_CHUNK);
    }

    @Test
    void fewerBytesThanDeclaredIsIncompleteBody() {
        byte[] data = filled(30_000, 'z');
        byte[] body = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(data, 10_000);
        VerifiedBody decoded = new AwsChunkedBody(new ByteArrayInputStream(body), PayloadMode.STREAMING_SIGNED,
                EXAMPLE_SIGNING, 30_001, null);
        readUntilFailure(decoded, Reason.INCOMPLETE_BODY);
    }

    @Test
    void aChunkClaimingGigabytesStreamsInBoundedMemory() {
        long claimed = 1L << 40;
        InputStream raw = new InputStream() {
            private final byte[] header = ("10000000000;chunk-signature=" + SIG1 + "\r\n").getBytes(StandardCharsets.US_ASCII);
            private long served;

            @Override
            public int read() {
                throw new AssertionError("decoder must read in bulk");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (served >= 32L << 20) return -1; // 32 MiB, then the client hangs up
                int n = served < header.length ? Math.min(len, header.length - (int) served) : len;
                if (served < header.length) System.arraycopy(header, (int) served, b, off, n);
                else Arrays.fill(b, off, off + n, (byte) 'q');
                served += n;
                return n;
            }
        };
        VerifiedBody decoded = new AwsChunkedBody(raw, PayloadMode.STREAMING_SIGNED, EXAMPLE_SIGNING, claimed, null);
        long returned = readUntilFailure(decoded, Reason.INCOMPLETE_BODY);
        assertTrue(returned > 30L << 20, "returned " + returned);
    }

    @Test
    void emptyBodyIsJustTheFinalChunk() throws IOException {
        byte[] body = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(new byte[0], 1000);
        VerifiedBody decoded = new AwsChunkedBody(new ByteArrayInputStream(body), PayloadMode.STREAMING_SIGNED,
                EXAMPLE_SIGNING, 0, null);
        assertEquals(-1, decoded.read());
        assertEquals(-1, decoded.read(new byte[10], 0, 10));
        assertEquals(0, decoded.read(new byte[10], 0, 0));
    }

    // ---- trailers ----

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void signedTrailerWithEachChecksumIsVerifiedAndReported(ChecksumAlgorithm algorithm) {
        byte[] data = randomBytes(50_000, algorithm.ordinal());
        String value = checksumOf(algorithm, data);
        byte[] body = AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING).trailer(algorithm.headerName(), value)
                .encode(data, 8192);
        VerifiedBody decoded = trailerBody(body, PayloadMode.STREAMING_SIGNED_TRAILER, data.length, algorithm);
        assertEquals(Map.of(), decoded.trailers());
        assertArrayEquals(data, TestRequests.readRandomly(decoded, 9));
        assertEquals(Map.of(algorithm.headerName(), value), decoded.trailers());
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void unsignedTrailerWithEachChecksumIsVerified(ChecksumAlgorithm algorithm) {
        byte[] data = randomBytes(50_000, 10 + algorithm.ordinal());
        byte[] body = AwsChunkedEncoder.unsigned().trailer(algorithm.headerName(), checksumOf(algorithm, data))
                .encode(data, 8192);
        VerifiedBody decoded = trailerBody(body, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length, algorithm);
        assertArrayEquals(data, TestRequests.readRandomly(TestRequests.trickle(TestRequests.readAll(decoded), 1), 2));
    }

    @Test
    void wrongTrailingChecksumIsChecksumMismatchEvenWhenReadingExactlyTheDeclaredLength() {
        byte[] data = randomBytes(20_000, 5);
        String wrong = checksumOf(ChecksumAlgorithm.CRC32, Arrays.copyOf(data, 19_999));
        for (PayloadMode mode : new PayloadMode[] {PayloadMode.STREAMING_SIGNED_TRAILER, PayloadMode.STREAMING_UNSIGNED_TRAILER}) {
            AwsChunkedEncoder encoder = mode == PayloadMode.STREAMING_SIGNED_TRAILER
                    ? AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING) : AwsChunkedEncoder.unsigned();
            byte[] body = encoder.trailer("x-amz-checksum-crc32", wrong).encode(data, 8192);
            VerifiedBody decoded = trailerBody(body, mode, data.length, ChecksumAlgorithm.CRC32);
            assertReason(Reason.CHECKSUM_MISMATCH, () -> decoded.readNBytes(data.length));
            assertEquals(Map.of(), decoded.trailers());
        }
    }

    @Test
    void tamperedTrailerIsSignatureMismatch() {
        byte[] data = randomBytes(20_000, 6);
        String crc = checksumOf(ChecksumAlgorithm.CRC32C, data);
        byte[] body = AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING).trailer("x-amz-checksum-crc32c", crc)
                .encode(data, 8192);
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int sigAt = text.indexOf("x-amz-trailer-signature:") + "x-amz-trailer-signature:".length();
        byte[] badSignature = body.clone();
        badSignature[sigAt] = (byte) (badSignature[sigAt] == '0' ? '1' : '0');
        readUntilFailure(trailerBody(badSignature, PayloadMode.STREAMING_SIGNED_TRAILER, data.length,
                ChecksumAlgorithm.CRC32C), Reason.SIGNATURE_MISMATCH);
        // A correct checksum of other data, with the original trailer signature: the signature catches it.
        String other = checksumOf(ChecksumAlgorithm.CRC32C, new byte[1]);
        byte[] swapped = text.replace(crc, other).getBytes(StandardCharsets.ISO_8859_1);
        readUntilFailure(trailerBody(swapped, PayloadMode.STREAMING_SIGNED_TRAILER, data.length,
                ChecksumAlgorithm.CRC32C), Reason.SIGNATURE_MISMATCH);
    }

    @Test
    void trailerProblemsAreMalformedChunk() {
        byte[] data = randomBytes(20_000, 7);
        String crc = checksumOf(ChecksumAlgorithm.CRC32, data);
        // declared trailer never arrives
        byte[] none = AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING).encode(data, 8192);
        readUntilFailure(trailerBody(none, PayloadMode.STREAMING_SIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC32),
                Reason.MALFORMED_CHUNK);
        byte[] unsignedNone = AwsChunkedEncoder.unsigned().encode(data, 8192);
        readUntilFailure(trailerBody(unsignedNone, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length,
                ChecksumAlgorithm.CRC32), Reason.MALFORMED_CHUNK);
        // a trailer that was not declared
        byte[] undeclared = AwsChunkedEncoder.unsigned().trailer("x-amz-checksum-crc32", crc).encode(data, 8192);
        readUntilFailure(trailerBody(undeclared, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length, null),
                Reason.MALFORMED_CHUNK);
        readUntilFailure(trailerBody(undeclared, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length,
                ChecksumAlgorithm.CRC32C), Reason.MALFORMED_CHUNK);
        // signed trailer without its signature
        byte[] unsignedTrailer = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).trailer("x-amz-checksum-crc32", crc)
                .encode(data, 8192);
        readUntilFailure(trailerBody(unsignedTrailer, PayloadMode.STREAMING_SIGNED_TRAILER, data.length,
                ChecksumAlgorithm.CRC32), Reason.MALFORMED_CHUNK);
        // a trailer line without a colon
        byte[] noColon = AwsChunkedEncoder.unsigned().trailer("x-amz-checksum-crc32", crc).encode(data, 8192);
        String text = new String(noColon, StandardCharsets.ISO_8859_1).replace("x-amz-checksum-crc32:", "x-amz-checksum-crc32 ");
        readUntilFailure(trailerBody(text.getBytes(StandardCharsets.ISO_8859_1), PayloadMode.STREAMING_UNSIGNED_TRAILER,
                data.length, ChecksumAlgorithm.CRC32), Reason.MALFORMED_CHUNK);
        // trailers after the final chunk of a mode without trailers
        readUntilFailure(new AwsChunkedBody(new ByteArrayInputStream(unsignedTrailer), PayloadMode.STREAMING_SIGNED,
                EXAMPLE_SIGNING, data.length, null), Reason.MALFORMED_CHUNK);
    }

    @Test
    void trailerWithoutFinalCrlfIsTolerated() {
        byte[] data = randomBytes(20_000, 8);
        String crc = checksumOf(ChecksumAlgorithm.CRC64NVME, data);
        byte[] body = AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING).trailer("x-amz-checksum-crc64nvme", crc)
                .withoutFinalCrlf().encode(data, 8192);
        VerifiedBody decoded = trailerBody(body, PayloadMode.STREAMING_SIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC64NVME);
        assertArrayEquals(data, TestRequests.readAll(decoded));
        assertEquals(crc, decoded.trailers().get("x-amz-checksum-crc64nvme"));
        // but a trailer line cut short is not
        byte[] cut = Arrays.copyOf(body, body.length - 3);
        readUntilFailure(trailerBody(cut, PayloadMode.STREAMING_SIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC64NVME),
                Reason.INCOMPLETE_BODY);
    }

    /** Every aws-chunked mode, each with the encoder and trailer (CRC32 where the mode has one) it needs. */
    static byte[] encodeFor(PayloadMode mode, byte[] data, int chunkSize) {
        String crc = checksumOf(ChecksumAlgorithm.CRC32, data);
        return switch (mode) {
            case STREAMING_SIGNED -> AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(data, chunkSize);
            case STREAMING_SIGNED_TRAILER -> AwsChunkedEncoder.signedWithTrailer(EXAMPLE_SIGNING)
                    .trailer("x-amz-checksum-crc32", crc).encode(data, chunkSize);
            case STREAMING_UNSIGNED_TRAILER -> AwsChunkedEncoder.unsigned()
                    .trailer("x-amz-checksum-crc32", crc).encode(data, chunkSize);
            default -> throw new IllegalArgumentException(mode.toString());
        };
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_SIGNED_TRAILER", "STREAMING_UNSIGNED_TRAILER"})
    void dataChunkUnder8KiBThatIsNotTheLastIsInvalidChunkSize(PayloadMode mode) {
        byte[] data = randomBytes(20_000, 21);
        for (int chunk : new int[] {1, 4096, 8191}) {
            VerifiedBody decoded = trailerBody(encodeFor(mode, data, chunk), mode, data.length,
                    mode.trailer() ? ChecksumAlgorithm.CRC32 : null);
            AuthException e = assertReason(Reason.INVALID_CHUNK_SIZE, () -> decoded.readNBytes(data.length));
            assertEquals(Map.of("Chunk", "1", "BadChunkSize", Integer.toString(chunk)), e.details());
        }
    }

    @ParameterizedTest
    @EnumSource(value = PayloadMode.class, names = {"STREAMING_SIGNED", "STREAMING_SIGNED_TRAILER", "STREAMING_UNSIGNED_TRAILER"})
    void chunksOfAtLeast8KiBWithASmallLastChunkAreAccepted(PayloadMode mode) {
        for (int length : new int[] {8192 * 2 + 1, 8192 * 3, 100, 0}) {
            byte[] data = randomBytes(length, length);
            VerifiedBody decoded = trailerBody(encodeFor(mode, data, 8192), mode, data.length,
                    mode.trailer() ? ChecksumAlgorithm.CRC32 : null);
            assertArrayEquals(data, TestRequests.readAll(decoded));
        }
        byte[] big = randomBytes(300_000, 3);
        for (int chunk : new int[] {65_536, 131_072}) {
            VerifiedBody decoded = trailerBody(encodeFor(mode, big, chunk), mode, big.length,
                    mode.trailer() ? ChecksumAlgorithm.CRC32 : null);
            assertArrayEquals(big, TestRequests.readAll(decoded));
        }
    }

    static VerifiedBody trailerBody(byte[] body, PayloadMode mode, long length, ChecksumAlgorithm algorithm) {
        return new AwsChunkedBody(new ByteArrayInputStream(body), mode, EXAMPLE_SIGNING, length, algorithm);
    }

    static String checksumOf(ChecksumAlgorithm algorithm, byte[] data) {
        Checksummer c = algorithm.newChecksummer();
        c.update(data, 0, data.length);
        return c.base64();
    }

    /** Reads until the expected failure; returns how many bytes were handed out before it. */
    static long readUntilFailure(InputStream in, Reason reason) {
        long[] returned = {0};
        byte[] buf = new byte[5000];
        assertReason(reason, () -> {
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) returned[0] += n;
        });
        return returned[0];
    }

    static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
