package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Crash safety under load (issue #5): the packaged gateway runs in its own JVM under concurrent
 * PUT, DELETE and multipart (create, parts, complete) traffic from the AWS SDK, is killed with
 * SIGKILL at a random moment, restarted on the same data directory, and checked:
 * <ul>
 *   <li>every acknowledged PUT or CompleteMultipartUpload reads back byte-identical (size, ETag,
 *       SHA-256), every acknowledged DELETE is gone;</li>
 *   <li>an operation the crash interrupted either took effect completely or not at all: a visible
 *       object holds exactly one of the contents its key was given, never a torn or stale one;</li>
 *   <li>listings agree with GETs;</li>
 *   <li>at the end, after a restart with a tiny orphan grace period and a collection pass, the
 *       drives hold exactly the blobs the namespace refers to (no orphaned shards left) and no
 *       temporary shard files;</li>
 *   <li>segment compaction ran during the rounds (issue #16): the gateway gets 1 MiB segments and a
 *       pass every 200 ms, so each restart seals segments that overwrites and deletes leave mostly
 *       dead, and kills land in passes; the test fails if no version was rewritten before a kill.</li>
 * </ul>
 * Each key belongs to one worker, so its operations are sequential: a key certainly holds its last
 * acknowledged content (or nothing), plus possibly the one operation the crash cut off. A content
 * is generated from a seed (kept in the object's {@code x-amz-meta-seed}), so nothing is kept in
 * memory but seeds and part sizes.
 *
 * <p>{@code -Dstrata.crash.rounds=N} sets the number of rounds (default 5, one to two minutes here);
 * {@code -Dstrata.crash.seed=S} replays a run's random choices (kill timing still varies);
 * {@code -Dstrata.crash.compaction=false} keeps compaction from running, a negative control that
 * must make the test fail.
 */
class CrashTest {
    private static final int MIB = 1024 * 1024;
    private static final int ROUNDS = Integer.getInteger("strata.crash.rounds", 5);
    private static final long SEED = Long.getLong("strata.crash.seed", System.nanoTime());
    private static final int WORKERS = 4;
    private static final int KEYS_PER_WORKER = 12;
    private static final String PLAIN = "crash-plain";
    private static final String VERSIONED = "crash-versioned";
    private static final Pattern COLLECTED = Pattern.compile("orphan collection: .*collected=(\\d+) bytes=(\\d+)");
    /** The compactor's line at the end of a pass that rewrote something. */
    private static final Pattern COMPACTED = Pattern.compile("segment compaction: .*rewritten=(\\d+)");
    /**
     * The gateway's segment size (system property {@code strata.erasure.segment-bytes}): with the
     * default 64 MiB a round never fills one, and only full or restart-sealed segments are compacted.
     */
    private static final long SEGMENT_BYTES = 1L << 20;
    private static final boolean COMPACTION = Boolean.parseBoolean(System.getProperty("strata.crash.compaction", "true"));

    @TempDir
    Path root;

    /** The bytes of object (seed, sum of parts), split into parts (one part for a plain PUT). */
    record Content(long seed, long[] parts, boolean multipart) {
        long size() {
            long n = 0;
            for (long p : parts) n += p;
            return n;
        }

        long offset(int part) {
            long n = 0;
            for (int i = 0; i < part; i++) n += parts[i];
            return n;
        }

        InputStream part(int i) {
            try {
                InputStream in = TestData.stream(seed, offset(i) + parts[i]);
                in.skipNBytes(offset(i));
                return in;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The ETag S3 gives it: MD5 of a plain object, MD5 of the parts' MD5s and -N for multipart. */
        String etag() {
            try {
                if (!multipart) {
                    return HexFormat.of().formatHex(md5(part(0)));
                }
                MessageDigest outer = TestData.digest("MD5");
                for (int i = 0; i < parts.length; i++) outer.update(md5(part(i)));
                return HexFormat.of().formatHex(outer.digest()) + "-" + parts.length;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return (multipart ? "multipart" : "put") + "(seed=" + seed + ", size=" + size() + ")";
        }
    }

    /**
     * One key's model. {@code acked} is what it certainly holds (null: nothing); when
     * {@code pending} is set, an operation whose outcome the crash hid may also have taken effect:
     * {@code pendingContent} (null for a DELETE). Touched by its worker during load and by the test
     * thread between rounds, never both at once.
     */
    static final class KeyModel {
        final String bucket;
        final String key;
        Content acked;
        boolean pending;
        Content pendingContent;

        KeyModel(String bucket, String key) {
            this.bucket = bucket;
            this.key = key;
        }

        @Override
        public String toString() {
            return bucket + "/" + key + " acked=" + acked + (pending ? " pending=" + (pendingContent == null ? "DELETE" : pendingContent) : "");
        }
    }

    /** Totals for the report line. */
    static final class Stats {
        final AtomicLong puts = new AtomicLong();
        final AtomicLong deletes = new AtomicLong();
        final AtomicLong multiparts = new AtomicLong();
        long kills;
        long interrupted;
        long interruptedApplied;
        long checkedVisible;
        long checkedAbsent;
        /** Versions segment compaction rewrote before the kills, from the metrics read just before each. */
        long compactedBeforeKills;
        /** Kills that cut a pass off after it had rewritten versions (more counted than its end-of-pass log lines say). */
        long killsMidPass;
        /** Rounds in which compaction rewrote at least one version before the kill. */
        long roundsCompacting;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void killNineUnderConcurrentLoadKeepsEveryAcknowledgedWriteAndLeavesNoOrphans() throws Exception {
        StrataServer server = StrataServer.create(root, "-Dstrata.erasure.segment-bytes=" + SEGMENT_BYTES);
        Assumptions.assumeTrue(server.isManaged(), "kills the gateway");
        // Collection runs during the rounds too (every second, blobs older than 10 s), so marking is
        // exercised against concurrent completes, overwrites and deletes.
        server.environment("STRATA_ORPHAN_GRACE", "10s").environment("STRATA_ORPHAN_INTERVAL", "1s");
        // Compaction too: a pass every 200 ms over the segments the last restart sealed, throttled to
        // 1 MiB/s so a pass lasts long enough for kills to land in it. A round overwrites too little
        // to leave many segments half dead, so segments a quarter dead are compacted (the threshold
        // has no environment variable: a config file sets it). The negative control never lets a
        // pass run (the first would come an hour after each start).
        server.environment("STRATA_COMPACTION_INTERVAL", COMPACTION ? "200ms" : "1h")
                .environment("STRATA_COMPACTION_RATE", "1MiB")
                .environment("STRATA_CONFIG", Files.writeString(root.resolve("strata.yaml"),
                        "erasure:\n  compaction-threshold: 0.25\n").toString());
        SplittableRandom random = new SplittableRandom(SEED);
        AtomicLong seeds = new AtomicLong(random.nextLong() & 0x0000_FFFF_FFFF_FFFFL);
        List<List<KeyModel>> keysByWorker = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            List<KeyModel> keys = new ArrayList<>();
            for (int k = 0; k < KEYS_PER_WORKER; k++) {
                keys.add(new KeyModel(k % 2 == 0 ? PLAIN : VERSIONED, "w" + w + "/k" + k));
            }
            keysByWorker.add(keys);
        }
        List<KeyModel> allKeys = keysByWorker.stream().flatMap(List::stream).toList();
        Stats stats = new Stats();
        long started = System.nanoTime();
        try (server) {
            server.start();
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                s3.createBucket(b -> b.bucket(PLAIN));
                s3.createBucket(b -> b.bucket(VERSIONED));
                s3.putBucketVersioning(b -> b.bucket(VERSIONED).versioningConfiguration(v -> v.status("Enabled")));
                fillForCompaction(s3, allKeys, random, seeds, stats);
            }
            for (int round = 1; round <= ROUNDS; round++) {
                // The kill comes a random time after a random number of acknowledged operations, so it
                // lands anywhere in the requests then in flight (bounded: at most 8 s of load).
                int killAfterOps = 3 + random.nextInt(15);
                long extraMillis = random.nextLong(400);
                long acked = stats.puts.get() + stats.deletes.get() + stats.multiparts.get();
                long compacted = stats.compactedBeforeKills;
                long killAfterMillis = runLoadAndKill(server, keysByWorker, random.split(), seeds, killAfterOps, extraMillis, stats);
                long restart = System.nanoTime();
                server.start();
                long verifying = System.nanoTime();
                try (S3Client s3 = S3Clients.pathStyle(server)) {
                    verify(server, s3, allKeys, stats, "after kill #" + round + " (" + killAfterMillis + " ms into the load)");
                }
                System.out.printf("CrashTest round %d: killed %d ms into the load after %d acknowledged operations "
                                + "and %d compaction rewrites; restart %d ms, checks %d ms%n", round, killAfterMillis,
                        stats.puts.get() + stats.deletes.get() + stats.multiparts.get() - acked,
                        stats.compactedBeforeKills - compacted,
                        (verifying - restart) / 1_000_000, (System.nanoTime() - verifying) / 1_000_000);
            }
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                abortAllUploads(s3);
            }

            // Orphans: restart with no grace, let collection passes run, then compare the drives with the namespace.
            server.stop();
            int blobsBefore = blobsOnDisk(server.dataDir()).size();
            // Unthrottled, the last compaction finishes quickly, and the drives settle.
            server.environment("STRATA_ORPHAN_GRACE", "0s").environment("STRATA_COMPACTION_RATE", "0");
            server.start();
            long referenced;
            Set<String> onDisk;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                Map<String, Double> metrics = metrics(server);
                double passes = metrics.getOrDefault("strata_orphan_passes_total", 0.0);
                long listed = metrics.getOrDefault("strata_orphan_last_pass_listed_blobs", -1.0).longValue();
                referenced = metrics.getOrDefault("strata_orphan_last_pass_referenced_blobs", -1.0).longValue();
                long left = metrics.getOrDefault("strata_orphan_last_pass_young_blobs", -1.0).longValue()
                        + metrics.getOrDefault("strata_orphan_last_pass_pinned_blobs", -1.0).longValue()
                        + metrics.getOrDefault("strata_orphan_last_pass_collected_blobs", -1.0).longValue();
                onDisk = blobsOnDisk(server.dataDir());
                // A pass that found every blob on the drives referenced and had nothing to leave or
                // delete; two passes at least, since the garbage cleaner drains its queue at start,
                // concurrently with the first.
                if (passes >= 2 && left == 0 && listed == referenced && onDisk.size() == referenced) break;
                if (System.nanoTime() > deadline) {
                    fail("after " + passes + " collection passes the drives hold " + onDisk.size() + " blobs; last pass: listed "
                            + listed + ", referenced " + referenced + ", young/pinned/collected " + left
                            + "\n--- gateway output (tail) ---\n" + server.outputTail());
                }
                Thread.sleep(250);
            }
            long expectedAtMost;
            try (S3Client s3 = S3Clients.pathStyle(server)) {
                expectedAtMost = blobsVisibleThroughS3(s3);
                verify(server, s3, allKeys, stats, "after orphan collection");
            }
            assertTrue(referenced <= expectedAtMost, "namespace refers to " + referenced
                    + " blobs, more than the " + expectedAtMost + " its versions can hold");
            assertEquals(List.of(), tempFiles(server.dataDir()), "temporary shard files left");
            long[] collected = collectedFromLog(server.output());
            long compactedAtEnd = metrics(server).getOrDefault("strata_erasure_compaction_rewritten_versions_total", 0.0).longValue();
            System.out.printf("CrashTest: seed=%d rounds=%d kills=%d acked puts=%d deletes=%d multipart completes=%d; "
                            + "interrupted ops=%d (applied %d); checks: %d visible objects, %d absent keys; "
                            + "blobs on disk before the final collection %d, after %d (= referenced %d, S3 view %d); "
                            + "orphan collection over all runs: %d blobs, %d bytes; compaction: %d versions rewritten "
                            + "before the kills (in %d rounds; %d kills cut a pass off after it had rewritten some), "
                            + "%d after the last restart; %.1f s%n",
                    SEED, ROUNDS, stats.kills, stats.puts.get(), stats.deletes.get(), stats.multiparts.get(),
                    stats.interrupted, stats.interruptedApplied, stats.checkedVisible, stats.checkedAbsent,
                    blobsBefore, onDisk.size(), referenced, expectedAtMost, collected[0], collected[1],
                    stats.compactedBeforeKills, stats.roundsCompacting, stats.killsMidPass, compactedAtEnd,
                    (System.nanoTime() - started) / 1e9);
            assertTrue(stats.compactedBeforeKills > 0, "segment compaction rewrote no version before any of the "
                    + stats.kills + " kills, so the kills never tested it"
                    + (COMPACTION ? "" : " (-Dstrata.crash.compaction=false)"));
        }
    }

    /**
     * Gives every key of the unversioned bucket an object whose shards go to segment files, before
     * the first round. The rounds' objects are mostly inline or small, and half of them live in the
     * versioned bucket, where an overwrite keeps the old version alive: segments of those alone
     * would take many rounds to die enough for compaction. Segments filled here hold data that the
     * rounds' overwrites and deletes kill, so compaction has work from the first round on.
     */
    private static void fillForCompaction(S3Client s3, List<KeyModel> keys, SplittableRandom random, AtomicLong seeds,
                                          Stats stats) {
        for (KeyModel m : keys) {
            if (!m.bucket.equals(PLAIN)) continue;
            // Above the 64 KiB inline threshold, shards up to a quarter of a segment.
            Content c = new Content(seeds.incrementAndGet(), new long[] {256 * 1024 + random.nextLong(768 * 1024)}, false);
            s3.putObject(b -> b.bucket(m.bucket).key(m.key).metadata(Map.of("seed", Long.toString(c.seed()))),
                    RequestBody.fromContentProvider(() -> c.part(0), c.size(), "application/octet-stream"));
            stats.puts.incrementAndGet();
            m.acked = c;
        }
    }

    /**
     * Runs the workers until {@code killAfterOps} operations were acknowledged (or 8 s passed), waits
     * {@code extraMillis} more, then SIGKILLs the gateway and waits for the workers to notice.
     *
     * @return how long the load ran before the kill, in milliseconds
     */
    private static long runLoadAndKill(StrataServer server, List<List<KeyModel>> keysByWorker, SplittableRandom random,
                                       AtomicLong seeds, int killAfterOps, long extraMillis, Stats stats) throws Exception {
        AtomicBoolean crashing = new AtomicBoolean();
        ExecutorService executor = Executors.newFixedThreadPool(WORKERS);
        try (S3Client s3 = S3Clients.pathStyle(server)) {
            List<Future<?>> workers = new ArrayList<>();
            long began = System.nanoTime();
            long before = stats.puts.get() + stats.deletes.get() + stats.multiparts.get();
            for (List<KeyModel> keys : keysByWorker) {
                SplittableRandom own = random.split();
                workers.add(executor.submit(() -> {
                    work(s3, keys, own, seeds, crashing, stats);
                    return null;
                }));
            }
            long limit = began + TimeUnit.SECONDS.toNanos(8);
            while (stats.puts.get() + stats.deletes.get() + stats.multiparts.get() - before < killAfterOps
                    && System.nanoTime() < limit && workers.stream().noneMatch(Future::isDone)) {
                Thread.sleep(20);
            }
            Thread.sleep(extraMillis);
            long ranMillis = (System.nanoTime() - began) / 1_000_000;
            // The compaction counter rises per version rewritten; its pass logs only at its end.
            long compacted = metrics(server).getOrDefault("strata_erasure_compaction_rewritten_versions_total", 0.0).longValue();
            crashing.set(true);
            server.kill();
            stats.kills++;
            stats.compactedBeforeKills += compacted;
            if (compacted > 0) stats.roundsCompacting++;
            if (compacted > compactedInLog(server.output())) stats.killsMidPass++;
            for (Future<?> worker : workers) {
                try {
                    worker.get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError("a request failed before the kill: " + e.getCause()
                            + "\n--- gateway output (tail) ---\n" + server.outputTail(), e.getCause());
                }
            }
            return ranMillis;
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** One worker: random operations on its own keys until the crash; a failure before it is a test failure. */
    private static void work(S3Client s3, List<KeyModel> keys, SplittableRandom random, AtomicLong seeds,
                             AtomicBoolean crashing, Stats stats) {
        while (!crashing.get()) {
            KeyModel m = keys.get(random.nextInt(keys.size()));
            int dice = random.nextInt(100);
            Content target = dice < 20 ? null : content(random, seeds.incrementAndGet(), dice >= 65);
            m.pendingContent = target;
            m.pending = true;
            try {
                if (target == null) {
                    s3.deleteObject(b -> b.bucket(m.bucket).key(m.key));
                    stats.deletes.incrementAndGet();
                } else if (target.multipart()) {
                    multipart(s3, m, target);
                    stats.multiparts.incrementAndGet();
                } else {
                    s3.putObject(b -> b.bucket(m.bucket).key(m.key).metadata(Map.of("seed", Long.toString(target.seed()))),
                            RequestBody.fromContentProvider(() -> target.part(0), target.size(), "application/octet-stream"));
                    stats.puts.incrementAndGet();
                }
            } catch (RuntimeException e) {
                if (crashing.get()) {
                    return; // the kill cut this operation off: its outcome stays pending
                }
                throw new IllegalStateException("operation on " + m + " failed before the kill", e);
            }
            m.acked = target;
            m.pending = false;
            m.pendingContent = null;
        }
    }

    /** Sizes: mostly small, some across stripes; multipart: one part, or 5 MiB plus a small last part. */
    private static Content content(SplittableRandom random, long seed, boolean multipart) {
        if (multipart) {
            long last = 1 + random.nextLong(256 * 1024);
            return random.nextInt(6) == 0
                    ? new Content(seed, new long[] {5L * MIB, last}, true)
                    : new Content(seed, new long[] {last}, true);
        }
        int kind = random.nextInt(100);
        long size = kind < 5 ? 0
                : kind < 65 ? 1 + random.nextLong(64 * 1024)
                : kind < 95 ? 64 * 1024 + random.nextLong(1024 * 1024)
                : MIB + random.nextLong(2L * MIB);
        return new Content(seed, new long[] {size}, false);
    }

    private static void multipart(S3Client s3, KeyModel m, Content c) {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(m.bucket).key(m.key)
                .metadata(Map.of("seed", Long.toString(c.seed())))).uploadId();
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < c.parts().length; i++) {
            int part = i;
            String etag = s3.uploadPart(b -> b.bucket(m.bucket).key(m.key).uploadId(uploadId).partNumber(part + 1),
                    RequestBody.fromContentProvider(() -> c.part(part), c.parts()[part], "application/octet-stream")).eTag();
            completed.add(CompletedPart.builder().partNumber(part + 1).eTag(etag).build());
        }
        s3.completeMultipartUpload(b -> b.bucket(m.bucket).key(m.key).uploadId(uploadId).multipartUpload(u -> u.parts(completed)));
    }

    /**
     * Reads every key and checks it against its model, then the listings against the reads; resolves
     * every pending operation to what was found.
     */
    private static void verify(StrataServer server, S3Client s3, List<KeyModel> keys, Stats stats, String when) {
        try {
            Map<String, Map<String, String[]>> visible = new HashMap<>(); // bucket -> key -> {size, etag}
            visible.put(PLAIN, new HashMap<>());
            visible.put(VERSIONED, new HashMap<>());
            for (KeyModel m : keys) {
                Content found = read(s3, m);
                if (found != null) {
                    visible.get(m.bucket).put(m.key, new String[] {Long.toString(found.size()), found.etag()});
                    stats.checkedVisible++;
                } else {
                    stats.checkedAbsent++;
                }
                if (m.pending) {
                    stats.interrupted++;
                    if (found != m.acked) stats.interruptedApplied++;
                }
                m.acked = found;
                m.pending = false;
                m.pendingContent = null;
            }
            for (String bucket : List.of(PLAIN, VERSIONED)) {
                Map<String, String[]> listed = new HashMap<>();
                for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).maxKeys(7)).contents()) {
                    listed.put(o.key(), new String[] {Long.toString(o.size()), unquote(o.eTag())});
                }
                assertEquals(describe(visible.get(bucket)), describe(listed), "listing of " + bucket + " vs GETs " + when);
            }
        } catch (Throwable e) {
            throw new AssertionError(when + ": " + e.getMessage() + "\n--- gateway output (tail) ---\n" + server.outputTail(), e);
        }
    }

    /**
     * GETs the key and checks the object against the contents its model allows; returns the content
     * found (one of the model's own instances) or null if the key has no object.
     */
    private static Content read(S3Client s3, KeyModel m) throws IOException {
        List<Content> allowed = new ArrayList<>();
        boolean absentAllowed = m.acked == null || m.pending && m.pendingContent == null;
        if (m.acked != null) allowed.add(m.acked);
        if (m.pending && m.pendingContent != null) allowed.add(m.pendingContent);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(m.bucket).key(m.key), ResponseTransformer.toInputStream())) {
            GetObjectResponse r = in.response();
            String seed = r.metadata().get("seed");
            Content c = allowed.stream().filter(a -> Long.toString(a.seed()).equals(seed)).findFirst().orElse(null);
            if (c == null) {
                fail(m + ": visible object with seed " + seed + " and " + r.contentLength() + " bytes is none of the allowed contents");
            }
            assertEquals(c.size(), r.contentLength().longValue(), "size of " + m);
            assertEquals(c.etag(), unquote(r.eTag()), "ETag of " + m);
            assertEquals(TestData.sha256(c.seed(), c.size()), TestData.sha256(in), "bytes of " + m);
            return c;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw e;
            if (!absentAllowed) fail(m + ": acknowledged object is gone (" + e.awsErrorDetails().errorCode() + ")");
            return null;
        }
    }

    private static Map<String, String> describe(Map<String, String[]> objects) {
        Map<String, String> out = new java.util.TreeMap<>();
        objects.forEach((k, v) -> out.put(k, v[0] + " " + v[1]));
        return out;
    }

    private static void abortAllUploads(S3Client s3) {
        for (String bucket : List.of(PLAIN, VERSIONED)) {
            for (var u : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads()) {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
            }
        }
    }

    /** Hot blobs the stored versions can hold: one per part of every non-empty version (fewer if some are inline). */
    private static long blobsVisibleThroughS3(S3Client s3) {
        long n = 0;
        for (String bucket : List.of(PLAIN, VERSIONED)) {
            for (ObjectVersion v : s3.listObjectVersionsPaginator(b -> b.bucket(bucket)).versions()) {
                if (v.size() == 0) continue;
                String etag = unquote(v.eTag());
                int dash = etag.indexOf('-');
                n += dash < 0 ? 1 : Integer.parseInt(etag.substring(dash + 1));
            }
        }
        return n;
    }

    private static final Pattern SHARD_FILE = Pattern.compile("([0-9a-f]{32})\\.\\d+");

    /**
     * Distinct blob ids with at least one committed shard file or live segment record on any
     * drive. Segment records are read here from the files alone (the format in erasure-store's
     * README), as any scanner of a drive could: shard records not hidden by a tombstone.
     */
    static Set<String> blobsOnDisk(Path dataDir) throws IOException {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> drives = Files.list(dataDir.resolve("drives"))) {
            for (Path drive : drives.toList()) {
                ids.addAll(liveSegmentBlobs(drive.resolve("segments")));
                Path blobs = drive.resolve("blobs");
                if (!Files.isDirectory(blobs)) continue;
                try (Stream<Path> walk = Files.walk(blobs)) {
                    walk.filter(Files::isRegularFile).forEach(p -> {
                        Matcher matcher = SHARD_FILE.matcher(p.getFileName().toString());
                        if (matcher.matches()) ids.add(matcher.group(1));
                    });
                }
            }
        }
        return ids;
    }

    /** Blob ids of the live shard records in one drive's segment files. */
    private static Set<String> liveSegmentBlobs(Path dir) throws IOException {
        Map<String, String> shards = new HashMap<>(); // "segment/offset" -> blob id
        Set<String> tombstoned = new HashSet<>();
        if (!Files.isDirectory(dir)) return Set.of();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".seg")).toList()) {
                String segment = String.valueOf(HexFormat.fromHexDigitsToLong(file.getFileName().toString().substring(0, 16)));
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                    long at = 64; // after the segment header; record headers only, bodies are skipped
                    while (true) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
                        int n = ch.read(b, at);
                        if (n < 28 || b.getInt(0) != 0x53545352) break; // "STSR"; zeros end a segment
                        int headerLength = b.getInt(8);
                        int bodyLength = b.getInt(12);
                        if (headerLength < 28 || headerLength > n || at + (long) headerLength + bodyLength > ch.size()) break;
                        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                        crc.update(b.array(), 0, headerLength - 4);
                        if (b.getInt(headerLength - 4) != (int) crc.getValue()) break; // torn tail
                        int type = b.get(6);
                        if (type == 1) {
                            // the shard header follows the 24 fixed bytes; its blob id is at +26 in it
                            shards.put(segment + "/" + at, HexFormat.of().formatHex(b.array(), 24 + 26, 24 + 42));
                        } else if (type == 2) {
                            tombstoned.add(b.getLong(42) + "/" + b.getLong(50));
                        }
                        at += headerLength + bodyLength;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // deleted while we listed: nothing live in it
                }
            }
        }
        Set<String> ids = new HashSet<>();
        shards.forEach((where, id) -> {
            if (!tombstoned.contains(where)) ids.add(id);
        });
        return ids;
    }

    private static List<String> tempFiles(Path dataDir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> drives = Files.list(dataDir.resolve("drives"))) {
            for (Path drive : drives.toList()) {
                Path tmp = drive.resolve("tmp");
                if (!Files.isDirectory(tmp)) continue;
                try (Stream<Path> files = Files.list(tmp)) {
                    files.forEach(p -> out.add(p.toString()));
                }
            }
        }
        return out;
    }

    /** The gateway's Prometheus counters and gauges without labels. */
    private static Map<String, Double> metrics(StrataServer server) throws IOException, InterruptedException {
        Map<String, Double> out = new HashMap<>();
        for (String line : server.metrics().split("\n")) {
            if (line.startsWith("#") || line.contains("{")) continue;
            String[] parts = line.trim().split(" ");
            if (parts.length == 2) out.put(parts[0], Double.parseDouble(parts[1]));
        }
        return out;
    }

    /** Versions the compactor's end-of-pass lines report since the gateway's last start. */
    private static long compactedInLog(String log) {
        Matcher m = COMPACTED.matcher(log.substring(Math.max(0, log.lastIndexOf("=== start #"))));
        long total = 0;
        while (m.find()) total += Long.parseLong(m.group(1));
        return total;
    }

    /** Blobs and bytes the orphan collector reported collecting, over every start of the gateway. */
    private static long[] collectedFromLog(String log) {
        long[] total = new long[2];
        Matcher m = COLLECTED.matcher(log);
        while (m.find()) {
            total[0] += Long.parseLong(m.group(1));
            total[1] += Long.parseLong(m.group(2));
        }
        return total;
    }

    private static byte[] md5(InputStream in) throws IOException {
        try (in) {
            MessageDigest digest = TestData.digest("MD5");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) digest.update(buffer, 0, n);
            return digest.digest();
        }
    }

    private static String unquote(String etag) {
        return etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1) : etag;
    }
}
