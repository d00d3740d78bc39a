package io.strata.tiering.snapshot;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceView;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.VersionPage;
import io.strata.namespace.VersionQuery;
import io.strata.tiering.DataRef;
import io.strata.tiering.TierMover;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a snapshot of chosen buckets of a namespace checkpoint into a repository
 * (docs/snapshot-format.md): data objects first, then each bucket's range files, then the root,
 * which alone makes the snapshot exist. An export that dies leaves no root, hence no snapshot, and
 * its data objects and ranges are reused by the next export (their paths name their content).
 *
 * <p><b>Incremental.</b> Given a parent snapshot in the same repository, the parent's entries are
 * merge-joined with the checkpoint's, key by key in the same order (memory: one key's versions): a
 * version whose data id the parent already holds in the repository is referenced, not uploaded, and
 * a range whose entries did not change has the same bytes and name, so it is not uploaded either.
 *
 * <p><b>Cold data.</b> A version in a cold tier is referenced (tier, cold object), not copied,
 * unless the export is self-contained.
 *
 * <p><b>Checks.</b> Each data object goes up with the version's own part sizes, Content-MD5 (single
 * part) and checksums, and the ETag the repository answers must equal the version's: a mismatch
 * deletes the object and fails the export with CORRUPT.
 *
 * <p>Not thread-safe: one export per instance at a time.
 */
public final class SnapshotExporter {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExporter.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int PAGE = 1000;

    /**
     * @param selfContained   copy cold-tier versions into the repository instead of referencing them
     * @param rangeKeyBits    a range may end after a key whose hash has this many low bits zero (about 2^bits keys per range)
     * @param maxRangeEntries a range ends at this many entries whatever the keys
     */
    public record Options(boolean selfContained, int rangeKeyBits, int maxRangeEntries) {
        public static final Options DEFAULT = new Options(false, 12, 65_536);

        public Options {
            if (rangeKeyBits < 0 || rangeKeyBits > 30) throw new IllegalArgumentException("rangeKeyBits out of range");
            if (maxRangeEntries < 1) throw new IllegalArgumentException("maxRangeEntries < 1");
        }
    }

    /** What an export did: the locator to hand out, the root, and what was uploaded versus reused. */
    public record Result(SnapshotLocator locator, SnapshotRoot root, long versions, long dataUploaded,
                         long dataUploadedBytes, long dataReused, long dataAlreadyPresent, long coldReferenced,
                         int rangesUploaded, int rangesReused) {
    }

    private final SnapshotRepository repository;
    private final VersionData data;
    private final Path workDir;
    private final Options options;

    // Counters of the export in progress.
    private long versions;
    private long bytes;
    private long dataUploaded;
    private long dataUploadedBytes;
    private long dataReused;
    private long dataPresent;
    private long coldReferenced;
    private int rangesUploaded;
    private int rangesReused;

    /** @param workDir where range files are spooled while written and read (must exist) */
    public SnapshotExporter(SnapshotRepository repository, VersionData data, Path workDir, Options options) {
        this.repository = repository;
        this.data = data;
        this.workDir = workDir;
        this.options = options;
    }

    /**
     * Takes a point-in-time checkpoint of {@code namespace} (garbage mark first, so data of versions
     * in it that die meanwhile stays readable), exports {@code buckets} from it, then drops the
     * checkpoint and releases the mark, whether the export succeeded or not.
     */
    public Result snapshot(Namespace namespace, List<BucketName> buckets, Optional<String> parent) {
        String mark = "snapshot:" + HexFormat.of().formatHex(randomBytes(6));
        Path checkpoint = workDir.resolve("checkpoint-" + mark.substring(9));
        try {
            namespace.checkpoint(mark, checkpoint);
            try (NamespaceView view = Namespace.openCheckpoint(checkpoint)) {
                return export(view, buckets, parent);
            }
        } finally {
            deleteTree(checkpoint);
            namespace.releaseGarbageMark(mark);
        }
    }

