package io.strata.gateway.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one argument parser of the strata commands, as the commands' help texts describe it. */
class ArgsTest {
    @Test
    void optionsTakeTheirValueEitherWaySwitchesNoneAndTheRestIsPositional() throws Exception {
        Args a = Args.parse(new String[] {"tier", "move", "b/data/", "--gateway=http://h:1", "--port", "9001", "--json",
                "COLD", "--data-dir", "/d", "--config", "/c.yaml"}, 1, Set.of("json", "no-wait"), Set.of("gateway"));
        assertEquals(List.of("move", "b/data/", "COLD"), a.positional());
        assertEquals("http://h:1", a.option("gateway"));
        assertTrue(a.has("json"));
        assertFalse(a.has("no-wait"));
        assertEquals(Path.of("/c.yaml"), a.configFile());
        assertEquals(Map.of("server.port", "9001", "storage.data-dir", "/d"), a.configFlags());
        assertNull(a.option("endpoint"));
    }

    @Test
    void anUnknownOptionIsRefusedWithTheUsageAndAMissingValueWithout() {
        Args.UsageException unknown = assertThrows(Args.UsageException.class,
                () -> Args.parse(new String[] {"heal", "--bogus", "1"}, 1, Set.of(), Set.of()));
        assertEquals("unknown option --bogus\n", unknown.getMessage());
        assertTrue(unknown.showUsage());
        Args.UsageException missing = assertThrows(Args.UsageException.class,
                () -> Args.parse(new String[] {"heal", "--port"}, 1, Set.of(), Set.of()));
        assertEquals("option --port needs a value", missing.getMessage());
        assertFalse(missing.showUsage());
    }

    @Test
    void helpStopsTheParse() throws Exception {
        assertTrue(Args.parse(new String[] {"pin", "-h", "--bogus"}, 1, Set.of(), Set.of()).help());
        assertTrue(Args.parse(new String[] {"pin", "--help"}, 1, Set.of(), Set.of()).help());
    }

    @Test
    void settingsKeepTheirOrderAndLeaveTheGatewayOptionsOut() throws Exception {
        Args a = Args.parse(new String[] {"tier", "add", "X", "--type", "s3", "--gateway", "g", "--endpoint", "e"}, 1,
                Set.of(), Set.of("type", "endpoint", "gateway"));
        assertEquals(List.of("type", "endpoint"), List.copyOf(a.settings(Set.of("type", "endpoint")).keySet()));
    }

    @Test
    void theProgressBarAndByteCountsReadAsBefore() {
        assertEquals("[###############---------------]", Progress.bar(0.5));
        assertEquals("[------------------------------]", Progress.bar(-1));
        assertEquals("1.5 KiB", Progress.bytes(1536));
        assertEquals("2.00 GiB", Progress.bytes(2L << 30));
    }
}
