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
