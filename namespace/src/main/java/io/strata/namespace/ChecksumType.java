package io.strata.namespace;

/**
 * How an object's (or a multipart upload's) flexible checksum was made, as S3's
 * {@code x-amz-checksum-type} names it. A single PUT's checksum is always {@link #FULL_OBJECT};
 * a multipart upload chooses at creation ("Checking object integrity", AWS S3 user guide).
 * Stored by ordinal in the record codecs: only append new values.
 */
public enum ChecksumType {
    /** The checksum of the whole object's bytes (for a multipart object, combined from the part CRCs). */
    FULL_OBJECT,
    /** The checksum of the parts' binary checksums, shown with a {@code -N} part-count suffix. */
    COMPOSITE;

    /** The type an {@code x-amz-checksum-type} value names (case-sensitive, as S3), or null for none. */
    public static ChecksumType parse(String value) {
        for (ChecksumType t : values()) {
            if (t.name().equals(value)) return t;
        }
        return null;
    }
}
