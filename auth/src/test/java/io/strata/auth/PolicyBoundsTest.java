package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AccessEvaluator.Decision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Policies whose numbers or dates are out of any sane range parse and evaluate at a bounded cost. */
class PolicyBoundsTest {
    /** About 200 bytes: a numeric condition value that once expanded to a billion-digit string. */
    static final String HUGE_EXPONENT_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":\"*\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\","
            + "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":1e999999999}}}]}";

    private static AccessRequest list(String maxKeys) {
        return new AccessRequest(Optional.empty(), false, "s3:ListBucket", "arn:aws:s3:::b", Map.of("s3:max-keys", maxKeys));
    }

    @Test
    void hugeExponentNumericValueIsKeptAsANumberNotExpanded() {
        // The timeout is only a safety net so that a regression cannot hang the suite; the assertions
        // are on what the parse produced.
        Policy p = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Policy.parse(HUGE_EXPONENT_POLICY, "b"));
        String value = p.statements().getFirst().conditions().getFirst().values().getFirst();
        assertTrue(value.length() <= 64, "condition value kept compact, was " + value.length() + " chars");
        assertEquals(0, new java.math.BigDecimal(value).compareTo(new java.math.BigDecimal("1e999999999")));
    }

    @Test
    void hugeExponentNumericValueComparesAsANumber() {
        Policy p = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Policy.parse(HUGE_EXPONENT_POLICY, "b"));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, list("100")));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, list("9e999999998")));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("1e999999999")));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("2E+999999999")));
        // A request value too long to be a number never matches (as any value that does not parse).
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("1".repeat(5000))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"DateLessThan\":{\"aws:CurrentTime\":\"99999999999999999\"}",
            "\"DateLessThan\":{\"aws:CurrentTime\":\"999999999999999999999999\"}",
            "\"NumericLessThan\":{\"s3:max-keys\":\"1e99999999999999999999\"}",
            "\"NumericLessThan\":{\"s3:max-keys\":1e99999999999}",
            "\"NumericLessThan\":{\"s3:max-keys\":\"1111111111111111111111111111111111111111111111111111111111111111111\"}",
    })
    void outOfRangeConditionValuesAreMalformedPolicy(String condition) {
        String json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{" + condition + "}}]}";
        AuthException e = assertThrows(AuthException.class, () -> Policy.parse(json, "b"));
        assertEquals(AuthException.Reason.MALFORMED_POLICY, e.reason());
    }
}
