package io.strata.gateway.s3.handler;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestParsingTest {

    @ParameterizedTest
    @CsvSource({"'5', 5", "' 7 ', 7", "'0', 0", "'5000', 1000", "'2147483647', 1000"})
    void maxKeysIsADecimalIntCappedAt1000(String value, int expected) {
        assertEquals(expected, BucketHandlers.maxKeys(Optional.of(value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+5", "-1", "\u0663", "1e3", "0x10", "2147483648", "99999999999999999999", "", "5 5", "５"})
    void maxKeysThatIsNoDecimalIntIsInvalidArgument(String value) {
        S3Exception e = assertThrows(S3Exception.class, () -> BucketHandlers.maxKeys(Optional.of(value)));
        assertEquals(S3Error.INVALID_ARGUMENT, e.error());
        assertEquals("Provided max-keys not an integer or within integer range", e.getMessage());
    }

    @Test
    void continuationTokensRoundTripAndRejectGarbage() {
        assertEquals("photos/2024/", BucketHandlers.decodeToken(BucketHandlers.encodeToken("photos/2024/")));
        S3Exception e = assertThrows(S3Exception.class, () -> BucketHandlers.decodeToken("not a token!"));
        assertEquals(S3Error.INVALID_ARGUMENT, e.error());
    }
}
