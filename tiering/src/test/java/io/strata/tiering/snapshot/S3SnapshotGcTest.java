package io.strata.tiering.snapshot;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Forget, diff, holds and GC of a repository on s3proxy, a third-party S3 server started by the test. */
class S3SnapshotGcTest extends SnapshotGcTest {
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
