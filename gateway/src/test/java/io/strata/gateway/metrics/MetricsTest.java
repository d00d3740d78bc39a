package io.strata.gateway.metrics;

import io.strata.namespace.Bucket;
import io.strata.namespace.BucketName;
import io.strata.namespace.ChangeFeed;
import io.strata.namespace.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    @Test
    void changeLogHeadTrimMarkAndEachCursorsLagAreScraped(@TempDir Path dir) {
        try (Namespace ns = Namespace.open(dir.resolve("meta"))) {
            ChangeFeed feed = ns.changeFeed();
            feed.registerCursor("replication:\"west\"");
            feed.registerCursor("snapshot");
            for (String name : List.of("one", "two", "three")) {
                ns.createBucket(new Bucket(new BucketName(name), Instant.EPOCH, "us-east-1", "owner"));
            }
            feed.advanceCursor("snapshot", 2);
            feed.trim();
            Metrics metrics = new Metrics();
            metrics.changeLog(feed);

            List<String> lines = metrics.scrape().lines().filter(l -> l.startsWith("strata_changelog_")).toList();

            assertEquals(List.of(
                    "strata_changelog_head_sequence 3",
                    "strata_changelog_trimmed_through_sequence 0",
                    "strata_changelog_cursor_lag{cursor=\"replication:\\\"west\\\"\"} 3",
                    "strata_changelog_cursor_lag{cursor=\"snapshot\"} 1",
                    "strata_changelog_cursor_trimmed_past{cursor=\"replication:\\\"west\\\"\"} 0",
                    "strata_changelog_cursor_trimmed_past{cursor=\"snapshot\"} 0"), lines);
            assertTrue(metrics.scrape().contains("# TYPE strata_changelog_cursor_lag gauge"));
        }
    }
}
