package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Files fetched from snapshot repositories and checked, kept on local disk up to a byte bound with
 * the least recently used evicted: range files and whole data objects of attached snapshots. A file
 * enters the cache only after its fill (download and check) succeeded, by an atomic rename, so
 * what is in the cache has passed its check. One fetch per name at a time: a second reader of a
 * name being fetched waits for that fetch instead of downloading again.
 *
 * <p>Files live in {@code DIR/<group>/<name>} (a group per attached snapshot, removed whole when it
 * is detached). Readers get an open channel, not a path: an eviction deletes the name, and the
 * reader keeps reading the file it opened. A file larger than the bound is still served (it is
 * cached alone and evicted by the next fill). Survives restarts: files found at start are indexed
 * by their modification time. Thread-safe.
 */
public final class SnapshotCache {
    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,127}");
    private static final String TEMP = ".fill";

    /** Writes the file's bytes to {@code target} and checks them; throws (SnapshotException CORRUPT...) when they fail. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path target) throws IOException;
    }

    /**
     * Files held at most, whatever their bytes: the index is in memory (about 300 bytes a file), and
     * a byte bound alone lets tiny objects (a few dozen bytes each, say 10^6 of a restored bucket read
     * before hydration) grow it without end. About 30 MiB of heap at this bound.
     */
    public static final int DEFAULT_MAX_FILES = 100_000;

    private final Path dir;
    private final long maxBytes;
    private final int maxFiles;
    /** Access-ordered: the first entry is the least recently used. Guarded by this. */
    private final LinkedHashMap<Path, Long> files = new LinkedHashMap<>(16, 0.75f, true);
    private final ConcurrentHashMap<Path, CompletableFuture<Void>> filling = new ConcurrentHashMap<>();
    private long bytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong fetched = new AtomicLong();

    private SnapshotCache(Path dir, long maxBytes, int maxFiles) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxFiles = maxFiles;
    }

    /** As {@link #open(Path, long, int)} with at most {@value #DEFAULT_MAX_FILES} files. */
    public static SnapshotCache open(Path dir, long maxBytes) {
        return open(dir, maxBytes, DEFAULT_MAX_FILES);
    }

    /**
     * Opens (creating) the cache in {@code dir}, holding at most {@code maxBytes} and
     * {@code maxFiles} files, indexing the files a previous run left (the most recently used ones,
     * within both bounds; the others are deleted, found one at a time) and deleting unfinished fills.
     */
    public static SnapshotCache open(Path dir, long maxBytes, int maxFiles) {
        if (maxBytes <= 0) throw new IllegalArgumentException("cache bound must be positive: " + maxBytes);
        if (maxFiles <= 0) throw new IllegalArgumentException("cache file bound must be positive: " + maxFiles);
        SnapshotCache cache = new SnapshotCache(dir.toAbsolutePath().normalize(), maxBytes, maxFiles);
        try {
            Files.createDirectories(cache.dir);
            // The newest maxFiles files by modification time, oldest first at the head: a run that
            // left more (an older version had no file bound) costs this bound in memory, not its count.
            java.util.PriorityQueue<Found> found = new java.util.PriorityQueue<>(Comparator.comparing(Found::modified));
            try (DirectoryStream<Path> groups = Files.newDirectoryStream(cache.dir)) {
                for (Path g : groups) {
                    if (!Files.isDirectory(g)) continue;
                    try (DirectoryStream<Path> inGroup = Files.newDirectoryStream(g)) {
                        for (Path f : inGroup) {
                            if (f.getFileName().toString().endsWith(TEMP)) {
                                Files.deleteIfExists(f);
                                continue;
                            }
                            found.add(new Found(f, modified(f)));
                            if (found.size() > maxFiles) Files.deleteIfExists(found.poll().path());
                        }
                    }
                }
            }
            synchronized (cache) {
                while (!found.isEmpty()) {
                    Path f = found.poll().path();
                    long size = Files.size(f);
                    cache.files.put(f, size);
                    cache.bytes += size;
                }
                cache.evict(null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the snapshot cache " + dir, e);
        }
        return cache;
    }

    private record Found(Path path, FileTime modified) {
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * The file {@code name} of {@code group}, filled by {@code filler} unless cached, opened for reading.
     *
     * @throws SnapshotException what the filler threw (nothing is cached then), UNAVAILABLE on a local I/O failure
     */
    public FileChannel open(String group, String name, Filler filler) {
        Path file = file(group, name);
        while (true) {
            FileChannel cached = openCached(file);
            if (cached != null) {
                hits.incrementAndGet();
                return cached;
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> running = filling.putIfAbsent(file, mine);
            if (running != null) {
                // Someone fetches it now: wait for that fetch, then read what it cached (or fail as it did).
                try {
                    running.join();
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
                continue;
            }
            misses.incrementAndGet();
            try {
                fill(file, filler);
                mine.complete(null);
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                filling.remove(file, mine);
            }
        }
    }

    private synchronized FileChannel openCached(Path file) {
        if (files.get(file) == null) return null;
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            // Deleted behind our back (an operator cleaning up): fetch it again.
            bytes -= files.remove(file);
            return null;
        }
    }

    private void fill(Path file, Filler filler) {
        Path temp = file.resolveSibling(file.getFileName() + TEMP);
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(temp);
            filler.fill(temp);
            long size = Files.size(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fetched.addAndGet(size);
            synchronized (this) {
                Long old = files.put(file, size);
                bytes += size - (old == null ? 0 : old);
                evict(file);
            }
        } catch (IOException e) {
            throw new SnapshotException(Reason.UNAVAILABLE, "cannot cache " + file.getFileName() + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // an unfinished fill; the next open of the cache deletes it
            }
        }
    }

    /** Deletes least recently used files until the cache fits both bounds, never {@code keep} (the file just filled). */
    private void evict(Path keep) {
        Iterator<Map.Entry<Path, Long>> it = files.entrySet().iterator();
        while ((bytes > maxBytes || files.size() > maxFiles) && it.hasNext()) {
            Map.Entry<Path, Long> e = it.next();
            if (e.getKey().equals(keep)) continue;
            try {
                Files.deleteIfExists(e.getKey());
            } catch (IOException ignored) {
                // counted as gone; an undeletable file only costs disk
            }
            bytes -= e.getValue();
            it.remove();
        }
    }

    /** Drops one file (a cached copy found damaged): the next {@link #open} fetches it again. */
    public synchronized void invalidate(String group, String name) {
        Path file = file(group, name);
        Long size = files.remove(file);
        if (size != null) bytes -= size;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // no longer indexed: the next open fills it again over the old file
        }
    }

    /** Deletes every file of {@code group} (a detached snapshot's). */
    public synchronized void removeGroup(String group) {
        Path g = dir.resolve(checkName(group));
        files.entrySet().removeIf(e -> {
            if (!e.getKey().getParent().equals(g)) return false;
            bytes -= e.getValue();
            return true;
        });
        try {
            if (Files.isDirectory(g)) {
                try (var all = Files.walk(g)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the snapshot cache of " + group, e);
        }
    }

    private Path file(String group, String name) {
        return dir.resolve(checkName(group)).resolve(checkName(name));
    }

    private static String checkName(String s) {
        if (!NAME.matcher(s).matches() || s.endsWith(TEMP)) throw new IllegalArgumentException("not a cache name: " + s);
        return s;
    }

    /** Bytes held now. */
    public synchronized long bytes() {
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Files held now. */
    public synchronized int files() {
        return files.size();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    /** Bytes fetched from repositories (and cold tiers) into the cache since start (with a copy's block table). */
    public long fetchedBytes() {
        return fetched.get();
    }
}
