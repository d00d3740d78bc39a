package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFormat.list;
import static io.strata.tiering.snapshot.SnapshotFormat.number;
import static io.strata.tiering.snapshot.SnapshotFormat.object;
import static io.strata.tiering.snapshot.SnapshotFormat.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A snapshot's root document (docs/snapshot-format.md §3): what it covers, the buckets with their
 * settings and range files, and what the export uploaded. Immutable.
 *
 * @param sequence the source's change log sequence the snapshot includes
 * @param stats    informative counters by name (versions, bytes, newData, newDataBytes, newRanges)
 * @param consistentWith the replication cut the snapshot was taken with (format minor 4), if any: its
 *                 buckets hold the replicas from that site up to each bucket's point, none after
 */
public record SnapshotRoot(int major, int minor, String snapshot, Optional<String> parent, long sequence,
                           Instant takenAt, boolean selfContained, List<BucketRoot> buckets, Map<String, Long> stats,
                           Optional<ConsistencyCut> consistentWith) {
    /**
     * Snapshots in the order they were taken: by the source's change-log sequence, then time, then
     * id. Not by id alone: an id starts with the wall-clock time, which can go back, and two ids of
     * the same second are ordered by their random suffix.
     */
    public static final java.util.Comparator<SnapshotRoot> TAKEN_ORDER = java.util.Comparator.comparingLong(SnapshotRoot::sequence)
            .thenComparing(SnapshotRoot::takenAt).thenComparing(SnapshotRoot::snapshot);

    public SnapshotRoot {
        parent = java.util.Objects.requireNonNull(parent, "parent");
        buckets = List.copyOf(buckets);
        stats = Map.copyOf(stats);
        consistentWith = java.util.Objects.requireNonNull(consistentWith, "consistentWith");
    }

    /** A root taken without a replication cut. */
    public SnapshotRoot(int major, int minor, String snapshot, Optional<String> parent, long sequence, Instant takenAt,
                        boolean selfContained, List<BucketRoot> buckets, Map<String, Long> stats) {
        this(major, minor, snapshot, parent, sequence, takenAt, selfContained, buckets, stats, Optional.empty());
    }

    /** One bucket: its settings, configuration documents by kind, and range files in key order. */
    public record BucketRoot(String name, Instant created, String region, String owner, String versioning,
                             Map<String, byte[]> configs, List<RangeRef> ranges) {
        public BucketRoot {
            configs = Map.copyOf(configs);
            ranges = List.copyOf(ranges);
        }
    }

    /** A range file: path, SHA-256 of its bytes, size, entry count, first and last key. */
    public record RangeRef(String path, String sha256, long bytes, long entries, String first, String last) {
    }

    public Optional<BucketRoot> bucket(String name) {
        return buckets.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    String encode() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", SnapshotFormat.FORMAT);
        m.put("major", major);
        m.put("minor", minor);
        m.put("snapshot", snapshot);
        m.put("parent", parent.orElse(null));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("sequence", sequence);
        source.put("takenAt", takenAt.toString());
        m.put("source", source);
        m.put("selfContained", selfContained);
        // Only when taken with a cut: a root without one keeps the bytes it had before the field existed.
        consistentWith.ifPresent(c -> {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("site", c.site());
            Map<String, Object> until = new TreeMap<>();
            c.until().forEach((b, t) -> until.put(b, t.toString()));
            cm.put("until", until);
            m.put("consistentWith", cm);
        });
        List<Object> bs = new ArrayList<>();
        for (BucketRoot b : buckets) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("created", b.created().toString());
            bm.put("region", b.region());
            bm.put("owner", b.owner());
            bm.put("versioning", b.versioning());
            Map<String, Object> configs = new TreeMap<>();
            b.configs().forEach((k, v) -> configs.put(k, Base64.getEncoder().encodeToString(v)));
            bm.put("configs", configs);
            List<Object> rs = new ArrayList<>();
            for (RangeRef r : b.ranges()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("path", r.path());
                rm.put("sha256", r.sha256());
                rm.put("bytes", r.bytes());
                rm.put("entries", r.entries());
                rm.put("first", r.first());
                rm.put("last", r.last());
                rs.add(rm);
            }
            bm.put("ranges", rs);
            bs.add(bm);
        }
        m.put("buckets", bs);
        m.put("stats", new TreeMap<>(stats));
        return Json.write(m) + "\n";
    }

    /**
     * Parses a root.
     *
     * @throws SnapshotException UNKNOWN_FORMAT for another format or major version, CORRUPT for a
     *                           malformed document (paths that could leave the repository included)
     */
    static SnapshotRoot decode(String text) {
        Map<String, Object> m;
        try {
            m = object(Json.parse(text), "root");
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(SnapshotException.Reason.CORRUPT, "snapshot root is not valid JSON: " + e.getMessage(), e);
        }
        if (!SnapshotFormat.FORMAT.equals(m.get("format")) || !(m.get("major") instanceof java.math.BigDecimal)) {
            throw new SnapshotException(SnapshotException.Reason.UNKNOWN_FORMAT, "not a strata-snapshot root");
        }
        long major = number(m.get("major"), "major");
        if (major != SnapshotFormat.MAJOR) {
            throw new SnapshotException(SnapshotException.Reason.UNKNOWN_FORMAT, "snapshot root has format major version "
                    + major + "; this version reads " + SnapshotFormat.MAJOR);
        }
        try {
            Map<String, Object> source = object(m.get("source"), "source");
            List<BucketRoot> buckets = new ArrayList<>();
            for (Object o : list(m.get("buckets"), "buckets")) {
                Map<String, Object> b = object(o, "bucket");
                Map<String, byte[]> configs = new TreeMap<>();
                for (var e : SnapshotFormat.strings(b.get("configs"), "configs").entrySet()) {
                    configs.put(e.getKey(), Base64.getDecoder().decode(e.getValue()));
                }
                List<RangeRef> ranges = new ArrayList<>();
                for (Object r : list(b.get("ranges"), "ranges")) {
                    Map<String, Object> rm = object(r, "range");
                    String sha = string(rm, "sha256");
                    if (!sha.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("bad range sha256 " + sha);
                    String path = SnapshotFormat.relativePath(string(rm, "path"), SnapshotFormat.RANGES);
                    if (!path.equals(SnapshotFormat.rangePath(sha))) {
                        throw new IllegalArgumentException("range path " + path + " does not match its sha256");
                    }
                    ranges.add(new RangeRef(path, sha, number(rm.get("bytes"), "bytes"), number(rm.get("entries"), "entries"),
                            string(rm, "first"), string(rm, "last")));
                }
                buckets.add(new BucketRoot(string(b, "name"), Instant.parse(string(b, "created")), string(b, "region"),
                        string(b, "owner"), string(b, "versioning"), configs, ranges));
            }
            Map<String, Long> stats = new TreeMap<>();
            if (m.get("stats") != null) {
                for (var e : object(m.get("stats"), "stats").entrySet()) stats.put(e.getKey(), number(e.getValue(), "stats"));
            }
            Object parent = m.get("parent");
            Optional<ConsistencyCut> cut = Optional.empty();
            if (m.get("consistentWith") != null) {
                Map<String, Object> cm = object(m.get("consistentWith"), "consistentWith");
                Map<String, Instant> until = new TreeMap<>();
                SnapshotFormat.strings(cm.get("until"), "until").forEach((b, t) -> until.put(b, Instant.parse(t)));
                cut = Optional.of(new ConsistencyCut(string(cm, "site"), until));
            }
            return new SnapshotRoot((int) major, (int) number(m.get("minor"), "minor"), string(m, "snapshot"),
                    parent == null ? Optional.empty() : Optional.of((String) parent), number(source.get("sequence"), "sequence"),
                    Instant.parse(string(source, "takenAt")), Boolean.TRUE.equals(m.get("selfContained")), buckets, stats, cut);
        } catch (IllegalArgumentException | ClassCastException | java.time.format.DateTimeParseException e) {
            throw new SnapshotException(SnapshotException.Reason.CORRUPT, "malformed snapshot root: " + e.getMessage(), e);
        }
    }
}
