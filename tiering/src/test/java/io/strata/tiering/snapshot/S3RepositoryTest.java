package io.strata.tiering.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strata.checksum.ChecksumAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void objectsWithChecksumsAreStoredOnAStoreThatRefusesChecksumHeadersAndTheProbeIsGone() throws Exception {
        // s3proxy 2.6 answers 501 NotImplemented to x-amz-checksum-*; the connection it then closes
        // must not fail the next request either.
        for (int i = 0; i < 3; i++) {
            byte[] data = bytes(20 + i, 300_000);
            String crc = SnapshotFixture.checksum(ChecksumAlgorithm.CRC32, data);
            assertTrue(repo.putIfAbsent("data/b/k" + i + "/@v", source(data), single(data, Map.of("CRC32", crc))).created());
            assertArrayEquals(data, read(repo.get("data/b/k" + i + "/@v", 0, -1)));
        }
        List<String> all = new ArrayList<>();
        repo.list("", all::add);
        assertEquals(List.of("data/b/k0/@v", "data/b/k1/@v", "data/b/k2/@v"), all);
    }

    @Test
    void permanentServerErrorsAreRefusedAndTransientOnesRetried() {
        record Case(int status, String code, SnapshotException.Reason reason) {
        }
        for (Case c : List.of(new Case(501, "NotImplemented", SnapshotException.Reason.REJECTED),
                new Case(505, "HttpVersionNotSupported", SnapshotException.Reason.REJECTED),
                new Case(500, "InternalError", SnapshotException.Reason.UNAVAILABLE),
                new Case(503, "SlowDown", SnapshotException.Reason.UNAVAILABLE),
                new Case(404, "NoSuchKey", SnapshotException.Reason.NOT_FOUND),
                new Case(400, "BadDigest", SnapshotException.Reason.CORRUPT))) {
            var e = (software.amazon.awssdk.services.s3.model.S3Exception) software.amazon.awssdk.services.s3.model.S3Exception
                    .builder().statusCode(c.status()).awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails
                            .builder().errorCode(c.code()).build()).build();
            assertEquals(c.reason(), S3Repository.translate("p", e).reason(), c.toString());
        }
    }

    @Test
    void abandonAbortsTheUnfinishedUploadsOfThatObjectOnly() {
        String bucket = java.net.URI.create(repo.location().substring("strata+".length())).getPath().split("/")[1];
        String prefix = "strata/site-a/";
        try (var s3 = server.client()) {
            for (String key : List.of("data/b/k/@v", "data/b/k/@v", "data/b/k/@v2")) {
                s3.createMultipartUpload(b -> b.bucket(bucket).key(prefix + key));
            }
            repo.abandon("data/b/k/@v");
            assertEquals(List.of(prefix + "data/b/k/@v2"), s3.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                    .map(software.amazon.awssdk.services.s3.model.MultipartUpload::key).toList());
        }
    }
}
