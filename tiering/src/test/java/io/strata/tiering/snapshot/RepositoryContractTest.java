package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link SnapshotRepository} does; each implementation's test extends this. */
abstract class RepositoryContractTest {
    SnapshotRepository repo;

    abstract SnapshotRepository createRepository() throws Exception;

    @BeforeEach
    void open() throws Exception {
        repo = createRepository();
    }

    @AfterEach
    void closeRepository() {
        repo.close();
    }

    static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String md5(byte[] b, int off, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(b, off, len);
        return HexFormat.of().formatHex(md.digest());
    }

    static SnapshotRepository.Source source(byte[] data) {
        return (offset, length) -> new ByteArrayInputStream(data, (int) offset, (int) length);
    }

    static SnapshotRepository.Spec single(byte[] data, Map<String, String> checksums) throws Exception {
        return new SnapshotRepository.Spec(data.length, List.of(), "application/octet-stream", Map.of("a", "1"),
                Optional.of(md5(data, 0, data.length)), checksums, List.of());
    }

    static byte[] read(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void putIfAbsentCreatesAnObjectOnceAndNeverReplacesIt() throws Exception {
        byte[] first = bytes(1, 1000);
        SnapshotRepository.Stored stored = repo.putIfAbsent("data/b/k/@v1", source(first), single(first, Map.of()));
        assertTrue(stored.created());
        assertEquals(md5(first, 0, first.length), stored.etag());
        byte[] second = bytes(2, 1000);
        assertFalse(repo.putIfAbsent("data/b/k/@v1", source(second), single(second, Map.of())).created());
        assertArrayEquals(first, read(repo.get("data/b/k/@v1", 0, -1)));
        assertEquals(Optional.of(1000L), repo.size("data/b/k/@v1"));
    }

    @Test
    void putIfAbsentCheckedCreatesAnObjectFoundAbsentWithItsEtag() throws Exception {
        byte[] data = bytes(11, 2000);
        assertEquals(Optional.empty(), repo.size("data/b/k/@checked"));
        SnapshotRepository.Stored stored = repo.putIfAbsentChecked("data/b/k/@checked", source(data), single(data, Map.of()));
        assertTrue(stored.created());
        assertEquals(md5(data, 0, data.length), stored.etag());
        assertArrayEquals(data, read(repo.get("data/b/k/@checked", 0, -1)));
    }

    @Test
    void getReadsARangeAndAbsentObjectsAreNotFound() throws Exception {
        byte[] data = bytes(3, 5000);
        repo.putIfAbsent("ranges/x.ndjson.gz", source(data), single(data, Map.of()));
        assertArrayEquals(Arrays.copyOfRange(data, 100, 300), read(repo.get("ranges/x.ndjson.gz", 100, 200)));
        assertArrayEquals(Arrays.copyOfRange(data, 4000, 5000), read(repo.get("ranges/x.ndjson.gz", 4000, -1)));
        assertEquals(Optional.empty(), repo.size("ranges/absent"));
        SnapshotException e = assertThrows(SnapshotException.class, () -> read(repo.get("ranges/absent", 0, -1)));
        assertEquals(SnapshotException.Reason.NOT_FOUND, e.reason());
    }

    @Test
    void listsByPrefixInOrderAndDeleteIsIdempotent() throws Exception {
        byte[] data = bytes(4, 10);
        for (String p : List.of("snapshots/b.json", "snapshots/a.json", "ranges/r", "data/b/snapshots/@x")) {
            repo.putIfAbsent(p, source(data), single(data, Map.of()));
        }
        List<String> listed = new ArrayList<>();
        repo.list("snapshots/", listed::add);
        assertEquals(List.of("snapshots/a.json", "snapshots/b.json"), listed);
        repo.delete("snapshots/a.json");
        repo.delete("snapshots/a.json");
        listed.clear();
        repo.list("snapshots/", listed::add);
        assertEquals(List.of("snapshots/b.json"), listed);
    }

    @Test
    void aMultipartObjectIsStoredWithItsPartSizesAndGetsTheOriginalEtag() throws Exception {
        int part = 5 << 20;
        byte[] data = bytes(5, part + 1234);
        MessageDigest all = MessageDigest.getInstance("MD5");
        all.update(HexFormat.of().parseHex(md5(data, 0, part)));
        all.update(HexFormat.of().parseHex(md5(data, part, 1234)));
        String etag = HexFormat.of().formatHex(all.digest()) + "-2";
        SnapshotRepository.Stored stored = repo.putIfAbsent("data/b/big/@v", source(data),
                new SnapshotRepository.Spec(data.length, List.of((long) part, 1234L), "application/x-tar", Map.of(),
                        Optional.empty(), Map.of(), List.of()));
        assertEquals(etag, stored.etag());
        assertArrayEquals(data, read(repo.get("data/b/big/@v", 0, -1)));
    }

    @Test
    void bytesThatDoNotMatchTheirContentMd5AreRefusedAndNothingIsStored() throws Exception {
        byte[] data = bytes(6, 2000);
        SnapshotRepository.Spec wrong = new SnapshotRepository.Spec(data.length, List.of(), "text/plain", Map.of(),
                Optional.of(md5(bytes(7, 2000), 0, 2000)), Map.of(), List.of());
        SnapshotException e = assertThrows(SnapshotException.class, () -> repo.putIfAbsent("data/b/k/@bad", source(data), wrong));
        assertEquals(SnapshotException.Reason.CORRUPT, e.reason());
        assertEquals(Optional.empty(), repo.size("data/b/k/@bad"));
    }
}
