package io.strata.tiering.snapshot;

import static io.strata.tiering.snapshot.SnapshotFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceView;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.TierMover;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export then read back, against one repository implementation per subclass: round trip of every
 * kind of version, incremental cost, point in time, cold references, and the reader's refusals.
 */
abstract class SnapshotExportContractTest {
    private static final BucketName PHOTOS = new BucketName("photos");
    private static final BucketName PLAIN = new BucketName("plain");

    @TempDir
    Path dir;
    SnapshotFixture fx;
    SnapshotRepository repo;
    Path work;

    abstract SnapshotRepository createRepository() throws Exception;

    @BeforeEach
    void open() throws Exception {
        fx = new SnapshotFixture(dir.resolve("source"));
        repo = createRepository();
        work = Files.createDirectories(dir.resolve("work"));
    }

    @AfterEach
    void close() {
        repo.close();
        fx.close();
    }

    private SnapshotExporter exporter(SnapshotExporter.Options options) {
        return new SnapshotExporter(repo, fx.data, work, options);
    }

    SnapshotExporter.Result export(SnapshotExporter.Options options, Optional<String> parent) {
        return exporter(options).snapshot(fx.namespace, List.of(), parent);
    }

    private static SnapshotFixture.Extra extra(Map<String, String> headers, ChecksumAlgorithm a, boolean composite,
                                               boolean inline, String mtime) {
        return new SnapshotFixture.Extra(headers, Map.of("camera", "x100"), a, composite, inline, Instant.parse(mtime));
    }

    private List<ObjectVersion> live(BucketName bucket) {
        List<ObjectVersion> out = new ArrayList<>();
        for (VersionPage.Entry e : fx.namespace.listVersions(bucket, new VersionQuery("", "", "", "", 1000)).versions()) {
            out.add(e.version());
        }
        return out;
    }

    private List<SnapshotEntry> entries(SnapshotReader reader, String bucket) {
        List<SnapshotEntry> out = new ArrayList<>();
        reader.forEachEntry(bucket, out::add);
        return out;
    }

