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
import java.util.ArrayList;
import java.util.List;
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
 * @param sequence     the change log sequence of the change (0 when queued by a gateway that did not record
 *                     it: such an item counts as older than any change, which is what {@code replicate wait}
 *                     must assume)
 * @param size         the bytes to send (0 for a delete marker, and when not recorded)
 * @param history      the last {@value #HISTORY} failed attempts, oldest first, for {@code replicate why}
 */
record ReplicationWork(Op op, BucketName bucket, ObjectKey key, String versionId, Instant lastModified, String etag,
                       Instant committed, Optional<String> storageClass, long sequence, long size, List<Attempt> history) {
    /** Format 1 had neither sequence, size nor history; it is still read. */
    private static final int FORMAT = 2;
    /** Attempts kept per operation: enough to see a pattern, bounded so a key failing for a day costs no more. */
    static final int HISTORY = 8;
    /** Characters of an attempt's error kept (the work item's last error keeps more). */
    static final int ERROR_CHARS = 200;

    /**
     * The operations a target receives. Stored by ordinal: only append. PUT_TAGS: the version's current tag
     * set, for a target that keeps version ids (another Strata). RESYNC_CURRENT (queued by a resync): send the
     * key's version that is current when the operation is delivered, if it is a live version; the version
     * fields name the one current when the resync compared it. SEND_CURRENT (a replica from another site
     * taken in, for a generic S3 target): send the key's version current when the operation is delivered,
     * a delete marker included.
     */
    enum Op { PUT_VERSION, PUT_DELETE_MARKER, PUT_TAGS, RESYNC_CURRENT, SEND_CURRENT }

    /** One failed attempt: when, whether it will be retried (false: FAILED), and why. */
    record Attempt(Instant at, boolean retried, String error) {
        Attempt {
            Objects.requireNonNull(at, "at");
            error = error == null ? "" : error.length() > ERROR_CHARS ? error.substring(0, ERROR_CHARS) : error;
        }
    }

    ReplicationWork {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(committed, "committed");
        Objects.requireNonNull(storageClass, "storageClass");
        if (sequence < 0) throw new IllegalArgumentException("sequence < 0: " + sequence);
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        history = List.copyOf(history.size() > HISTORY ? history.subList(history.size() - HISTORY, history.size()) : history);
    }

    /** A new operation, with no attempt yet. */
    ReplicationWork(Op op, BucketName bucket, ObjectKey key, String versionId, Instant lastModified, String etag,
                    Instant committed, Optional<String> storageClass, long sequence, long size) {
        this(op, bucket, key, versionId, lastModified, etag, committed, storageClass, sequence, size, List.of());
    }

    /** The key whose changes must reach the target in order (per-key FIFO). */
    String orderKey() {
        return bucket.value() + "/" + key.value();
    }

    /** This operation with one more failed attempt in its history (the oldest dropped past {@value #HISTORY}). */
    ReplicationWork attempted(Instant at, boolean retried, String error) {
        List<Attempt> h = new ArrayList<>(history);
        h.add(new Attempt(at, retried, error));
        return new ReplicationWork(op, bucket, key, versionId, lastModified, etag, committed, storageClass, sequence, size, h);
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
            out.writeLong(sequence);
            out.writeLong(size);
            out.writeByte(history.size());
            for (Attempt a : history) {
                out.writeLong(a.at().toEpochMilli());
                out.writeBoolean(a.retried());
                out.writeUTF(a.error());
            }
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
            if (format != 1 && format != FORMAT) throw new IllegalArgumentException("unknown replication work format " + format);
            Op op = Op.values()[in.readByte()];
            BucketName bucket = new BucketName(in.readUTF());
            ObjectKey key = new ObjectKey(in.readUTF());
            String versionId = in.readUTF();
            Instant lastModified = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String etag = in.readUTF();
            Instant committed = Instant.ofEpochMilli(in.readLong());
            String storageClass = in.readUTF();
            long sequence = 0;
            long size = 0;
            List<Attempt> history = new ArrayList<>();
            if (format == FORMAT) {
                sequence = in.readLong();
                size = in.readLong();
                int n = in.readUnsignedByte();
                if (n > HISTORY) throw new IllegalArgumentException("replication work history of " + n + " attempts");
                for (int i = 0; i < n; i++) history.add(new Attempt(Instant.ofEpochMilli(in.readLong()), in.readBoolean(), in.readUTF()));
            }
            return new ReplicationWork(op, bucket, key, versionId, lastModified, etag, committed,
                    storageClass.isEmpty() ? Optional.empty() : Optional.of(storageClass), sequence, size, history);
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("malformed replication work: " + e.getMessage(), e);
        }
    }
}
