package io.strata.gateway.objects;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pseudo-headers a version's (or an upload's) record carries besides its real stored headers:
 * the canned ACL, how its checksum was made, and its tag set. They are never returned as plain
 * headers. Both the S3 API (which sets and shows them) and the data plane (multipart checksums,
 * lifecycle tag filters) read them, so their names and forms live here. Stateless.
 */
public final class StoredHeaders {
    /** The object's canned ACL (absent means private). */
    public static final String ACL_HEADER = "x-amz-acl";
    /**
     * How an object's (or an upload's) checksum was made: COMPOSITE or FULL_OBJECT. Absent means
     * FULL_OBJECT, which is what a single PUT's checksum is.
     */
    public static final String CHECKSUM_TYPE_HEADER = "x-amz-checksum-type";
    public static final String COMPOSITE = "COMPOSITE";
    public static final String FULL_OBJECT = "FULL_OBJECT";
    /** The object's tag set, URL-form encoded ({@link #encodeTags}). */
    public static final String TAGGING_HEADER = "x-amz-tagging";

    private StoredHeaders() {
    }

    /** COMPOSITE or FULL_OBJECT. */
    public static String checksumType(Map<String, String> storedHeaders) {
        return storedHeaders.getOrDefault(CHECKSUM_TYPE_HEADER, FULL_OBJECT);
    }

    /** The stored form of a tag set; "" for no tags. */
    public static String encodeTags(Map<String, String> tags) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (!b.isEmpty()) b.append('&');
            b.append(URLEncoder.encode(t.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(t.getValue(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    /** The tag set of a stored form (null or "" is none). */
    public static Map<String, String> decodeTags(String stored) {
        Map<String, String> out = new LinkedHashMap<>();
        if (stored == null || stored.isEmpty()) return out;
        for (String pair : stored.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The tags stored with an object version. */
    public static Map<String, String> tags(Map<String, String> storedHeaders) {
        return decodeTags(storedHeaders.get(TAGGING_HEADER));
    }

    /** Stored headers with the tag set replaced ({@code tags} empty: removed). */
    public static Map<String, String> withTags(Map<String, String> storedHeaders, Map<String, String> tags) {
        Map<String, String> h = new TreeMap<>(storedHeaders);
        h.remove(TAGGING_HEADER);
        if (!tags.isEmpty()) h.put(TAGGING_HEADER, encodeTags(tags));
        return h;
    }
}
