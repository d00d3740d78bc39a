package io.strata.tiering.snapshot;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Export and read back through a repository on s3proxy, a third-party S3 server started by the test. */
class S3SnapshotExportTest extends SnapshotExportContractTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.stop();
    }

    @Override
    SnapshotRepository createRepository() {
        return server.newRepository();
    }

    @Override
    protected int incrementalKeys() {
        return 1_000;   // each data object is a request to s3proxy: the local repository runs the 10,000
    }
}
