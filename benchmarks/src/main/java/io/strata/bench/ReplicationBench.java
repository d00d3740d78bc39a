package io.strata.bench;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerReplicationStatus;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The S3 side of {@code benchmarks/replication.sh} (issue #14): sets buckets up and measures, through the
 * AWS SDK v2, how replication from a source gateway to a target keeps up. Every loop is bounded (counts and
 * a deadline); times are wall-clock on the client.
 *
 * <pre>
 * ReplicationBench bucket   --endpoint URL --bucket B [--versioning] [--replicate-to DEST_BUCKET]
 * ReplicationBench keepup   --source URL --target URL --bucket B --dest D --prefix P --size 1MiB --count N --threads T
 * ReplicationBench put      --source URL --bucket B --prefix P --size S --count N --threads T
 * ReplicationBench lag      --source URL --target URL --bucket B --dest D --count 50 --size 1KiB
 * ReplicationBench count    --target URL --dest D --prefix P
 * ReplicationBench await    --target URL --dest D --prefix P --count N   (prints: found epoch-seconds)
 * </pre>
 * Keys come from {@code --access-key}/{@code --secret-key} (source) and {@code --target-access-key}/
 * {@code --target-secret-key} (target; the source's if not given).
 */
public final class ReplicationBench {
    /** The longest any wait for replicas lasts. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(20);
    /** Between two HEADs looking for one replica: the lag's resolution, light on the target's CPU. */
    private static final Duration POLL_HEAD = Duration.ofMillis(5);
    /** Between two listings counting replicas. */
    private static final Duration POLL_LIST = Duration.ofMillis(50);

    private ReplicationBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("a command: bucket, keepup, put, lag or count");
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected " + args[i]);
            String name = args[i].substring(2);
            if (name.equals("versioning")) {
                o.put(name, "true");
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                o.put(name, args[++i]);
            }
        }
        String access = o.getOrDefault("access-key", System.getenv("STRATA_ACCESS_KEY"));
        String secret = o.getOrDefault("secret-key", System.getenv("STRATA_SECRET_KEY"));
        String targetAccess = o.getOrDefault("target-access-key", access);
        String targetSecret = o.getOrDefault("target-secret-key", secret);
        int threads = Integer.parseInt(o.getOrDefault("threads", "4"));
        int count = Integer.parseInt(o.getOrDefault("count", "100"));
        long size = S3Load.parseSize(o.getOrDefault("size", "1MiB"));
        if (threads < 1 || threads > 64) throw new IllegalArgumentException("--threads must be 1..64");
        if (count < 1 || count > 1_000_000) throw new IllegalArgumentException("--count must be 1..1000000");
        switch (args[0]) {
            case "bucket" -> {
                try (S3Client s3 = client(o.get("endpoint"), access, secret, 2)) {
                    bucket(s3, o.get("bucket"), o.containsKey("versioning"), o.get("replicate-to"));
                }
            }
            case "put" -> {
                try (S3Client s3 = client(o.get("source"), access, secret, threads)) {
                    Puts p = put(s3, o.get("bucket"), o.get("prefix"), size, count, threads);
                    System.out.printf(Locale.ROOT, "put %d x %s with %d writers: %.2f s, %.1f objects/s, %.1f MiB/s%n", count,
                            o.get("size"), threads, p.seconds(), count / p.seconds(), count * (double) size / (1 << 20) / p.seconds());
                }
            }
            case "keepup" -> {
                try (S3Client source = client(o.get("source"), access, secret, threads);
                     S3Client target = client(o.get("target"), targetAccess, targetSecret, 2)) {
                    keepUp(source, target, o.get("bucket"), o.get("dest"), o.get("prefix"), size, count, threads);
                }
            }
            case "lag" -> {
                try (S3Client source = client(o.get("source"), access, secret, 1);
                     S3Client target = client(o.get("target"), targetAccess, targetSecret, 1)) {
                    lag(source, target, o.get("bucket"), o.get("dest"), o.getOrDefault("prefix", "lag/"), size, count);
                }
            }
            case "await" -> {
                try (S3Client target = client(o.get("target"), targetAccess, targetSecret, 1)) {
                    long deadline = System.nanoTime() + MAX_WAIT.toNanos();
                    int seen;
                    while ((seen = count(target, o.get("dest"), o.get("prefix"))) < count && System.nanoTime() < deadline) {
                        pause(POLL_LIST);
                    }
                    // Epoch seconds, for the script to subtract from its own clock.
                    System.out.printf(Locale.ROOT, "%d %.3f%n", seen, System.currentTimeMillis() / 1000.0);
                }
            }
            case "count" -> {
                try (S3Client target = client(o.get("target"), targetAccess, targetSecret, 1)) {
                    System.out.println(count(target, o.get("dest"), o.get("prefix")));
                }
            }
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static S3Client client(String endpoint, String access, String secret, int threads) {
        if (endpoint == null) throw new IllegalArgumentException("an endpoint is missing");
        return S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                // s3proxy answers the SDK's default checksum mode with 501; Strata takes either.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(threads * 2).socketTimeout(Duration.ofMinutes(5)))
                .build();
    }

    /** Creates {@code bucket} (if absent), with versioning and a rule sending everything to {@code dest}. */
    private static void bucket(S3Client s3, String bucket, boolean versioning, String dest) {
        try {
            s3.createBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            if (e.statusCode() != 409) throw e;
        }
        if (versioning || dest != null) {
            s3.putBucketVersioning(r -> r.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        if (dest != null) {
            s3.putBucketReplication(r -> r.bucket(bucket).replicationConfiguration(c -> c
                    .role("arn:aws:iam::000000000000:role/bench")
                    .rules(rule -> rule.id("all").priority(1).status(ReplicationRuleStatus.ENABLED).filter(f -> f.prefix(""))
                            .deleteMarkerReplication(d -> d.status(DeleteMarkerReplicationStatus.ENABLED))
                            .destination(d -> d.bucket("arn:aws:s3:::" + dest)))));
        }
        System.out.println("bucket " + bucket + (versioning || dest != null ? " (versioned)" : "")
                + (dest != null ? " replicates to " + dest : ""));
    }

    /** @param firstAnswered nanoTime of the first PUT's answer; ended: of the last one */
    private record Puts(long started, long firstAnswered, long ended) {
        double seconds() {
            return (ended - started) / 1e9;
        }
    }

    /** {@code count} PUTs of {@code size} random bytes under {@code prefix}, by {@code threads} writers. */
    private static Puts put(S3Client s3, String bucket, String prefix, long size, int count, int threads) throws Exception {
        byte[] data = new byte[(int) Math.min(size, Integer.MAX_VALUE - 8)];
        new Random(42).nextBytes(data);
        AtomicInteger next = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        String key = prefix + String.format(Locale.ROOT, "%08d", i);
                        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(data));
                        first.compareAndSet(0, System.nanoTime());
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) w.get();
        } finally {
            pool.shutdown();
        }
        return new Puts(started, first.get(), System.nanoTime());
    }

    /** Objects under {@code prefix} at the target (a listing, paged). */
    private static int count(S3Client target, String dest, String prefix) {
        int n = 0;
        String token = null;
        for (int page = 0; page < 10_000; page++) {
            String t = token;
            ListObjectsV2Response r = target.listObjectsV2(l -> l.bucket(dest).prefix(prefix).continuationToken(t));
            n += r.keyCount();
            if (!Boolean.TRUE.equals(r.isTruncated())) break;
            token = r.nextContinuationToken();
        }
        return n;
    }

    /**
     * PUTs {@code count} objects to the source while watching the target's listing; reports the source's PUT
     * rate, the rate replicas appeared at (from the first PUT's answer to the last replica), and the lag left
     * when the last PUT was answered (until the last replica appeared).
     */
    private static void keepUp(S3Client source, S3Client target, String bucket, String dest, String prefix, long size,
                               int count, int threads) throws Exception {
        Puts p = put(source, bucket, prefix, size, count, threads);
        int atEnd = count(target, dest, prefix);
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        int seen = atEnd;
        long polls = 0;
        while (seen < count && System.nanoTime() < deadline) {
            pause(POLL_LIST);
            seen = count(target, dest, prefix);
            polls++;
        }
        long done = System.nanoTime();
        double mib = count * (double) size / (1 << 20);
        double putSeconds = p.seconds();
        double applySeconds = (done - p.firstAnswered()) / 1e9;
        System.out.printf(Locale.ROOT, "source PUT: %d x %s, %d writers: %.2f s, %.1f objects/s, %.1f MiB/s%n", count,
                human(size), threads, putSeconds, count / putSeconds, mib / putSeconds);
        System.out.printf(Locale.ROOT, "replicas at the target when the last PUT was answered: %d of %d%n", atEnd, count);
        if (seen < count) {
            System.out.printf(Locale.ROOT, "replication: only %d of %d replicas after %s%n", seen, count, MAX_WAIT);
            return;
        }
        System.out.printf(Locale.ROOT, "replication apply: %.2f s from the first PUT's answer to the last replica, "
                        + "%.1f objects/s, %.1f MiB/s; lag at the end (last PUT answered -> last replica): %.2f s (%d listings)%n",
                applySeconds, count / applySeconds, mib / applySeconds, (done - p.ended()) / 1e9, polls);
    }

    /** {@code count} single PUTs, one at a time: time from each PUT's answer until a HEAD at the target finds it. */
    private static void lag(S3Client source, S3Client target, String bucket, String dest, String prefix, long size, int count) {
        byte[] data = new byte[(int) size];
        new Random(7).nextBytes(data);
        double[] lags = new double[count];
        for (int i = 0; i < count; i++) {
            String key = prefix + String.format(Locale.ROOT, "%06d-%d", i, System.nanoTime());
            source.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(data));
            long answered = System.nanoTime();
            long deadline = answered + Duration.ofSeconds(60).toNanos();
            boolean found = false;
            while (!found && System.nanoTime() < deadline) {
                try {
                    target.headObject(h -> h.bucket(dest).key(key));
                    found = true;
                } catch (NoSuchKeyException e) {
                    pause(POLL_HEAD);
                } catch (S3Exception e) {
                    if (e.statusCode() != 404) throw e;
                    pause(POLL_HEAD);
                }
            }
            if (!found) throw new IllegalStateException(key + " did not reach the target in 60 s");
            lags[i] = (System.nanoTime() - answered) / 1e6;
        }
        double[] sorted = lags.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "lag of a single %s PUT on an idle pair, %d PUTs: median %.0f ms, p90 %.0f ms, "
                        + "min %.0f ms, max %.0f ms%n", human(size), count, sorted[count / 2],
                sorted[(int) Math.ceil(count * 0.9) - 1], sorted[0], sorted[count - 1]);
    }

    private static void pause(Duration d) {
        java.util.concurrent.locks.LockSupport.parkNanos(d.toNanos());
    }

    private static String human(long size) {
        if (size % (1 << 20) == 0) return (size >> 20) + " MiB";
        if (size % 1024 == 0) return (size >> 10) + " KiB";
        return size + " B";
    }
}
