package io.strata.gateway.objects;

import io.strata.checksum.ChecksumAlgorithm;
import io.strata.checksum.HashingInputStream;
import io.strata.erasure.BlobLocation;
import io.strata.erasure.BlobOwner;
import io.strata.erasure.ErasureException;
import io.strata.erasure.ErasureStore;
import io.strata.namespace.Bucket;
import io.strata.namespace.ChecksumType;
import io.strata.namespace.BucketName;
import io.strata.namespace.DeleteResult;
import io.strata.namespace.GarbageItem;
import io.strata.namespace.MultipartUpload;
import io.strata.namespace.Namespace;
import io.strata.namespace.NamespaceException;
import io.strata.namespace.CompletedUpload;
import io.strata.namespace.WriteCondition;
import io.strata.namespace.ObjectAttributes;
import io.strata.namespace.ObjectKey;
import io.strata.namespace.ObjectVersion;
import io.strata.namespace.Part;
import io.strata.namespace.PutResult;
import io.strata.namespace.Segment;
import io.strata.tiering.ColdTiers;
import io.strata.tiering.DataRef;
import io.strata.tiering.snapshot.SnapshotSources;
import io.strata.tiering.lifecycle.LifecycleConfiguration;
import io.strata.tiering.TierMover;
import io.strata.tiering.lifecycle.LifecycleTarget;
import io.strata.tiering.lifecycle.NamespaceLifecycleActions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Ties the namespace and the hot tier together: data goes to the erasure store first, and an
 * object becomes visible only through one namespace commit after every byte arrived and every
 * digest matched. Data made unreachable goes through the namespace's durable garbage queue and is
 * freed by a background cleaner, never before the commit. Objects (and parts) of at most
 * {@code inlineThreshold} bytes skip the hot tier: their bytes go into the namespace record as a
 * {@link DataRef.Inline} segment, so they cost one synced RocksDB write (group-committed with
 * concurrent writers) instead of k+m fsynced shard files. Thread-safe.
 */
