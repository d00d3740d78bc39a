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
    void hugeExponentNumericValueIsMalformedPolicy() {
        // The timeout is only a safety net so that a regression cannot hang the suite; the assertion
        // is the error code.
        AuthException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(AuthException.class, () -> Policy.parse(HUGE_EXPONENT_POLICY, "b")));
        assertEquals(AuthException.Reason.MALFORMED_POLICY, e.reason());
        assertTrue(e.getMessage().length() < 200, e.getMessage());
    }

    @Test
    void numbersWithinRangeCompareAsNumbersAndHugeRequestValuesMatchNothing() {
        Policy p = Policy.parse(HUGE_EXPONENT_POLICY.replace("1e999999999", "1e20"), "b");
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, list("100")));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, list("99999999999999999999")));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("100000000000000000000")));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("2E+20")));
        // A request value beyond the bound is no number, as any value that does not parse.
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("1e999999999")));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, list("1".repeat(5000))));
        Policy fraction = Policy.parse(HUGE_EXPONENT_POLICY.replace("1e999999999", "\"0.5\""), "b");
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(fraction, list("0.25")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"DateLessThan\":{\"aws:CurrentTime\":\"99999999999999999\"}",
            "\"DateLessThan\":{\"aws:CurrentTime\":\"999999999999999999999999\"}",
            "\"NumericLessThan\":{\"s3:max-keys\":\"1e99999999999999999999\"}",
            "\"NumericLessThan\":{\"s3:max-keys\":1e99999999999}",
            "\"NumericLessThan\":{\"s3:max-keys\":\"1e999999999\"}",
            "\"NumericLessThan\":{\"s3:max-keys\":-1e-999999999}",
            "\"NumericEquals\":{\"s3:max-keys\":[5,1e65]}",
            "\"NumericLessThan\":{\"s3:max-keys\":\"1111111111111111111111111111111111111111111111111111111111111111111\"}",
    })
    void outOfRangeConditionValuesAreMalformedPolicy(String condition) {
        String json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{" + condition + "}}]}";
        AuthException e = assertThrows(AuthException.class, () -> Policy.parse(json, "b"));
        assertEquals(AuthException.Reason.MALFORMED_POLICY, e.reason());
    }
}
