package io.strata.erasure;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/** A blob's 128-bit random identity; its 32-character lower-case hex form names shard files. */
record BlobId(long high, long low) {
    static BlobId random(RandomGenerator random) {
        return new BlobId(random.nextLong(), random.nextLong());
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
