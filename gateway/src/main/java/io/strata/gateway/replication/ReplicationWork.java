package io.strata.gateway.replication;

import io.strata.namespace.BucketName;
import io.strata.namespace.ObjectKey;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One replication operation waiting for a target, kept as the payload of a durable work item (the
 * namespace's work queue of kind {@code replication.TARGET}), so a crash or a down target loses none.
 * Immutable and thread-safe.
 *
 * @param op           what to do at the target
 * @param bucket       the source bucket
 * @param key          the key
 * @param versionId    the source version (or delete marker) id
 * @param lastModified the version's time: with the ETag it tells a {@code null} version from the one that
 *                     overwrote it
 * @param etag         the version's ETag ("" for a delete marker)
 * @param committed    when the source committed the change (the lag is measured from it)
 * @param storageClass the winning rule's destination storage class, if it names one
 */
record ReplicationWork(Op op, BucketName bucket, ObjectKey key, String versionId, Instant lastModified, String etag,
                       Instant committed, Optional<String> storageClass) {
    private static final int FORMAT = 1;

    /**
     * The operations a target receives. Stored by ordinal: only append. RESYNC_CURRENT (queued by a resync):
     * send the key's version that is current when the operation is delivered, if it is a live version;
     * the version fields name the one current when the resync compared it.
     */
    enum Op { PUT_VERSION, PUT_DELETE_MARKER, RESYNC_CURRENT }

    ReplicationWork {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(storageClass, "storageClass");
    }

    /** The key whose changes must reach the target in order (per-key FIFO). */
    String orderKey() {
        return bucket.value() + "/" + key.value();
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeByte(op.ordinal());
            out.writeUTF(bucket.value());
            out.writeUTF(key.value());
            out.writeUTF(versionId);
            out.writeLong(lastModified.getEpochSecond());
            out.writeInt(lastModified.getNano());
            out.writeUTF(etag);
            out.writeLong(committed.toEpochMilli());
            out.writeUTF(storageClass.orElse(""));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException for bytes no version of this class wrote */
    static ReplicationWork decode(byte[] payload) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
            int format = in.readByte();
            if (format != FORMAT) throw new IllegalArgumentException("unknown replication work format " + format);
            Op op = Op.values()[in.readByte()];
            BucketName bucket = new BucketName(in.readUTF());
            ObjectKey key = new ObjectKey(in.readUTF());
            String versionId = in.readUTF();
            Instant lastModified = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String etag = in.readUTF();
            Instant committed = Instant.ofEpochMilli(in.readLong());
            String storageClass = in.readUTF();
            return new ReplicationWork(op, bucket, key, versionId, lastModified, etag, committed,
                    storageClass.isEmpty() ? Optional.empty() : Optional.of(storageClass));
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed replication work: " + e.getMessage(), e);
        }
    }
}
