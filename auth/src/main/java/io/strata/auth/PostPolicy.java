package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The policy document of a browser-based (POST) upload: an expiration and the conditions every form
 * field must meet ("Creating a POST policy", S3 API reference). Immutable and thread-safe.
 * Refusals are {@link AuthException}s: {@code INVALID_ARGUMENT} for a document that does not parse,
 * {@code DENIED} ("Invalid according to Policy: ...") for an expired policy, a failed condition or
 * a field no condition covers, {@code ENTITY_TOO_SMALL}/{@code ENTITY_TOO_LARGE} for the file size.
 */
public final class PostPolicy {
    /** Largest policy document accepted (base64 text), far above what SDKs generate. */
    public static final int MAX_POLICY = 20 * 1024;
    /** Fields no condition needs to cover (AWS: the signature fields, file, policy and x-ignore-*). */
    private static final Set<String> EXEMPT = Set.of("policy", "x-amz-signature", "signature", "awsaccesskeyid", "file");

    /** One field condition: exact match or prefix, on a lower-case field name. */
    private record Rule(boolean prefix, String field, String value, String text) {
    }

    private final Instant expiration;
    private final List<Rule> rules;
    private final long minLength;
    private final long maxLength;

    private PostPolicy(Instant expiration, List<Rule> rules, long minLength, long maxLength) {
        this.expiration = expiration;
        this.rules = List.copyOf(rules);
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    /** Decodes the base64 {@code policy} form field. */
    public static PostPolicy decode(String base64) {
        if (base64.length() > MAX_POLICY) throw invalid("Policy document is larger than " + MAX_POLICY + " bytes.");
        Object doc;
        try {
            doc = Json.parse(new String(Base64.getMimeDecoder().decode(base64.strip()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw invalid("Invalid Policy: Invalid JSON.");
        }
        if (!(doc instanceof Map<?, ?> m)) throw invalid("Invalid Policy: Invalid JSON.");
        if (!(m.get("expiration") instanceof String exp)) {
            throw invalid("Invalid Policy: Policy missing expiration.");
        }
        Instant expiration;
        try {
            expiration = Instant.parse(exp);
        } catch (DateTimeException e) {
            throw invalid("Invalid Policy: Invalid 'expiration' value: '" + SigV4Verifier.truncate(exp) + "'");
        }
        if (!(m.get("conditions") instanceof List<?> conditions)) {
            throw invalid("Invalid Policy: Policy missing conditions.");
        }
        List<Rule> rules = new ArrayList<>();
        long min = 0;
        long max = Long.MAX_VALUE;
        for (Object c : conditions) {
            if (c instanceof Map<?, ?> eq) {
                if (eq.size() != 1) throw invalid("Invalid Policy: Invalid Simple-Condition: exactly one property expected.");
                var e = eq.entrySet().iterator().next();
                if (!(e.getValue() instanceof String v)) throw invalid("Invalid Policy: Invalid Simple-Condition value.");
                String field = ((String) e.getKey()).toLowerCase(Locale.ROOT);
                rules.add(new Rule(false, field, v, "[\"eq\", \"$" + e.getKey() + "\", \"" + v + "\"]"));
            } else if (c instanceof List<?> l && l.size() == 3 && l.getFirst() instanceof String op) {
                switch (op.toLowerCase(Locale.ROOT)) {
                    case "eq", "starts-with" -> {
                        if (!(l.get(1) instanceof String f) || !f.startsWith("$") || !(l.get(2) instanceof String v)) {
                            throw invalid("Invalid Policy: Invalid " + op + " condition.");
                        }
                        boolean prefix = op.equalsIgnoreCase("starts-with");
                        rules.add(new Rule(prefix, f.substring(1).toLowerCase(Locale.ROOT), v,
                                "[\"" + op + "\", \"" + f + "\", \"" + v + "\"]"));
                    }
                    case "content-length-range" -> {
                        try {
                            min = number(l.get(1));
                            max = number(l.get(2));
                        } catch (RuntimeException e) {
                            throw invalid("Invalid Policy: Invalid content-length-range condition.");
                        }
                        if (min < 0 || max < min) throw invalid("Invalid Policy: Invalid content-length-range condition.");
                    }
                    default -> throw invalid("Invalid Policy: Invalid condition type: " + SigV4Verifier.truncate(op));
                }
            } else {
                throw invalid("Invalid Policy: Invalid condition.");
            }
        }
        return new PostPolicy(expiration, rules, min, max);
    }

    private static long number(Object o) {
        return switch (o) {
            case BigDecimal d -> d.longValueExact();
            case String s -> Long.parseLong(s.strip());
            default -> throw new IllegalArgumentException("not a number");
        };
    }

    /** When the policy stops being valid. */
    public Instant expiration() {
        return expiration;
    }

    /**
     * Checks the expiration and every field condition against the form.
     *
     * @param fields form fields before the file, names lower case, values as sent
     * @param bucket the bucket the form was posted to (the {@code bucket} condition)
     */
    public void check(Map<String, String> fields, String bucket, Instant now) {
        Objects.requireNonNull(fields, "fields");
        if (now.isAfter(expiration)) throw new AuthException(Reason.DENIED, "Invalid according to Policy: Policy expired.");
        Set<String> covered = new HashSet<>();
        for (Rule r : rules) {
            covered.add(r.field());
            String actual = r.field().equals("bucket") ? bucket : fields.getOrDefault(r.field(), "");
            boolean ok = r.prefix() ? actual.startsWith(r.value()) : actual.equals(r.value());
            if (!ok) {
                throw new AuthException(Reason.DENIED, "Invalid according to Policy: Policy Condition failed: " + r.text());
            }
        }
        List<String> extra = new ArrayList<>();
        for (String name : fields.keySet()) {
            // Checksum fields need no condition, as on S3: they can only make the upload fail (BadDigest).
            if (!EXEMPT.contains(name) && !name.startsWith("x-ignore-") && !name.startsWith("x-amz-checksum-")
                    && !covered.contains(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new AuthException(Reason.DENIED, "Invalid according to Policy: Extra input fields: " + String.join(", ", extra));
        }
    }

    /** Checks the file's size against content-length-range. */
    public void checkLength(long length) {
        if (length < minLength) {
            throw new AuthException(Reason.ENTITY_TOO_SMALL, "Your proposed upload is smaller than the minimum allowed size");
        }
        if (length > maxLength) {
            throw new AuthException(Reason.ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed size");
        }
    }

    private static AuthException invalid(String message) {
        return new AuthException(Reason.INVALID_ARGUMENT, message);
    }

    @Override
    public String toString() {
        return "PostPolicy[expiration=" + expiration + ", conditions=" + rules.size() + "]";
    }
}
