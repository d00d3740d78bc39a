package io.strata.tiering.snapshot;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Computes, in one pass over an object's bytes, what S3 computes when it stores them with the given
 * part sizes: the ETag (hex MD5 of the bytes for a single part; MD5 of the parts' binary MD5s, then
 * {@code -N}, for N parts) and the flexible checksums declared for the object, full-object or
 * COMPOSITE ({@code value-N}: the checksum of the parts' binary checksums) alike, and each part's.
 * Then {@link #mismatch} names the first declared value that differs. Used where bytes are written
 * (the local repository checks what S3 would check) and where they are read back (the reader
 * trusts no store). Single-threaded.
 */
final class Digests {
    private final List<Long> partSizes;
    private final Map<String, String> declared;
    private final List<Map<String, String>> declaredParts;
    private final MessageDigest md5;
    private final MessageDigest partMd5;
    private final Map<ChecksumAlgorithm, Checksummer> full = new EnumMap<>(ChecksumAlgorithm.class);
    private final Map<ChecksumAlgorithm, Checksummer> part = new EnumMap<>(ChecksumAlgorithm.class);
    private final Map<ChecksumAlgorithm, List<String>> partValues = new EnumMap<>(ChecksumAlgorithm.class);
    private int partIndex;
    private long inPart;
    private long count;
    private String etag;

    /**
     * @param partSizes     the part sizes (empty: a single part)
     * @param checksums     the declared object checksums by algorithm name; unknown names are ignored
     * @param partChecksums the declared per-part checksums (empty when none)
     */
    Digests(List<Long> partSizes, Map<String, String> checksums, List<Map<String, String>> partChecksums) {
        this.partSizes = List.copyOf(partSizes);
        this.declared = Map.copyOf(checksums);
        this.declaredParts = List.copyOf(partChecksums);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
            this.partMd5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (var e : checksums.entrySet()) {
            Optional<ChecksumAlgorithm> a = ChecksumAlgorithm.parse(e.getKey());
            if (a.isEmpty()) continue;
            if (isComposite(e.getValue())) part.put(a.get(), a.get().newChecksummer());
            else full.put(a.get(), a.get().newChecksummer());
        }
        for (Map<String, String> p : partChecksums) {
            for (String name : p.keySet()) {
                ChecksumAlgorithm.parse(name).ifPresent(a -> part.computeIfAbsent(a, ChecksumAlgorithm::newChecksummer));
            }
        }
        for (ChecksumAlgorithm a : part.keySet()) partValues.put(a, new ArrayList<>());
    }

    private static boolean isComposite(String value) {
        return value.matches(".*-[0-9]+");
    }

    void update(byte[] b, int off, int len) {
        count += len;
        if (partSizes.isEmpty()) {
            md5.update(b, off, len);
            for (Checksummer c : full.values()) c.update(b, off, len);
            for (Checksummer c : part.values()) c.update(b, off, len);
            return;
        }
        while (len > 0) {
            long room = partIndex < partSizes.size() ? partSizes.get(partIndex) - inPart : Long.MAX_VALUE;
            int n = (int) Math.min(len, room);
            partMd5.update(b, off, n);
            for (Checksummer c : full.values()) c.update(b, off, n);
            for (Checksummer c : part.values()) c.update(b, off, n);
            inPart += n;
            off += n;
            len -= n;
            if (partIndex < partSizes.size() && inPart == partSizes.get(partIndex)) endPart();
        }
    }

    private void endPart() {
        md5.update(partMd5.digest()); // multipart: md5 accumulates the parts' binary MD5s
        for (var e : part.entrySet()) {
            partValues.get(e.getKey()).add(e.getValue().base64());
            part.put(e.getKey(), e.getKey().newChecksummer());
        }
        partIndex++;
        inPart = 0;
    }

    long count() {
        return count;
    }

    /** The ETag S3 gives these bytes stored with these part sizes (unquoted). */
    String etag() {
        if (etag == null) {
            etag = HexFormat.of().formatHex(md5.digest()) + (partSizes.isEmpty() ? "" : "-" + partSizes.size());
        }
        return etag;
    }

    /**
     * Call once, after the last byte: the first difference between the bytes seen and what was
     * declared (length, ETag when {@code expectedEtag} is given, checksums), or empty when all match.
     */
    Optional<String> mismatch(long expectedLength, Optional<String> expectedEtag) {
        if (count != expectedLength) return Optional.of("holds " + count + " bytes, expected " + expectedLength);
        if (!partSizes.isEmpty() && partIndex != partSizes.size()) {
            return Optional.of("ends inside part " + (partIndex + 1) + " of " + partSizes.size());
        }
        if (partSizes.isEmpty()) {
            for (var e : part.entrySet()) partValues.get(e.getKey()).add(e.getValue().base64());
        }
        String etag = etag();
        if (expectedEtag.isPresent() && !expectedEtag.get().equalsIgnoreCase(etag)) {
            return Optional.of("ETag " + etag + ", expected " + expectedEtag.get());
        }
        Map<String, String> got = new LinkedHashMap<>();
        for (var e : full.entrySet()) got.put(e.getKey().name(), e.getValue().base64());
        for (var e : declared.entrySet()) {
            Optional<ChecksumAlgorithm> a = ChecksumAlgorithm.parse(e.getKey());
            if (a.isEmpty()) continue;
            String value = isComposite(e.getValue())
                    ? a.get().composite(partValues.get(a.get())) + "-" + partValues.get(a.get()).size()
                    : got.get(a.get().name());
            if (!e.getValue().equals(value)) {
                return Optional.of(a.get().name() + " " + value + ", expected " + e.getValue());
            }
        }
        for (int i = 0; i < declaredParts.size(); i++) {
            for (var e : declaredParts.get(i).entrySet()) {
                Optional<ChecksumAlgorithm> a = ChecksumAlgorithm.parse(e.getKey());
                if (a.isEmpty()) continue;
                List<String> values = partValues.get(a.get());
                String value = i < values.size() ? values.get(i) : "";
                if (!e.getValue().equals(value)) {
                    return Optional.of("part " + (i + 1) + " " + a.get().name() + " " + value + ", expected " + e.getValue());
                }
            }
        }
        return Optional.empty();
    }
}
