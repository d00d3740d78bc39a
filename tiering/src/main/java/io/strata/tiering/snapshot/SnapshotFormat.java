package io.strata.tiering.snapshot;

import io.strata.namespace.ChecksumType;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The repository format's names and encodings, in one place (docs/snapshot-format.md is its prose):
 * paths, data ids, the marker, range file lines. Static helpers; every encoder emits fields in a
 * fixed order and maps sorted by key, so equal content always gives equal bytes.
 */
final class SnapshotFormat {
    static final String FORMAT = "strata-snapshot";
    static final int MAJOR = 1;
    /**
     * 1: range lines carry {@code tags}, {@code acl} and {@code ckType}; 2: a data object's
     * {@code data.storageClass} (docs/snapshot-format.md §4); 3: GC plans are paged (§10); 4: a root
     * may carry {@code consistentWith}, the replication cut it was taken with (§3).
     */
    static final int MINOR = 4;
    static final String MARKER = "strata-snap.json";
    static final String SNAPSHOTS = "snapshots/";
    static final String RANGES = "ranges/";
    static final String DATA = "data/";
    /** The longest key (UTF-8 bytes) used as a path; longer ones are hashed, so prefix + path fits S3's 1,024 bytes. */
    static final int MAX_PLAIN_KEY = 768;

    private SnapshotFormat() {
    }

