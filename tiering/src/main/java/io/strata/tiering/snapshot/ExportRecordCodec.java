package io.strata.tiering.snapshot;

import io.strata.namespace.BucketName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The payloads of a durable export's work items ({@link SnapshotExports}), each starting with its
 * format version ({@value #VERSION}; version 1 is still read): the export itself (version 2 added its
 * replication cut, so a resumed export leaves out the same replicas), one record per range file written (the cursor), one per
 * batch of objects about to be created (the journal an abort deletes), and an abort in progress.
 * Strings are a length (int) and UTF-8 bytes. Stateless.
 */
final class ExportRecordCodec {
    static final int VERSION = 2;
    /** The format before the export record carried a replication cut; its other records are the same. */
    private static final int VERSION_1 = 1;

    private ExportRecordCodec() {
    }

    /** What the export record holds besides its work item's id, attempts and last error. */
    record Header(String snapshot, String repository, List<BucketName> buckets, Optional<String> parent, String mark,
                  Path checkpoint, Instant started, boolean selfContained, Optional<ConsistencyCut> cut) {
        Header {
            buckets = List.copyOf(buckets);
            cut = java.util.Objects.requireNonNull(cut, "cut");
        }
    }

    /** A range file written: the bucket's index, the range, the place after its last entry, the counters there. */
    record Range(int bucket, SnapshotRoot.RangeRef range, String keyMarker, String versionIdMarker,
                 SnapshotExporter.Counters counters) {
    }

    static byte[] header(Header h) {
        return write(out -> {
            writeString(out, h.snapshot());
            writeString(out, h.repository());
            out.writeInt(h.buckets().size());
            for (BucketName b : h.buckets()) writeString(out, b.value());
            out.writeBoolean(h.parent().isPresent());
            if (h.parent().isPresent()) writeString(out, h.parent().get());
            writeString(out, h.mark());
            writeString(out, h.checkpoint().toString());
            out.writeLong(h.started().getEpochSecond());
            out.writeInt(h.started().getNano());
            out.writeBoolean(h.selfContained());
            out.writeBoolean(h.cut().isPresent());
            if (h.cut().isPresent()) {
                ConsistencyCut c = h.cut().get();
                writeString(out, c.site());
                out.writeInt(c.until().size());
                for (var e : new java.util.TreeMap<>(c.until()).entrySet()) {
                    writeString(out, e.getKey());
                    out.writeLong(e.getValue().getEpochSecond());
                    out.writeInt(e.getValue().getNano());
                }
            }
        });
    }

    static Header header(byte[] payload) {
        return read(payload, (in, version) -> {
            String snapshot = readString(in);
            String repository = readString(in);
            int n = in.readInt();
            if (n < 0) throw new IOException("negative bucket count");
            List<BucketName> buckets = new ArrayList<>();
            for (int i = 0; i < n; i++) buckets.add(new BucketName(readString(in)));
            Optional<String> parent = in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
            String mark = readString(in);
            Path checkpoint = Path.of(readString(in));
            Instant started = Instant.ofEpochSecond(in.readLong(), in.readInt());
            // Version 1: selfContained was an optional trailing field (absent: false), and there was no cut.
            boolean selfContained = in.available() > 0 && in.readBoolean();
            Optional<ConsistencyCut> cut = Optional.empty();
            if (version > VERSION_1 && in.readBoolean()) {
                String site = readString(in);
                int n2 = in.readInt();
                if (n2 < 0) throw new IOException("negative cut bucket count");
                java.util.Map<String, Instant> until = new java.util.TreeMap<>();
                for (int i = 0; i < n2; i++) until.put(readString(in), Instant.ofEpochSecond(in.readLong(), in.readInt()));
                try {
                    cut = Optional.of(new ConsistencyCut(site, until));
                } catch (IllegalArgumentException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            return new Header(snapshot, repository, buckets, parent, mark, checkpoint, started, selfContained, cut);
        });
    }

    static byte[] range(Range r) {
        return write(out -> {
            out.writeInt(r.bucket());
            SnapshotRoot.RangeRef ref = r.range();
            writeString(out, ref.path());
            writeString(out, ref.sha256());
            out.writeLong(ref.bytes());
            out.writeLong(ref.entries());
            writeString(out, ref.first());
            writeString(out, ref.last());
            writeString(out, r.keyMarker());
            writeString(out, r.versionIdMarker());
            SnapshotExporter.Counters c = r.counters();
            for (long v : new long[] {c.versions(), c.bytes(), c.dataUploaded(), c.dataUploadedBytes(), c.dataReused(),
                    c.dataPresent(), c.coldReferenced(), c.rangesUploaded(), c.rangesReused()}) {
                out.writeLong(v);
            }
        });
    }

    static Range range(byte[] payload) {
        return read(payload, (in, version) -> {
            int bucket = in.readInt();
            SnapshotRoot.RangeRef ref = new SnapshotRoot.RangeRef(readString(in), readString(in), in.readLong(),
                    in.readLong(), readString(in), readString(in));
            String km = readString(in);
            String vm = readString(in);
            SnapshotExporter.Counters c = new SnapshotExporter.Counters(in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
            return new Range(bucket, ref, km, vm, c);
        });
    }

    static byte[] paths(List<String> paths) {
        return write(out -> {
            out.writeInt(paths.size());
            for (String p : paths) writeString(out, p);
        });
    }

    static List<String> paths(byte[] payload) {
        return read(payload, (in, version) -> {
            int n = in.readInt();
            if (n < 0) throw new IOException("negative path count");
            List<String> out = new ArrayList<>(Math.min(n, 4096));
            for (int i = 0; i < n; i++) out.add(readString(in));
            return out;
        });
    }

    static byte[] abort(long exportId) {
        return write(out -> out.writeLong(exportId));
    }

    static long abort(byte[] payload) {
        return read(payload, (in, version) -> in.readLong());
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in, int version) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException for another format version, a truncated or over-long payload */
    private static <T> T read(byte[] payload, Reader<T> r) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION && version != VERSION_1) {
                throw new IllegalArgumentException("snapshot export record of format " + version + "; this version reads "
                        + VERSION_1 + " and " + VERSION);
            }
            T value = r.read(in, version);
            if (in.read() >= 0) throw new IllegalArgumentException("snapshot export record has trailing bytes");
            return value;
        } catch (EOFException e) {
            throw new IllegalArgumentException("truncated snapshot export record", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed snapshot export record: " + e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IOException("string length " + n + " out of range");
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