    private byte[] original(ObjectVersion v) throws Exception {
        try (InputStream in = fx.data.open(v, 0, v.size())) {
            return in.readAllBytes();
        }
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    private SnapshotReader reader(SnapshotExporter.Result r) {
        return SnapshotReader.open(repo, SnapshotLocator.parse(r.locator().toString()), work);
    }

    private long repositoryObjects() {
        AtomicLong n = new AtomicLong();
        repo.list("", p -> n.incrementAndGet());
        return n.get();
    }

    /** Replaces an object's bytes behind the repository's back (what damage or an attacker does). */
    private void replace(String path, byte[] bytes) {
        repo.delete(path);
        repo.putIfAbsent(path, (o, l) -> new ByteArrayInputStream(bytes, (int) o, (int) l), new SnapshotRepository.Spec(
                bytes.length, List.of(), "application/octet-stream", Map.of(), Optional.empty(), Map.of(), List.of()));
    }

    void fillPhotos() throws Exception {
        fx.bucket("photos");
        fx.namespace.setVersioning(PHOTOS, BucketVersioning.ENABLED);
        fx.namespace.putBucketConfig(PHOTOS, "policy", "{\"Version\":\"2012-10-17\"}".getBytes());
        fx.put("photos", "k1", extra(Map.of("x-amz-tagging", "a=1&b=2", "cache-control", "no-cache"),
                ChecksumAlgorithm.CRC32, false, false, "2026-12-06T10:00:00.123456789Z"), bytes(1, 1000));
        fx.put("photos", "k1", extra(Map.of(), ChecksumAlgorithm.CRC64NVME, false, false, "2026-12-06T10:00:01Z"),
                bytes(2, 70_000));
        fx.namespace.deleteObject(PHOTOS, new ObjectKey("k1"));
        fx.put("photos", "big/composite", extra(Map.of("x-amz-checksum-type", "COMPOSITE"), ChecksumAlgorithm.CRC32C,
                true, false, "2026-12-06T10:00:02Z"), bytes(3, (5 << 20) + 100), bytes(4, 70_000));
        fx.put("photos", "big/plain", extra(Map.of(), null, false, false, "2026-12-06T10:00:03Z"),
                bytes(5, 5 << 20), bytes(6, 1234));
        fx.put("photos", "tiny", extra(Map.of(), ChecksumAlgorithm.SHA256, false, true, "2026-12-06T10:00:04Z"),
                bytes(7, 10));
        fx.put("photos", "empty", extra(Map.of(), null, false, true, "2026-12-06T10:00:05Z"), new byte[0]);
        fx.put("photos", "a//b", extra(Map.of(), null, false, true, "2026-12-06T10:00:06Z"), bytes(8, 100));
        fx.put("photos", "dir/", extra(Map.of(), null, false, true, "2026-12-06T10:00:07Z"), new byte[0]);
        fx.bucket("plain");
        fx.put("plain", "x", extra(Map.of(), null, false, false, "2026-12-06T10:00:08Z"), bytes(9, 3000));
        fx.put("plain", "x", extra(Map.of(), ChecksumAlgorithm.SHA1, false, false, "2026-12-06T10:00:09Z"), bytes(10, 4000));
    }

    @Test
    void everyVersionReadsBackWithItsRecordAndBytes() throws Exception {
        fillPhotos();
        SnapshotExporter.Result r = export(SnapshotExporter.Options.DEFAULT, Optional.empty());
        SnapshotReader reader = reader(r);
        assertEquals(List.of("photos", "plain"), reader.root().buckets().stream().map(SnapshotRoot.BucketRoot::name).toList());
        assertEquals("ENABLED", reader.root().bucket("photos").orElseThrow().versioning());
        assertArrayEquals("{\"Version\":\"2012-10-17\"}".getBytes(),
                reader.root().bucket("photos").orElseThrow().configs().get("policy"));
        assertTrue(reader.root().selfContained());
        long versions = 0;
        for (BucketName bucket : List.of(PHOTOS, PLAIN)) {
            List<ObjectVersion> expected = live(bucket);
            List<SnapshotEntry> got = entries(reader, bucket.value());
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < expected.size(); i++) {
                ObjectVersion v = expected.get(i);
                SnapshotEntry e = got.get(i);
                String what = bucket + "/" + v.key() + " " + v.versionId();
                assertEquals(v.key().value(), e.key(), what);
                assertEquals(v.versionId(), e.versionId(), what);
                assertEquals(v.deleteMarker(), e.deleteMarker(), what);
                assertEquals(v.lastModified(), e.lastModified(), what);
                versions++;
                if (v.deleteMarker()) continue;
                assertEquals(v.size(), e.size(), what);
                assertEquals(v.etag(), e.etag(), what);
                assertEquals(v.contentType(), e.contentType(), what);
                assertEquals(v.headers(), e.headers(), what);
                assertEquals(v.attributes(), e.attributes(), what);
                assertEquals(v.userMetadata(), e.userMetadata(), what);
                assertEquals(v.checksums(), e.checksums(), what);
                assertEquals(v.partChecksums(), e.partChecksums(), what);
                assertEquals(v.partCount(), e.partSizes().size(), what);
                assertArrayEquals(original(v), readAll(reader.open(e)), what);
            }
        }
        assertEquals(10, versions);
        assertEquals(9, r.dataUploaded(), "every version but the delete marker");
        // A verification tells how far it has got after each range file; its last word is the report.
        List<SnapshotReader.VerifyReport> seen = new ArrayList<>();
        SnapshotReader.VerifyReport report = reader.verify(1.0, 1, seen::add);
        assertTrue(report.ok());
        long ranges = reader.root().buckets().stream().mapToLong(b -> b.ranges().size()).sum();
        assertEquals(ranges, seen.size());
        for (int i = 0; i < seen.size(); i++) assertEquals(i + 1, seen.get(i).rangesChecked());
        assertEquals(report, seen.getLast());
    }

    /** Keys of the incremental test: the 10,000 on a local repository, fewer where each upload is a request. */
    protected int incrementalKeys() {
        return 10_000;
    }

    @Test
    void aSecondSnapshotAfterOnePercentChangedUploadsExactlyTheChangedVersionsAndFewRanges() throws Exception {
        fx.bucket("plain");
        int n = incrementalKeys();
        for (int i = 0; i < n; i++) {
            fx.put("plain", String.format("k%05d", i), extra(Map.of(), null, false, true, "2026-12-06T10:00:00Z"),
                    bytes(i, 64));
        }
        // About 4,096 keys per range (the default) for 10,000 keys, 64 for 1,000: a few ranges either way.
        SnapshotExporter.Options options = n >= 10_000 ? SnapshotExporter.Options.DEFAULT
                : new SnapshotExporter.Options(false, 6, 65_536);
        SnapshotExporter.Result first = export(options, Optional.empty());
        assertEquals(n, first.dataUploaded());
        int ranges = first.root().bucket("plain").orElseThrow().ranges().size();
        assertTrue(ranges >= 2, "ranges: " + ranges);
        long before = repositoryObjects();

        // 1% of the keys, a run in the middle of the key space (a new day's shards, say).
        int changed = 0;
        for (int i = n / 2; i < n / 2 + n / 100; i++, changed++) {
            fx.put("plain", String.format("k%05d", i), extra(Map.of(), null, false, true, "2026-12-06T11:00:00Z"),
                    bytes(100_000 + i, 64));
        }
        assertEquals(n / 100, changed);
        SnapshotExporter.Result second = export(options, Optional.of(first.root().snapshot()));
        assertEquals(changed, second.dataUploaded(), "exactly the changed versions");
        assertEquals(n - changed, second.dataReused());
        assertEquals(0, second.dataAlreadyPresent());
        assertTrue(second.rangesUploaded() >= 1 && second.rangesUploaded() <= 2,
                "ranges uploaded: " + second.rangesUploaded() + " of " + ranges);
        assertEquals(second.root().bucket("plain").orElseThrow().ranges().size(),
                second.rangesUploaded() + second.rangesReused());
        assertEquals(before + changed + second.rangesUploaded() + 1, repositoryObjects(), "data, ranges, one root");

        SnapshotExporter.Result third = export(options, Optional.of(second.root().snapshot()));
        assertEquals(0, third.dataUploaded());
        assertEquals(0, third.rangesUploaded());
        SnapshotReader reader = reader(second);
        List<SnapshotEntry> got = entries(reader, "plain");
        assertEquals(n, got.size());
        assertArrayEquals(bytes(100_000 + n / 2, 64), readAll(reader.open(got.get(n / 2))), "a changed key, as changed");
        assertArrayEquals(bytes(n / 2 - 1, 64), readAll(reader.open(got.get(n / 2 - 1))), "an unchanged key");
    }