    /**
     * Exports {@code buckets} (all when empty) as they are in {@code view}, incrementally from
     * {@code parent} when given.
     *
     * @throws SnapshotException INVALID for an unknown bucket or parent, CORRUPT when data read or
     *         stored fails its check, UNAVAILABLE or REJECTED from the repository
     */
    public Result export(NamespaceView view, List<BucketName> buckets, Optional<String> parent) {
        versions = bytes = dataUploaded = dataUploadedBytes = dataReused = dataPresent = coldReferenced = 0;
        rangesUploaded = rangesReused = 0;
        List<Bucket> chosen = new ArrayList<>();
        if (buckets.isEmpty()) {
            chosen.addAll(view.buckets());
        } else {
            for (BucketName b : buckets) {
                chosen.add(view.bucket(b).orElseThrow(() -> new SnapshotException(Reason.INVALID,
                        "no bucket " + b + " in the namespace checkpoint")));
            }
        }
        chosen.sort(Comparator.comparing(b -> b.name().value()));
        Optional<SnapshotRoot> parentRoot = parent.map(this::readParent);
        writeMarker();
        String id = ID_TIME.format(view.takenAt()) + "-" + HexFormat.of().formatHex(randomBytes(4));
        List<SnapshotRoot.BucketRoot> bucketRoots = new ArrayList<>();
        try {
            for (Bucket b : chosen) {
                Optional<SnapshotRoot.BucketRoot> parentBucket = parentRoot.flatMap(r -> r.bucket(b.name().value()));
                bucketRoots.add(exportBucket(view, b, parentBucket));
            }
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot spool range files in " + workDir + ": " + e, e);
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("versions", versions);
        stats.put("bytes", bytes);
        stats.put("newData", dataUploaded);
        stats.put("newDataBytes", dataUploadedBytes);
        stats.put("newRanges", (long) rangesUploaded);
        SnapshotRoot root = new SnapshotRoot(SnapshotFormat.MAJOR, SnapshotFormat.MINOR, id, parent, view.sequence(),
                view.takenAt(), options.selfContained() || coldReferenced == 0, bucketRoots, stats);
        byte[] rootBytes = root.encode().getBytes(StandardCharsets.UTF_8);
        SnapshotRepository.Stored stored = repository.putIfAbsent(SnapshotFormat.rootPath(id),
                (offset, length) -> new java.io.ByteArrayInputStream(rootBytes, (int) offset, (int) length),
                SnapshotRepository.Spec.document(rootBytes.length, "application/json", md5Hex(rootBytes)));
        if (!stored.created()) {
            throw new SnapshotException(Reason.REJECTED, "snapshot " + id + " already exists in " + repository.location());
        }
        SnapshotLocator locator = new SnapshotLocator(repository.location(), id, SnapshotFormat.sha256Hex(rootBytes));
        LOG.info("snapshot {} written to {}: {} versions, {} data objects uploaded ({} bytes), {} reused, "
                        + "{} cold references, {} range files uploaded, {} reused", id, repository.location(), versions,
                dataUploaded, dataUploadedBytes, dataReused + dataPresent, coldReferenced, rangesUploaded, rangesReused);
        return new Result(locator, root, versions, dataUploaded, dataUploadedBytes, dataReused, dataPresent,
                coldReferenced, rangesUploaded, rangesReused);
    }

    private SnapshotRoot readParent(String parentId) {
        try {
            return SnapshotReader.readRoot(repository, parentId);
        } catch (SnapshotException e) {
            if (e.reason() == Reason.NOT_FOUND) {
                throw new SnapshotException(Reason.INVALID, "no parent snapshot " + parentId + " in " + repository.location(), e);
            }
            throw e;
        }
    }

    private void writeMarker() {
        Optional<Long> size = repository.size(SnapshotFormat.MARKER);
        if (size.isPresent()) {
            SnapshotReader.checkMarker(repository);
            return;
        }
        byte[] marker = (SnapshotFormat.marker() + "\n").getBytes(StandardCharsets.UTF_8);
        repository.putIfAbsent(SnapshotFormat.MARKER,
                (offset, length) -> new java.io.ByteArrayInputStream(marker, (int) offset, (int) length),
                SnapshotRepository.Spec.document(marker.length, "application/json", md5Hex(marker)));
    }

    private SnapshotRoot.BucketRoot exportBucket(NamespaceView view, Bucket bucket, Optional<SnapshotRoot.BucketRoot> parent)
            throws IOException {
        String name = bucket.name().value();
        try (RangeWriter ranges = new RangeWriter(repository, workDir, options.rangeKeyBits(), options.maxRangeEntries());
             BucketEntries parentEntries = new BucketEntries(repository,
                     parent.map(SnapshotRoot.BucketRoot::ranges).orElse(List.of()), workDir)) {
            String keyMarker = "";
            String versionMarker = "";
            String parentKey = null;
            Map<String, SnapshotEntry> parentVersions = new HashMap<>();
            while (true) {
                VersionPage page = view.listVersions(bucket.name(), new VersionQuery("", "", keyMarker, versionMarker, PAGE));
                for (VersionPage.Entry listed : page.versions()) {
                    ObjectVersion v = listed.version();
                    String key = v.key().value();
                    if (!key.equals(parentKey)) {
                        parentKey = key;
                        parentVersions = parentVersionsOf(parentEntries, key);
                    }
                    ranges.add(entry(name, v, parentVersions));
                }
                if (!page.truncated()) break;
                keyMarker = page.nextKeyMarker();
                versionMarker = page.nextVersionIdMarker();
            }
            List<SnapshotRoot.RangeRef> refs = ranges.finish();
            rangesUploaded += ranges.uploaded();
            rangesReused += ranges.reused();
            return new SnapshotRoot.BucketRoot(name, bucket.created(), bucket.region(), bucket.owner(),
                    bucket.versioning().name(), view.bucketConfigs(bucket.name()), refs);
        }
    }

    /** The parent's entries of {@code key} by data id, skipping the parent's earlier keys. */
    private static Map<String, SnapshotEntry> parentVersionsOf(BucketEntries parent, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        while (parent.peek() != null && Arrays.compareUnsigned(parent.peek().key().getBytes(StandardCharsets.UTF_8), k) < 0) {
            parent.next();
        }
        Map<String, SnapshotEntry> out = new HashMap<>();
        while (parent.peek() != null && parent.peek().key().equals(key)) {
            SnapshotEntry e = parent.next();
            e.data().ifPresent(d -> out.put(d.id(), e));
        }
        return out;
    }

    private SnapshotEntry entry(String bucket, ObjectVersion v, Map<String, SnapshotEntry> parentVersions) {
        versions++;
        if (v.deleteMarker()) {
            return new SnapshotEntry(v.key().value(), v.versionId(), true, v.lastModified(), 0, "", "", Map.of(),
                    Map.of(), Map.of(), List.of(), List.of(), Optional.empty());
        }
        bytes += v.size();
        String id = SnapshotFormat.dataId(v);
        SnapshotEntry.Data where = placeData(bucket, v, id, parentVersions.get(id));
        return new SnapshotEntry(v.key().value(), v.versionId(), false, v.lastModified(), v.size(), v.etag(),
                v.contentType(), v.headers(), v.userMetadata(), v.checksums(), SnapshotFormat.partSizes(v),
                v.partChecksums(), Optional.of(where), v.attributes());
    }

    private SnapshotEntry.Data placeData(String bucket, ObjectVersion v, String id, SnapshotEntry parentEntry) {
        Optional<DataRef.ColdName> cold = TierMover.coldName(v);
        if (cold.isPresent() && !options.selfContained()) {
            coldReferenced++;
            DataRef.ColdName c = cold.get();
            return new SnapshotEntry.InColdTier(id, c.tier(), c.id().bucket(), c.id().key(), c.id().versionId(),
                    c.storageClass());
        }
        if (parentEntry != null && parentEntry.data().orElseThrow() instanceof SnapshotEntry.InRepository r) {
            dataReused++;
            return r;
        }
        String path = SnapshotFormat.dataPath(bucket, v.key().value(), id);
        List<Long> parts = SnapshotFormat.partSizes(v);
        boolean singleMd5 = parts.isEmpty() && v.etag().matches("[0-9a-fA-F]{32}");
        SnapshotRepository.Spec spec = new SnapshotRepository.Spec(v.size(), parts, v.contentType(), v.userMetadata(),
                singleMd5 ? Optional.of(v.etag().toLowerCase(java.util.Locale.ROOT)) : Optional.empty(),
                v.checksums(), v.partChecksums());
        SnapshotRepository.Stored stored = repository.putIfAbsent(path, (offset, length) -> data.open(v, offset, length), spec);
        if (!stored.created()) {
            // Written by an earlier export that did not finish (or a parent not given): same id, same bytes.
            dataPresent++;
            return new SnapshotEntry.InRepository(id, path);
        }
        if (!stored.etag().isEmpty() && !stored.etag().equalsIgnoreCase(v.etag())) {
            repository.delete(path);
            throw new SnapshotException(Reason.CORRUPT, bucket + "/" + v.key() + " version " + v.versionId()
                    + ": the repository computed ETag " + stored.etag() + ", the version has " + v.etag());
        }
        dataUploaded++;
        dataUploadedBytes += v.size();
        return new SnapshotEntry.InRepository(id, path);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String md5Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete checkpoint " + dir, e);
        }
    }
}
