package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real S3 clients (the aws CLI, boto3, s3cmd, rclone) the conformance tests drive, and
 * decides what a missing one means. CI installs them all ({@code .ci/run}, {@code ./strata test}), so
 * a missing client is a test failure naming it and how to install it: a test that skipped silently
 * would let a broken client path pass unnoticed. A run opts out of every real-client test with
 * {@code STRATA_SKIP_REAL_CLIENTS=1}; those tests are then skipped, present clients or not.
 */
final class RealClients {
    /** The environment variable that opts a run out of the real-client tests. */
    static final String OPT_OUT = "STRATA_SKIP_REAL_CLIENTS";
    static final Path DEBIAN_AWS = Path.of("/usr/bin/aws");
    static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    private static final String DEBIAN_PACKAGES = "apt-get install -y awscli python3-boto3 s3cmd rclone curl openssl";

    private RealClients() {
    }

    /** Whether this run opted out of the real-client tests. */
    static boolean optedOut() {
        return "1".equals(System.getenv(OPT_OUT));
    }

    /** Skips the calling test when the run opted out ({@value #OPT_OUT}=1); call first in every real-client test. */
    static void skipIfOptedOut() {
        Assumptions.assumeFalse(optedOut(), OPT_OUT + "=1: real-client tests skipped");
    }

    /** {@code tool} as found on PATH, else a failure naming the Debian package that provides it. */
    static Path onPathOrFail(String tool, String debianPackage) {
        return onPath(tool).orElseGet(() -> missing(tool + " is not on PATH", "install the Debian package " + debianPackage));
    }

    /** {@code tool} at its absolute Debian path, else a failure naming the package that provides it. */
    static Path atOrFail(Path tool, String debianPackage) {
        if (!Files.isExecutable(tool)) missing(tool + " is missing", "install the Debian package " + debianPackage);
        return tool;
    }

    /** Debian's python3 with Debian's boto3 (the older generation), else a failure. */
    static Path debianBoto3() {
        Path python = atOrFail(DEBIAN_PYTHON, "python3-boto3");
        if (!hasBoto3(python)) missing(python + " has no boto3", "install the Debian package python3-boto3");
        return python;
    }

    /**
     * Fails the calling test: {@code what} is missing. The message says how to install it and how to
     * opt out, so whoever reads a red CI run knows both ways forward.
     */
    static <T> T missing(String what, String howToInstall) {
        return fail(what + ": " + howToInstall + " (every real client: " + DEBIAN_PACKAGES + "), or set "
                + OPT_OUT + "=1 to skip the real-client tests");
    }

    /** The first executable {@code name} on PATH. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a.toRealPath(), b.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code python} imports boto3 (bounded: 60 s). */
    static boolean hasBoto3(Path python) {
        try {
            Process process = new ProcessBuilder(List.of(python.toString(), "-c", "import boto3"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The size aws-cli.sh's multipart file has in all but one run ({@code STRATA_BIG_SIZE}): four parts
     * at the CLI's 8 MiB threshold and part size, the last one short. One run, awsCliFromDebian (the
     * aws CLI every CI has), keeps the script's 1 GiB default; 128 parts through each generation and
     * over TLS again took about 20 s a run and tested no other code path.
     */
    static final String AWS_CLI_SMALLER_FILE = Long.toString(26L * 1024 * 1024 + 17);

    /** How long a client script may run. */
    static final long SCRIPT_TIMEOUT_MINUTES = 5;

    /**
     * Runs a client script against {@code server} (its endpoint and the root credentials in the
     * environment, temporary files under {@code root}), bounded by {@value #SCRIPT_TIMEOUT_MINUTES}
     * minutes; prints its output, and fails the calling test with it and the gateway's tail when the
     * script fails or does not finish.
     */
    static void run(StrataServer server, Path root, String name, Map<String, String> extraEnv, String... command)
            throws Exception {
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
        env.putAll(extraEnv);
        long started = System.nanoTime();
        Process process = builder.start();
        boolean finished = process.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.printf("--- %s (%s) finished in %.1f s%n%s%n", name, String.join(" ", command),
                (System.nanoTime() - started) / 1e9, output);
        if (!finished) {
            fail(name + " did not finish within " + SCRIPT_TIMEOUT_MINUTES + " minutes; its output:\n" + output + gatewayTail(server));
        }
        if (process.exitValue() != 0) {
            fail(name + " (" + String.join(" ", command) + ") exited with " + process.exitValue() + "; its output:\n" + output + gatewayTail(server));
        }
    }

    private static String gatewayTail(StrataServer server) {
        String out = server.output();
        return "\n--- gateway output (tail) ---\n" + (out.length() > 4000 ? out.substring(out.length() - 4000) : out);
    }
}
