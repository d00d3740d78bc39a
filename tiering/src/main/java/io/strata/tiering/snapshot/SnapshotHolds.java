package io.strata.tiering.snapshot;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Holds: a site that reads a snapshot from a repository it does not own (an attach, a restore not
 * yet hydrated) says so with one small document {@code holds/<site>-<id>.json} in that repository
 * (docs/snapshot-format.md §9), so that the owner's garbage collection keeps every object the held
 * snapshot names. The holding site writes it before it reads and deletes it when it no longer
 * reads. Stateless; thread-safe as the repository is.
 */
public final class SnapshotHolds {
    /** Where holds live, relative to the repository root. */
    public static final String DIR = "holds/";
    /** Site and hold ids: lower-case letters, digits and dashes, never starting with a dash (a path segment, a CLI argument). */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,127}");

    private SnapshotHolds() {
    }

    /** Why a site holds a snapshot. */
    public enum Purpose {
        ATTACH, RESTORE;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The purpose a hold document's {@code purpose} names (any case), or none: an operator's reason. */
        public static java.util.Optional<Purpose> of(String purpose) {
            for (Purpose p : values()) if (p.word().equalsIgnoreCase(purpose.strip())) return java.util.Optional.of(p);
            return java.util.Optional.empty();
        }
    }

    /** The hold's path: {@code holds/<site>-<id>.json}. @throws IllegalArgumentException for a malformed id */
    public static String path(String site, String id) {
        if (!ID.matcher(site).matches() || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a hold name: " + site + "-" + id);
        }
        return DIR + site + "-" + id + ".json";
    }

    /** The hold document: {@code {"site":…,"snapshot":…,"created":…,"purpose":"attach"|"restore"}}. */
    static String document(String site, String snapshot, Instant created, Purpose purpose) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("site", site);
        m.put("snapshot", snapshot);
        m.put("created", created.toString());
        m.put("purpose", purpose.word());
        return Json.write(m) + "\n";
    }

    /**
     * Places the hold (idempotent: a hold of that name already there is kept).
     *
     * @return its path
     * @throws SnapshotException UNAVAILABLE, REJECTED
     */
    public static String place(SnapshotRepository repository, String site, String id, String snapshot, Instant created,
                               Purpose purpose) {
        String path = path(site, id);
        byte[] doc = document(site, snapshot, created, purpose).getBytes(StandardCharsets.UTF_8);
        repository.putIfAbsent(path, (offset, length) -> new ByteArrayInputStream(doc, (int) offset, (int) length),
                SnapshotRepository.Spec.document(doc.length, "application/json", HexFormat.of().formatHex(md5(doc))));
        return path;
    }

    /** Removes the hold; an absent one is success. @throws SnapshotException UNAVAILABLE, REJECTED */
    public static void release(SnapshotRepository repository, String site, String id) {
        repository.delete(path(site, id));
    }

    private static byte[] md5(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