    @Test
    void writesAfterTheCheckpointAreNotInTheSnapshot() throws Exception {
        fx.bucket("plain");
        fx.put("plain", "before", extra(Map.of(), null, false, false, "2026-12-06T10:00:00Z"), bytes(1, 5000));
        Path checkpoint = dir.resolve("checkpoint");
        fx.namespace.checkpoint("snapshot:test", checkpoint);
        fx.put("plain", "before", extra(Map.of(), null, false, false, "2026-12-06T10:00:01Z"), bytes(2, 5000));
        fx.put("plain", "after", extra(Map.of(), null, false, false, "2026-12-06T10:00:02Z"), bytes(3, 5000));
        // The overwritten version's blob died after the mark: a cleaner gets nothing to free yet.
        assertEquals(List.of(), fx.namespace.garbage(100));
        SnapshotExporter.Result r;
        try (NamespaceView view = Namespace.openCheckpoint(checkpoint)) {
            r = exporter(SnapshotExporter.Options.DEFAULT).export(view, List.of(PLAIN), Optional.empty());
        }
        SnapshotReader reader = reader(r);
        List<SnapshotEntry> got = entries(reader, "plain");
        assertEquals(List.of("before"), got.stream().map(SnapshotEntry::key).toList());
        assertArrayEquals(bytes(1, 5000), readAll(reader.open(got.getFirst())), "the data as of the checkpoint");
        assertTrue(fx.namespace.releaseGarbageMark("snapshot:test"));
        assertEquals(1, fx.namespace.garbage(100).size(), "released: the old blob may go now");
    }

