package io.strata.tiering;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where one object version lives in a cold tier: the bucket, the key and the version id it has in
 * Strata's namespace. Tiers derive their storage location from it so that cold data mirrors the
 * bucket and key layout and stays meaningful without Strata's metadata.
 *
 * @param bucket the bucket name, non-empty
 * @param key the object key, any non-empty string (it may contain {@code ../}, spaces or unicode)
 * @param versionId the version id ({@code null} for unversioned objects is the string {@code "null"}),
 *        limited to {@code [A-Za-z0-9._-]} so that tiers can append it to the key unambiguously
 */
public record ColdObjectId(String bucket, String key, String versionId) {

    private static final Pattern VERSION_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** Validates the parts; throws {@link IllegalArgumentException} naming the bad one. */
    public ColdObjectId {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionId, "versionId");
        if (bucket.isEmpty() || bucket.indexOf('/') >= 0 || bucket.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad bucket: " + bucket);
        }
        if (key.isEmpty()) throw new IllegalArgumentException("empty key");
        if (!VERSION_ID.matcher(versionId).matches() || versionId.equals("meta")) {
            throw new IllegalArgumentException("bad version id: " + versionId);
        }
    }
}
