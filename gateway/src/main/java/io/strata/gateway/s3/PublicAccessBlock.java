package io.strata.gateway.s3;

/**
 * A bucket's S3 Block Public Access settings (Put/Get/DeletePublicAccessBlock), kept as the bucket
 * configuration document {@link #KIND}. A bucket without one blocks nothing ({@link #NONE}).
 *
 * @param blockPublicAcls       refuse requests that set a public ACL (403 AccessDenied)
 * @param ignorePublicAcls      public ACLs grant nothing when authorizing
 * @param blockPublicPolicy     refuse PutBucketPolicy of a public policy (403 AccessDenied)
 * @param restrictPublicBuckets while the policy is public, it grants only to callers of the owner's account
 */
public record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
                                boolean restrictPublicBuckets) {
    /** The bucket configuration document kind; snapshots copy it with the bucket's other documents. */
    public static final String KIND = "public-access-block";
    public static final PublicAccessBlock NONE = new PublicAccessBlock(false, false, false, false);

    /** The stored form: the four settings as {@code name=true|false} lines, in S3's element names. */
    public byte[] encode() {
        return ("BlockPublicAcls=" + blockPublicAcls + "\nIgnorePublicAcls=" + ignorePublicAcls
                + "\nBlockPublicPolicy=" + blockPublicPolicy + "\nRestrictPublicBuckets=" + restrictPublicBuckets + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads {@link #encode()}'s form; a setting it does not name as true is false. */
    public static PublicAccessBlock decode(byte[] stored) {
        java.util.Set<String> on = new java.util.HashSet<>();
        for (String line : new String(stored, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.endsWith("=true")) on.add(line.substring(0, line.length() - "=true".length()));
        }
        return new PublicAccessBlock(on.contains("BlockPublicAcls"), on.contains("IgnorePublicAcls"),
                on.contains("BlockPublicPolicy"), on.contains("RestrictPublicBuckets"));
    }
}
