package io.strata.auth;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a bucket policy is evaluated against: who asks (an access key, or nobody for an anonymous
 * request), whether that is the bucket's owner, the IAM action, the resource ARN and the condition
 * context. Immutable; the gateway builds one per request (and per key for multi-object operations).
 *
 * @param principal the access key that signed the request; empty for an anonymous request
 * @param owner     the principal owns the bucket (the root credentials of its account)
 * @param action    IAM action, e.g. "s3:GetObject" (compared case-insensitively)
 * @param resource  "arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key"
 * @param context   condition keys (any case; stored lower-case) to their values, e.g. "aws:SourceIp"
 */
public record AccessRequest(Optional<String> principal, boolean owner, String action, String resource,
                            Map<String, String> context) {
    public AccessRequest {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        if (owner && principal.isEmpty()) throw new IllegalArgumentException("an anonymous request owns nothing");
        Map<String, String> lower = new TreeMap<>();
        for (var e : context.entrySet()) {
            if (e.getValue() != null) lower.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        context = Map.copyOf(lower);
        action = action.toLowerCase(Locale.ROOT);
    }

    /** The ARN of a bucket or, with a key, of an object. */
    public static String arn(String bucket, String key) {
        return key == null ? "arn:aws:s3:::" + bucket : "arn:aws:s3:::" + bucket + "/" + key;
    }

    /** True if no credentials came with the request. */
    public boolean anonymous() {
        return principal.isEmpty();
    }
}
