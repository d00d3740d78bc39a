package io.strata.auth;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AuthorizationParsingTest {

    @Test
    void componentsAreWhatTheRegexSplitGaveWithoutItsEmptyStrings() {
        List<String> values = List.of(
                "AWS4-HMAC-SHA256 Credential=K/20261207/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab",
                "AWS4-HMAC-SHA256 Credential=a,SignedHeaders=b,Signature=c", "AWS4-HMAC-SHA256  Credential=a ,\t,SignedHeaders=b\r\n",
                "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 ,,, ", "AWS4-HMAC-SHA256 x\u000By\fz", "AWS4-HMAC-SHA256 a\u00a0b");
        for (String v : values) {
            int space = v.indexOf(' ');
            List<String> expected = Arrays.stream(v.substring(space).split("[,\\s]+")).filter(p -> !p.isEmpty()).toList();
            assertEquals(expected, SigV4Verifier.components(v, space), v);
        }
    }

    @Test
    void aPlainAmzDateIsReadAsTheFormatterReadsItAndAnythingOddIsLeftToTheFormatter() {
        Random random = new Random(16);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_402_300_799L));
            String text = SigV4.AMZ_DATE.format(t);
            assertEquals(t, SigV4Verifier.plainAmzDate(text), text);
        }
        assertEquals(Instant.parse("2024-02-29T23:59:59Z"), SigV4Verifier.plainAmzDate("20240229T235959Z"));
        for (String odd : List.of("20230229T000000Z", "20261131T000000Z", "20261207T240000Z", "20261207T006000Z",
                "20261207T000060Z", "20261300T000000Z", "20261200T000000Z", "2026120T7000000Z", "20261207T000000z",
                "20261207 000000Z", "+2026120T000000Z", "2026-12-07T00:00", "", "20261207T00000\u0661Z")) {
            assertNull(SigV4Verifier.plainAmzDate(odd), odd);   // the formatter then accepts or refuses it, as before
        }
    }
}
