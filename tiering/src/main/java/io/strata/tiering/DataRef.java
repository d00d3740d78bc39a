package io.strata.tiering;

import io.strata.erasure.BlobLocation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where the bytes of one {@link io.strata.namespace.Segment} live, decoded from the segment's opaque
 * reference: in the erasure-coded hot tier, inline in the namespace record itself, or in a named
 * cold tier. Immutable values, thread-safe.
 *
 * <p>Encoding (the first byte tells the kind): an erasure {@link BlobLocation} encoding is stored as
 * is (its own format byte is a small version number, never {@code 0xF0} or above);
 * {@value #INLINE_TAG_HEX} then format byte {@code 2}, the CRC32C of the data (4 bytes, big-endian)
 * and the data is an inline segment (format {@code 1}, without the CRC, is still read);
 * {@value #COLD_TAG_HEX} then format byte {@code 1} then the fields of {@link Cold} is a cold one;
 * {@value #SNAPSHOT_TAG_HEX} then format byte {@code 1} then the fields of {@link Snapshot} names bytes
 * held in a snapshot repository (an attached snapshot, a restore not yet hydrated).
 * An empty reference is an empty segment.
 */
public sealed interface DataRef {

    /** Tag byte of an inline segment. */
    byte INLINE = (byte) 0xF1;
    /** Tag byte of a cold segment. */
    byte COLD = (byte) 0xF2;
    /** Tag byte of a segment whose bytes are in a snapshot repository. */
    byte SNAPSHOT = (byte) 0xF3;
    String INLINE_TAG_HEX = "0xF1";
    String COLD_TAG_HEX = "0xF2";
    String SNAPSHOT_TAG_HEX = "0xF3";

    /** The versioned bytes stored in the segment. */
    byte[] encode();

    /** The storage class this segment's tier reports ({@code STANDARD} for the hot tier). */
    String storageClass();

    /**
     * Decodes a segment reference.
     *
     * @throws IllegalArgumentException if the bytes are not a reference of any known kind
     */
    static DataRef decode(byte[] ref) {
        if (ref.length == 0) return Empty.INSTANCE;
        return switch (ref[0]) {
            case INLINE -> Inline.decodeBody(ref);
            case COLD -> Cold.decodeBody(ref);
            case SNAPSHOT -> Snapshot.decodeBody(ref);
            default -> new Hot(BlobLocation.decode(ref));
        };
    }

    /**
     * The storage class of the segment {@code ref} encodes, decoding only what tells it: hot and
     * inline segments are STANDARD whatever their body holds, so only a cold or snapshot reference
     * is decoded. A listing asks this for each of up to 1,000 keys, and decoding every hot
     * location (or checking every inline CRC) just to learn STANDARD was most of a page's CPU.
     *
     * @throws IllegalArgumentException if a cold or snapshot reference does not decode
     */
    static String storageClassOf(byte[] ref) {
        if (ref.length == 0) return "STANDARD";
        return switch (ref[0]) {
            case COLD, SNAPSHOT -> decode(ref).storageClass();
            default -> "STANDARD";
        };
    }

    /**
     * Whether a segment with reference {@code ref} holds bytes outside its namespace record, which
     * must be freed once no version or part names it: false for an inline segment (its bytes are in
     * the record itself and go with it) and an empty one, true for every other kind, unknown
     * references included (the garbage cleaner decides what to do with those). Reads one byte.
     */
    static boolean needsFreeing(byte[] ref) {
        return ref.length > 0 && ref[0] != INLINE;
    }

    /** No data (a zero-length segment). */
    enum Empty implements DataRef {
        INSTANCE;

        @Override
        public byte[] encode() {
            return new byte[0];
        }

        @Override
        public String storageClass() {
            return "STANDARD";
        }
    }

    /** A blob in the erasure-coded hot tier. */
    record Hot(BlobLocation location) implements DataRef {
        public Hot {
            Objects.requireNonNull(location, "location");
        }

        @Override
        public byte[] encode() {
            return location.encode();
        }

        @Override
        public String storageClass() {
            return "STANDARD";
        }
    }

    /**
     * Bytes kept in the namespace record itself (small objects). The encoding carries the CRC32C of
     * the bytes, checked by {@link DataRef#decode}, so inline data is verified on every read like
     * the hot tier's blocks.
     */
    record Inline(byte[] data) implements DataRef {
        /** Encoding format written by {@link #encode()}. */
        static final byte FORMAT = 2;
        private static final int HEADER = 2 + 4;

        public Inline {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The number of bytes held. */
        public int length() {
            return data.length;
        }

        /** A stream over {@code length} bytes from {@code offset}, without copying the data. */
        public java.io.InputStream open(int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
            return new java.io.ByteArrayInputStream(data, offset, length);
        }

        /** Encodes {@code data[offset, offset+length)} as an inline reference, without an intermediate copy. */
        public static byte[] encode(byte[] data, int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
            byte[] out = new byte[HEADER + length];
            out[0] = INLINE;
            out[1] = FORMAT;
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(data, offset, length);
            ByteBuffer.wrap(out).putInt(2, (int) crc.getValue());
            System.arraycopy(data, offset, out, HEADER, length);
            return out;
        }

        @Override
        public byte[] encode() {
            return encode(data, 0, data.length);
        }

        @Override
        public String storageClass() {
            return "STANDARD";
        }

        /** @throws IllegalArgumentException for an unknown format or when the bytes fail their CRC32C */
        static Inline decodeBody(byte[] ref) {
            if (ref.length >= 2 && ref[1] == 1) return new Inline(Arrays.copyOfRange(ref, 2, ref.length));
            if (ref.length < HEADER || ref[1] != FORMAT) throw new IllegalArgumentException("unknown inline segment format");
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(ref, HEADER, ref.length - HEADER);
            if ((int) crc.getValue() != ByteBuffer.wrap(ref).getInt(2)) {
                throw new IllegalArgumentException("inline segment fails its CRC32C check");
            }
            return new Inline(Arrays.copyOfRange(ref, HEADER, ref.length));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Inline i && Arrays.equals(i.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Inline[" + data.length + " bytes]";
        }
    }

    /**
     * A segment of a version stored as one object in a cold tier. The first segment of a version
     * (the head) names the cold object; the others give only their offset in it, so a 10,000-part
     * object does not repeat its key 10,000 times. Freeing the head deletes the cold object.
     * Every block of {@code blockSize} bytes of the segment (the last may be shorter) has its
     * CRC32C in {@code blockCrcs}, checked on every read from the cold tier.
     *
     * @param head       the naming segment, or empty for a continuation
     * @param offset     where this segment starts in the cold object
     * @param blockSize  bytes per checksummed block
     * @param blockCrcs  CRC32C of each block, in order
     */
    record Cold(java.util.Optional<ColdName> head, long offset, int blockSize, int[] blockCrcs) implements DataRef {
        public Cold {
            Objects.requireNonNull(head, "head");
            if (offset < 0) throw new IllegalArgumentException("offset < 0");
            if (blockSize <= 0) throw new IllegalArgumentException("blockSize <= 0");
            blockCrcs = blockCrcs.clone();
        }

        @Override
        public int[] blockCrcs() {
            return blockCrcs.clone();
        }

        /** CRC32C of block {@code i} without copying the array. */
        public int blockCrc(int i) {
            return blockCrcs[i];
        }

        public int blockCount() {
            return blockCrcs.length;
        }

        @Override
        public String storageClass() {
            return head.map(ColdName::storageClass).orElse("STANDARD");
        }

        @Override
        public byte[] encode() {
            byte[] tier = head.map(h -> h.tier().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            byte[] bucket = head.map(h -> h.id().bucket().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            byte[] key = head.map(h -> h.id().key().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            byte[] version = head.map(h -> h.id().versionId().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            byte[] storage = head.map(h -> h.storageClass().getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            ByteBuffer b = ByteBuffer.allocate(3 + 8 + 4 + 4 + 4 * blockCrcs.length
                    + (head.isPresent() ? 5 * 4 + tier.length + bucket.length + key.length + version.length + storage.length : 0));
            b.put(COLD).put((byte) 1).put((byte) (head.isPresent() ? 1 : 0));
            if (head.isPresent()) {
                for (byte[] s : new byte[][]{tier, bucket, key, version, storage}) b.putInt(s.length).put(s);
            }
            b.putLong(offset).putInt(blockSize).putInt(blockCrcs.length);
            for (int crc : blockCrcs) b.putInt(crc);
            return b.array();
        }

        static Cold decodeBody(byte[] ref) {
            try {
                ByteBuffer b = ByteBuffer.wrap(ref);
                b.get();
                if (b.get() != 1) throw new IllegalArgumentException("unknown cold segment format");
                byte flags = b.get();
                java.util.Optional<ColdName> head = java.util.Optional.empty();
                if ((flags & 1) != 0) {
                    String tier = string(b), bucket = string(b), key = string(b), version = string(b), storage = string(b);
                    head = java.util.Optional.of(new ColdName(tier, new ColdObjectId(bucket, key, version), storage));
                }
                long offset = b.getLong();
                int blockSize = b.getInt();
                int n = b.getInt();
                if (n < 0 || n > b.remaining() / 4) throw new IllegalArgumentException("bad cold segment block count");
                int[] crcs = new int[n];
                for (int i = 0; i < n; i++) crcs[i] = b.getInt();
                if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes in cold segment");
                return new Cold(head, offset, blockSize, crcs);
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("truncated cold segment", e);
            }
        }

        private static String string(ByteBuffer b) {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("bad string length in cold segment");
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cold c && c.head.equals(head) && c.offset == offset && c.blockSize == blockSize
                    && Arrays.equals(c.blockCrcs, blockCrcs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(head, offset, blockSize) * 31 + Arrays.hashCode(blockCrcs);
        }

        @Override
        public String toString() {
            return "Cold[" + head + ", offset=" + offset + ", blocks=" + blockCrcs.length + "×" + blockSize + "]";
        }
    }

    /**
     * A segment of a version whose bytes are not in this gateway but in a snapshot repository: an
     * attached snapshot's versions, and (later) restored versions not yet hydrated. The first segment
     * (the head) names where the whole version's bytes are; the others are continuations, as for
     * {@link Cold}. Reads fetch the whole version once, check its size, ETag and checksums against the
     * version's own record (the snapshot format's rule for data objects), and serve ranges from the
     * checked copy: nothing is served before every byte has been checked.
     *
     * @param head the naming segment, or empty for a continuation
     */
    record Snapshot(java.util.Optional<SnapshotName> head) implements DataRef {
        static final byte FORMAT = 1;

        public Snapshot {
            Objects.requireNonNull(head, "head");
        }

        @Override
        public String storageClass() {
            return head.map(SnapshotName::storageClass).orElse("STANDARD");
        }

        /**
         * Kinds: 0 a continuation; 1 a data object of a version that was STANDARD at the source; 2 a
         * cold object; 3 a data object of a version that was in another class at the source (a cold
         * version a self-contained snapshot copied), followed by that class.
         */
        @Override
        public byte[] encode() {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            bytes.write(SNAPSHOT);
            bytes.write(FORMAT);
            bytes.write(head.isEmpty() ? 0 : head.get().cold().isPresent() ? 2 : head.get().storageClass().equals("STANDARD") ? 1 : 3);
            head.ifPresent(h -> {
                putString(bytes, h.source());
                putString(bytes, h.path());
                h.cold().ifPresent(c -> {
                    for (String s : new String[]{c.tier(), c.id().bucket(), c.id().key(), c.id().versionId(), c.storageClass()}) {
                        putString(bytes, s);
                    }
                });
                if (h.cold().isEmpty() && !h.storageClass().equals("STANDARD")) putString(bytes, h.storageClass());
            });
            return bytes.toByteArray();
        }

        private static void putString(java.io.ByteArrayOutputStream out, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }

        static Snapshot decodeBody(byte[] ref) {
            try {
                ByteBuffer b = ByteBuffer.wrap(ref);
                b.get();
                if (b.get() != FORMAT) throw new IllegalArgumentException("unknown snapshot segment format");
                byte kind = b.get();
                java.util.Optional<SnapshotName> head = java.util.Optional.empty();
                if (kind == 1 || kind == 2 || kind == 3) {
                    String source = Cold.string(b), path = Cold.string(b);
                    if (kind == 2) {
                        String tier = Cold.string(b), bucket = Cold.string(b), key = Cold.string(b), version = Cold.string(b);
                        ColdName cold = new ColdName(tier, new ColdObjectId(bucket, key, version), Cold.string(b));
                        head = java.util.Optional.of(new SnapshotName(source, path, java.util.Optional.of(cold)));
                    } else {
                        head = java.util.Optional.of(new SnapshotName(source, path, kind == 3 ? Cold.string(b) : "STANDARD"));
                    }
                } else if (kind != 0) {
                    throw new IllegalArgumentException("unknown snapshot segment kind " + kind);
                }
                if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes in snapshot segment");
                return new Snapshot(head);
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("truncated snapshot segment", e);
            }
        }
    }

    /**
     * Where a snapshot-held version's bytes are: in the repository of {@code source} at {@code path}
     * (relative to the repository root), or, for a snapshot that referenced its source's cold tier
     * instead of copying, in the cold object {@code cold} (then {@code path} is empty).
     *
     * @param source       the name the gateway knows the snapshot by (an attached bucket's name)
     * @param storageClass the class clients are told: the one the version had at the source (a cold
     *                     tier's class for a cold version, referenced or copied into the repository)
     */
    record SnapshotName(String source, String path, java.util.Optional<ColdName> cold, String storageClass) {
        public SnapshotName {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(cold, "cold");
            Objects.requireNonNull(storageClass, "storageClass");
            if (source.isEmpty()) throw new IllegalArgumentException("empty snapshot source");
            if (path.isEmpty() == cold.isEmpty()) throw new IllegalArgumentException("a snapshot name needs a path or a cold object");
            if (storageClass.isEmpty()) throw new IllegalArgumentException("empty storage class");
            if (cold.isPresent() && !cold.get().storageClass().equals(storageClass)) {
                throw new IllegalArgumentException("a cold object's class is the cold tier's: " + cold.get().storageClass());
            }
        }

        /** A data object in the repository, of a version that had {@code storageClass} at the source. */
        public SnapshotName(String source, String path, String storageClass) {
            this(source, path, java.util.Optional.empty(), storageClass);
        }

        /** A data object of a STANDARD version ({@code cold} empty), or a cold object (its tier's class). */
        public SnapshotName(String source, String path, java.util.Optional<ColdName> cold) {
            this(source, path, cold, cold.map(ColdName::storageClass).orElse("STANDARD"));
        }
    }

    /**
     * The cold object holding a version: the tier's name, the object's id in it, and the storage
     * class name the tier reports to clients.
     */
    record ColdName(String tier, ColdObjectId id, String storageClass) {
        public ColdName {
            Objects.requireNonNull(tier, "tier");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(storageClass, "storageClass");
            if (tier.isEmpty()) throw new IllegalArgumentException("empty tier name");
        }
    }
}
