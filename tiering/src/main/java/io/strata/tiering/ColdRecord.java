package io.strata.tiering;

import io.strata.namespace.BucketName;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A version's record as it travels in the cold sidecar ({@link ColdMetadata#record()}): every field
 * of {@link ObjectVersion} that the cloud object cannot hold natively, so a gateway can rebuild the
 * namespace from the cold bucket alone. Field names (all values are strings):
 * {@code bucket}, {@code key}, {@code version-id}, {@code etag}, {@code last-modified} (ISO-8601),
 * {@code part-count}, {@code parts} (the part sizes, comma-separated, when there are several
 * segments), {@code checksum.ALG}, {@code checksum-type} ({@code FULL_OBJECT} or {@code COMPOSITE}),
 * {@code acl} (the canned ACL), {@code tag.N.key} and {@code tag.N.value} (the tag set, N from 1 in
 * the client's order), {@code header.NAME} (stored headers), {@code part-checksum.N.ALG}. Content
 * type and user metadata are the object's own.
 *
 * <p>Sidecars written before the record had typed attributes carry no {@code checksum-type},
 * {@code acl} or {@code tag.*} fields; their attributes are the pseudo-headers
 * {@code header.x-amz-checksum-type}, {@code header.x-amz-acl} and {@code header.x-amz-tagging}
 * (URL-form encoded), which {@link #toVersion} still reads. Stateless and thread-safe.
 */
public final class ColdRecord {
    private ColdRecord() {
    }

    /** The sidecar metadata of {@code v}. */
    public static ColdMetadata of(ObjectVersion v) {
        Map<String, String> r = new TreeMap<>();
        r.put("bucket", v.bucket().value());
        r.put("key", v.key().value());
        r.put("version-id", v.versionId());
        r.put("etag", v.etag());
        r.put("last-modified", v.lastModified().toString());
        r.put("part-count", Integer.toString(v.partCount()));
        if (v.segments().size() > 1) {
            StringBuilder parts = new StringBuilder();
            for (Segment s : v.segments()) parts.append(parts.isEmpty() ? "" : ",").append(s.size());
            r.put("parts", parts.toString());
        }
        v.checksums().forEach((a, c) -> r.put("checksum." + a, c));
        v.headers().forEach((h, value) -> r.put("header." + h, value));
        r.put("checksum-type", v.checksumType().name());
        r.put("acl", v.cannedAcl());
        int t = 0;
        for (Map.Entry<String, String> tag : v.tags().entrySet()) {
            t++;
            r.put("tag." + t + ".key", tag.getKey());
            r.put("tag." + t + ".value", tag.getValue());
        }
        for (int i = 0; i < v.partChecksums().size(); i++) {
            int n = i + 1;
            v.partChecksums().get(i).forEach((a, c) -> r.put("part-checksum." + n + "." + a, c));
        }
        String contentType = v.contentType().isEmpty() ? ColdMetadata.DEFAULT_CONTENT_TYPE : v.contentType();
        return new ColdMetadata(contentType, v.userMetadata(), r);
    }

    /**
     * Rebuilds the version a sidecar describes, with the given segments (where its data lives now).
     *
     * @throws IllegalArgumentException if the record lacks a field or holds an impossible value
     */
    public static ObjectVersion toVersion(ColdMetadata m, long size, List<Segment> segments) {
        Map<String, String> r = m.record();
        Map<String, String> checksums = new TreeMap<>();
        Map<String, String> headers = new TreeMap<>();
        Map<Integer, Map<String, String>> partChecksums = new TreeMap<>();
        Map<Integer, String[]> tags = new TreeMap<>();
        r.forEach((name, value) -> {
            if (name.startsWith("checksum.")) checksums.put(name.substring(9), value);
            else if (name.startsWith("tag.")) {
                String rest = name.substring(4);
                int dot = rest.indexOf('.');
                String[] tag = tags.computeIfAbsent(Integer.parseInt(rest.substring(0, dot)), n -> new String[2]);
                switch (rest.substring(dot + 1)) {
                    case "key" -> tag[0] = value;
                    case "value" -> tag[1] = value;
                    default -> throw new IllegalArgumentException("cold record field " + name);
                }
            }
            else if (name.startsWith("header.")) headers.put(name.substring(7), value);
            else if (name.startsWith("part-checksum.")) {
                String rest = name.substring(14);
                int dot = rest.indexOf('.');
                partChecksums.computeIfAbsent(Integer.parseInt(rest.substring(0, dot)), n -> new TreeMap<>())
                        .put(rest.substring(dot + 1), value);
            }
        });
        List<Map<String, String>> perPart = new ArrayList<>(partChecksums.values());
        // An older sidecar's attributes are pseudo-headers; a newer one's fields of their own win.
        ObjectAttributes.Lifted lifted = ObjectAttributes.lift(headers);
        ObjectAttributes attributes = lifted.attributes();
        if (r.containsKey("checksum-type")) {
            ChecksumType type = ChecksumType.parse(r.get("checksum-type"));
            if (type == null) throw new IllegalArgumentException("cold record checksum-type " + r.get("checksum-type"));
            attributes = attributes.withChecksumType(type);
        }
        if (r.containsKey("acl")) attributes = attributes.withCannedAcl(r.get("acl"));
        if (!tags.isEmpty()) {
            Map<String, String> ordered = new LinkedHashMap<>();
            for (String[] tag : tags.values()) {
                if (tag[0] == null || tag[1] == null) throw new IllegalArgumentException("cold record tag lacks a key or value");
                ordered.put(tag[0], tag[1]);
            }
            attributes = attributes.withTags(ordered);
        }
        return new ObjectVersion(new BucketName(required(r, "bucket")), new ObjectKey(required(r, "key")),
                required(r, "version-id"), size, required(r, "etag"), Instant.parse(required(r, "last-modified")),
                m.contentType(), lifted.headers(), m.userMetadata(), checksums, Integer.parseInt(required(r, "part-count")),
                segments, false, perPart, attributes);
    }

    /** The segment sizes a record lists (one segment of {@code size} when it lists none). */
    public static List<Long> partSizes(ColdMetadata m, long size) {
        String parts = m.record().get("parts");
        if (parts == null) return List.of(size);
        List<Long> out = new ArrayList<>();
        for (String p : parts.split(",")) out.add(Long.parseLong(p));
        return out;
    }

    private static String required(Map<String, String> r, String name) {
        String v = r.get(name);
        if (v == null) throw new IllegalArgumentException("cold record lacks " + name);
        return v;
    }
}
