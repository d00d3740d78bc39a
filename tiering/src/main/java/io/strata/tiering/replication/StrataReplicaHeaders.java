package io.strata.tiering.replication;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The headers of a replica write between Strata sites: a PUT of the version's bytes (or of nothing, for a
 * delete marker) with the source's identity, which the receiving Strata keeps instead of minting its own.
 * Both sides use this one definition: the sender writes them ({@link S3ReplicaSender}, SigV4 signs them
 * with the rest), the receiving gateway reads them back with the parsers here, which throw
 * {@link IllegalArgumentException} naming the header at fault. Stateless.
 *
 * <ul>
 *   <li>{@value #VERSION_ID}: the source's version id (32 hex digits); its presence makes a PUT a replica write</li>
 *   <li>{@value #LAST_MODIFIED}: the source's modification time, ISO-8601 ({@code 2026-12-07T02:05:35.123456Z})</li>
 *   <li>{@value #ETAG}: the source's ETag, unquoted: hex MD5, or {@code md5-N} for a multipart source</li>
 *   <li>{@value #PART_SIZES}: a multipart source's part sizes, comma-separated (absent for a single PUT)</li>
 *   <li>{@value #CHECKSUMS}: the whole object's checksums, {@code ALGORITHM=base64} comma-separated</li>
 *   <li>{@value #PART_CHECKSUMS}: per part, its checksums as in {@value #CHECKSUMS}, parts separated by {@code ;}</li>
 *   <li>{@value #CHECKSUM_TYPE}: FULL_OBJECT or COMPOSITE</li>
 *   <li>{@value #ORIGIN_SITE}: the site where the version was written ({@code site.name})</li>
 *   <li>{@value #SITES}: the sites that have applied it, comma-separated</li>
 *   <li>{@value #DELETE_MARKER}: {@code true} for a delete marker (the body is then empty)</li>
 *   <li>{@value #COMPLETE_UNTIL}: on a progress report (a HeadBucket, see
 *       {@link S3ReplicaSender#reportProgress}), ISO-8601: the source's time up to which the bucket holds every
 *       change from {@value #ORIGIN_SITE}</li>
 *   <li>{@value #BACKFILL}: {@code true} when a resync sends it: the receiver keeps it if it lacks the version,
 *       even where the version was written or applied before (a site rebuilt after losing its disk)</li>
 * </ul>
 */
public final class StrataReplicaHeaders {
    public static final String PREFIX = "x-strata-replica-";
    public static final String VERSION_ID = PREFIX + "version-id";
    public static final String LAST_MODIFIED = PREFIX + "last-modified";
    public static final String ETAG = PREFIX + "etag";
    public static final String PART_SIZES = PREFIX + "part-sizes";
    public static final String CHECKSUMS = PREFIX + "checksums";
    public static final String PART_CHECKSUMS = PREFIX + "part-checksums";
    public static final String CHECKSUM_TYPE = PREFIX + "checksum-type";
    public static final String ORIGIN_SITE = PREFIX + "origin-site";
    public static final String SITES = PREFIX + "sites";
    public static final String DELETE_MARKER = PREFIX + "delete-marker";
    public static final String BACKFILL = PREFIX + "backfill";
    public static final String COMPLETE_UNTIL = PREFIX + "complete-until";

    /** At most this many parts, as S3's multipart uploads. */
    public static final int MAX_PARTS = 10_000;
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HEX_MD5 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern MULTIPART_ETAG = Pattern.compile("[0-9a-f]{32}-([1-9][0-9]{0,4})");
    private static final Pattern SITE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern ALGORITHM = Pattern.compile("[A-Z0-9]{1,16}");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{1,200}={0,2}");

    private StrataReplicaHeaders() {
    }

    /** Comma-separated sizes. */
    public static String partSizes(List<Long> sizes) {
        return String.join(",", sizes.stream().map(String::valueOf).toList());
    }

    /** {@code A=v,B=w}, sorted by algorithm. */
    public static String checksums(Map<String, String> checksums) {
        return String.join(",", new TreeMap<>(checksums).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** Each part's {@link #checksums}, separated by {@code ;}. */
    public static String partChecksums(List<Map<String, String>> parts) {
        return String.join(";", parts.stream().map(StrataReplicaHeaders::checksums).toList());
    }

    /** Comma-separated, sorted. */
    public static String sites(java.util.Collection<String> sites) {
        return String.join(",", new TreeSet<>(sites));
    }

    // ------------------------------------------------------------------ parsing (receiver)

    /** A version id a Strata assigned: 32 hex digits whose first 16 are a positive order, bits flipped. */
    public static String versionId(String value) {
        if (value == null || !VERSION.matcher(value).matches() || value.charAt(0) < '8'
                || value.startsWith("ffffffffffffffff")) {
            throw bad(VERSION_ID, "a version id a Strata assigned (32 lower-case hex digits)");
        }
        return value;
    }

    public static Instant lastModified(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw bad(LAST_MODIFIED, "an ISO-8601 instant such as 2026-12-07T02:05:35.123456Z");
        }
    }

    /**
     * The ETag, checked against the part count: hex MD5 when {@code parts} is 0 (a single PUT), else
     * {@code md5-N} with N = {@code parts}.
     */
    public static String etag(String value, int parts) {
        if (value == null) throw bad(ETAG, "present");
        if (parts == 0) {
            if (!HEX_MD5.matcher(value).matches()) throw bad(ETAG, "a hex MD5 for a single-part object");
            return value;
        }
        var m = MULTIPART_ETAG.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(1)) != parts) {
            throw bad(ETAG, "md5-N with N the number of parts (" + parts + ")");
        }
        return value;
    }

    /** Part sizes adding up to {@code length}; empty for a single PUT (absent or empty header). */
    public static List<Long> partSizes(String value, long length) {
        if (value == null || value.isEmpty()) return List.of();
        String[] items = value.split(",", -1);
        if (items.length > MAX_PARTS) throw bad(PART_SIZES, "at most " + MAX_PARTS + " sizes");
        List<Long> out = new ArrayList<>(items.length);
        long sum = 0;
        for (String item : items) {
            long size;
            try {
                size = Long.parseLong(item.trim());
            } catch (NumberFormatException e) {
                throw bad(PART_SIZES, "comma-separated byte counts");
            }
            if (size < 0) throw bad(PART_SIZES, "comma-separated byte counts");
            sum += size;
            out.add(size);
        }
        if (sum != length) throw bad(PART_SIZES, "sizes adding up to the body's length " + length + " (they add up to " + sum + ")");
        return out;
    }

    /** {@code A=v,...}; absent or empty is none. */
    public static Map<String, String> checksums(String value, String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null || value.isEmpty()) return out;
        for (String item : value.split(",", -1)) {
            int eq = item.indexOf('=');
            String algorithm = eq < 0 ? "" : item.substring(0, eq).trim();
            String v = eq < 0 ? "" : item.substring(eq + 1).trim();
            if (!ALGORITHM.matcher(algorithm).matches() || !BASE64.matcher(v).matches() || out.put(algorithm, v) != null) {
                throw bad(header, "ALGORITHM=base64 pairs, comma-separated, each algorithm once");
            }
        }
        return out;
    }

    /** One checksum map per part ({@code parts} of them), or none at all. */
    public static List<Map<String, String>> partChecksums(String value, int parts) {
        if (value == null || value.isEmpty()) return List.of();
        String[] items = value.split(";", -1);
        if (items.length != parts) throw bad(PART_CHECKSUMS, "one entry per part (" + parts + "), separated by ;");
        List<Map<String, String>> out = new ArrayList<>(items.length);
        for (String item : items) out.add(checksums(item, PART_CHECKSUMS));
        return out;
    }

    public static String site(String value, String header) {
        if (value == null || !SITE.matcher(value).matches()) throw bad(header, "a site name (1-64 of a-z, 0-9 and -)");
        return value;
    }

    /** Comma-separated site names; absent or empty is none. */
    public static List<String> sites(String value) {
        if (value == null || value.isEmpty()) return List.of();
        List<String> out = new ArrayList<>();
        for (String s : value.split(",", -1)) out.add(site(s.trim(), SITES));
        return out;
    }

    public static boolean deleteMarker(String value) {
        if (value == null || value.equals("false")) return false;
        if (value.equals("true")) return true;
        throw bad(DELETE_MARKER, "true or false");
    }

    /** {@value #BACKFILL}: absent or {@code false}, or {@code true}. */
    public static boolean backfill(String value) {
        if (value == null || value.equals("false")) return false;
        if (value.equals("true")) return true;
        throw bad(BACKFILL, "true or false");
    }

    private static IllegalArgumentException bad(String header, String expected) {
        return new IllegalArgumentException("The replica header " + header + " is malformed: it must be " + expected + ".");
    }
}
