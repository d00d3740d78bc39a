package io.strata.tiering.snapshot;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.Checksummer;
import io.strata.erasure.ErasureConfig;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import io.strata.tiering.cold.LocalDirectoryColdTier;
import io.strata.tiering.TierMover;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A real namespace, a real 2+1 erasure store and a local-directory cold tier, with the gateway's
 * hot-data role (erasure blobs and inline segments), as the tier mover's tests use them: what the
 * exporter reads from in tests. Versions are made with real ETags and checksums.
 */
final class SnapshotFixture implements AutoCloseable {
    final Namespace namespace;
    final ErasureStore store;
    final ColdTiers tiers;
    final TierMover mover;
    final VersionData data;

    SnapshotFixture(Path dir) {
        namespace = Namespace.open(dir.resolve("meta"));
        store = ErasureStore.open(new ErasureConfig(List.of(dir.resolve("d1"), dir.resolve("d2"), dir.resolve("d3")), 2, 1, 65536));
        tiers = new ColdTiers();
        tiers.add("COLD", "local cold tier", LocalDirectoryColdTier.create(dir.resolve("cold")));
        Hot hot = new Hot();
        mover = new TierMover(namespace, tiers, hot);
        data = new TieredVersionData(hot, mover);
    }

    /** The gateway's hot-data role: erasure blobs and inline segments. */
    final class Hot implements TierMover.HotData {
        @Override
        public InputStream open(ObjectVersion v, long offset, long length) {
            List<InputStream> parts = new ArrayList<>();
            long start = 0;
            for (Segment s : v.segments()) {
                long from = Math.max(offset, start), to = Math.min(offset + length, start + s.size());
                if (to > from) {
                    switch (DataRef.decode(s.ref())) {
                        case DataRef.Hot h -> parts.add(store.read(h.location(), from - start, to - from));
                        case DataRef.Inline i -> parts.add(i.open((int) (from - start), (int) (to - from)));
                        default -> throw new IllegalStateException("not hot: " + s);
                    }
                }
                start += s.size();
            }
            return new SequenceInputStream(Collections.enumeration(parts));
        }

        @Override
        public Segment write(ObjectVersion version, InputStream in, long length) {
            return new Segment(length, store.write(in, length).encode());
        }
    }

    void bucket(String name) {
        namespace.createBucket(new Bucket(new BucketName(name), Instant.parse("2026-01-01T00:00:00Z"), "us-east-1", "alice"));
    }

    static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String checksum(ChecksumAlgorithm a, byte[]... pieces) {
        Checksummer c = a.newChecksummer();
        for (byte[] p : pieces) c.update(p, 0, p.length);
        return c.base64();
    }

    static byte[] md5(byte[] b) throws Exception {
        return MessageDigest.getInstance("MD5").digest(b);
    }

    /** What a version is made of, beyond its parts. */
    record Extra(Map<String, String> headers, Map<String, String> meta, ChecksumAlgorithm algorithm, boolean composite,
                 boolean inline, Instant mtime) {
        static Extra plain() {
            return new Extra(Map.of(), Map.of(), null, false, false, Instant.parse("2026-12-06T10:00:00.123456789Z"));
        }
    }

    /** Commits a version of {@code parts} (multipart when more than one) with real ETag and checksums. */
    ObjectVersion put(String bucket, String key, Extra extra, byte[]... parts) throws Exception {
        List<Segment> segments = new ArrayList<>();
        MessageDigest all = MessageDigest.getInstance("MD5");
        long size = 0;
        List<Map<String, String>> partChecksums = new ArrayList<>();
        for (byte[] p : parts) {
            byte[] ref = extra.inline() ? DataRef.Inline.encode(p, 0, p.length)
                    : store.write(new ByteArrayInputStream(p), p.length).encode();
            segments.add(new Segment(p.length, ref));
            all.update(md5(p));
            size += p.length;
            if (extra.algorithm() != null && parts.length > 1) {
                partChecksums.add(Map.of(extra.algorithm().name(), checksum(extra.algorithm(), p)));
            }
        }
        String etag = parts.length == 1 ? HexFormat.of().formatHex(md5(parts[0]))
                : HexFormat.of().formatHex(all.digest()) + "-" + parts.length;
        Map<String, String> checksums = Map.of();
        if (extra.algorithm() != null) {
            String value = extra.composite()
                    ? extra.algorithm().composite(partChecksums.stream().map(m -> m.get(extra.algorithm().name())).toList())
                    + "-" + parts.length
                    : checksum(extra.algorithm(), parts);
            checksums = Map.of(extra.algorithm().name(), value);
        }
        // Extra names the attributes as the pseudo-headers S3 requests carry them in.
        ObjectAttributes.Lifted lifted = ObjectAttributes.lift(extra.headers());
        ObjectVersion v = new ObjectVersion(new BucketName(bucket), new ObjectKey(key), ObjectVersion.NULL_VERSION, size,
                etag, extra.mtime(), "application/x-test", lifted.headers(), extra.meta(), checksums,
                parts.length == 1 ? 0 : parts.length, segments, false, partChecksums, lifted.attributes());
        return namespace.putObject(v).version();
    }

    /**
     * Commits a replica from {@code origin} (or, for an empty origin, a version written here) of one inline
     * part, or a delete marker when {@code data} is null, modified at {@code mtime} (its source's time).
     */
    ObjectVersion putReplica(String bucket, String key, Instant mtime, String origin, byte[] data) throws Exception {
        ObjectAttributes attributes = origin.isEmpty() ? ObjectAttributes.NONE
                : ObjectAttributes.NONE.withReplicationStatus(io.strata.namespace.ReplicationStatus.REPLICA)
                .withSites(origin, List.of(origin, "here"));
        ObjectVersion v = data == null
                ? new ObjectVersion(new BucketName(bucket), new ObjectKey(key), ObjectVersion.NULL_VERSION, 0, "", mtime, "",
                Map.of(), Map.of(), Map.of(), 0, List.of(), true, List.of(), attributes)
                : new ObjectVersion(new BucketName(bucket), new ObjectKey(key), ObjectVersion.NULL_VERSION, data.length,
                HexFormat.of().formatHex(md5(data)), mtime, "application/x-test", Map.of(), Map.of(), Map.of(), 0,
                List.of(new Segment(data.length, DataRef.Inline.encode(data, 0, data.length))), false, List.of(), attributes);
        return namespace.putObject(v).version();
    }

    @Override
    public void close() {
        tiers.close();
        store.close();
        namespace.close();
    }
}
