package io.strata.namespace;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The S3 attributes a version (or an upload) keeps besides its stored HTTP headers: its tag set,
 * its canned ACL and how its checksum was made. Immutable and thread-safe; the constructor throws
 * {@link IllegalArgumentException} for a malformed ACL name and {@link NullPointerException} for a
 * null tag key or value.
 *
 * <p>Records written before these fields existed hid them in their {@code headers} map as the
 * pseudo-headers {@value #ACL_HEADER}, {@value #CHECKSUM_TYPE_HEADER} and {@value #TAGGING_HEADER}
 * (URL-form encoded). {@link #lift} moves them out when such a record is read, so the database needs
 * no migration pass: an old record converts on read and is written in the new form next time.
 *
 * @param tags         the tag set, in the order the client gave it (GetObjectTagging answers so)
 * @param cannedAcl    the canned ACL given on upload ({@code x-amz-acl}), {@value #PRIVATE} when none
 *                     was: lower-case letters and dashes, interpreted by the gateway
 * @param checksumType how the checksum was made; {@link ChecksumType#FULL_OBJECT} when none was said
 * @param replicationStatus the version's replication status ({@link ReplicationStatus#NONE} for a new
 *                     version and for every upload: uploads do not store it)
 * @param originSite   the site ({@code site.name}) where the version was written, {@code ""} when it was
 *                     written here and has not been replicated yet (this site is then its origin)
 * @param sites        the sites that have applied the version, sorted, without repeats (empty: not
 *                     replicated yet); replication uses both to never send a version back where it was made
 * @param replicationWaiting the replication targets that have not taken the version yet, sorted, without
 *                     repeats: with several destinations the status is COMPLETED only once none waits (as S3
 *                     aggregates), whichever target finishes first
 */
public record ObjectAttributes(Map<String, String> tags, String cannedAcl, ChecksumType checksumType,
                               ReplicationStatus replicationStatus, String originSite, List<String> sites,
                               List<String> replicationWaiting) {
    /** The canned ACL of a version uploaded without one. */
    public static final String PRIVATE = "private";
    /** No tags, private, FULL_OBJECT: what a plain PUT without those headers stores. */
    public static final ObjectAttributes NONE = new ObjectAttributes(Map.of(), PRIVATE, ChecksumType.FULL_OBJECT);

    /** The pseudo-header older records kept the canned ACL in. */
    public static final String ACL_HEADER = "x-amz-acl";
    /** The pseudo-header older records kept the checksum type in. */
    public static final String CHECKSUM_TYPE_HEADER = "x-amz-checksum-type";
    /** The pseudo-header older records kept the tag set in, URL-form encoded. */
    public static final String TAGGING_HEADER = "x-amz-tagging";

    public ObjectAttributes {
        Map<String, String> copy = new LinkedHashMap<>();
        tags.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "tag key"), Objects.requireNonNull(v, "tag value")));
        // Map.copyOf would lose the client's order.
        tags = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(cannedAcl, "cannedAcl");
        if (!isCannedAclName(cannedAcl)) {
            throw new IllegalArgumentException("malformed canned ACL name: " + cannedAcl);
        }
        Objects.requireNonNull(checksumType, "checksumType");
        Objects.requireNonNull(replicationStatus, "replicationStatus");
        Objects.requireNonNull(originSite, "originSite");
        sites = List.copyOf(new TreeSet<>(sites));
        replicationWaiting = List.copyOf(new TreeSet<>(replicationWaiting));
    }

    /**
     * Whether {@code s} has the form of a canned ACL name: lower-case words joined by single dashes
     * ({@code [a-z]+(-[a-z]+)*}). Checked by hand because every decoded record passes here: a
     * listing page decodes up to 1,000, and {@code String.matches} compiled the pattern each time.
     */
    static boolean isCannedAclName(String s) {
        if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '-' ? s.charAt(i - 1) == '-' : c < 'a' || c > 'z') return false;
        }
        return true;
    }

    /** Attributes of a version no replication target waits for. */
    public ObjectAttributes(Map<String, String> tags, String cannedAcl, ChecksumType checksumType,
                            ReplicationStatus replicationStatus, String originSite, List<String> sites) {
        this(tags, cannedAcl, checksumType, replicationStatus, originSite, sites, List.of());
    }

    /** Attributes of a version no replication rule selected. */
    public ObjectAttributes(Map<String, String> tags, String cannedAcl, ChecksumType checksumType) {
        this(tags, cannedAcl, checksumType, ReplicationStatus.NONE);
    }

    /** Attributes of a version not replicated from or to another site. */
    public ObjectAttributes(Map<String, String> tags, String cannedAcl, ChecksumType checksumType,
                            ReplicationStatus replicationStatus) {
        this(tags, cannedAcl, checksumType, replicationStatus, "", List.of());
    }

    /** These attributes with another tag set (empty: no tags). */
    public ObjectAttributes withTags(Map<String, String> newTags) {
        return new ObjectAttributes(newTags, cannedAcl, checksumType, replicationStatus, originSite, sites, replicationWaiting);
    }

    /** These attributes with another canned ACL. */
    public ObjectAttributes withCannedAcl(String acl) {
        return new ObjectAttributes(tags, acl, checksumType, replicationStatus, originSite, sites, replicationWaiting);
    }

    /** These attributes with another checksum type. */
    public ObjectAttributes withChecksumType(ChecksumType type) {
        return new ObjectAttributes(tags, cannedAcl, type, replicationStatus, originSite, sites, replicationWaiting);
    }

    /** These attributes with another replication status. */
    public ObjectAttributes withReplicationStatus(ReplicationStatus status) {
        return new ObjectAttributes(tags, cannedAcl, checksumType, status, originSite, sites, replicationWaiting);
    }

    /** These attributes with another origin site and set of sites that applied the version. */
    public ObjectAttributes withSites(String origin, java.util.Collection<String> applied) {
        return new ObjectAttributes(tags, cannedAcl, checksumType, replicationStatus, origin, List.copyOf(applied),
                replicationWaiting);
    }

    /** These attributes with another replication status and set of targets still waiting for the version. */
    public ObjectAttributes withReplication(ReplicationStatus status, java.util.Collection<String> waiting) {
        return new ObjectAttributes(tags, cannedAcl, checksumType, status, originSite, sites, List.copyOf(waiting));
    }

    /** Whether {@code name} is one of the pseudo-headers older records used; headers maps never hold them now. */
    public static boolean isPseudoHeader(String name) {
        return name.equals(ACL_HEADER) || name.equals(CHECKSUM_TYPE_HEADER) || name.equals(TAGGING_HEADER);
    }

    /** Stored headers split into the real headers and the attributes hidden among them as pseudo-headers. */
    public record Lifted(Map<String, String> headers, ObjectAttributes attributes) {
    }

    /**
     * Moves the pseudo-headers out of an older record's headers. Older gateways wrote only valid
     * values; an ACL name or checksum type they could not have written reads as the absent default.
     *
     * @throws IllegalArgumentException if the stored tag set is not URL-form encoded
     */
    public static Lifted lift(Map<String, String> storedHeaders) {
        Map<String, String> headers = new TreeMap<>(storedHeaders);
        String acl = headers.remove(ACL_HEADER);
        String type = headers.remove(CHECKSUM_TYPE_HEADER);
        String tagging = headers.remove(TAGGING_HEADER);
        ChecksumType checksumType = type == null ? null : ChecksumType.parse(type);
        return new Lifted(headers, new ObjectAttributes(decodeTags(tagging),
                acl != null && isCannedAclName(acl) ? acl : PRIVATE,
                checksumType == null ? ChecksumType.FULL_OBJECT : checksumType));
    }

    /** The tag set of the URL-form encoding older records stored (null or "" is none). */
    static Map<String, String> decodeTags(String stored) {
        Map<String, String> out = new LinkedHashMap<>();
        if (stored == null || stored.isEmpty()) return out;
        for (String pair : stored.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) continue;
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
