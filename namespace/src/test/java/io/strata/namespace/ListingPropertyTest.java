package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing checked against a plain in-memory model of S3's rules over many seeded random trials:
 * random key sets (multi-byte UTF-8, keys holding the delimiter several times, 0x00) × prefix ×
 * delimiter × maxKeys × start marker, paging with the returned marker until the listing ends.
 */
class ListingPropertyTest {
    private static final String[] TOKENS = {"a", "b", "c", "/", "/", "-", "é", "日本", "😀", "%", "+", " ", "..",
            "\\", "\n", "ab", "/-", "\u0000", "\u007f", "z"};
    private static final String[] DELIMITERS = {"", "/", "/-", "日本"};
    private static final int[] MAX_KEYS = {1, 2, 3, 4, 5, 6, 7, 1000};
    private static final Comparator<String> UTF8 =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path dir;
    private static RocksDbNamespace ns;

    @BeforeAll
    static void open() {
        // Unsynced writes: these trials test listing logic, not durability.
        ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(16L << 20, false));
    }

    @AfterAll
    static void close() {
        ns.close();
    }

    private static String randomString(Random r, int maxTokens) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(maxTokens);
        for (int i = 0; i < n; i++) sb.append(TOKENS[r.nextInt(TOKENS.length)]);
        return sb.toString();
    }

    /** A prefix of {@code s} cut at a code point boundary (possibly empty or whole). */
    private static String cut(Random r, String s) {
        int points = s.codePointCount(0, s.length());
        return s.substring(0, s.offsetByCodePoints(0, r.nextInt(points + 1)));
    }

    private static String pick(Random r, List<String> keys, String fallback) {
        return keys.isEmpty() ? fallback : keys.get(r.nextInt(keys.size()));
    }

    /** Entry of the model: "K:key" or "P:commonPrefix". */
    private static List<String> model(TreeSet<String> keys, String prefix, String delimiter, String after) {
        TreeMap<String, Boolean> entries = new TreeMap<>(UTF8);
        for (String k : keys) {
            if (!k.startsWith(prefix)) continue;
            int at = delimiter.isEmpty() ? -1 : k.indexOf(delimiter, prefix.length());
            String entry = at < 0 ? k : k.substring(0, at + delimiter.length());
            if (UTF8.compare(entry, after) > 0) entries.put(entry, at >= 0);
        }
        List<String> out = new ArrayList<>();
        entries.forEach((e, isPrefix) -> out.add((isPrefix ? "P:" : "K:") + e));
        return out;
    }

    private static List<String> merged(ListPage page) {
        TreeMap<String, String> m = new TreeMap<>(UTF8);
        for (ObjectVersion v : page.objects()) m.put(v.key().value(), "K:" + v.key().value());
        for (String p : page.commonPrefixes()) m.put(p, "P:" + p);
        return new ArrayList<>(m.values());
    }

    @Test
    void pagedListingsEqualTheModelsFullListing() {
        int trials = 300;
        int queries = 0;
        for (int trial = 0; trial < trials; trial++) {
            Random r = new Random(1000L + trial);
            String bucketName = String.format("trial-%04d", trial);
            BucketName bucket = new BucketName(bucketName);
            ns.createBucket(Fixtures.bucket(bucketName));
            TreeSet<String> keys = new TreeSet<>(UTF8);
            int n = r.nextInt(trial % 10 == 0 ? 200 : 50);
            for (int i = 0; i < n; i++) keys.add(randomString(r, 6));
            Map<String, ObjectVersion> stored = new HashMap<>();
            List<ObjectVersion> versions = new ArrayList<>();
            for (String k : keys) {
                ObjectVersion v = Fixtures.version(bucketName, k);
                versions.add(v);
                stored.put(k, v);
            }
            ns.putObjects(bucket, versions, 1000);
            List<String> keyList = new ArrayList<>(keys);

            for (int q = 0; q < 12; q++, queries++) {
                String prefix = switch (r.nextInt(5)) {
                    case 0, 1 -> "";
                    case 2, 3 -> cut(r, pick(r, keyList, "a"));
                    default -> randomString(r, 2);
                };
                String delimiter = DELIMITERS[r.nextInt(DELIMITERS.length)];
                int maxKeys = MAX_KEYS[r.nextInt(MAX_KEYS.length)];
                String after = switch (r.nextInt(7)) {
                    case 0, 1, 2 -> "";
                    case 3, 4 -> pick(r, keyList, "");
                    case 5 -> cut(r, pick(r, keyList, ""));
                    default -> randomString(r, 3);
                };
                String what = "trial " + trial + " prefix=" + show(prefix) + " delimiter=" + show(delimiter)
                        + " after=" + show(after) + " maxKeys=" + maxKeys;
                List<String> expected = model(keys, prefix, delimiter, after);
                List<String> actual = new ArrayList<>();
                String marker = after;
                for (int pages = 0; ; pages++) {
                    if (pages > expected.size() + 1) fail("listing does not end: " + what);
                    ListPage page = ns.list(bucket, new ListQuery(prefix, delimiter, marker, maxKeys));
                    List<String> entries = merged(page);
                    assertTrue(entries.size() <= maxKeys, what);
                    for (ObjectVersion v : page.objects()) assertEquals(stored.get(v.key().value()), v, what);
                    actual.addAll(entries);
                    if (!page.truncated()) {
                        assertEquals("", page.nextAfter(), what);
                        break;
                    }
                    assertEquals(maxKeys, entries.size(), what);
                    String last = entries.get(entries.size() - 1).substring(2);
                    assertEquals(last, page.nextAfter(), what);
                    marker = page.nextAfter();
                }
                assertEquals(expected, actual, what);
            }
        }
        System.out.printf("listing property: %d trials, %d paged queries%n", trials, queries);
    }

    @Test
    void maxKeysZeroIsAnEmptyPageThatIsNotTruncated() {
        ns.createBucket(Fixtures.bucket("zero-keys"));
        ns.putObject(Fixtures.version("zero-keys", "a"));
        ListPage page = ns.list(new BucketName("zero-keys"), new ListQuery("", "/", "", 0));
        assertTrue(page.objects().isEmpty() && page.commonPrefixes().isEmpty());
        assertFalse(page.truncated());
    }

    @Test
    void continuingFromACommonPrefixDoesNotRepeatIt() {
        ns.createBucket(Fixtures.bucket("continue"));
        BucketName b = new BucketName("continue");
        for (String k : List.of("asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla")) {
            ns.putObject(Fixtures.version("continue", k));
        }
        ListPage first = ns.list(b, new ListQuery("", "/", "", 2));
        assertEquals(List.of("asdf"), first.objects().stream().map(v -> v.key().value()).toList());
        assertEquals(List.of("boo/"), first.commonPrefixes());
        assertTrue(first.truncated());
        assertEquals("boo/", first.nextAfter());
        ListPage second = ns.list(b, new ListQuery("", "/", "boo/", 1));
        assertEquals(List.of("cquux/"), second.commonPrefixes());
        assertFalse(second.truncated()); // nothing after cquux/: not truncated although the page is full
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    // ------------------------------------------------------------------ ListMultipartUploads

    /** Model order of uploads: key bytes, initiated, upload id bytes. */
    private static final Comparator<MultipartUpload> UPLOAD_ORDER = Comparator
            .comparing((MultipartUpload u) -> u.key().value(), UTF8)
            .thenComparing(MultipartUpload::initiated)
            .thenComparing(MultipartUpload::uploadId, UTF8);

    private static List<String> uploadModel(List<MultipartUpload> sorted, String prefix, String delimiter,
                                            String keyMarker) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (MultipartUpload u : sorted) {
            String k = u.key().value();
            if (!k.startsWith(prefix) || UTF8.compare(k, keyMarker) <= 0) continue;
            int at = delimiter.isEmpty() ? -1 : k.indexOf(delimiter, prefix.length());
            if (at < 0) {
                out.add("U:" + k + "#" + u.uploadId());
            } else {
                String cp = k.substring(0, at + delimiter.length());
                if (UTF8.compare(cp, keyMarker) > 0) out.add("P:" + cp);
            }
        }
        return new ArrayList<>(out);
    }

    @Test
    void pagedUploadListingsEqualTheModel() {
        int queries = 0;
        for (int trial = 0; trial < 120; trial++) {
            Random r = new Random(5000L + trial);
            String bucketName = String.format("uploads-%04d", trial);
            BucketName bucket = new BucketName(bucketName);
            ns.createBucket(Fixtures.bucket(bucketName));
            List<MultipartUpload> all = new ArrayList<>();
            int n = r.nextInt(40);
            List<String> keyPool = new ArrayList<>();
            for (int i = 0; i < 1 + n / 3; i++) keyPool.add(randomString(r, 4));
            for (int i = 0; i < n; i++) {
                MultipartUpload u = Fixtures.upload(bucketName, keyPool.get(r.nextInt(keyPool.size())),
                        "id-" + Integer.toString(r.nextInt(1000), 36) + "-" + i,
                        Instant.ofEpochSecond(1_700_000_000L + r.nextInt(3)));
                ns.createUpload(u);
                all.add(u);
            }
            all.sort(UPLOAD_ORDER);
            for (int q = 0; q < 8; q++, queries++) {
                String prefix = r.nextBoolean() ? "" : cut(r, pick(r, keyPool, ""));
                String delimiter = DELIMITERS[r.nextInt(DELIMITERS.length)];
                int max = MAX_KEYS[r.nextInt(MAX_KEYS.length)];
                String keyMarker = r.nextInt(3) == 0 ? pick(r, keyPool, "") : "";
                String what = "trial " + trial + " prefix=" + show(prefix) + " delimiter=" + show(delimiter)
                        + " keyMarker=" + show(keyMarker) + " max=" + max;
                List<String> expected = uploadModel(all, prefix, delimiter, keyMarker);
                List<String> actual = new ArrayList<>();
                String idMarker = "";
                for (int pages = 0; ; pages++) {
                    if (pages > expected.size() + 1) fail("listing does not end: " + what);
                    UploadPage page = ns.uploads(bucket, prefix, delimiter, keyMarker, idMarker, max);
                    List<String> uploadsInOrder = new ArrayList<>();
                    for (MultipartUpload u : page.uploads()) uploadsInOrder.add("U:" + u.key().value() + "#" + u.uploadId());
                    // Merge: uploads keep their order; a prefix sorts before the keys it does not cover.
                    List<String> pageEntries = mergeUploads(uploadsInOrder, page.commonPrefixes());
                    assertTrue(pageEntries.size() <= max, what);
                    actual.addAll(pageEntries);
                    if (!page.truncated()) break;
                    assertEquals(max, pageEntries.size(), what);
                    keyMarker = page.nextKeyMarker();
                    idMarker = page.nextUploadIdMarker();
                }
                assertEquals(expected, actual, what);
            }
        }
        System.out.printf("upload listing property: %d paged queries%n", queries);
    }

    private static List<String> mergeUploads(List<String> uploads, List<String> prefixes) {
        List<String> out = new ArrayList<>();
        int p = 0;
        for (String u : uploads) {
            String key = u.substring(2, u.lastIndexOf('#'));
            while (p < prefixes.size() && UTF8.compare(prefixes.get(p), key) < 0) out.add("P:" + prefixes.get(p++));
            out.add(u);
        }
        while (p < prefixes.size()) out.add("P:" + prefixes.get(p++));
        return out;
    }

    // ------------------------------------------------------------------ ListObjectVersions

    /** One entry of the version model: its key, id, and whether it is a delete marker. */
    private record ModelVersion(String key, String id, boolean marker) {
    }

    /**
     * S3's rules applied to a model: a map from key to its stack, newest first. Returns the entries in
     * listing order as "V:key#id", "D:key#id" (delete marker, either with a trailing "*" when latest)
     * or "P:prefix", after the markers.
     */
    private static List<String> versionModel(TreeMap<String, List<ModelVersion>> stacks, String prefix, String delimiter,
                                             String keyMarker, String idMarker) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (var e : stacks.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(prefix) || e.getValue().isEmpty()) continue;
            int at = delimiter.isEmpty() ? -1 : k.indexOf(delimiter, prefix.length());
            if (at >= 0) {
                String cp = k.substring(0, at + delimiter.length());
                if (UTF8.compare(cp, keyMarker) > 0) out.add("P:" + cp);
                continue;
            }
            int c = UTF8.compare(k, keyMarker);
            if (c < 0 || c == 0 && idMarker.isEmpty()) continue;
            List<ModelVersion> stack = e.getValue();
            int from = 0;
            if (c == 0) {
                from = stack.size();
                for (int i = 0; i < stack.size(); i++) {
                    if (stack.get(i).id().equals(idMarker)) from = i + 1;
                }
            }
            for (int i = from; i < stack.size(); i++) {
                ModelVersion v = stack.get(i);
                out.add((v.marker() ? "D:" : "V:") + k + "#" + v.id() + (i == 0 ? "*" : ""));
            }
        }
        return new ArrayList<>(out);
    }

    private static String entry(VersionPage.Entry e) {
        ObjectVersion v = e.version();
        return (v.deleteMarker() ? "D:" : "V:") + v.key().value() + "#" + v.versionId() + (e.latest() ? "*" : "");
    }

    @Test
    void pagedVersionListingsEqualTheModel() {
        int queries = 0;
        int operations = 0;
        for (int trial = 0; trial < 150; trial++) {
            Random r = new Random(9000L + trial);
            String bucketName = String.format("versions-%04d", trial);
            BucketName bucket = new BucketName(bucketName);
            ns.createBucket(Fixtures.bucket(bucketName));
            TreeMap<String, List<ModelVersion>> stacks = new TreeMap<>(UTF8);
            List<String> keyPool = new ArrayList<>();
            for (int i = 0; i < 1 + r.nextInt(12); i++) keyPool.add(randomString(r, 4));
            BucketVersioning state = BucketVersioning.UNVERSIONED;
            int ops = r.nextInt(trial % 10 == 0 ? 150 : 40);
            for (int op = 0; op < ops; op++, operations++) {
                String k = keyPool.get(r.nextInt(keyPool.size()));
                List<ModelVersion> stack = stacks.computeIfAbsent(k, x -> new ArrayList<>());
                int what = r.nextInt(20);
                if (what == 0) {
                    state = r.nextBoolean() ? BucketVersioning.ENABLED : BucketVersioning.SUSPENDED;
                    ns.setVersioning(bucket, state);
                } else if (what < 11) {
                    PutResult put = ns.putObject(Fixtures.version(bucketName, k));
                    if (state != BucketVersioning.ENABLED) stack.removeIf(v -> v.id().equals("null"));
                    stack.add(0, new ModelVersion(k, put.version().versionId(), false));
                } else if (what < 15) {
                    DeleteResult d = ns.deleteObject(bucket, new ObjectKey(k));
                    if (state != BucketVersioning.ENABLED) stack.removeIf(v -> v.id().equals("null"));
                    if (state != BucketVersioning.UNVERSIONED) {
                        stack.add(0, new ModelVersion(k, d.marker().orElseThrow().versionId(), true));
                    }
                } else if (!stack.isEmpty()) {
                    ModelVersion gone = stack.remove(r.nextInt(stack.size()));
                    assertEquals(gone.id(), ns.deleteVersion(bucket, new ObjectKey(k), gone.id()).orElseThrow().versionId());
                }
            }
            // Current state per key agrees with the model: object() is the newest unless it is a marker.
            for (var e : stacks.entrySet()) {
                ObjectKey key = new ObjectKey(e.getKey());
                List<ModelVersion> stack = e.getValue();
                boolean visible = !stack.isEmpty() && !stack.get(0).marker();
                assertEquals(visible ? Optional.of(stack.get(0).id()) : Optional.empty(),
                        ns.object(bucket, key).map(ObjectVersion::versionId), "trial " + trial + " key " + show(e.getKey()));
                assertEquals(stack.isEmpty() ? Optional.empty() : Optional.of(stack.get(0).id()),
                        ns.latest(bucket, key).map(ObjectVersion::versionId));
            }
            List<ModelVersion> all = new ArrayList<>();
            stacks.values().forEach(all::addAll);
            for (int q = 0; q < 10; q++, queries++) {
                String prefix = r.nextBoolean() ? "" : cut(r, pick(r, keyPool, ""));
                String delimiter = DELIMITERS[r.nextInt(DELIMITERS.length)];
                int max = MAX_KEYS[r.nextInt(MAX_KEYS.length)];
                String keyMarker = "";
                String idMarker = "";
                switch (r.nextInt(4)) {
                    case 0 -> keyMarker = pick(r, keyPool, "");
                    case 1 -> {
                        if (!all.isEmpty()) {
                            ModelVersion m = all.get(r.nextInt(all.size()));
                            keyMarker = m.key();
                            idMarker = m.id();
                        }
                    }
                    default -> { }
                }
                String what = "trial " + trial + " prefix=" + show(prefix) + " delimiter=" + show(delimiter)
                        + " keyMarker=" + show(keyMarker) + " idMarker=" + idMarker + " max=" + max;
                List<String> expected = versionModel(stacks, prefix, delimiter, keyMarker, idMarker);
                List<String> actual = new ArrayList<>();
                for (int pages = 0; ; pages++) {
                    if (pages > expected.size() + 1) fail("listing does not end: " + what);
                    VersionPage page = ns.listVersions(bucket, new VersionQuery(prefix, delimiter, keyMarker, idMarker, max));
                    List<String> versionsInOrder = new ArrayList<>();
                    for (VersionPage.Entry e : page.versions()) versionsInOrder.add(entry(e));
                    List<String> pageEntries = mergeUploads(versionsInOrder, page.commonPrefixes());
                    assertTrue(pageEntries.size() <= max, what);
                    actual.addAll(pageEntries);
                    if (!page.truncated()) {
                        assertEquals("", page.nextKeyMarker(), what);
                        break;
                    }
                    assertEquals(max, pageEntries.size(), what);
                    keyMarker = page.nextKeyMarker();
                    idMarker = page.nextVersionIdMarker();
                }
                assertEquals(expected, actual, what);
            }
        }
        System.out.printf("version listing property: %d operations, %d paged queries%n", operations, queries);
    }
}
