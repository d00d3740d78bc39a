package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one real-client script of conformance-tests/scripts against a gateway, with the gateway's
 * endpoint and credentials in its environment, and fails with the script's output when it exits
 * non-zero or runs longer than two minutes.
 */
final class Script {
    private static final long TIMEOUT_MINUTES = 2;

    private Script() {
    }

    /** Runs {@code interpreter scripts/name [args]}; temporary files go under {@code root}. */
    static String run(String interpreter, String name, StrataServer server, Path root, String... args) throws Exception {
        Path script = Path.of(System.getProperty("strata.scripts", "scripts")).toAbsolutePath().resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of(interpreter, script.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(root, name + "-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.remove("AWS_CA_BUNDLE");
        env.remove("AWS_PROFILE");
        env.remove("AWS_SESSION_TOKEN");
        env.put("STRATA_ENDPOINT", server.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", StrataServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", StrataServer.SECRET_KEY);
        env.put("AWS_DEFAULT_REGION", StrataServer.REGION);
        env.put("TMPDIR", root.toString());
        Process process = builder.start();
        boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.printf("--- %s (%s)%n%s%n", name, String.join(" ", command), output);
        if (!finished) fail(name + " did not finish within " + TIMEOUT_MINUTES + " minutes; its output:\n" + output);
        if (process.exitValue() != 0) fail(name + " exited with " + process.exitValue() + "; its output:\n" + output);
        return output;
    }
}
