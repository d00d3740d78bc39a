package io.strata.gateway.s3.handler;

import io.strata.gateway.http.Encoding;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParsingTest {

    @ParameterizedTest(name = "{0} of {1} bytes -> {2}..{3}")
    @CsvSource({
            "bytes=0-9,      100, 0,  9",
            "bytes=10-,      100, 10, 99",
            "bytes=-10,      100, 90, 99",
            "bytes=-500,     100, 0,  99",
            "bytes=90-1000,  100, 90, 99",
            "bytes=99-99,    100, 99, 99",
            "bytes=0-99999999999999999999,  100, 0, 99",
            "bytes=-99999999999999999999,   100, 0, 99",
    })
    void parsesSatisfiableRanges(String header, long size, long first, long last) {
        assertArrayEquals(new long[]{first, last}, ObjectHandlers.parseRange(header, size).orElseThrow());
    }

    @ParameterizedTest
    @CsvSource({"bytes=100-, 100", "bytes=500-600, 100", "bytes=-0, 100", "bytes=0-, 0", "bytes=-5, 0",
            "bytes=99999999999999999999-, 100", "bytes=18446744073709551616-18446744073709551617, 100",
            "bytes=9223372036854775807-, 100"})
    void unsatisfiableRangeIsInvalidRange(String header, long size) {
        S3Exception e = assertThrows(S3Exception.class, () -> ObjectHandlers.parseRange(header, size));
        assertEquals(S3Error.INVALID_RANGE, e.error());
        assertEquals(416, e.error().status());
    }

    @ParameterizedTest
    @CsvSource({"items=0-5", "bytes=5-2", "bytes=a-b", "'bytes=0-1,5-6'", "bytes=-", "bytes=+5-", "bytes=0x10-",
            "bytes=1-+5", "bytes=--5", "bytes=99999999999999999999-5"})
    void malformedOrMultiRangesAreIgnored(String header) {
        assertEquals(Optional.empty(), ObjectHandlers.parseRange(header, 100));
    }

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
    void decodesPathsAndQueries() {
        assertEquals("a b+c/é", Encoding.percentDecode("a%20b+c/%C3%A9", false));
        assertEquals("a b c", Encoding.percentDecode("a+b%20c", true));
        assertThrows(IllegalArgumentException.class, () -> Encoding.percentDecode("%zz", false));
        assertThrows(IllegalArgumentException.class, () -> Encoding.percentDecode("%C3", false));
        Map<String, String> q = S3Request.parseQuery("list-type=2&prefix=a%2Fb&uploads&delimiter=%2F");
        assertEquals("2", q.get("list-type"));
        assertEquals("a/b", q.get("prefix"));
        assertEquals("", q.get("uploads"));
        assertEquals("/", q.get("delimiter"));
    }

    @Test
    void urlEncodingMatchesS3() {
        assertEquals("a%20b/c%2Bd%C3%A9~", Encoding.urlEncode("a b/c+dé~"));
    }

    @Test
    void etagConditionsAcceptQuotedListsAndStar() {
        assertTrue(ObjectHandlers.etagMatches("\"abc\"", "abc"));
        assertTrue(ObjectHandlers.etagMatches("\"x\", \"abc\"", "abc"));
        assertTrue(ObjectHandlers.etagMatches("*", "abc"));
        assertTrue(ObjectHandlers.etagMatches("W/\"abc\"", "abc"));
        assertEquals(false, ObjectHandlers.etagMatches("\"abd\"", "abc"));
    }

    @Test
    void continuationTokensRoundTripAndRejectGarbage() {
        assertEquals("photos/2024/", BucketHandlers.decodeToken(BucketHandlers.encodeToken("photos/2024/")));
        S3Exception e = assertThrows(S3Exception.class, () -> BucketHandlers.decodeToken("not a token!"));
        assertEquals(S3Error.INVALID_ARGUMENT, e.error());
    }
}
