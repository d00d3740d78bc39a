package io.strata.auth;

import static io.strata.auth.AwsChunkedBodyTest.EXAMPLE_SIGNING;
import static io.strata.auth.AwsChunkedBodyTest.checksumOf;
import static io.strata.auth.AwsChunkedBodyTest.randomBytes;
import static io.strata.auth.AwsChunkedBodyTest.readUntilFailure;
import static io.strata.auth.AwsChunkedBodyTest.trailerBody;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.strata.auth.AuthException.Reason;
import io.strata.checksum.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A body that sums every byte itself to verify the request (a signed payload's SHA-256, a trailing
 * checksum) reports which sums it makes before the first read and their verified values after the
 * last, so the object service can store them without a second pass over the bytes; a failed check
 * reports nothing.
 */
class CheckedChecksumsTest {
    private static String sha256Hex(byte[] data) {
        return SigV4.HEX.formatHex(SigV4.sha256().digest(data));
    }

    @Test
    void aSignedPayloadReportsItsSha256OnceItMatched() {
        byte[] data = randomBytes(100_000, 1);
        // Content-Length known (checked at the last byte) and unknown (checked at end of stream).
        for (long contentLength : new long[] {data.length, -1}) {
            VerifiedBody body = new Sha256CheckedBody(new ByteArrayInputStream(data), sha256Hex(data).toUpperCase(),
                    contentLength);
            assertEquals(Set.of(ChecksumAlgorithm.SHA256), body.checkedAlgorithms());
            assertEquals(Map.of(), body.checkedChecksums(), "nothing before the end");
            assertArrayEquals(data, TestRequests.readAll(body));
            assertEquals(Map.of(ChecksumAlgorithm.SHA256, checksumOf(ChecksumAlgorithm.SHA256, data)),
                    body.checkedChecksums(), "Content-Length " + contentLength);
        }
    }

    @Test
    void aSignedPayloadThatDoesNotMatchReportsNoSha256() {
        byte[] data = randomBytes(20_000, 2);
        VerifiedBody body = new Sha256CheckedBody(new ByteArrayInputStream(data), sha256Hex(randomBytes(10, 3)),
                data.length);
        readUntilFailure(body, Reason.CONTENT_SHA256_MISMATCH);
        assertEquals(Map.of(), body.checkedChecksums());
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void aTrailingChecksumIsReportedUnderItsAlgorithmOnceVerified(ChecksumAlgorithm algorithm) {
        byte[] data = randomBytes(40_000, algorithm.ordinal());
        String value = checksumOf(algorithm, data);
        byte[] framed = AwsChunkedEncoder.unsigned().trailer(algorithm.headerName(), value).encode(data, 8192);
        VerifiedBody body = trailerBody(framed, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length, algorithm);
        assertEquals(Set.of(algorithm), body.checkedAlgorithms());
        assertEquals(Map.of(), body.checkedChecksums());
        assertArrayEquals(data, TestRequests.readAll(body));
        assertEquals(Map.of(algorithm, value), body.checkedChecksums());
    }

    @Test
    void aTrailingChecksumThatDoesNotMatchIsReportedAsNothing() {
        byte[] data = randomBytes(40_000, 4);
        byte[] framed = AwsChunkedEncoder.unsigned()
                .trailer(ChecksumAlgorithm.CRC32.headerName(), checksumOf(ChecksumAlgorithm.CRC32, randomBytes(10, 5)))
                .encode(data, 8192);
        VerifiedBody body = trailerBody(framed, PayloadMode.STREAMING_UNSIGNED_TRAILER, data.length, ChecksumAlgorithm.CRC32);
        readUntilFailure(body, Reason.CHECKSUM_MISMATCH);
        assertEquals(Map.of(), body.checkedChecksums());
    }

    @Test
    void bodiesThatSumNothingReportNothing() {
        byte[] data = randomBytes(1000, 6);
        VerifiedBody unsigned = new PassThroughBody(new ByteArrayInputStream(data));
        byte[] framed = AwsChunkedEncoder.signed(EXAMPLE_SIGNING).encode(data, 8192);
        VerifiedBody chunkedWithoutTrailer = trailerBody(framed, PayloadMode.STREAMING_SIGNED, data.length, null);
        for (VerifiedBody body : new VerifiedBody[] {unsigned, chunkedWithoutTrailer}) {
            assertEquals(Set.of(), body.checkedAlgorithms());
            assertArrayEquals(data, TestRequests.readAll(body));
            assertEquals(Map.of(), body.checkedChecksums());
        }
    }
}
