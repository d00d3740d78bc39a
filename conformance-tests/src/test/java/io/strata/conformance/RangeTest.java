package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** GetObject with Range: closed, open and suffix ranges, clamping, 416, and no full-object checksum. */
class RangeTest extends GatewayTest {
    private static final int SMALL = 1000;
    private static final int LARGE = 3 * 1024 * 1024 + 12345;
    private static final long SMALL_SEED = 11;
    private static final long LARGE_SEED = 12;
    private static String bucket;

    @BeforeAll
    static void objects() {
        bucket = createBucket("ranges");
        s3.putObject(b -> b.bucket(bucket).key("small"), RequestBody.fromBytes(TestData.bytes(SMALL_SEED, SMALL)));
        s3.putObject(b -> b.bucket(bucket).key("large"), RequestBody.fromBytes(TestData.bytes(LARGE_SEED, LARGE)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // range,          first, last
        "bytes=0-9,        0,     9",
        "bytes=10-19,      10,    19",
        "bytes=0-0,        0,     0",
        "bytes=999-999,    999,   999",
        "bytes=990-,       990,   999",
        "bytes=0-,         0,     999",
        "bytes=-50,        950,   999",
        "bytes=-1,         999,   999",
        "bytes=500-999999, 500,   999",   // the last position is clamped to the object's end
        "bytes=-5000,      0,     999",   // a suffix longer than the object is the whole object
    })
    void rangeOfSmallObject(String range, int first, int last) {
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("small").range(range));
        GetObjectResponse response = got.response();
        assertEquals(206, response.sdkHttpResponse().statusCode(), "status of " + range);
        assertEquals("bytes " + first + "-" + last + "/" + SMALL, response.contentRange(), "Content-Range of " + range);
        assertEquals(last - first + 1, response.contentLength(), "Content-Length of " + range);
        assertArrayEquals(TestData.range(SMALL_SEED, first, last - first + 1), got.asByteArray(), "bytes of " + range);
        assertEquals("bytes", response.acceptRanges(), "Accept-Ranges");
    }

    @Test
    void rangeBeyondTheEndIsInvalidRange() {
        assertS3Error(416, "InvalidRange", () -> s3.getObject(b -> b.bucket(bucket).key("small").range("bytes=999999-")));
        assertS3Error(416, "InvalidRange", () -> s3.getObject(b -> b.bucket(bucket).key("small").range("bytes=1000-1000")));
        // Offsets too large for a long are still well-formed, and past the end: 416, not the whole object.
        assertS3Error(416, "InvalidRange", () -> s3.getObject(b -> b.bucket(bucket).key("small").range("bytes=99999999999999999999-")));
    }

    @Test
    void rangedGetNeverReturnsTheFullObjectChecksum() {
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("small")
                .range("bytes=100-199").checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(TestData.range(SMALL_SEED, 100, 100), got.asByteArray());
        assertNull(got.response().checksumCRC32(), "x-amz-checksum-crc32 of the whole object on a ranged GET");
        assertTrue(got.response().sdkHttpResponse().headers().keySet().stream()
                        .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("x-amz-checksum-")
                                && !h.equalsIgnoreCase("x-amz-checksum-type")),
                "no x-amz-checksum-* value on a ranged GET: " + got.response().sdkHttpResponse().headers());
    }

    /**
     * Many ranged GETs over the SDK's kept-alive connections, each compared byte for byte: a server
     * that writes stray bytes after a body corrupts the next response on the same connection.
     */
    @Test
    void manyRandomRangesOverKeptAliveConnections() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 150; i++) {
            int first = random.nextInt(LARGE);
            int length = 1 + random.nextInt(i % 3 == 0 ? 2 * 1024 * 1024 : 70_000);
            int last = Math.min(LARGE - 1, first + length - 1);
            String range = "bytes=" + first + "-" + last;
            byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("large").range(range)).asByteArray();
            byte[] expected = TestData.range(LARGE_SEED, first, last - first + 1);
            if (!Arrays.equals(expected, got)) {
                throw new AssertionError("bytes of " + range + " differ (got " + got.length + " bytes) at request " + i);
            }
        }
        assertEquals(TestData.sha256(TestData.bytes(LARGE_SEED, LARGE)),
                TestData.sha256(s3.getObjectAsBytes(b -> b.bucket(bucket).key("large")).asByteArray()), "whole object afterwards");
    }
}
