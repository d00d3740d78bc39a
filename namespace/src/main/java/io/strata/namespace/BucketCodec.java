package io.strata.namespace;

/**
 * Stored form of a {@link Bucket} in the {@code buckets} column family (the name is the row key).
 * v2: version byte, created, region, owner, versioning (one byte: the {@link BucketVersioning}
 * ordinal). v1 (still read, as UNVERSIONED): version byte, created, region, owner.
 */
final class BucketCodec {
    static final int VERSION = 2;
    private static final BucketVersioning[] STATES = BucketVersioning.values();

    private BucketCodec() {
    }

    static byte[] encode(Bucket b) {
        return new RecordWriter(64).u8(VERSION).instant(b.created()).string(b.region()).string(b.owner())
                .u8(b.versioning().ordinal()).toByteArray();
    }

    static Bucket decode(BucketName name, byte[] value) {
        return Codecs.decoding("bucket", () -> {
            RecordReader r = new RecordReader(value);
            int version = r.version("bucket", 1, VERSION);
            var created = r.instant();
            String region = r.string();
            String owner = r.string();
            BucketVersioning state = BucketVersioning.UNVERSIONED;
            if (version >= 2) {
                int ordinal = r.u8();
                if (ordinal >= STATES.length) throw new RecordFormatException("bucket versioning state " + ordinal);
                state = STATES[ordinal];
            }
            r.end();
            return new Bucket(name, created, region, owner, state);
        });
    }
}
