package io.strata.namespace;

/**
 * Stored form of a {@link Part} in the {@code parts} column family (the part number is also in the
 * row key, and repeated here so a value stands alone). v1: version byte, partNumber, etag,
 * lastModified, checksums, segment (size, ref; the part's size is the segment's).
 */
final class PartCodec {
    static final int VERSION = 1;

    private PartCodec() {
    }

    static byte[] encode(Part p) {
        return new RecordWriter(96)
                .u8(VERSION)
                .varint(p.partNumber())
                .string(p.etag())
                .instant(p.lastModified())
                .map(p.checksums())
                .segment(p.segment())
                .toByteArray();
    }

    static Part decode(byte[] value) {
        return Codecs.decoding("part", () -> {
            RecordReader r = new RecordReader(value).version("part", VERSION);
            long number = r.varint();
            if (number > Part.MAX_NUMBER) throw new RecordFormatException("part number " + number);
            String etag = r.string();
            var lastModified = r.instant();
            var checksums = r.map();
            Segment segment = r.segment();
            r.end();
            return new Part((int) number, segment.size(), etag, lastModified, checksums, segment);
        });
    }
}
