package io.strata.erasure;

import java.time.Instant;
import java.util.Objects;

/**
 * A blob with a live shard record in a given segment ({@link ErasureStore#forEachBlobIn}): what a
 * compaction job needs to find the version that refers to it (the owner's bucket and key, or
 * upload and part) and rewrite it elsewhere. An immutable value.
 *
 * @param blobId the blob's id, equal to {@link BlobLocation#id()} of its location
 * @param owner the owner recorded in the record
 * @param written when the record was appended
 */
public record SegmentBlob(String blobId, BlobOwner owner, Instant written) {
    public SegmentBlob {
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(written, "written");
    }
}
