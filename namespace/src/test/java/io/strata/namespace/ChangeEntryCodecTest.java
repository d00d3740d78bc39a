package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ChangeEntryCodec}: round trips, the format version 1 bytes, and refusal of malformed values. */
class ChangeEntryCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Instant COMMITTED = Instant.ofEpochSecond(1_700_000_000L, 7);

    private static ChangeEntry versionEntry() {
        return new ChangeEntry(42, COMMITTED, ChangeEntry.Kind.VERSION_PUT, new BucketName("photos"),
                Optional.of(new ChangeEntry.VersionRef(new ObjectKey("a/ü 日本.jpg"), "null", false,
                        Instant.ofEpochSecond(1_600_000_000L, 5), "abc-2", 123_456_789L)), "");
    }

    private static ChangeEntry bucketEntry() {
        return new ChangeEntry(7, COMMITTED, ChangeEntry.Kind.BUCKET_CONFIG_PUT, new BucketName("photos"),
                Optional.empty(), "lifecycle");
    }

    // Bytes written by format version 1; decoding them must keep working when the format moves on.
    private static final String VERSION_PUT_V1 = "01000000006553f10000000007000670686f746f73000f612f"
            + "c3bc20e697a5e69cac2e6a7067046e756c6c00000000005f5e1000000000050561626"
            + "32d32959aef3a";
    private static final String CONFIG_PUT_V1 = "01000000006553f1000000000708"
            + "0670686f746f73096c6966656379636c65";

    @Test
    void versionEntriesRoundTrip() {
        assertEquals(versionEntry(), ChangeEntryCodec.decode(42, ChangeEntryCodec.encode(versionEntry())));
    }

    @Test
    void bucketEntriesRoundTrip() {
        assertEquals(bucketEntry(), ChangeEntryCodec.decode(7, ChangeEntryCodec.encode(bucketEntry())));
    }

    @Test
    void everyKindRoundTrips() {
        for (ChangeEntry.Kind kind : ChangeEntry.Kind.values()) {
            ChangeEntry e = new ChangeEntry(1, COMMITTED, kind, new BucketName("b-1"),
                    kind.aboutVersion() ? versionEntry().version() : Optional.empty(), kind.aboutVersion() ? "" : "x");
            assertEquals(e, ChangeEntryCodec.decode(1, ChangeEntryCodec.encode(e)), kind.name());
        }
    }

    @Test
    void encodingStartsWithTheFormatVersionAndIsStable() {
        assertEquals(ChangeEntryCodec.VERSION, ChangeEntryCodec.encode(versionEntry())[0]);
        assertEquals(VERSION_PUT_V1, HEX.formatHex(ChangeEntryCodec.encode(versionEntry())));
        assertEquals(CONFIG_PUT_V1, HEX.formatHex(ChangeEntryCodec.encode(bucketEntry())));
    }

    @Test
    void decodesFormatVersion1Bytes() {
        assertEquals(versionEntry(), ChangeEntryCodec.decode(42, HEX.parseHex(VERSION_PUT_V1)));
        assertEquals(bucketEntry(), ChangeEntryCodec.decode(7, HEX.parseHex(CONFIG_PUT_V1)));
    }

    @Test
    void malformedValuesAreRecordFormatErrors() {
        byte[] good = ChangeEntryCodec.encode(versionEntry());
        for (int n = 0; n < good.length; n++) {
            byte[] truncated = Arrays.copyOf(good, n);
            assertThrows(RecordFormatException.class, () -> ChangeEntryCodec.decode(1, truncated), "length " + n);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(RecordFormatException.class, () -> ChangeEntryCodec.decode(1, trailing));
        byte[] unknownVersion = good.clone();
        unknownVersion[0] = 2;
        assertThrows(RecordFormatException.class, () -> ChangeEntryCodec.decode(1, unknownVersion));
        byte[] unknownKind = good.clone();
        unknownKind[13] = (byte) 200;
        assertThrows(RecordFormatException.class, () -> ChangeEntryCodec.decode(1, unknownKind));
        assertThrows(RecordFormatException.class, () -> ChangeEntryCodec.decode(0, good), "sequence 0 is never stored");
    }
}
