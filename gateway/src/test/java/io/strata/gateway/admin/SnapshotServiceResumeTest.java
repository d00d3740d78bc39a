package io.strata.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.gateway.config.SnapshotRepoSpec;
import io.strata.namespace.Namespace;
import io.strata.namespace.WorkItem;
import io.strata.tiering.snapshot.SnapshotExporter;
import io.strata.tiering.snapshot.SnapshotExports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a start does with the exports a stop or a crash left. */
class SnapshotServiceResumeTest {
    /**
     * The start decides which exports are due with the service's clock, then {@link SnapshotExports#resumeAll}
     * reads its own: an export whose retry time falls in between is run too, and must still be reported
     * (it was answered 404 once its record was gone, and was missing from the counters).
     */
    @Test
    void anExportThatBecomesDueWhileTheStartLooksIsReportedDoneAfterItRuns(@TempDir Path dir) throws Exception {
        Instant due = Instant.parse("2026-12-06T12:00:00Z");
        Path work = Files.createDirectories(dir.resolve("snapshot-work"));
        try (Namespace namespace = Namespace.open(dir.resolve("meta"));
             SnapshotRepositories repositories = new SnapshotRepositories(
                     List.of(SnapshotRepoSpec.local("local", dir.resolve("snapshots"))), dir)) {
            // The exports' clock is past the retry time; the service's is just before it.
            SnapshotExports exports = new SnapshotExports(namespace, repositories, (v, offset, length) -> {
                throw new AssertionError("no version to read");
            }, work, SnapshotExporter.Options.DEFAULT, Clock.fixed(due.plusMillis(1), ZoneOffset.UTC), Duration.ofMinutes(1));
            SnapshotExports.Export e = exports.start("local", List.of(), Optional.empty());
            WorkItem item = namespace.work(SnapshotExports.KIND, 10).getFirst();
            namespace.retryWork(item, due, "failed before the stop");

            SnapshotService service = new SnapshotService(namespace, repositories, exports, work, 2, "site-test",
                    Clock.fixed(due.minusMillis(1), ZoneOffset.UTC));
            try {
                service.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                Optional<Map<String, Object>> status = service.export(e.id());
                while (System.nanoTime() < deadline && (exports.export(e.id()).isPresent()
                        || status.isPresent() && !"done".equals(status.get().get("state")))) {
                    Thread.sleep(10);
                    status = service.export(e.id());
                }
                assertTrue(exports.export(e.id()).isEmpty(), "the export ran and ended");
                status = service.export(e.id());
                assertTrue(status.isPresent(), "the export that ran is still known to the service");
                assertEquals("done", status.get().get("state"), status.get().toString());
            } finally {
                service.close();
            }
        }
    }
}
