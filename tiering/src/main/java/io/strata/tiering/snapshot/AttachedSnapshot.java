package io.strata.tiering.snapshot;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.ListPage;
import io.strata.namespace.ListQuery;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.ColdObjectId;
import io.strata.tiering.DataRef;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * One bucket of a snapshot served read-only, at once: only the root is read up front (checked
 * against the locator's SHA-256); listings and lookups fetch just the range files they need,
 * found by binary search on the root's first/last keys, through the {@link SnapshotCache} (each
 * checked by size and SHA-256 when fetched and again before it is parsed). The newest parsed
 * ranges stay in memory ({@value #PARSED_RANGES} of them). Entries are answered as the namespace's
 * own records ({@link ObjectVersion}, {@link ListPage}, {@link VersionPage}) under the attached
 * bucket's name, with {@link DataRef.Snapshot} segments that {@link SnapshotSources} reads.
 * Thread-safe.
 */
public final class AttachedSnapshot {
    /** Parsed ranges kept in memory: a range is at most 65,536 entries. */
    static final int PARSED_RANGES = 8;
    /** A range file larger than this is refused unread (range files are a few MiB at most). */
    static final long MAX_RANGE_BYTES = 256L << 20;

    private final String name;
    private final SnapshotRoot root;
    private final SnapshotRoot.BucketRoot bucket;
    private final List<SnapshotRoot.RangeRef> ranges;
    private final SnapshotRepository repository;
    private final SnapshotCache cache;
    private final Map<String, SnapshotEntry[]> parsed = new LinkedHashMap<>(16, 0.75f, true);

    private AttachedSnapshot(String name, SnapshotRoot root, SnapshotRoot.BucketRoot bucket, SnapshotRepository repository,
                             SnapshotCache cache) {
        this.name = name;
        this.root = root;
        this.bucket = bucket;
        this.ranges = bucket.ranges();
        this.repository = repository;
        this.cache = cache;
    }

    /**
     * Reads and checks the snapshot's root and picks its bucket.
     *
     * @param name   the bucket name it is served as (also its cache group and source name)
     * @param source the snapshot's bucket to serve; empty: the only one
     * @throws SnapshotException NOT_FOUND, UNKNOWN_FORMAT, LOCATOR_MISMATCH, CORRUPT (see {@link SnapshotReader#open}),
     *         INVALID when the bucket is not in the snapshot, or none was named and it holds several
     */
    public static AttachedSnapshot open(String name, SnapshotRepository repository, SnapshotLocator locator,
                                        Optional<String> source, SnapshotCache cache) {
        SnapshotRoot root = SnapshotReader.open(repository, locator, Path.of(".")).root();
        SnapshotRoot.BucketRoot b;
        if (source.isPresent()) {
            b = root.bucket(source.get()).orElseThrow(() -> new SnapshotException(Reason.INVALID, "bucket " + source.get()
                    + " is not in snapshot " + root.snapshot() + " (it holds " + names(root) + ")"));
        } else if (root.buckets().size() == 1) {
            b = root.buckets().getFirst();
        } else {
            throw new SnapshotException(Reason.INVALID, "snapshot " + root.snapshot() + " holds "
                    + (root.buckets().isEmpty() ? "no bucket" : "buckets " + names(root) + ": name one with --bucket"));
        }
        return new AttachedSnapshot(name, root, b, repository, cache);
    }

    private static String names(SnapshotRoot root) {
        return String.join(", ", root.buckets().stream().map(SnapshotRoot.BucketRoot::name).toList());
    }

    public String name() {
        return name;
    }

    public SnapshotRoot root() {
        return root;
    }

    /** The snapshot's bucket served. */
    public SnapshotRoot.BucketRoot source() {
        return bucket;
    }

    /** The bucket as the namespace describes one: the snapshot's settings under the attached name. */
    public Bucket bucketRecord() {
        BucketVersioning versioning = switch (bucket.versioning()) {
            case "ENABLED" -> BucketVersioning.ENABLED;
            case "SUSPENDED" -> BucketVersioning.SUSPENDED;
            default -> BucketVersioning.UNVERSIONED;
        };
        return new Bucket(new BucketName(name), bucket.created(), bucket.region(), bucket.owner(), versioning);
    }

    /** The newest entry of {@code key} (empty {@code versionId}) or the one with that id. */
    public Optional<SnapshotEntry> lookup(String key, Optional<String> versionId) {
        Cursor c = seek(k -> compare(k, key) >= 0);
        for (SnapshotEntry e; (e = c.peek()) != null && e.key().equals(key); c.next()) {
            if (versionId.isEmpty() || versionId.get().equals(e.versionId())) return Optional.of(e);
        }
        return Optional.empty();
    }

    /** The newest entry of a key (possibly a delete marker), as a record under the attached name. */
    public Optional<ObjectVersion> latest(ObjectKey key) {
        return lookup(key.value(), Optional.empty()).map(this::toVersion);
    }

    public Optional<ObjectVersion> version(ObjectKey key, String versionId) {
        return lookup(key.value(), Optional.of(versionId)).map(this::toVersion);
    }

    /** ListObjects(V2): the current version of each key that is not a delete marker, with S3's delimiter and marker rules. */
    public ListPage list(ListQuery q) {
        String start = compare(q.after(), q.prefix()) > 0 ? q.after() : q.prefix();
        Cursor c = seek(k -> compare(k, start) >= 0);
        List<ObjectVersion> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        int count = 0;
        boolean truncated = false;
        String last = "";
        for (SnapshotEntry e; (e = c.peek()) != null; ) {
            String k = e.key();
            if (!k.startsWith(q.prefix())) break;
            // A key whose newest entry is a delete marker has no current object: it neither lists nor
            // makes a common prefix appear (S3 lists current objects only).
            if (compare(k, q.after()) <= 0 || e.deleteMarker()) {
                c.skipKey(k);
                continue;
            }
            String cp = commonPrefix(k, q.prefix(), q.delimiter());
            if (cp != null) {
                if (compare(cp, q.after()) > 0) {
                    if (count == q.maxKeys()) {
                        truncated = true;
                        break;
                    }
                    prefixes.add(cp);
                    last = cp;
                    count++;
                }
                c = seek(past(cp));
                continue;
            }
            if (count == q.maxKeys()) {
                truncated = true;
                break;
            }
            objects.add(toVersion(e));
            last = k;
            count++;
            c.skipKey(k);
        }
        return new ListPage(objects, prefixes, truncated, truncated ? last : "");
    }

    /** ListObjectVersions, with S3's delimiter and key/version-id marker rules. */
    public VersionPage listVersions(VersionQuery q) {
        String start = compare(q.keyMarker(), q.prefix()) > 0 ? q.keyMarker() : q.prefix();
        Cursor c = seek(k -> compare(k, start) >= 0);
        boolean midKey = false;
        if (!q.versionIdMarker().isEmpty()) {
            // Continue inside the marker's key, after the marker's version (its older versions follow it).
            boolean found = false;
            for (SnapshotEntry e; (e = c.peek()) != null && e.key().equals(q.keyMarker()); ) {
                c.next();
                if (e.versionId().equals(q.versionIdMarker())) {
                    found = true;
                    break;
                }
            }
            midKey = found;
        }
        List<VersionPage.Entry> entries = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        int count = 0;
        boolean truncated = false;
        String lastKey = "";
        String lastId = "";
        String previous = null;
        for (SnapshotEntry e; (e = c.peek()) != null; ) {
            String k = e.key();
            if (!k.startsWith(q.prefix())) break;
            boolean inMarkerKey = midKey && k.equals(q.keyMarker());
            if (!inMarkerKey && compare(k, q.keyMarker()) <= 0) {
                c.skipKey(k);
                continue;
            }
            String cp = commonPrefix(k, q.prefix(), q.delimiter());
            if (cp != null) {
                if (compare(cp, q.keyMarker()) > 0) {
                    if (count == q.maxKeys()) {
                        truncated = true;
                        break;
                    }
                    prefixes.add(cp);
                    lastKey = cp;
                    lastId = "";
                    count++;
                }
                previous = null;
                c = seek(past(cp));
                continue;
            }
            if (count == q.maxKeys()) {
                truncated = true;
                break;
            }
            boolean latest = !inMarkerKey && !k.equals(previous);
            entries.add(new VersionPage.Entry(toVersion(e), latest));
            previous = k;
            lastKey = k;
            lastId = e.versionId();
            count++;
            c.next();
        }
        return truncated ? new VersionPage(entries, prefixes, true, lastKey, lastId)
                : new VersionPage(entries, prefixes, false, "", "");
    }

    /** The common prefix a key rolls up into, or null. */
    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter.isEmpty()) return null;
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }

    /** Keys after every key that starts with {@code cp} (they are contiguous in key order). */
    private static Predicate<String> past(String cp) {
        return k -> !k.startsWith(cp) && compare(k, cp) > 0;
    }

    /** An entry as the namespace's record, under the attached bucket's name, with snapshot segments. */
    public ObjectVersion toVersion(SnapshotEntry e) {
        BucketName b = new BucketName(name);
        ObjectKey key = new ObjectKey(e.key());
        if (e.deleteMarker()) return ObjectVersion.deleteMarker(b, key, e.versionId(), e.lastModified());
        DataRef.SnapshotName where = switch (e.data().orElseThrow()) {
            case SnapshotEntry.InRepository r -> new DataRef.SnapshotName(name, r.path(), r.storageClass());
            case SnapshotEntry.InColdTier c -> new DataRef.SnapshotName(name, "", Optional.of(
                    new DataRef.ColdName(c.tier(), new ColdObjectId(c.bucket(), c.key(), c.version()), c.storageClass())));
        };
        byte[] head = new DataRef.Snapshot(Optional.of(where)).encode();
        List<Segment> segments = new ArrayList<>();
        if (e.partSizes().isEmpty()) {
            segments.add(new Segment(e.size(), head));
        } else {
            byte[] continuation = new DataRef.Snapshot(Optional.empty()).encode();
            for (int i = 0; i < e.partSizes().size(); i++) segments.add(new Segment(e.partSizes().get(i), i == 0 ? head : continuation));
        }
        return new ObjectVersion(b, key, e.versionId(), e.size(), e.etag(), e.lastModified(), e.contentType(), e.headers(),
                e.userMetadata(), e.checksums(), e.partSizes().size(), segments, false, e.partChecksums(), e.attributes());
    }

    // ------------------------------------------------------------------ walking the ranges

    /** A position in the bucket's entries, moving forward across range files. Single-threaded. */
    private final class Cursor {
        private int range;
        private SnapshotEntry[] entries;
        private int index;

        Cursor(int range, SnapshotEntry[] entries, int index) {
            this.range = range;
            this.entries = entries;
            this.index = index;
        }

        SnapshotEntry peek() {
            while (entries != null && index >= entries.length) {
                range++;
                entries = range < ranges.size() ? load(range) : null;
                index = 0;
            }
            return entries == null ? null : entries[index];
        }

        void next() {
            index++;
        }

        /** Moves past the remaining versions of {@code key}. */
        void skipKey(String key) {
            for (SnapshotEntry e; (e = peek()) != null && e.key().equals(key); ) next();
        }
    }

    /** The first entry whose key satisfies {@code reached} (false, then true, along key order). */
    private Cursor seek(Predicate<String> reached) {
        int lo = 0;
        int hi = ranges.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (reached.test(ranges.get(mid).last())) hi = mid;
            else lo = mid + 1;
        }
        if (lo == ranges.size()) return new Cursor(lo, null, 0);
        SnapshotEntry[] entries = load(lo);
        int a = 0;
        int b = entries.length;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (reached.test(entries[mid].key())) b = mid;
            else a = mid + 1;
        }
        return new Cursor(lo, entries, a);
    }

    /** Range {@code i}'s entries: from memory, else from the cache (fetched and checked on a miss), checked again and parsed. */
    private SnapshotEntry[] load(int i) {
        SnapshotRoot.RangeRef ref = ranges.get(i);
        synchronized (parsed) {
            SnapshotEntry[] hit = parsed.get(ref.sha256());
            if (hit != null) return hit;
        }
        if (ref.bytes() > MAX_RANGE_BYTES) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " declares " + ref.bytes() + " bytes");
        }
        byte[] bytes;
        try (FileChannel ch = cache.open(name, "r-" + ref.sha256(), target -> fetchRange(ref, target))) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(ch.size(), MAX_RANGE_BYTES + 1));
            while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                // reads until full or end of file
            }
            bytes = buffer.array();
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "range file " + ref.path() + ": cannot read the cached copy: " + e, e);
        }
        // Checked again before use: the cached copy is on a local disk that may have damaged it since.
        check(ref, bytes.length, sha256(bytes, bytes.length));
        SnapshotEntry[] entries = parse(ref, bytes);
        synchronized (parsed) {
            parsed.put(ref.sha256(), entries);
            while (parsed.size() > PARSED_RANGES) parsed.remove(parsed.keySet().iterator().next());
        }
        return entries;
    }

    private void fetchRange(SnapshotRoot.RangeRef ref, Path target) throws IOException {
        MessageDigest sha = sha256();
        long size = 0;
        try (InputStream in = repository.get(ref.path(), 0, -1); OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 << 10];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                out.write(buffer, 0, n);
                size += n;
                // A longer file is caught without reading it whole.
                if (size > ref.bytes()) break;
            }
        }
        check(ref, size, HexFormat.of().formatHex(sha.digest()));
    }

    private static void check(SnapshotRoot.RangeRef ref, long size, String hash) {
        if (size != ref.bytes() || !hash.equals(ref.sha256())) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " is damaged or truncated: "
                    + (size != ref.bytes() ? size + " bytes (or more), the root says " + ref.bytes() : "SHA-256 " + hash));
        }
    }

    private static SnapshotEntry[] parse(SnapshotRoot.RangeRef ref, byte[] bytes) {
        List<SnapshotEntry> out = new ArrayList<>();
        String previous = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new GZIPInputStream(new ByteArrayInputStream(bytes), 64 << 10),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)))) {
            for (String line; (line = lines.readLine()) != null; ) {
                SnapshotEntry e;
                try {
                    e = SnapshotFormat.parseLine(line);
                } catch (IllegalArgumentException | java.time.format.DateTimeParseException x) {
                    throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " line " + (out.size() + 1)
                            + " is malformed: " + x.getMessage(), x);
                }
                if (previous != null && compare(previous, e.key()) > 0) {
                    throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " is out of key order at " + e.key());
                }
                previous = e.key();
                out.add(e);
            }
        } catch (IOException e) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " cannot be read: " + e, e);
        }
        if (out.size() != ref.entries() || out.isEmpty()) {
            throw new SnapshotException(Reason.CORRUPT, "range file " + ref.path() + " holds " + out.size()
                    + " entries, the root says " + ref.entries());
        }
        return out.toArray(SnapshotEntry[]::new);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] b, int length) {
        MessageDigest sha = sha256();
        sha.update(b, 0, length);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** S3's key order: UTF-8 bytes, which is code point order (String.compareTo is UTF-16 order). */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
