package io.strata.erasure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the committed shard files of every drive, one fan-out directory ({@code blobs/b0/b1}) at a
 * time across all drives, and reports each blob once with a location rebuilt from its shard
 * headers and the drives its files were found on. Memory: the file names of one fan-out directory
 * on every drive. Used by one thread at a time (a new instance per walk).
 *
 * <p>Where a shard file is missing everywhere, its drive is taken from the placement in the shard
 * headers (version 2) or, for version-1 headers, from the rotation rule of
 * {@link DriveErasureStore}, trying the current drive count first and then smaller ones (the drive list may only grow), the
 * first that agrees with every shard found.
 */
final class BlobInventory {
    private static final Logger LOG = LoggerFactory.getLogger(BlobInventory.class);

    private final DriveErasureStore store;
    private final List<Drive> drives;
    private final boolean[] failed;

    /** Shard files and segment records of one blob found so far. */
    private static final class Found {
        final Map<Integer, Integer> driveOfShard = new TreeMap<>();
        /** Segment records by shard; empty for a blob of shard files. */
        final Map<Integer, SegmentRef> refs = new TreeMap<>();
        /** The header of one of its segment records (they carry placement and owner), else null. */
        ShardHeader header;
        long newestMillis = Long.MIN_VALUE;
    }

    /** Blobs with segment records, by id, not yet reported. */
    private final TreeMap<String, Found> segmentBlobs = new TreeMap<>();

    BlobInventory(DriveErasureStore store, List<Drive> drives) {
        this.store = store;
        this.drives = drives;
        this.failed = new boolean[drives.size()];
    }

    /**
     * Reports every blob once, merging segment records with shard files (heal writes a rebuilt
     * shard of a segment blob as a file). Segment blobs are gathered first, from record headers
     * alone: memory is one small entry per segment blob, on top of one fan-out directory.
     */
    void walk(Consumer<? super StoredBlob> action) {
        collectSegments();
        TreeSet<String> level1s = union(null);
        for (String hex : segmentBlobs.keySet()) level1s.add(hex.substring(0, 2));
        for (String level1 : level1s) {
            TreeSet<String> level2s = union(level1);
            for (String hex : segmentBlobs.subMap(level1, level1 + "g").keySet()) level2s.add(hex.substring(2, 4));
            for (String level2 : level2s) {
                walkLeaf(level1, level2, action);
            }
        }
    }

    /** Gathers the live segment records of every drive in service, by blob. */
    private void collectSegments() {
        for (Drive drive : drives) {
            if (skip(drive)) continue;
            try {
                store.segments(drive.index()).forEachLive(record -> {
                    ShardHeader header = record.header();
                    Found found = segmentBlobs.computeIfAbsent(header.blobId().hex(), k -> new Found());
                    if (found.header == null) found.header = header;
                    if (found.refs.putIfAbsent(header.shardIndex(), record.ref()) == null) {
                        found.driveOfShard.putIfAbsent(header.shardIndex(), drive.index());
                    }
                    found.newestMillis = Math.max(found.newestMillis, record.writeTimeMillis());
                });
            } catch (IOException e) {
                driveFailed(drive, e);
            }
        }
    }