    static String marker() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("major", MAJOR);
        m.put("minor", MINOR);
        return Json.write(m);
    }

    static String rootPath(String snapshotId) {
        return SNAPSHOTS + snapshotId + ".json";
    }

    static String rangePath(String sha256) {
        return RANGES + sha256 + ".ndjson.gz";
    }

    /**
     * The data id of a version: its version id when assigned (unique per key), otherwise {@code null-}
     * and 32 hex digits of the SHA-256 of what makes its bytes: mtime in nanoseconds, size, ETag,
     * part sizes and checksums (docs/snapshot-format.md §5 says why that is enough).
     */
    static String dataId(ObjectVersion v) {
        if (!v.versionId().equals(ObjectVersion.NULL_VERSION)) return v.versionId();
        StringBuilder b = new StringBuilder();
        Instant t = v.lastModified();
        b.append(t.getEpochSecond()).append(String.format("%09d", t.getNano())).append('\n')
                .append(v.size()).append('\n').append(v.etag()).append('\n');
        List<Long> parts = partSizes(v);
        for (int i = 0; i < parts.size(); i++) b.append(i == 0 ? "" : ",").append(parts.get(i));
        b.append('\n');
        boolean first = true;
        for (var e : new TreeMap<>(v.checksums()).entrySet()) {
            b.append(first ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
            first = false;
        }
        return "null-" + sha256Hex(b.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    /** The part sizes of a multipart version (one segment per part), empty for a single PUT. */
    static List<Long> partSizes(ObjectVersion v) {
        if (v.partCount() == 0) return List.of();
        if (v.segments().size() != v.partCount()) {
            throw new IllegalStateException(v.bucket() + "/" + v.key() + " " + v.versionId() + ": " + v.partCount()
                    + " parts in " + v.segments().size() + " segments");
        }
        return v.segments().stream().map(Segment::size).toList();
    }

    /** Whether a key can be used as a path as it is (docs/snapshot-format.md §5). */
    static boolean isPlainKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_PLAIN_KEY) return false;
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.startsWith("@")) return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') return false;
        }
        return true;
    }

    static String dataPath(String bucket, String key, String dataId) {
        String keyPath = isPlainKey(key) ? key : "@h/" + sha256Hex(key.getBytes(StandardCharsets.UTF_8));
        return DATA + bucket + "/" + keyPath + "/@" + dataId;
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ range lines

    /** One range file line, without the newline. */
    static String line(SnapshotEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k", e.key());
        m.put("v", e.versionId());
        m.put("dm", e.deleteMarker());
        m.put("mtime", e.lastModified().toString());
        if (!e.deleteMarker()) {
            m.put("size", e.size());
            m.put("etag", e.etag());
            m.put("ct", e.contentType());
            m.put("h", new TreeMap<>(e.headers()));
            // A list of pairs, not an object: the client's tag order is kept in every JSON reader.
            if (!e.attributes().tags().isEmpty()) {
                m.put("tags", e.attributes().tags().entrySet().stream().map(t -> List.of(t.getKey(), t.getValue())).toList());
            }
            if (!e.attributes().cannedAcl().equals(ObjectAttributes.PRIVATE)) m.put("acl", e.attributes().cannedAcl());
            if (e.attributes().checksumType() != ChecksumType.FULL_OBJECT) m.put("ckType", e.attributes().checksumType().name());
            m.put("meta", new TreeMap<>(e.userMetadata()));
            m.put("ck", new TreeMap<>(e.checksums()));
            if (!e.partSizes().isEmpty()) m.put("parts", e.partSizes());
            if (!e.partChecksums().isEmpty()) m.put("partCk", e.partChecksums().stream().map(TreeMap::new).toList());
            Map<String, Object> d = new LinkedHashMap<>();
            switch (e.data().orElseThrow()) {
                case SnapshotEntry.InRepository r -> {
                    d.put("id", r.id());
                    d.put("path", r.path());
                    // Absent for STANDARD, so the lines of hot versions stay as 1.1 wrote them (and
                    // range files unchanged since keep their hash).
                    if (!r.storageClass().equals(SnapshotEntry.STANDARD)) d.put("storageClass", r.storageClass());
                }
                case SnapshotEntry.InColdTier c -> {
                    d.put("id", c.id());
                    d.put("tier", c.tier());
                    d.put("bucket", c.bucket());
                    d.put("key", c.key());
                    d.put("version", c.version());
                    d.put("storageClass", c.storageClass());
                }
            }
            m.put("data", d);
        }
        return Json.write(m);
    }

    /**
     * Parses one range line.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static SnapshotEntry parseLine(String line) {
        Map<String, Object> m = object(Json.parse(line), "line");
        String key = string(m, "k");
        String version = string(m, "v");
        boolean dm = Boolean.TRUE.equals(m.get("dm"));
        Instant mtime = Instant.parse(string(m, "mtime"));
        if (dm) {
            return new SnapshotEntry(key, version, true, mtime, 0, "", "", Map.of(), Map.of(), Map.of(), List.of(),
                    List.of(), Optional.empty());
        }
        List<Long> parts = new ArrayList<>();
        if (m.get("parts") != null) for (Object p : list(m.get("parts"), "parts")) parts.add(number(p, "parts"));
        List<Map<String, String>> partCk = new ArrayList<>();
        if (m.get("partCk") != null) for (Object p : list(m.get("partCk"), "partCk")) partCk.add(strings(p, "partCk"));
        Map<String, Object> d = object(m.get("data"), "data");
        String id = string(d, "id");
        SnapshotEntry.Data data = d.containsKey("path")
                ? new SnapshotEntry.InRepository(id, relativePath(string(d, "path"), DATA),
                        d.get("storageClass") == null ? SnapshotEntry.STANDARD : string(d, "storageClass"))
                : new SnapshotEntry.InColdTier(id, string(d, "tier"), string(d, "bucket"), string(d, "key"),
                        string(d, "version"), string(d, "storageClass"));
        // A 1.0 line kept the attributes in "h" as pseudo-headers; 1.1 gives them fields of their own.
        ObjectAttributes.Lifted lifted = ObjectAttributes.lift(strings(m.get("h"), "h"));
        ObjectAttributes attributes = lifted.attributes();
        if (m.get("tags") != null) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (Object t : list(m.get("tags"), "tags")) {
                List<?> pair = list(t, "tags");
                if (pair.size() != 2 || !(pair.get(0) instanceof String k) || !(pair.get(1) instanceof String v)) {
                    throw new IllegalArgumentException("tags holds a pair that is not two strings");
                }
                tags.put(k, v);
            }
            attributes = attributes.withTags(tags);
        }
        if (m.get("acl") != null) attributes = attributes.withCannedAcl(string(m, "acl"));
        if (m.get("ckType") != null) {
            ChecksumType type = ChecksumType.parse(string(m, "ckType"));
            if (type == null) throw new IllegalArgumentException("unknown ckType " + m.get("ckType"));
            attributes = attributes.withChecksumType(type);
        }
        return new SnapshotEntry(key, version, false, mtime, number(m.get("size"), "size"), string(m, "etag"),
                string(m, "ct"), lifted.headers(), strings(m.get("meta"), "meta"), strings(m.get("ck"), "ck"),
                parts, partCk, Optional.of(data), attributes);
    }

    /** A relative path under {@code dir}, refused if it could leave it (a root or range is untrusted input). */
    static String relativePath(String path, String dir) {
        if (!path.startsWith(dir) || path.contains("\\") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a relative path under " + dir + ": " + path);
        }
        for (String s : path.split("/", -1)) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("not a relative path under " + dir + ": " + path);
            }
        }
        return path;
    }

    // ------------------------------------------------------------------ JSON access with clear errors

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException(what + " is not an object");
        return (Map<String, Object>) m;
    }

    static List<?> list(Object o, String what) {
        if (!(o instanceof List<?> l)) throw new IllegalArgumentException(what + " is not a list");
        return l;
    }

    static String string(Map<String, Object> m, String field) {
        if (!(m.get(field) instanceof String s)) throw new IllegalArgumentException("field " + field + " is not a string");
        return s;
    }

    static long number(Object o, String what) {
        if (!(o instanceof BigDecimal d)) throw new IllegalArgumentException(what + " is not a number");
        try {
            return d.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " is not an integer");
        }
    }

    static Map<String, String> strings(Object o, String what) {
        Map<String, String> out = new TreeMap<>();
        for (var e : object(o, what).entrySet()) {
            if (!(e.getValue() instanceof String s)) throw new IllegalArgumentException(what + "." + e.getKey() + " is not a string");
            out.put(e.getKey(), s);
        }
        return out;
    }

    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
