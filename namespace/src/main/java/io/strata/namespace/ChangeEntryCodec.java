package io.strata.namespace;

import java.time.Instant;
import java.util.Optional;

/**
 * Stored form of a {@link ChangeEntry} in the {@code changes} column family (the sequence is the
 * row key, 8 bytes big-endian). v1: version byte, committed, kind (one byte: the
 * {@link ChangeEntry.Kind} ordinal), bucket, detail, then for the version kinds: key, version id,
 * delete marker (one byte 0/1), last modified, ETag, size (varint).
 */
final class ChangeEntryCodec {
    static final int VERSION = 1;
    private static final ChangeEntry.Kind[] KINDS = ChangeEntry.Kind.values();

    private ChangeEntryCodec() {
    }

    static byte[] encode(ChangeEntry e) {
        RecordWriter w = new RecordWriter(96).u8(VERSION).instant(e.committed()).u8(e.kind().ordinal())
                .string(e.bucket().value()).string(e.detail());
        if (e.version().isPresent()) {
            ChangeEntry.VersionRef v = e.version().get();
            w.string(v.key().value()).string(v.versionId()).u8(v.deleteMarker() ? 1 : 0).instant(v.lastModified())
                    .string(v.etag()).varint(v.size());
        }
        return w.toByteArray();
    }

    static ChangeEntry decode(long sequence, byte[] value) {
        return Codecs.decoding("change entry", () -> {
            RecordReader r = new RecordReader(value);
            r.version("change entry", VERSION);
            Instant committed = r.instant();
            int ordinal = r.u8();
            if (ordinal >= KINDS.length) throw new RecordFormatException("change entry kind " + ordinal);
            ChangeEntry.Kind kind = KINDS[ordinal];
            BucketName bucket = new BucketName(r.string());
            String detail = r.string();
            Optional<ChangeEntry.VersionRef> version = Optional.empty();
            if (kind.aboutVersion()) {
                ObjectKey key = new ObjectKey(r.string());
                String versionId = r.string();
                int marker = r.u8();
                if (marker > 1) throw new RecordFormatException("change entry delete-marker flag " + marker);
                version = Optional.of(new ChangeEntry.VersionRef(key, versionId, marker == 1, r.instant(), r.string(),
                        r.varint()));
            }
            r.end();
            return new ChangeEntry(sequence, committed, kind, bucket, version, detail);
        });
    }
}
