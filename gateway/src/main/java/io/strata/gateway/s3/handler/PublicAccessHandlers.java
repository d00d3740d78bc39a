package io.strata.gateway.s3.handler;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.strata.auth.Policy;
import io.strata.auth.PublicPolicy;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.ObjectOwnership;
import io.strata.gateway.s3.PublicAccessBlock;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.s3.xml.PublicAccessXml;
import io.strata.namespace.Bucket;

import java.nio.charset.StandardCharsets;

/**
 * Put/Get/DeletePublicAccessBlock, Put/Get/DeleteBucketOwnershipControls and GetBucketPolicyStatus.
 * The settings are bucket configuration documents ({@link PublicAccessBlock#KIND},
 * {@link ObjectOwnership#KIND}); {@link AccessControl} enforces them. Thread-safe.
 */
final class PublicAccessHandlers {
    private final ObjectService service;
    private final AccessControl access;

    PublicAccessHandlers(ObjectService service, AccessControl access) {
        this.service = service;
        this.access = access;
    }

    void putPublicAccessBlock(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        PublicAccessBlock block = PublicAccessXml.publicAccessBlock(Responses.readSmallBody(r));
        service.namespace().putBucketConfig(b.name(), PublicAccessBlock.KIND, block.encode());
        res.status(Status.OK_200).send();
    }

    void getPublicAccessBlock(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        if (service.namespace().bucketConfig(b.name(), PublicAccessBlock.KIND).isEmpty()) {
            throw new S3Exception(S3Error.NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION).with("BucketName", b.name().value());
        }
        Responses.xml(res, PublicAccessXml.xml(access.publicAccessBlock(b.name())));
    }

    void deletePublicAccessBlock(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        service.namespace().deleteBucketConfig(b.name(), PublicAccessBlock.KIND);
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * BucketOwnerEnforced cannot be applied while the bucket's ACL grants to anyone but the owner
     * (S3's InvalidBucketAclWithObjectOwnership): the grant would silently stop working.
     */
    void putOwnershipControls(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectOwnership ownership = PublicAccessXml.ownership(Responses.readSmallBody(r));
        if (ownership == ObjectOwnership.BUCKET_OWNER_ENFORCED && AccessControl.isPublic(access.bucketAcl(b.name()))) {
            throw new S3Exception(S3Error.INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP);
        }
        service.namespace().putBucketConfig(b.name(), ObjectOwnership.KIND, ownership.value().getBytes(StandardCharsets.UTF_8));
        res.status(Status.OK_200).send();
    }

    void getOwnershipControls(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        ObjectOwnership ownership = access.ownership(b.name()).orElseThrow(() ->
                new S3Exception(S3Error.OWNERSHIP_CONTROLS_NOT_FOUND).with("BucketName", b.name().value()));
        Responses.xml(res, PublicAccessXml.xml(ownership));
    }

    void deleteOwnershipControls(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        service.namespace().deleteBucketConfig(b.name(), ObjectOwnership.KIND);
        res.status(Status.NO_CONTENT_204).send();
    }

    /** Whether the bucket policy is public (S3's definition, {@link PublicPolicy}); no policy is NoSuchBucketPolicy. */
    void getPolicyStatus(S3Request r, ServerResponse res) {
        Bucket b = service.requireBucket(r.bucket());
        byte[] stored = service.namespace().bucketConfig(b.name(), AccessControl.POLICY).orElseThrow(() ->
                new S3Exception(S3Error.NO_SUCH_BUCKET_POLICY).with("BucketName", b.name().value()));
        Policy policy = Policy.parse(new String(stored, StandardCharsets.UTF_8), b.name().value());
        Responses.xml(res, PublicAccessXml.policyStatus(PublicPolicy.isPublic(policy)));
    }
}
