package io.strata.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Placement's lines in the Prometheus scrape, as dashboards and alerts read them: every metric name,
 * HELP text, TYPE and order, with a restore counted. The scrape is an interface: a rename or a new
 * help text breaks someone's query, so the text is compared whole.
 */
class PlacementScrapeTest {
    private static final String COUNTERS = """
            # HELP strata_placement_promotions_total Cold versions moved hot after repeated reads.
            # TYPE strata_placement_promotions_total counter
            strata_placement_promotions_total 0
            # HELP strata_placement_promotions_dropped_total Promotions not queued because the move queue was full.
            # TYPE strata_placement_promotions_dropped_total counter
            strata_placement_promotions_dropped_total 0
            # HELP strata_placement_restores_total Cold versions moved hot by RestoreObject.
            # TYPE strata_placement_restores_total counter
            strata_placement_restores_total 1
            # HELP strata_placement_evictions_total Hot versions moved cold by watermark eviction.
            # TYPE strata_placement_evictions_total counter
            strata_placement_evictions_total 0
            # HELP strata_placement_evicted_bytes_total Bytes moved cold by watermark eviction.
            # TYPE strata_placement_evicted_bytes_total counter
            strata_placement_evicted_bytes_total 0
            # HELP strata_placement_prefetched_objects_total Cold versions moved hot by prefetch jobs.
            # TYPE strata_placement_prefetched_objects_total counter
            strata_placement_prefetched_objects_total 0
            # HELP strata_placement_prefetched_bytes_total Bytes moved hot by prefetch jobs.
            # TYPE strata_placement_prefetched_bytes_total counter
            strata_placement_prefetched_bytes_total 0
            # HELP strata_placement_move_failures_total Placement moves that failed (the version stayed where it was).
            # TYPE strata_placement_move_failures_total counter
            strata_placement_move_failures_total 0
            # HELP strata_placement_hot_used_fraction Hot tier fill at the last watermark check.
            # TYPE strata_placement_hot_used_fraction gauge
            """;
    /** The gauge's value is the data directory's file system fill, which this test does not control. */
    private static final Pattern GAUGE_VALUE = Pattern.compile("strata_placement_hot_used_fraction [0-9.E-]+\n");

    @Test
    void placementCountersAndHotFillAreScrapedUnderTheirNamesAndHelpTexts(@TempDir Path dir) throws Exception {
        try (InProcessGateway gateway = InProcessGateway.start(dir, Map.of("metrics.public", "true"))) {
            gateway.createBucket("scrape");
            byte[] data = new byte[256 << 10];
            new Random(12).nextBytes(data);
            gateway.put("scrape", "k", data);
            gateway.moveToCold("scrape", "k", "COLD");
            gateway.s3().restoreObject(b -> b.bucket("scrape").key("k").restoreRequest(r -> r.days(1)));
            long deadline = System.nanoTime() + 30_000_000_000L;
            String block;
            do {
                block = placementBlock(scrape(gateway));
                if (block.contains("strata_placement_restores_total 1\n") && block.contains("_fraction ")) break;
                if (System.nanoTime() > deadline) fail("the restore was not counted within 30 s:\n" + block);
                Thread.onSpinWait();
            } while (true);
            assertTrue(block.startsWith(COUNTERS), block);
            assertTrue(GAUGE_VALUE.matcher(block.substring(COUNTERS.length())).matches(), block);
        }
    }

    private static String scrape(InProcessGateway gateway) throws IOException {
        InProcessGateway.RawResponse r = InProcessGateway.rawGet(URI.create("http://127.0.0.1:" + gateway.port()
                + "/_strata/metrics"));
        assertEquals(200, r.status());
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The lines from placement's first HELP line to its last sample. */
    private static String placementBlock(String scrape) {
        int from = scrape.indexOf("# HELP strata_placement_");
        if (from < 0) return "";
        int to = from;
        for (int next; (next = scrape.indexOf('\n', to) + 1) > 0 && next < scrape.length(); to = next) {
            if (!scrape.startsWith("strata_placement_", next) && !scrape.startsWith("# HELP strata_placement_", next)
                    && !scrape.startsWith("# TYPE strata_placement_", next)) {
                return scrape.substring(from, next);
            }
        }
        return scrape.substring(from);
    }
}
