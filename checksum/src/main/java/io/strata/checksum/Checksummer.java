package io.strata.checksum;

/** A running checksum over a byte stream. Not thread-safe. */
public interface Checksummer {
    void update(byte[] b, int off, int len);

    /** The checksum of everything so far, base64-encoded as S3 headers carry it. */
    String base64();

    ChecksumAlgorithm algorithm();

    static Checksummer create(ChecksumAlgorithm algorithm) {
        return Checksums.create(algorithm);
    }
}
