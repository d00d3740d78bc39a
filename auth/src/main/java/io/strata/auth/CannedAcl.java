package io.strata.auth;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * S3's canned ACLs ({@code x-amz-acl}) and the access each grants beyond the owner's FULL_CONTROL.
 * On a bucket, READ lets the grantee list it and WRITE lets it create, overwrite and delete objects;
 * on an object, READ lets the grantee read it. Grants never include the ACL itself (READ_ACP, WRITE_ACP).
 */
public enum CannedAcl {
    PRIVATE("private"),
    PUBLIC_READ("public-read"),
    PUBLIC_READ_WRITE("public-read-write"),
    AUTHENTICATED_READ("authenticated-read"),
    AWS_EXEC_READ("aws-exec-read"),
    BUCKET_OWNER_READ("bucket-owner-read"),
    BUCKET_OWNER_FULL_CONTROL("bucket-owner-full-control"),
    LOG_DELIVERY_WRITE("log-delivery-write");

    /** Who a grant is for. */
    public enum Group { ALL_USERS, AUTHENTICATED_USERS }

    /** The permission a grant gives. */
    public enum Permission { READ, WRITE }

    /** One grant to a group, as GetBucketAcl/GetObjectAcl list it besides the owner's FULL_CONTROL. */
    public record Grant(Group group, Permission permission) {
    }

    private static final Set<String> BUCKET_READ = Set.of("s3:listbucket", "s3:listbucketversions",
            "s3:listbucketmultipartuploads");
    private static final Set<String> BUCKET_WRITE = Set.of("s3:putobject", "s3:deleteobject",
            "s3:deleteobjectversion", "s3:abortmultipartupload", "s3:listmultipartuploadparts");
    private static final Set<String> OBJECT_READ = Set.of("s3:getobject", "s3:getobjectversion",
            "s3:getobjectattributes");

    private final String header;

    CannedAcl(String header) {
        this.header = header;
    }

    /** The x-amz-acl value. */
    public String header() {
        return header;
    }

    /** The canned ACL an x-amz-acl value names (case-sensitive, as S3). */
    public static Optional<CannedAcl> parse(String value) {
        for (CannedAcl a : values()) {
            if (a.header.equals(value.strip())) return Optional.of(a);
        }
        return Optional.empty();
    }

    /** The grants to groups this ACL implies (empty for private and the owner-only variants). */
    public java.util.List<Grant> grants() {
        return switch (this) {
            case PUBLIC_READ -> java.util.List.of(new Grant(Group.ALL_USERS, Permission.READ));
            case PUBLIC_READ_WRITE -> java.util.List.of(new Grant(Group.ALL_USERS, Permission.READ),
                    new Grant(Group.ALL_USERS, Permission.WRITE));
            case AUTHENTICATED_READ -> java.util.List.of(new Grant(Group.AUTHENTICATED_USERS, Permission.READ));
            case PRIVATE, AWS_EXEC_READ, BUCKET_OWNER_READ, BUCKET_OWNER_FULL_CONTROL, LOG_DELIVERY_WRITE -> java.util.List.of();
        };
    }

    /**
     * True if this ACL, set on a bucket ({@code onBucket}) or an object, lets a requester who is not
     * the owner perform {@code action} (lower-case "s3:getobject").
     *
     * @param authenticated the request carries valid credentials (AuthenticatedUsers grants apply)
     */
    public boolean allows(boolean onBucket, String action, boolean authenticated) {
        String a = action.toLowerCase(Locale.ROOT);
        for (Grant g : grants()) {
            if (g.group() == Group.AUTHENTICATED_USERS && !authenticated) continue;
            Set<String> actions = onBucket
                    ? (g.permission() == Permission.READ ? BUCKET_READ : BUCKET_WRITE)
                    : (g.permission() == Permission.READ ? OBJECT_READ : Set.of());
            if (actions.contains(a)) return true;
        }
        return false;
    }
}
