package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * ListObjects v1 and v2 against a model of S3's rules: keys in UTF-8 binary order, prefix,
 * delimiter with common prefixes, max-keys, continuation token, marker, start-after, and paging
 * over a few hundred keys where no page may drop or repeat a key.
 */
class ListObjectsTest extends GatewayTest {
    private static final NavigableSet<String> KEYS = new TreeSet<>();
    private static String bucket;

    @BeforeAll
    static void populate() throws Exception {
        bucket = createBucket("listing");
        for (int d = 0; d < 10; d++) {
            for (int s = 0; s < 5; s++) {
                for (int f = 0; f < 7; f++) {
                    KEYS.add("dir" + d + "/sub" + s + "/file" + f);
                }
            }
        }
        for (int t = 0; t < 12; t++) {
            KEYS.add("top-" + t);
        }
        KEYS.addAll(List.of("dir3/direct", "dir3", "dir3-sibling", "enc/a b+c%d&e", "enc/ünï cødé", "enc/tab\tx"));
        try (var executor = Executors.newFixedThreadPool(8)) {
            List<Future<?>> puts = new ArrayList<>();
            for (String key : KEYS) {
                puts.add(executor.submit(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key))));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        }
    }

    @Test
    void v2PagesThroughEveryKeyOnceInOrder() {
        for (int maxKeys : new int[] {1000, 7, 1}) {
            List<String> listed = new ArrayList<>();
            String token = null;
            int pages = 0;
            do {
                String t = token;
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(maxKeys).continuationToken(t));
                pages++;
                assertTrue(page.contents().size() <= maxKeys, "page larger than max-keys " + maxKeys);
                assertEquals(page.contents().size(), page.keyCount(), "KeyCount");
                assertEquals(maxKeys, page.maxKeys(), "MaxKeys echoed");
                page.contents().stream().map(S3Object::key).forEach(listed::add);
                if (page.isTruncated()) {
                    assertNotNull(page.nextContinuationToken(), "NextContinuationToken of a truncated page");
                } else {
                    assertNull(page.nextContinuationToken(), "NextContinuationToken of the last page");
                }
                token = page.nextContinuationToken();
                assertTrue(pages <= KEYS.size() + 1, "listing does not end");
            } while (token != null);
            assertEquals(List.copyOf(KEYS), listed, "keys listed with max-keys " + maxKeys);
        }
    }

    @Test
    void v2ObjectsCarrySizeEtagAndLastModified() {
        S3Object first = s3.listObjectsV2(b -> b.bucket(bucket).prefix("top-0").maxKeys(1)).contents().get(0);
        assertEquals("top-0", first.key());
        assertEquals((long) "top-0".length(), first.size());
        assertEquals("\"" + TestData.md5Hex("top-0".getBytes(StandardCharsets.UTF_8)) + "\"", first.eTag());
        assertNotNull(first.lastModified());
        assertNotNull(first.storageClassAsString());
    }

    @Test
    void v2DelimiterGroupsCommonPrefixesAndCountsThemInMaxKeys() {
        for (int maxKeys : new int[] {1000, 3}) {
            List<String> keys = new ArrayList<>();
            List<String> prefixes = new ArrayList<>();
            String token = null;
            do {
                String t = token;
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).delimiter("/").maxKeys(maxKeys).continuationToken(t));
                assertTrue(page.contents().size() + page.commonPrefixes().size() <= maxKeys, "keys + prefixes <= max-keys");
                assertEquals(page.contents().size() + page.commonPrefixes().size(), page.keyCount(), "KeyCount counts prefixes too");
                assertEquals("/", page.delimiter());
                page.contents().stream().map(S3Object::key).forEach(keys::add);
                page.commonPrefixes().stream().map(CommonPrefix::prefix).forEach(prefixes::add);
                token = page.nextContinuationToken();
            } while (token != null);
            assertEquals(model("", "/").keys(), keys, "keys with delimiter, max-keys " + maxKeys);
            assertEquals(model("", "/").prefixes(), prefixes, "common prefixes, max-keys " + maxKeys);
        }
    }

    @Test
    void v2PrefixAndDelimiter() {
        ListObjectsV2Response dir3 = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir3/").delimiter("/"));
        assertEquals(List.of("dir3/direct"), dir3.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("dir3/sub0/", "dir3/sub1/", "dir3/sub2/", "dir3/sub3/", "dir3/sub4/"),
                dir3.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals("dir3/", dir3.prefix());
        assertFalse(dir3.isTruncated());

        ListObjectsV2Response noSlash = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir3").delimiter("/"));
        assertEquals(List.of("dir3", "dir3-sibling"), noSlash.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("dir3/"), noSlash.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

        ListObjectsV2Response leaf = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir7/sub2/"));
        assertEquals(model("dir7/sub2/", null).keys(), leaf.contents().stream().map(S3Object::key).toList());
        assertEquals(7, leaf.keyCount());

        ListObjectsV2Response nothing = s3.listObjectsV2(b -> b.bucket(bucket).prefix("no-such-prefix/"));
        assertEquals(0, nothing.keyCount());
        assertTrue(nothing.contents().isEmpty());
        assertFalse(nothing.isTruncated());

        // A delimiter other than "/".
        ListObjectsV2Response dash = s3.listObjectsV2(b -> b.bucket(bucket).prefix("top").delimiter("-"));
        assertEquals(List.of("top-"), dash.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertTrue(dash.contents().isEmpty());
    }

    @Test
    void v2StartAfter() {
        String after = "dir5/sub3/file4";
        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).startAfter(after).maxKeys(50).continuationToken(t));
            assertEquals(after, page.startAfter());
            page.contents().stream().map(S3Object::key).forEach(listed::add);
            token = page.nextContinuationToken();
        } while (token != null);
        assertEquals(List.copyOf(KEYS.tailSet(after, false)), listed);

        // start-after need not be an existing key
        assertEquals("dir6/sub0/file0", s3.listObjectsV2(b -> b.bucket(bucket).startAfter("dir5/zzz").maxKeys(1)).contents().get(0).key());
    }

    @Test
    void v1PagesWithMarkerAndNextMarker() {
        // Without a delimiter S3 sends no NextMarker: clients continue from the last key.
        List<String> listed = new ArrayList<>();
        String marker = null;
        boolean truncated;
        do {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).maxKeys(11).marker(m));
            assertTrue(page.contents().size() <= 11);
            page.contents().stream().map(S3Object::key).forEach(listed::add);
            truncated = page.isTruncated();
            marker = page.nextMarker() != null ? page.nextMarker() : listed.getLast();
        } while (truncated);
        assertEquals(List.copyOf(KEYS), listed, "v1 listing");

        // With a delimiter, a truncated page carries NextMarker.
        List<String> keys = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        marker = null;
        do {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).delimiter("/").maxKeys(4).marker(m));
            page.contents().stream().map(S3Object::key).forEach(keys::add);
            page.commonPrefixes().stream().map(CommonPrefix::prefix).forEach(prefixes::add);
            truncated = page.isTruncated();
            if (truncated) {
                assertNotNull(page.nextMarker(), "NextMarker of a truncated v1 page with a delimiter");
            }
            marker = page.nextMarker();
        } while (truncated);
        assertEquals(model("", "/").keys(), keys);
        assertEquals(model("", "/").prefixes(), prefixes);
    }

    @Test
    void v1PrefixDelimiterAndMarker() {
        ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).prefix("dir2/").delimiter("/").marker("dir2/sub1/"));
        assertEquals(List.of("dir2/sub2/", "dir2/sub3/", "dir2/sub4/"), page.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals("dir2/sub1/", page.marker());
    }

    /** encoding-type=url as boto3 sends it by default: keys come back URL-encoded in the XML. */
    @Test
    void encodingTypeUrlEncodesKeysInTheXml() throws Exception {
        for (String version : new String[] {"1", "2"}) {
            RawRequest request = RawRequest.of("GET", "/" + bucket).query("prefix", "enc/").query("encoding-type", "url");
            if (version.equals("2")) {
                request.query("list-type", "2");
            }
            RawRequest.Response response = request.send(server);
            assertEquals(200, response.status(), response::toString);
            Document xml = response.xml();
            assertEquals(List.of("url"), RawRequest.Xml.texts(xml, "EncodingType"), "EncodingType, v" + version);
            List<String> raw = RawRequest.Xml.texts(xml, "Key");
            List<String> decoded = raw.stream().map(k -> URLDecoder.decode(k, StandardCharsets.UTF_8)).toList();
            assertEquals(model("enc/", null).keys(), decoded, "decoded keys, v" + version + " (raw " + raw + ")");
            assertTrue(raw.stream().noneMatch(k -> k.contains(" ") || k.contains("\t") || k.contains("ü")),
                    "keys are encoded, v" + version + ": " + raw);
        }
        // ... and the SDK, which decodes them, sees the original keys.
        assertEquals(model("enc/", null).keys(), s3.listObjectsV2(b -> b.bucket(bucket).prefix("enc/").encodingType("url"))
                .contents().stream().map(S3Object::key).toList());
    }

    private record Listing(List<String> keys, List<String> prefixes) {
    }

    /** S3's listing rules over the key set, as a client sees them with one huge page. */
    private static Listing model(String prefix, String delimiter) {
        List<String> keys = new ArrayList<>();
        NavigableSet<String> prefixes = new TreeSet<>();
        try (Stream<String> matching = KEYS.stream().filter(k -> k.startsWith(prefix))) {
            matching.forEach(key -> {
                int at = delimiter == null ? -1 : key.indexOf(delimiter, prefix.length());
                if (at >= 0) {
                    prefixes.add(key.substring(0, at + delimiter.length()));
                } else {
                    keys.add(key);
                }
            });
        }
        return new Listing(keys, List.copyOf(prefixes));
    }
}
