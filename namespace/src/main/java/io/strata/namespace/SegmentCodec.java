package io.strata.namespace;

/** Stored form of a garbage {@link Segment} in the {@code garbage} column family. v1: version byte, size, ref. */
final class SegmentCodec {
    static final int VERSION = 1;

    private SegmentCodec() {
    }

    static byte[] encode(Segment s) {
        return new RecordWriter(16 + s.ref().length).u8(VERSION).segment(s).toByteArray();
    }

    static Segment decode(byte[] value) {
        return Codecs.decoding("segment", () -> {
            RecordReader r = new RecordReader(value).version("segment", VERSION);
            Segment s = r.segment();
            r.end();
            return s;
        });
    }
}
