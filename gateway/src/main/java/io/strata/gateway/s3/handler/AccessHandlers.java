package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.CannedAcl;
import io.strata.auth.Policy;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.AddressedVersion;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.AccessControlPolicyXml;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Bucket policy (Put/Get/DeleteBucketPolicy) and canned ACLs (Put/GetBucketAcl, Put/GetObjectAcl).
 * Policies are validated by {@link Policy#parse} and stored as sent; a bucket's canned ACL is a
 * bucket configuration document, an object's is its version's canned ACL field ({@code ObjectVersion.cannedAcl()}), set on upload.
 */
final class AccessHandlers {

    private final ObjectService service;
    private final AccessControl access;

    AccessHandlers(ObjectService service, AccessControl access) {
        this.service = service;
        this.access = access;
    }

    // ---- policy

    void putPolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] body = Responses.readSmallBody(r);
        if (body.length > Policy.MAX_SIZE) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, "Policy exceeds the maximum allowed document size.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new S3Exception(S3Error.MALFORMED_POLICY, "Policies must be valid UTF-8 JSON.");
        }
        Policy parsed = Policy.parse(text, bucket.name().value());   // AuthException MALFORMED_POLICY -> 400 MalformedPolicy
        // BlockPublicPolicy: a policy S3 would call public is refused; one stored before stays.
        if (access.publicAccessBlock(bucket.name()).blockPublicPolicy() && io.strata.auth.PublicPolicy.isPublic(parsed)) {
            throw AccessControl.denied();
        }
        service.namespace().putBucketConfig(bucket.name(), AccessControl.POLICY, body);
        res.status(Status.NO_CONTENT_204).send();
    }

    void getPolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        byte[] policy = service.namespace().bucketConfig(bucket.name(), AccessControl.POLICY)
                .orElseThrow(() -> new S3Exception(S3Error.NO_SUCH_BUCKET_POLICY).with("BucketName", bucket.name().value()));
        res.status(Status.OK_200);
        res.header("Content-Type", "application/json");
        res.send(policy);
    }

    void deletePolicy(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        service.namespace().deleteBucketConfig(bucket.name(), AccessControl.POLICY);
        res.status(Status.NO_CONTENT_204).send();
    }

    // ---- ACLs

    void putBucketAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        CannedAcl acl = requestedAcl(r, bucket);
        service.namespace().putBucketConfig(bucket.name(), AccessControl.ACL, acl.header().getBytes(StandardCharsets.UTF_8));
        res.status(Status.OK_200).send();
    }

    void getBucketAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        Responses.xml(res, AccessControlPolicyXml.xml(bucket.owner(), shown(bucket, access.bucketAcl(bucket.name()))));
    }

    void putObjectAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        ObjectVersion v = addressed(r, bucket.name(), r.key());
        CannedAcl acl = requestedAcl(r, bucket);
        access.setObjectAcl(v, acl);
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION)) res.header("x-amz-version-id", v.versionId());
        res.status(Status.OK_200).send();
    }

    void getObjectAcl(S3Request r, ServerResponse res) {
        Bucket bucket = bucket(r);
        ObjectVersion v = addressed(r, bucket.name(), r.key());
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION)) res.header("x-amz-version-id", v.versionId());
        Responses.xml(res, AccessControlPolicyXml.xml(bucket.owner(), shown(bucket, access.objectAcl(v))));
    }

    /** With ACLs disabled (BucketOwnerEnforced) S3 shows only the owner's FULL_CONTROL, whatever was stored. */
    private CannedAcl shown(Bucket bucket, CannedAcl stored) {
        return access.aclsDisabled(bucket.name()) ? CannedAcl.PRIVATE : stored;
    }

    /** The version named by versionId, else the current one; delete markers have no ACL (NoSuchKey/NoSuchVersion). */
    private ObjectVersion addressed(S3Request r, BucketName bucket, ObjectKey key) {
        Optional<String> versionId = r.param("versionId");
        // A malformed id names no version here (NoSuchVersion), where other operations answer InvalidArgument.
        Optional<ObjectVersion> v = versionId.isPresent() && !ObjectVersion.isWellFormedVersionId(versionId.get())
                ? Optional.empty() : AddressedVersion.find(service, bucket, key, versionId);
        if (v.isEmpty() || v.get().deleteMarker()) {
            if (versionId.isPresent()) {
                throw new S3Exception(S3Error.NO_SUCH_VERSION).with("Key", key.value()).with("VersionId", versionId.get());
            }
            throw new S3Exception(S3Error.NO_SUCH_KEY, S3Error.NO_SUCH_KEY.message(), "/" + bucket + "/" + key.value())
                    .with("Key", key.value());
        }
        return v.get();
    }

    private Bucket bucket(S3Request r) {
        BucketName name = r.bucket();
        return service.namespace().bucket(name).orElseThrow(() -> BucketHandlers.noSuchBucket(name.value()));
    }

    /**
     * The ACL a Put*Acl asks for: the x-amz-acl header, or an AccessControlPolicy body whose grants
     * are exactly those of a canned ACL (s3cmd's setacl sends such a body). Other grants: 501.
     */
    private CannedAcl requestedAcl(S3Request r, Bucket bucket) {
        Optional<CannedAcl> header = Uploads.cannedAcl(r);
        byte[] body = Responses.readSmallBody(r);
        if (header.isPresent()) {
            if (body.length > 0) {
                throw new S3Exception(S3Error.UNEXPECTED_CONTENT, "This request does not support content");
            }
            access.checkAclChange(bucket.name(), header.get(), false);
            return header.get();
        }
        if (body.length == 0) {
            throw new S3Exception(S3Error.MISSING_SECURITY_HEADER, "Your request was missing a required header")
                    .with("MissingHeaderName", "x-amz-acl");
        }
        CannedAcl acl = AccessControlPolicyXml.cannedAcl(body, bucket.owner());
        access.checkAclChange(bucket.name(), acl, true);
        return acl;
    }
}
