package io.strata.namespace;

import java.util.List;

/**
 * One page of ListMultipartUploads: uploads ordered by key then by initiation time, plus common
 * prefixes when a delimiter was given.
 */
public record UploadPage(List<MultipartUpload> uploads, List<String> commonPrefixes, boolean truncated,
                         String nextKeyMarker, String nextUploadIdMarker) {
    public UploadPage {
        uploads = List.copyOf(uploads);
        commonPrefixes = List.copyOf(commonPrefixes);
    }
}
