package io.strata.namespace;

/**
 * Stored form of a {@link MultipartUpload} in the {@code uploads} and {@code upload-order} column
 * families (the bucket is in the row key). v1: version byte, key, uploadId, initiated, owner,
 * contentType, headers, userMetadata, checksumAlgorithm.
 */
final class MultipartUploadCodec {
    static final int VERSION = 1;

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
                .toByteArray();
    }

    static MultipartUpload decode(BucketName bucket, byte[] value) {
        return Codecs.decoding("multipart upload", () -> {
            RecordReader r = new RecordReader(value).version("multipart upload", VERSION);
            MultipartUpload u = new MultipartUpload(bucket, new ObjectKey(r.string()), r.string(), r.instant(),
                    r.string(), r.string(), r.map(), r.map(), r.string());
            r.end();
            return u;
        });
    }
}
