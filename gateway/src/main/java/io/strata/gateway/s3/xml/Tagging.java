package io.strata.gateway.s3.xml;

import io.strata.gateway.http.Encoding;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.s3.S3Request;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import org.w3c.dom.Element;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Object and bucket tag sets: parsing (x-amz-tagging header, Tagging XML) and S3's limits. An
 * object's tags are its version's typed tags field ({@code ObjectVersion.tags()}), so they commit
 * atomically with the version; a bucket's are the bucket configuration document
 * {@link #BUCKET_CONFIG}, stored as a URL-encoded query string ({@code k1=v1&k2=v2},
 * {@link #storedForm}). Stateless, thread-safe.
 */
public final class Tagging {
    /** The bucket configuration kind of a bucket's tag set. */
    public static final String BUCKET_CONFIG = "tagging";
    public static final int MAX_OBJECT_TAGS = 10;
    public static final int MAX_BUCKET_TAGS = 50;
    private static final int MAX_KEY = 128;
    private static final int MAX_VALUE = 256;
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_Tag.html and the IAM tag rules it refers to.
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private Tagging() {
    }

    /** The stored form of a bucket's tag set ({@link #BUCKET_CONFIG}), in the tag set's order; "" for no tags. */
    public static String storedForm(Map<String, String> tags) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (!b.isEmpty()) b.append('&');
            b.append(URLEncoder.encode(t.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(t.getValue(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    /** The tag set of a stored form ({@link #storedForm}; "" is none), in its order. */
    public static Map<String, String> fromStoredForm(String stored) {
        Map<String, String> out = new LinkedHashMap<>();
        if (stored.isEmpty()) return out;
        for (String pair : stored.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The request's x-amz-tagging header as a validated tag set (empty when absent). */
    public static Map<String, String> fromHeader(S3Request r) {
        String header = r.header("x-amz-tagging").orElse("");
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        if (!header.isEmpty()) {
            for (String pair : header.split("&", -1)) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                try {
                    tags.add(Map.entry(Encoding.percentDecode(eq < 0 ? pair : pair.substring(0, eq), true),
                            eq < 0 ? "" : Encoding.percentDecode(pair.substring(eq + 1), true)));
                } catch (IllegalArgumentException e) {
                    throw new S3Exception(S3Error.INVALID_ARGUMENT, "The header 'x-amz-tagging' shall be encoded as "
                            + "UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
                            .with("ArgumentName", "x-amz-tagging").with("ArgumentValue", header);
                }
            }
        }
        return validate(tags, MAX_OBJECT_TAGS);
    }

    /**
     * A Tagging XML body (Put*Tagging) as a validated tag set.
     *
     * @throws S3Exception MalformedXML for a body that is not {@code <Tagging><TagSet><Tag><Key/><Value/>...},
     *                     InvalidTag for tags breaking S3's limits
     */
    public static Map<String, String> fromXml(byte[] body, int max) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("Tagging")) throw new S3Exception(S3Error.MALFORMED_XML);
        List<Element> sets = XmlReader.children(doc.root(), "TagSet");
        if (sets.size() != 1) throw new S3Exception(S3Error.MALFORMED_XML);
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        for (Element tag : XmlReader.children(sets.getFirst(), "Tag")) {
            if (XmlReader.children(tag, "Key").size() != 1 || XmlReader.children(tag, "Value").size() != 1) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            tags.add(Map.entry(XmlReader.text(tag, "Key").orElseThrow(), XmlReader.text(tag, "Value").orElseThrow()));
        }
        return validate(tags, max);
    }

    /** S3's limits: count, key 1-128 and value 0-256 Unicode characters, allowed characters, no duplicates, no aws: keys. */
    static Map<String, String> validate(List<Map.Entry<String, String>> tags, int max) {
        if (tags.size() > max) {
            throw new S3Exception(S3Error.INVALID_TAG, max == MAX_OBJECT_TAGS
                    ? "Object tags cannot be greater than " + max : "Bucket tag count cannot be greater than " + max);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : tags) {
            String k = t.getKey();
            String v = t.getValue();
            if (k.isEmpty() || k.codePointCount(0, k.length()) > MAX_KEY || !ALLOWED.matcher(k).matches()) {
                throw new S3Exception(S3Error.INVALID_TAG, "The TagKey you have provided is invalid");
            }
            if (v.codePointCount(0, v.length()) > MAX_VALUE || !ALLOWED.matcher(v).matches()) {
                throw new S3Exception(S3Error.INVALID_TAG, "The TagValue you have provided is invalid");
            }
            if (k.toLowerCase(Locale.ROOT).startsWith("aws:")) {
                throw new S3Exception(S3Error.INVALID_TAG, "Your TagKey cannot be prefixed with aws:");
            }
            if (out.putIfAbsent(k, v) != null) {
                throw new S3Exception(S3Error.INVALID_TAG, "Cannot provide multiple Tags with the same key");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    public static XmlWriter xml(Map<String, String> tags) {
        XmlWriter xml = XmlWriter.create().root("Tagging").start("TagSet");
        for (Map.Entry<String, String> t : tags.entrySet()) {
            xml.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
        }
        return xml.end().end();
    }
}
