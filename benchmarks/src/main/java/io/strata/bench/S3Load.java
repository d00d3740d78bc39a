package io.strata.bench;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A bounded PUT/GET load through the AWS SDK v2 (default checksum settings) against a running
 * gateway: {@code count} objects of {@code size} bytes written by {@code threads} clients, then
 * read back. Prints throughput and latency percentiles. Measures the whole path a client sees, so
 * on a 2-core machine the client's own signing and hashing share the CPU with the server.
 *
 * <p>With {@code --compare URL} it drives a second endpoint (usually {@link BareEndpoint}) with the
 * same client settings, alternating the two servers {@code --rounds} times per operation so that
 * background load on a shared machine hits both alike, and prints Strata/other ratios. Given the
 * servers' process ids ({@code --pid}, {@code --compare-pid}) it also reports each server's own CPU
 * time per operation, read from {@code /proc/PID/stat} (Linux).
 *
 * <p>Each PUT round overwrites the same keys ({@code obj-0..count-1}), so the gateway also frees the
 * objects it replaces; {@code --fresh-keys} makes every PUT round write new keys instead (GETs
 * read the last round's), which is how an ingest pipeline writes.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.S3Load \
 *      --endpoint http://127.0.0.1:9000 --access-key K --secret-key S --size 1MiB --count 200 --threads 4
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.S3Load --endpoint http://127.0.0.1:9000 --pid P1 \
 *      --compare http://127.0.0.1:9100 --compare-pid P2 --size 64MiB --count 8 --threads 2 --rounds 3
 * </pre>
 */
public final class S3Load {
    private S3Load() {
    }

    /** One server under test. */
    private record Target(String name, String endpoint, long pid, S3Client s3) {
    }

    /** Totals of one operation on one target over all rounds. */
    private static final class Totals {
        long ops;
        long bytes;
        double seconds;
        double cpuSeconds = Double.NaN;
        final List<Long> latencies = new ArrayList<>();

        void add(Result r, double cpu) {
            ops += r.latencies.length;
            bytes += r.bytes;
            seconds += r.seconds;
            if (!Double.isNaN(cpu)) cpuSeconds = (Double.isNaN(cpuSeconds) ? 0 : cpuSeconds) + cpu;
            for (long l : r.latencies) latencies.add(l);
        }

        double mibPerSecond() {
            return bytes / seconds / (1 << 20);
        }

        String line(String op, String name) {
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            String cpu = Double.isNaN(cpuSeconds) ? "" : String.format(", server CPU %.1f ms/op", cpuSeconds * 1000 / ops);
            return String.format("%-4s %-6s %.1f ops/s, %.1f MiB/s, p50 %.1f ms, p99 %.1f ms%s", op, name, ops / seconds,
                    mibPerSecond(), sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6, cpu);
        }
    }

    private record Result(long[] latencies, long bytes, double seconds) {
    }

    /**
     * Uncounted rounds until each server has seen about 1,000 requests or 2 GiB per operation,
     * whichever comes first (1 to 10 rounds): the gateway's per-request code takes over a thousand
     * small requests to be compiled (1 MiB PUTs went from 60 to 112 per second over the first
     * 1,600), while a few large ones warm the per-byte loops.
     */
    static int warmupRounds(int count, long size) {
        long byRequests = (1000 + count - 1) / count;
        long byBytes = Math.max(1, (2L << 30) / Math.max(1, (long) count * size));
        return (int) Math.clamp(Math.min(byRequests, byBytes), 1, 10);
    }

    public static void main(String[] args) throws Exception {
        String endpoint = "http://127.0.0.1:9000";
        String compare = null;
        long pid = -1;
        long comparePid = -1;
        String access = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        long size = 1 << 20;
        int count = 100;
        int threads = 4;
        int rounds = 1;
        int warmup = 0;
        boolean autoWarmup = false;
        boolean freshKeys = false;
        String ops = "put,get";
        int listKeys = 5000;
        long listSize = 0;
        String bucket = "strata-load";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--compare" -> compare = args[++i];
                case "--pid" -> pid = Long.parseLong(args[++i]);
                case "--compare-pid" -> comparePid = Long.parseLong(args[++i]);
                case "--access-key" -> access = args[++i];
                case "--secret-key" -> secret = args[++i];
                case "--size" -> size = parseSize(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> {   // uncounted rounds per operation and server first; "auto": see warmupRounds
                    String w = args[++i];
                    autoWarmup = w.equals("auto");
                    if (!autoWarmup) warmup = Integer.parseInt(w);
                }
                case "--ops" -> ops = args[++i];
                case "--list-keys" -> listKeys = Integer.parseInt(args[++i]);   // keys the list op seeds under list/
                case "--list-size" -> listSize = parseSize(args[++i]);            // and their size (default 0)
                case "--fresh-keys" -> freshKeys = true;   // every PUT round writes new keys: no overwrites, nothing freed
                case "--bucket" -> bucket = args[++i];
                case "--ca-bundle" -> caBundle = java.nio.file.Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (count < 1 || count > 100_000) throw new IllegalArgumentException("--count must be 1..100000");
        if (rounds < 1 || rounds > 100) throw new IllegalArgumentException("--rounds must be 1..100");
        if (listKeys < 1 || listKeys > 1_000_000) throw new IllegalArgumentException("--list-keys must be 1..1000000");
        if (autoWarmup) warmup = warmupRounds(count, size);
        if (warmup < 0 || warmup > 100) throw new IllegalArgumentException("--warmup must be 0..100 or auto");
        List<Target> targets = new ArrayList<>();
        targets.add(new Target("strata", endpoint, pid, client(endpoint, access, secret, threads)));
        if (compare != null) targets.add(new Target("bare", compare, comparePid, client(compare, access, secret, threads)));
        try {
            String b = bucket;
            for (Target t : targets) {
                try {
                    t.s3.createBucket(r -> r.bucket(b));
                } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                    if (e.statusCode() != 409) throw e;
                }
            }
            byte[] data = new byte[(int) Math.min(size, 64L << 20)];
            new Random(42).nextBytes(data);
            long objSize = size;
            int n = count;
            System.out.printf("%d objects of %d bytes, %d threads, %d rounds (after %d uncounted warm-up rounds); %s%n", n, objSize,
                    threads, rounds, warmup, targets.stream().map(t -> t.name + " " + t.endpoint).toList());
            Map<String, Totals> totals = new java.util.LinkedHashMap<>();
            boolean fresh = freshKeys;
            int seeded = listKeys;
            long seededSize = listSize;
            int lastRound = rounds - 1;
            for (String op : ops.split(",")) {
                for (int round = -warmup; round < rounds; round++) {
                    int r0 = round;
                    for (Target t : targets) {
                        double cpuBefore = cpuSeconds(t.pid);
                        Result r = switch (op.trim()) {
                            // With --fresh-keys a round's PUTs create objects; GETs read the last round's.
                            case "put" -> run(threads, n, objSize, i -> t.s3.putObject(q -> q.bucket(b).key(key(fresh, r0, i)),
                                    RequestBody.fromContentProvider(() -> new RepeatingStream(data, objSize), objSize,
                                            "application/octet-stream")));
                            case "get" -> run(threads, n, objSize, i -> {
                                byte[] sink = new byte[1 << 16];
                                try (ResponseInputStream<GetObjectResponse> in = t.s3.getObject(q -> q.bucket(b).key(key(fresh, lastRound, i)))) {
                                    long total = 0;
                                    int k;
                                    while ((k = in.read(sink)) >= 0) total += k;
                                    if (total != objSize) throw new IllegalStateException("short read " + total);
                                }
                            });
                            case "list" -> list(t, b, threads, n, seeded, seededSize, data);
                            default -> throw new IllegalArgumentException("--ops: put, get or list, not " + op);
                        };
                        double cpu = cpuSeconds(t.pid) - cpuBefore;
                        if (round < 0) continue;   // warm-up: the JIT compiles both servers' paths, nothing is counted
                        totals.computeIfAbsent(op.trim() + " " + t.name, k -> new Totals()).add(r, cpu);
                    }
                }
                for (Target t : targets) System.out.println(totals.get(op.trim() + " " + t.name).line(op.trim().toUpperCase(), t.name));
                if (targets.size() > 1) {
                    double ratio = totals.get(op.trim() + " strata").mibPerSecond() / totals.get(op.trim() + " bare").mibPerSecond();
                    System.out.printf("%-4s strata/bare throughput: %.0f%%%n", op.trim().toUpperCase(), ratio * 100);
                }
            }
        } finally {
            for (Target t : targets) t.s3.close();
        }
    }

    /** Targets whose bucket the list op has seeded, so that only the first round seeds. */
    private static final java.util.Set<String> LIST_SEEDED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The list op: {@code pages} ListObjectsV2 requests of up to 1,000 keys each (S3's page size, what
     * {@code aws s3 ls} and the SDK paginators ask for), over {@code keys} objects of {@code size}
     * bytes under {@code list/} that the first call seeds (uncounted; empty by default so seeding
     * stays cheap; objects above the gateway's inline limit have erasure-coded records, which a
     * listing decodes too). Page {@code i} starts after key {@code (i * 1000) % keys},
     * so pages spread over the whole range as a paginating client's do. A page must hold every key
     * the seeding left after its start, or the op fails. Its "bytes" are keys listed, so the ratio
     * compares keys per second.
     */
    private static Result list(Target t, String bucket, int threads, int pages, int keys, long size, byte[] data) throws Exception {
        if (LIST_SEEDED.add(t.name)) {
            run(Math.max(threads, 8), keys, 0, i -> t.s3.putObject(q -> q.bucket(bucket).key(listKey(i)), size == 0 ? RequestBody.empty()
                    : RequestBody.fromContentProvider(() -> new RepeatingStream(data, size), size, "application/octet-stream")));
        }
        long[] listed = new long[pages];
        Result r = run(threads, pages, 0, i -> {
            int start = (int) ((long) i * 1000 % keys);
            var page = t.s3.listObjectsV2(q -> q.bucket(bucket).prefix("list/").maxKeys(1000)
                    .startAfter(start == 0 ? null : listKey(start - 1)));
            int expected = Math.min(1000, keys - start);
            if (page.keyCount() != expected || page.contents().size() != expected) {
                throw new IllegalStateException("page after " + start + " listed " + page.contents().size() + " keys, not " + expected);
            }
            listed[i] = expected;
        });
        return new Result(r.latencies(), Arrays.stream(listed).sum(), r.seconds());
    }

    private static String listKey(int i) {
        return String.format("list/%07d", i);
    }

    private static String key(boolean fresh, int round, int i) {
        return fresh ? "obj-r" + round + "-" + i : "obj-" + i;
    }

    /** PEM certificate(s) to trust for https endpoints (a self-signed gateway's DATA_DIR/tls/cert.pem); null = the JDK's. */
    private static java.nio.file.Path caBundle;

    private static S3Client client(String endpoint, String access, String secret, int threads) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder().maxConnections(threads * 2).socketTimeout(Duration.ofMinutes(5));
        if (caBundle != null) http.tlsTrustManagersProvider(S3Load::trustManagers);
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                .httpClientBuilder(http)
                .build();
    }

    private static javax.net.ssl.TrustManager[] trustManagers() {
        try (var in = java.nio.file.Files.newInputStream(caBundle)) {
            java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (var c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return tmf.getTrustManagers();
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot load --ca-bundle " + caBundle + ": " + e.getMessage(), e);
        }
    }

    /** User plus system CPU time of process {@code pid} from /proc, or NaN when unknown. */
    static double cpuSeconds(long pid) {
        if (pid <= 0) return Double.NaN;
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100/s).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    interface Op {
        void run(int i) throws Exception;
    }

    private static Result run(int threads, int count, long size, Op op) throws Exception {
        long[] latencies = new long[count];
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int idx = i;
                futures.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    op.run(idx);
                    latencies[idx] = System.nanoTime() - t;
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(latencies, count * size, seconds);
    }

    static long parseSize(String s) {
        String v = s.trim().toLowerCase();
        long mult = 1;
        if (v.endsWith("kib")) { mult = 1 << 10; v = v.substring(0, v.length() - 3); }
        else if (v.endsWith("mib")) { mult = 1 << 20; v = v.substring(0, v.length() - 3); }
        else if (v.endsWith("gib")) { mult = 1L << 30; v = v.substring(0, v.length() - 3); }
        return Long.parseLong(v) * mult;
    }

    /** Yields {@code length} bytes by cycling over {@code data}; no object-sized array. */
    static final class RepeatingStream extends InputStream {
        private final byte[] data;
        private long remaining;
        private int pos;

        RepeatingStream(byte[] data, long length) {
            this.data = data;
            this.remaining = length;
        }

        @Override
        public int read() {
            if (remaining == 0) return -1;
            remaining--;
            int b = data[pos] & 0xff;
            pos = (pos + 1) % data.length;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) return -1;
            int n = (int) Math.min(Math.min(len, remaining), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos = (pos + n) % data.length;
            remaining -= n;
            return n;
        }
    }
}
