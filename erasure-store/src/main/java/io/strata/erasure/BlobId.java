package io.strata.erasure;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A blob's 128-bit identity; its 32-character lower-case hex form names shard files, and its first
 * two bytes the two fan-out directories they live in.
 */
record BlobId(long high, long low) {
    /** Seconds a fan-out directory stays the current one for new blobs (see {@link #clustered}). */
    static final int WINDOW_SECONDS = 16;

    /** 128 random bits: drive ids, and blob ids read back from disk need no particular form. */
    static BlobId random(RandomGenerator random) {
        return new BlobId(random.nextLong(), random.nextLong());
    }

    /**
     * A new blob's id: the first 16 bits count {@value #WINDOW_SECONDS}-second windows of
     * {@code epochSecond} (modulo 2^16, a cycle of about 12 days), the other 112 bits are random.
     * Blobs written close together therefore share their fan-out directories, which then exist
     * already: a fully random id made almost every write on a young store create one or two
     * directories per drive and fsync their parents (a 1 MiB PUT spent about 12% of its server
     * CPU in mkdir). Uniqueness rests on the 112 random bits; placement still mixes all 128.
     */
    static BlobId clustered(RandomGenerator random, long epochSecond) {
        long window = Math.floorDiv(epochSecond, WINDOW_SECONDS) & 0xFFFF;
        return new BlobId(window << 48 | random.nextLong() >>> 16, random.nextLong());
    }

    /** The two directory levels under {@code blobs/} (first and second byte in hex). */
    String fanOut1() {
        return hex().substring(0, 2);
    }

    String fanOut2() {
        return hex().substring(2, 4);
    }

    String hex() {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(high) + hex.toHexDigits(low);
    }

    @Override
    public String toString() {
        return hex();
    }
}
