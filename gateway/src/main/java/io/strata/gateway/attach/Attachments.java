package io.strata.gateway.attach;

import io.strata.gateway.config.DurableFiles;
import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.BucketVersioning;
import io.strata.tiering.S3ColdTierConfig;
import io.strata.tiering.snapshot.AttachedSnapshot;
import io.strata.tiering.snapshot.LocalDirectoryRepository;
import io.strata.tiering.snapshot.S3Repository;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.snapshot.SnapshotException.Reason;
import io.strata.tiering.snapshot.SnapshotHolds;
import io.strata.tiering.snapshot.SnapshotLocator;
import io.strata.tiering.snapshot.SnapshotRepository;
import io.strata.tiering.snapshot.SnapshotSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots this gateway serves as read-only buckets ({@code strata snapshot attach}), kept
 * durably: each attach is {@code DATA_DIR/snapshot-attach/registry/BUCKET.properties} (mode 0600:
 * it may hold an S3 repository's secret key), written before the attach answers and deleted by
 * detach, so an attach survives restarts. The bucket's record (name, creation time, region,
 * versioning) is kept there too: ListBuckets and HEAD never need the repository. The snapshot
 * itself is opened (its root read and checked) at attach, and after a restart on first use, again
 * on the next use if the repository could not be reached. Thread-safe.
 */
