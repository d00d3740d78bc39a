package io.strata.tiering.cold;

import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.ByteRange;
import io.strata.tiering.ColdMetadata;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.ColdObjectInfo;
import io.strata.tiering.ColdTier;
import io.strata.tiering.TierException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The behaviour every {@link ColdTier} shares; each implementation's test extends this class. */
abstract class ColdTierContractTest {

    /** Keys that must neither escape a directory nor collide with each other. */
    static final List<String> AWKWARD_KEYS = List.of(
            "../../etc/passwd", "..", ".", "a/../b", "/absolute/path", "a//b", "a/", "trailing/..",
            "with space/and  two", "ünïcødé/日本語 ファイル.txt", "a~b", "a~v1", "percent%2Fslash", "a/b~meta");

    private ColdTier tier;

    /** A fresh, empty tier for one test; closed after it. */
    abstract ColdTier createTier() throws Exception;

    @BeforeEach
    void openTier() throws Exception {
        tier = createTier();
    }

    @AfterEach
    void closeTier() {
        tier.close();
    }

    ColdTier tier() {
        return tier;
    }

    static ColdObjectId id(String key) {
        return new ColdObjectId("photos", key, "v1");
    }

    static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    void put(ColdObjectId id, byte[] data) {
        tier.put(id, ColdMetadata.empty(), new ByteArrayInputStream(data), data.length);
    }

