package io.strata.checksum;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The flexible checksums of S3 (x-amz-checksum-*). Values travel base64-encoded, big-endian for CRCs.
 * Each constant creates fresh, single-threaded {@link Checksummer}s.
 */
public enum ChecksumAlgorithm {
    CRC32, CRC32C, CRC64NVME, SHA1, SHA256;

    /** The header carrying this checksum, e.g. {@code x-amz-checksum-crc32}. */
    public String headerName() {
        return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    /** Parses names as S3 spells them in x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm (case-insensitive). */
    public static Optional<ChecksumAlgorithm> parse(String name) {
        if (name == null) return Optional.empty();
        for (ChecksumAlgorithm a : values()) {
            if (a.name().equalsIgnoreCase(name.trim())) return Optional.of(a);
        }
        return Optional.empty();
    }

    /** Finds the algorithm whose header name this is ({@code x-amz-checksum-crc32} → CRC32). */
    public static Optional<ChecksumAlgorithm> fromHeader(String headerName) {
        if (headerName == null) return Optional.empty();
        String lower = headerName.trim().toLowerCase(Locale.ROOT);
        for (ChecksumAlgorithm a : values()) {
            if (a.headerName().equals(lower)) return Optional.of(a);
        }
        return Optional.empty();
    }

    public Checksummer newChecksummer() {
        return Checksummer.create(this);
    }

    /** True for the CRCs, whose values of consecutive pieces combine into the value of the whole. */
    public boolean isCrc() {
        return this == CRC32 || this == CRC32C || this == CRC64NVME;
    }

    /**
     * The checksum of the concatenation of two pieces from their checksums (base64) and the second
     * piece's length: how a FULL_OBJECT multipart checksum is computed from the parts' checksums.
     *
     * @throws IllegalArgumentException for SHA algorithms or malformed values
     */
    public String combine(String first, String second, long secondLength) {
        long crc = Checksums.combine(this, Checksums.decodeCrc(this, first), Checksums.decodeCrc(this, second),
                secondLength);
        return Checksums.base64BigEndian(crc, Checksums.width(this) / 8);
    }

    /**
     * The checksum of the concatenated binary values of the given checksums (base64), without S3's
     * {@code -N} suffix: how a COMPOSITE multipart checksum is computed from the parts' checksums.
     *
     * @throws IllegalArgumentException for malformed values
     */
    public String composite(List<String> partChecksums) {
        Checksummer c = newChecksummer();
        for (String p : partChecksums) {
            byte[] bytes = Base64.getDecoder().decode(p);
            c.update(bytes, 0, bytes.length);
        }
        return c.base64();
    }
}
