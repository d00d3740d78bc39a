package io.strata.tiering;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one S3 endpoint and bucket, as the S3 cold tier ({@code cold.S3ColdTier}) and an S3 snapshot
 * repository use them: where the bucket is, how to sign, how big the upload parts are.
 *
 * @param endpoint the S3-compatible endpoint, e.g. {@code https://s3.eu-west-1.amazonaws.com}
 * @param region the signing region, e.g. {@code us-east-1}
 * @param bucket the bucket holding the cold data
 * @param prefix prepended to every object key ({@code ""} or ending with {@code /})
 * @param accessKey the access key id
 * @param secretKey the secret key; kept out of {@link #toString()}
 * @param pathStyle whether to address the bucket in the path rather than the host name
 * @param partSize the multipart part size and the single-PUT limit, at least {@link #MIN_PART_SIZE};
 *        each upload holds one buffer of this size
 * @param storageClass the storage class to write with, if not the bucket's default
 */
public record S3ColdTierConfig(URI endpoint, String region, String bucket, String prefix, String accessKey,
                               String secretKey, boolean pathStyle, long partSize, Optional<String> storageClass) {

    /** S3's minimum size of every part but the last. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Default part size: large enough for few requests, small enough to buffer per upload. */
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;

    /** Validates; throws {@link IllegalArgumentException} naming the bad setting. */
    public S3ColdTierConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(storageClass, "storageClass");
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an absolute URL: " + endpoint);
        }
        if (region.isEmpty()) throw new IllegalArgumentException("empty region");
        if (bucket.isEmpty()) throw new IllegalArgumentException("empty bucket");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must be empty or end with '/': " + prefix);
        }
        if (partSize < MIN_PART_SIZE || partSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("part size out of range: " + partSize);
        }
    }

    /** A configuration with the default part size and the bucket's default storage class. */
    public static S3ColdTierConfig of(URI endpoint, String region, String bucket, String prefix,
                                      String accessKey, String secretKey, boolean pathStyle) {
        return new S3ColdTierConfig(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle,
                DEFAULT_PART_SIZE, Optional.empty());
    }

    @Override
    public String toString() {
        return "S3ColdTierConfig[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", prefix=" + prefix + ", accessKey=" + accessKey + ", secretKey=***, pathStyle=" + pathStyle
                + ", partSize=" + partSize + ", storageClass=" + storageClass + "]";
    }
}
