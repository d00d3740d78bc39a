package io.strata.gateway.s3;

import io.strata.auth.AccessEvaluator;
import io.strata.auth.AccessRequest;
import io.strata.auth.AuthException;
import io.strata.auth.Authentication;
import io.strata.auth.CannedAcl;
import io.strata.auth.Policy;
import io.strata.auth.PublicPolicy;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The authorization step: after the signature is verified and the operation resolved, decides with
 * {@link AccessEvaluator} whether the requester may perform it, from the bucket's policy and canned
 * ACLs (kept as bucket configuration documents in the namespace: {@link #POLICY}, {@link #ACL}) and,
 * for object reads, the object's canned ACL. Thread-safe; reads only.
 */
public final class AccessControl {
    public static final String POLICY = "policy";
    public static final String ACL = "acl";
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    private static final Set<String> OBJECT_READS = Set.of("s3:getobject", "s3:getobjectversion",
            "s3:getobjectattributes", "s3:getobjectversionattributes");

    private final Namespace namespace;
    private final Clock clock;
    private final PolicyCache policies = new PolicyCache();

    public AccessControl(Namespace namespace, Clock clock) {
        this.namespace = namespace;
        this.clock = clock;
    }

    /**
     * Refuses the request with AccessDenied unless it may perform {@code op}. A request naming a
     * bucket that does not exist (or an invalid name) passes, so the handler answers NoSuchBucket or
     * InvalidBucketName as S3 does.
     */
    void authorize(S3Request r, S3Operation op) {
        Authentication auth = r.auth();
        String action = op.iamAction();
        // Authorized by their handlers: POST once the form is read, DeleteObjects per key (as S3 reports it).
        if (op == S3Operation.POST_OBJECT || op == S3Operation.DELETE_OBJECTS) return;
        if (action == null || op == S3Operation.LIST_BUCKETS || op == S3Operation.CREATE_BUCKET || !r.hasBucket()) {
            if (auth.anonymous()) throw denied();
            return;
        }
        if (!io.strata.namespace.BucketName.isValid(r.rawBucket())) return;
        ObjectKey key = null;
        if (op.onObject()) {
            try {
                key = r.key();
            } catch (S3Exception e) {
                return; // the handler reports the bad key
            }
        }
        // A request naming a version needs the *Version action (s3:GetObjectVersion, ...), as S3 checks it.
        if (key != null && r.query().containsKey("versionId")) {
            action = switch (action) {
                case "s3:GetObject" -> "s3:GetObjectVersion";
                case "s3:DeleteObject" -> "s3:DeleteObjectVersion";
                case "s3:GetObjectAcl" -> "s3:GetObjectVersionAcl";
                case "s3:PutObjectAcl" -> "s3:PutObjectVersionAcl";
                case "s3:GetObjectTagging" -> "s3:GetObjectVersionTagging";
                case "s3:PutObjectTagging" -> "s3:PutObjectVersionTagging";
                case "s3:DeleteObjectTagging" -> "s3:DeleteObjectVersionTagging";
                case "s3:GetObjectAttributes" -> "s3:GetObjectVersionAttributes";
                default -> action;
            };
        }
        BucketName bucket = new BucketName(r.rawBucket());
        require(r, auth, action, bucket, key);
        // An ACL set while writing is an ACL change: S3 checks s3:PutObjectAcl too, which only the
        // owner holds here, so a grant to write objects never lets a caller publish them.
        if ((op == S3Operation.PUT_OBJECT || op == S3Operation.COPY_OBJECT || op == S3Operation.CREATE_MULTIPART_UPLOAD)
                && r.header("x-amz-acl").isPresent()) {
            require(r, auth, "s3:PutObjectAcl", bucket, key);
            // An unknown value is left to the handler (InvalidArgument).
            CannedAcl.parse(r.header("x-amz-acl").get()).ifPresent(a -> checkAclChange(bucket, a, false));
        }
    }

    /**
     * {@code x-amz-expected-bucket-owner} (and {@code x-amz-source-expected-bucket-owner} for a copy's
     * source): a client names the account it believes owns the bucket, so that a bucket deleted and
     * re-created by someone else never receives its data. A value other than the owner's id (what
     * ListBuckets and Get*Acl show as Owner/ID: the owner's access key) is 403 AccessDenied, as on AWS.
     * A bucket that does not exist passes: the operation then answers NoSuchBucket.
     */
    void checkExpectedOwner(S3Request r, S3Operation op) {
        Optional<String> expected = r.header("x-amz-expected-bucket-owner");
        if (expected.isPresent() && r.hasBucket() && op != S3Operation.CREATE_BUCKET
                && BucketName.isValid(r.rawBucket())) {
            requireOwner(new BucketName(r.rawBucket()), expected.get());
        }
        Optional<String> sourceExpected = r.header("x-amz-source-expected-bucket-owner");
        if (sourceExpected.isPresent() && (op == S3Operation.COPY_OBJECT || op == S3Operation.UPLOAD_PART_COPY)) {
            String source = java.net.URLDecoder.decode(r.header("x-amz-copy-source").orElse(""), StandardCharsets.UTF_8);
            if (source.startsWith("/")) source = source.substring(1);
            int slash = source.indexOf('/');
            String name = slash < 0 ? source : source.substring(0, slash);
            if (BucketName.isValid(name)) requireOwner(new BucketName(name), sourceExpected.get());
        }
    }

    private void requireOwner(BucketName bucket, String expected) {
        Optional<Bucket> b = namespace.bucket(bucket);
        if (b.isPresent() && !b.get().owner().equals(expected.strip())) throw denied();
    }

    /**
     * Refuses with AccessDenied unless {@code auth} may perform {@code action} on the bucket or object.
     * A bucket-policy action that a grant would allow to someone other than the owner is refused with
     * 405 MethodNotAllowed, as AWS answers callers outside the bucket owner's account.
     */
    void require(S3Request r, Authentication auth, String action, BucketName bucket, ObjectKey key) {
        if (allowed(r, auth, action, bucket, key, Map.of())) return;
        if (AccessEvaluator.policyAction(action) && !owns(auth, bucket)) {
            Policy policy = policy(bucket);
            if (policy != null && AccessEvaluator.evaluate(policy, accessRequest(r, auth, false, action, bucket, key,
                    Map.of())) == AccessEvaluator.Decision.ALLOW) {
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED,
                        "Only the bucket owner's account may read, change or delete the bucket policy.");
            }
        }
        throw denied();
    }

    private boolean owns(Authentication auth, BucketName bucket) {
        return !auth.anonymous() && namespace.bucket(bucket).map(b -> b.owner().equals(auth.accessKey())).orElse(false);
    }

    /** The bucket's policy, or null when it has none (or a stored one no longer parses, which is logged). */
    private Policy policy(BucketName bucket) {
        Optional<byte[]> doc = namespace.bucketConfig(bucket, POLICY);
        if (doc.isEmpty()) {
            policies.forget(bucket);
            return null;
        }
        try {
            return policies.policy(bucket, doc.get());
        } catch (AuthException e) {
            // Stored policies were validated on PUT; one that no longer parses is ignored, loudly.
            LOG.error("stored policy of bucket {} does not parse: {}", bucket, e.getMessage());
            return null;
        }
    }

    private AccessRequest accessRequest(S3Request r, Authentication auth, boolean owner, String action,
                                        BucketName bucket, ObjectKey key, Map<String, String> extraContext) {
        return new AccessRequest(auth.anonymous() ? Optional.empty() : Optional.of(auth.accessKey()), owner, action,
                AccessRequest.arn(bucket.value(), key == null ? null : key.value()), context(r, auth, extraContext));
    }

    /** True if allowed; also true when the bucket does not exist (the operation then fails on its own). */
    public boolean allowed(S3Request r, Authentication auth, String action, BucketName bucket, ObjectKey key,
                    Map<String, String> extraContext) {
        Optional<Bucket> b = namespace.bucket(bucket);
        if (b.isEmpty()) return true;
        boolean owner = !auth.anonymous() && b.get().owner().equals(auth.accessKey());
        if (owner && namespace.bucketConfig(bucket, POLICY).isEmpty()) return true;
        Policy policy = policy(bucket);
        PublicAccessBlock block = publicAccessBlock(bucket);
        boolean aclsApply = !aclsDisabled(bucket);
        CannedAcl bucketAcl = effectiveAcl(bucketAcl(bucket), block, aclsApply);
        AccessRequest request = accessRequest(r, auth, owner, action, bucket, key, extraContext);
        // RestrictPublicBuckets: while the policy is public, it grants nothing to callers outside the
        // owner's account. Strata has one account, so that is anonymous callers; the policy's Deny still applies.
        if (block.restrictPublicBuckets() && auth.anonymous() && policy != null && PublicPolicy.isPublic(policy)) {
            if (AccessEvaluator.evaluate(policy, request) == AccessEvaluator.Decision.DENY) return false;
            policy = null;
        }
        if (AccessEvaluator.allowed(policy, bucketAcl, null, request)) return true;
        if (key == null || owner || !OBJECT_READS.contains(request.action())) return false;
        // Only an object read can be granted by the object's own ACL: read it only when it matters.
        if (policy != null && AccessEvaluator.evaluate(policy, request) == AccessEvaluator.Decision.DENY) return false;
        Optional<String> versionId = r.param("versionId");
        Optional<ObjectVersion> object = versionId.isPresent() && r.hasKey()
                ? namespace.version(bucket, key, versionId.get()) : namespace.latest(bucket, key);
        return object.isPresent() && !object.get().deleteMarker()
                && AccessEvaluator.allowed(policy, bucketAcl, effectiveAcl(objectAcl(object.get()), block, aclsApply), request);
    }

    /**
     * The ACL authorization goes by: none when ACLs are disabled (BucketOwnerEnforced), and a public
     * one counts as private under IgnorePublicAcls. The stored ACL itself stays as it is.
     */
    private static CannedAcl effectiveAcl(CannedAcl acl, PublicAccessBlock block, boolean aclsApply) {
        if (!aclsApply || (block.ignorePublicAcls() && isPublic(acl))) return CannedAcl.PRIVATE;
        return acl;
    }

    /** An ACL S3 calls public: one granting to AllUsers or AuthenticatedUsers. */
    public static boolean isPublic(CannedAcl acl) {
        return !acl.grants().isEmpty();
    }

    /** The bucket's Block Public Access settings ({@link PublicAccessBlock#NONE} without a configuration). */
    public PublicAccessBlock publicAccessBlock(BucketName bucket) {
        return namespace.bucketConfig(bucket, PublicAccessBlock.KIND).map(PublicAccessBlock::decode)
                .orElse(PublicAccessBlock.NONE);
    }

    /** The bucket's Object Ownership, if it has ownership controls. */
    public Optional<ObjectOwnership> ownership(BucketName bucket) {
        return namespace.bucketConfig(bucket, ObjectOwnership.KIND)
                .flatMap(v -> ObjectOwnership.parse(new String(v, StandardCharsets.UTF_8)));
    }

    /** True under BucketOwnerEnforced: ACLs neither grant nor can be set. */
    public boolean aclsDisabled(BucketName bucket) {
        return ownership(bucket).filter(o -> o == ObjectOwnership.BUCKET_OWNER_ENFORCED).isPresent();
    }

    /**
     * Refuses a request that would set {@code acl} on the bucket or one of its objects where the
     * bucket forbids it: under BucketOwnerEnforced anything but bucket-owner-full-control (or an
     * AccessControlPolicy body granting only the owner FULL_CONTROL, {@code fromXml}) is
     * 400 AccessControlListNotSupported; under BlockPublicAcls a public ACL is 403 AccessDenied.
     */
    public void checkAclChange(BucketName bucket, CannedAcl acl, boolean fromXml) {
        if (namespace.bucket(bucket).isEmpty()) return;   // the handler answers NoSuchBucket
        if (aclsDisabled(bucket) && acl != CannedAcl.BUCKET_OWNER_FULL_CONTROL && !(fromXml && acl == CannedAcl.PRIVATE)) {
            throw new S3Exception(S3Error.ACCESS_CONTROL_LIST_NOT_SUPPORTED);
        }
        if (isPublic(acl) && publicAccessBlock(bucket).blockPublicAcls()) throw denied();
    }

    /**
     * An object version's canned ACL: the one PutObjectAcl set on this very version if any, else the
     * one it was written with (x-amz-acl, kept in its record), else private. PutObjectAcl's setting
     * is a bucket configuration document stamped with the version's id, time and ETag, so it never
     * applies to other content under the same key and version id (an overwritten "null" version); a
     * stale one is ignored and goes with the bucket.
     */
    public CannedAcl objectAcl(ObjectVersion v) {
        Optional<byte[]> set = namespace.bucketConfig(v.bucket(), objectAclKind(v));
        if (set.isPresent()) {
            String[] parts = new String(set.get(), StandardCharsets.UTF_8).split("\n", -1);
            if (parts.length == 3 && parts[1].equals(v.lastModified().toString()) && parts[2].equals(v.etag())) {
                return CannedAcl.parse(parts[0]).orElse(CannedAcl.PRIVATE);
            }
        }
        return CannedAcl.parse(v.cannedAcl()).orElse(CannedAcl.PRIVATE);
    }

    /** Sets the canned ACL of one object version (PutObjectAcl); one synced write. */
    public void setObjectAcl(ObjectVersion v, CannedAcl acl) {
        String doc = acl.header() + "\n" + v.lastModified() + "\n" + v.etag();
        namespace.putBucketConfig(v.bucket(), objectAclKind(v), doc.getBytes(StandardCharsets.UTF_8));
    }

    private static String objectAclKind(ObjectVersion v) {
        return "object-acl/" + v.versionId() + "/" + v.key().value();
    }

    public CannedAcl bucketAcl(BucketName bucket) {
        return namespace.bucketConfig(bucket, ACL)
                .flatMap(v -> CannedAcl.parse(new String(v, StandardCharsets.UTF_8)))
                .orElse(CannedAcl.PRIVATE);
    }

    /** Condition keys S3 fills in: the caller, transport, time, and the request's list and ACL parameters. */
    private Map<String, String> context(S3Request r, Authentication auth, Map<String, String> extra) {
        Map<String, String> c = new HashMap<>();
        c.put("aws:SourceIp", r.sourceIp());
        c.put("aws:SecureTransport", Boolean.toString(r.http().isSecure()));
        c.put("aws:CurrentTime", clock.instant().toString());
        c.put("aws:EpochTime", Long.toString(clock.instant().getEpochSecond()));
        r.header("user-agent").ifPresent(v -> c.put("aws:UserAgent", v));
        r.header("referer").ifPresent(v -> c.put("aws:Referer", v));
        r.header("x-amz-acl").ifPresent(v -> c.put("s3:x-amz-acl", v));
        r.header("x-amz-copy-source").ifPresent(v -> c.put("s3:x-amz-copy-source", v));
        r.header("x-amz-metadata-directive").ifPresent(v -> c.put("s3:x-amz-metadata-directive", v));
        r.header("x-amz-content-sha256").ifPresent(v -> c.put("s3:x-amz-content-sha256", v));
        for (String k : new String[] {"prefix", "delimiter", "max-keys"}) {
            r.param(k).ifPresent(v -> c.put("s3:" + k, v));
        }
        if (!auth.anonymous()) {
            c.put("s3:authType", r.query().containsKey("X-Amz-Signature") || r.query().containsKey("Signature")
                    ? "REST-QUERY-STRING" : "REST-HEADER");
        }
        c.putAll(extra);
        return c;
    }

    public static S3Exception denied() {
        return new S3Exception(S3Error.ACCESS_DENIED, "Access Denied");
    }
}
