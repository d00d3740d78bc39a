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
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.S3Load \
 *      --endpoint http://127.0.0.1:9000 --access-key K --secret-key S --size 1MiB --count 200 --threads 4
 * </pre>
 */
public final class S3Load {
    private S3Load() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = "http://127.0.0.1:9000";
        String access = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        long size = 1 << 20;
        int count = 100;
        int threads = 4;
        String bucket = "strata-load";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--access-key" -> access = args[++i];
                case "--secret-key" -> secret = args[++i];
                case "--size" -> size = parseSize(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--bucket" -> bucket = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (count < 1 || count > 100_000) throw new IllegalArgumentException("--count must be 1..100000");
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(threads * 2)
                        .socketTimeout(Duration.ofMinutes(5)))
                .build()) {
            String b = bucket;
            try {
                s3.createBucket(r -> r.bucket(b));
            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                if (e.statusCode() != 409) throw e;
            }
            byte[] data = new byte[(int) Math.min(size, 64L << 20)];
            new Random(42).nextBytes(data);
            long objSize = size;
            int n = count;
            System.out.printf("endpoint %s, %d objects of %d bytes, %d threads%n", endpoint, n, objSize, threads);
            run("PUT", threads, n, objSize, i -> s3.putObject(r -> r.bucket(b).key("obj-" + i),
                    RequestBody.fromContentProvider(() -> new RepeatingStream(data, objSize), objSize, "application/octet-stream")));
            byte[] sink = new byte[1 << 16];
            run("GET", threads, n, objSize, i -> {
                try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(b).key("obj-" + i))) {
                    long total = 0;
                    int k;
                    while ((k = in.read(sink)) >= 0) total += k;
                    if (total != objSize) throw new IllegalStateException("short read " + total);
                }
            });
        }
    }

    interface Op {
        void run(int i) throws Exception;
    }

    private static void run(String name, int threads, int count, long size, Op op) throws Exception {
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
        Arrays.sort(latencies);
        System.out.printf("%s: %.1f ops/s, %.1f MiB/s, p50 %.1f ms, p99 %.1f ms (%.1f s)%n", name, count / seconds,
                count * (double) size / seconds / (1 << 20), latencies[count / 2] / 1e6,
                latencies[Math.min(count - 1, (int) (count * 0.99))] / 1e6, seconds);
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
