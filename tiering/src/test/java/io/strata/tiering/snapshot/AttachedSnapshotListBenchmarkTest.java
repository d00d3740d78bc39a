package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.namespace.ListPage;
import io.strata.namespace.ListQuery;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * First LIST on a freshly attached snapshot of 10^6 versions (500,000 keys, two versions each),
 * written straight into a repository with the exporter's range writer (range files as an export
 * makes them; no data objects: listing never reads them), on a local directory and on s3proxy:
 * the time to attach (read and check the root) and answer the first ListObjectsV2 page, a page in
 * the middle of the key space, and a ListObjectVersions page, each with an empty cache. A
 * measurement, not a check: it runs only with {@code -Dstrata.bench=true} and prints its figures.
 */
class AttachedSnapshotListBenchmarkTest {
    private static final int KEYS = 500_000;
    private static final int VERSIONS_PER_KEY = 2;

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        assumeTrue(Boolean.getBoolean("strata.bench"), "a measurement: run with -Dstrata.bench=true");
        S3ProxyServer s3 = S3ProxyServer.startOnDisk(Files.createDirectories(dir.resolve("s3proxy")));
        for (String target : List.of("local", "s3proxy")) {
            SnapshotRepository repo = target.equals("local") ? LocalDirectoryRepository.create(dir.resolve("repo")) : s3.newRepository();
            long t0 = System.nanoTime();
            SnapshotLocator locator = generate(repo);
            System.out.printf("%s: wrote %,d versions in %.1f s%n", target, (long) KEYS * VERSIONS_PER_KEY, (System.nanoTime() - t0) / 1e9);
            for (int run = 0; run < 3; run++) {
                SnapshotCache cache = SnapshotCache.open(dir.resolve("cache-" + target + "-" + run), 10L << 30);
                long start = System.nanoTime();
                AttachedSnapshot att = AttachedSnapshot.open("big", repo, locator, Optional.empty(), cache);
                long opened = System.nanoTime();
                ListPage first = att.list(new ListQuery("", "", "", 1000));
                long listed = System.nanoTime();
                ListPage middle = att.list(new ListQuery("", "", "k0250000", 1000));
                long middleListed = System.nanoTime();
                VersionPage versions = att.listVersions(new VersionQuery("", "/", "k0400000", "", 1000));
                long versionsListed = System.nanoTime();
                assertEquals(1000, first.objects().size());
                assertEquals(1000, middle.objects().size());
                assertEquals(1000, versions.versions().size());
                System.out.printf("%s run %d: %d ranges; attach %.0f ms, first ListObjectsV2 page %.0f ms (attach + list %.0f ms), "
                                + "a page at the middle %.0f ms, a ListObjectVersions page %.0f ms; %,d bytes fetched%n",
                        target, run, att.source().ranges().size(), (opened - start) / 1e6, (listed - opened) / 1e6,
                        (listed - start) / 1e6, (middleListed - listed) / 1e6, (versionsListed - middleListed) / 1e6,
                        cache.fetchedBytes());
            }
            repo.close();
        }
        s3.stop();
    }

    /** The repository's marker, one bucket's range files and its root, as an export writes them. */
    private SnapshotLocator generate(SnapshotRepository repo) throws Exception {
        String marker = SnapshotFormat.marker();
        putDocument(repo, SnapshotFormat.MARKER, marker.getBytes(StandardCharsets.UTF_8));
        Path work = Files.createTempDirectory(dir, "work");
        List<SnapshotRoot.RangeRef> ranges;
        Instant base = Instant.parse("2026-12-06T10:00:00Z");
        try (RangeWriter writer = new RangeWriter(repo, work, 12, 65_536, List.of(), new RangeWriter.Listener() {
            @Override
            public boolean creating(String path) {
                return true;
            }

            @Override
            public void finished(SnapshotRoot.RangeRef range, boolean created, String lastKey, String lastVersionId) {
            }
        })) {
            for (int k = 0; k < KEYS; k++) {
                String key = String.format("k%07d", k);
                for (int v = 0; v < VERSIONS_PER_KEY; v++) {
                    // Newest first within a key; a newer version's id sorts before an older one's.
                    String id = String.format("%016x%016x", Long.MAX_VALUE - (long) k * VERSIONS_PER_KEY - (VERSIONS_PER_KEY - 1 - v), k);
                    writer.add(new SnapshotEntry(key, id, false, base.plusSeconds(k).minusMillis(v), 1000 + v,
                            "0123456789abcdef0123456789abcdef", "application/octet-stream", Map.of(), Map.of(), Map.of(),
                            List.of(), List.of(), Optional.of(new SnapshotEntry.InRepository(id, SnapshotFormat.dataPath("big", key, id)))));
                }
            }
            ranges = writer.finish();
        }
        String id = "20261206T100000Z-0badcafe";
        SnapshotRoot root = new SnapshotRoot(SnapshotFormat.MAJOR, SnapshotFormat.MINOR, id, Optional.empty(), 1, base, true,
                List.of(new SnapshotRoot.BucketRoot("big", base, "us-east-1", "owner", "ENABLED", Map.of(), ranges)), Map.of());
        byte[] bytes = root.encode().getBytes(StandardCharsets.UTF_8);
        putDocument(repo, SnapshotFormat.rootPath(id), bytes);
        return new SnapshotLocator(repo.location(), id, SnapshotFormat.sha256Hex(bytes));
    }

    private static void putDocument(SnapshotRepository repo, String path, byte[] bytes) throws Exception {
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        repo.putIfAbsent(path, (o, l) -> new ByteArrayInputStream(bytes, (int) o, (int) l),
                SnapshotRepository.Spec.document(bytes.length, "application/json", md5));
    }
}
