package io.strata.gateway.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class EncodingTest {

    @Test
    void isoDateWritesWhatTheFormatterWrites() {
        List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-12-07T05:04:03.999999999Z"),
                Instant.parse("2024-02-29T23:59:59.001Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-06-01T00:00:00Z")));
        Random random = new Random(16);
        for (int i = 0; i < 10_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_402_300_800L), random.nextInt(1_000_000_000)));
        }
        for (Instant t : instants) assertEquals(Encoding.ISO_MILLIS.format(t), Encoding.isoDate(t), t.toString());
        assertEquals("2026-12-07T05:04:03.999Z", Encoding.isoDate(Instant.parse("2026-12-07T05:04:03.999999999Z")));
    }

    @Test
    void httpDateWritesWhatTheFormatterWrites() {
        Random random = new Random(7231);
        List<Instant> instants = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-12-07T05:04:03.999Z"),
                Instant.parse("0001-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-06-01T00:00:00Z")));
        for (int i = 0; i < 10_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_402_300_800L), random.nextInt(1_000_000_000)));
        }
        for (Instant t : instants) {
            String formatted = Encoding.HTTP_DATE.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertEquals(formatted, Encoding.httpDate(t), t.toString());
        }
        assertEquals("Mon, 07 Dec 2026 05:04:03 GMT", Encoding.httpDate(Instant.parse("2026-12-07T05:04:03.999Z")));
    }

    @Test
    void urlEncodeReturnsAKeyOfUnreservedCharactersAsItIsAndEncodesTheRest() {
        String plain = "photos/2026-12_07/a.b~c";
        assertSame(plain, Encoding.urlEncode(plain));
        assertEquals("a%20b/c%2Bd%C3%A9~%25", Encoding.urlEncode("a b/c+dé~%"));
        assertEquals("", Encoding.urlEncode(""));
    }
}
