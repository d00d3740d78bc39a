package io.strata.namespace;

/**
 * Stored form of a {@link CompletedUpload} in the {@code completed-uploads} column family (bucket,
 * key and upload id are in the row key). v1: version byte, completedAt, versionId, etag, checksums,
 * checksum type name, request digest.
 */
final class CompletedUploadCodec {
    static final int VERSION = 1;

    private CompletedUploadCodec() {
    }

    static byte[] encode(CompletedUpload c) {
        return new RecordWriter(128)
                .u8(VERSION)
                .instant(c.completedAt())
                .string(c.versionId())
                .string(c.etag())
                .map(c.checksums())
                .string(c.checksumType().name())
                .string(c.requestDigest())
                .toByteArray();
    }

    static CompletedUpload decode(BucketName bucket, ObjectKey key, String uploadId, byte[] value) {
        return Codecs.decoding("completed upload", () -> {
            RecordReader r = new RecordReader(value).version("completed upload", VERSION);
            var completedAt = r.instant();
            String versionId = r.string();
            String etag = r.string();
            var checksums = r.map();
            String typeName = r.string();
            ChecksumType type = ChecksumType.parse(typeName);
            if (type == null) throw new RecordFormatException("unknown checksum type " + typeName);
            String digest = r.string();
            r.end();
            return new CompletedUpload(bucket, key, uploadId, completedAt, versionId, etag, checksums, type, digest);
        });
    }
}
