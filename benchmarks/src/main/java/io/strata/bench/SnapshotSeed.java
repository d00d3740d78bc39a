package io.strata.bench;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Segment;
import io.strata.tiering.DataRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Seeds a stopped gateway's data directory with many small objects, offline, for the snapshot scale
 * benchmark (benchmarks/snapshot-scale.sh): {@code count} keys {@code k/0000000 ...} (from
 * {@code first}) of {@code size} bytes each in an unversioned bucket (created if absent, owned by
 * {@code STRATA_ACCESS_KEY}, so the gateway's root user can also write to it), every one an inline
 * object exactly as a PUT of that size would store it (bytes and CRC32C in the namespace record,
 * MD5 ETag).
 *
 * <p>Why offline: a PUT costs one synced RocksDB commit plus the client's signing, about 1-2 ms of
 * CPU on this 2-core machine, so 10^6 PUTs take tens of minutes; {@link Namespace#importVersions}
 * writes a thousand versions per synced batch, 10^6 in under a minute. The records are the same
 * ones a PUT writes, so what the snapshot reads is what it would read after real PUTs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.SnapshotSeed DATA_DIR BUCKET COUNT [SIZE [FIRST]]
 * </pre>
 */
public final class SnapshotSeed {
    private static final int BATCH = 1000;

    private SnapshotSeed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SnapshotSeed DATA_DIR BUCKET COUNT [SIZE [FIRST]]");
            System.exit(2);
        }
        Path meta = Path.of(args[0]).resolve("meta");
        BucketName bucket = new BucketName(args[1]);
        int count = Integer.parseInt(args[2]);
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int first = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        String owner = System.getenv().getOrDefault("STRATA_ACCESS_KEY", "strata");
        long started = System.nanoTime();
        try (Namespace ns = Namespace.open(meta)) {
            if (ns.bucket(bucket).isEmpty()) ns.createBucket(new Bucket(bucket, Instant.now(), "us-east-1", owner));
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            Instant base = Instant.now();
            List<ObjectVersion> batch = new ArrayList<>(BATCH);
            for (int i = first; i < first + count; i++) {
                String key = String.format("k/%07d", i);
                byte[] data = new byte[size];
                byte[] name = key.getBytes(StandardCharsets.UTF_8);
                for (int j = 0; j < size; j++) data[j] = name[j % name.length];
                String etag = HexFormat.of().formatHex(md5.digest(data));
                batch.add(new ObjectVersion(bucket, new ObjectKey(key), ObjectVersion.NULL_VERSION, size, etag,
                        base.plusNanos(i - first), "application/octet-stream", Map.of(), Map.of(), Map.of(), 0,
                        List.of(new Segment(size, DataRef.Inline.encode(data, 0, size))), false, List.of(),
                        ObjectAttributes.NONE));
                if (batch.size() == BATCH) {
                    ns.importVersions(bucket, batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) ns.importVersions(bucket, batch);
        }
        double s = (System.nanoTime() - started) / 1e9;
        System.out.printf("seeded %d objects of %d bytes into %s in %.1f s (%.0f/s)%n", count, size, bucket, s, count / s);
    }
}
