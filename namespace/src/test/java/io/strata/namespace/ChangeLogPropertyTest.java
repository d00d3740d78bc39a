package io.strata.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.namespace.ChangeEntry.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: every committed mutation appears in the change log exactly once, in commit order, and a
 * refused or no-op mutation appends nothing. Several threads run seeded random mutations at once
 * over shared buckets (so sequences are handed out concurrently); each thread owns its keys, config
 * kind and scratch bucket, so its own mutations, which it commits one after another, must appear in
 * its program order.
 */
class ChangeLogPropertyTest {
    private static final long SEED = 0x5EED_C4A9_6E10L;
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 800;
    private static final List<BucketName> SHARED = List.of(new BucketName("shared-u"), new BucketName("shared-v"),
            new BucketName("shared-m"));
    private static final BucketName MISSING = new BucketName("missing-bucket");

    @TempDir
    Path dir;

    /** Every call a new instant: delete markers of one key never share a time, so identities are unique. */
    static final class TickingClock extends Clock {
        private final AtomicLong nanos = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            long n = nanos.addAndGet(1_000);
            return Instant.ofEpochSecond(n / 1_000_000_000L, n % 1_000_000_000L);
        }
    }

    private static String identity(Kind kind, BucketName bucket, Optional<ChangeEntry.VersionRef> v, String detail) {
        return kind + "|" + bucket.value() + "|" + detail + v.map(r -> "|" + r.key().value() + "|" + r.versionId() + "|"
                + r.deleteMarker() + "|" + r.lastModified() + "|" + r.etag() + "|" + r.size()).orElse("");
    }

    private static String identity(ChangeEntry e) {
        return identity(e.kind(), e.bucket(), e.version(), e.detail());
    }

    private static String identity(Kind kind, ObjectVersion v) {
        return identity(kind, v, "");
    }

    private static String identity(Kind kind, ObjectVersion v, String detail) {
        return identity(kind, v.bucket(), Optional.of(ChangeEntry.VersionRef.of(v)), detail);
    }

    /** One thread's random mutations; {@link #expected} is what each committed one must log, in order. */
    private static final class Worker {
        final int id;
        final Namespace ns;
        final Random random;
        final List<String> expected = new ArrayList<>();
        final BucketName scratch;
        boolean scratchExists;
        boolean suspended;
        int n;

        Worker(int id, Namespace ns) {
            this.id = id;
            this.ns = ns;
            this.random = new Random(SEED + id);
            this.scratch = new BucketName("scratch-" + id);
        }

        ObjectKey key() {
            return new ObjectKey("t" + id + "/k" + random.nextInt(6));
        }

        BucketName bucket() {
            return SHARED.get(random.nextInt(SHARED.size()));
        }

        ObjectVersion newVersion(BucketName b, ObjectKey k, Segment segment, int parts) {
            return new ObjectVersion(b, k, ObjectVersion.NULL_VERSION, segment.size(), "t" + id + "-" + (++n),
                    Instant.parse("2025-01-01T00:00:00Z"), "binary/octet-stream", Map.of(), Map.of(), Map.of(), parts,
                    List.of(segment));
        }

        Segment segment() {
            return new Segment(10, ("t" + id + "-blob-" + (++n)).getBytes(StandardCharsets.UTF_8));
        }

        void logDelete(DeleteResult r) {
            logDelete(r, "");
        }

        /** {@code detail}: who deleted ({@link ChangeEntry#LIFECYCLE} for lifecycle's compare-and-delete). */
        void logDelete(DeleteResult r, String detail) {
            if (r.marker().isPresent()) {
                expected.add(identity(Kind.DELETE_MARKER_PUT, r.marker().get(), detail));
            } else if (r.removed().isPresent()) {
                expected.add(identity(Kind.VERSION_DELETED, r.removed().get(), detail));
            }
        }

        List<ObjectVersion> versionsOf(BucketName b, ObjectKey k) {
            return ns.listVersions(b, new VersionQuery(k.value(), "", "", "", 100)).versions().stream()
                    .map(VersionPage.Entry::version).filter(v -> v.key().equals(k)).toList();
        }

        void step() {
            BucketName b = bucket();
            ObjectKey k = key();
            switch (random.nextInt(12)) {
                case 0, 1, 2 -> expected.add(identity(Kind.VERSION_PUT,
                        ns.putObject(newVersion(b, k, segment(), 0)).version()));
                case 3 -> logDelete(ns.deleteObject(b, k));
                case 4 -> {
                    List<ObjectVersion> all = versionsOf(b, k);
                    if (all.isEmpty()) return;
                    ObjectVersion target = all.get(random.nextInt(all.size()));
                    ns.deleteVersion(b, k, target.versionId())
                            .ifPresent(v -> expected.add(identity(Kind.VERSION_DELETED, v)));
                }
                case 5 -> {
                    Optional<ObjectVersion> current = ns.object(b, k);
                    if (current.isEmpty()) return;
                    ObjectVersion replacement = current.get().withHeaders(Map.of("x-strata-tagging", "n=" + (++n)));
                    if (ns.replaceVersion(current.get(), replacement)) {
                        expected.add(identity(Kind.VERSION_METADATA, replacement));
                    }
                    // Stale now: refused, logs nothing.
                    ns.replaceVersion(current.get(), current.get().withHeaders(Map.of("x", "y")));
                }
                case 6 -> {
                    Optional<ObjectVersion> latest = ns.latest(b, k);
                    if (latest.isEmpty()) return;
                    ObjectVersion seen = latest.get();
                    if (random.nextBoolean()) {
                        // Overwritten after the read, as between lifecycle's listing and its delete: refused.
                        expected.add(identity(Kind.VERSION_PUT, ns.putObject(newVersion(b, k, segment(), 0)).version()));
                        ns.deleteObjectIf(seen).ifPresent(r -> {
                            throw new AssertionError("a stale expectation deleted " + r);
                        });
                    } else {
                        ns.deleteObjectIf(seen).ifPresent(r -> logDelete(r, ChangeEntry.LIFECYCLE));
                    }
                }
                case 7 -> {
                    String uploadId = "t" + id + "-u" + (++n);
                    ns.createUpload(new MultipartUpload(b, k, uploadId, Instant.parse("2025-01-01T00:00:00Z"),
                            "owner", "text/plain", Map.of(), Map.of(), ""));
                    Segment s = segment();
                    ns.putPart(b, k, uploadId, new Part(1, s.size(), "p", Instant.parse("2025-01-01T00:00:00Z"),
                            Map.of(), s));
                    if (random.nextInt(4) == 0) {
                        ns.abortUpload(b, k, uploadId);
                    } else {
                        expected.add(identity(Kind.VERSION_PUT, ns.completeUpload(uploadId, newVersion(b, k, s, 1)).version()));
                    }
                }
                case 8 -> {
                    String kind = "cfg-" + id;
                    if (random.nextBoolean()) {
                        ns.putBucketConfig(b, kind, new byte[] {(byte) n});
                        expected.add(identity(Kind.BUCKET_CONFIG_PUT, b, Optional.empty(), kind));
                    } else if (ns.deleteBucketConfig(b, kind)) {
                        expected.add(identity(Kind.BUCKET_CONFIG_DELETED, b, Optional.empty(), kind));
                    }
                }
                case 9 -> {
                    if (scratchExists) {
                        ns.deleteBucket(scratch);
                        expected.add(identity(Kind.BUCKET_DELETED, scratch, Optional.empty(), ""));
                    } else {
                        ns.createBucket(new Bucket(scratch, Instant.EPOCH, "us-east-1", "owner"));
                        expected.add(identity(Kind.BUCKET_CREATED, scratch, Optional.empty(), ""));
                    }
                    scratchExists = !scratchExists;
                }
                case 10 -> {
                    Optional<ObjectVersion> current = ns.object(b, k);
                    if (current.isEmpty()) return;
                    ObjectVersion moved = new ObjectVersion(b, k, current.get().versionId(), current.get().size(),
                            current.get().etag(), current.get().lastModified(), current.get().contentType(),
                            current.get().headers(), current.get().userMetadata(), current.get().checksums(),
                            current.get().partCount(), List.of(segment()));
                    if (ns.relocateVersion(current.get(), moved, OptionalLong.empty())) {
                        expected.add(identity(Kind.VERSION_RELOCATED, moved));
                    }
                }
                default -> refusedOrVersioning();
            }
        }

        /** Refused mutations (nothing logged); thread 0 also flips shared-m between ENABLED and SUSPENDED. */
        void refusedOrVersioning() {
            if (id == 0 && random.nextBoolean()) {
                BucketVersioning state = suspended ? BucketVersioning.ENABLED : BucketVersioning.SUSPENDED;
                ns.setVersioning(SHARED.get(2), state);
                suspended = !suspended;
                expected.add(identity(Kind.BUCKET_VERSIONING, SHARED.get(2), Optional.empty(), state.name()));
                ns.setVersioning(SHARED.get(2), state); // the same state again: a no-op
                return;
            }
            expectRefusal(() -> ns.putObject(newVersion(MISSING, key(), segment(), 0)));
            expectRefusal(() -> ns.createBucket(new Bucket(bucket(), Instant.EPOCH, "us-east-1", "owner")));
            expectRefusal(() -> ns.deleteBucket(bucket()));
            expectRefusal(() -> ns.completeUpload("no-such-upload", newVersion(bucket(), key(), segment(), 1)));
            ns.deleteObject(SHARED.getFirst(), new ObjectKey("t" + id + "/never-written"));
        }

        private static void expectRefusal(Runnable r) {
            try {
                r.run();
            } catch (NamespaceException expected) {
                return;
            }
            throw new AssertionError("mutation was not refused");
        }
    }

    @Test
    void everyCommittedMutationIsLoggedOnceInCommitOrder() throws Exception {
        try (RocksDbNamespace ns = RocksDbNamespace.open(dir.resolve("ns"), new RocksDbNamespace.Settings(16L << 20, false),
                new TickingClock(), ChangeLogLimits.DEFAULT)) {
            ChangeFeed feed = ns.changeFeed();
            feed.registerCursor("test"); // keeps every entry from the background trims
            List<String> setup = new ArrayList<>();
            for (BucketName b : SHARED) {
                ns.createBucket(new Bucket(b, Instant.EPOCH, "us-east-1", "owner"));
                setup.add(identity(Kind.BUCKET_CREATED, b, Optional.empty(), ""));
            }
            for (BucketName b : SHARED.subList(1, 3)) {
                ns.setVersioning(b, BucketVersioning.ENABLED);
                setup.add(identity(Kind.BUCKET_VERSIONING, b, Optional.empty(), "ENABLED"));
            }
            for (BucketName b : SHARED) {
                // Never deleted: shared buckets stay non-empty, so deleting one is always refused.
                ObjectVersion keep = new ObjectVersion(b, new ObjectKey("keep"), "null", 0, "keep", Instant.EPOCH,
                        "binary/octet-stream", Map.of(), Map.of(), Map.of(), 0, List.of());
                setup.add(identity(Kind.VERSION_PUT, ns.putObject(keep).version()));
            }

            List<Worker> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) workers.add(new Worker(t, ns));
            // Half the workers on virtual threads: their commits go through the namespace's writer threads.
            ExecutorService platform = Executors.newFixedThreadPool(THREADS);
            ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Worker w : workers) {
                    done.add((w.id % 2 == 0 ? platform : virtual).submit(() -> {
                        for (int i = 0; i < OPS_PER_THREAD; i++) w.step();
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(5, TimeUnit.MINUTES);
            } finally {
                platform.shutdownNow();
                virtual.shutdownNow();
            }

            List<ChangeEntry> log = new ArrayList<>();
            long after = 0;
            ChangePage page;
            do {
                page = feed.changes(after, 500);
                log.addAll(page.entries());
                after = page.nextAfter();
            } while (page.more());

            for (int i = 1; i < log.size(); i++) {
                assertTrue(log.get(i).sequence() > log.get(i - 1).sequence(), "sequences increase");
            }
            List<String> logged = log.stream().map(ChangeLogPropertyTest::identity).toList();
            assertEquals(setup, logged.subList(0, setup.size()));
            Map<String, Integer> owner = new HashMap<>();
            int total = setup.size();
            for (Worker w : workers) {
                for (String id : w.expected) owner.put(id, w.id);
                total += w.expected.size();
            }
            assertTrue(total > THREADS * OPS_PER_THREAD / 2, "enough committed mutations: " + total);
            assertEquals(total, logged.size(), "one entry per committed mutation");
            for (Worker w : workers) {
                Set<String> mine = new HashSet<>(w.expected);
                List<String> inLog = logged.subList(setup.size(), logged.size()).stream().filter(mine::contains).toList();
                assertEquals(w.expected, inLog, "thread " + w.id + "'s mutations, once each, in its commit order");
            }
            Set<String> known = new HashSet<>(setup);
            known.addAll(owner.keySet());
            assertEquals(List.of(), logged.stream().filter(id -> !known.contains(id)).toList(), "no unexplained entry");
        }
    }
}