    byte[] read(ColdObjectId id, ByteRange range) throws IOException {
        try (InputStream in = tier.get(id, range)) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripKeepsBytesContentTypeAndUserMetadata() throws IOException {
        byte[] data = bytes(1, 1000);
        ColdMetadata meta = new ColdMetadata("image/png", Map.of("color", "blue", "camera", "x-100 v2"));
        tier.put(id("a/b.png"), meta, new ByteArrayInputStream(data), data.length);

        assertArrayEquals(data, read(id("a/b.png"), ByteRange.all()));
        ColdObjectInfo info = tier.stat(id("a/b.png"));
        assertEquals(1000, info.size());
        assertEquals(meta, info.metadata());
    }

    @Test
    void theStrataRecordTravelsLosslesslyBesideTheObject() throws IOException {
        byte[] data = bytes(3, 100);
        Map<String, String> record = Map.of("version-id", "0123456789abcdef0123456789abcdef", "etag",
                "9e107d9d372bb6826bd81d3542a419d6-2", "checksum.CRC32", "AAAAAA==", "header.x-strata-tagging",
                "a=1&b=%E2%9C%93 x", "last-modified", "2026-11-22T05:00:00.123456789Z", "parts", "60,40");
        ColdMetadata meta = new ColdMetadata("text/plain", Map.of("k", "v"), record);
        tier.put(id("rec"), meta, new ByteArrayInputStream(data), data.length);
        assertEquals(meta, tier.stat(id("rec")).metadata());
        assertArrayEquals(data, read(id("rec"), ByteRange.all()));
    }

    @Test
    void emptyObjectRoundTrips() throws IOException {
        put(id("empty"), new byte[0]);
        assertArrayEquals(new byte[0], read(id("empty"), ByteRange.all()));
        assertArrayEquals(new byte[0], read(id("empty"), ByteRange.from(0)));
        assertEquals(0, tier.stat(id("empty")).size());
    }

    @Test
    void rangesSelectInclusiveBytesAndClampAtTheEnd() throws IOException {
        byte[] data = bytes(2, 1000);
        put(id("r"), data);
        assertArrayEquals(Arrays.copyOfRange(data, 0, 1), read(id("r"), new ByteRange(0, 0)));
        assertArrayEquals(Arrays.copyOfRange(data, 10, 20), read(id("r"), new ByteRange(10, 19)));
        assertArrayEquals(Arrays.copyOfRange(data, 990, 1000), read(id("r"), ByteRange.from(990)));
        assertArrayEquals(Arrays.copyOfRange(data, 999, 1000), read(id("r"), new ByteRange(999, 5000)));
        assertArrayEquals(data, read(id("r"), new ByteRange(0, 999)));
    }

    @Test
    void rangeStartingPastTheEndIsInvalidRange() {
        put(id("r"), bytes(3, 100));
        TierException e = assertThrows(TierException.class, () -> tier.get(id("r"), ByteRange.from(500)));
        assertEquals(TierException.Reason.INVALID_RANGE, e.reason());
    }

    @Test
    void missingVersionIsNotFound() {
        put(id("present"), bytes(4, 10));
        ColdObjectId other = new ColdObjectId("photos", "present", "v2");
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.get(id("absent"), ByteRange.all())).reason());
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.get(other, ByteRange.all())).reason());
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.stat(id("absent"))).reason());
    }

    @Test
    void deleteIsIdempotent() {
        tier.delete(id("never-written"));
        put(id("d"), bytes(5, 10));
        tier.delete(id("d"));
        tier.delete(id("d"));
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.get(id("d"), ByteRange.all())).reason());
    }

    @Test
    void putAgainReplacesTheCopy() throws IOException {
        put(id("p"), bytes(6, 100));
        byte[] second = bytes(7, 50);
        put(id("p"), second);
        assertArrayEquals(second, read(id("p"), ByteRange.all()));
    }

    @Test
    void versionsOfOneKeyAreSeparate() throws IOException {
        ColdObjectId v1 = new ColdObjectId("photos", "k", "v1");
        ColdObjectId v2 = new ColdObjectId("photos", "k", "v2");
        put(v1, bytes(8, 10));
        put(v2, bytes(9, 20));
        tier.delete(v1);
        assertArrayEquals(bytes(9, 20), read(v2, ByteRange.all()));
    }

    @Test
    void shortStreamIsLengthMismatchAndStoresNothing() {
        TierException e = assertThrows(TierException.class, () ->
                tier.put(id("short"), ColdMetadata.empty(), new ByteArrayInputStream(bytes(10, 99)), 100));
        assertEquals(TierException.Reason.LENGTH_MISMATCH, e.reason());
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.stat(id("short"))).reason());
    }

    @Test
    void longStreamIsLengthMismatchAndStoresNothing() {
        TierException e = assertThrows(TierException.class, () ->
                tier.put(id("long"), ColdMetadata.empty(), new ByteArrayInputStream(bytes(11, 101)), 100));
        assertEquals(TierException.Reason.LENGTH_MISMATCH, e.reason());
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.stat(id("long"))).reason());
    }

    /** The awkward keys this implementation's store can hold; see {@link #AWKWARD_KEYS}. */
    List<String> awkwardKeys() {
        return AWKWARD_KEYS;
    }

    @Test
    void awkwardKeysRoundTripWithoutColliding() throws IOException {
        List<String> keys = awkwardKeys();
        java.util.List<String> failed = new java.util.ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            try {
                put(id(keys.get(i)), (i + ":" + keys.get(i)).getBytes(StandardCharsets.UTF_8));
            } catch (TierException e) {
                failed.add(keys.get(i) + " -> " + e.getMessage());
            }
        }
        assertEquals(List.of(), failed);
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(i + ":" + keys.get(i),
                    new String(read(id(keys.get(i)), ByteRange.all()), StandardCharsets.UTF_8));
        }
        for (String key : keys) tier.delete(id(key));
    }

    @Test
    void objectLargerThanOnePartStreamsThroughAndReadsBackInRanges() throws IOException {
        long size = 2 * S3ColdTierConfig.MIN_PART_SIZE + 12345;
        tier.put(id("big"), ColdMetadata.empty(), new SeededStream(42, size), size);

        assertEquals(size, tier.stat(id("big")).size());
        assertEquals(sha256(new SeededStream(42, size)), sha256(tier.get(id("big"), ByteRange.all())));
        long first = S3ColdTierConfig.MIN_PART_SIZE - 10;
        byte[] expected = new SeededStream(42, size).skipThenRead(first, 20);
        assertArrayEquals(expected, read(id("big"), new ByteRange(first, first + 19)));
    }

    @Test
    void largeStreamEndingEarlyIsLengthMismatchAndStoresNothing() {
        long size = 2 * S3ColdTierConfig.MIN_PART_SIZE + 12345;
        TierException e = assertThrows(TierException.class, () ->
                tier.put(id("big-short"), ColdMetadata.empty(), new SeededStream(43, size - 1), size));
        assertEquals(TierException.Reason.LENGTH_MISMATCH, e.reason());
        assertEquals(TierException.Reason.NOT_FOUND,
                assertThrows(TierException.class, () -> tier.stat(id("big-short"))).reason());
    }

    static String sha256(InputStream in) throws IOException {
        try (in) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A reproducible pseudo-random stream of a given length that is never whole in memory. */
    static final class SeededStream extends InputStream {
        private final long seed;
        private final long length;
        private long position;

        SeededStream(long seed, long length) {
            this.seed = seed;
            this.length = length;
        }

        private byte at(long p) {
            long x = (p + seed) * 0x9E3779B97F4A7C15L;
            return (byte) ((x ^ (x >>> 29)) >>> 24);
        }

        @Override
        public int read() {
            return position >= length ? -1 : at(position++) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (position >= length) return -1;
            int n = (int) Math.min(len, length - position);
            for (int i = 0; i < n; i++) b[off + i] = at(position++);
            return n;
        }

        byte[] skipThenRead(long skip, int n) {
            position += skip;
            byte[] out = new byte[n];
            read(out, 0, n);
            return out;
        }
    }
}
