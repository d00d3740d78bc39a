package io.strata.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The admin API's JSON reader, which the server runs on request bodies of up to 64 KiB. */
class AdminJsonTest {
    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(64 * 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Json(deep).value());
        assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
        String objects = "{\"a\":".repeat(10_000);
        assertThrows(IllegalArgumentException.class, () -> new Json(objects).value());
    }

    @Test
    void settingsWithinTheLimitsParse() {
        assertEquals(Map.of("endpoint", "http://h:9000", "retries", 3L, "ratio", 0.5, "tags", List.of(true)),
                Json.parse(" {\"endpoint\":\"http://h:9000\",\"retries\":3,\"ratio\":0.5,\"tags\":[true]} "));
        String nested = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertTrue(Json.parse(nested) instanceof List<?>);
    }

    @Test
    void hugeLongAndTruncatedValuesAreRefusedWithAMessage() {
        for (String bad : new String[] {"{\"n\":" + "9".repeat(100_000) + "}", "{\"n\":99999999999999999999}", "{\"a\":",
                "{\"a\":\"x", "[1,2", "{} trailing", "\"\\u12\"", "", "{\"a\" 1}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage() != null && e.getMessage().length() < 200, bad + " -> " + e.getMessage());
        }
        // A settings body may hold a secret: a refusal names where, never what.
        for (String bad : new String[] {"{\"secret-key\":s3cr3tValue}", "{\"k\":\"\\uzzzz s3cr3tValue\"}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(!e.getMessage().contains("s3cr3t") && !e.getMessage().contains("zzzz"), e.getMessage());
        }
    }

    @Test
    void randomBodiesParseOrAreRefusedWithinTheirWorkBudget() {
        Random random = new Random(41);
        String[] fragments = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u00e9", "true", "null", "1e999999999", "-",
                "99999999999999999999", "0.5", "\"endpoint\"", "\"x\"", " ", "\n"};
        for (int n = 0; n < 3000; n++) {
            StringBuilder b = new StringBuilder();
            int parts = random.nextInt(60);
            for (int p = 0; p < parts; p++) b.append(fragments[random.nextInt(fragments.length)]);
            String text = b.toString();
            Json m = new Json(text);
            try {
                m.value();
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // refused; Json.parse turns the second kind into the first
            }
            assertTrue(m.work() <= 2L * text.length() + 8, "work " + m.work() + " for " + text);
            try {
                Json.parse(text);
            } catch (IllegalArgumentException e) {
                // the parser's own refusal
            }
        }
    }
}