    /** Sorted names of the two-hex-digit directories under {@code blobs/} (or {@code blobs/level1}) on any drive. */
    private TreeSet<String> union(String level1) {
        TreeSet<String> names = new TreeSet<>();
        for (Drive drive : drives) {
            if (skip(drive)) continue;
            Path dir = level1 == null ? drive.blobsDir() : drive.blobsDir().resolve(level1);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.length() == 2 && isHex(name)) names.add(name);
                }
            } catch (NoSuchFileException e) {
                if (level1 == null) driveFailed(drive, e);
            } catch (IOException e) {
                driveFailed(drive, e);
            }
        }
        return names;
    }

    private void walkLeaf(String level1, String level2, Consumer<? super StoredBlob> action) {
        String prefix = level1 + level2;
        java.util.SortedMap<String, Found> inSegments = segmentBlobs.subMap(prefix, prefix + "g");
        TreeMap<String, Found> blobs = new TreeMap<>(inSegments);
        inSegments.clear();
        for (Drive drive : drives) {
            if (skip(drive)) continue;
            Path dir = drive.blobsDir().resolve(level1).resolve(level2);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    int dot = name.indexOf('.');
                    if (dot != 32 || !isHex(name.substring(0, 32))) continue;
                    int shard;
                    try {
                        shard = Integer.parseInt(name.substring(33));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    if (shard < 0 || shard > 255) continue;
                    BasicFileAttributes attributes;
                    try {
                        attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                    } catch (NoSuchFileException e) {
                        continue; // deleted while we listed
                    }
                    if (!attributes.isRegularFile()) continue;
                    Found found = blobs.computeIfAbsent(name.substring(0, 32), k -> new Found());
                    found.driveOfShard.putIfAbsent(shard, drive.index());
                    found.newestMillis = Math.max(found.newestMillis, attributes.lastModifiedTime().toMillis());
                }
            } catch (NoSuchFileException e) {
                // this drive has no blob in this fan-out directory
            } catch (IOException e) {
                driveFailed(drive, e);
            }
        }
        for (Map.Entry<String, Found> entry : blobs.entrySet()) {
            StoredBlob blob = describe(entry.getKey(), entry.getValue());
            if (blob != null) action.accept(blob);
        }
    }

    /** The blob as a location, or null when none of its shard headers can be read. */
    private StoredBlob describe(String hex, Found found) {
        BlobId id = new BlobId(HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32));
        ShardHeader header = found.header;
        for (Map.Entry<Integer, Integer> shard : found.driveOfShard.entrySet()) {
            if (header != null) break;
            ShardHeader h = readHeader(drives.get(shard.getValue()), id, shard.getKey());
            if (h != null && h.blobId().equals(id) && h.shardIndex() == shard.getKey()) {
                header = h;
                break;
            }
        }
        if (header == null) {
            LOG.warn("inventory: no readable shard header for blob {} (shards {}), skipped", hex, found.driveOfShard.keySet());
            return null;
        }
        int total = header.dataShards() + header.parityShards();
        found.driveOfShard.keySet().removeIf(shard -> shard >= total);
        int[] placement = placement(id, header, found.driveOfShard, total);
        ErasureBlobLocation location;
        try {
            SegmentRef[] refs = null;
            if (!found.refs.isEmpty()) {
                refs = new SegmentRef[total];
                for (Map.Entry<Integer, SegmentRef> ref : found.refs.entrySet()) {
                    if (ref.getKey() < total) refs[ref.getKey()] = ref.getValue();
                }
            }
            location = new ErasureBlobLocation(id, header.blobSize(), header.dataShards(), header.parityShards(),
                    header.blockSize(), placement, refs);
        } catch (IllegalArgumentException e) {
            LOG.warn("inventory: blob {} has an impossible layout ({}), skipped", hex, e.getMessage());
            return null;
        }
        return new StoredBlob(location, header.owner(), Instant.ofEpochMilli(found.newestMillis), found.driveOfShard.size());
    }

    private int[] placement(BlobId id, ShardHeader header, Map<Integer, Integer> found, int total) {
        int[] recorded = header.placement();
        if (recorded != null && agrees(recorded, found)) return recorded;
        for (int count = drives.size(); count >= total; count--) {
            int[] candidate = DriveErasureStore.placement(id, count, total);
            if (agrees(candidate, found)) return candidate;
        }
        // Files were moved by hand: keep what was found and give the missing shards free drives.
        int[] placement = new int[total];
        Arrays.fill(placement, -1);
        boolean[] used = new boolean[drives.size()];
        for (Map.Entry<Integer, Integer> e : found.entrySet()) {
            if (!used[e.getValue()]) {
                placement[e.getKey()] = e.getValue();
                used[e.getValue()] = true;
            }
        }
        int next = 0;
        for (int shard = 0; shard < total; shard++) {
            if (placement[shard] >= 0) continue;
            while (next < used.length && used[next]) next++;
            if (next == used.length) return DriveErasureStore.placement(id, drives.size(), total);
            placement[shard] = next;
            used[next] = true;
        }
        LOG.warn("inventory: shards of blob {} are not where any placement puts them: {}", id, Arrays.toString(placement));
        return placement;
    }

    private static boolean agrees(int[] placement, Map<Integer, Integer> found) {
        if (placement.length == 0) return false;
        for (Map.Entry<Integer, Integer> e : found.entrySet()) {
            if (e.getKey() >= placement.length || placement[e.getKey()] != e.getValue()) return false;
        }
        return true;
    }

    private ShardHeader readHeader(Drive drive, BlobId id, int shard) {
        try (FileChannel channel = FileChannel.open(drive.shardPath(id, shard), StandardOpenOption.READ)) {
            return ShardHeader.read(channel);
        } catch (IOException e) {
            return null;
        }
    }

    private boolean skip(Drive drive) {
        return failed[drive.index()] || !store.usable(drive.index());
    }

    private void driveFailed(Drive drive, IOException e) {
        failed[drive.index()] = true;
        LOG.warn("inventory: cannot list drive {}, left out of this walk: {}", drive, e.toString());
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

}
