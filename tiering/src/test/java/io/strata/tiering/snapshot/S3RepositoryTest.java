package io.strata.tiering.snapshot;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The repository contract against a real third-party S3 server: s3proxy, started by the test. */
class S3RepositoryTest extends RepositoryContractTest {
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
}
