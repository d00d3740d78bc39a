package io.strata.gateway.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code strata snapshot}'s own checks, made before any request: a bad command line exits 2 and
 * reaches no gateway (none listens on the port given here).
 */
class SnapshotCommandTest {
    private static final String GOOD = "strata+http://127.0.0.1:9/b/p?snap=20261206T180000Z-0a1b2c3d#sha256=" + "a".repeat(64);

    @Test
    void dataSubsetsArePercentagesFractionsOrNOfT() {
        assertEquals(0.05, SnapshotCommand.subset("5%"), 1e-12);
        assertEquals(0.05, SnapshotCommand.subset("0.05"), 1e-12);
        assertEquals(0.05, SnapshotCommand.subset("1/20"), 1e-12);
        assertEquals(1.0, SnapshotCommand.subset("100%"), 1e-12);
        assertEquals(0.0, SnapshotCommand.subset(null), 1e-12);
        for (String bad : new String[] {"150%", "-1", "abc", "1/0x", "2"}) {
            assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.subset(bad), bad);
        }
    }

    @Test
    void aGcProgressLineShowsThePhaseItsBarAndItsCounts() {
        String comparing = SnapshotCommand.gcLine(java.util.Map.of("running", true, "phase", "comparing", "snapshots", 4,
                "snapshotsDone", 1, "rangesRead", 7, "objectsPlanned", 0, "objectsDeleted", 0));
        assertTrue(comparing.startsWith(Progress.bar(0.25) + "  25%  comparing 1 of 4 forgotten snapshots"), comparing);
        assertTrue(comparing.contains("7 range files read"), comparing);
        String deleting = SnapshotCommand.gcLine(java.util.Map.of("running", true, "phase", "deleting", "snapshots", 4,
                "snapshotsDone", 4, "rangesRead", 9, "objectsPlanned", 200, "objectsDeleted", 150));
        assertTrue(deleting.startsWith(Progress.bar(0.75) + "  75%  deleting: 150 of 200 objects"), deleting);
        String sweeping = SnapshotCommand.gcLine(java.util.Map.of("running", true, "phase", "sweeping", "snapshots", 10,
                "snapshotsDone", 5, "rangesRead", 30, "objectsPlanned", 0, "objectsDeleted", 0));
        assertTrue(sweeping.contains("full sweep: 5 of 10 snapshots"), sweeping);
    }

    @Test
    void aVerifyProgressLineShowsEntriesAndRangeFilesOfTheRootsTotals() {
        String line = SnapshotCommand.verifyLine(java.util.Map.of("state", "running", "locator", GOOD, "entriesTotal", 1000,
                "entriesChecked", 500, "rangesTotal", 4, "rangesChecked", 2, "dataChecked", 25));
        assertTrue(line.startsWith(Progress.bar(0.5) + "  50%  verifying "), line);
        assertTrue(line.contains("500 of 1000 entries, 2 of 4 range files, 25 data objects read"), line);
    }

    @Test
    void aRestoreProgressLineShowsTheLoadThenTheHydration() {
        String loading = SnapshotRestoreCommand.line(java.util.Map.of("state", "LOADING", "loaded", 250, "entries", 1000));
        assertTrue(loading.startsWith(Progress.bar(0.25) + "  25%  loading: 250 entries loaded of about 1000"), loading);
        String hydrating = SnapshotRestoreCommand.line(java.util.Map.of("state", "HYDRATING", "loaded", 1000, "entries", 1000,
                "job", 7, "hydrated", 600, "total", 800, "hydratedBytes", 2048));
        assertTrue(hydrating.startsWith(Progress.bar(0.75) + "  75%  hydrating: 1000 entries loaded, 600 of 800 versions hydrated "
                + "(2.0 KiB)"), hydrating);
        String done = SnapshotRestoreCommand.line(java.util.Map.of("state", "HYDRATED", "loaded", 1000, "job", 7, "hydrated", 800,
                "total", 800));
        assertTrue(done.startsWith(Progress.bar(1) + " 100%"), done);
    }

    @Test
    void locatorsAreCheckedBeforeAnyRequest() {
        assertEquals(GOOD, SnapshotCommand.locator(GOOD));
        for (String bad : new String[] {"", "s3://b/p", GOOD.replace("#sha256=", "#sha1="), GOOD.substring(0, GOOD.length() - 1),
                GOOD.replace("?snap=", "?snap=-x")}) {
            var e = assertThrows(IllegalArgumentException.class, () -> SnapshotCommand.locator(bad), bad);
            assertTrue(e.getMessage().startsWith("not a snapshot locator"), e.getMessage());
        }
    }

    @Test
    void badCommandLinesExitTwoWithoutContactingTheGateway() {
        String[][] cases = {
                {"snapshot", "create", "--all"},
                {"snapshot", "create", "--repo", "local"},
                {"snapshot", "create", "--repo", "local", "--all", "--bucket", "b"},
                {"snapshot", "verify", "not-a-locator"},
                {"snapshot", "verify", GOOD, "--read-data-subset", "150%"},
                {"snapshot", "show", "strata+file:///x?snap=a"},
                {"snapshot", "abort", "12x"},
                {"snapshot", "frobnicate"},
                {"snapshot", "create", "--no-such-option"},
        };
        for (String[] args : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] withGateway = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--gateway", "http://127.0.0.1:9")).toArray(String[]::new);
            int status = SnapshotCommand.run(withGateway, new PrintStream(out), new PrintStream(err));
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, String.join(" ", args) + ": " + said);
            assertTrue(said.startsWith("strata: "), said);
            assertTrue(!said.contains("cannot reach"), said);
        }
    }
}
