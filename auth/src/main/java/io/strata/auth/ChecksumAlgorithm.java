package io.strata.auth;

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
}