    @Test
    void aSnapshotReleasesItsMarkAndDropsItsCheckpointWhenItEnds() throws Exception {
        fx.bucket("plain");
        fx.put("plain", "k", extra(Map.of(), null, false, false, "2026-12-06T10:00:00Z"), bytes(1, 100));
        export(SnapshotExporter.Options.DEFAULT, Optional.empty());
        assertEquals(List.of(), fx.namespace.garbageMarks());
        try (var left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "no checkpoint or spooled range left in the work directory");
        }
    }

    @Test
    void aColdVersionIsReferencedUnlessTheSnapshotIsSelfContained() throws Exception {
        fx.bucket("plain");
        ObjectVersion v = fx.put("plain", "cold", extra(Map.of(), ChecksumAlgorithm.CRC32, false, false,
                "2026-12-06T10:00:00Z"), bytes(1, 300_000));
        assertEquals(TierMover.Outcome.MOVED, fx.mover.toCold(v, "COLD"));
        SnapshotExporter.Result referenced = export(SnapshotExporter.Options.DEFAULT, Optional.empty());
        assertEquals(0, referenced.dataUploaded());
        assertEquals(1, referenced.coldReferenced());
        assertFalse(referenced.root().selfContained());
        SnapshotEntry e = entries(reader(referenced), "plain").getFirst();
        SnapshotEntry.InColdTier cold = assertInstanceOf(SnapshotEntry.InColdTier.class, e.data().orElseThrow());
        assertEquals("COLD", cold.tier());

        SnapshotExporter.Result copied = export(new SnapshotExporter.Options(true, 12, 65_536), Optional.empty());
        assertEquals(1, copied.dataUploaded());
        assertTrue(copied.root().selfContained());
        SnapshotReader reader = reader(copied);
        assertArrayEquals(bytes(1, 300_000), readAll(reader.open(entries(reader, "plain").getFirst())));
    }

    @Test
    void aLocatorWhoseHashDoesNotMatchTheRootIsRefused() throws Exception {
        fillPhotos();
        SnapshotLocator good = export(SnapshotExporter.Options.DEFAULT, Optional.empty()).locator();
        String other = (good.rootSha256().charAt(0) == '0' ? "1" : "0") + good.rootSha256().substring(1);
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotReader.open(repo,
                new SnapshotLocator(good.repository(), good.snapshot(), other), work));
        assertEquals(SnapshotException.Reason.LOCATOR_MISMATCH, e.reason());
        SnapshotException bad = assertThrows(SnapshotException.class, () -> SnapshotLocator.parse("s3://x?snap=1"));
        assertEquals(SnapshotException.Reason.INVALID, bad.reason());
    }

    @Test
    void aRepositoryOfAnUnknownMajorFormatIsRefused() throws Exception {
        fillPhotos();
        SnapshotLocator locator = export(SnapshotExporter.Options.DEFAULT, Optional.empty()).locator();
        replace(SnapshotFormat.MARKER, "{\"format\":\"strata-snapshot\",\"major\":2,\"minor\":0}\n".getBytes());
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotReader.open(repo, locator, work));
        assertEquals(SnapshotException.Reason.UNKNOWN_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("major version 2"), e.getMessage());
    }

    @Test
    void aTruncatedRangeFileIsRefusedBeforeAnyOfItsEntriesIsUsed() throws Exception {
        fillPhotos();
        SnapshotReader reader = reader(export(SnapshotExporter.Options.DEFAULT, Optional.empty()));
        SnapshotRoot.RangeRef range = reader.root().bucket("photos").orElseThrow().ranges().getFirst();
        byte[] whole = readAll(repo.get(range.path(), 0, -1));
        replace(range.path(), Arrays.copyOf(whole, whole.length / 2));
        List<SnapshotEntry> seen = new ArrayList<>();
        SnapshotException e = assertThrows(SnapshotException.class, () -> reader.forEachEntry("photos", seen::add));
        assertEquals(SnapshotException.Reason.CORRUPT, e.reason());
        assertEquals(List.of(), seen);
        SnapshotReader.VerifyReport report = reader.verify(1.0, 1);
        assertFalse(report.ok());
        assertTrue(report.problems().getFirst().contains(range.path()), report.problems().toString());

        // Cut at a line boundary and compressed again: valid gzip, valid lines, but not the file the root names.
        String text = new String(new java.util.zip.GZIPInputStream(new ByteArrayInputStream(whole)).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        String shorter = text.substring(0, text.lastIndexOf('\n', text.length() - 2) + 1);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(shorter.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        replace(range.path(), gz.toByteArray());
        seen.clear();
        SnapshotException cut = assertThrows(SnapshotException.class, () -> reader.forEachEntry("photos", seen::add));
        assertEquals(SnapshotException.Reason.CORRUPT, cut.reason());
        assertEquals(List.of(), seen, "no entry of a substituted range is used");
    }

    @Test
    void verifyListsAtMostItsBoundOfProblemsAndCountsTheRest() throws Exception {
        fx.bucket("plain");
        for (int i = 0; i < 5; i++) {
            fx.put("plain", "k" + i, extra(Map.of(), null, false, true, "2026-12-06T10:00:00Z"), bytes(i, 10));
        }
        SnapshotExporter.Result r = export(SnapshotExporter.Options.DEFAULT, Optional.empty());
        for (SnapshotEntry e : entries(reader(r), "plain")) {
            repo.delete(((SnapshotEntry.InRepository) e.data().orElseThrow()).path());
        }
        SnapshotReader.VerifyReport report = reader(r).verify(1.0, 1, 2);
        assertEquals(5, report.dataChecked());
        assertEquals(3, report.problems().size(), "" + report.problems());
        assertEquals("... and 3 more problems", report.problems().getLast());
        assertFalse(report.ok());
    }

    @Test
    void aDataObjectWhoseBytesDifferIsRefusedOnReadAndReportedByVerify() throws Exception {
        fillPhotos();
        SnapshotReader reader = reader(export(SnapshotExporter.Options.DEFAULT, Optional.empty()));
        SnapshotEntry entry = entries(reader, "plain").getFirst();
        String path = ((SnapshotEntry.InRepository) entry.data().orElseThrow()).path();
        byte[] damaged = readAll(repo.get(path, 0, -1));
        damaged[1234] ^= 1;
        replace(path, damaged);
        SnapshotException e = assertThrows(SnapshotException.class, () -> readAll(reader.open(entry)));
        assertEquals(SnapshotException.Reason.CORRUPT, e.reason());
        SnapshotReader.VerifyReport report = reader.verify(1.0, 1);
        assertEquals(1, report.problems().size(), report.problems().toString());
        assertTrue(report.problems().getFirst().contains("plain/x"), report.problems().toString());
    }
}
