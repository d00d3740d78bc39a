package io.strata.auth;

import io.strata.auth.Policy.Condition;
import io.strata.auth.Policy.Effect;
import io.strata.auth.Policy.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request may proceed, by AWS's rules for a bucket policy combined with canned
 * ACLs: an explicit Deny in the policy wins; otherwise the bucket owner is allowed; otherwise a
 * matching Allow or an ACL grant allows; otherwise the request is denied. The owner may always read,
 * change and delete the bucket policy itself, so that a policy cannot lock the owner out (as S3
 * treats the bucket owner's root user). Stateless and thread-safe.
 *
 * <p>Only the owner may manage the bucket's configuration where its abuse would widen access: the
 * policy itself, ACLs, CORS, lifecycle, versioning, tagging, replication and encryption
 * ({@link #ownerOnly}). A policy that allows {@code s3:*} to {@code *} grants none of these, as on
 * AWS, where Put/Get/DeleteBucketPolicy are only ever granted to the bucket owner's account;
 * otherwise a grant meant for readers would let anyone replace the policy and keep access for good.
 *
 * <p>Condition keys the request context lacks follow IAM: positive operators do not match,
 * negated ones ({@code StringNotEquals}, {@code NotIpAddress}, ...) do, {@code ...IfExists} does,
 * and {@code Null} tests presence.
 */
public final class AccessEvaluator {
    /** The outcome of a policy alone. */
    public enum Decision { ALLOW, DENY, NOT_APPLICABLE }

    private static final Set<String> POLICY_ACTIONS = Set.of("s3:getbucketpolicy", "s3:putbucketpolicy",
            "s3:deletebucketpolicy");

    /** Everything in {@link #POLICY_ACTIONS} plus the configuration writes that could widen access. */
    private static final Set<String> OWNER_ONLY = Set.of("s3:getbucketpolicy", "s3:putbucketpolicy",
            "s3:deletebucketpolicy", "s3:putbucketacl", "s3:putobjectacl", "s3:putobjectversionacl",
            "s3:putbucketcors", "s3:putlifecycleconfiguration", "s3:putbucketversioning", "s3:putbuckettagging",
            "s3:putreplicationconfiguration", "s3:putencryptionconfiguration", "s3:putbucketownershipcontrols",
            "s3:putbucketpublicaccessblock", "s3:deletebucketpublicaccessblock", "s3:putbucketobjectlockconfiguration");

    private AccessEvaluator() {
    }

    /**
     * The full decision.
     *
     * @param policy    the bucket's policy, or null
     * @param bucketAcl the bucket's canned ACL
     * @param objectAcl the object's canned ACL for object reads, or null when the action is not about
     *                  an existing object
     */
    public static boolean allowed(Policy policy, CannedAcl bucketAcl, CannedAcl objectAcl, AccessRequest request) {
        if (request.owner() && POLICY_ACTIONS.contains(request.action())) return true;
        if (!request.owner() && OWNER_ONLY.contains(request.action())) return false;
        Decision d = policy == null ? Decision.NOT_APPLICABLE : evaluate(policy, request);
        if (d == Decision.DENY) return false;
        if (request.owner() || d == Decision.ALLOW) return true;
        boolean authenticated = !request.anonymous();
        if (bucketAcl != null && bucketAcl.allows(true, request.action(), authenticated)) return true;
        return objectAcl != null && objectAcl.allows(false, request.action(), authenticated);
    }

    /**
     * True for an action only the bucket owner may perform, whatever a policy or ACL grants: reading
     * or changing the policy, and the configuration writes that could widen access (ACLs, CORS,
     * lifecycle, versioning, tagging, replication, encryption).
     */
    public static boolean ownerOnly(String action) {
        return OWNER_ONLY.contains(action.toLowerCase(Locale.ROOT));
    }

    /** True for Get/Put/DeleteBucketPolicy, which AWS refuses to others with 405 when a grant would allow them. */
    public static boolean policyAction(String action) {
        return POLICY_ACTIONS.contains(action.toLowerCase(Locale.ROOT));
    }

    /** The policy's verdict alone: DENY if any matching statement denies, else ALLOW if one allows. */
    public static Decision evaluate(Policy policy, AccessRequest request) {
        boolean allow = false;
        for (Statement s : policy.statements()) {
            if (!applies(s, request)) continue;
            if (s.effect() == Effect.DENY) return Decision.DENY;
            allow = true;
        }
        return allow ? Decision.ALLOW : Decision.NOT_APPLICABLE;
    }

    private static boolean applies(Statement s, AccessRequest r) {
        return principalMatches(s, r) && actionMatches(s, r) && resourceMatches(s, r) && conditionsHold(s, r);
    }

    private static boolean principalMatches(Statement s, AccessRequest r) {
        boolean listed = false;
        for (String p : s.principals()) {
            if (principalNames(p, r)) {
                listed = true;
                break;
            }
        }
        return s.notPrincipal() != listed;
    }

    /**
     * "*" names everyone, anonymous included. Otherwise a value names a signed request's access key
     * directly or as {@code arn:aws:iam::ACCOUNT:user/KEY}; the owner's account (Strata has one) is
     * named by an account id or {@code arn:aws:iam::ACCOUNT:root}.
     */
    private static boolean principalNames(String p, AccessRequest r) {
        if (p.equals("*")) return true;
        if (r.principal().isEmpty()) return false;
        String key = r.principal().get();
        if (p.equals(key)) return true;
        if (p.startsWith("arn:aws:iam::")) {
            String rest = p.substring("arn:aws:iam::".length());
            int colon = rest.indexOf(':');
            if (colon < 0) return false;
            String what = rest.substring(colon + 1);
            if (what.equals("user/" + key)) return true;
            return what.equals("root") && r.owner();
        }
        return r.owner() && p.length() == 12 && p.chars().allMatch(Character::isDigit);
    }

    private static boolean actionMatches(Statement s, AccessRequest r) {
        boolean listed = false;
        for (String a : s.actions()) {
            if (Glob.matches(a, r.action())) {
                listed = true;
                break;
            }
        }
        return s.notAction() != listed;
    }

    private static boolean resourceMatches(Statement s, AccessRequest r) {
        boolean listed = false;
        for (String pattern : s.resources()) {
            if (Glob.matches(pattern, r.resource())) {
                listed = true;
                break;
            }
        }
        return s.notResource() != listed;
    }

    private static boolean conditionsHold(Statement s, AccessRequest r) {
        for (Condition c : s.conditions()) {
            if (!holds(c, r)) return false;
        }
        return true;
    }

    static boolean holds(Condition c, AccessRequest r) {
        Optional<String> actual = Optional.ofNullable(r.context().get(c.key()));
        String op = c.operator();
        if (op.equals("null")) {
            boolean wantAbsent = c.values().getFirst().equalsIgnoreCase("true");
            return wantAbsent == actual.isEmpty();
        }
        boolean negated = op.contains("not");
        if (actual.isEmpty()) return c.ifExists() || negated || c.forAll();
        boolean any = false;
        for (String v : c.values()) {
            if (positiveMatch(op, v, actual.get())) {
                any = true;
                break;
            }
        }
        return negated != any;
    }

    /** The operator without its negation, applied to one policy value and the request's value. */
    private static boolean positiveMatch(String op, String policyValue, String actual) {
        try {
            return switch (op) {
                case "stringequals", "stringnotequals", "arnequals", "arnnotequals" -> policyValue.equals(actual);
                case "stringequalsignorecase", "stringnotequalsignorecase" -> policyValue.equalsIgnoreCase(actual);
                case "stringlike", "stringnotlike", "arnlike", "arnnotlike" -> Glob.matches(policyValue, actual);
                case "bool" -> policyValue.equalsIgnoreCase(actual);
                case "ipaddress", "notipaddress" -> Cidr.parse(policyValue).contains(actual);
                case "numericequals", "numericnotequals" -> cmp(actual, policyValue) == 0;
                case "numericlessthan" -> cmp(actual, policyValue) < 0;
                case "numericlessthanequals" -> cmp(actual, policyValue) <= 0;
                case "numericgreaterthan" -> cmp(actual, policyValue) > 0;
                case "numericgreaterthanequals" -> cmp(actual, policyValue) >= 0;
                case "dateequals", "datenotequals" -> date(actual).equals(date(policyValue));
                case "datelessthan" -> date(actual).isBefore(date(policyValue));
                case "datelessthanequals" -> !date(actual).isAfter(date(policyValue));
                case "dategreaterthan" -> date(actual).isAfter(date(policyValue));
                case "dategreaterthanequals" -> !date(actual).isBefore(date(policyValue));
                default -> false;
            };
        } catch (RuntimeException e) {
            return false; // a request value that does not parse as the operator's type never matches
        }
    }

    /**
     * Compares as numbers. Both sides pass {@link PolicyParser#numeric}, whose bound keeps each
     * comparison's cost constant: a request's s3:max-keys of 1e999999999 is not a number here.
     */
    private static int cmp(String actual, String policyValue) {
        return PolicyParser.numeric(actual).compareTo(PolicyParser.numeric(policyValue));
    }

    private static Instant date(String s) {
        return PolicyParser.parseDate(s.strip().toUpperCase(Locale.ROOT));
    }
}
