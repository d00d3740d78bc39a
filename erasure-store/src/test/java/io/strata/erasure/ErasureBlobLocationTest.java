package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ErasureBlobLocationTest {
    private static final ErasureBlobLocation LOCATION = new ErasureBlobLocation(
            new BlobId(0x0123456789abcdefL, 0xfedcba9876543210L), 5_000_000_123L, 4, 2, 1 << 20,
            new int[] {3, 4, 5, 0, 1, 2});

    @Test
    void encodeDecodeRoundTrips() {
        BlobLocation decoded = BlobLocation.decode(LOCATION.encode());
        assertEquals(LOCATION, decoded);
        assertEquals(5_000_000_123L, decoded.size());
        assertArrayEquals(LOCATION.encode(), decoded.encode());
    }

    @Test
    void decodesVersionOneBytesWrittenByEarlierCode() {
        // Frozen bytes: a format change must keep reading these.
        byte[] v1 = HexFormat.of().parseHex("010123456789abcdeffedcba9876543210000000012a05f27b00040002"
                + "001000000003000400050000000100028e8f7339");
        assertEquals(LOCATION, BlobLocation.decode(v1));
    }

    @Test
    void startsWithFormatVersion() {
        assertEquals(1, LOCATION.encode()[0]);
    }

    @Test
    void decodeRejectsGarbage() {
        byte[] good = LOCATION.encode();
        assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(null));
        assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(java.util.Arrays.copyOf(good, good.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(java.util.Arrays.copyOf(good, good.length + 2)));
        for (int i = 0; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= 0x10;
            assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(flipped), "flipped byte " + i);
        }
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            byte[] noise = new byte[random.nextInt(80)];
            random.nextBytes(noise);
            assertThrows(IllegalArgumentException.class, () -> BlobLocation.decode(noise));
        }
    }

    @Test
    void rejectsImpossibleValues() {
        BlobId id = new BlobId(1, 2);
        assertThrows(IllegalArgumentException.class, () -> new ErasureBlobLocation(id, -1, 4, 2, 4096, new int[] {0, 1, 2, 3, 4, 5}));
        assertThrows(IllegalArgumentException.class, () -> new ErasureBlobLocation(id, 1, 4, 2, 4096, new int[] {0, 1, 2, 3, 4}));
        assertThrows(IllegalArgumentException.class, () -> new ErasureBlobLocation(id, 1, 4, 2, 4096, new int[] {0, 1, 2, 3, 4, 4}));
        assertThrows(IllegalArgumentException.class, () -> new ErasureBlobLocation(id, 1, 0, 2, 4096, new int[] {0, 1}));
    }

    @Test
    void stripeGeometryCoversTheBlobExactly() {
        ErasureBlobLocation loc = new ErasureBlobLocation(new BlobId(1, 2), 4 * 4096 * 2 + 5, 4, 2, 4096,
                new int[] {0, 1, 2, 3, 4, 5});
        assertEquals(3, loc.stripeCount());
        assertEquals(4096, loc.shardBlockLength(1));
        assertEquals(5, loc.stripeLength(2));
        assertEquals(2, loc.shardBlockLength(2));
    }
}
