package io.strata.gateway.s3;

import java.util.Optional;

/**
 * S3 Object Ownership (Put/Get/DeleteBucketOwnershipControls, or x-amz-object-ownership on
 * CreateBucket), kept as the bucket configuration document {@link #KIND}. Under
 * {@link #BUCKET_OWNER_ENFORCED} ACLs are disabled: setting one other than bucket-owner-full-control
 * is 400 AccessControlListNotSupported, stored ACLs grant nothing, and Get*Acl answers the owner's
 * FULL_CONTROL. Strata has one account, so the two other settings behave alike: ACLs apply.
 */
public enum ObjectOwnership {
    BUCKET_OWNER_ENFORCED("BucketOwnerEnforced"),
    BUCKET_OWNER_PREFERRED("BucketOwnerPreferred"),
    OBJECT_WRITER("ObjectWriter");

    /** The bucket configuration document kind; snapshots copy it with the bucket's other documents. */
    public static final String KIND = "ownership-controls";

    private final String value;

    ObjectOwnership(String value) {
        this.value = value;
    }

    /** The name S3 uses in XML and in x-amz-object-ownership. */
    public String value() {
        return value;
    }

    public static Optional<ObjectOwnership> parse(String value) {
        for (ObjectOwnership o : values()) {
            if (o.value.equals(value.strip())) return Optional.of(o);
        }
        return Optional.empty();
    }
}
