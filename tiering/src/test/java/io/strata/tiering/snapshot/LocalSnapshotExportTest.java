package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Export and read back through a local-directory repository, and by a reader that is not Strata's. */
class LocalSnapshotExportTest extends SnapshotExportContractTest {
    private static final Path SCRIPT = Path.of("..", "docs", "snapshot-verify.py");

    @Override
    SnapshotRepository createRepository() {
        return LocalDirectoryRepository.create(dir.resolve("repo"));
    }

    private record Run(int exit, String output) {
    }

    private static Run python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the verifier did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static boolean hasPython() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void anIndependentReaderFollowingTheFormatDocumentVerifiesTheSnapshotAndCatchesDamage() throws Exception {
        assumeTrue(hasPython(), "python3 is not installed");
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath().toString());
        fillPhotos();
        SnapshotExporter.Result r = export(SnapshotExporter.Options.DEFAULT, Optional.empty());
        String repoDir = dir.resolve("repo").toString();

        Run clean = python(repoDir, r.locator().toString());
        assertEquals(0, clean.exit(), clean.output());
        assertTrue(clean.output().contains(", 0 problems"), clean.output());

        // Damage one data object (same size): the independent reader must notice.
        Path object = dir.resolve("repo").resolve("data/plain/x");
        Path file;
        try (var files = Files.list(object)) {
            file = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 1;
        file.toFile().setWritable(true);
        Files.write(file, bytes);
        Run damaged = python(repoDir, r.locator().toString());
        assertEquals(1, damaged.exit(), damaged.output());
        assertTrue(damaged.output().contains("PROBLEM plain/x"), damaged.output());
    }
}
