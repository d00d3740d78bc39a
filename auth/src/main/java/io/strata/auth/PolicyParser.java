package io.strata.auth;

import io.strata.auth.Policy.Condition;
import io.strata.auth.Policy.Effect;
import io.strata.auth.Policy.Statement;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns bucket policy JSON into a {@link Policy}, refusing what S3 refuses with MalformedPolicy: bad
 * JSON, unknown top-level or statement elements, a missing Effect, Principal, Action or Resource,
 * actions that are not S3 actions, resources outside the bucket, actions that apply to none of the
 * statement's resources, unknown condition operators and values that do not fit their operator.
 * Stateless and thread-safe.
 */
final class PolicyParser {
    static final Set<String> OPERATORS = Set.of(
            "stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase",
            "stringlike", "stringnotlike", "numericequals", "numericnotequals", "numericlessthan",
            "numericlessthanequals", "numericgreaterthan", "numericgreaterthanequals", "dateequals",
            "datenotequals", "datelessthan", "datelessthanequals", "dategreaterthan", "dategreaterthanequals",
            "bool", "ipaddress", "notipaddress", "arnequals", "arnlike", "arnnotequals", "arnnotlike", "null");
    private static final String S3_ARN = "arn:aws:s3:::";

    private PolicyParser() {
    }

