package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository contract on a local directory, plus its path rules. */
class LocalDirectoryRepositoryTest extends RepositoryContractTest {
    @TempDir
    Path dir;

    @Override
    SnapshotRepository createRepository() {
        return LocalDirectoryRepository.create(dir.resolve("repo"));
    }

    @Test
    void pathsLeavingTheRootAreRefused() {
        byte[] data = bytes(8, 10);
        for (String p : List.of("../escape", "data/../../x", "/abs", "a//b", "a/./b", "dir/")) {
            SnapshotException e = assertThrows(SnapshotException.class,
                    () -> repo.putIfAbsent(p, source(data), single(data, Map.of())), p);
            assertEquals(SnapshotException.Reason.INVALID, e.reason());
        }
    }

    @Test
    void aDeclaredChecksumThatDiffersIsRefused() throws Exception {
        byte[] data = bytes(9, 100);
        SnapshotException e = assertThrows(SnapshotException.class, () -> repo.putIfAbsent("data/b/k/@v",
                source(data), single(data, Map.of("CRC32", "AAAAAA=="))));
        assertEquals(SnapshotException.Reason.CORRUPT, e.reason());
    }

    @Test
    void abandonAlsoRemovesTheTemporaryFilesOfKilledCreatesOfThatObjectOnly() throws Exception {
        byte[] data = bytes(10, 10);
        repo.putIfAbsent("data/b/k/a", source(data), single(data, Map.of()));
        Path objectDir = dir.resolve("repo/data/b/k");
        Path own = java.nio.file.Files.writeString(objectDir.resolve("a.0123456789abcdef.strata-tmp"), "killed");
        Path other = java.nio.file.Files.writeString(objectDir.resolve("a.b.0123456789abcdef.strata-tmp"), "another object's");

        repo.abandon("data/b/k/a");

        assertEquals(List.of(other), java.nio.file.Files.list(objectDir).toList());
        assertEquals(false, java.nio.file.Files.exists(own));
    }
}
