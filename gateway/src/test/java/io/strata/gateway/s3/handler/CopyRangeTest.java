package io.strata.gateway.s3.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CopyRangeTest {
    @ParameterizedTest
    @CsvSource({"'bytes=0-0', 0, 0", "'bytes=10-99', 10, 99", "' bytes=0-99 ', 0, 99"})
    void wellFormedRangeInsideTheSourceIsAccepted(String value, long first, long last) {
        assertArrayEquals(new long[]{first, last}, MultipartHandlers.copyRange(value, 100));
    }

    @ParameterizedTest
    @CsvSource({"'bytes=5-2'", "'bytes=-5'", "'bytes=5-'", "'0-5'", "'bytes=0-1,3-4'", "'bytes=a-b'",
            "'bytes=99999999999999999999-5'", "'bytes=+1-5'"})
    void malformedRangeIsInvalidArgument(String value) {
        S3Exception e = assertThrows(S3Exception.class, () -> MultipartHandlers.copyRange(value, 100));
        assertEquals(S3Error.INVALID_ARGUMENT, e.error());
    }

    @ParameterizedTest
    @CsvSource({"'bytes=0-100'", "'bytes=100-100'", "'bytes=0-99999999999999999999'",
            "'bytes=99999999999999999999-99999999999999999999'"})
    void rangePastTheEndIsInvalidRange(String value) {
        S3Exception e = assertThrows(S3Exception.class, () -> MultipartHandlers.copyRange(value, 100));
        assertEquals(S3Error.INVALID_RANGE, e.error());
    }
}