public final class Attachments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Attachments.class);
    public static final String DIR = "snapshot-attach";

    /** One attach as registered: where the snapshot is, which of its buckets, and the bucket it is served as. */
    public record Attachment(String bucket, String locator, Optional<String> source, String owner, Instant attached,
                             Instant created, String region, BucketVersioning versioning, Optional<String> accessKey,
                             Optional<String> secretKey, Optional<String> holdId) {
        public Bucket record() {
            return new Bucket(new BucketName(bucket), created, region, owner, versioning);
        }

        @Override
        public String toString() {
            return "Attachment[" + bucket + " from " + locator + "]";
        }
    }

    /** An attach that is served: its registration, and its snapshot once opened. */
    private static final class Served {
        final Attachment attachment;
        SnapshotRepository repository;
        AttachedSnapshot snapshot;

        Served(Attachment attachment) {
            this.attachment = attachment;
        }
    }

    private final Path registry;
    private final SnapshotSources sources;
    private final String region;
    private final String site;
    private final Map<String, Served> served = new TreeMap<>();

    private Attachments(Path registry, SnapshotSources sources, String region, String site) {
        this.site = site;
        this.registry = registry;
        this.sources = sources;
        this.region = region;
    }

    /**
     * Loads the registered attaches (their snapshots open on first use).
     *
     * @param site this site's id, which names the holds its attaches place in repositories
     */
    public static Attachments open(Path dataDir, SnapshotSources sources, String region, String site) {
        Path registry = dataDir.resolve(DIR).resolve("registry");
        Attachments a = new Attachments(registry, sources, region, site);
        try {
            Files.createDirectories(registry);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(registry, "*.properties")) {
                for (Path f : files) {
                    Attachment at = read(f);
                    a.served.put(at.bucket(), new Served(at));
                    LOG.info("attached snapshot served as bucket {}: {}", at.bucket(), at.locator());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attached snapshots in " + registry, e);
        }
        return a;
    }

    public SnapshotSources sources() {
        return sources;
    }

    /** Whether {@code bucket} is an attached snapshot. */
    public synchronized boolean isAttached(String bucket) {
        return served.containsKey(bucket);
    }

    public synchronized Optional<Attachment> attachment(String bucket) {
        return Optional.ofNullable(served.get(bucket)).map(s -> s.attachment);
    }

    public synchronized List<Attachment> list() {
        return served.values().stream().map(s -> s.attachment).toList();
    }

    /**
     * The snapshot served as {@code bucket}, opened on first use.
     *
     * @throws SnapshotException when it cannot be opened now (UNAVAILABLE: retried on the next call)
     */
    public Optional<AttachedSnapshot> snapshot(String bucket) {
        Served s;
        synchronized (this) {
            s = served.get(bucket);
            if (s == null) return Optional.empty();
        }
        synchronized (s) {
            if (s.snapshot == null) {
                Attachment a = s.attachment;
                SnapshotRepository repository = repository(SnapshotLocator.parse(a.locator()), a.accessKey(), a.secretKey(), region);
                try {
                    s.snapshot = AttachedSnapshot.open(a.bucket(), repository, SnapshotLocator.parse(a.locator()), a.source(),
                            sources.cache());
                } catch (RuntimeException e) {
                    repository.close();
                    throw e;
                }
                s.repository = repository;
                sources.register(a.bucket(), repository);
            }
            return Optional.of(s.snapshot);
        }
    }

    /**
     * Attaches the snapshot {@code locator} names as the read-only bucket {@code bucket}: reads and
     * checks its root, then registers it durably.
     *
     * @param exists whether a bucket of that name exists in the namespace (checked under this registry's lock)
     * @throws SnapshotException INVALID (bad locator, unknown bucket in the snapshot, an S3 repository
     *         without credentials), NOT_FOUND, LOCATOR_MISMATCH, UNKNOWN_FORMAT, CORRUPT, UNAVAILABLE
     * @throws AlreadyExists when the bucket name is taken
     */
    public Attachment attach(String locatorText, String bucket, Optional<String> source, String owner,
                             Optional<String> accessKey, Optional<String> secretKey, java.util.function.Predicate<String> exists) {
        new BucketName(bucket);
        SnapshotLocator locator = SnapshotLocator.parse(locatorText);
        synchronized (this) {
            if (served.containsKey(bucket) || exists.test(bucket)) throw new AlreadyExists(bucket);
        }
        SnapshotRepository repository = repository(locator, accessKey, secretKey, region);
        AttachedSnapshot snapshot;
        try {
            snapshot = AttachedSnapshot.open(bucket, repository, locator, source, sources.cache());
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
        Bucket b = snapshot.bucketRecord();
        byte[] random = new byte[6];
        new java.security.SecureRandom().nextBytes(random);
        String holdId = "attach-" + java.util.HexFormat.of().formatHex(random);
        Attachment a = new Attachment(bucket, locator.toString(), Optional.of(snapshot.source().name()), owner, Instant.now(),
                b.created(), b.region(), b.versioning(), accessKey, secretKey, Optional.of(holdId));
        try {
            // Before the bucket is served: the source's GC must keep what this site is about to read.
            SnapshotHolds.place(repository, site, holdId, snapshot.root().snapshot(), a.attached(), SnapshotHolds.Purpose.ATTACH);
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
        synchronized (this) {
            if (served.containsKey(bucket) || exists.test(bucket)) {
                releaseHold(repository, holdId);
                repository.close();
                throw new AlreadyExists(bucket);
            }
            try {
                write(registry.resolve(bucket + ".properties"), a);
            } catch (IOException e) {
                releaseHold(repository, holdId);
                repository.close();
                throw new UncheckedIOException("cannot register the attach of " + bucket, e);
            }
            Served s = new Served(a);
            s.snapshot = snapshot;
            s.repository = repository;
            served.put(bucket, s);
            sources.register(bucket, repository);
        }
        LOG.info("attached snapshot {} (bucket {}) as bucket {}", locator, snapshot.source().name(), bucket);
        return a;
    }

    /** Detaches {@code bucket}: forgets it durably and deletes its cached files. False if it was not attached. */
    public boolean detach(String bucket) {
        Served s;
        synchronized (this) {
            s = served.get(bucket);
            if (s == null) return false;
            try {
                Files.deleteIfExists(registry.resolve(bucket + ".properties"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot unregister the attach of " + bucket, e);
            }
            served.remove(bucket);
        }
        sources.unregister(bucket);
        synchronized (s) {
            Optional<String> hold = s.attachment.holdId();
            if (hold.isPresent()) {
                SnapshotRepository repository = s.repository;
                try {
                    if (repository == null) {
                        Attachment a = s.attachment;
                        repository = repository(SnapshotLocator.parse(a.locator()), a.accessKey(), a.secretKey(), region);
                    }
                    releaseHold(repository, hold.get());
                } finally {
                    if (repository != null) repository.close();
                }
            } else if (s.repository != null) {
                s.repository.close();
            }
        }
        LOG.info("detached snapshot bucket {}", bucket);
        return true;
    }

    /**
     * Removes a hold. A repository that cannot be reached keeps it (logged): a stale hold only makes
     * the source keep data longer, and must not keep an operator from detaching.
     */
    private void releaseHold(SnapshotRepository repository, String holdId) {
        try {
            SnapshotHolds.release(repository, site, holdId);
        } catch (RuntimeException e) {
            LOG.warn("cannot remove hold {} from snapshot repository {}: {}; remove it by hand once the source no longer needs it",
                    SnapshotHolds.path(site, holdId), repository.location(), e.getMessage());
        }
    }

    /** The bucket name is a bucket already, or an attached snapshot already. */
    public static final class AlreadyExists extends RuntimeException {
        AlreadyExists(String bucket) {
            super("bucket " + bucket + " exists already; attach the snapshot under another name", null, false, false);
        }
    }

    /**
     * The repository a locator names: {@code strata+file:///DIR} (which must exist), or
     * {@code strata+http(s)://HOST[:PORT]/BUCKET[/PREFIX]} with path-style addressing and the given keys.
     */
    static SnapshotRepository repository(SnapshotLocator locator, Optional<String> accessKey, Optional<String> secretKey,
                                         String region) {
        String location = locator.repository();
        URI uri;
        try {
            uri = URI.create(location.substring("strata+".length()));
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(Reason.INVALID, "not a repository location: " + location);
        }
        if (uri.getScheme().equals("file")) {
            Path dir = Path.of(uri);
            // create() would make a missing directory: a typo must be an error, not an empty repository.
            if (!Files.isDirectory(dir)) throw new SnapshotException(Reason.NOT_FOUND, "no snapshot repository directory " + dir);
            return LocalDirectoryRepository.create(dir);
        }
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            throw new SnapshotException(Reason.INVALID, "the S3 repository " + location + " needs --access-key and --secret-key");
        }
        String path = uri.getRawPath() == null ? "" : uri.getPath().replaceAll("^/+", "");
        int slash = path.indexOf('/');
        String bucket = slash < 0 ? path : path.substring(0, slash);
        String prefix = slash < 0 ? "" : path.substring(slash + 1).replaceAll("/+$", "");
        try {
            return S3Repository.create(S3ColdTierConfig.of(URI.create(uri.getScheme() + "://" + uri.getRawAuthority()), region,
                    bucket, prefix.isEmpty() ? "" : prefix + "/", accessKey.get(), secretKey.get(), true));
        } catch (IllegalArgumentException e) {
            throw new SnapshotException(Reason.INVALID, "not a repository location: " + location + ": " + e.getMessage());
        }
    }

    private static void write(Path file, Attachment a) throws IOException {
        Properties p = new Properties();
        p.setProperty("bucket", a.bucket());
        p.setProperty("locator", a.locator());
        a.source().ifPresent(s -> p.setProperty("source", s));
        p.setProperty("owner", a.owner());
        p.setProperty("attached", a.attached().toString());
        p.setProperty("created", a.created().toString());
        p.setProperty("region", a.region());
        p.setProperty("versioning", a.versioning().name());
        a.accessKey().ifPresent(k -> p.setProperty("access-key", k));
        a.secretKey().ifPresent(k -> p.setProperty("secret-key", k));
        a.holdId().ifPresent(h -> p.setProperty("hold", h));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "an attached snapshot (strata snapshot attach); strata snapshot detach removes it");
        DurableFiles.write(file, out.toByteArray(), true);
    }

    private static Attachment read(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
        }
        try {
            return new Attachment(required(p, "bucket", file), required(p, "locator", file),
                    Optional.ofNullable(p.getProperty("source")), required(p, "owner", file),
                    Instant.parse(required(p, "attached", file)), Instant.parse(required(p, "created", file)),
                    required(p, "region", file), BucketVersioning.valueOf(required(p, "versioning", file)),
                    Optional.ofNullable(p.getProperty("access-key")), Optional.ofNullable(p.getProperty("secret-key")),
                    Optional.ofNullable(p.getProperty("hold")));
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IOException(file + " is not a valid attach registration: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String name, Path file) throws IOException {
        String v = p.getProperty(name);
        if (v == null) throw new IOException(file + " lacks " + name);
        return v;
    }

    @Override
    public synchronized void close() {
        List<SnapshotRepository> open = new ArrayList<>();
        for (Served s : served.values()) {
            synchronized (s) {
                if (s.repository != null) open.add(s.repository);
            }
        }
        open.forEach(SnapshotRepository::close);
    }
}
