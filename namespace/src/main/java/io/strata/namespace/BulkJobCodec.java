package io.strata.namespace;

/**
 * Stored form of a {@link BulkJob} in the {@code bulk-jobs} column family (row key: the id, 8 bytes
 * big-endian). v1: version byte, action, bucket, prefix, parameters, state ordinal, key marker,
 * version-id marker, done, skipped, failed, bytes, total + 1, created, updated, lastError. v2 adds
 * present after bytes (a replication resync's "the target has it"); v1 records read with present 0.
 */
final class BulkJobCodec {
    static final int VERSION = 2;

    private BulkJobCodec() {
    }

    static byte[] encode(BulkJob j) {
        byte[] parameters = j.parameters();
        return new RecordWriter(128 + parameters.length + j.prefix().length() * 2)
                .u8(VERSION)
                .string(j.action())
                .string(j.bucket().value())
                .string(j.prefix())
                .bytes(parameters)
                .u8(j.state().ordinal())
                .string(j.position().keyMarker())
                .string(j.position().versionIdMarker())
                .varint(j.counters().done())
                .varint(j.counters().skipped())
                .varint(j.counters().failed())
                .varint(j.counters().bytes())
                .varint(j.counters().present())
                .varint(j.total() + 1)
                .instant(j.created())
                .instant(j.updated())
                .string(j.lastError())
                .toByteArray();
    }

    static BulkJob decode(long id, byte[] value) {
        return Codecs.decoding("bulk job", () -> {
            RecordReader r = new RecordReader(value);
            int format = r.version("bulk job", 1, VERSION);
            String action = r.string();
            BucketName bucket = new BucketName(r.string());
            String prefix = r.string();
            byte[] parameters = r.bytes();
            int state = r.u8();
            if (state >= BulkJob.State.values().length) throw new RecordFormatException("bulk job state " + state);
            BulkJob.Position position = new BulkJob.Position(r.string(), r.string());
            long done = r.varint();
            long skipped = r.varint();
            long failed = r.varint();
            long bytes = r.varint();
            long present = format >= 2 ? r.varint() : 0;
            BulkJob.Counters counters = new BulkJob.Counters(done, skipped, failed, bytes, present);
            long total = r.varint() - 1;
            var created = r.instant();
            var updated = r.instant();
            String lastError = r.string();
            r.end();
            return new BulkJob(id, action, bucket, prefix, parameters, BulkJob.State.values()[state], position, counters,
                    total, created, updated, lastError);
        });
    }
}
