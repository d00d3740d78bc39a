package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeysTest {
    private static final String[] TOKENS = {"a", "b", "\u0000", "\u0001", "/", "é", "日", "😀", "\u007f", "ab"};
    private static final BucketName BUCKET = new BucketName("bucket");

    private static String randomKey(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) sb.append(TOKENS[r.nextInt(TOKENS.length)]);
        return sb.toString();
    }

    @Test
    void escapedUploadKeysSortLikeTheirUtf8KeysEvenWithZeroBytes() {
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            String a = randomKey(r);
            String b = randomKey(r);
            int expected = Integer.signum(Arrays.compareUnsigned(Keys.utf8(a), Keys.utf8(b)));
            MultipartUpload ua = Fixtures.upload("bucket", a, "id", Instant.EPOCH);
            MultipartUpload ub = Fixtures.upload("bucket", b, "id", Instant.EPOCH);
            assertEquals(expected, Integer.signum(Arrays.compareUnsigned(Keys.uploadOrder(ua), Keys.uploadOrder(ub))),
                    () -> a + " vs " + b);
            assertEquals(expected, Integer.signum(Arrays.compareUnsigned(
                    Keys.upload(BUCKET, new ObjectKey(a), "x"), Keys.upload(BUCKET, new ObjectKey(b), "x"))));
        }
    }

    @Test
    void uploadOrderSortsByKeyThenInitiatedThenUploadId() {
        Instant early = Instant.parse("1969-12-31T23:59:59Z");
        Instant late = Instant.parse("2030-01-01T00:00:00.5Z");
        byte[] a = Keys.uploadOrder(Fixtures.upload("bucket", "k", "z", early));
        byte[] b = Keys.uploadOrder(Fixtures.upload("bucket", "k", "a", late));
        byte[] c = Keys.uploadOrder(Fixtures.upload("bucket", "k", "b", late));
        byte[] d = Keys.uploadOrder(Fixtures.upload("bucket", "k\u0000", "a", early));
        assertTrue(Arrays.compareUnsigned(a, b) < 0);
        assertTrue(Arrays.compareUnsigned(b, c) < 0);
        assertTrue(Arrays.compareUnsigned(c, d) < 0);
    }

    @Test
    void escapedPrefixIsAPrefixOfExactlyTheKeysStartingWithIt() {
        Random r = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            String key = randomKey(r);
            String prefix = randomKey(r);
            byte[] row = Keys.uploadOrder(Fixtures.upload("bucket", key, "id", Instant.EPOCH));
            byte[] p = Keys.escapedPrefix(BUCKET, Keys.utf8(prefix));
            assertEquals(key.startsWith(prefix), Keys.startsWith(row, row.length, p), () -> key + " / " + prefix);
        }
    }

    @Test
    void unescapeReturnsTheKeyAndItsEnd() {
        String key = "a\u0000b\u0000";
        byte[] row = Keys.upload(BUCKET, new ObjectKey(key), "up\u0000id");
        int[] end = new int[1];
        int start = Keys.bucketPrefix(BUCKET).length;
        assertArrayEquals(Keys.utf8(key), Keys.unescape(row, start, end));
        assertArrayEquals(Keys.utf8("up\u0000id"), Keys.unescape(row, end[0], end));
        assertEquals(row.length, end[0]);
    }

    @Test
    void successorSkipsEverythingStartingWithThePrefix() {
        assertArrayEquals(new byte[] {'a', 'c'}, Keys.successor(new byte[] {'a', 'b'}));
        assertArrayEquals(new byte[] {'b'}, Keys.successor(new byte[] {'a', (byte) 0xFF, (byte) 0xFF}));
        assertNull(Keys.successor(new byte[] {(byte) 0xFF}));
        assertNull(Keys.successor(new byte[0]));
        assertArrayEquals(new byte[] {'a', 0}, Keys.after(new byte[] {'a'}));
    }

    @Test
    void bucketRowsNeverInterleave() {
        byte[] a = Keys.object(new BucketName("abc"), new ObjectKey("\uFFFF\uFFFF"));
        byte[] b = Keys.object(new BucketName("abc-d"), new ObjectKey("\u0000"));
        byte[] c = Keys.object(new BucketName("abc"), new ObjectKey("\u0000"));
        assertTrue(Arrays.compareUnsigned(c, a) < 0);
        assertTrue(Arrays.compareUnsigned(a, b) < 0);
        assertTrue(Arrays.compareUnsigned(a, Keys.successor(Keys.bucketPrefix(new BucketName("abc")))) < 0);
    }
}
