package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing pages out of a large bucket: a page costs a seek plus the page, whatever the bucket size.
 * Correctness is asserted; times are printed, never asserted (the machine is shared).
 */
class LargeListingTest {
    private static final BucketName B = new BucketName("large");

    @TempDir
    Path dir;

    /** Keys {@code dir-DDD/file-FFFFFF}, {@code files} per directory, returned in listing order. */
    private static List<String> load(RocksDbNamespace ns, int dirs, int files) {
        return load(ns, "large", dirs, files);
    }

    private static List<String> load(RocksDbNamespace ns, String bucket, int dirs, int files) {
        BucketName b = new BucketName(bucket);
        ns.createBucket(Fixtures.bucket(bucket));
        List<String> keys = new ArrayList<>(dirs * files);
        List<ObjectVersion> batch = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            for (int f = 0; f < files; f++) {
                String k = String.format("dir-%03d/file-%06d", d, f);
                keys.add(k);
                batch.add(Fixtures.version(bucket, k));
                if (batch.size() == 50_000) {
                    ns.putObjects(b, batch, 50_000);
                    batch.clear();
                }
            }
        }
        ns.putObjects(b, batch, 50_000);
        return keys;
    }

    /** Runs {@code call} warm and prints the median wall time and the median CPU time of this thread. */
    private static <T> T timed(String what, Supplier<T> call) {
        for (int i = 0; i < 40; i++) call.get(); // warm up the JIT and the block cache
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] wall = new long[21];
        long[] cpu = new long[wall.length];
        T result = null;
        for (int i = 0; i < wall.length; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            result = call.get();
            wall[i] = System.nanoTime() - t0;
            cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("%-55s median %.2f ms wall, %.2f ms cpu%n", what, wall[wall.length / 2] / 1e6,
                cpu[cpu.length / 2] / 1e6);
        return result;
    }

    private static List<String> keysOf(ListPage page) {
        return page.objects().stream().map(v -> v.key().value()).toList();
    }

    @Test
    void thousandKeyPagesOfA200kKeyBucketAreExact() {
        try (RocksDbNamespace ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(64L << 20, false))) {
            long t0 = System.nanoTime();
            List<String> keys = load(ns, 200, 1000);
            System.out.printf("loaded %d keys in %d ms%n", keys.size(), (System.nanoTime() - t0) / 1_000_000);

            int from = keys.indexOf("dir-100/file-000499") + 1;
            ListPage page = timed("200k keys: 1000-key page from the middle",
                    () -> ns.list(B, new ListQuery("", "", "dir-100/file-000499", 1000)));
            assertEquals(keys.subList(from, from + 1000), keysOf(page));
            assertTrue(page.truncated());
            assertEquals(keys.get(from + 999), page.nextAfter());

            ListPage dirs = timed("200k keys: delimiter '/', 200 common prefixes",
                    () -> ns.list(B, new ListQuery("", "/", "", 1000)));
            assertEquals(200, dirs.commonPrefixes().size());
            assertEquals("dir-000/", dirs.commonPrefixes().get(0));
            assertEquals("dir-199/", dirs.commonPrefixes().get(199));
            assertTrue(dirs.objects().isEmpty());
            assertFalse(dirs.truncated());

            ListPage oneDir = timed("200k keys: prefix 'dir-150/', delimiter '/'",
                    () -> ns.list(B, new ListQuery("dir-150/", "/", "", 1000)));
            assertEquals(keys.subList(150_000, 151_000), keysOf(oneDir));
            assertFalse(oneDir.truncated());

            ListPage tail = ns.list(B, new ListQuery("", "/", "dir-050/", 1000));
            assertEquals(149, tail.commonPrefixes().size());
            assertEquals("dir-051/", tail.commonPrefixes().get(0));
        }
    }

    /** The figure quoted for the namespace: run with {@code -Dstrata.bench=true}; ~1 min of loading. */
    @Test
    @EnabledIfSystemProperty(named = "strata.bench", matches = "true")
    void pageTimesInAMillionKeyBucket() {
        try (RocksDbNamespace ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(64L << 20, false))) {
            long t0 = System.nanoTime();
            load(ns, 1000, 1000);
            load(ns, "wide", 100_000, 3);
            System.out.printf("loaded 1000000 + 300000 keys in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            t0 = System.nanoTime();
            ns.compact();
            System.out.printf("compacted in %d ms%n%s%n", (System.nanoTime() - t0) / 1_000_000, ns.objectStats());
            Random r = new Random(1);
            timed("1M keys: 1000-key page at a random position", () -> {
                String after = String.format("dir-%03d/file-%06d", r.nextInt(999), r.nextInt(1000));
                ListPage p = ns.list(B, new ListQuery("", "", after, 1000));
                assertEquals(1000, p.objects().size());
                return p;
            });
            timed("1M keys: delimiter '/', 1000 common prefixes", () -> ns.list(B, new ListQuery("", "/", "", 1000)));
            timed("1M keys: prefix + delimiter, 1000 keys", () -> ns.list(B, new ListQuery("dir-777/", "/", "", 1000)));
            BucketName wide = new BucketName("wide");
            timed("300k keys, 3 per dir: delimiter '/', 1000 prefixes", () -> ns.list(wide, new ListQuery("", "/", "dir-5", 1000)));
        }
    }
}
