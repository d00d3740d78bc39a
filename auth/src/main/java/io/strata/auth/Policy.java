package io.strata.auth;

import io.strata.auth.AuthException.Reason;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A bucket policy in the IAM policy language, parsed and validated ({@link PolicyParser}). Immutable
 * and thread-safe; evaluated by {@link AccessEvaluator}. Only the structure is kept: the gateway stores
 * and returns the document's original text.
 *
 * @param version    "2012-10-17" or "2008-10-17"
 * @param id         the optional policy Id, "" when absent
 * @param statements at least one
 */
public record Policy(String version, String id, List<Statement> statements) {
    /** Largest bucket policy S3 accepts, in bytes. */
    public static final int MAX_SIZE = 20 * 1024;

    public Policy {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(id, "id");
        statements = List.copyOf(statements);
    }

    /**
     * Parses and validates a bucket policy for {@code bucket}: every Resource must name that bucket
     * or objects in it, every Action must be an S3 action (wildcards allowed).
     *
     * @throws AuthException MALFORMED_POLICY with a message naming what is wrong
     */
    public static Policy parse(String json, String bucket) {
        return PolicyParser.parse(json, bucket);
    }

    /** Allow or Deny. */
    public enum Effect { ALLOW, DENY }

    /**
     * One statement. A principal list of {@code ["*"]} matches everyone, anonymous requests included.
     *
     * @param sid          the Sid, "" when absent
     * @param notPrincipal true if {@code principals} came from NotPrincipal
     * @param principals   AWS principal values (access keys, IAM ARNs, account ids, or "*")
     * @param notAction    true if {@code actions} came from NotAction
     * @param actions      lower-case action patterns ("s3:get*", "*")
     * @param notResource  true if {@code resources} came from NotResource
     * @param resources    resource patterns ("arn:aws:s3:::bucket/prefix/*", "*")
     * @param conditions   all must hold
     */
    public record Statement(String sid, Effect effect, boolean notPrincipal, List<String> principals,
                            boolean notAction, List<String> actions, boolean notResource, List<String> resources,
                            List<Condition> conditions) {
        public Statement {
            Objects.requireNonNull(sid, "sid");
            Objects.requireNonNull(effect, "effect");
            principals = List.copyOf(principals);
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
            conditions = List.copyOf(conditions);
        }
    }

    /**
     * One condition: an operator applied to one context key and its values (any value may match).
     *
     * @param operator the operator without the IfExists suffix and set prefix, e.g. "StringLike"
     * @param ifExists the operator had the IfExists suffix: an absent key satisfies it
     * @param forAll   the operator had the ForAllValues: prefix
     * @param key      the context key, lower case ("aws:sourceip")
     * @param values   the values to compare with, as strings
     */
    public record Condition(String operator, boolean ifExists, boolean forAll, String key, List<String> values) {
        public Condition {
            Objects.requireNonNull(operator, "operator");
            key = key.toLowerCase(Locale.ROOT);
            values = List.copyOf(values);
        }
    }

    static AuthException malformed(String message) {
        return new AuthException(Reason.MALFORMED_POLICY, message);
    }
}
