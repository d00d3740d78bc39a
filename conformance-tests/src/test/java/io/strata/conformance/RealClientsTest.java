package io.strata.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real clients' scripts (conformance-tests/scripts) against one gateway: the aws CLI of
 * both generations (the first on PATH, e.g. pyenv's aws-cli 1.45 with the 2025 checksum defaults,
 * and Debian's /usr/bin/aws 2.9), boto3 with both pythons, s3cmd and rclone.
 *
 * <p>A missing tool fails the test naming the Debian package to install, unless
 * STRATA_SKIP_REAL_CLIENTS=1 (then the tests are skipped).
 */
class RealClientsTest extends GatewayTest {
    private static final long TIMEOUT_MINUTES = 5;
    private static Path scripts;

    @BeforeAll
    static void scripts() {
        scripts = Path.of(System.getProperty("strata.scripts", "scripts")).toAbsolutePath();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void awsCliFromDebian() throws Exception {
        Path aws = require(Path.of("/usr/bin/aws"), "awscli");
        run("aws-cli.sh", Map.of("AWS_CLI", aws.toString()), "bash", scripts.resolve("aws-cli.sh").toString());
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void awsCliFirstOnPath() throws Exception {
        Path aws = onPath("aws").orElseGet(() -> require(Path.of("/usr/bin/aws"), "awscli"));
        Assumptions.assumeFalse(sameFile(aws, Path.of("/usr/bin/aws")), "the first aws on PATH is Debian's, tested already");
        run("aws-cli.sh", Map.of("AWS_CLI", aws.toString()), "bash", scripts.resolve("aws-cli.sh").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void boto3FromDebian() throws Exception {
        Path python = require(Path.of("/usr/bin/python3"), "python3");
        if (!hasBoto3(python)) {
            skipOrFail("/usr/bin/python3 has no boto3: install the Debian package python3-boto3");
        }
        run("boto3_test.py", Map.of(), python.toString(), scripts.resolve("boto3_test.py").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void boto3FirstOnPath() throws Exception {
        Optional<Path> python = onPath("python3");
        Assumptions.assumeTrue(python.isPresent() && !sameFile(python.get(), Path.of("/usr/bin/python3")),
                "the first python3 on PATH is Debian's, tested already");
        Assumptions.assumeTrue(hasBoto3(python.get()), python.get() + " has no boto3");
        run("boto3_test.py", Map.of(), python.get().toString(), scripts.resolve("boto3_test.py").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void s3cmd() throws Exception {
        onPath("s3cmd").orElseGet(() -> require(Path.of("/usr/bin/s3cmd"), "s3cmd"));
        run("s3cmd.sh", Map.of(), "bash", scripts.resolve("s3cmd.sh").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void rclone() throws Exception {
        onPath("rclone").orElseGet(() -> require(Path.of("/usr/bin/rclone"), "rclone"));
        run("rclone.sh", Map.of(), "bash", scripts.resolve("rclone.sh").toString());
    }

    private static void run(String name, Map<String, String> extraEnv, String... command) throws Exception {
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
        boolean finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.printf("--- %s (%s) finished in %.1f s%n%s%n", name, String.join(" ", command),
                (System.nanoTime() - started) / 1e9, output);
        if (!finished) {
            fail(name + " did not finish within " + TIMEOUT_MINUTES + " minutes; its output:\n" + output + gatewayTail());
        }
        if (process.exitValue() != 0) {
            fail(name + " (" + String.join(" ", command) + ") exited with " + process.exitValue() + "; its output:\n" + output + gatewayTail());
        }
    }

    private static String gatewayTail() {
        String out = server.output();
        return "\n--- gateway output (tail) ---\n" + (out.length() > 4000 ? out.substring(out.length() - 4000) : out);
    }

    private static Path require(Path tool, String debianPackage) {
        if (!Files.isExecutable(tool)) {
            skipOrFail(tool + " is missing: install the Debian package " + debianPackage
                    + " (apt-get install -y awscli python3-boto3 s3cmd rclone), or set STRATA_SKIP_REAL_CLIENTS=1 to skip");
        }
        return tool;
    }

    private static void skipOrFail(String message) {
        if ("1".equals(System.getenv("STRATA_SKIP_REAL_CLIENTS"))) {
            Assumptions.abort(message);
        }
        fail(message);
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a.toRealPath(), b.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    static boolean hasBoto3(Path python) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", "import boto3"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