    static Policy parse(String json, String bucket) {
        if (json.isBlank()) throw Policy.malformed("Policies must be valid JSON and the first byte must be '{'");
        if (json.length() > Policy.MAX_SIZE) {
            throw Policy.malformed("Policy exceeds the maximum allowed document size of " + Policy.MAX_SIZE + " bytes");
        }
        Object root;
        try {
            root = Json.parse(json);
        } catch (Json.JsonException e) {
            throw Policy.malformed("Policies must be valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> doc)) throw Policy.malformed("Policies must be a JSON object");
        String version = "2008-10-17";
        String id = "";
        Object statementValue = null;
        for (var e : doc.entrySet()) {
            String name = (String) e.getKey();
            switch (name) {
                case "Version" -> {
                    version = string(e.getValue(), "Version");
                    if (!version.equals("2012-10-17") && !version.equals("2008-10-17")) {
                        throw Policy.malformed("The policy must contain a valid version string");
                    }
                }
                case "Id" -> id = string(e.getValue(), "Id");
                case "Statement" -> statementValue = e.getValue();
                default -> throw Policy.malformed("Unknown field " + SigV4Verifier.truncate(name));
            }
        }
        if (statementValue == null) throw Policy.malformed("Missing required field Statement");
        List<Object> raw = statementValue instanceof List<?> l ? new ArrayList<>(l) : List.of(statementValue);
        if (raw.isEmpty()) throw Policy.malformed("Could not parse the policy: Statement is empty!");
        List<Statement> statements = new ArrayList<>();
        Set<String> sids = new HashSet<>();
        for (Object s : raw) {
            Statement st = statement(s, bucket);
            if (!st.sid().isEmpty() && !sids.add(st.sid())) {
                throw Policy.malformed("Statement IDs (SID) in a single policy must be unique: " + st.sid());
            }
            statements.add(st);
        }
        return new Policy(version, id, statements);
    }

    private static Statement statement(Object value, String bucket) {
        if (!(value instanceof Map<?, ?> m)) throw Policy.malformed("Each Statement must be a JSON object");
        String sid = "";
        Effect effect = null;
        Boolean notPrincipal = null;
        List<String> principals = null;
        Boolean notAction = null;
        List<String> actions = null;
        Boolean notResource = null;
        List<String> resources = null;
        List<Condition> conditions = List.of();
        for (var e : m.entrySet()) {
            String name = (String) e.getKey();
            Object v = e.getValue();
            switch (name) {
                case "Sid" -> sid = string(v, "Sid");
                case "Effect" -> {
                    String text = string(v, "Effect");
                    effect = switch (text) {
                        case "Allow" -> Effect.ALLOW;
                        case "Deny" -> Effect.DENY;
                        default -> throw Policy.malformed("Invalid effect: " + SigV4Verifier.truncate(text));
                    };
                }
                case "Principal", "NotPrincipal" -> {
                    if (notPrincipal != null) throw Policy.malformed("A statement may have Principal or NotPrincipal, not both");
                    notPrincipal = name.equals("NotPrincipal");
                    principals = principals(v);
                }
                case "Action", "NotAction" -> {
                    if (notAction != null) throw Policy.malformed("A statement may have Action or NotAction, not both");
                    notAction = name.equals("NotAction");
                    actions = actions(strings(v, name));
                }
                case "Resource", "NotResource" -> {
                    if (notResource != null) throw Policy.malformed("A statement may have Resource or NotResource, not both");
                    notResource = name.equals("NotResource");
                    resources = resources(strings(v, name), bucket);
                }
                case "Condition" -> conditions = conditions(v);
                default -> throw Policy.malformed("Unknown field " + SigV4Verifier.truncate(name));
            }
        }
        if (effect == null) throw Policy.malformed("Missing required field Effect");
        if (principals == null) throw Policy.malformed("Missing required field Principal");
        if (actions == null) throw Policy.malformed("Missing required field Action");
        if (resources == null) throw Policy.malformed("Missing required field Resource");
        if (!notAction && !notResource) requireApplicable(actions, resources);
        return new Statement(sid, effect, notPrincipal, principals, notAction, actions, notResource, resources, conditions);
    }

    /** "*", {"AWS": "*" | id | [ids]}; other principal types (Service, CanonicalUser, Federated) never match here. */
    private static List<String> principals(Object v) {
        if (v instanceof String s) {
            if (!s.equals("*")) throw Policy.malformed("Invalid principal in policy: a string Principal must be \"*\"");
            return List.of("*");
        }
        if (!(v instanceof Map<?, ?> m) || m.isEmpty()) throw Policy.malformed("Invalid principal in policy");
        List<String> out = new ArrayList<>();
        for (var e : m.entrySet()) {
            String type = (String) e.getKey();
            List<String> values = strings(e.getValue(), "Principal");
            switch (type) {
                case "AWS" -> {
                    for (String p : values) {
                        if (p.isBlank()) throw Policy.malformed("Invalid principal in policy: empty AWS principal");
                        out.add(p.strip());
                    }
                }
                case "CanonicalUser", "Service", "Federated" -> {
                    // Valid IAM, but no request to this gateway carries such a principal.
                }
                default -> throw Policy.malformed("Invalid principal in policy: unknown principal type "
                        + SigV4Verifier.truncate(type));
            }
        }
        return out;
    }

    private static List<String> actions(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String a : values) {
            String lower = a.toLowerCase(Locale.ROOT);
            if (!lower.equals("*")) {
                if (!lower.startsWith("s3:")) throw Policy.malformed("Policy has invalid action: " + SigV4Verifier.truncate(a));
                boolean any = false;
                for (String known : S3Actions.ALL.keySet()) {
                    if (Glob.matches(lower, known)) {
                        any = true;
                        break;
                    }
                }
                if (!any) throw Policy.malformed("Policy has invalid action: " + SigV4Verifier.truncate(a));
            }
            out.add(lower);
        }
        return out;
    }

    private static List<String> resources(List<String> values, String bucket) {
        for (String r : values) {
            if (r.equals("*")) continue;
            if (!r.startsWith(S3_ARN) || r.length() == S3_ARN.length()) {
                throw Policy.malformed("Policy has invalid resource: " + SigV4Verifier.truncate(r));
            }
            String rest = r.substring(S3_ARN.length());
            int slash = rest.indexOf('/');
            String bucketPattern = slash < 0 ? rest : rest.substring(0, slash);
            // S3: a bucket policy may only name its own bucket (a wildcard that covers it is fine).
            if (!Glob.matches(bucketPattern, bucket) && !(slash < 0 && Glob.matches(rest, bucket + "/"))) {
                throw Policy.malformed("Policy has invalid resource: " + SigV4Verifier.truncate(r));
            }
        }
        return values;
    }

    /** S3 refuses a statement whose actions cannot apply to any of its resources (s3:GetObject on a bucket ARN). */
    private static void requireApplicable(List<String> actions, List<String> resources) {
        boolean bucketResource = false;
        boolean objectResource = false;
        for (String r : resources) {
            String rest = r.equals("*") ? "*" : r.substring(S3_ARN.length());
            if (rest.contains("/")) {
                objectResource = true;
            } else if (rest.contains("*")) {
                bucketResource = true;
                objectResource = true;
            } else {
                bucketResource = true;
            }
        }
        for (String a : actions) {
            boolean applies = false;
            for (var known : S3Actions.ALL.entrySet()) {
                if (!Glob.matches(a, known.getKey())) continue;
                if ((known.getValue() == S3Actions.Kind.BUCKET && bucketResource)
                        || (known.getValue() == S3Actions.Kind.OBJECT && objectResource)) {
                    applies = true;
                    break;
                }
            }
            if (!applies) throw Policy.malformed("Action does not apply to any resource(s) in statement: " + a);
        }
    }

    private static List<Condition> conditions(Object v) {
        if (!(v instanceof Map<?, ?> m)) throw Policy.malformed("Condition must be a JSON object");
        List<Condition> out = new ArrayList<>();
        for (var e : m.entrySet()) {
            String op = (String) e.getKey();
            String base = op;
            boolean forAll = false;
            if (base.startsWith("ForAnyValue:")) {
                base = base.substring("ForAnyValue:".length());
            } else if (base.startsWith("ForAllValues:")) {
                base = base.substring("ForAllValues:".length());
                forAll = true;
            }
            boolean ifExists = base.endsWith("IfExists");
            if (ifExists) base = base.substring(0, base.length() - "IfExists".length());
            String lower = base.toLowerCase(Locale.ROOT);
            if (!OPERATORS.contains(lower) || (ifExists && lower.equals("null"))) {
                throw Policy.malformed("Invalid Condition type : " + SigV4Verifier.truncate(op));
            }
            if (!(e.getValue() instanceof Map<?, ?> keys) || keys.isEmpty()) {
                throw Policy.malformed("Condition " + op + " must map keys to values");
            }
            for (var k : keys.entrySet()) {
                String key = (String) k.getKey();
                if (key.indexOf(':') <= 0) throw Policy.malformed("Policy has an invalid condition key: " + SigV4Verifier.truncate(key));
                List<String> values = strings(k.getValue(), "Condition");
                for (String value : values) validateValue(lower, value);
                out.add(new Condition(lower, ifExists, forAll, key, values));
            }
        }
        return out;
    }

    private static void validateValue(String op, String value) {
        try {
            if (op.startsWith("numeric")) {
                numeric(value);
            } else if (op.startsWith("date")) {
                parseDate(value);
            } else if (op.endsWith("ipaddress")) {
                Cidr.parse(value);
            } else if ((op.equals("bool") || op.equals("null")) && !value.equalsIgnoreCase("true")
                    && !value.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("not a boolean");
            }
        } catch (IllegalArgumentException | DateTimeException e) {
            // DateTimeException too: an epoch second beyond Instant's range ("99999999999999999")
            // parses as a long but is no date.
            throw Policy.malformed("Invalid Condition value for " + op + ": " + SigV4Verifier.truncate(value));
        }
    }

    /**
     * A numeric condition value: a number whose plain decimal form has at most 64 characters. A 200-byte
     * policy with the value 1e999999999 once expanded it to a billion-digit string; such values are
     * refused (MalformedPolicy) rather than kept, because no condition key S3 sets (s3:max-keys,
     * s3:signatureAge, s3:object-lock-remaining-retention-days, ...) comes anywhere near them, and a
     * refusal at PUT leaves nothing for later code to expand by mistake. The size of the plain form is
     * computed from precision and scale, so checking costs the same whatever the exponent. Request
     * values go through the same check: one beyond it is not a number and matches no numeric operator.
     *
     * @throws NumberFormatException when the text is not such a number
     */
    static BigDecimal numeric(String value) {
        if (value.length() > Json.MAX_NUMBER) throw new NumberFormatException("longer than " + Json.MAX_NUMBER);
        BigDecimal d = new BigDecimal(value.strip());
        long digits = d.scale() <= 0 ? (long) d.precision() - d.scale() : Math.max(d.precision(), d.scale() + 1L) + 1;
        if (digits + (d.signum() < 0 ? 1 : 0) > Json.MAX_NUMBER) throw new NumberFormatException("out of range");
        return d;
    }

    static Instant parseDate(String value) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) return Instant.ofEpochSecond(Long.parseLong(value));
        return Instant.parse(value);
    }

    private static String string(Object v, String field) {
        if (v instanceof String s) return s;
        throw Policy.malformed(field + " must be a string");
    }

    /** A string or an array of strings; numbers and booleans (in conditions) become their text. */
    private static List<String> strings(Object v, String field) {
        List<Object> items = v instanceof List<?> l ? new ArrayList<>(l) : List.of(v);
        if (items.isEmpty()) throw Policy.malformed(field + " must not be empty");
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            switch (o) {
                case String s -> out.add(s);
                // toString, never toPlainString: 1e999999999 stays "1E+999999999" (12 characters)
                // instead of a billion digits, and is refused by its operator's check (numeric);
                // numeric operators compare numbers (AccessEvaluator), so the spelling is irrelevant.
                case BigDecimal d when field.equals("Condition") -> out.add(d.toString());
                case Boolean b when field.equals("Condition") -> out.add(b.toString());
                default -> throw Policy.malformed(field + " must be a string or an array of strings");
            }
        }
        return out;
    }
}
