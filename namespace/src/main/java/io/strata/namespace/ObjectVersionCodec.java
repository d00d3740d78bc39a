package io.strata.namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stored form of an {@link ObjectVersion} in the {@code objects} column family; bucket and key are
 * the row key and are not repeated; the same form serves the {@code versions} column family.
 * v7: the v6 fields, then the replication targets still waiting for the version (count, then a string
 * each). Written only while one waits; the status is then PENDING or FAILED.
 * v6: the v4 fields, then the replication status (one byte, any ordinal, NONE included), the origin
 * site (string) and the sites that applied the version (count, then a string each). Written only for a
 * version that has an origin site or sites (one replicated between Strata sites); the others keep v4 or
 * v5, byte for byte as before v6 existed.
 * v5: the v4 fields, then the replication status (one byte, {@link ReplicationStatus} ordinal, never
 * NONE). A version without a replication status is written in v4, byte for byte as before v5 existed,
 * so gateways that read only v4 still read every record until replication gives one a status.
 * v4: the v3 fields, then the attributes: tags (count, then key and value each, in the client's
 * order), canned ACL, checksum type (one byte, {@link ChecksumType} ordinal).
 * v3: the v2 fields, then the per-part checksums (count, then one map each). v1 to v3 kept the
 * attributes in the headers map as pseudo-headers; reading them moves those out
 * ({@link ObjectAttributes#lift}), so no migration pass is needed.
 * v2: version byte, flags (bit 0: delete marker), then the v1 fields. v1 (still read, as an object
 * version): version byte, versionId, size, etag, lastModified, contentType, headers, userMetadata,
 * checksums, partCount, segments (count, then size and ref each).
 */
final class ObjectVersionCodec {
    static final int VERSION = 7;
    /** The format of a version with an origin site or sites but no replication target waiting for it. */
    static final int WITHOUT_WAITING = 6;
    /** The format of a version with a replication status but no origin site or sites. */
    static final int WITHOUT_SITES = 5;
    /** The format of a version whose replication status is NONE. */
    static final int WITHOUT_REPLICATION_STATUS = 4;
    private static final int DELETE_MARKER = 1;

    private ObjectVersionCodec() {
    }

    static byte[] encode(ObjectVersion v) {
        ReplicationStatus status = v.attributes().replicationStatus();
        boolean waiting = !v.attributes().replicationWaiting().isEmpty();
        boolean sites = waiting || !v.attributes().originSite().isEmpty() || !v.attributes().sites().isEmpty();
        RecordWriter w = new RecordWriter(128 + 48 * v.segments().size())
                .u8(waiting ? VERSION : sites ? WITHOUT_WAITING : status == ReplicationStatus.NONE
                        ? WITHOUT_REPLICATION_STATUS : WITHOUT_SITES)
                .u8(v.deleteMarker() ? DELETE_MARKER : 0)
                .string(v.versionId())
                .varint(v.size())
                .string(v.etag())
                .instant(v.lastModified())
                .string(v.contentType())
                .map(v.headers())
                .map(v.userMetadata())
                .map(v.checksums())
                .varint(v.partCount())
                .varint(v.segments().size());
        for (Segment s : v.segments()) {
            w.segment(s);
        }
        w.varint(v.partChecksums().size());
        for (Map<String, String> m : v.partChecksums()) {
            w.map(m);
        }
        w.attributes(v.attributes());
        if (sites) {
            w.u8(status.ordinal()).string(v.attributes().originSite()).varint(v.attributes().sites().size());
            for (String site : v.attributes().sites()) w.string(site);
            if (waiting) {
                w.varint(v.attributes().replicationWaiting().size());
                for (String target : v.attributes().replicationWaiting()) w.string(target);
            }
        } else if (status != ReplicationStatus.NONE) {
            w.u8(status.ordinal());
        }
        return w.toByteArray();
    }

    static ObjectVersion decode(BucketName bucket, ObjectKey key, byte[] value) {
        return decode(bucket, key, value, 0, value.length);
    }

    static ObjectVersion decode(BucketName bucket, ObjectKey key, byte[] buf, int offset, int length) {
        return Codecs.decoding("object version", () -> {
            RecordReader r = new RecordReader(buf, offset, length);
            int format = r.version("object version", 1, VERSION);
            int flags = format >= 2 ? r.u8() : 0;
            if ((flags & ~DELETE_MARKER) != 0) throw new RecordFormatException("object version flags " + flags);
            String versionId = r.string();
            long size = r.varint();
            String etag = r.string();
            var lastModified = r.instant();
            String contentType = r.string();
            var headers = r.map();
            var userMetadata = r.map();
            var checksums = r.map();
            long partCount = r.varint();
            if (partCount > Integer.MAX_VALUE) throw new RecordFormatException("part count " + partCount);
            int n = r.count();
            List<Segment> segments = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                segments.add(r.segment());
            }
            List<Map<String, String>> partChecksums = new ArrayList<>();
            if (format >= 3) {
                int parts = r.count();
                for (int i = 0; i < parts; i++) {
                    partChecksums.add(r.map());
                }
            }
            ObjectAttributes attributes;
            if (format >= 4) {
                attributes = r.attributes();
                if (format >= 5) {
                    int status = r.u8();
                    // v5 writes a status only when it is not NONE; v6 always writes one.
                    if ((status == 0 && format == WITHOUT_SITES) || status >= ReplicationStatus.values().length) {
                        throw new RecordFormatException("object version replication status " + status);
                    }
                    attributes = attributes.withReplicationStatus(ReplicationStatus.values()[status]);
                }
                if (format >= 6) {
                    String origin = r.string();
                    int count = r.count();
                    List<String> sites = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) sites.add(r.string());
                    attributes = attributes.withSites(origin, sites);
                }
                if (format >= 7) {
                    int count = r.count();
                    List<String> waiting = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) waiting.add(r.string());
                    attributes = attributes.withReplication(attributes.replicationStatus(), waiting);
                }
            } else {
                ObjectAttributes.Lifted lifted = ObjectAttributes.lift(headers);
                headers = lifted.headers();
                attributes = lifted.attributes();
            }
            r.end();
            return new ObjectVersion(bucket, key, versionId, size, etag, lastModified, contentType, headers,
                    userMetadata, checksums, (int) partCount, segments, (flags & DELETE_MARKER) != 0, partChecksums,
                    attributes);
        });
    }
}
