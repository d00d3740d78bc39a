package io.strata.conformance;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real clients' scripts (conformance-tests/scripts) against one gateway: the aws CLI of
 * both generations (the first on PATH, e.g. pyenv's aws-cli 1.45 with the 2025 checksum defaults,
 * and Debian's /usr/bin/aws 2.9), boto3 with both pythons, s3cmd and rclone. Debian's aws CLI copies
 * aws-cli.sh's 1 GiB multipart file up and down; the first on PATH a smaller multipart one.
 *
 * <p>A missing tool fails the test naming the package to install; STRATA_SKIP_REAL_CLIENTS=1 skips
 * these tests (see {@link RealClients}).
 */
class RealClientsTest extends GatewayTest {
    private static Path scripts;

    @BeforeAll
    static void scripts() {
        scripts = Path.of(System.getProperty("strata.scripts", "scripts")).toAbsolutePath();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void awsCliFromDebian() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.atOrFail(RealClients.DEBIAN_AWS, "awscli");
        run("aws-cli.sh", Map.of("AWS_CLI", aws.toString()), "bash", scripts.resolve("aws-cli.sh").toString());
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void awsCliFirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Path aws = RealClients.onPathOrFail("aws", "awscli");
        // Not a missing client: the same binary as awsCliFromDebian's, which tests it already.
        Assumptions.assumeFalse(RealClients.sameFile(aws, RealClients.DEBIAN_AWS),
                "the first aws on PATH is Debian's, tested already");
        run("aws-cli.sh", Map.of("AWS_CLI", aws.toString(), "STRATA_BIG_SIZE", RealClients.AWS_CLI_SMALLER_FILE),
                "bash", scripts.resolve("aws-cli.sh").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void boto3FromDebian() throws Exception {
        RealClients.skipIfOptedOut();
        Path python = RealClients.debianBoto3();
        run("boto3_test.py", Map.of(), python.toString(), scripts.resolve("boto3_test.py").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void boto3FirstOnPath() throws Exception {
        RealClients.skipIfOptedOut();
        Path python = RealClients.onPathOrFail("python3", "python3");
        // Not a missing client: the same interpreter as boto3FromDebian's, which tests it already.
        Assumptions.assumeFalse(RealClients.sameFile(python, RealClients.DEBIAN_PYTHON),
                "the first python3 on PATH is Debian's, tested already");
        // A python placed first on PATH (pyenv, a venv) is there for its newer boto3: one without
        // boto3 is a broken setup, not a reason to skip the newer generation's checksum defaults.
        if (!RealClients.hasBoto3(python)) {
            RealClients.missing(python + " (the first python3 on PATH) has no boto3", "run " + python + " -m pip install boto3");
        }
        run("boto3_test.py", Map.of(), python.toString(), scripts.resolve("boto3_test.py").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void s3cmd() throws Exception {
        RealClients.skipIfOptedOut();
        RealClients.onPathOrFail("s3cmd", "s3cmd");
        run("s3cmd.sh", Map.of(), "bash", scripts.resolve("s3cmd.sh").toString());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void rclone() throws Exception {
        RealClients.skipIfOptedOut();
        RealClients.onPathOrFail("rclone", "rclone");
        run("rclone.sh", Map.of(), "bash", scripts.resolve("rclone.sh").toString());
    }

    private static void run(String name, Map<String, String> extraEnv, String... command) throws Exception {
        RealClients.run(server, root, name, extraEnv, command);
    }
}