public final class ObjectService implements AutoCloseable, LifecycleTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectService.class);

    /**
     * What a write declares about its own bytes, checked after they are stored and before the commit.
     *
     * @param checkedByBody the checksums the body itself sums over every byte and compares with the
     *                      request's own value as the bytes flow: an aws-chunked body's trailing checksum
     *                      (a mismatch is BadDigest from its last read), a signed payload's SHA-256
     *                      (XAmzContentSHA256Mismatch). Their values are taken from {@code bodyChecksums}
     *                      once the body has ended instead of being summed a second time.
     * @param bodyChecksums the body's verified values of {@code checkedByBody}, known once it has been
     *                      read to its end
     */
    public record Expectations(Optional<byte[]> contentMd5, Map<ChecksumAlgorithm, String> checksums,
                        Set<ChecksumAlgorithm> compute, Set<ChecksumAlgorithm> checkedByBody,
                        Supplier<Map<ChecksumAlgorithm, String>> bodyChecksums) {
        public Expectations {
            checksums = Map.copyOf(checksums);
            compute = Set.copyOf(compute);
            checkedByBody = Set.copyOf(checkedByBody);
        }

        /** Expectations of a body that checks no checksum itself. */
        Expectations(Optional<byte[]> contentMd5, Map<ChecksumAlgorithm, String> checksums,
                     Set<ChecksumAlgorithm> compute) {
            this(contentMd5, checksums, compute, Set.of(), Map::of);
        }

        public static Expectations none() {
            return new Expectations(Optional.empty(), Map.of(), Set.of());
        }
    }

    /** The descriptive metadata a new object carries: stored headers, user metadata, tags, canned ACL, checksum type. */
    public record Metadata(String contentType, Map<String, String> headers, Map<String, String> userMetadata,
                           ObjectAttributes attributes) {
        /** Metadata without tags, private, FULL_OBJECT. */
        public Metadata(String contentType, Map<String, String> headers, Map<String, String> userMetadata) {
            this(contentType, headers, userMetadata, ObjectAttributes.NONE);
        }

        /** This metadata with other attributes. */
        public Metadata withAttributes(ObjectAttributes newAttributes) {
            return new Metadata(contentType, headers, userMetadata, newAttributes);
        }
    }

    /** Digests of stored data. */
    private record Stored(Segment segment, String md5Hex, Map<String, String> checksums) {
    }

    /**
     * The namespace's garbage rule for this data plane ({@link Namespace#open(java.nio.file.Path,
     * io.strata.namespace.ChangeLogLimits, Clock, int, java.util.function.Predicate)}): a segment is
     * queued for the cleaner only if its bytes live outside the record, so overwriting or deleting a
     * small inline object writes no garbage row and wakes no cleaner pass.
     */
    public static final java.util.function.Predicate<Segment> NEEDS_FREEING = s -> DataRef.needsFreeing(s.ref());

    /** Default {@code storage.inline-threshold}: see the README's configuration table for the measurements. */
    public static final int DEFAULT_INLINE_THRESHOLD = 64 << 10;
    /** Largest accepted {@code storage.inline-threshold}: inline bytes are held whole in memory and in the record. */
    public static final int MAX_INLINE_THRESHOLD = 1 << 20;

    /** Bodies of at least this many bytes are digested on hashing lanes beside the erasure coding. */
    static final long PIPELINED_HASHING_MIN = 1 << 20;

    private final Namespace namespace;
    private final ErasureStore store;
    private final Clock clock;
    /** Blobs written and not yet committed: the orphan collector leaves them alone. */
    private final BlobPins pins = new BlobPins();
    private final ReadLeases reads = new ReadLeases();
    private final int inlineThreshold;
    /** Frees the data of garbage items; from {@link #start()} until {@link #close()}. */
    private volatile Thread cleaner;
    private final ReentrantLock cleanerLock = new ReentrantLock();
    private final Condition garbageAdded = cleanerLock.newCondition();
    private volatile boolean closing;
    private final NamespaceLifecycleActions lifecycleActions;
    private final TierMover mover;
    private volatile PlacementHook placement = PlacementHook.NONE;
    /** Where versions held in snapshot repositories are read from; none until the wiring sets it. */
    private volatile Optional<SnapshotSources> snapshots = Optional.empty();
    private volatile Function<BucketName, Optional<LifecycleConfiguration>> lifecycleLookup = bucket -> Optional.empty();
    /** This site's name ({@code site.name}), recorded in the replicas it keeps; set at start. */
    private volatile String siteName = "local";

    ObjectService(Namespace namespace, ErasureStore store, Clock clock, ColdTiers tiers) {
        this(namespace, store, clock, tiers, DEFAULT_INLINE_THRESHOLD);
    }

    /** @param inlineThreshold objects of at most this many bytes are stored inline; 0 stores none inline */
    public ObjectService(Namespace namespace, ErasureStore store, Clock clock, ColdTiers tiers, int inlineThreshold) {
        if (inlineThreshold < 0 || inlineThreshold > MAX_INLINE_THRESHOLD) {
            throw new IllegalArgumentException("inline threshold must be 0.." + MAX_INLINE_THRESHOLD + ": " + inlineThreshold);
        }
        this.namespace = namespace;
        this.store = store;
        this.clock = clock;
        this.inlineThreshold = inlineThreshold;
        this.lifecycleActions = new NamespaceLifecycleActions(namespace);
        this.mover = new TierMover(namespace, tiers, new HotData());
        // Before anything can start a move: copies of moves cut short by a crash become garbage.
        mover.recover();
    }

    /**
     * Starts the garbage cleaner; called once by the wiring after the service is wired. Until then
     * garbage only queues up (durably, in the namespace). {@link #close()} stops it.
     */
    public void start() {
        if (cleaner != null) throw new IllegalStateException("the object service is started already");
        cleaner = Thread.ofVirtual().name("strata-garbage-cleaner").start(this::cleanLoop);
    }

    /** A service with no cold tiers (tests of the hot path). */
    ObjectService(Namespace namespace, ErasureStore store, Clock clock) {
        this(namespace, store, clock, new ColdTiers());
    }

    public Namespace namespace() {
        return namespace;
    }

    public ColdTiers tiers() {
        return mover.tiers();
    }

    public TierMover mover() {
        return mover;
    }

    /** Blobs this service wrote and has not committed yet (for the {@link OrphanCollector}). */
    public BlobPins pins() {
        return pins;
    }

    /** Attaches objective-based placement (which versions stay hot); called once by the wiring, at startup. */
    public void placement(PlacementHook hook) {
        this.placement = hook;
    }

    /** Attaches the read path of snapshot-held versions (attached snapshots); called once by the wiring, at startup. */
    public void snapshots(SnapshotSources sources) {
        this.snapshots = Optional.of(sources);
    }

    /** Sets this site's name ({@code site.name}), recorded in the replicas {@link #importReplica} keeps. */
    public void siteName(String name) {
        this.siteName = java.util.Objects.requireNonNull(name, "name");
    }

    /**
     * Attaches how a bucket's lifecycle configuration is found (the S3 API stores it); called once by
     * the wiring, at startup. Until then no bucket has one.
     */
    public void lifecycleLookup(Function<BucketName, Optional<LifecycleConfiguration>> lookup) {
        this.lifecycleLookup = lookup;
    }

    /**
     * Moves a cold version back into the hot tier (RestoreObject, promotion, prefetch); true if it moved.
     *
     * @throws io.strata.tiering.TierException when the cold tier cannot serve it; it stays cold
     */
    public boolean promote(ObjectVersion version) {
        boolean moved = mover.toHot(version) == TierMover.Outcome.MOVED;
        signalCleaner();
        return moved;
    }

    /**
     * How a snapshot export reads versions: hot ones through the GET read path, cold ones through the
     * tier mover's verified recall, segment by segment.
     */
    public io.strata.tiering.snapshot.VersionData snapshotData() {
        return new io.strata.tiering.snapshot.TieredVersionData(new HotData(), mover);
    }

    /** The mover's access to the hot tier: the same read path as GET, the same write path as PUT. */
    private final class HotData implements TierMover.HotData {
        @Override
        public InputStream open(ObjectVersion version, long offset, long length) {
            return ObjectService.this.open(version, offset, length);
        }

        @Override
        public InputStream openSnapshotHeld(ObjectVersion version, long offset, long length) {
            return snapshots.orElseThrow(() -> new IllegalStateException("no snapshot read path is wired"))
                    .openUnchecked(version, offset, length);
        }

        @Override
        public Segment write(ObjectVersion version, InputStream data, long length) {
            // The blob stays pinned (see BlobPins): the mover writes every segment of a version before
            // one relocateVersion commit, which may take longer than the orphan grace period; the
            // orphan collector releases the pin once it sees the blob referenced.
            Stored stored = store(data, length, Expectations.none(),
                    BlobOwner.object(version.bucket().value(), version.key().value()));
            return stored.segment == null ? new Segment(0, new byte[0]) : stored.segment;
        }
    }

    // ---- writes

    /**
     * Stores and commits a new version; returns it as committed (with its version id). The caller
     * has checked the bucket; one deleted meanwhile makes the commit fail and the data is freed.
     */
    public ObjectVersion put(BucketName bucket, ObjectKey key, InputStream body, long length, Metadata meta,
                      Expectations expect) {
        return put(bucket, key, body, length, meta, expect, WriteCondition.NONE);
    }

    /**
     * {@link #put(BucketName, ObjectKey, InputStream, long, Metadata, Expectations)} made on
     * {@code condition}, which the namespace checks in the commit's step: a failed condition
     * (NamespaceException PRECONDITION_FAILED or KEY_NOT_FOUND) commits nothing and frees the data.
     */
    public ObjectVersion put(BucketName bucket, ObjectKey key, InputStream body, long length, Metadata meta,
                      Expectations expect, WriteCondition condition) {
        Stored stored = store(body, length, expect, BlobOwner.object(bucket.value(), key.value()));
        Instant now = clock.instant();
        ObjectVersion version = new ObjectVersion(bucket, key, ObjectVersion.NULL_VERSION, length, stored.md5Hex,
                now, meta.contentType(), meta.headers(), meta.userMetadata(), stored.checksums, 0,
                stored.segment == null ? List.of() : List.of(stored.segment), false, List.of(), meta.attributes());
        PutResult result = commit(stored.segment, () -> namespace.putObject(version, condition));
        // Only a replaced version whose bytes live outside its record left work for the cleaner; waking it
        // for every PUT cost a scan of the garbage queue per small object.
        if (result.replaced().isPresent() && result.replaced().get().segments().stream().anyMatch(NEEDS_FREEING)) {
            signalCleaner();
        }
        return result.version();
    }

    /**
     * A version written at another Strata site, as its replica write describes it (the
     * {@code x-strata-replica-*} headers, parsed and checked for form by the S3 layer).
     *
     * @param partSizes     a multipart source's part sizes (empty: a single PUT); they add up to the length
     * @param partChecksums per part, its checksums by algorithm name (empty: none, else one map per part)
     * @param checksums     the whole object's checksums by algorithm name
     * @param sites         the sites that applied it before this one
     * @param backfill      sent by a resync: kept whenever this site lacks the version id, even if this site is
     *                      its origin or applied it before (its disk was lost and it was rebuilt empty)
     */
    public record IncomingReplica(String versionId, Instant lastModified, String etag, List<Long> partSizes,
                                  Map<String, String> checksums, List<Map<String, String>> partChecksums,
                                  ChecksumType checksumType, boolean deleteMarker, String originSite,
                                  List<String> sites, Metadata metadata, boolean backfill) {
        /** A replica sent by live replication (not a backfill). */
        public IncomingReplica(String versionId, Instant lastModified, String etag, List<Long> partSizes,
                               Map<String, String> checksums, List<Map<String, String>> partChecksums,
                               ChecksumType checksumType, boolean deleteMarker, String originSite,
                               List<String> sites, Metadata metadata) {
            this(versionId, lastModified, etag, partSizes, checksums, partChecksums, checksumType, deleteMarker, originSite,
                    sites, metadata, false);
        }
    }

    /**
     * Keeps a replica written at another site with its identity: the body is stored as a PUT stores it
     * (one segment per part of a multipart source), verified (a single part's MD5 is the ETag; each part's
     * MD5, and their composite {@code md5(concat)-N} the ETag; every given checksum), then committed through
     * {@link Namespace#importVersions} with the source's version id, time, ETag, part sizes, checksums and
     * metadata and status REPLICA, recording the origin and this site among the sites that applied it.
     * Idempotent: a version id the key holds already, or a replica of a version this site made or applied,
     * changes nothing (the body is read to its end and dropped) and the stored version is returned. A
     * backfill (a resync's) is kept whenever the version id is missing: a site rebuilt empty after losing its
     * disk must get back even the versions it wrote itself, or failback would not bring them back.
     *
     * @return the stored version (empty: the replica came back to a site that had it, nothing is stored)
     * @throws ObjectException BAD_DIGEST, INCOMPLETE_BODY, BODY_TOO_LONG, REPLICA_CONFLICT (its order is another
     *                         version's: two sites share a site.number); nothing is kept
     */
    public Optional<ObjectVersion> importReplica(BucketName bucket, ObjectKey key, InputStream body, long length,
                                                 IncomingReplica r) throws IOException {
        String here = siteName;
        Optional<ObjectVersion> existing = namespace.version(bucket, key, r.versionId());
        if (existing.isPresent() || !r.backfill() && (r.originSite().equals(here) || r.sites().contains(here))) {
            body.transferTo(OutputStream.nullOutputStream());   // the same replica again: nothing changes
            return existing;
        }
        List<String> sites = new ArrayList<>(r.sites());
        sites.add(r.originSite());
        sites.add(here);
        sites = sites.stream().distinct().toList();   // a backfill may name this site already
        Metadata m = r.metadata();
        ObjectAttributes attributes = m.attributes().withChecksumType(r.checksumType())
                .withReplicationStatus(io.strata.namespace.ReplicationStatus.REPLICA).withSites(r.originSite(), sites);
        ObjectVersion version;
        List<Segment> segments = new ArrayList<>();
        try {
            if (r.deleteMarker()) {
                if (body.read() >= 0) {
                    throw new ObjectException(ObjectException.Reason.BODY_TOO_LONG, "A delete marker's replica has no body.");
                }
                version = ObjectVersion.deleteMarker(bucket, key, r.versionId(), r.lastModified()).withAttributes(attributes);
            } else {
                BlobOwner owner = BlobOwner.object(bucket.value(), key.value());
                Map<String, String> checksums;
                if (r.partSizes().isEmpty()) {
                    // Content-MD5 from the ETag and the given checksums: store() refuses other bytes.
                    Stored stored = store(body, length, new Expectations(Optional.of(HexFormat.of().parseHex(r.etag())),
                            algorithms(r.checksums()), Set.of()), owner);
                    if (stored.segment != null) segments.add(stored.segment);
                    checksums = r.checksums();
                } else {
                    // Each part as UploadPart stores it, its MD5 kept for the composite ETag.
                    java.security.MessageDigest composite = java.security.MessageDigest.getInstance("MD5");
                    for (int i = 0; i < r.partSizes().size(); i++) {
                        long size = r.partSizes().get(i);
                        Map<ChecksumAlgorithm, String> expected = r.partChecksums().isEmpty() ? Map.of()
                                : algorithms(r.partChecksums().get(i));
                        Stored stored = store(new Bounded(body, size), size, new Expectations(Optional.empty(), expected,
                                Set.of()), owner);
                        segments.add(stored.segment == null ? new Segment(0, new byte[0]) : stored.segment);
                        composite.update(HexFormat.of().parseHex(stored.md5Hex));
                    }
                    // Reading past the end verifies a signed payload's hash or aws-chunked trailers.
                    if (body.read() >= 0) {
                        throw new ObjectException(ObjectException.Reason.BODY_TOO_LONG, "The request body is longer than its declared length.");
                    }
                    String etag = HexFormat.of().formatHex(composite.digest()) + "-" + r.partSizes().size();
                    if (!etag.equals(r.etag())) {
                        throw new ObjectException(ObjectException.Reason.BAD_DIGEST, "The parts' MD5s make the ETag " + etag
                                + ", not the replica's " + r.etag() + ".");
                    }
                    checksums = r.checksums();
                }
                version = new ObjectVersion(bucket, key, r.versionId(), length, r.etag(), r.lastModified(), m.contentType(),
                        m.headers(), m.userMetadata(), checksums, r.partSizes().isEmpty() ? 0 : r.partSizes().size(),
                        segments, false, r.partChecksums(), attributes);
            }
            int written = namespace.importVersions(bucket, List.of(version));
            if (written == 0) {
                // Another write of the same replica won the race: ours is garbage.
                if (!segments.isEmpty()) namespace.addGarbage(segments);
                return namespace.version(bucket, key, r.versionId());
            }
            return Optional.of(version);
        } catch (IllegalArgumentException e) {
            garbage(segments);
            throw new ObjectException(ObjectException.Reason.REPLICA_CONFLICT, e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        } catch (RuntimeException e) {
            garbage(segments);
            throw e;
        } finally {
            segments.forEach(pins::unpin);
            signalCleaner();
        }
    }

    /** Checksum values by algorithm, for {@link Expectations}; unknown algorithms are not checked. */
    private static Map<ChecksumAlgorithm, String> algorithms(Map<String, String> byName) {
        Map<ChecksumAlgorithm, String> out = new EnumMap<>(ChecksumAlgorithm.class);
        byName.forEach((name, value) -> ChecksumAlgorithm.parse(name).ifPresent(a -> out.put(a, value)));
        return out;
    }

    private void garbage(List<Segment> segments) {
        if (segments.isEmpty()) return;
        try {
            namespace.addGarbage(segments);
        } catch (RuntimeException again) {
            LOG.warn("could not queue garbage for an uncommitted replica: {}", again.toString());
        }
    }

    /** At most {@code limit} bytes of {@code in}, then end of stream; closing it does not close {@code in}. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }

    /**
     * Copies the source's bytes into a new version (the hot tier holds each version's data once);
     * returns it as committed.
     */
    public ObjectVersion copy(ObjectVersion source, BucketName bucket, ObjectKey key, Metadata meta) {
        return copy(source, bucket, key, meta, WriteCondition.NONE);
    }

    /** A copy made on {@code condition} for the target key, checked in the commit's step (as {@link #put}). */
    public ObjectVersion copy(ObjectVersion source, BucketName bucket, ObjectKey key, Metadata meta,
                              WriteCondition condition) {
        Stored stored;
        try (InputStream in = open(source, 0, source.size())) {
            Set<ChecksumAlgorithm> algorithms = checksumAlgorithms(source);
            stored = store(in, source.size(), new Expectations(Optional.empty(), Map.of(), algorithms),
                    BlobOwner.object(bucket.value(), key.value()));
        } catch (IOException e) {
            throw new ObjectException(ObjectException.Reason.COPY_SOURCE_UNREADABLE, "reading the copy source failed");
        }
        ObjectVersion version = new ObjectVersion(bucket, key, ObjectVersion.NULL_VERSION, source.size(), stored.md5Hex,
                clock.instant(), meta.contentType(), meta.headers(), meta.userMetadata(), stored.checksums, 0,
                stored.segment == null ? List.of() : List.of(stored.segment), false, List.of(), meta.attributes());
        ObjectVersion committed = commit(stored.segment, () -> namespace.putObject(version, condition).version());
        signalCleaner();
        return committed;
    }

    private static Set<ChecksumAlgorithm> checksumAlgorithms(ObjectVersion source) {
        Set<ChecksumAlgorithm> result = java.util.EnumSet.noneOf(ChecksumAlgorithm.class);
        for (String name : source.checksums().keySet()) ChecksumAlgorithm.parse(name).ifPresent(result::add);
        return result;
    }

    /** DELETE without a version id: removes the null version and/or adds a delete marker, by the bucket's state. */
    public DeleteResult delete(BucketName bucket, ObjectKey key) {
        return delete(bucket, key, WriteCondition.NONE);
    }

    /** A DELETE without a version id made on {@code condition} (If-Match), checked in the delete's step. */
    public DeleteResult delete(BucketName bucket, ObjectKey key, WriteCondition condition) {
        DeleteResult result = namespace.deleteObject(bucket, key, condition);
        signalCleaner();
        return result;
    }

    /** Permanently deletes one version or delete marker; empty if there was none with that id. */
    public Optional<ObjectVersion> deleteVersion(BucketName bucket, ObjectKey key, String versionId) {
        Optional<ObjectVersion> removed = namespace.deleteVersion(bucket, key, versionId);
        signalCleaner();
        return removed;
    }

    /** The newest entry of the key, which may be a delete marker. */
    public Optional<ObjectVersion> latest(BucketName bucket, ObjectKey key) {
        return namespace.latest(bucket, key);
    }

    /** One version or delete marker by id. */
    public Optional<ObjectVersion> version(BucketName bucket, ObjectKey key, String versionId) {
        return namespace.version(bucket, key, versionId);
    }

    // ---- reads

    /** Streams {@code length} bytes from {@code offset}, across segments; every byte verified against its checksum. */
    public InputStream open(ObjectVersion version, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > version.size()) {
            throw new IllegalArgumentException("range outside object");
        }
        if (snapshotHeld(version)) {
            // Fetched whole and checked once, then served from the checked copy (SnapshotSources).
            return snapshots.orElseThrow(() -> new IllegalStateException("no snapshot read path is wired"))
                    .open(version, offset, length);
        }
        // The version's hot blobs are leased until the stream closes, so the garbage cleaner cannot
        // delete them under the reader (a tier move or an overwrite may queue them meanwhile). A blob
        // already being freed means the namespace moved on: read the version as it is now.
        ObjectVersion v = version;
        for (int attempt = 1; ; attempt++) {
            List<String> leased = leaseHotBlobs(v);
            if (leased != null) {
                try {
                    InputStream in = openLeased(v, offset, length);
                    return new java.io.FilterInputStream(in) {
                        private boolean released;

                        @Override
                        public void close() throws IOException {
                            try {
                                super.close();
                            } finally {
                                if (!released) {
                                    released = true;
                                    leased.forEach(reads::release);
                                }
                            }
                        }
                    };
                } catch (ErasureException e) {
                    // Freed between the lookup and the lease: the same version now lives elsewhere.
                    leased.forEach(reads::release);
                    ObjectVersion now = attempt < MAX_OPEN_ATTEMPTS ? current(v) : v;
                    if (now.segments().equals(v.segments())) throw e;
                    v = now;
                    continue;
                } catch (RuntimeException e) {
                    leased.forEach(reads::release);
                    throw e;
                }
            }
            if (attempt >= MAX_OPEN_ATTEMPTS) {
                throw new IllegalStateException("the data of " + v.bucket() + "/" + v.key() + " version "
                        + v.versionId() + " is being freed while the namespace still refers to it");
            }
            v = current(v);
        }
    }

    /** Whether a version's bytes are in a snapshot repository (an attached snapshot's versions). */
    private static boolean snapshotHeld(ObjectVersion v) {
        if (v.segments().isEmpty()) return false;
        byte[] ref = v.segments().getFirst().ref();
        return ref.length > 0 && ref[0] == DataRef.SNAPSHOT;
    }

    /** Reads of a version whose blobs are being freed resolve it again at most this often. */
    private static final int MAX_OPEN_ATTEMPTS = 3;

    /** The version as the namespace holds it now; NoSuchKey if it is gone. */
    private ObjectVersion current(ObjectVersion v) {
        return namespace.version(v.bucket(), v.key(), v.versionId())
                .orElseThrow(() -> new ObjectException(ObjectException.Reason.NO_SUCH_KEY, v.key().value()));
    }

    /** Leases every hot blob of {@code v}; null (holding none) if one is being freed. */
    private List<String> leaseHotBlobs(ObjectVersion v) {
        List<String> leased = new ArrayList<>(v.segments().size());
        for (Segment segment : v.segments()) {
            String id = OrphanCollector.erasureBlobId(segment.ref());
            if (id == null) continue;
            if (!reads.acquire(id)) {
                leased.forEach(reads::release);
                return null;
            }
            leased.add(id);
        }
        return leased;
    }

    private InputStream openLeased(ObjectVersion version, long offset, long length) {
        List<Segment> segments = version.segments();
        List<long[]> pieces = new ArrayList<>();   // {segment index, offset in segment, length}
        long segStart = 0;
        long end = offset + length;
        for (int i = 0; i < segments.size() && segStart < end; i++) {
            long segEnd = segStart + segments.get(i).size();
            if (segEnd > offset) {
                long from = Math.max(offset, segStart) - segStart;
                long to = Math.min(end, segEnd) - segStart;
                if (to > from) pieces.add(new long[]{i, from, to - from});
            }
            segStart = segEnd;
        }
        if (pieces.isEmpty()) return InputStream.nullInputStream();
        if (pieces.size() == 1) {
            long[] p = pieces.getFirst();
            return openSegment(version, (int) p[0], p[1], p[2]);
        }
        Iterator<long[]> it = pieces.iterator();
        // Segments are opened lazily, one at a time, so a 10,000-part object holds one open blob.
        return new SequenceInputStream(new java.util.Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return it.hasNext();
            }

            @Override
            public InputStream nextElement() {
                long[] p = it.next();
                return openSegment(version, (int) p[0], p[1], p[2]);
            }
        });
    }

    /**
     * Bytes {@code [from, from + length)} of segment {@code index}, wherever it lives. Hot blocks are
     * checked by the erasure store as they stream; inline bytes by their CRC32C on decoding.
     *
     * @throws ObjectException CORRUPT_DATA when the segment's reference is unreadable or inline bytes
     *                     fail their checksum (logged: an operator must look at the metadata store)
     */
    private InputStream openSegment(ObjectVersion version, int index, long from, long length) {
        Segment segment = version.segments().get(index);
        DataRef ref;
        try {
            ref = DataRef.decode(segment.ref());
        } catch (IllegalArgumentException e) {
            LOG.error("unreadable segment {} of {}/{} version {}: {}", index, version.bucket(), version.key(),
                    version.versionId(), e.getMessage());
            throw new ObjectException(ObjectException.Reason.CORRUPT_DATA, "stored data failed its integrity check");
        }
        return switch (ref) {
            case DataRef.Hot hot -> store.read(hot.location(), from, length);
            case DataRef.Cold cold -> mover.openCold(version, index, from, length);
            case DataRef.Inline inline -> inline.open(Math.toIntExact(from), Math.toIntExact(length));
            case DataRef.Empty empty -> InputStream.nullInputStream();
            // open() reads these whole through SnapshotSources; a segment alone is never read.
            case DataRef.Snapshot snapshot -> throw new IllegalStateException("a snapshot-held segment is read with its version");
        };
    }

    // ---- multipart

    /**
     * 24 random bytes in URL-safe base64 (32 characters), never starting with {@code -}: the aws
     * CLI (argparse) takes {@code --upload-id -x...} for an option and refuses the command, which
     * hit one upload in 64.
     */
    static String newUploadId() {
        byte[] id = new byte[24];
        String uploadId;
        do {
            RANDOM.nextBytes(id);
            uploadId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        } while (uploadId.charAt(0) == '-');
        return uploadId;
    }

    public MultipartUpload createUpload(BucketName bucket, ObjectKey key, String owner, Metadata meta,
                                 String checksumAlgorithm) {
        requireBucket(bucket);
        String uploadId = newUploadId();
        MultipartUpload upload = new MultipartUpload(bucket, key, uploadId, clock.instant(), owner,
                meta.contentType(), meta.headers(), meta.userMetadata(), checksumAlgorithm, meta.attributes());
        namespace.createUpload(upload);
        return upload;
    }

    public MultipartUpload upload(BucketName bucket, ObjectKey key, String uploadId) {
        return namespace.upload(bucket, key, uploadId).orElseThrow(() -> noSuchUpload(uploadId));
    }

    public Part uploadPart(BucketName bucket, ObjectKey key, String uploadId, int partNumber, InputStream body,
                    long length, Expectations expect) {
        MultipartUpload upload = upload(bucket, key, uploadId);
        // Every part of an upload created with a checksum algorithm carries that checksum, whether or
        // not the client sent it: CompleteMultipartUpload builds the object's checksum from them.
        Optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithm.parse(upload.checksumAlgorithm());
        if (algorithm.isPresent() && !expect.compute().contains(algorithm.get())) {
            Set<ChecksumAlgorithm> compute = java.util.EnumSet.of(algorithm.get());
            compute.addAll(expect.compute());
            expect = new Expectations(expect.contentMd5(), expect.checksums(), compute, expect.checkedByBody(),
                    expect.bodyChecksums());
        }
        Stored stored = store(body, length, expect, BlobOwner.part(bucket.value(), key.value(), uploadId, partNumber));
        Segment segment = stored.segment == null ? new Segment(0, new byte[0]) : stored.segment;
        Part part = new Part(partNumber, length, stored.md5Hex, clock.instant(), stored.checksums, segment);
        // putPart queues the segment as garbage itself if the upload vanished meanwhile.
        try {
            commit(null, () -> {
                namespace.putPart(bucket, key, uploadId, part);
                return part;
            });
        } finally {
            pins.unpin(stored.segment);
        }
        signalCleaner();
        return part;
    }

    /** UploadPartCopy: stores {@code length} bytes of {@code source} from {@code offset} as a new part. */
    public Part uploadPartCopy(ObjectVersion source, long offset, long length, BucketName bucket, ObjectKey key,
                        String uploadId, int partNumber) {
        try (InputStream in = open(source, offset, length)) {
            return uploadPart(bucket, key, uploadId, partNumber, in, length, Expectations.none());
        } catch (IOException e) {
            throw new ObjectException(ObjectException.Reason.COPY_SOURCE_UNREADABLE, "reading the copy source failed");
        }
    }

    /** One entry of a CompleteMultipartUpload body. */
    public record CompletedPart(int partNumber, String etag, Map<String, String> checksums) {
        CompletedPart(int partNumber, String etag) {
            this(partNumber, etag, Map.of());
        }
    }

    static final long MIN_PART_SIZE = 5L << 20;

    /**
     * Commits the requested parts as one object. With a checksum algorithm on the upload, each part's
     * checksum given in the request must match the stored one (InvalidPart), and the object's checksum
     * is made from the parts' ones: COMPOSITE, the checksum of their concatenated binary values with
     * suffix -N; FULL_OBJECT, the CRC of the whole object combined from the part CRCs.
     *
     * @param declared the request's x-amz-checksum-* header: the object checksum the client computed (COMPOSITE with or without its -N suffix)
     */
    public CompletedUpload complete(BucketName bucket, ObjectKey key, String uploadId, List<CompletedPart> requested,
                           Map<ChecksumAlgorithm, String> declared) {
        return complete(bucket, key, uploadId, requested, declared, WriteCondition.NONE);
    }

    /**
     * As {@link #complete(BucketName, ObjectKey, String, List, Map)}, made on {@code condition}
     * (checked in the commit's step; a failed one leaves the upload in progress). A Complete of an
     * upload already completed within {@link io.strata.namespace.Namespace#COMPLETED_UPLOAD_RETENTION}
     * with the same part list is answered with that completion's result, as AWS answers a retried
     * Complete whose first response was lost; with another part list it is NoSuchUpload.
     */
    public CompletedUpload complete(BucketName bucket, ObjectKey key, String uploadId, List<CompletedPart> requested,
                           Map<ChecksumAlgorithm, String> declared, WriteCondition condition) {
        String digest = requestDigest(requested);
        Optional<MultipartUpload> found = namespace.upload(bucket, key, uploadId);
        if (found.isEmpty()) return repeatedCompletion(bucket, key, uploadId, digest);
        MultipartUpload upload = found.get();
        Optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithm.parse(upload.checksumAlgorithm());
        ChecksumType checksumType = upload.checksumType();
        List<String> partChecksums = new ArrayList<>(requested.size());
        Map<Integer, Part> parts = new TreeMap<>();
        int after = 0;
        while (true) {
            List<Part> page = namespace.parts(bucket, key, uploadId, after, 1000);
            for (Part p : page) parts.put(p.partNumber(), p);
            if (page.size() < 1000) break;
            after = page.getLast().partNumber();
        }
        if (requested.isEmpty()) {
            throw new ObjectException(ObjectException.Reason.NO_PARTS, "You must specify at least one part.");
        }
        List<Segment> segments = new ArrayList<>(requested.size());
        byte[] md5s = new byte[16 * requested.size()];
        long size = 0;
        int previous = 0;
        for (int i = 0; i < requested.size(); i++) {
            CompletedPart want = requested.get(i);
            if (want.partNumber() <= previous) {
                throw new ObjectException(ObjectException.Reason.INVALID_PART_ORDER);
            }
            previous = want.partNumber();
            Part part = parts.get(want.partNumber());
            String etag = unquote(want.etag());
            if (part == null || !part.etag().equalsIgnoreCase(etag)) {
                throw new ObjectException(ObjectException.Reason.INVALID_PART).with("PartNumber", Integer.toString(want.partNumber()))
                        .with("ETag", etag);
            }
            for (var c : want.checksums().entrySet()) {
                String stored = part.checksums().get(c.getKey());
                if (stored != null && !stored.equals(c.getValue())
                        || stored == null && algorithm.isPresent()) {
                    throw new ObjectException(ObjectException.Reason.INVALID_PART).with("PartNumber", Integer.toString(want.partNumber()))
                            .with("ETag", etag);
                }
            }
            if (algorithm.isPresent()) {
                String name = algorithm.get().name();
                if (checksumType == ChecksumType.COMPOSITE && !want.checksums().containsKey(name)) {
                    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
                    throw new ObjectException(ObjectException.Reason.MISSING_PART_CHECKSUM, "The upload was created using a "
                            + name.toLowerCase(java.util.Locale.ROOT) + " checksum. The complete request must include the "
                            + "checksum for each part. It was missing for part " + want.partNumber() + " in the request.");
                }
                String stored = part.checksums().get(name);
                if (stored == null) {
                    // Only parts stored before their upload could carry an algorithm lack it; no such data exists.
                    throw new ObjectException(ObjectException.Reason.INVALID_PART).with("PartNumber", Integer.toString(want.partNumber()));
                }
                partChecksums.add(stored);
            }
            if (i < requested.size() - 1 && part.size() < MIN_PART_SIZE) {
                throw new ObjectException(ObjectException.Reason.ENTITY_TOO_SMALL).with("PartNumber", Integer.toString(part.partNumber()))
                        .with("ProposedSize", Long.toString(part.size())).with("MinSizeAllowed", Long.toString(MIN_PART_SIZE));
            }
            System.arraycopy(HexFormat.of().parseHex(part.etag()), 0, md5s, 16 * i, 16);
            if (part.size() > 0) segments.add(part.segment());
            size += part.size();
        }
        String etag = HexFormat.of().formatHex(md5(md5s)) + "-" + requested.size();
        Map<String, String> checksums = Map.of();
        List<Map<String, String>> perPart = List.of();
        if (algorithm.isPresent()) {
            String name = algorithm.get().name();
            perPart = partChecksums.stream().map(c -> Map.of(name, c)).toList();
            ChecksumAlgorithm a = algorithm.get();
            String value;
            if (checksumType == ChecksumType.FULL_OBJECT) {
                value = partChecksums.getFirst();
                for (int i = 1; i < partChecksums.size(); i++) {
                    value = a.combine(value, partChecksums.get(i), parts.get(requested.get(i).partNumber()).size());
                }
            } else {
                value = a.composite(partChecksums) + "-" + requested.size();
            }
            String claimed = declared.get(a);
            // A COMPOSITE value may be declared with its -N suffix (boto3, s3-tests) or without it.
            boolean matches = claimed == null || claimed.equals(value)
                    || checksumType == ChecksumType.COMPOSITE && (claimed + "-" + requested.size()).equals(value);
            if (!matches) {
                throw new ObjectException(ObjectException.Reason.BAD_DIGEST, "The " + a + " you specified did not match the calculated checksum.");
            }
            checksums = Map.of(a.name(), value);
        }
        ObjectVersion committed;
        ObjectVersion version = new ObjectVersion(bucket, key, ObjectVersion.NULL_VERSION, size, etag,
                clock.instant(), upload.contentType(), upload.headers(), upload.userMetadata(), checksums,
                requested.size(), segments, false, perPart, upload.attributes());
        try {
            committed = commit(null, () -> namespace.completeUpload(uploadId, version, condition, digest).version());
        } catch (IllegalArgumentException e) {
            // A part was replaced by a concurrent UploadPart after we read the part list.
            throw new ObjectException(ObjectException.Reason.INVALID_PART, "A part changed while the upload was being completed; retry.");
        } catch (NamespaceException e) {
            // A concurrent Complete of the same upload (a client's retry racing its first try) won.
            if (e.reason() == NamespaceException.Reason.UPLOAD_NOT_FOUND) {
                return repeatedCompletion(bucket, key, uploadId, digest);
            }
            throw e;
        }
        signalCleaner();
        return new CompletedUpload(bucket, key, uploadId, committed.lastModified(), committed.versionId(),
                committed.etag(), committed.checksums(), committed.checksumType(), digest);
    }

    /** The recorded result of an upload completed with the same request, else NoSuchUpload. */
    private CompletedUpload repeatedCompletion(BucketName bucket, ObjectKey key, String uploadId, String digest) {
        return namespace.completedUpload(bucket, key, uploadId)
                .filter(done -> done.requestDigest().equals(digest))
                .orElseThrow(() -> noSuchUpload(uploadId));
    }

    /**
     * What identifies a Complete request: SHA-256 over its parts' numbers and ETags, in order (the
     * part checksums are bound to those ETags). A retry sends the same list; another list is another
     * request, which after completion is NoSuchUpload.
     */
    static String requestDigest(List<CompletedPart> requested) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        for (CompletedPart p : requested) {
            sha.update((p.partNumber() + ":" + unquote(p.etag()).toLowerCase(java.util.Locale.ROOT) + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public void abort(BucketName bucket, ObjectKey key, String uploadId) {
        try {
            namespace.abortUpload(bucket, key, uploadId);
        } catch (NamespaceException e) {
            if (e.reason() == NamespaceException.Reason.UPLOAD_NOT_FOUND) throw noSuchUpload(uploadId);
            throw e;
        }
        signalCleaner();
    }

    // ---- lifecycle: the worker's deletes take the client delete paths, so data leaves through the garbage queue

    @Override
    public Optional<LifecycleConfiguration> lifecycle(BucketName bucket) {
        return lifecycleLookup.apply(bucket);
    }

    @Override
    public boolean expireCurrent(ObjectVersion current) {
        boolean done = lifecycleActions.expireCurrent(current);
        if (done) signalCleaner();
        return done;
    }

    @Override
    public boolean deleteVersion(ObjectVersion version) {
        boolean done = lifecycleActions.deleteVersion(version);
        if (done) signalCleaner();
        return done;
    }

    @Override
    public boolean abortUpload(MultipartUpload upload) {
        boolean done = lifecycleActions.abortUpload(upload);
        if (done) signalCleaner();
        return done;
    }

    @Override
    public boolean transition(ObjectVersion version, String storageClass) {
        // A prefix pinned hot stays hot: lifecycle rules and watermark eviction both come through here.
        if (placement.keepsHot(version)) return false;
        boolean moved = mover.toCold(version, storageClass) == TierMover.Outcome.MOVED;
        signalCleaner();
        return moved;
    }

    // ---- internals

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static ObjectException noSuchUpload(String uploadId) {
        return new ObjectException(ObjectException.Reason.NO_SUCH_UPLOAD).with("UploadId", uploadId);
    }

    public Bucket requireBucket(BucketName bucket) {
        return namespace.bucket(bucket).orElseThrow(() ->
                new ObjectException(ObjectException.Reason.NO_SUCH_BUCKET).resource("/" + bucket)
                        .with("BucketName", bucket.value()));
    }

    /**
     * Streams the body into the hot tier, hashing on the same pass, then checks every declared
     * digest. On any failure the written blob is freed and nothing becomes visible.
     */
    private Stored store(InputStream body, long length, Expectations expect, BlobOwner owner) {
        Set<ChecksumAlgorithm> algorithms = java.util.EnumSet.noneOf(ChecksumAlgorithm.class);
        algorithms.addAll(expect.checksums().keySet());
        algorithms.addAll(expect.compute());
        // An aws-chunked body sums its bytes with the trailing checksum's algorithm, and a signed payload
        // with SHA-256, and compares the sum with the request's value before it hands out the last byte;
        // summing them here too was a second pass over every byte (about 0.6 ms of CPU per MiB for SHA-256).
        Set<ChecksumAlgorithm> fromBody = java.util.EnumSet.noneOf(ChecksumAlgorithm.class);
        for (ChecksumAlgorithm a : expect.checkedByBody()) {
            if (algorithms.remove(a)) fromBody.add(a);
        }
        // Below a few stripes the hand-off to other threads costs more than the digests themselves.
        HashingInputStream hashing = length >= PIPELINED_HASHING_MIN
                ? HashingInputStream.pipelined(body, algorithms) : new HashingInputStream(body, algorithms);
        BlobLocation location = null;
        byte[] inline = null;
        try {
            if (length > 0 && length <= inlineThreshold) {
                // Bounded by the threshold (at most MAX_INLINE_THRESHOLD), so holding it whole is fine.
                inline = new byte[(int) length];
                hashing.readNBytes(inline, 0, inline.length);
            } else if (length > 0) {
                location = store.write(hashing, length, owner);
                pins.pin(location); // until commit() or free(): see OrphanCollector
            }
            // Reading past the declared length ends the stream: this is where aws-chunked trailers and
            // a signed payload's SHA-256 are verified. Extra bytes mean the client lied about the length.
            if (hashing.read() >= 0) {
                throw new ObjectException(ObjectException.Reason.BODY_TOO_LONG, "The request body is longer than its declared length.");
            }
            if (hashing.count() != length) {
                throw new ObjectException(ObjectException.Reason.INCOMPLETE_BODY);
            }
            byte[] md5 = hashing.md5();
            if (expect.contentMd5().isPresent() && !java.security.MessageDigest.isEqual(md5, expect.contentMd5().get())) {
                throw new ObjectException(ObjectException.Reason.BAD_DIGEST, "The Content-MD5 you specified did not match what we received.");
            }
            Map<ChecksumAlgorithm, String> computed = new EnumMap<>(ChecksumAlgorithm.class);
            computed.putAll(hashing.checksums());
            if (!fromBody.isEmpty()) {
                // The body has ended, so its values arrived and matched the bytes (it throws otherwise).
                Map<ChecksumAlgorithm, String> checked = expect.bodyChecksums().get();
                for (ChecksumAlgorithm a : fromBody) {
                    String value = checked.get(a);
                    if (value == null) throw new IllegalStateException("the body ended without the " + a + " it checks");
                    computed.put(a, value);
                }
            }
            for (var e : expect.checksums().entrySet()) {
                if (!e.getValue().equals(computed.get(e.getKey()))) {
                    throw new ObjectException(ObjectException.Reason.BAD_DIGEST, "The " + e.getKey() + " you specified did not match the calculated checksum.");
                }
            }
            Map<String, String> checksums = new TreeMap<>();
            computed.forEach((a, v) -> checksums.put(a.name(), v));
            Segment segment = inline != null ? new Segment(length, DataRef.Inline.encode(inline, 0, inline.length))
                    : location == null ? null : new Segment(length, location.encode());
            return new Stored(segment, HexFormat.of().formatHex(md5), Collections.unmodifiableMap(checksums));
        } catch (IOException e) {
            free(location);
            throw new ObjectException(ObjectException.Reason.INCOMPLETE_BODY, "Reading the request body failed: " + e.getMessage());
        } catch (RuntimeException e) {
            free(location);
            throw e;
        } finally {
            hashing.release();
        }
    }

    /** Runs the namespace commit; if it fails, the already stored segment is queued for freeing. */
    private <T> T commit(Segment segment, Supplier<T> commit) {
        try {
            return commit.get();
        } catch (NamespaceException e) {
            if (segment != null) {
                try {
                    namespace.addGarbage(List.of(segment));
                } catch (RuntimeException again) {
                    LOG.warn("could not queue garbage for uncommitted blob: {}", again.toString());
                }
            }
            throw e;
        } finally {
            pins.unpin(segment); // committed, queued as garbage, or leaked: the orphan collector's turn
        }
    }

    private void free(BlobLocation location) {
        if (location == null) return;
        try {
            store.delete(location);
        } catch (RuntimeException e) {
            LOG.warn("could not free blob of a failed write, queueing it: {}", e.toString());
            try {
                namespace.addGarbage(List.of(new Segment(location.size(), location.encode())));
            } catch (RuntimeException again) {
                LOG.error("blob of a failed write leaked (the orphan collector will remove it): {}", again.toString());
            }
        } finally {
            pins.unpin(location);
        }
    }

    /** Wakes the garbage cleaner (after work outside this class queued garbage). */
    public void signalCleanerNow() {
        signalCleaner();
    }

    private void signalCleaner() {
        cleanerLock.lock();
        try {
            garbageAdded.signalAll();
        } finally {
            cleanerLock.unlock();
        }
    }

    private void cleanLoop() {
        while (!closing) {
            try {
                List<GarbageItem> items = namespace.garbage(256);
                if (!items.isEmpty()) {
                    List<GarbageItem> done = new ArrayList<>(items.size());
                    List<Segment> retry = new ArrayList<>();
                    for (GarbageItem item : items) {
                        if (!free(item)) retry.add(item.segment());
                        done.add(item);
                    }
                    // A cold tier that is down, or a blob still being read, must not hold up freeing the
                    // rest: its items go to the back of the queue (added before the originals are
                    // removed, so none is lost).
                    namespace.addGarbage(retry);
                    namespace.removeGarbage(done);
                    if (retry.size() == items.size()) Thread.sleep(COLD_RETRY_PAUSE_MS);
                    continue;
                }
                cleanerLock.lock();
                try {
                    if (!closing) garbageAdded.await(2, TimeUnit.SECONDS);
                } finally {
                    cleanerLock.unlock();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closing) return;
                LOG.warn("garbage cleaner: {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static final long COLD_RETRY_PAUSE_MS = 5_000;

    /** Cleaner thread only. */
    private final WarningLimiter coldDeleteWarnings = new WarningLimiter(TimeUnit.MINUTES.toNanos(10), System::nanoTime);

    /**
     * At most one warning per key and interval, carrying how many failures it stands for: a tier
     * that is down, or was removed with {@code --force} while deletions of its copies were queued,
     * fails every one of them every few seconds, and each used to log a line. Not thread-safe.
     */
    static final class WarningLimiter {
        private final long intervalNanos;
        private final java.util.function.LongSupplier nanoClock;
        private final Map<String, long[]> byKey = new HashMap<>(); // key -> {failures since last warning, time of it}

        WarningLimiter(long intervalNanos, java.util.function.LongSupplier nanoClock) {
            this.intervalNanos = intervalNanos;
            this.nanoClock = nanoClock;
        }

        /** Counts a failure; returns the failures to report now (this one included), or 0 to stay quiet. */
        long failed(String key) {
            long now = nanoClock.getAsLong();
            long[] state = byKey.get(key);
            if (state == null) {
                byKey.put(key, new long[] {0, now});
                return 1; // the first one is reported at once
            }
            state[0]++;
            if (now - state[1] < intervalNanos) return 0;
            long failures = state[0];
            state[0] = 0;
            state[1] = now;
            return failures;
        }
    }

    /** Frees one garbage item's data; false if it must be retried later (its cold tier failed, or a read holds it). */
    private boolean free(GarbageItem item) {
        DataRef ref;
        try {
            ref = DataRef.decode(item.segment().ref());
        } catch (IllegalArgumentException e) {
            LOG.warn("garbage item {} holds no known reference, dropped", item.id());
            return true;
        }
        switch (ref) {
            case DataRef.Hot hot -> {
                // A blob a reader is streaming is freed once it is done (see ReadLeases).
                if (!reads.tryFree(hot.location().id())) return false;
                try {
                    store.delete(hot.location());
                } finally {
                    reads.freed(hot.location().id());
                }
            }
            case DataRef.Cold cold -> {
                try {
                    mover.freeIfCold(item);
                } catch (io.strata.tiering.TierException e) {
                    String tier = cold.head().map(DataRef.ColdName::tier).orElse("?");
                    long failed = coldDeleteWarnings.failed(tier);
                    if (failed > 0) {
                        LOG.warn("cannot delete cold copies on tier {} yet: {} failed since the last warning; they stay queued "
                                + "and are retried every {} s: {}", tier, failed, COLD_RETRY_PAUSE_MS / 1000, e.getMessage());
                    }
                    return false;
                }
            }
            case DataRef.Inline inline -> { }
            case DataRef.Empty empty -> { }
            // The bytes are the repository's, never this gateway's to delete.
            case DataRef.Snapshot snapshot -> { }
        }
        return true;
    }

    public static String unquote(String etag) {
        String s = etag == null ? "" : etag.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
        return s;
    }

    public static byte[] md5(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closing = true;
        signalCleaner();
        Thread c = cleaner;
        if (c == null) return;
        c.interrupt();
        try {
            c.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
