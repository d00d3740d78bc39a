package io.strata.namespace;

/**
 * Stored form of a {@link MultipartUpload} in the {@code uploads} and {@code upload-order} column
 * families (the bucket is in the row key). v2: the v1 fields, then the attributes (tags in order,
 * canned ACL, checksum type ordinal). v1 (still read): version byte, key, uploadId, initiated, owner,
 * contentType, headers, userMetadata, checksumAlgorithm; its attributes were pseudo-headers in the
 * headers map and move out on read ({@link ObjectAttributes#lift}).
 */
final class MultipartUploadCodec {
    static final int VERSION = 2;

    private MultipartUploadCodec() {
    }

    static byte[] encode(MultipartUpload u) {
        return new RecordWriter(128)
                .u8(VERSION)
                .string(u.key().value())
                .string(u.uploadId())
                .instant(u.initiated())
                .string(u.owner())
                .string(u.contentType())
                .map(u.headers())
                .map(u.userMetadata())
                .string(u.checksumAlgorithm())
                .attributes(u.attributes())
                .toByteArray();
    }

    static MultipartUpload decode(BucketName bucket, byte[] value) {
        return Codecs.decoding("multipart upload", () -> {
            RecordReader r = new RecordReader(value);
            int format = r.version("multipart upload", 1, VERSION);
            ObjectKey key = new ObjectKey(r.string());
            String uploadId = r.string();
            var initiated = r.instant();
            String owner = r.string();
            String contentType = r.string();
            var headers = r.map();
            var userMetadata = r.map();
            String checksumAlgorithm = r.string();
            ObjectAttributes attributes;
            if (format >= 2) {
                attributes = r.attributes();
            } else {
                ObjectAttributes.Lifted lifted = ObjectAttributes.lift(headers);
                headers = lifted.headers();
                attributes = lifted.attributes();
            }
            r.end();
            return new MultipartUpload(bucket, key, uploadId, initiated, owner, contentType, headers, userMetadata,
                    checksumAlgorithm, attributes);
        });
    }
}
