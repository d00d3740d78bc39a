package io.strata.namespace;

/**
 * Stored form of a {@link GarbageMark} in the {@code garbage-marks} column family (the name is the
 * row key). v1: version byte, garbageId, changeSequence, taken.
 */
final class GarbageMarkCodec {
    static final int VERSION = 1;

    private GarbageMarkCodec() {
    }

    static byte[] encode(GarbageMark m) {
        return new RecordWriter(32)
                .u8(VERSION)
                .varint(m.garbageId())
                .varint(m.changeSequence())
                .instant(m.taken())
                .toByteArray();
    }

    static GarbageMark decode(String name, byte[] value) {
        return Codecs.decoding("garbage mark", () -> {
            RecordReader r = new RecordReader(value).version("garbage mark", VERSION);
            long garbageId = r.varint();
            long changeSequence = r.varint();
            var taken = r.instant();
            r.end();
            return new GarbageMark(name, garbageId, changeSequence, taken);
        });
    }
}
