package io.strata.auth;

import io.strata.auth.Policy.Condition;
import io.strata.auth.Policy.Effect;
import io.strata.auth.Policy.Statement;

import java.util.Set;

/**
 * Whether a bucket policy is "public" as S3 Block Public Access defines it ("The meaning of
 * public" in the S3 user guide; PublicAccessBlockConfiguration in the API reference). A policy is
 * public when one of its Allow statements grants to everyone: a wildcard principal (or NotPrincipal)
 * that no condition narrows to fixed values. A condition narrows it when it limits aws:SourceIp to
 * CIDRs other than the whole address space, or pins one of S3's fixed-value keys (aws:SourceArn,
 * aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:PrincipalOrgID,
 * aws:PrincipalAccount, aws:userid, s3:x-amz-server-side-encryption-aws-kms-key-id) with an exact,
 * wildcard-free value. Statements whose actions cannot reach S3 data ("bad actions": s3:Get*,
 * s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject) are not public. Stateless.
 */
public final class PublicPolicy {
    private static final Set<String> FIXED_KEYS = Set.of("aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
            "aws:sourceowner", "aws:sourceaccount", "aws:principalorgid", "aws:principalaccount", "aws:userid",
            "s3:x-amz-server-side-encryption-aws-kms-key-id");
    private static final Set<String> EXACT_OPERATORS = Set.of("stringequals", "stringequalsignorecase", "arnequals");
    private static final String[] BAD_ACTIONS = {"s3:get", "s3:list", "s3:put", "s3:delete", "s3:abortmultipartupload",
            "s3:restoreobject"};

    private PublicPolicy() {
    }

    /** True if any statement of {@code policy} grants access to the public. */
    public static boolean isPublic(Policy policy) {
        for (Statement s : policy.statements()) {
            if (publicStatement(s)) return true;
        }
        return false;
    }

    private static boolean publicStatement(Statement s) {
        if (s.effect() != Effect.ALLOW) return false;
        boolean everyone = s.notPrincipal() || s.principals().stream().anyMatch(p -> p.contains("*"));
        if (!everyone || !touchesData(s)) return false;
        for (Condition c : s.conditions()) {
            if (narrows(c)) return false;
        }
        return true;
    }

    /** NotAction is treated as reaching data: it grants everything but a few actions. */
    private static boolean touchesData(Statement s) {
        if (s.notAction()) return true;
        for (String a : s.actions()) {
            if (a.equals("*") || a.equals("s3:*")) return true;
            for (String bad : BAD_ACTIONS) {
                // "s3:get*" or "s3:getobject" (bad prefix), or a wildcard pattern that could match one ("s3:*object").
                if (a.startsWith(bad) || (a.contains("*") || a.contains("?")) && Glob.matches(a, bad + "object")) return true;
            }
        }
        return false;
    }

    private static boolean narrows(Condition c) {
        if (c.ifExists() || c.forAll()) return false;       // an absent key satisfies these: they narrow nothing
        String op = c.operator();
        if (c.key().equals("aws:sourceip") && op.equals("ipaddress")) {
            return c.values().stream().noneMatch(PublicPolicy::wholeAddressSpace);
        }
        if (FIXED_KEYS.contains(c.key()) && EXACT_OPERATORS.contains(op)) {
            return c.values().stream().noneMatch(v -> v.contains("*") || v.contains("?"));
        }
        return false;
    }

    private static boolean wholeAddressSpace(String cidr) {
        String v = cidr.strip();
        return v.endsWith("/0") || v.equals("*");
    }
}
