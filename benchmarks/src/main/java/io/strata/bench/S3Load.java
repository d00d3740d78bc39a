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
 * <p>{@code --ops burst} is a checkpoint burst ({@code --writers}, default 16, each PUT one object
 * of {@code --size} at the same moment); {@code --count-fsyncs} adds one round per operation on the
 * first server under strace and prints the sync calls per object ({@link FsyncCounter}).
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
        int writers = 16;
        int rounds = 1;
        int warmup = 0;
        boolean autoWarmup = false;
        boolean freshKeys = false;
        boolean countFsyncs = false;
        String ops = "put,get";
        int listKeys = 5000;
        long listSize = 0;
        String bucket = "strata-load";
        int parts = 8;
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
                case "--writers" -> writers = Integer.parseInt(args[++i]);   // op burst: writers released together
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> {   // uncounted rounds per operation and server first; "auto": see warmupRounds
                    String w = args[++i];
                    autoWarmup = w.equals("auto");
                    if (!autoWarmup) warmup = Integer.parseInt(w);
                }
                case "--ops" -> ops = args[++i];
                case "--parts" -> parts = Integer.parseInt(args[++i]);   // mpu: parts per object, uploaded at once
                case "--list-keys" -> listKeys = Integer.parseInt(args[++i]);   // keys the list op seeds under list/
                case "--list-size" -> listSize = parseSize(args[++i]);            // and their size (default 0)
                case "--fresh-keys" -> freshKeys = true;   // every PUT round writes new keys: no overwrites, nothing freed
                case "--count-fsyncs" -> countFsyncs = true;   // one extra round per operation under strace: see FsyncCounter
                case "--bucket" -> bucket = args[++i];
                case "--ca-bundle" -> caBundle = java.nio.file.Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (count < 1 || count > 100_000) throw new IllegalArgumentException("--count must be 1..100000");
        if (rounds < 1 || rounds > 100) throw new IllegalArgumentException("--rounds must be 1..100");
        if (writers < 1 || writers > 1024) throw new IllegalArgumentException("--writers must be 1..1024");
        if (parts < 1 || parts > 10_000) throw new IllegalArgumentException("--parts must be 1..10000");
        if (listKeys < 1 || listKeys > 1_000_000) throw new IllegalArgumentException("--list-keys must be 1..1000000");
        if (autoWarmup) warmup = warmupRounds(count, size);
        if (warmup < 0 || warmup > 100) throw new IllegalArgumentException("--warmup must be 0..100 or auto");
        List<Target> targets = new ArrayList<>();
        // a queued writer is no burst; mpu keeps threads x parts requests in flight; every other op at most threads.
        int connections = ops.contains("burst") ? Math.max(threads, writers) : ops.contains("mpu") ? threads * parts : threads;
        targets.add(new Target("strata", endpoint, pid, client(endpoint, access, secret, connections)));
        if (compare != null) targets.add(new Target("bare", compare, comparePid, client(compare, access, secret, connections)));
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
                String fsyncs = null;
                for (int round = -warmup; round < rounds + (countFsyncs ? 1 : 0); round++) {
                    int r0 = round;
                    for (Target t : targets) {
                        // --count-fsyncs: one more round after the measured ones, first server only, under strace.
                        FsyncCounter counter = null;
                        if (round == rounds) {
                            if (t != targets.getFirst()) continue;
                            try {
                                counter = FsyncCounter.attach(t.pid);
                            } catch (java.io.IOException e) {
                                fsyncs = String.format("FSYNC %s %s: not counted: %s", op.trim().toUpperCase(), t.name, e.getMessage());
                                continue;
                            }
                        }
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
                            case "burst" -> burst(writers, objSize, i -> t.s3.putObject(q -> q.bucket(b).key("burst-" + i),
                                    RequestBody.fromContentProvider(() -> new RepeatingStream(data, objSize), objSize,
                                            "application/octet-stream")));
                            case "mpu" -> runMultipart(t.s3, b, threads, n, objSize, parts, data, i -> key(fresh, r0, i));
                            case "list" -> list(t, b, threads, n, seeded, seededSize, data);
                            default -> throw new IllegalArgumentException("--ops: put, get, list, burst or mpu, not " + op);
                        };
                        double cpu = cpuSeconds(t.pid) - cpuBefore;
                        if (counter != null) {
                            fsyncs = fsyncLine(op.trim().toUpperCase(), t.name, counter, r.latencies.length);
                            continue;   // traced: slowed down at every system call, so not measured
                        }
                        if (round < 0) continue;   // warm-up: the JIT compiles both servers' paths, nothing is counted
                        totals.computeIfAbsent(op.trim() + " " + t.name, k -> new Totals()).add(r, cpu);
                    }
                }
                for (Target t : targets) {
                    Totals sum = totals.get(op.trim() + " " + t.name);
                    System.out.println(op.trim().equals("burst") ? burstLine(sum, t.name) : sum.line(op.trim().toUpperCase(), t.name));
                }
                if (op.trim().equals("mpu")) printPartCpu(totals, targets, parts);
                if (targets.size() > 1) {
                    double ratio = totals.get(op.trim() + " strata").mibPerSecond() / totals.get(op.trim() + " bare").mibPerSecond();
                    System.out.printf("%-4s strata/bare throughput: %.0f%%%n", op.trim().toUpperCase(), ratio * 100);
                }
                if (fsyncs != null) System.out.println(fsyncs);
            }
        } finally {
            for (Target t : targets) t.s3.close();
        }
    }

    /**
     * A checkpoint burst ({@code --ops burst}): {@code writers} threads each PUT one object of
     * {@code size} bytes, all released at once by a barrier, as a training job's ranks write their
     * checkpoint shards at the same step. The result's time runs from the first writer's start to the
     * last one's finish, so the burst's throughput is bounded by its slowest writer, which is what
     * the job waits for. Bodies are streamed from the one shared random pattern (at most 64 MiB,
     * {@link RepeatingStream}) with their length declared: the client holds no buffer per writer
     * beyond the SDK's own, and checks nothing the SDK does not.
     */
    static Result burst(int writers, long size, Op op) throws Exception {
        long[] starts = new long[writers];
        long[] ends = new long[writers];
        java.util.concurrent.CyclicBarrier gate = new java.util.concurrent.CyclicBarrier(writers);
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int idx = i;
                futures.add(pool.submit(() -> {
                    gate.await();
                    starts[idx] = System.nanoTime();
                    op.run(idx);
                    ends[idx] = System.nanoTime();
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        long[] latencies = new long[writers];
        for (int i = 0; i < writers; i++) latencies[i] = ends[i] - starts[i];
        long seconds = Arrays.stream(ends).max().orElseThrow() - Arrays.stream(starts).min().orElseThrow();
        return new Result(latencies, writers * size, seconds / 1e9);
    }

    /**
     * The sync calls the server made during the extra round, per object: every call counts (a
     * shard file's, its directory's, the namespace's WAL), since each is a wait on the drive. Calls
     * the server made in that time for earlier rounds (RocksDB flushes, deferred deletes) count too.
     */
    static String fsyncLine(String op, String name, FsyncCounter counter, int objects) throws InterruptedException {
        try (counter) {
            Map<String, Long> calls = counter.stop();
            long total = calls.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder each = new StringBuilder();
            calls.forEach((call, c) -> each.append(each.isEmpty() ? "" : ", ").append(call).append(' ').append(c));
            return String.format("FSYNC %s %s: %.2f per object (%d sync calls over %d objects in one extra round: %s)", op, name,
                    (double) total / objects, total, objects, each);
        } catch (java.io.IOException e) {
            return String.format("FSYNC %s %s: not counted: %s", op, name, e.getMessage());
        }
    }

    /** A burst's figures: total MiB/s over all rounds' bursts, p50 and max of one writer's PUT, server CPU per object. */
    static String burstLine(Totals sum, String name) {
        List<Long> sorted = new ArrayList<>(sum.latencies);
        sorted.sort(null);
        String cpu = Double.isNaN(sum.cpuSeconds) ? "" : String.format(", server CPU %.1f ms/op", sum.cpuSeconds * 1000 / sum.ops);
        return String.format("BURST %-6s %.1f MiB/s, %d objects, writer p50 %.1f ms, max %.1f ms%s", name, sum.mibPerSecond(),
                sum.ops, sorted.get(sorted.size() / 2) / 1e6, sorted.getLast() / 1e6, cpu);
    }

    /**
     * {@code count} multipart uploads on {@code threads} clients: each creates an upload, sends its
     * {@code parts} parts of {@code size / parts} bytes (the last takes the remainder) at once, one
     * thread per part, then completes it. This is how the SDKs' transfer managers and the aws CLI
     * upload large objects; it measures whether the parts of one upload proceed in parallel.
     */
    private static Result runMultipart(S3Client s3, String bucket, int threads, int count, long size, int parts,
                                       byte[] data, java.util.function.IntFunction<String> keys) throws Exception {
        long partSize = size / parts;
        if (parts > 1 && partSize < (5L << 20)) {
            throw new IllegalArgumentException("--size / --parts must be at least 5 MiB (S3's minimum part size)");
        }
        try (ExecutorService partPool = Executors.newFixedThreadPool(threads * parts)) {
            return run(threads, count, size, i -> {
                String key = keys.apply(i);
                String uploadId = s3.createMultipartUpload(q -> q.bucket(bucket).key(key)).uploadId();
                List<Future<software.amazon.awssdk.services.s3.model.CompletedPart>> sent = new ArrayList<>();
                for (int p = 1; p <= parts; p++) {
                    int number = p;
                    long length = p < parts ? partSize : size - partSize * (parts - 1);
                    sent.add(partPool.submit(() -> {
                        String etag = s3.uploadPart(q -> q.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                                RequestBody.fromContentProvider(() -> new RepeatingStream(data, length), length,
                                        "application/octet-stream")).eTag();
                        return software.amazon.awssdk.services.s3.model.CompletedPart.builder()
                                .partNumber(number).eTag(etag).build();
                    }));
                }
                List<software.amazon.awssdk.services.s3.model.CompletedPart> done = new ArrayList<>();
                for (var f : sent) done.add(f.get());
                s3.completeMultipartUpload(q -> q.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(done)));
            });
        }
    }

    /** mpu: the server's CPU per part besides per object (a part's cost compares with a PUT of its size). */
    private static void printPartCpu(Map<String, Totals> totals, List<Target> targets, int parts) {
        for (Target t : targets) {
            Totals x = totals.get("mpu " + t.name);
            if (!Double.isNaN(x.cpuSeconds)) {
                System.out.printf("MPU  %-6s server CPU %.1f ms/part (%d parts per object)%n", t.name,
                        x.cpuSeconds * 1000 / (x.ops * parts), parts);
            }
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
