package io.strata.gateway.s3;

import io.strata.auth.Policy;
import io.strata.namespace.BucketName;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parsed bucket policies, reused while a bucket's stored document stays the same. Authorization
 * reads the stored bytes on every request anyway (one namespace lookup); only the JSON parse is
 * saved, which otherwise ran on each request to a bucket with a policy. Because an entry is used
 * only when its bytes equal what is stored now, whatever changes the policy (PutBucketPolicy,
 * DeleteBucketPolicy, a restore, a replicated configuration) is in force on the next request
 * without anyone having to invalidate the cache. Thread-safe; one entry per bucket with a policy.
 */
final class PolicyCache {
    private record Entry(byte[] document, Policy policy) {
    }

    private final ConcurrentHashMap<BucketName, Entry> entries = new ConcurrentHashMap<>();

    /**
     * The policy {@code document} (a bucket's stored policy) parses to, parsed only if it differs
     * from the document last seen for the bucket.
     *
     * @throws io.strata.auth.AuthException MALFORMED_POLICY if the document does not parse (nothing is cached)
     */
    Policy policy(BucketName bucket, byte[] document) {
        Entry cached = entries.get(bucket);
        if (cached != null && Arrays.equals(cached.document(), document)) return cached.policy();
        Policy parsed = Policy.parse(new String(document, StandardCharsets.UTF_8), bucket.value());
        entries.put(bucket, new Entry(document.clone(), parsed));
        return parsed;
    }

    /** Drops the bucket's entry: it has no policy (any more). */
    void forget(BucketName bucket) {
        entries.remove(bucket);
    }
}
