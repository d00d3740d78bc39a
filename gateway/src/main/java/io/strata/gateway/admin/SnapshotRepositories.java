package io.strata.gateway.admin;

import io.strata.gateway.config.DurableFiles;
import io.strata.gateway.config.SnapshotRepoSpec;
import io.strata.gateway.config.StrataConfig;
import io.strata.tiering.snapshot.SnapshotException;
import io.strata.tiering.snapshot.SnapshotExports;
import io.strata.tiering.snapshot.SnapshotRepository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The snapshot repositories a gateway knows by name: those of the configuration file
 * ({@code snapshots.repositories}, or the embedded default {@code local}) and those added with
 * {@code strata snapshot repo add}, kept in {@code DATA_DIR/snapshot-repos/NAME.properties} (mode
 * 0600: the file holds the secret key) and opened again at the next start. Exports record a
 * repository's name, never its secret, and find it here ({@link SnapshotExports.Repositories}).
 * Thread-safe; closes the repositories it opened.
 */
public final class SnapshotRepositories implements SnapshotExports.Repositories, AutoCloseable {
    public static final String DIR = "snapshot-repos";

    /** A repository with where its settings come from ({@code config} or {@code admin}). */
    public record Entry(SnapshotRepoSpec spec, SnapshotRepository repository, boolean configured) {
    }

    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Entry> entries = new TreeMap<>();

    /**
     * Opens the configured repositories and those added at run time before.
     *
     * @throws StrataConfig.ConfigException when a name is both configured and added, or a file is unreadable
     */
    public SnapshotRepositories(List<SnapshotRepoSpec> configured, Path dataDir) {
        this.dir = dataDir.resolve(DIR);
        try {
            for (SnapshotRepoSpec spec : configured) entries.put(spec.name(), new Entry(spec, spec.open(), true));
            for (SnapshotRepoSpec added : persisted(dir)) {
                if (entries.containsKey(added.name())) {
                    throw new StrataConfig.ConfigException("snapshots.repositories." + added.name(), "defined both in the "
                            + "configuration file and in " + dir + " (added with strata snapshot repo add); remove one");
                }
                entries.put(added.name(), new Entry(added, added.open(), false));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static List<SnapshotRepoSpec> persisted(Path dir) {
        List<SnapshotRepoSpec> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".properties")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".properties", "");
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(f)) {
                    p.load(in);
                }
                out.add(SnapshotRepoSpec.parse(name, k -> Optional.ofNullable(p.getProperty(k)), dir));
            }
        } catch (IOException e) {
            throw new StrataConfig.ConfigException(dir.toString(), "cannot read the snapshot repositories added at run time: "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new StrataConfig.ConfigException(dir.toString(), e.getMessage());
        }
        return out;
    }

    @Override
    public SnapshotRepository repository(String name) {
        return entry(name).repository();
    }

    /** @throws SnapshotException NOT_FOUND for an unknown name */
    public Entry entry(String name) {
        lock.lock();
        try {
            Entry e = entries.get(name);
            if (e == null) throw new SnapshotException(SnapshotException.Reason.NOT_FOUND, "No snapshot repository named " + name + ".");
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** Every repository, by name. */
    public List<Entry> list() {
        lock.lock();
        try {
            return List.copyOf(entries.values());
        } finally {
            lock.unlock();
        }
    }

    /** The repository whose locator spelling is {@code location}, if one is known. */
    public Optional<Entry> at(String location) {
        return list().stream().filter(e -> e.repository().location().equals(location)).findFirst();
    }

    /**
     * Opens {@code spec}, checks it works ({@link #probe}), keeps its settings (0600) and adds it.
     *
     * @throws IllegalStateException when the name is taken
     * @throws IllegalArgumentException naming what does not work (the store's answer, never a secret)
     */
    public Entry add(SnapshotRepoSpec spec) throws IOException {
        lock.lock();
        try {
            if (entries.containsKey(spec.name())) {
                throw new IllegalStateException("A snapshot repository named " + spec.name() + " exists already.");
            }
            SnapshotRepository repository;
            try {
                repository = spec.open();
            } catch (SnapshotException | IllegalArgumentException e) {
                throw new IllegalArgumentException("Snapshot repository " + spec.name() + " does not work: " + e.getMessage());
            }
            String problem = probe(repository);
            if (problem != null) {
                repository.close();
                throw new IllegalArgumentException("Snapshot repository " + spec.name() + " does not work: " + problem);
            }
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.putAll(spec.settings());
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            p.store(text, "snapshot repository added with strata snapshot repo add; holds a secret");
            DurableFiles.write(dir.resolve(spec.name() + ".properties"), text.toByteArray(), true);
            Entry e = new Entry(spec, repository, false);
            entries.put(spec.name(), e);
            return e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets a repository added at run time (its stored snapshots stay where they are).
     *
     * @throws SnapshotException NOT_FOUND for an unknown name
     * @throws IllegalStateException for a repository of the configuration file
     */
    public void remove(String name) throws IOException {
        lock.lock();
        try {
            Entry e = entry(name);
            if (e.configured()) {
                throw new IllegalStateException("Snapshot repository " + name + " comes from the configuration (the file's "
                        + "snapshots.repositories, or the embedded default 'local'); change it there.");
            }
            Files.deleteIfExists(dir.resolve(name + ".properties"));
            entries.remove(name);
            e.repository().close();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes, reads back and deletes a small probe object; null when all worked, else what failed.
     * Readers ignore paths the format does not name, so a probe left by a crash harms nothing.
     */
    static String probe(SnapshotRepository repository) {
        byte[] data = new byte[256];
        ThreadLocalRandom.current().nextBytes(data);
        String path = "strata-snap-probe." + HexFormat.of().formatHex(data, 0, 8);
        String md5;
        try {
            md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try {
            repository.putIfAbsent(path, (offset, length) -> new ByteArrayInputStream(data, (int) offset, (int) length),
                    SnapshotRepository.Spec.document(data.length, "application/octet-stream", md5));
            try (InputStream in = repository.get(path, 0, -1)) {
                if (!java.util.Arrays.equals(data, in.readAllBytes())) return "the probe object read back different bytes";
            }
            repository.delete(path);
            return null;
        } catch (SnapshotException | IOException e) {
            return e.getMessage();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (Entry e : entries.values()) {
                try {
                    e.repository().close();
                } catch (RuntimeException ignored) {
                    // Closing releases clients only; one failing must not keep the others open.
                }
            }
            entries.clear();
        } finally {
            lock.unlock();
        }
    }
}
