package io.strata.namespace;

import java.util.List;

/**
 * One page of ListMultipartUploads: uploads ordered by key then by initiation time, plus common
 * prefixes when a delimiter was given. Immutable (the lists are copied) and thread-safe.
 *
 * @param nextKeyMarker      when truncated, the key of the last upload or the last common prefix; "" otherwise
 * @param nextUploadIdMarker when truncated and the page ends with an upload, its id; "" otherwise
 */
public record UploadPage(List<MultipartUpload> uploads, List<String> commonPrefixes, boolean truncated,
                         String nextKeyMarker, String nextUploadIdMarker) {
    public UploadPage {
        uploads = List.copyOf(uploads);
        commonPrefixes = List.copyOf(commonPrefixes);
    }
}
