package io.strata.namespace;

/**
 * Stored form of a {@link Bucket} in the {@code buckets} column family (the name is the row key).
 * v1: version byte, created, region, owner.
 */
final class BucketCodec {
    static final int VERSION = 1;

    private BucketCodec() {
    }

    static byte[] encode(Bucket b) {
        return new RecordWriter(64).u8(VERSION).instant(b.created()).string(b.region()).string(b.owner()).toByteArray();
    }

    static Bucket decode(BucketName name, byte[] value) {
        return Codecs.decoding("bucket", () -> {
            RecordReader r = new RecordReader(value).version("bucket", VERSION);
            Bucket b = new Bucket(name, r.instant(), r.string(), r.string());
            r.end();
            return b;
        });
    }
}
