package io.strata.namespace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Listing cost on a large bucket: one page of 1,000 entries from a bucket of 1,000,000 objects,
 * the size issue #3 asks to stay well under 50 ms.
 *
 * <ul>
 *   <li>{@link #listObjectsV2Page}: a ListObjectsV2-style page (no delimiter) starting after a
 *       random key, read from the {@code objects} column family.</li>
 *   <li>{@link #listVersionsPage}: a ListObjectVersions page starting after a random key marker,
 *       read from the {@code versions} column family.</li>
 * </ul>
 * The bucket: 1,000,000 keys of the shape a dataset has ({@code shard-NNNN/part-NNNNNNN.bin},
 * 1,000 per directory) loaded unversioned (each is its null version), then versioning is enabled
 * and every 10th key gets a second version, so version pages mix null and assigned ids and
 * IsLatest flips inside a key. Loaded with the package-private bulk path and unsynced writes, then
 * compacted, so the numbers are those of a steady-state LSM rather than of a memtable. A random
 * start in every invocation defeats any single hot block.
 *
 * <p>Lives in {@code io.strata.namespace} to reach {@link RocksDbNamespace}'s package-private bulk
 * load without widening the module's API.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NamespaceListBenchmark {
    private static final int OBJECTS = 1_000_000;
    private static final int PAGE = 1000;
    private static final BucketName BUCKET = new BucketName("bench");

    private Path dir;
    private RocksDbNamespace ns;
    private final SplittableRandom random = new SplittableRandom(42);

    private static String key(int i) {
        return String.format("shard-%04d/part-%07d.bin", i / 1000, i);
    }

    private static ObjectVersion version(int i, Instant t) {
        Segment s = new Segment(4096, ("blob-" + i + "-" + t.toEpochMilli()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new ObjectVersion(BUCKET, new ObjectKey(key(i)), ObjectVersion.NULL_VERSION, 4096,
                "d41d8cd98f00b204e9800998ecf8427e", t, "application/octet-stream", Map.of(), Map.of("source", "bench"),
                Map.of("CRC32", "AAAAAA=="), 0, List.of(s));
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = Files.createTempDirectory("strata-list-bench");
        ns = RocksDbNamespace.open(dir, new RocksDbNamespace.Settings(64L << 20, false));
        ns.createBucket(new Bucket(BUCKET, Instant.now(), "us-east-1", "bench"));
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        long start = System.nanoTime();
        List<ObjectVersion> batch = new ArrayList<>(50_000);
        for (int i = 0; i < OBJECTS; i++) {
            batch.add(version(i, t0));
            if (batch.size() == 50_000) {
                ns.putObjects(BUCKET, batch, 50_000);
                batch.clear();
            }
        }
        ns.setVersioning(BUCKET, BucketVersioning.ENABLED);
        Instant t1 = t0.plusSeconds(3600);
        for (int i = 0; i < OBJECTS; i += 10) {
            batch.add(version(i, t1));
            if (batch.size() == 50_000) {
                ns.putObjects(BUCKET, batch, 50_000);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) ns.putObjects(BUCKET, batch, 50_000);
        ns.compact();
        System.out.printf("%nloaded %d objects (+%d versions) in %d ms%n", OBJECTS, OBJECTS / 10,
                (System.nanoTime() - start) / 1_000_000);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        ns.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private String randomStart() {
        return key(random.nextInt(OBJECTS - 2 * PAGE));
    }

    @Benchmark
    public ListPage listObjectsV2Page() {
        ListPage page = ns.list(BUCKET, new ListQuery("", "", randomStart(), PAGE));
        if (page.objects().size() != PAGE) throw new IllegalStateException("short page: " + page.objects().size());
        return page;
    }

    @Benchmark
    public VersionPage listVersionsPage() {
        VersionPage page = ns.listVersions(BUCKET, new VersionQuery("", "", randomStart(), "", PAGE));
        if (page.versions().size() != PAGE) throw new IllegalStateException("short page: " + page.versions().size());
        return page;
    }
}
