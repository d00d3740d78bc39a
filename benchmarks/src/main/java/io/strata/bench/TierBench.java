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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Cold-tier figures through real clients: writes {@code count} objects of {@code size} into two
 * buckets, moves one bucket into tier {@code tier} with {@code strata tier move} (timed: objects/s
 * and MiB/s of the move), then measures time to first byte of GETs (SDK v2, default settings) of
 * hot and cold objects, interleaved, and the throughput of whole cold GETs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.strata.bench.TierBench --endpoint http://127.0.0.1:9000 \
 *      --access-key K --secret-key S --size 1MiB --count 200 --tier COLD --strata ./strata
 * </pre>
 */
public final class TierBench {
    private TierBench() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = "http://127.0.0.1:9000";
        String access = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        long size = 1 << 20;
        int count = 100;
        int threads = 4;
        String tier = "COLD";
        String strata = "./strata";
        String bucket = "tierbench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--access-key" -> access = args[++i];
                case "--secret-key" -> secret = args[++i];
                case "--size" -> size = S3Load.parseSize(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--tier" -> tier = args[++i];
                case "--strata" -> strata = args[++i];
                case "--bucket" -> bucket = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (count < 1 || count > 10_000) throw new IllegalArgumentException("--count must be 1..10000");
        String hotBucket = bucket + "-hot";
        String coldBucket = bucket + "-cold";
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                .forcePathStyle(true).httpClient(ApacheHttpClient.builder().maxConnections(threads * 2).build()).build()) {
            for (String b : List.of(hotBucket, coldBucket)) {
                try {
                    s3.createBucket(r -> r.bucket(b));
                } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                    if (e.statusCode() != 409) throw e;
                }
            }
            byte[] data = new byte[(int) Math.min(size, Integer.MAX_VALUE - 8)];
            new Random(42).nextBytes(data);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "obj-" + i;
                puts.add(pool.submit(() -> {
                    s3.putObject(r -> r.bucket(hotBucket).key(key), RequestBody.fromBytes(data));
                    s3.putObject(r -> r.bucket(coldBucket).key(key), RequestBody.fromBytes(data));
                }));
            }
            for (Future<?> f : puts) f.get();
            pool.shutdown();

            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(strata, "tier", "move", coldBucket, tier, "--gateway", endpoint)
                    .redirectErrorStream(true);
            pb.environment().put("STRATA_ACCESS_KEY", access);
            pb.environment().put("STRATA_SECRET_KEY", secret);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (status != 0) throw new IllegalStateException("strata tier move failed (" + status + "): " + out);
            String lastLine = out.strip().lines().reduce((a, b) -> b).orElse("");
            System.out.printf(Locale.ROOT, "move of %d x %s to %s: %.2f s, %.1f objects/s, %.1f MiB/s  (%s)%n", count,
                    human(size), tier, seconds, count / seconds, count * (double) size / (1 << 20) / seconds, lastLine);

            int samples = Math.min(count, 50);
            long[] hot = new long[samples];
            long[] cold = new long[samples];
            for (int i = 0; i < samples; i++) {
                String key = "obj-" + i;
                hot[i] = firstByte(s3, hotBucket, key);
                cold[i] = firstByte(s3, coldBucket, key);
            }
            System.out.printf(Locale.ROOT, "time to first byte, %d GETs each: hot p50 %.2f ms p90 %.2f ms | cold p50 %.2f ms p90 %.2f ms%n",
                    samples, pct(hot, 50), pct(hot, 90), pct(cold, 50), pct(cold, 90));
            long t1 = System.nanoTime();
            byte[] buf = new byte[256 * 1024];
            long bytes = 0;
            for (int i = 0; i < samples; i++) {
                String key = "obj-" + i;
                try (InputStream in = s3.getObject(r -> r.bucket(coldBucket).key(key))) {
                    for (int n; (n = in.read(buf)) > 0; ) bytes += n;
                }
            }
            double s = (System.nanoTime() - t1) / 1e9;
            System.out.printf(Locale.ROOT, "whole cold GETs, one at a time: %.1f MiB/s%n", bytes / (double) (1 << 20) / s);
        }
    }

    private static long firstByte(S3Client s3, String bucket, String key) throws Exception {
        long t = System.nanoTime();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            if (in.read() < 0) throw new IllegalStateException("empty object");
            long elapsed = System.nanoTime() - t;
            in.abort();
            return elapsed;
        }
    }

    private static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static String human(long size) {
        if (size % (1 << 20) == 0) return (size >> 20) + " MiB";
        if (size % 1024 == 0) return (size >> 10) + " KiB";
        return size + " B";
    }
}
