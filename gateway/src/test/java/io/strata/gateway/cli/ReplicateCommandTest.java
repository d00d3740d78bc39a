package io.strata.gateway.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code strata replicate}'s own checks, made before any request: a bad command line exits 2 and reaches no
 * gateway (none listens on the port given here), and never repeats the secret key it was given.
 */
class ReplicateCommandTest {
    private static final String SECRET = "the-secret-key-value";
    private static final String[] GOOD = {"replicate", "target", "add", "west", "--endpoint", "http://127.0.0.1:9",
            "--bucket", "data", "--access-key", "AK", "--secret-key", SECRET};

    private static String[] with(String[] base, String... more) {
        return Stream.concat(Arrays.stream(base), Arrays.stream(more)).toArray(String[]::new);
    }

    private static String[] replacing(String option, String value) {
        String[] args = GOOD.clone();
        args[Arrays.asList(args).indexOf(option) + 1] = value;
        return args;
    }

    @Test
    void badCommandLinesExitTwoWithoutContactingTheGateway() {
        String[][] cases = {
                {"replicate"},
                {"replicate", "targets", "list"},
                {"replicate", "target"},
                {"replicate", "target", "frobnicate"},
                {"replicate", "target", "add"},
                {"replicate", "target", "rm"},
                {"replicate", "target", "list", "extra"},
                replacing("west", "West_1"),
                replacing("--endpoint", "not a url"),
                replacing("--endpoint", "s3://bucket"),
                replacing("--endpoint", "http://user:pass@127.0.0.1:9"),
                replacing("--bucket", "Not_A_Bucket"),
                with(GOOD, "--region", "Mars One"),
                with(GOOD, "--path-style=maybe"),
                with(GOOD, "--no-such-option", "x"),
                Arrays.copyOf(GOOD, GOOD.length - 2),   // no --secret-key
                {"replicate", "wait"},
                {"replicate", "wait", "photos"},                                          // no --target
                {"replicate", "wait", "photos", "--target", "dr", "--timeout", "soon"},
                {"replicate", "wait", "photos", "extra", "--target", "dr"},
                {"replicate", "why"},
                {"replicate", "why", "photos"},
                {"replicate", "why", "photos/"},
                {"replicate", "resync"},
                {"replicate", "resync", "frobnicate"},
                {"replicate", "resync", "start"},
                {"replicate", "resync", "start", "photos"},                        // no --target
                {"replicate", "resync", "cancel", "photos"},                       // no --target
                {"replicate", "resync", "start", "photos", "extra", "--target", "dr"},
                {"replicate", "resync", "status", "photos", "extra"},
        };
        for (String[] args : cases) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = ReplicateCommand.run(with(args, "--gateway", "http://127.0.0.1:9"), new PrintStream(out),
                    new PrintStream(err));
            String said = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, status, String.join(" ", args) + ": " + said);
            assertTrue(said.startsWith("strata: "), said);
            assertFalse(said.contains("cannot reach"), said);
            assertFalse(said.contains(SECRET) || out.toString(StandardCharsets.UTF_8).contains(SECRET), said);
            assertFalse(said.contains(SECRET), said);
        }
    }

    @Test
    void helpExplainsEachCommandAndHowADestinationFindsItsTarget() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, ReplicateCommand.run(new String[] {"replicate", "--help"}, new PrintStream(out), System.err));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String expected : new String[] {"target add NAME", "--endpoint URL", "--path-style", "target list",
                "target rm NAME", "arn:aws:s3:::B", "Exit status",
                "wait BUCKET --target NAME", "--timeout", "why BUCKET/KEY", "--version-id",
                "resync start BUCKET --target NAME [--wait]",
                "resync status [BUCKET]", "resync cancel BUCKET --target NAME", "Never deletes at the target"}) {
            assertTrue(help.contains(expected), expected);
        }
    }

    @Test
    void aGoodCommandLineGetsAsFarAsTheGateway() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReplicateCommand.run(with(GOOD, "--path-style", "--gateway", "http://127.0.0.1:9"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, status, said);
        assertFalse(said.contains(SECRET), said);
    }
}
