package io.strata.tiering.snapshot;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Runs a recorded snapshot export in its own JVM for {@link SnapshotExportCrashTest}, printing
 * "range VERSIONS" after each range file is recorded and "finished" at the end; the test kills it
 * with SIGKILL somewhere in between. Arguments: source directory, repository directory, work
 * directory, export id, range key bits.
 */
public final class SnapshotExportCrashChild {
    private SnapshotExportCrashChild() {
    }

    public static void main(String[] args) {
        SnapshotFixture fx = new SnapshotFixture(Path.of(args[0]));
        SnapshotRepository repo = LocalDirectoryRepository.create(Path.of(args[1]));
        SnapshotExports exports = new SnapshotExports(fx.namespace, name -> repo, fx.data, Path.of(args[2]),
                new SnapshotExporter.Options(false, Integer.parseInt(args[4]), 65_536), Clock.systemUTC());
        exports.resume(Long.parseLong(args[3]), c -> {
            System.out.println("range " + c.versions());
            System.out.flush();
        });
        System.out.println("finished");
        System.out.flush();
        fx.close();
    }
}
