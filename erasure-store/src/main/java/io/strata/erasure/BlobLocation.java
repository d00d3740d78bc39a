package io.strata.erasure;

/**
 * Where and how one blob's shards are stored. Opaque to everyone but the erasure store; travels
 * through the namespace as bytes ({@link #encode()} / {@link #decode(byte[])}, format-versioned).
 * Implementations are immutable values: thread-safe, equal when they describe the same blob.
 */
public interface BlobLocation {
    /** The blob's length in bytes (the data, not the shards). */
    long size();

    /**
     * The blob's identity: 32 lower-case hex characters, unique per written blob, the same for
     * every location describing that blob (and for {@link StoredBlob#id()}).
     */
    String id();

    /** A versioned, self-contained encoding; {@link #decode} reads this and every earlier version. */
    byte[] encode();

    /**
     * Reads bytes written by {@link #encode()} of this or any earlier version.
     *
     * @throws IllegalArgumentException when {@code bytes} are not a location (truncated, unknown
     *     version, checksum mismatch, impossible values)
     */
    static BlobLocation decode(byte[] bytes) {
        return ErasureBlobLocation.decode(bytes);
    }
}
