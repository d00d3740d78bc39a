package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds the JSON parser, the bucket policy parser and the POST policy decoder random and adversarial
 * documents (deep nesting, huge exponents, long strings, many members, truncation, random bytes).
 * Every input must end in a value or the parser's own refusal, at a cost bounded by a constant times
 * its length: the budget is counted in operations, never in wall-clock time.
 */
class JsonFuzzTest {
    private static final int INPUTS = 3000;
    /** Work per input character, plus a constant: the parser examines each character a few times. */
    private static final long PER_CHAR = 4;
    private static final long CONSTANT = 64;

    private static final String[] FRAGMENTS = {
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\u00e9", "true", "false", "null", "-", "0", "1",
            "1e999999999", "-1E-999999999", "9".repeat(70), "0.000000001", "1e", "1.", "\"Statement\"", "\"Effect\"",
            "\"Allow\"", "\"Deny\"", "\"Principal\"", "\"*\"", "\"Action\"", "\"s3:*\"", "\"s3:GetObject\"",
            "\"Resource\"", "\"arn:aws:s3:::b/*\"", "\"Condition\"", "\"NumericLessThan\"", "\"DateLessThan\"",
            "\"s3:max-keys\"", "\"99999999999999999\"", "\"Version\"", "\"2012-10-17\"", " ", "\n", "\u0000",
            "\"expiration\"", "\"2099-01-01T00:00:00Z\"", "\"conditions\"", "\"content-length-range\"", "\"eq\"",
            "\"$key\"", "\"starts-with\""};

    private static final String TEMPLATE = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"s\",\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":[\"*\"]},\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::b\","
            + "\"arn:aws:s3:::b/*\"],\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":[1e999999999,\"7\"]},"
            + "\"DateLessThan\":{\"aws:CurrentTime\":\"2099-01-01T00:00:00Z\"},\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]}";

    @Test
    void everyInputEndsInAValueOrAJsonErrorWithinItsWorkBudget() {
        Random random = new Random(11);
        for (int i = 0; i < INPUTS; i++) {
            String input = input(random);
            // Refused or parsed, the budget holds: a refusal found late is work too.
            Json.Measured m = Json.parseMeasured(input);
            assertTrue(m.work() <= PER_CHAR * input.length() + CONSTANT,
                    "work " + m.work() + " for " + input.length() + " characters: " + abbreviate(input));
        }
    }

    @Test
    void everyPolicyParsesOrIsMalformedAndItsValuesStayWithinItsSize() {
        Random random = new Random(12);
        for (int i = 0; i < INPUTS; i++) {
            String input = input(random);
            try {
                Policy p = Policy.parse(input, "b");
                // What a parse creates is bounded by what it read: no value is longer than the input
                // allows (a billion-digit number once came out of 200 bytes).
                long created = 0;
                for (Policy.Statement s : p.statements()) {
                    created += size(s.principals()) + size(s.actions()) + size(s.resources()) + s.sid().length();
                    for (Policy.Condition c : s.conditions()) created += c.key().length() + size(c.values());
                }
                assertTrue(created <= 2L * input.length() + CONSTANT, "created " + created + " from " + abbreviate(input));
            } catch (AuthException e) {
                assertEquals(AuthException.Reason.MALFORMED_POLICY, e.reason(), e.getMessage());
            }
        }
    }

    @Test
    void everyPostPolicyDecodesOrIsAnInvalidArgument() {
        Random random = new Random(13);
        for (int i = 0; i < INPUTS; i++) {
            String json = input(random);
            String base64 = random.nextInt(10) == 0 ? json : Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
            try {
                PostPolicy.decode(base64);
            } catch (AuthException e) {
                assertEquals(AuthException.Reason.INVALID_ARGUMENT, e.reason(), e.getMessage());
            }
        }
    }

    @Test
    void adversarialShapesAreRefusedOrParsedCheaply() {
        List<String> inputs = List.of(
                "[".repeat(100_000),
                "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH),
                "{\"a\":".repeat(10_000),
                "\"" + "x".repeat(1_000_000) + "\"",
                "\"" + "\\u0041".repeat(100_000) + "\"",
                "[" + "1e999999999,".repeat(50_000) + "1]",
                "{" + "\"k\":0,".repeat(1000) + "\"z\":0}",
                "-" + "1".repeat(100_000),
                "1e" + "9".repeat(100_000));
        for (String input : inputs) {
            try {
                Json.Measured m = Json.parseMeasured(input);
                assertTrue(m.work() <= PER_CHAR * input.length() + CONSTANT, "work " + m.work() + " for " + abbreviate(input));
                if (m.error() != null) {
                    assertTrue(m.error().getMessage().length() < 200, "the message is short: " + abbreviate(m.error().getMessage()));
                }
            } catch (RuntimeException | StackOverflowError e) {
                fail("not the parser's own exception for " + abbreviate(input) + ": " + e);
            }
        }
    }

    /** Random fragments, a mutated policy template, or random characters, sometimes truncated. */
    private static String input(Random random) {
        String s = switch (random.nextInt(4)) {
            case 0 -> {
                StringBuilder b = new StringBuilder();
                int n = random.nextInt(60);
                for (int i = 0; i < n; i++) b.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                yield b.toString();
            }
            case 1, 2 -> {
                StringBuilder b = new StringBuilder(TEMPLATE);
                int edits = random.nextInt(4);
                for (int i = 0; i < edits; i++) {
                    int at = random.nextInt(b.length() + 1);
                    b.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                }
                yield b.toString();
            }
            default -> {
                char[] c = new char[random.nextInt(200)];
                for (int i = 0; i < c.length; i++) c[i] = (char) random.nextInt(random.nextBoolean() ? 128 : 0x10000);
                yield new String(c);
            }
        };
        return random.nextInt(5) == 0 && !s.isEmpty() ? s.substring(0, random.nextInt(s.length())) : s;
    }

    private static long size(List<String> values) {
        long n = 0;
        for (String v : values) n += v.length();
        return n;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "... (" + s.length() + " chars)";
    }

}
