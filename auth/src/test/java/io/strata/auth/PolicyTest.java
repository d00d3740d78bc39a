package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.auth.AccessEvaluator.Decision;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PolicyTest {
    private static final String OWNER = "OWNERKEY";

    private static String policy(String statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    }

    private static AccessRequest anon(String action, String resource, Map<String, String> context) {
        return new AccessRequest(Optional.empty(), false, action, resource, context);
    }

    private static AccessRequest owner(String action, String resource) {
        return new AccessRequest(Optional.of(OWNER), true, action, resource, Map.of("aws:SourceIp", "10.0.0.1"));
    }

    @Test
    void publicReadPolicyAllowsAnonymousGetUnderThePrefixOnly() {
        Policy p = Policy.parse(policy("""
                {"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],
                 "Resource":"arn:aws:s3:::photos/public/*"}"""), "photos");
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::photos/public/a.jpg", Map.of())));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::photos/private/a", Map.of())));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:PutObject", "arn:aws:s3:::photos/public/a", Map.of())));
    }

    @Test
    void explicitDenyWinsEvenForTheOwnerButNeverLocksThePolicyAway() {
        Policy p = Policy.parse(policy("""
                {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
                {"Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"arn:aws:s3:::b/*"}"""), "b");
        assertFalse(AccessEvaluator.allowed(p, CannedAcl.PRIVATE, null, owner("s3:DeleteObject", "arn:aws:s3:::b/k")));
        assertTrue(AccessEvaluator.allowed(p, CannedAcl.PRIVATE, null, owner("s3:GetObject", "arn:aws:s3:::b/k")));
        Policy denyAll = Policy.parse(policy("""
                {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"""), "b");
        assertTrue(AccessEvaluator.allowed(denyAll, CannedAcl.PRIVATE, null, owner("s3:DeleteBucketPolicy", "arn:aws:s3:::b")));
        assertFalse(AccessEvaluator.allowed(denyAll, CannedAcl.PRIVATE, null, owner("s3:ListBucket", "arn:aws:s3:::b")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl",
            "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketCORS", "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning", "s3:PutBucketTagging", "s3:PutReplicationConfiguration",
            "s3:PutEncryptionConfiguration"})
    void bucketConfigurationThatWidensAccessIsTheOwnersAloneWhateverThePolicyGrants(String action) {
        Policy everything = Policy.parse(policy("""
                {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"""), "b");
        String resource = action.contains("Object") ? "arn:aws:s3:::b/k" : "arn:aws:s3:::b";
        assertTrue(AccessEvaluator.ownerOnly(action));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(everything, anon(action, resource, Map.of())));
        assertFalse(AccessEvaluator.allowed(everything, CannedAcl.PUBLIC_READ_WRITE, CannedAcl.PUBLIC_READ_WRITE,
                anon(action, resource, Map.of())));
        var other = new AccessRequest(Optional.of("OTHER"), false, action, resource, Map.of());
        assertFalse(AccessEvaluator.allowed(everything, CannedAcl.PUBLIC_READ_WRITE, CannedAcl.PUBLIC_READ_WRITE, other));
        assertTrue(AccessEvaluator.allowed(everything, CannedAcl.PRIVATE, null, owner(action, resource)));
        // Data operations stay grantable: the rule is about configuration, not about sharing objects.
        assertTrue(AccessEvaluator.allowed(everything, CannedAcl.PRIVATE, null, anon("s3:PutObject", "arn:aws:s3:::b/k", Map.of())));
        assertFalse(AccessEvaluator.ownerOnly("s3:PutObject"));
    }

    @Test
    void ownerIsAllowedWithoutPolicyAndAnonymousIsNot() {
        assertTrue(AccessEvaluator.allowed(null, CannedAcl.PRIVATE, null, owner("s3:PutObject", "arn:aws:s3:::b/k")));
        assertFalse(AccessEvaluator.allowed(null, CannedAcl.PRIVATE, CannedAcl.PRIVATE, anon("s3:GetObject", "arn:aws:s3:::b/k", Map.of())));
        var other = new AccessRequest(Optional.of("OTHER"), false, "s3:GetObject", "arn:aws:s3:::b/k", Map.of());
        assertFalse(AccessEvaluator.allowed(null, CannedAcl.PRIVATE, CannedAcl.PRIVATE, other));
        assertTrue(AccessEvaluator.allowed(null, CannedAcl.PRIVATE, CannedAcl.AUTHENTICATED_READ, other));
        assertFalse(AccessEvaluator.allowed(null, CannedAcl.PRIVATE, CannedAcl.AUTHENTICATED_READ,
                anon("s3:GetObject", "arn:aws:s3:::b/k", Map.of())));
    }

    @ParameterizedTest
    @CsvSource({
            // acl, on bucket, action, anonymous allowed
            "public-read, true, s3:ListBucket, true",
            "public-read, true, s3:GetObject, false",
            "public-read, true, s3:PutObject, false",
            "public-read-write, true, s3:PutObject, true",
            "public-read-write, true, s3:DeleteObject, true",
            "public-read-write, true, s3:PutBucketAcl, false",
            "public-read, false, s3:GetObject, true",
            "public-read, false, s3:PutObjectAcl, false",
            "private, false, s3:GetObject, false",
            "authenticated-read, false, s3:GetObject, false",
    })
    void cannedAclGrants(String acl, boolean onBucket, String action, boolean allowed) {
        assertEquals(allowed, CannedAcl.parse(acl).orElseThrow().allows(onBucket, action, false));
    }

    @Test
    void principalsByAccessKeyAndArn() {
        Policy p = Policy.parse(policy("""
                {"Effect":"Allow","Principal":{"AWS":["READER","arn:aws:iam::123456789012:user/OTHER"]},
                 "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"""), "b");
        for (String key : new String[] {"READER", "OTHER"}) {
            var r = new AccessRequest(Optional.of(key), false, "s3:GetObject", "arn:aws:s3:::b/x", Map.of());
            assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, r), key);
        }
        var stranger = new AccessRequest(Optional.of("STRANGER"), false, "s3:GetObject", "arn:aws:s3:::b/x", Map.of());
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, stranger));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::b/x", Map.of())));
    }

    @Test
    void wildcardActionsAndNotActionNotResource() {
        Policy p = Policy.parse(policy("""
                {"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},
                {"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::b/open/*"}"""), "b");
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:GetObjectAcl", "arn:aws:s3:::b/open/x", Map.of())));
        assertEquals(Decision.DENY, AccessEvaluator.evaluate(p, anon("s3:GetObjectAcl", "arn:aws:s3:::b/closed/x", Map.of())));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::b/closed/x", Map.of())));
    }

    @Test
    void conditions() {
        Policy p = Policy.parse(policy("""
                {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
                 "Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]},
                              "StringLike":{"s3:prefix":["home/*",""]},
                              "StringEquals":{"s3:delimiter":"/"}}},
                {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
                 "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
                {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
                 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},
                              "NotIpAddress":{"aws:SourceIp":"198.51.100.7"}}}"""), "b");
        var list = Map.of("aws:SourceIp", "192.0.2.9", "s3:prefix", "home/ann/", "s3:delimiter", "/");
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:ListBucket", "arn:aws:s3:::b", list)));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:ListBucket", "arn:aws:s3:::b",
                Map.of("aws:SourceIp", "2001:db8::1", "s3:prefix", "home/", "s3:delimiter", "/"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:ListBucket", "arn:aws:s3:::b",
                Map.of("aws:SourceIp", "203.0.113.1", "s3:prefix", "home/", "s3:delimiter", "/"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:ListBucket", "arn:aws:s3:::b",
                Map.of("aws:SourceIp", "192.0.2.9", "s3:prefix", "etc/", "s3:delimiter", "/"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:ListBucket", "arn:aws:s3:::b",
                Map.of("aws:SourceIp", "192.0.2.9", "s3:prefix", "home/"))));
        assertEquals(Decision.DENY, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::b/k",
                Map.of("aws:SecureTransport", "false"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:GetObject", "arn:aws:s3:::b/k",
                Map.of("aws:SecureTransport", "true"))));
        assertEquals(Decision.ALLOW, AccessEvaluator.evaluate(p, anon("s3:PutObject", "arn:aws:s3:::b/k",
                Map.of("aws:SecureTransport", "true", "s3:x-amz-acl", "bucket-owner-full-control", "aws:SourceIp", "10.1.1.1"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:PutObject", "arn:aws:s3:::b/k",
                Map.of("aws:SecureTransport", "true", "s3:x-amz-acl", "bucket-owner-full-control", "aws:SourceIp", "198.51.100.7"))));
        assertEquals(Decision.NOT_APPLICABLE, AccessEvaluator.evaluate(p, anon("s3:PutObject", "arn:aws:s3:::b/k",
                Map.of("aws:SecureTransport", "true", "aws:SourceIp", "10.1.1.1"))));
    }

    @Test
    void absentKeysFollowIam() {
        var c = new Policy.Condition("stringnotequals", false, false, "s3:x-amz-acl", java.util.List.of("private"));
        assertTrue(AccessEvaluator.holds(c, anon("s3:PutObject", "arn:aws:s3:::b/k", Map.of())));
        var ifExists = new Policy.Condition("stringequals", true, false, "s3:x-amz-acl", java.util.List.of("private"));
        assertTrue(AccessEvaluator.holds(ifExists, anon("s3:PutObject", "arn:aws:s3:::b/k", Map.of())));
        var isNull = new Policy.Condition("null", false, false, "s3:x-amz-acl", java.util.List.of("true"));
        assertTrue(AccessEvaluator.holds(isNull, anon("s3:PutObject", "arn:aws:s3:::b/k", Map.of())));
        assertFalse(AccessEvaluator.holds(isNull, anon("s3:PutObject", "arn:aws:s3:::b/k", Map.of("s3:x-amz-acl", "x"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "[]",
            "{\"Version\":\"2012-10-17\"}",
            "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            "{\"Version\":\"2099-01-01\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:Fly\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"someone\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"StringSorta\":{\"s3:prefix\":\"a\"}}}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"example.com\"}}}}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\",\"Extra\":1}}",
            "{\"Statement\":[{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"},{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}",
            "{\"Statement\":{\"Effect\":\"Allow\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}",
    })
    void malformedPoliciesAreRefused(String json) {
        AuthException e = assertThrows(AuthException.class, () -> Policy.parse(json, "b"));
        assertEquals(AuthException.Reason.MALFORMED_POLICY, e.reason());
    }

    @Test
    void tooLargeAndTooDeepAreRefused() {
        String big = policy("{\"Sid\":\"" + "x".repeat(Policy.MAX_SIZE) + "\"}");
        assertEquals(AuthException.Reason.MALFORMED_POLICY, assertThrows(AuthException.class, () -> Policy.parse(big, "b")).reason());
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(Json.JsonException.class, () -> Json.parse(deep));
    }

    @Test
    void jsonParserBasics() {
        assertEquals(Map.of("a", java.util.List.of("x\"y\u00e9", Boolean.TRUE, new java.math.BigDecimal("-1.5e3"))),
                Json.parse(" {\"a\": [\"x\\\"y\\u00e9\", true, -1.5e3]} "));
        for (String bad : new String[] {"{\"a\":1,}", "[1 2]", "{\"a\"}", "\"\\x\"", "01", "{\"a\":1}x", "\"a\nb\""}) {
            assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void cidrMatching() {
        assertTrue(Cidr.parse("10.0.0.0/8").contains("10.200.3.4"));
        assertFalse(Cidr.parse("10.0.0.0/8").contains("11.0.0.1"));
        assertTrue(Cidr.parse("192.0.2.128/25").contains("192.0.2.200"));
        assertFalse(Cidr.parse("192.0.2.128/25").contains("192.0.2.100"));
        assertTrue(Cidr.parse("127.0.0.1").contains("::ffff:127.0.0.1"));
        assertTrue(Cidr.parse("::1/128").contains("0:0:0:0:0:0:0:1"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost"));
    }
}
