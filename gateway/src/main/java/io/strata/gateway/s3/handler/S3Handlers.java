package io.strata.gateway.s3.handler;

import io.strata.auth.PostFormVerifier;
import io.strata.gateway.objects.ObjectService;
import io.strata.gateway.replication.ReplicationTargets;
import io.strata.tiering.placement.PlacementService;
import io.strata.gateway.s3.AccessControl;
import io.strata.gateway.s3.CorsRules;
import io.strata.gateway.s3.S3Handler;
import io.strata.gateway.s3.S3Operation;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the S3 API's routing table: the handler of every operation, over one object service. The
 * router (S3Api) only sees the table, so it does not depend on the handlers. Called once, by the wiring.
 */
public final class S3Handlers {
    /** The table and the CORS rules the router applies before authentication. */
    public record Routes(Map<S3Operation, S3Handler> handlers, CorsRules cors) {
        public Routes {
            handlers = Map.copyOf(handlers);
        }
    }

    private S3Handlers() {
    }

    /**
     * @param placement objective-based placement (RestoreObject, promotion on reads), if the gateway runs it
     * @param postForms verifies browser-based uploads' signed policies
     * @param replicationTargets what PutBucketReplication's destinations resolve to
     */
    public static Routes create(ObjectService service, Optional<PlacementService> placement, AccessControl access,
                                PostFormVerifier postForms, String region, ReplicationTargets replicationTargets) {
        ReplicationHandlers replication = new ReplicationHandlers(service, replicationTargets);
        BucketHandlers buckets = new BucketHandlers(service, region, replication);
        ObjectHandlers objects = new ObjectHandlers(service, access, placement);
        MultipartHandlers multipart = new MultipartHandlers(service, access);
        AccessHandlers acl = new AccessHandlers(service, access);
        LifecycleHandlers lifecycle = new LifecycleHandlers(service);
        PostObjectHandler postObject = new PostObjectHandler(service, access, postForms);
        TaggingHandlers tagging = new TaggingHandlers(service);
        CorsHandlers cors = new CorsHandlers(service);
        ObjectAttributesHandler attributes = new ObjectAttributesHandler(service);
        PublicAccessHandlers publicAccess = new PublicAccessHandlers(service, access);
        Map<S3Operation, S3Handler> h = new EnumMap<>(S3Operation.class);
        h.put(S3Operation.LIST_BUCKETS, buckets::listBuckets);
        h.put(S3Operation.CREATE_BUCKET, buckets::createBucket);
        h.put(S3Operation.HEAD_BUCKET, buckets::headBucket);
        h.put(S3Operation.DELETE_BUCKET, buckets::deleteBucket);
        h.put(S3Operation.GET_BUCKET_LOCATION, buckets::location);
        h.put(S3Operation.LIST_OBJECTS, (r, res) -> buckets.listObjects(r, res, false));
        h.put(S3Operation.LIST_OBJECTS_V2, (r, res) -> buckets.listObjects(r, res, true));
        h.put(S3Operation.LIST_OBJECT_VERSIONS, buckets::listObjectVersions);
        h.put(S3Operation.GET_BUCKET_VERSIONING, buckets::getVersioning);
        h.put(S3Operation.PUT_BUCKET_VERSIONING, buckets::putVersioning);
        h.put(S3Operation.DELETE_OBJECTS, new DeleteObjectsHandler(service, access)::handle);
        h.put(S3Operation.PUT_OBJECT, objects::putObject);
        h.put(S3Operation.COPY_OBJECT, objects::copyObject);
        h.put(S3Operation.GET_OBJECT, (r, res) -> objects.getObject(r, res, false));
        h.put(S3Operation.HEAD_OBJECT, (r, res) -> objects.getObject(r, res, true));
        h.put(S3Operation.DELETE_OBJECT, objects::deleteObject);
        h.put(S3Operation.LIST_MULTIPART_UPLOADS, multipart::listUploads);
        h.put(S3Operation.CREATE_MULTIPART_UPLOAD, multipart::create);
        h.put(S3Operation.UPLOAD_PART, multipart::uploadPart);
        h.put(S3Operation.UPLOAD_PART_COPY, multipart::uploadPartCopy);
        h.put(S3Operation.COMPLETE_MULTIPART_UPLOAD, multipart::complete);
        h.put(S3Operation.ABORT_MULTIPART_UPLOAD, multipart::abort);
        h.put(S3Operation.LIST_PARTS, multipart::listParts);
        h.put(S3Operation.GET_BUCKET_POLICY, acl::getPolicy);
        h.put(S3Operation.PUT_BUCKET_POLICY, acl::putPolicy);
        h.put(S3Operation.DELETE_BUCKET_POLICY, acl::deletePolicy);
        h.put(S3Operation.GET_BUCKET_LIFECYCLE, lifecycle::get);
        h.put(S3Operation.PUT_BUCKET_LIFECYCLE, lifecycle::put);
        h.put(S3Operation.DELETE_BUCKET_LIFECYCLE, lifecycle::delete);
        h.put(S3Operation.GET_BUCKET_REPLICATION, replication::get);
        h.put(S3Operation.PUT_BUCKET_REPLICATION, replication::put);
        h.put(S3Operation.DELETE_BUCKET_REPLICATION, replication::delete);
        h.put(S3Operation.GET_BUCKET_ACL, acl::getBucketAcl);
        h.put(S3Operation.PUT_BUCKET_ACL, acl::putBucketAcl);
        h.put(S3Operation.GET_OBJECT_ACL, acl::getObjectAcl);
        h.put(S3Operation.PUT_OBJECT_ACL, acl::putObjectAcl);
        h.put(S3Operation.POST_OBJECT, postObject::handle);
        h.put(S3Operation.GET_OBJECT_TAGGING, tagging::getObjectTagging);
        h.put(S3Operation.PUT_OBJECT_TAGGING, tagging::putObjectTagging);
        h.put(S3Operation.DELETE_OBJECT_TAGGING, tagging::deleteObjectTagging);
        h.put(S3Operation.GET_BUCKET_TAGGING, tagging::getBucketTagging);
        h.put(S3Operation.PUT_BUCKET_TAGGING, tagging::putBucketTagging);
        h.put(S3Operation.DELETE_BUCKET_TAGGING, tagging::deleteBucketTagging);
        h.put(S3Operation.GET_BUCKET_CORS, cors::get);
        h.put(S3Operation.PUT_BUCKET_CORS, cors::put);
        h.put(S3Operation.DELETE_BUCKET_CORS, cors::delete);
        h.put(S3Operation.GET_OBJECT_ATTRIBUTES, attributes::handle);
        h.put(S3Operation.RESTORE_OBJECT, objects::restoreObject);
        h.put(S3Operation.CORS_PREFLIGHT, cors::preflight);
        h.put(S3Operation.PUT_PUBLIC_ACCESS_BLOCK, publicAccess::putPublicAccessBlock);
        h.put(S3Operation.GET_PUBLIC_ACCESS_BLOCK, publicAccess::getPublicAccessBlock);
        h.put(S3Operation.DELETE_PUBLIC_ACCESS_BLOCK, publicAccess::deletePublicAccessBlock);
        h.put(S3Operation.PUT_BUCKET_OWNERSHIP_CONTROLS, publicAccess::putOwnershipControls);
        h.put(S3Operation.GET_BUCKET_OWNERSHIP_CONTROLS, publicAccess::getOwnershipControls);
        h.put(S3Operation.DELETE_BUCKET_OWNERSHIP_CONTROLS, publicAccess::deleteOwnershipControls);
        h.put(S3Operation.GET_BUCKET_POLICY_STATUS, publicAccess::getPolicyStatus);
        return new Routes(h, cors);
    }
}
